/**
 * The engine: analyse a Python text for AnyIO 2 usages (run the rules, drop suppressed findings),
 * and the one fix loop that everything (quick fix, fix-all, on-save, workspace migration, CLI) goes
 * through — the loop itself, its rounds and its phases are ./fix-loop; here it is given the rules.
 *
 * The engine knows no rule: `createEngine(families)` builds one from a registry of rule families
 * (the contract is ./rule-api). The default registry is wired outside core (src/engine.ts), so
 * core never imports src/rules. What does not depend on the rules (parsing, suppressions, applying
 * one fix) is exported here as plain functions.
 */
import { initParser, InputRefused, parse, type ParserInitOptions, type Tree } from './parser';
export { InputRefused } from './parser';
import { buildIndex, type FileIndex } from './scopes';
import { Resolver } from './resolve';
import { lineStarts, positionAt } from './text';
import { prefiltersEnabled } from './prefilters';
import type { AnalyzeOptions, Finding, Fix, FixOptions, FixResult, RuleMeta, RuleSelection } from './types';
import { applyFix, fixAllWith } from './fix-loop';
export { applyFix, countParseErrorsIn } from './fix-loop';
import type { Report, RuleContext, RuleFamily } from './rule-api';
import { suppressionsIn } from './suppression';

export const DOCS_BASE = 'https://github.com/anyio-migrate/anyio-migrate/blob/main/docs/rules.md';

export function initEngine(options: ParserInitOptions = {}): Promise<void> {
  return initParser(options);
}

export { suppressionComment } from './suppression';

export function isRuleEnabled(code: string, sel: RuleSelection): boolean {
  const matches = (s: string) => s === 'ALL' || code.startsWith(s);
  if (sel.select && sel.select.length && !sel.select.some(matches)) return false;
  if (sel.ignore && sel.ignore.some(matches)) return false;
  return true;
}

// ---------------------------------------------------------------------------------- analysis

/**
 * Suppression comments of a file, by line: `# noqa`, `# noqa: ASY101`, `# anyio-migrate: ignore`,
 * `# anyio-migrate: ignore[ASY101]`. `null` means every code. Only real comments count (not `#`
 * inside strings). Built once per analysis: O(comments), not O(findings × line length).
 */
function suppressionsByLine(idx: FileIndex, starts: readonly number[]): Map<number, Set<string> | null> {
  const out = new Map<number, Set<string> | null>();
  for (const s of suppressionsIn(idx.text)) {
    const node = idx.tree.rootNode.descendantForIndex(s.offset, s.offset + 1);
    if (node?.type !== 'comment') continue;
    const line = positionAt(starts, s.offset).line;
    if (!s.codes) out.set(line, null);
    else if (out.get(line) !== null) {
      const set = out.get(line) ?? new Set<string>();
      for (const c of s.codes) set.add(c);
      out.set(line, set);
    }
  }
  return out;
}

/** Whether the finding's first or last line carries a suppression for its code. */
function isSuppressed(byLine: Map<number, Set<string> | null>, starts: readonly number[], f: Finding): boolean {
  for (const line of new Set([positionAt(starts, f.start).line, positionAt(starts, f.end).line])) {
    if (!byLine.has(line)) continue;
    const codes = byLine.get(line);
    if (codes === null) return true;
    for (const c of codes!) if (f.code.startsWith(c)) return true;
  }
  return false;
}

/**
 * Whether `text` can have findings at all. Every rule needs a name that resolves to anyio (or the
 * `anyio_backend` fixture), or an object a module of the project hands over (a helper returning a
 * task group, a caller passing an event): a file the project index did not summarise as
 * AnyIO-related and that never writes `anyio` is not even indexed.
 */
export function mayHaveFindings(text: string, options: AnalyzeOptions): boolean {
  if (!prefiltersEnabled() || text.includes('anyio')) return true;
  const p = options.project;
  // A module the index summarised is AnyIO-related (it imports a module carrying AnyIO objects,
  // or one of those imports it): what it is handed may be proven AnyIO.
  return !!p && p.index.get(p.module) !== undefined;
}

function runRules(families: readonly RuleFamily[], text: string, tree: Tree, options: AnalyzeOptions, skipBlocks?: ReadonlySet<number>): { findings: Finding[]; idx?: FileIndex } {
  if (!mayHaveFindings(text, options)) return { findings: [] };
  const idx = buildIndex(tree, text, skipBlocks);
  const p = options.project;
  // A module the index holds is AnyIO-related (it uses AnyIO objects through a project helper, or
  // is handed them by a module that does): an unproven receiver there is unknown, never silence.
  if (p && !idx.importsAnyio && p.index.get(p.module) !== undefined) idx.importsAnyio = true;
  const res = new Resolver(idx, p ? p.index.hookFor(p.module, p.isPackage) : undefined);
  const target = options.target ?? 'anyio3';
  const findings: Finding[] = [];
  const ctx: RuleContext = {
    text,
    idx,
    res,
    target,
    report(meta: RuleMeta, r: Report) {
      if (!isRuleEnabled(meta.code, options)) return;
      const start = r.start ?? r.node?.startIndex ?? 0;
      const end = r.end ?? r.node?.endIndex ?? start;
      const finding: Finding = {
        code: meta.code,
        rule: meta.name,
        message: r.message,
        start,
        end,
        severity: r.severity ?? meta.defaultSeverity,
        deprecated: r.deprecated ?? meta.deprecated,
      };
      if (r.token && finding.deprecated) finding.token = r.token;
      if (r.fix) finding.fix = r.fix;
      else finding.noFixReason = r.noFixReason ?? 'No automatic fix for this usage.';
      findings.push(finding);
    },
  };
  try {
    for (const family of families) {
      if (family.rules.some((r) => isRuleEnabled(r.code, options))) family.check(ctx);
    }
  } finally {
    res.dispose();
  }
  let kept = findings;
  if (findings.length) {
    const starts = lineStarts(text);
    const byLine = suppressionsByLine(idx, starts);
    if (byLine.size) kept = findings.filter((f) => !isSuppressed(byLine, starts, f));
  }
  kept.sort((a, b) => a.start - b.start || a.end - b.end || a.code.localeCompare(b.code));
  return { findings: kept, idx };
}

