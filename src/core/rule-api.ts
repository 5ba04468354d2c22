/**
 * The contract between the engine and its rules: what a rule family is given (`RuleContext`) and
 * what it hands back (`Report`). Rules import these from core; core never imports a rule: the
 * engine is built from a registry of families passed in (`createEngine` in ./engine).
 */
import type { Node } from './parser';
import type { FileIndex } from './scopes';
import type { Resolver } from './resolve';
import type { Fix, RuleMeta, Severity, Target } from './types';

export interface Report {
  node?: Node;
  start?: number;
  end?: number;
  message: string;
  fix?: Fix;
  noFixReason?: string;
  severity?: Severity;
  deprecated?: boolean;
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
