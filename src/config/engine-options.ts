/**
 * Settings → engine options, in one place for the CLI, the language server and the workspace
 * migration: whatever front end resolved the settings (flags over `[tool.anyio-migrate]`, editor
 * settings over pyproject.toml), the engine sees the same `AnalyzeOptions` for the same settings.
 */

import type { AnalyzeOptions, FixOptions, Target } from '../core/types';

/** The part of resolved settings the engine reads. */
export interface EngineSettings {
  target: Target;
  select?: readonly string[];
  ignore?: readonly string[];
}

/** Engine options for resolved settings (`select` and `ignore` only when given). */
export function analyzeOptionsFor(settings: EngineSettings): AnalyzeOptions {
  const options: AnalyzeOptions = { target: settings.target };
  if (settings.select) options.select = settings.select;
  if (settings.ignore) options.ignore = settings.ignore;
  return options;
}

/** Fix options: the analysis options plus whether unsafe fixes are included. */
export function fixOptionsFor(settings: EngineSettings & { unsafeFixes?: boolean }): FixOptions {
  return { ...analyzeOptionsFor(settings), unsafeFixes: settings.unsafeFixes === true };
}
