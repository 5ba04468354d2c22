/**
 * What a rule sees and how it reports: the context (text, file index, resolver, target, `report`)
 * and the rule contract from core, re-exported for the rules; the reporter for look-alike
 * receivers; and per-analysis memoisation for what several rules of a family compute once.
 * The shared helpers live in ./helpers/ (syntax, references, edits, reindent, cross-version,
 * with-statements).
 */
import type { RuleContext } from '../core/rule-api';
import { prefiltersEnabled } from '../core/prefilters';
// The rule-facing contract lives in core (the engine's side); re-exported for the rules.
export type { Report, Rule, RuleContext, RuleFamily } from '../core/rule-api';
export { family, fixTitle, message } from '../core/rule-api';

/**
 * `ctx.report` for a site whose receiver is unproven while a class of the project has its own
 * method of that name: the finding is reported (never dropped) but without a fix, since even an
 * unsafe one would break every call of the project's own method under `--unsafe-fixes`.
 */
export function lookalikeReporter(ctx: RuleContext, recv: string, method: string): RuleContext['report'] {
  return (meta, r) => {
    const { fix: _fix, noFixReason: _why, ...rest } = r;
    ctx.report(meta, {
      ...rest,
      noFixReason: `A class of this project has its own \`${method}\` method and the type of \`${recv}\` could not be proven. If it is AnyIO's, annotate it with its AnyIO type to get the fix; if it is the project's own, leave it (or suppress with \`# noqa: ${meta.code}\`).`,
    });
  };
}

/**
 * `compute(ctx)` computed once per analysis (per context), however many rules of a family ask:
 * the sites a family classifies once and each of its rules reports from.
 */
export function perAnalysis<T>(compute: (ctx: RuleContext) => T): (ctx: RuleContext) => T {
  const cache = new WeakMap<RuleContext, T>();
  return (ctx) => {
    if (!cache.has(ctx)) cache.set(ctx, compute(ctx));
    return cache.get(ctx)!;
  };
}

/** `{unproven}` in a message where the receiver's type could not be proven and the fix is unsafe. */
export const UNPROVEN_UNSAFE = { unprovenUnsafe: ' (the type of `{receiver}` could not be proven, so the fix is marked unsafe)' };

/**
 * A text gate before the real check: `word` occurs in (or the pattern matches) the analysed text.
 * Always true with the prefilters off (their property test checks each gate keeps every finding).
 */
export function mayContain(ctx: RuleContext, word: string | RegExp): boolean {
  return !prefiltersEnabled() || (typeof word === 'string' ? ctx.text.includes(word) : word.test(ctx.text));
}
