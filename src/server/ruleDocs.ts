/**
 * Rule documentation for the language server: the core renderer (src/core/docs.ts) with the link
 * to the rule's section of the docs. The hover, the "Show documentation" view and the
 * language-status tooltip all use it.
 */
import { docsUrl } from '../engine';
import { ruleHoverMarkdown, type HoverOptions } from '../core/docs';
import type { RuleMeta } from '../core/types';

export type RuleMarkdownOptions = HoverOptions;

export function ruleMarkdown(meta: RuleMeta, options: RuleMarkdownOptions = {}): string {
  return ruleHoverMarkdown(meta, docsUrl(meta.code), options);
}
