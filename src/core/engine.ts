/**
 * The engine: analyse a Python text for AnyIO 2 usages, and the one fix loop that everything
 * (quick fix, fix-all, on-save, workspace migration, CLI) goes through.
 *
 * A fix round: pick the fixes to apply, sorted by their own range, skipping any that overlaps one
 * already picked; apply their edits; then add the imports they asked for (each once) and remove
 * `from anyio import` names that the round left unused. Rounds repeat (re-parse, re-analyse) until
 * nothing is left to fix or the cap is reached. A round that would add parse errors is refused and
 * the text is left exactly as it was. The result names each applied fix once (code, round, range,
 * edits) with the changes of the input it made (./fix-trace), so callers need no diffing.
 *
 * The engine knows no rule: `createEngine(families)` builds one from a registry of rule families
 * (the contract is ./rule-api). The default registry is wired outside core (src/engine.ts), so
 * core never imports src/rules. What does not depend on the rules (parsing, suppressions, applying
 * one fix) is exported here as plain functions.
 */
import { countParseErrors, initParser, InputRefused, parse, ParserInitOptions, Tree } from './parser';
export { InputRefused } from './parser';
import { buildIndex, FileIndex } from './scopes';
import { Resolver } from './resolve';
import { anyioFromImportNames, importEdits, usageCount } from './imports';
import { applyEdits, lineStarts, positionAt } from './text';
import { prefiltersEnabled } from './prefilters';
import type { AnalyzeOptions, Edit, Finding, Fix, FixOptions, FixResult, RuleMeta, RuleSelection } from './types';
import { FixLog } from './fix-trace';
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

