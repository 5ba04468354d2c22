/**
 * Markdown about a rule, built only from its metadata (`RuleMeta`): the hover, the "Show
 * documentation" view and the language-status tooltip all use these functions.
 */
import { docsUrl } from '../engine';
import type { Finding, RuleMeta, Target } from '../core/types';

function fence(code: string, lang = 'python'): string {
  let ticks = '```';
  while (code.includes(ticks)) ticks += '`';
  return `${ticks}${lang}\n${code.replace(/\s+$/, '')}\n${ticks}`;
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

export interface RuleMarkdownOptions {
  finding?: Finding;
  unsafeFixesEnabled?: boolean;
  target?: Target;
}

export function ruleMarkdown(meta: RuleMeta, options: RuleMarkdownOptions = {}): string {
  const url = docsUrl(meta.code);
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
