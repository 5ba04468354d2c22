/**
 * Plain data shared by the engine, the rules, the CLI, the language server and the tests.
 * No editor types here: everything is UTF-16 code-unit offsets into the exact text analysed
 * (the unit of JavaScript strings, web-tree-sitter indices, VS Code positions and LSP's default).
 */
import type { ProjectContext } from './semantic/project';

/** Replace `text.slice(start, end)` with `text`. Offsets are UTF-16 code units. */
export interface Edit {
  start: number;
  end: number;
  text: string;
}

/**
 * - `safe`: the rewrite keeps behaviour (receiver type proven, or the name is resolved to AnyIO).
 * - `unsafe`: probably right, but not proven (e.g. the receiver's type is unknown); applied only
 *   when the user asks for unsafe fixes.
 */
export type Applicability = 'safe' | 'unsafe';

/** An import a fix needs; the fix engine adds each distinct one once. */
export interface ImportRequest {
  /** `from <module> import <name> [as <asName>]`, or `import <module>` when `name` is absent. */
  module: string;
  name?: string;
  asName?: string;
  /**
   * A cross-version import (AnyIO 2 and 3): `try: from <module> import <name> as <local>` /
   * `except ImportError: from <fallback.module> import <fallback.name> as <local>`.
   */
  fallback?: { module: string; name: string };
}

export interface Fix {
  title: string;
  applicability: Applicability;
  edits: Edit[];
  /** Imports to add (deduplicated across fixes by the engine). */
  imports?: ImportRequest[];
}

export type Severity = 'error' | 'warning' | 'info';

export type Target = 'anyio3' | 'anyio2+3';

export interface Finding {
  /** Stable rule code, e.g. `ASY101`. */
  code: string;
  /** Kebab-case rule name, e.g. `await-now-sync-function`. */
  rule: string;
  message: string;
  /** Range of the flagged code, UTF-16 offsets. */
  start: number;
  end: number;
  /** `error` where AnyIO 3 raises; `warning` where it still works but is deprecated. */
  severity: Severity;
  /** True where the usage still works in AnyIO 3 but is deprecated (LSP `DiagnosticTag.Deprecated`). */
  deprecated: boolean;
  /**
   * For a deprecated usage: the deprecated token itself inside [start, end) (the `await`, the old
   * name, the `async` of `async with`), UTF-16 offsets. Editors strike through only this token.
   */
  token?: { start: number; end: number };
  fix?: Fix;
  /** Set when there is no automatic fix: why, and what to do by hand. */
  noFixReason?: string;
}

export interface RuleSelection {
  /** Codes or code prefixes to enable (`ASY1`, `ASY101`); empty/absent = all. */
  select?: readonly string[];
  /** Codes or code prefixes to disable. */
  ignore?: readonly string[];
}

export interface AnalyzeOptions extends RuleSelection {
  target?: Target;
  /**
   * The project the file belongs to (its module name and the index of the other modules): types
   * are then proven across modules. Not plain data: callers that send options to a worker send
   * the module name and keep an index on the other side.
   */
  project?: ProjectContext;
}

export interface FixOptions extends AnalyzeOptions {
  /** Include unsafe fixes (default false). */
  unsafeFixes?: boolean;
  /** Cap on re-parse/re-analyse rounds (default 10). */
  maxIterations?: number;
}

/** One fix the fix loop applied. */
export interface AppliedFix {
  code: string;
  title: string;
  applicability: Applicability;
  /** The round it was applied in (0 = on the input itself). */
  round: number;
  /** The finding's range in the text of its round. */
  range: { start: number; end: number };
  /** Its edits, on the text of its round. */
  edits: Edit[];
  /** The imports it asked for (the round's import bookkeeping adds each distinct one once). */
  imports: ImportRequest[];
  /**
   * Its effect on the ORIGINAL input: the changes of `FixResult.changes` it took part in. A change
   * that later rounds (or import bookkeeping) also touched is shared by all of them.
   */
  original: Edit[];
}

/** One change of the original input in the fix loop's result, and who made it. */
export interface FixChange extends Edit {
  /** Indices into `FixResult.applied` of the fixes whose edits went into it, ascending. */
  fixes: number[];
  /** Rounds whose import bookkeeping (added or removed imports) went into it, ascending. */
  importRounds: number[];
}

export interface FixResult {
  /** The new text (identical to the input when nothing was applied or the result was refused). */
  output: string;
  /** Fixes applied, in order (round, then position), each once. */
  applied: AppliedFix[];
  /**
   * The whole result as disjoint changes of the input, sorted by start: applying them to the input
   * gives `output`. Edits of later rounds on text an earlier round changed are merged into one.
   */
  changes: FixChange[];
  /**
   * Rounds `0 .. safeRounds - 1` are the safe phase: safe fixes only, exactly the run without
   * unsafe fixes. Later rounds (only with `unsafeFixes`) went on from that text with unsafe fixes
   * included. A change no later round took part in is made by the safe-only run.
   */
  safeRounds: number;
  /** Findings still present in `output`. */
  remaining: Finding[];
  /** Set when a round produced new parse errors: output is then the last good text. */
  refused?: string;
  /** True when the fixpoint was not reached within `maxIterations`. */
  capped: boolean;
}

export interface RuleDocs {
  why: string;
  before: string;
  after: string;
}

export type FixAvailability = 'always' | 'sometimes' | 'never';

/**
 * A message or fix title of a rule: text with `{name}` placeholders, filled by `render()`
 * (src/core/rule-api.ts). A placeholder may be given an empty string (an optional clause).
 */
export type Template = string;

/**
 * The fix titles of a rule, per target where it has a fix: each a named `Template`
 * (`{ anyio3: { removeAwait: 'Remove the `await`' }, 'anyio2+3': { ... } }`).
 */
export type FixTitles = Readonly<Partial<Record<Target, Readonly<Record<string, Template>>>>>;

export interface RuleMeta {
  code: string;
  name: string;
  /** One-line summary for tables. */
  summary: string;
  /** Delta rows covered, e.g. ['A1','A2']. */
  rows: readonly string[];
  fixTitle: string;
  fixAvailability: FixAvailability;
  /** Fix availability under the `anyio2+3` target, where it differs (some rows have no cross-version form). */
  compatFixAvailability?: FixAvailability;
  /** Safety of the fix when the receiver/name is proven. */
  fixSafety: string;
  defaultSeverity: Severity;
  deprecated: boolean;
  docs: RuleDocs;
  /** Every message a finding of this rule can carry, each a named `Template`. */
  messages: Readonly<Record<string, Template>>;
  /** Every title a fix of this rule can carry, per target (none for a rule without fixes). */
  fixTitles: FixTitles;
  /**
   * True when a finding of the rule (or its fix) depends on code outside the scope it is reported
   * in (another function body, the rest of the module): scoped re-analysis then falls back to a
   * full one (src/core/incremental.ts).
   */
  crossScope?: boolean;
}
