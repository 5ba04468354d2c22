/**
 * The engine: analyse a Python text for AnyIO 2 usages, and the one fix loop that everything
 * (quick fix, fix-all, on-save, workspace migration, CLI) goes through.
 *
 * A fix round: pick the fixes to apply, sorted by their own range, skipping any that overlaps one
 * already picked; apply their edits; then add the imports they asked for (each once) and remove
 * `from anyio import` names that the round left unused. Rounds repeat (re-parse, re-analyse) until
 * nothing is left to fix or the cap is reached. A round that would add parse errors is refused and
 * the text is left exactly as it was.
 */
import { countParseErrors, initParser, parse, ParserInitOptions, Tree } from './parser';
import { buildIndex, FileIndex } from './scopes';
import { Resolver } from './resolve';
import { anyioFromImportNames, importEdits, usageCount } from './imports';
import { applyEdits, lineAt } from './text';
import type { AnalyzeOptions, Finding, Fix, FixOptions, FixResult, RuleMeta, RuleSelection } from './types';
import { RULE_FAMILIES } from '../rules/registry';
import type { Report, RuleContext } from '../rules/context';

export const RULES: readonly RuleMeta[] = RULE_FAMILIES.flatMap((f) => f.rules).sort((a, b) => a.code.localeCompare(b.code));
const RULE_BY_CODE = new Map(RULES.map((r) => [r.code, r] as const));

export const DOCS_BASE = 'https://github.com/anyio-migrate/anyio-migrate/blob/main/docs/rules.md';

export function initEngine(options: ParserInitOptions = {}): Promise<void> {
  return initParser(options);
}

export function ruleByCode(code: string): RuleMeta | undefined {
  return RULE_BY_CODE.get(code);
}

/** Link to the rule's section of docs/rules.md (GitHub's heading anchor). */
export function docsUrl(code: string): string {
  const rule = RULE_BY_CODE.get(code);
  return rule ? `${DOCS_BASE}#${code.toLowerCase()}-${rule.name}` : DOCS_BASE;
}

/** The comment that silences `code` on a line. */
export function suppressionComment(code: string): string {
  return `# noqa: ${code}`;
}

/** `ASY`, `ASY1`, `ASY101`: a prefix of at least one rule code. */
export function isValidCodeSelector(sel: string): boolean {
  return sel === 'ALL' || RULES.some((r) => r.code.startsWith(sel));
}

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

const NOQA = /#\s*noqa(?::\s*([A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?/gi;
const IGNORE = /#\s*anyio-migrate:\s*ignore(?:\[([A-Z0-9,\s]+)\])?/gi;

/** `# noqa`, `# noqa: ASY101`, `# anyio-migrate: ignore`, `# anyio-migrate: ignore[ASY101]` on the finding's first or last line. */
function isSuppressed(idx: FileIndex, f: Finding): boolean {
  const lines = new Set([lineAt(idx.text, f.start).start, lineAt(idx.text, f.end).start]);
  for (const ls of lines) {
    const line = lineAt(idx.text, ls);
    const hash = line.text.indexOf('#');
    if (hash === -1 || !/noqa|anyio-migrate/i.test(line.text)) continue;
    for (let h = hash; h !== -1; h = line.text.indexOf('#', h + 1)) {
      const node = idx.tree.rootNode.descendantForIndex(line.start + h, line.start + h + 1);
      if (node?.type !== 'comment') continue;
      const comment = line.text.slice(h);
      for (const re of [NOQA, IGNORE]) {
        re.lastIndex = 0;
        for (let m = re.exec(comment); m; m = re.exec(comment)) {
          if (!m[1]) return true;
          if (m[1].split(/[\s,]+/).some((c) => c && f.code.startsWith(c.toUpperCase()))) return true;
        }
      }
      break;
    }
  }
  return false;
}

function runRules(text: string, tree: Tree, options: AnalyzeOptions): { findings: Finding[]; idx?: FileIndex } {
  // Every rule needs a name that resolves to anyio (or the `anyio_backend` fixture): a file without
  // the word cannot have findings, and is not indexed at all.
  if (!text.includes('anyio')) return { findings: [] };
  const idx = buildIndex(tree, text);
  const res = new Resolver(idx);
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
    for (const family of RULE_FAMILIES) {
      if (family.rules.some((r) => isRuleEnabled(r.code, options))) family.check(ctx);
    }
  } finally {
    res.dispose();
  }
  const kept = findings.filter((f) => !isSuppressed(idx, f));
  kept.sort((a, b) => a.start - b.start || a.end - b.end || a.code.localeCompare(b.code));
  return { findings: kept, idx };
}

