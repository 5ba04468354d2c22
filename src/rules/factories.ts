/** Synchronisation factories that became classes (rows B1, B3, B5, B9, B11). */
import { FACTORY_RENAMES } from '../core/anyio-api';
import type { Edit, RuleMeta } from '../core/types';
import { callOf, findReferences, respell, RuleContext, RuleFamily } from './context';

export const ASY201: RuleMeta = {
  code: 'ASY201',
  name: 'deprecated-sync-factory',
  summary: '`create_event()`, `create_lock()`, `create_condition()`, `create_semaphore()`, `create_capacity_limiter()` → the classes',
  rows: ['B1', 'B3', 'B5', 'B9', 'B11'],
  fixTitle: 'Use the class directly',
  fixAvailability: 'always',
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

function check(ctx: RuleContext): void {
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
