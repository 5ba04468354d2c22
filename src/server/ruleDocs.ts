/**
 * Rule documentation for the language server: the core renderer (src/core/docs.ts) with the links
 * to the rule's documentation. The "Show documentation" view and the language-status tooltip use
 * the long form (`ruleMarkdown`); the hover uses the short one (`findingHover`), whose first link
 * opens that view inside the editor (rendered from the rule metadata in the server: works offline)
 * and whose second is the web page.
 */
import { docsUrl } from '../engine';
import { findingHoverMarkdown, ruleHoverMarkdown, type FindingHoverOptions, type HoverOptions } from '../core/docs';
import type { RuleMeta } from '../core/types';
import { Commands } from '../shared/protocol';

export type RuleMarkdownOptions = HoverOptions;

export function ruleMarkdown(meta: RuleMeta, options: RuleMarkdownOptions = {}): string {
  return ruleHoverMarkdown(meta, docsUrl(meta.code), options);
}

/** A `command:` link that opens the rule's documentation in the editor (the client trusts only this command). */
export function docsCommandLink(code: string): string {
  return `command:${Commands.showRuleDocumentation}?${encodeURIComponent(JSON.stringify([code]))}`;
}

export function findingHover(meta: RuleMeta, options: Omit<FindingHoverOptions, 'docs' | 'web'>): string {
  return findingHoverMarkdown(meta, { ...options, docs: docsCommandLink(meta.code), web: docsUrl(meta.code) });
}