/** Findings for `text`. Requires `await initEngine()` once beforehand. */
export function analyze(text: string, options: AnalyzeOptions = {}): Finding[] {
  if (!text.includes('anyio')) return [];
  const tree = parse(text);
  try {
    return runRules(text, tree, options).findings;
  } finally {
    tree.delete();
  }
}

/** Findings for `text` with a tree the caller parsed (e.g. incrementally). The tree is not freed. */
export function analyzeTree(text: string, tree: Tree, options: AnalyzeOptions = {}): Finding[] {
  return runRules(text, tree, options).findings;
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

function overlaps(a: [number, number], b: [number, number]): boolean {
  return (a[0] < b[1] && b[0] < a[1]) || a[0] === b[0];
}

/** One round: apply non-overlapping fixes, then the import bookkeeping. Returns the applied fixes. */
function applyRound(text: string, idx: FileIndex, candidates: Array<{ code: string; fix: Fix }>): { text: string; applied: Array<{ code: string; fix: Fix }> } {
  const sorted = candidates
    .filter((c) => c.fix.edits.length > 0)
    .map((c) => ({ ...c, range: fixRange(c.fix) }))
    .sort((a, b) => a.range[0] - b.range[0] || a.range[1] - b.range[1]);
  const accepted: typeof sorted = [];
  for (const c of sorted) if (!accepted.some((a) => overlaps(a.range, c.range))) accepted.push(c);
  if (accepted.length === 0) return { text, applied: [] };

  const text1 = applyEdits(text, accepted.flatMap((c) => c.fix.edits));
  const tree1 = parse(text1);
  try {
    const idx1 = buildIndex(tree1, text1);
    const removals = new Set<string>();
    for (const name of anyioFromImportNames(idx)) {
      if (usageCount(idx, name) > 0 && usageCount(idx1, name) === 0) removals.add(name);
    }
    const imports = accepted.flatMap((c) => c.fix.imports ?? []);
    const text2 = applyEdits(text1, importEdits(idx1, imports, removals));
    return { text: text2, applied: accepted };
  } finally {
    tree1.delete();
  }
}

/** Apply one fix (a quick fix) through the same machinery as `fixAll`, with the same parse check. */
export function applyFix(text: string, fix: Fix): { output: string } | { refused: string } {
  const tree = parse(text);
  try {
    const idx = buildIndex(tree, text);
    const before = countParseErrors(tree);
    const { text: out } = applyRound(text, idx, [{ code: '', fix }]);
    const after = countParseErrorsIn(out);
    if (after > before) return { refused: `the fix "${fix.title}" would introduce a syntax error; nothing was changed` };
    return { output: out };
  } finally {
    tree.delete();
  }
}

export function fixAll(input: string, options: FixOptions = {}): FixResult {
  const maxIterations = options.maxIterations ?? 10;
  const applied: FixResult['applied'] = [];
  let text = input;
  let tree = parse(text);
  const baseErrors = countParseErrors(tree);
  let capped = true;
  try {
    for (let round = 0; round < maxIterations; round++) {
      const { findings, idx } = runRules(text, tree, options);
      const candidates = findings
        .filter((f) => f.fix && (f.fix.applicability === 'safe' || options.unsafeFixes))
        .map((f) => ({ code: f.code, fix: f.fix! }));
      if (!idx || candidates.length === 0) {
        capped = false;
        break;
      }
      const r = applyRound(text, idx, candidates);
      if (r.applied.length === 0 || r.text === text) {
        capped = false;
        break;
      }
      const next = parse(r.text);
      if (countParseErrors(next) > baseErrors) {
        next.delete();
        const codes = [...new Set(r.applied.map((a) => a.code))].join(', ');
        return {
          output: input,
          applied: [],
          remaining: analyze(input, options),
          refused: `fixing ${codes} would introduce a syntax error; the file was left unchanged`,
          capped: false,
        };
      }
      tree.delete();
      tree = next;
      text = r.text;
      for (const a of r.applied) applied.push({ code: a.code, title: a.fix.title, applicability: a.fix.applicability });
    }
    const remaining = runRules(text, tree, options).findings;
    // Capped only if the last round still left something it would have fixed.
    if (capped) capped = remaining.some((f) => f.fix && (f.fix.applicability === 'safe' || options.unsafeFixes));
    return { output: text, applied, remaining, capped };
  } finally {
    tree.delete();
  }
}
