/**
 * The one renderer of rule documentation, from the rule metadata only: the rules page
 * (docs/rules.md), the README's rule table (both by `npm run docs`), and the language server's
 * hover / "Show documentation" / status text (`ruleHoverMarkdown`, called by src/server/ruleDocs.ts).
 */
import type { Finding, RuleMeta, Target } from './types';

const AVAILABILITY: Record<RuleMeta['fixAvailability'], string> = {
  always: 'always',
  sometimes: 'sometimes',
  never: 'none',
};

/** A fenced code block long enough not to be closed by backticks in `code`; trailing blanks dropped. */
function fence(code: string, lang = 'python'): string {
  let ticks = '```';
  while (code.includes(ticks)) ticks += '`';
  return `${ticks}${lang}\n${code.replace(/\s+$/, '')}\n${ticks}`;
}

/** Markdown for one rule (a section of docs/rules.md; also the long hover). */
export function ruleMarkdown(r: RuleMeta, headingLevel = 2): string {
  const h = '#'.repeat(headingLevel);
  return [
    `${h} ${r.code} ${r.name}`,
    '',
    r.summary,
    '',
    `**Why.** ${r.docs.why}`,
    '',
    '**Before (AnyIO 2)**',
    '',
    fence(r.docs.before),
    '',
    '**After (AnyIO 3)**',
    '',
    fence(r.docs.after),
    '',
    `**Fix.** ${r.fixAvailability === 'never' ? 'No automatic fix.' : `${r.fixTitle} (${AVAILABILITY[r.fixAvailability]}).`} ${r.fixSafety}`,
    '',
    ...(r.compatFixAvailability
      ? [`**With \`target = "anyio2+3"\`** the fix is the cross-version form where one exists (availability: ${AVAILABILITY[r.compatFixAvailability]}).`, '']
      : []),
    `**Severity:** ${r.defaultSeverity}${r.deprecated ? ' (deprecated usage: still works on AnyIO 3)' : ''}. **Delta rows:** ${r.rows.join(', ')}.`,
    '',
  ].join('\n');
}

/** The README's table of rules. */
export function rulesTable(rules: readonly RuleMeta[]): string {
  const rows = rules.map(
    (r) =>
      `| [${r.code}](docs/rules.md#${r.code.toLowerCase()}-${r.name}) | \`${r.name}\` | ${r.summary.replace(/\|/g, '\\|')} | ${AVAILABILITY[r.fixAvailability]} | ${r.defaultSeverity} |`,
  );
  return ['| Code | Name | What it finds | Fix | Severity |', '|---|---|---|---|---|', ...rows].join('\n');
}

