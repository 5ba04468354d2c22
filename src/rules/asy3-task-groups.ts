/**
 * ASY3xx: task groups and blocking portals (rows D1, F8): `await tg.spawn(...)` →
 * `tg.start_soon(...)`, `portal.spawn_task()` → `portal.start_task_soon()`.
 */
import type { Node } from '../core/parser';
import { indentAt, lineEnding } from '../core/text';
import type { Edit, Fix, RuleMeta } from '../core/types';
import { family, fixTitle, message, type Rule, type RuleContext, UNPROVEN_UNSAFE } from './context';
import { callOf, parentThroughParens, statementOf } from './helpers/syntax';
import { dropAwait } from './helpers/edits';
import { nameToken, nodeToken } from './helpers/token';
import { catchWarningsBlock, SILENCE_TITLE, warningsWrapper } from './helpers/cross-version';
import { mayHaveSpawn, portalCalls, portalReporter } from './helpers/portal-calls';

/** AnyIO 2 and 3: a deprecated call kept, with its DeprecationWarning silenced (`silenceFix`). */
const SILENCE_TITLES = { ...SILENCE_TITLE, addFilter: 'Add the missing `warnings.simplefilter("ignore", DeprecationWarning)` (AnyIO 2 and 3)' };

export const ASY301: RuleMeta = {
  code: 'ASY301',
  name: 'task-group-spawn',
  summary: '`await tg.spawn(fn, ...)` → `tg.start_soon(fn, ...)`',
  rows: ['D1'],
  fixTitle: 'Use `start_soon()` (without `await`)',
  fixAvailability: 'sometimes',
  fixSafety:
    'Safe when the receiver is proven to be a task group; unsafe when unproven. A `spawn()` that was ' +
    'never awaited (the task never ran) gets an unsafe fix, because the task will now run. No fix for ' +
    '`tg.spawn` passed by reference (it is a coroutine function; `start_soon` is not).',
  defaultSeverity: 'warning',
  deprecated: true,
  docs: {
    why:
      '`TaskGroup.spawn()` is deprecated in AnyIO 3 in favour of the synchronous `start_soon()` and ' +
      'removed in AnyIO 4. The rename and the removal of `await` must happen together: `tg.spawn(fn)` ' +
      "without `await` silently never starts the task. The guide's `warnings.catch_warnings()` recipe " +
      'suppresses nothing.',
    before: 'async with anyio.create_task_group() as tg:\n    await tg.spawn(worker, 1, name="w")',
    after: 'async with anyio.create_task_group() as tg:\n    tg.start_soon(worker, 1, name="w")',
  },
  messages: {
    startSoon: '`TaskGroup.spawn()` is deprecated in AnyIO 3 and removed in AnyIO 4: use `{receiver}.start_soon(...)` without `await`{unproven}.',
    neverAwaited: '`spawn()` is never awaited here, so the task never starts. `start_soon()` starts it (this changes what the program does).',
    byReference:
      '`TaskGroup.spawn` is deprecated in AnyIO 3 and removed in AnyIO 4; it is passed here as a coroutine function, so it cannot simply become `start_soon` (a plain function).',
    keepSilenced:
      '`TaskGroup.spawn()` is deprecated in AnyIO 3; AnyIO 2 has no `start_soon()`. To support both, keep `await {receiver}.spawn(...)` with its DeprecationWarning silenced (a bare `warnings.catch_warnings()` silences nothing){unproven}.',
    neverAwaitedCompat: '`spawn()` is never awaited here, so the task never starts. On AnyIO 2 and 3 it must be awaited (and its DeprecationWarning silenced on 3).',
    ...UNPROVEN_UNSAFE,
    unprovenLookalike: ' (the type of `{receiver}` could not be proven, and a class of this project has its own `{method}` method)',
  },
  fixTitles: {
    anyio3: { startSoon: 'Use `start_soon()` (without `await`)', startSoonRuns: 'Use `start_soon()` (the task will now run)' },
    'anyio2+3': SILENCE_TITLES,
  },
};

export const ASY302: RuleMeta = {
  code: 'ASY302',
  name: 'portal-spawn-task',
  summary: '`portal.spawn_task()` → `portal.start_task_soon()`',
  rows: ['F8'],
  fixTitle: 'Use `start_task_soon()`',
  fixAvailability: 'always',
  compatFixAvailability: 'sometimes',
  fixSafety: "Safe: the name is unique to AnyIO's BlockingPortal and the arguments are the same.",
  defaultSeverity: 'warning',
  deprecated: true,
  docs: {
    why: '`BlockingPortal.spawn_task()` is deprecated in AnyIO 3 and removed in AnyIO 4.',
    before: 'future = portal.spawn_task(service.run)',
    after: 'future = portal.start_task_soon(service.run)',
  },
  messages: {
    startTaskSoon: '`BlockingPortal.spawn_task()` is deprecated in AnyIO 3 and removed in AnyIO 4: use `start_task_soon()`.',
    keepSilenced: '`BlockingPortal.spawn_task()` is deprecated in AnyIO 3; AnyIO 2 has no `start_task_soon()`. To support both, keep it with its DeprecationWarning silenced.',
  },
  fixTitles: { anyio3: { startTaskSoon: 'Use `start_task_soon()`' }, 'anyio2+3': SILENCE_TITLES },
};