export function countParseErrorsIn(text: string): number {
  const tree = parse(text);
  try {
    return countParseErrors(tree);
  } finally {
    tree.delete();
  }
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


// ---------------------------------------------------------------------------------- fixing

function fixRange(fix: Fix): [number, number] {
  let s = Infinity;
  let e = -Infinity;
  for (const ed of fix.edits) {
    s = Math.min(s, ed.start);
    e = Math.max(e, ed.end);
  }
  return [s, e];
}


/** A finding's fix offered to a round, with the finding's range. */
type Candidate = { code: string; fix: Fix; start: number; end: number };

/**
 * One round: apply non-overlapping fixes, then the import bookkeeping. Returns the applied fixes, the
 * text after their own edits (`fixed`), the import edits made on it, and the parsed tree of the result
 * when the import step changed nothing (saves a parse). Throws InputRefused when it cannot be parsed.
 */
function applyRound<C extends { fix: Fix }>(
  text: string,
  idx: FileIndex,
  candidates: C[],
): { text: string; applied: C[]; fixed: string; importEdits: Edit[]; tree?: Tree } {
  const sorted = candidates
    .filter((c) => c.fix.edits.length > 0)
    .map((c) => ({ ...c, range: fixRange(c.fix) }))
    .sort((a, b) => a.range[0] - b.range[0] || a.range[1] - b.range[1]);
  // Sorted by start: a fix overlaps an accepted one iff it starts before the furthest accepted end,
  // or at the same place as the last accepted one (two insertions at one point).
  const accepted: typeof sorted = [];
  let maxEnd = -Infinity;
  let lastStart = -Infinity;
  for (const c of sorted) {
    if (c.range[0] < maxEnd || c.range[0] === lastStart) continue;
    accepted.push(c);
    maxEnd = Math.max(maxEnd, c.range[1]);
    lastStart = c.range[0];
  }
  if (accepted.length === 0) return { text, applied: [], fixed: text, importEdits: [] };

  const text1 = applyEdits(text, accepted.flatMap((c) => c.fix.edits));
  const tree1 = parse(text1);
  let keepTree = false;
  try {
    const idx1 = buildIndex(tree1, text1);
    const removals = new Set<string>();
    for (const name of anyioFromImportNames(idx)) {
      if (usageCount(idx, name) > 0 && usageCount(idx1, name) === 0) removals.add(name);
    }
    const imports = accepted.flatMap((c) => c.fix.imports ?? []);
    const edits = importEdits(idx1, imports, removals);
    if (edits.length === 0) {
      keepTree = true;
      return { text: text1, applied: accepted, fixed: text1, importEdits: [], tree: tree1 };
    }
    return { text: applyEdits(text1, edits), applied: accepted, fixed: text1, importEdits: edits };
  } finally {
    if (!keepTree) tree1.delete();
  }
}

/** Apply one fix (a quick fix) through the same machinery as `fixAll`, with the same parse check. */
export function applyFix(text: string, fix: Fix): { output: string } | { refused: string } {
  let tree: Tree;
  try {
    tree = parse(text);
  } catch (err) {
    if (err instanceof InputRefused) return { refused: err.message };
    throw err;
  }
  try {
    const idx = buildIndex(tree, text);
    const before = countParseErrors(tree);
    const r = applyRound(text, idx, [{ fix }]);
    r.tree?.delete();
    if (countParseErrorsIn(r.text) > before) return { refused: `the fix "${fix.title}" would introduce a syntax error; nothing was changed` };
    return { output: r.text };
  } catch (err) {
    if (err instanceof InputRefused) return { refused: `the fix "${fix.title}" would produce text the parser refuses (${err.message}); nothing was changed` };
    throw err;
  } finally {
    tree.delete();
  }
}

function fixAllWith(families: readonly RuleFamily[], input: string, options: FixOptions): FixResult {
  const maxIterations = options.maxIterations ?? 10;
  const log = new FixLog(input);
  const refuse = (why: string): FixResult => {
    let remaining: Finding[] = [];
    try {
      remaining = analyzeWith(families, input, options);
    } catch {
      remaining = [];
    }
    return { output: input, applied: [], changes: [], remaining, refused: why, capped: false };
  };
  let text = input;
  let tree: Tree;
  try {
    tree = parse(text);
  } catch (err) {
    if (err instanceof InputRefused) return { output: input, applied: [], changes: [], remaining: [], refused: err.message, capped: false };
    throw err;
  }
  const baseErrors = countParseErrors(tree);
  let capped = true;
  let findings: Finding[] | undefined;
  const eligible = (f: Finding) => !!f.fix && (f.fix.applicability === 'safe' || !!options.unsafeFixes);
  try {
    for (let round = 0; round < maxIterations; round++) {
      const analysed = runRules(families, text, tree, options);
      findings = analysed.findings;
      const candidates: Candidate[] = findings.filter(eligible).map((f) => ({ code: f.code, fix: f.fix!, start: f.start, end: f.end }));
      if (!analysed.idx || candidates.length === 0) {
        capped = false;
        break;
      }
      let r: ReturnType<typeof applyRound<Candidate>>;
      try {
        r = applyRound(text, analysed.idx, candidates);
      } catch (err) {
        if (!(err instanceof InputRefused)) throw err;
        return refuse(`fixing would produce text the parser refuses (${err.message}); the file was left unchanged`);
      }
      if (r.applied.length === 0 || r.text === text) {
        r.tree?.delete();
        capped = false;
        break;
      }
      let next: Tree;
      try {
        next = r.tree ?? parse(r.text);
      } catch (err) {
        if (!(err instanceof InputRefused)) throw err;
        return refuse(`fixing would produce text the parser refuses (${err.message}); the file was left unchanged`);
      }
      if (countParseErrors(next) > baseErrors) {
        next.delete();
        const codes = [...new Set(r.applied.map((a) => a.code))].join(', ');
        return refuse(`fixing ${codes} would introduce a syntax error; the file was left unchanged`);
      }
      tree.delete();
      tree = next;
      log.round(round, text, r.applied, r.fixed, r.importEdits);
      text = r.text;
      findings = undefined;
    }
    // The last round analysed the final text already, unless the loop stopped at the cap.
    const remaining = findings ?? runRules(families, text, tree, options).findings;
    // Capped only if the last round still left something it would have fixed.
    if (capped) capped = remaining.some(eligible);
    return { output: text, ...log.result(), remaining, capped };
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
    fixAll: (input: string, options: FixOptions = {}) => fixAllWith(families, input, options),
    applyFix,
  });
}
