/**
 * Settings for one document: the editor's `anyioMigrate.*` settings of its workspace folder merged
 * with `[tool.anyio-migrate]` of the nearest pyproject.toml (the same file the CLI reads).
 *
 * Merge rules (the editor's defaults are "not set", so pyproject wins unless the user chose):
 * - select: the editor's list when non-empty, else pyproject's, else all rules;
 * - ignore: both lists;
 * - target: the editor's unless `auto`, else pyproject's, else `anyio3` ("not chosen": quick
 *   fixes then offer both forms);
 * - unsafeFixes: true when either says so;
 * - severityOverrides: editor only; exclude: pyproject only (gitignore-style, relative to it).
 */
import * as path from 'path';
import { fileURLToPath } from 'url';
import { GitignoreMatcher } from '../core/glob';
import { PyprojectLookup } from '../config/lookup';
import type { Target } from '../core/types';
import { DEFAULT_SETTINGS, type Settings, type SeverityName, type TargetSetting } from '../shared/protocol';
import { toPosix } from '../shared/paths';

export interface EffectiveConfig {
  enable: boolean;
  select?: string[];
  ignore: string[];
  severityOverrides: Record<string, SeverityName>;
  unsafeFixes: boolean;
  target: Target;
  /** False when neither the editor nor pyproject.toml picked a target. */
  targetChosen: boolean;
  /** The pyproject.toml that contributed, if any. */
  pyproject?: string;
  /** True when pyproject's `exclude` matches this document. */
  excluded: boolean;
  /** pyproject `exclude` patterns and their base directory (for the workspace walk). */
  exclude?: { baseDir: string; patterns: string[] };
  errors: string[];
}

const SEVERITY_NAMES: readonly SeverityName[] = ['error', 'warning', 'information', 'hint', 'off'];
const TARGET_SETTINGS: readonly TargetSetting[] = ['auto', 'anyio3', 'anyio2+3'];

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim()) : [];
}

/** Validate whatever the client sent (it may be partial, null, or from another editor). */
export function normalizeSettings(raw: unknown): Settings {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const overrides: Record<string, SeverityName> = {};
  const rawOverrides = r['severityOverrides'];
  if (rawOverrides && typeof rawOverrides === 'object' && !Array.isArray(rawOverrides)) {
    for (const [code, sev] of Object.entries(rawOverrides as Record<string, unknown>)) {
      const name = typeof sev === 'string' ? (sev.toLowerCase() === 'info' ? 'information' : sev.toLowerCase()) : '';
      if ((SEVERITY_NAMES as readonly string[]).includes(name)) overrides[code.trim()] = name as SeverityName;
    }
  }
  const target = r['target'];
  return {
    enable: typeof r['enable'] === 'boolean' ? r['enable'] : DEFAULT_SETTINGS.enable,
    select: stringList(r['select']),
    ignore: stringList(r['ignore']),
    severityOverrides: overrides,
    unsafeFixes: typeof r['unsafeFixes'] === 'boolean' ? r['unsafeFixes'] : DEFAULT_SETTINGS.unsafeFixes,
    target: typeof target === 'string' && (TARGET_SETTINGS as readonly string[]).includes(target) ? (target as TargetSetting) : DEFAULT_SETTINGS.target,
    usePyproject: typeof r['usePyproject'] === 'boolean' ? r['usePyproject'] : DEFAULT_SETTINGS.usePyproject,
    // Set only when not the default (`workspace`).
    ...(r['diagnosticsScope'] === 'openFiles' ? { diagnosticsScope: 'openFiles' as const } : {}),
  };
}

/** File-system path behind a document URI: `file:` and notebook cells (the notebook's path). */
export function fsPathOf(uri: string): string | undefined {
  try {
    const url = new URL(uri);
    if (url.protocol === 'file:') return fileURLToPath(url);
    if (url.protocol === 'vscode-notebook-cell:') return fileURLToPath(new URL(`file://${url.pathname}`));
  } catch {
    /* not a URI we can map to a path */
  }
  return undefined;
}

/**
 * pyproject.toml lookups, cached per directory and per file (stat-checked), reset on file events:
 * the very lookup the CLI uses (src/config/lookup.ts), so both pick the same config for a file.
 */
export { PyprojectLookup as PyprojectCache };

/** Compiled `exclude` lists, by their patterns (a few distinct lists per session). */
const excludeMatchers = new Map<string, GitignoreMatcher>();

function excludeMatcher(patterns: readonly string[]): GitignoreMatcher {
  const key = patterns.join('\n');
  let m = excludeMatchers.get(key);
  if (!m) {
    if (excludeMatchers.size >= 64) excludeMatchers.clear();
    m = new GitignoreMatcher().add(patterns);
    excludeMatchers.set(key, m);
  }
  return m;
}

export function matchesExclude(exclude: { baseDir: string; patterns: string[] }, file: string): boolean {
  const rel = path.relative(exclude.baseDir, file);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return false;
  return excludeMatcher(exclude.patterns).ignores(toPosix(rel));
}

export function resolveConfig(settings: Settings, uri: string, pyprojects: PyprojectLookup): EffectiveConfig {
  const file = fsPathOf(uri);
  const py = settings.usePyproject && file ? pyprojects.lookup(path.dirname(file)) : undefined;
  const pc = py?.config ?? {};
  const select = settings.select.length > 0 ? settings.select : pc.select;
  const chosen: Target | undefined = settings.target !== 'auto' ? settings.target : pc.target;
  const exclude = py && pc.exclude && pc.exclude.length > 0 ? { baseDir: path.dirname(py.file), patterns: pc.exclude } : undefined;
  const config: EffectiveConfig = {
    enable: settings.enable,
    ignore: [...settings.ignore, ...(pc.ignore ?? [])],
    severityOverrides: settings.severityOverrides,
    unsafeFixes: settings.unsafeFixes || pc.unsafeFixes === true,
    target: chosen ?? 'anyio3',
    targetChosen: chosen !== undefined,
    excluded: exclude !== undefined && file !== undefined && matchesExclude(exclude, file),
    // Each problem (with its line and column) as the file's diagnostics show it (features/configDiagnostics.ts).
    errors: [
      ...(py?.problems ?? []).map((p) => `${p.file}:${p.range.start.line + 1}:${p.range.start.character + 1}: ${p.message}`),
      ...(exclude && py ? excludeMatcher(exclude.patterns).warnings.map((w) => `${py.file}: exclude pattern '${w.pattern}' ${w.message}`) : []),
    ],
  };
  if (select) config.select = select;
  if (py) config.pyproject = py.file;
  if (exclude) config.exclude = exclude;
  return config;
}
