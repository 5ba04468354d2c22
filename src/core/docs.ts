/**
 * Documentation generated from the rule metadata: the rules page (docs/rules.md), the README's rule
 * table, and the hover text of the language server all come from here.
 */
import type { RuleMeta } from './types';

const AVAILABILITY: Record<RuleMeta['fixAvailability'], string> = {
  always: 'always',
  sometimes: 'sometimes',
  never: 'none',
};

function fence(code: string): string {
  return '```python\n' + code + '\n```';
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
    ...(r.compatFixAvailability ? [`**With \`target = "anyio2+3"\`** the fix is the cross-version form where one exists (availability: ${AVAILABILITY[r.compatFixAvailability]}).`, ''] : []),
    `**Severity:** ${r.defaultSeverity}${r.deprecated ? ' (deprecated usage: still works on AnyIO 3)' : ''}. **Delta rows:** ${r.rows.join(', ')}.`,
    '',
  ].join('\n');
}

/** The README's table of rules. */
export function rulesTable(rules: readonly RuleMeta[]): string {
  const rows = rules.map((r) => `| [${r.code}](docs/rules.md#${r.code.toLowerCase()}-${r.name}) | \`${r.name}\` | ${r.summary.replace(/\|/g, '\\|')} | ${AVAILABILITY[r.fixAvailability]} | ${r.defaultSeverity} |`);
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
