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

function severityLine(meta: RuleMeta): string {
  if (meta.defaultSeverity === 'error') return 'Breaks in AnyIO 3 (raises at runtime)';
  if (meta.deprecated) return 'Deprecated in AnyIO 3 (still works, with a DeprecationWarning)';
  return 'Changed in AnyIO 3';
}

function occurrenceFix(finding: Finding, unsafeFixesEnabled: boolean): string {
  if (finding.fix) {
    const title = escapeMd(finding.fix.title);
    if (finding.fix.applicability === 'safe') return `**This occurrence:** safe automatic fix: ${title}. Included in fix-all and on-save.`;
    return `**This occurrence:** unsafe automatic fix: ${title}. Offered as a quick fix; ${
      unsafeFixesEnabled ? 'included in fix-all because `anyioMigrate.unsafeFixes` is on' : 'left out of fix-all unless `anyioMigrate.unsafeFixes` is on'
    }.`;
  }
  return `**This occurrence:** no automatic fix${finding.noFixReason ? `: ${escapeMd(finding.noFixReason)}` : '.'}`;
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
  parts.push(`**What changed in AnyIO 3:** ${escapeMd(meta.summary)}`);
  if (meta.docs.why) parts.push(`**Why:** ${meta.docs.why}`);
  if (meta.docs.before) parts.push(`**Before (AnyIO 2):**\n\n${fence(meta.docs.before)}`);
  if (meta.docs.after) {
    const label = options.target === 'anyio2+3' ? 'After (AnyIO 3; your target is AnyIO 2 and 3, see the docs for the cross-version form)' : 'After (AnyIO 3)';
    parts.push(`**${label}:**\n\n${fence(meta.docs.after)}`);
  }
  const availability =
    meta.fixAvailability === 'always' ? 'always has an automatic fix' : meta.fixAvailability === 'sometimes' ? 'sometimes has an automatic fix' : 'has no automatic fix';
  parts.push(`**Fix:** ${escapeMd(meta.fixTitle)} — this rule ${availability}. **Safety:** ${meta.fixSafety}`);
  if (options.finding) parts.push(occurrenceFix(options.finding, options.unsafeFixesEnabled ?? false));
  parts.push(`[Documentation for ${meta.code}](${url})`);
  return parts.join('\n\n');
}
