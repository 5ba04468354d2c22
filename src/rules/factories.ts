/** Synchronisation factories that became classes (rows B1, B3, B5, B9, B11). */
import { FACTORY_RENAMES } from '../core/anyio-api';
import { prefiltersEnabled } from '../core/prefilters';
import type { Edit, RuleMeta } from '../core/types';
import { callOf, compatImportItemFix, compatSiteFix, findReferences, fromImportItems, respell, RuleContext, RuleFamily } from './context';

export const ASY201: RuleMeta = {
  code: 'ASY201',
  name: 'deprecated-sync-factory',
  summary: '`create_event()`, `create_lock()`, `create_condition()`, `create_semaphore()`, `create_capacity_limiter()` → the classes',
  rows: ['B1', 'B3', 'B5', 'B9', 'B11'],
  fixTitle: 'Use the class directly',
  fixAvailability: 'always',
  compatFixAvailability: 'sometimes',
  fixSafety:
    'Safe: the factory is resolved to AnyIO through the imports; `create_semaphore(value=...)` becomes ' +
    '`Semaphore(initial_value=...)`. A reference to `create_semaphore` passed elsewhere (not called ' +
    'here) is unsafe, as its callers might pass `value=`.',
  defaultSeverity: 'warning',
  deprecated: true,
  docs: {
    why:
      'The factories are deprecated in AnyIO 3 (a DeprecationWarning hidden by default filters) and ' +
      'removed in AnyIO 4. The keyword of `create_semaphore(value=...)` was renamed: the naive ' +
      '`Semaphore(value=2)` is a TypeError. References such as `field(default_factory=anyio.create_event)` ' +
      'are rewritten too.',
    before: 'event = anyio.create_event()\nsem = create_semaphore(value=2)',
    after: 'event = anyio.Event()\nsem = Semaphore(initial_value=2)',
  },
};

/** AnyIO 2 and 3: a cross-version import binds the factory's name to the class on 3.x. */
function checkCompat(ctx: RuleContext): void {
  const message = (factory: string, cls: string) =>
    `\`${factory}()\` is deprecated in AnyIO 3 and removed in AnyIO 4. To support AnyIO 2 and 3, import \`${cls}\` as \`${factory}\` on AnyIO 3 and fall back to \`${factory}\` on AnyIO 2.`;
  for (const { stmt, item, name } of fromImportItems(ctx, 'anyio')) {
    const target = FACTORY_RENAMES.get(`anyio.${name}`);
    if (!target) continue;
    const fix = compatImportItemFix(ctx, stmt, item, `anyio.${name}`, target);
    ctx.report(ASY201, { node: item, message: message(name, target.slice(6)), fix: { title: 'Use a cross-version import (AnyIO 2 and 3)', applicability: 'safe', ...fix } });
  }
  for (const { node, q } of findReferences(ctx, FACTORY_RENAMES)) {
    const factory = q.slice('anyio.'.length);
    const call = callOf(node);
    // `create_semaphore(value=2)`: `Semaphore` calls it `initial_value`; positional works on both.
    const kw = factory === 'create_semaphore' && call
      ? call.childForFieldName('arguments')?.namedChildren.find((a) => a?.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'value')
      : undefined;
    const kwEdits = kw ? [{ start: kw.startIndex, end: kw.childForFieldName('value')!.startIndex, text: '' }] : [];
    if (node.type === 'identifier' && !kw) continue; // covered by the import's fix
    const site = compatSiteFix(ctx, node, q, FACTORY_RENAMES.get(q)!);
    if (node.type === 'attribute' && !site) {
      ctx.report(ASY201, { node: call ?? node, message: message(factory, FACTORY_RENAMES.get(q)!.slice(6)), noFixReason: `The name \`${factory}\` is already used for something else in this module.` });
      continue;
    }
    ctx.report(ASY201, {
      node: call ?? node,
      message: kw && !site ? '`create_semaphore(value=...)`: the keyword is `initial_value` on AnyIO 3; pass the value positionally to support AnyIO 2 and 3.' : message(factory, FACTORY_RENAMES.get(q)!.slice(6)),
      fix: { title: site ? 'Use a cross-version import (AnyIO 2 and 3)' : 'Pass the value positionally', applicability: 'safe', edits: [...(site?.edits ?? []), ...kwEdits], imports: site?.imports ?? [] },
    });
  }
}

function check(ctx: RuleContext): void {
  if (prefiltersEnabled() && !/create_(event|lock|condition|semaphore|capacity_limiter)/.test(ctx.text)) return;
  if (ctx.target === 'anyio2+3') return checkCompat(ctx);
  for (const { node, q } of findReferences(ctx, FACTORY_RENAMES)) {
    const target = FACTORY_RENAMES.get(q)!;
    const { edits, imports } = respell(ctx.res, node, target);
    const call = callOf(node);
    const factory = q.slice('anyio.'.length);
    const cls = target.slice('anyio.'.length);
    let applicability: 'safe' | 'unsafe' = 'safe';
    const extra: Edit[] = [];
    if (call && factory === 'create_semaphore') {
      for (const arg of call.childForFieldName('arguments')?.namedChildren ?? []) {
        const name = arg?.type === 'keyword_argument' ? arg.childForFieldName('name') : null;
        if (name?.text === 'value') extra.push({ start: name.startIndex, end: name.endIndex, text: 'initial_value' });
      }
    } else if (!call && factory === 'create_semaphore') applicability = 'unsafe';
    ctx.report(ASY201, {
      node: call ?? node,
      message: call
        ? `\`${factory}()\` is deprecated in AnyIO 3 and removed in AnyIO 4: use \`${cls}(${factory === 'create_semaphore' && extra.length ? 'initial_value=...' : '...'})\` directly.`
        : `\`${factory}\` is deprecated in AnyIO 3 and removed in AnyIO 4: pass the class \`${cls}\` instead${applicability === 'unsafe' ? ' (callers passing `value=` must use `initial_value=`)' : ''}.`,
      fix: { title: `Use \`${cls}\` directly`, applicability, edits: [...edits, ...extra], imports },
    });
  }
}

export const factories: RuleFamily = { rules: [ASY201], check };
