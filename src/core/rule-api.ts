/**
 * The contract between the engine and its rules: what a rule family is given (`RuleContext`) and
 * what it hands back (`Report`), a rule as metadata plus a check (`Rule`, `family()`), and the
 * rendering of the messages and fix titles kept in the metadata (`message()`, `fixTitle()`).
 * Rules import these from core; core never imports a rule: the engine is built from a registry of
 * families passed in (`createEngine` in ./engine).
 */
import type { Node } from './parser';
import type { FileIndex } from './scopes';
import type { Resolver } from './resolve';
import type { Fix, RuleMeta, Severity, Target, Template } from './types';

export interface Report {
  node?: Node;
  start?: number;
  end?: number;
  message: string;
  fix?: Fix;
  noFixReason?: string;
  severity?: Severity;
  deprecated?: boolean;
  /** The deprecated token inside the reported range (`Finding.token`). */
  token?: { start: number; end: number } | undefined;
}

export interface RuleContext {
  readonly text: string;
  readonly idx: FileIndex;
  readonly res: Resolver;
  readonly target: Target;
  report(meta: RuleMeta, r: Report): void;
}

/** A family of rules checked by one pass (e.g. every `await <call>` the family cares about). */
export interface RuleFamily {
  readonly rules: readonly RuleMeta[];
  check(ctx: RuleContext): void;
}

/** One rule: its metadata (docs, messages, fix titles) and its own check. */
export interface Rule {
  readonly meta: RuleMeta;
  check(ctx: RuleContext): void;
}

/** The family of `rules` (one code prefix): each rule's check runs in turn, in order. */
export function family(rules: readonly Rule[]): RuleFamily {
  return {
    rules: rules.map((r) => r.meta),
    check(ctx) {
      for (const r of rules) r.check(ctx);
    },
  };
}

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** `template` with each `{name}` replaced by `params[name]` (in one pass: values are not re-read). */
export function render(template: Template, params: Readonly<Record<string, string>> = {}): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`template placeholder {${name}} has no value: ${template}`);
    return v;
  });
}

/** The names of a template's placeholders, in order. */
export function placeholders(template: Template): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** The rule's message `key`, rendered. Throws when the metadata has no such message. */
export function message(meta: RuleMeta, key: string, params?: Readonly<Record<string, string>>): string {
  const t = meta.messages[key];
  if (t === undefined) throw new Error(`${meta.code} has no message "${key}"`);
  return render(t, params);
}

/** The rule's fix title `key` for `target`, rendered. Throws when the metadata has no such title. */
export function fixTitle(meta: RuleMeta, target: Target, key: string, params?: Readonly<Record<string, string>>): string {
  const t = meta.fixTitles[target]?.[key];
  if (t === undefined) throw new Error(`${meta.code} has no ${target} fix title "${key}"`);
  return render(t, params);
}