export function rulesPage(rules: readonly RuleMeta[]): string {
  return [
    '# AnyIO Migrate rules',
    '',
    '<!-- Generated from the rule metadata by `npm run docs`. Do not edit by hand. -->',
    '',
    'Row numbers refer to the AnyIO 2 → 3 API delta table that the rules were built from.',
    '',
    rulesTable(rules).replace(/\(docs\/rules\.md#/g, '(#'),
    '',
    ...rules.map((r) => ruleMarkdown(r)),
  ].join('\n');
}

/** Escape text for inline markdown (messages may contain `*`, `_`, `<`). */
function escapeMd(text: string): string {
  return text.replace(/([\\`*_{}[\]<>#|])/g, '\\$1');
}

/**
 * Inline markdown from rule text that marks code with backticks (titles, summaries, reasons): the
 * code spans are kept as code, everything else is escaped. Escaping the backticks too would show
 * them raw (`\`await\``) instead of as code.
 */
export function inlineMd(text: string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(/(`+)([^`][\s\S]*?)\1(?!`)/g)) {
    out += escapeMd(text.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  return out + escapeMd(text.slice(last));
}

/** `code` as an inline code span, fenced with more backticks than it holds. */
export function codeSpan(code: string): string {
  const runs = code.match(/`+/g) ?? [];
  const ticks = '`'.repeat(Math.max(0, ...runs.map((r) => r.length)) + 1);
  const pad = code.startsWith('`') || code.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${code}${pad}${ticks}`;
}

function severityLine(meta: RuleMeta): string {
  if (meta.defaultSeverity === 'error') return 'Breaks in AnyIO 3 (raises at runtime)';
  if (meta.deprecated) return 'Deprecated in AnyIO 3 (still works, with a DeprecationWarning)';
  return 'Changed in AnyIO 3';
}

function occurrenceFix(finding: Finding, unsafeFixesEnabled: boolean): string {
  if (finding.fix) {
    const title = inlineMd(finding.fix.title);
    if (finding.fix.applicability === 'safe') return `**This occurrence:** safe automatic fix: ${title}. Included in fix-all and on-save.`;
    return `**This occurrence:** unsafe automatic fix: ${title}. Offered as a quick fix; ${
      unsafeFixesEnabled ? 'included in fix-all because `anyioMigrate.unsafeFixes` is on' : 'left out of fix-all unless `anyioMigrate.unsafeFixes` is on'
    }.`;
  }
  return `**This occurrence:** no automatic fix${finding.noFixReason ? `: ${inlineMd(finding.noFixReason)}` : '.'}`;
}

export interface HoverOptions {
  /** The finding hovered, for the line about its own fix. */
  finding?: Finding;
  unsafeFixesEnabled?: boolean;
  target?: Target;
}

/** Markdown about a rule for an editor (hover, "Show documentation", status tooltip), linking to `url`. */
export function ruleHoverMarkdown(meta: RuleMeta, url: string, options: HoverOptions = {}): string {
  const parts: string[] = [];
  parts.push(`**${meta.code}** \`${meta.name}\` — ${severityLine(meta)}`);
  // The finding's own message is not repeated: editors show the diagnostic next to the hover.
  parts.push(`**What changed in AnyIO 3:** ${inlineMd(meta.summary)}`);
  if (meta.docs.why) parts.push(`**Why:** ${meta.docs.why}`);
  if (meta.docs.before) parts.push(`**Before (AnyIO 2):**\n\n${fence(meta.docs.before)}`);
  if (meta.docs.after) {
    const label = options.target === 'anyio2+3' ? 'After (AnyIO 3; your target is AnyIO 2 and 3, see the docs for the cross-version form)' : 'After (AnyIO 3)';
    parts.push(`**${label}:**\n\n${fence(meta.docs.after)}`);
  }
  const availability =
    meta.fixAvailability === 'always' ? 'always has an automatic fix' : meta.fixAvailability === 'sometimes' ? 'sometimes has an automatic fix' : 'has no automatic fix';
  parts.push(`**Fix:** ${inlineMd(meta.fixTitle)} — this rule ${availability}. **Safety:** ${meta.fixSafety}`);
  if (options.finding) parts.push(occurrenceFix(options.finding, options.unsafeFixesEnabled ?? false));
  parts.push(`[Documentation for ${meta.code}](${url})`);
  return parts.join('\n\n');
}

/** This occurrence's rewrite: the text of the finding's range before and after its fix, one line each. */
export interface Rewrite {
  before: string;
  after: string;
  /** Edits of the fix outside the finding's range (another line, a definition), not shown. */
  elsewhere: number;
  /** Imports the fix adds. */
  imports: number;
}

const REWRITE_MAX = 60;

/** One line of code for a hover: blank runs folded to one space, cut in the middle when long. */
function oneLine(code: string, max = REWRITE_MAX): string {
  const flat = code.replace(/\s*(\r\n|\r|\n)\s*/g, ' ').trim();
  if (flat.length <= max) return flat;
  const head = Math.ceil((max - 1) * 0.6);
  return `${flat.slice(0, head)}…${flat.slice(flat.length - (max - 1 - head))}`;
}

/**
 * The rewrite of `finding` by its fix, from the fix's edits on `text` (the text analysed): the span
 * is the finding's range widened to the edits that touch it; the other edits are only counted.
 * Undefined without a fix or when no edit touches the range.
 */
export function occurrenceRewrite(text: string, finding: Finding): Rewrite | undefined {
  const fix = finding.fix;
  if (!fix) return undefined;
  const touching = fix.edits.filter((e) => e.start <= finding.end && e.end >= finding.start);
  if (touching.length === 0 || touching.some((e) => e.end > text.length)) return undefined;
  const start = Math.min(finding.start, ...touching.map((e) => e.start));
  const end = Math.max(finding.end, ...touching.map((e) => e.end));
  let after = '';
  let at = start;
  for (const e of [...touching].sort((a, b) => a.start - b.start)) {
    if (e.start < at) return undefined; // overlapping edits: not a plain rewrite
    after += text.slice(at, e.start) + e.text;
    at = e.end;
  }
  after += text.slice(at, end);
  return { before: oneLine(text.slice(start, end)), after: oneLine(after), elsewhere: fix.edits.length - touching.length, imports: fix.imports?.length ?? 0 };
}

/** The first `n` sentences of `text`. */
function sentences(text: string, n: number): string {
  const parts = text.split(/(?<=[.!?])\s+(?=[A-Z`(])/);
  return parts.slice(0, n).join(' ');
}

export interface FindingHoverOptions {
  finding: Finding;
  /** This occurrence's rewrite (`occurrenceRewrite`), when the text is at hand. */
  rewrite?: Rewrite | undefined;
  unsafeFixesEnabled?: boolean;
  /** The proof that the receiver is AnyIO (`anyio-migrate explain`), already markdown. */
  proof?: string;
  /** Where the rule's documentation opens inside the editor (offline), and on the web. */
  docs: string;
  web: string;
}

/**
 * The hover over one finding, short enough not to scroll: this occurrence's rewrite first, then
 * what changed and why in one or two sentences, the proof when there is one, and the links. The
 * long form (before/after examples, safety) is the rule's documentation behind the first link.
 */
export function findingHoverMarkdown(meta: RuleMeta, o: FindingHoverOptions): string {
  const f = o.finding;
  const parts: string[] = [`**${meta.code}** ${codeSpan(meta.name)} · ${severityLine(meta)}`];
  if (f.fix) {
    const kind = f.fix.applicability === 'safe' ? 'safe automatic fix' : 'unsafe automatic fix';
    const r = o.rewrite;
    const extra = r
      ? [
          r.imports > 0 ? `adds ${r.imports === 1 ? 'an import' : `${r.imports} imports`}` : '',
          r.elsewhere > 0 ? `${r.elsewhere} more edit${r.elsewhere === 1 ? '' : 's'} elsewhere` : '',
        ].filter(Boolean)
      : [];
    const what = r
      ? `${r.before ? codeSpan(r.before) : '(nothing)'} → ${r.after ? codeSpan(r.after) : '(removed)'}${extra.length ? ` (${extra.join(', ')})` : ''}`
      : inlineMd(f.fix.title);
    let line = `**This occurrence:** ${kind}: ${what}`;
    if (f.fix.applicability === 'unsafe') {
      line += o.unsafeFixesEnabled
        ? ' — a quick fix; included in fix-all because `anyioMigrate.unsafeFixes` is on.'
        : ' — a quick fix; left out of fix-all unless `anyioMigrate.unsafeFixes` is on.';
    }
    parts.push(line);
  } else {
    parts.push(`**This occurrence:** no automatic fix${f.noFixReason ? `: ${inlineMd(f.noFixReason)}` : '.'}`);
  }
  const summary = inlineMd(meta.summary).replace(/([^.!?])$/, '$1.');
  parts.push(`**What changed in AnyIO 3:** ${summary}${meta.docs.why ? ` ${sentences(meta.docs.why, 2)}` : ''}`);
  if (o.proof) parts.push(o.proof);
  parts.push(`[Documentation for ${meta.code}](${o.docs}) · [on the web](${o.web})`);
  return parts.join('\n\n');
}