/**
 * AnyIO 2 and 3 for a deprecated call that has no cross-version replacement: keep it and silence
 * its DeprecationWarning. Returns undefined (no finding) when it is already silenced; fixes the
 * guide's `catch_warnings()` recipe, which silences nothing without a filter.
 */
function silenceFix(ctx: RuleContext, meta: RuleMeta, node: Node): { fix?: Fix; noFixReason?: string } | undefined {
  const block = catchWarningsBlock(ctx, node);
  if (block?.silenced) return undefined;
  if (block) {
    const first = block.body.namedChildren.find((c) => c && c.type !== 'comment')!;
    const edit: Edit = {
      start: first.startIndex,
      end: first.startIndex,
      text: `warnings.simplefilter("ignore", DeprecationWarning)${lineEnding(ctx.text)}${indentAt(ctx.text, first.startIndex)}`,
    };
    return { fix: { title: fixTitle(meta, ctx.target, 'addFilter'), applicability: 'safe', edits: [edit] } };
  }
  const stmt = statementOf(node);
  const wrap = stmt ? warningsWrapper(ctx, stmt) : undefined;
  return wrap
    ? { fix: { title: fixTitle(meta, ctx.target, 'silence'), applicability: 'safe', ...wrap } }
    : { noFixReason: 'The call is not a statement of its own line; wrap it by hand in `with warnings.catch_warnings(): warnings.simplefilter("ignore", DeprecationWarning)`.' };
}

function checkSpawn(ctx: RuleContext): void {
  const compat = ctx.target === 'anyio2+3';
  for (const pc of portalCalls(ctx)) {
    if (pc.method !== 'spawn') continue;
    const { call, mc, proven } = pc;
    const report = portalReporter(ctx, pc);
    const aw = parentThroughParens(call);
    const rename = { start: mc.method.startIndex, end: mc.method.endIndex, text: 'start_soon' };
    const params = { receiver: mc.receiver.text, method: pc.method };
    const unproven = proven ? '' : message(ASY301, pc.own ? 'unprovenLookalike' : 'unprovenUnsafe', params);
    if (compat) {
      if (aw?.type !== 'await') {
        report(ASY301, {
          node: call,
          token: nodeToken(mc.method),
          message: message(ASY301, 'neverAwaitedCompat'),
          noFixReason: 'Awaiting it changes what the program does (the task will run): add the `await` by hand if that is intended.',
        });
        continue;
      }
      const r = silenceFix(ctx, ASY301, aw);
      if (!r) continue;
      report(ASY301, {
        node: aw,
        token: nodeToken(mc.method),
        message: message(ASY301, 'keepSilenced', { ...params, unproven }),
        ...(r.fix ? { fix: { ...r.fix, applicability: proven ? r.fix.applicability : 'unsafe' } } : { noFixReason: r.noFixReason! }),
      });
      continue;
    }
    if (aw?.type === 'await') {
      report(ASY301, {
        node: aw,
        token: nodeToken(mc.method),
        message: message(ASY301, 'startSoon', { ...params, unproven }),
        fix: { title: fixTitle(ASY301, ctx.target, 'startSoon'), applicability: proven ? 'safe' : 'unsafe', edits: [dropAwait(aw), rename] },
      });
    } else {
      report(ASY301, {
        node: call,
        token: nodeToken(mc.method),
        message: message(ASY301, 'neverAwaited'),
        fix: { title: fixTitle(ASY301, ctx.target, 'startSoonRuns'), applicability: 'unsafe', edits: [rename] },
      });
    }
  }
  // `tg.spawn` passed by reference.
  for (const a of mayHaveSpawn(ctx) ? ctx.idx.attributes : []) {
    if (!a.text.endsWith('spawn') || a.childForFieldName('attribute')?.text !== 'spawn' || callOf(a)) continue;
    const obj = a.childForFieldName('object');
    const t = obj ? ctx.res.typeOf(obj) : undefined;
    if (t?.k !== 'anyio' || t.cls !== 'TaskGroup') continue;
    ctx.report(ASY301, {
      node: a,
      token: nameToken(a),
      message: message(ASY301, 'byReference'),
      noFixReason: 'The callee awaits what it is given: change it to call `tg.start_soon(...)` without `await`, then pass `tg.start_soon`.',
    });
  }
}

function checkSpawnTask(ctx: RuleContext): void {
  for (const pc of portalCalls(ctx)) {
    if (pc.method !== 'spawn_task') continue;
    const report = portalReporter(ctx, pc);
    if (ctx.target === 'anyio2+3') {
      const r = silenceFix(ctx, ASY302, pc.call);
      if (!r) continue;
      report(ASY302, {
        node: pc.call,
        token: nodeToken(pc.mc.method),
        message: message(ASY302, 'keepSilenced'),
        ...(r.fix ? { fix: { ...r.fix, applicability: pc.proven ? r.fix.applicability : 'unsafe' } } : { noFixReason: r.noFixReason! }),
      });
      continue;
    }
    report(ASY302, {
      node: pc.call,
      token: nodeToken(pc.mc.method),
      message: message(ASY302, 'startTaskSoon'),
      fix: {
        title: fixTitle(ASY302, ctx.target, 'startTaskSoon'),
        applicability: 'safe',
        edits: [{ start: pc.mc.method.startIndex, end: pc.mc.method.endIndex, text: 'start_task_soon' }],
      },
    });
  }
}

const rules: Rule[] = [
  { meta: ASY301, check: checkSpawn },
  { meta: ASY302, check: checkSpawnTask },
];

export const asy3 = family(rules);