function analyzeWith(families: readonly RuleFamily[], text: string, options: AnalyzeOptions): Finding[] {
  if (!mayHaveFindings(text, options)) return [];
  const tree = parse(text);
  try {
    return runRules(families, text, tree, options).findings;
  } finally {
    tree.delete();
  }
}

// ---------------------------------------------------------------------------------- the engine

/** Findings, or why the text is not analysed: what `Engine.analyzeOutcome` returns. */
export type AnalyzeOutcome = { findings: Finding[]; refused?: undefined } | { findings?: undefined; refused: string };

/**
 * An engine built from a registry of rule families: everything whose answer depends on which rules
 * exist. Its functions are plain closures (no `this`), so they can be destructured and passed on.
 */
export interface Engine {
  /** Every rule's metadata, sorted by code. */
  readonly RULES: readonly RuleMeta[];
  ruleByCode(code: string): RuleMeta | undefined;
  /** Link to the rule's section of docs/rules.md (GitHub's heading anchor); the page for an unknown code. */
  docsUrl(code: string): string;
  /** `ASY`, `ASY1`, `ASY101`: a prefix of at least one rule code (or `ALL`). */
  isValidCodeSelector(sel: string): boolean;
  /** Findings for `text`. Requires `await initEngine()` once beforehand. */
  analyze(text: string, options?: AnalyzeOptions): Finding[];
  /**
   * Findings for `text`, or why the text is not analysed (nested deeper than CPython allows, or the
   * parser failed on it): `analyze` without the exception, for callers that report refused input as
   * such rather than as an error.
   */
  analyzeOutcome(text: string, options?: AnalyzeOptions): AnalyzeOutcome;
  /** Findings for `text` with a tree the caller parsed (e.g. incrementally). The tree is not freed. */
  analyzeTree(text: string, tree: Tree, options?: AnalyzeOptions, skipBlocks?: ReadonlySet<number>): Finding[];
  /** The one fix loop. Never throws for refused input: the result then carries `refused`. */
  fixAll(input: string, options?: FixOptions): FixResult;
  /** Apply one fix (a quick fix): the same as the plain `applyFix`, which needs no rules. */
  applyFix(text: string, fix: Fix): { output: string } | { refused: string };
}

/**
 * The engine for `families`, checked in the order given (the registry's order). Rule codes must be
 * unique across the families. The list is copied: changing the caller's array later changes nothing.
 */
export function createEngine(registry: readonly RuleFamily[]): Engine {
  const families: readonly RuleFamily[] = Object.freeze([...registry]);
  const rules: readonly RuleMeta[] = Object.freeze(families.flatMap((f) => f.rules).sort((a, b) => a.code.localeCompare(b.code)));
  const byCode = new Map<string, RuleMeta>();
  for (const r of rules) {
    if (byCode.has(r.code)) throw new Error(`createEngine: rule code ${r.code} is registered twice`);
    byCode.set(r.code, r);
  }
  const analyze = (text: string, options: AnalyzeOptions = {}): Finding[] => analyzeWith(families, text, options);
  return Object.freeze({
    RULES: rules,
    ruleByCode: (code: string) => byCode.get(code),
    docsUrl(code: string): string {
      const rule = byCode.get(code);
      return rule ? `${DOCS_BASE}#${code.toLowerCase()}-${rule.name}` : DOCS_BASE;
    },
    isValidCodeSelector: (sel: string) => sel === 'ALL' || rules.some((r) => r.code.startsWith(sel)),
    analyze,
    analyzeOutcome(text: string, options: AnalyzeOptions = {}): AnalyzeOutcome {
      try {
        return { findings: analyze(text, options) };
      } catch (err) {
        if (err instanceof InputRefused) return { refused: err.message };
        throw err;
      }
    },
    analyzeTree: (text: string, tree: Tree, options: AnalyzeOptions = {}, skipBlocks?: ReadonlySet<number>) => runRules(families, text, tree, options, skipBlocks).findings,
    fixAll: (input: string, options: FixOptions = {}) => fixAllWith((text, tree, opts) => runRules(families, text, tree, opts), input, options),
    applyFix,
  });
}
