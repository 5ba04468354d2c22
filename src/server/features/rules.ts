/**
 * The rule catalogue requests of the extension: `anyioMigrate/rules` (every rule's code, name,
 * summary and docs URL) and `anyioMigrate/ruleDocs` (one rule's documentation as Markdown).
 */
import { docsUrl, ruleByCode, RULES } from '../../engine';
import type { RuleDocsParams, RuleDocsResult, RuleInfo } from '../../shared/protocol';
import { ruleMarkdown } from '../ruleDocs';

export function rules(): RuleInfo[] {
  return RULES.map((r) => ({ code: r.code, name: r.name, summary: r.summary, docsUrl: docsUrl(r.code) }));
}

export function ruleDocs(p: RuleDocsParams): RuleDocsResult | null {
  const meta = ruleByCode(p.code);
  return meta ? { code: meta.code, markdown: ruleMarkdown(meta), url: docsUrl(meta.code) } : null;
}
