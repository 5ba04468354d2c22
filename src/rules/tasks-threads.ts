/**
 * Task groups, threads and blocking portals (rows D1, F1–F10).
 */
import { ANYIO_UNIQUE_METHODS, NOW_SYNC_FUNCTIONS, NOW_SYNC_METHODS, THREAD_RENAMES } from '../core/anyio-api';
import type { Node } from '../core/parser';
import { prefiltersEnabled } from '../core/prefilters';
import { unparen } from '../core/scopes';
import type { RuleMeta } from '../core/types';
import { callOf, lookalikeReporter, catchWarningsBlock, compatImportItemFix, compatSiteFix, dropAwait, findReferences, fromImportItems, hasSplat, methodCall, moveImportItem, parentThroughParens, respell, RuleContext, RuleFamily, statementOf, warningsWrapper } from './context';
import { indentAt, lineEnding } from '../core/text';
import type { Edit, Fix } from '../core/types';

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
      'without `await` silently never starts the task. The guide\'s `warnings.catch_warnings()` recipe ' +
      'suppresses nothing.',
    before: 'async with anyio.create_task_group() as tg:\n    await tg.spawn(worker, 1, name="w")',
    after: 'async with anyio.create_task_group() as tg:\n    tg.start_soon(worker, 1, name="w")',
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
  fixSafety: 'Safe: the name is unique to AnyIO\'s BlockingPortal and the arguments are the same.',
  defaultSeverity: 'warning',
  deprecated: true,
  docs: {
    why: '`BlockingPortal.spawn_task()` is deprecated in AnyIO 3 and removed in AnyIO 4.',
    before: 'future = portal.spawn_task(service.run)',
    after: 'future = portal.start_task_soon(service.run)',
  },
};

export const ASY401: RuleMeta = {
  code: 'ASY401',
  name: 'moved-thread-function',
  summary: 'Thread functions moved to `anyio.to_thread` / `anyio.from_thread`',
  rows: ['F1', 'F2', 'F3', 'F4', 'F5'],
  fixTitle: 'Use the `to_thread` / `from_thread` function',
  fixAvailability: 'always',
  compatFixAvailability: 'sometimes',
  fixSafety:
    'Safe: the arguments are identical. `run_async_from_thread(event.set)` (a callable that became ' +
    'synchronous) becomes `from_thread.run_sync(event.set)`.',
  defaultSeverity: 'warning',
  deprecated: true,
  docs: {
    why:
      '`run_sync_in_worker_thread`, `current_default_worker_thread_limiter`, `run_async_from_thread`, ' +
      '`run_sync_from_thread` and `create_blocking_portal` are deprecated in AnyIO 3 and removed in ' +
      'AnyIO 4. Their replacements live in `anyio.to_thread` and `anyio.from_thread` (loaded by ' +
      '`import anyio`).',
    before: 'await anyio.run_sync_in_worker_thread(compute, 1)\nanyio.run_async_from_thread(event.set)',
    after: 'await anyio.to_thread.run_sync(compute, 1)\nanyio.from_thread.run_sync(event.set)',
  },
};

export const ASY402: RuleMeta = {
  code: 'ASY402',
  name: 'top-level-blocking-portal',
  summary: '`anyio.start_blocking_portal` → `anyio.from_thread.start_blocking_portal`',
  rows: ['F10'],
  fixTitle: 'Import it from `anyio.from_thread`',
  fixAvailability: 'always',
  fixSafety: 'Safe: the same function.',
  defaultSeverity: 'warning',
  deprecated: false,
  docs: {
    why:
      'AnyIO 3 still re-exports `start_blocking_portal` from the top-level package without any ' +
      'warning, but AnyIO 4 removed it: import it from `anyio.from_thread`.',
    before: 'from anyio import start_blocking_portal',
    after: 'from anyio.from_thread import start_blocking_portal',
  },
};

export const ASY403: RuleMeta = {
  code: 'ASY403',
  name: 'portal-not-context-managed',
  summary: '`start_blocking_portal()` used without `with`',
  rows: ['F6'],
  fixTitle: 'No automatic fix',
  fixAvailability: 'never',
  fixSafety: 'No automatic fix: the portal\'s lifetime is a design decision.',
  defaultSeverity: 'error',
  deprecated: false,
  docs: {
    why:
      'In AnyIO 3 `start_blocking_portal()` returns a context manager, not a portal: ' +
      '`portal.call(...)` raises AttributeError. Use `with start_blocking_portal() as portal:`; for a ' +
      'lifetime that is not lexical, keep the context manager and call `cm.__enter__()` / ' +
      '`cm.__exit__(None, None, None)` yourself.',
    before: 'portal = start_blocking_portal()\nportal.call(main)',
    after: 'with start_blocking_portal() as portal:\n    portal.call(main)',
  },
};

export const ASY404: RuleMeta = {
  code: 'ASY404',
  name: 'portal-stop-from-external-thread',
  summary: '`portal.stop_from_external_thread()` was removed',
  rows: ['F7'],
  fixTitle: 'No automatic fix',
  fixAvailability: 'never',
  fixSafety: 'No automatic fix: the replacement depends on how the portal was started.',
  defaultSeverity: 'error',
  deprecated: false,
  docs: {
    why:
      '`BlockingPortal.stop_from_external_thread()` no longer exists in AnyIO 3 (AttributeError). ' +
      'Leave the `with start_blocking_portal()` block instead (an exception exit cancels remaining ' +
      'tasks), or call `cm.__exit__(None, None, None)` on the context manager. The changelog\'s ' +
      '`portal.call(portal.stop)` makes the context manager\'s exit raise RuntimeError on 3.x.',
    before: 'portal.stop_from_external_thread()',
    after: '# leave the `with start_blocking_portal() as portal:` block',
  },
};

export const ASY405: RuleMeta = {
  code: 'ASY405',
  name: 'portal-used-as-context-manager',
  summary: '`with portal:` on a BlockingPortal',
  rows: ['F9'],
  fixTitle: 'No automatic fix',
  fixAvailability: 'never',
  fixSafety: 'No automatic fix: the portal must be run by `start_blocking_portal()` or stopped with `portal.call(portal.stop)`.',
  defaultSeverity: 'error',
  deprecated: false,
  docs: {
    why:
      'AnyIO 2.2\'s BlockingPortal stopped itself at the end of `with portal:`; in AnyIO 3 it is not a ' +
      'context manager at all (TypeError). Use `with start_blocking_portal() as portal:`.',
    before: 'with portal:\n    portal.call(main)',
    after: 'with start_blocking_portal() as portal:\n    portal.call(main)',
  },
};

function isWithItemValue(call: Node): boolean {
  const p = parentThroughParens(call);
  if (p?.type === 'with_item') return true;
  return p?.type === 'as_pattern' && p.parent?.type === 'with_item';
}

/** `name` is used as a context manager, entered by hand, or handed to an exit stack. */
function isManagedLater(ctx: RuleContext, name: string, after: number): boolean {
  for (const o of ctx.idx.identifiers.get(name) ?? []) {
    if (o < after) continue;
    const node = ctx.idx.tree.rootNode.descendantForIndex(o, o + name.length);
    if (!node) continue;
    const p = parentThroughParens(node);
    if (p?.type === 'with_item' || (p?.type === 'as_pattern' && p.parent?.type === 'with_item')) return true;
    if (p?.type === 'attribute' && /^__(a?enter|a?exit)__$/.test(p.childForFieldName('attribute')?.text ?? '')) return true;
    if (p?.type === 'argument_list') {
      const fn = p.parent?.childForFieldName('function');
      if (fn?.type === 'attribute' && /^enter_(async_)?context$/.test(fn.childForFieldName('attribute')?.text ?? '')) return true;
    }
  }
  return false;
}

/**
 * Whether the callable passed to run_async_from_thread became synchronous in AnyIO 3:
 * `proven` (an AnyIO function, or a now-sync method of a proven AnyIO receiver), `unknown` (a
 * now-sync method name on a receiver of unknown type; `ownAsync` when a class of this module has
 * its own `async def` of that name), or `no` (anything else, e.g. a local class's own method).
 */
type NowSync = { kind: 'proven' | 'no' } | { kind: 'unknown'; recv: string; method: string; ownAsync: boolean };
function nowSyncCallable(ctx: RuleContext, arg: Node | undefined): NowSync {
  if (!arg) return { kind: 'no' };
  const a = unparen(arg);
  const q = ctx.res.qualifiedOf(a);
  if (q && NOW_SYNC_FUNCTIONS.has(q)) return { kind: 'proven' };
  if (a.type !== 'attribute') return { kind: 'no' };
  const method = a.childForFieldName('attribute')?.text ?? '';
  const changes = NOW_SYNC_METHODS.get(method);
  if (!changes) return { kind: 'no' };
  const obj = a.childForFieldName('object')!;
  const t = ctx.res.typeOf(obj);
  if (t.k === 'anyio') return { kind: changes.has(t.cls) ? 'proven' : 'no' };
  if (t.k !== 'unknown') return { kind: 'no' };
  const ownAsync = ctx.res.definesMethod(method, true);
  if (!ownAsync && ANYIO_UNIQUE_METHODS.has(method)) return { kind: 'proven' };
  return { kind: 'unknown', recv: obj.text.length <= 40 ? obj.text : 'the receiver', method, ownAsync };
}

/**
 * AnyIO 2 and 3 for a deprecated call that has no cross-version replacement: keep it and silence
 * its DeprecationWarning. Returns undefined (no finding) when it is already silenced; fixes the
 * guide's `catch_warnings()` recipe, which silences nothing without a filter.
 */
function silenceFix(ctx: RuleContext, node: Node): { fix?: Fix; noFixReason?: string } | undefined {
  const block = catchWarningsBlock(ctx, node);
  if (block?.silenced) return undefined;
  const title = 'Silence the DeprecationWarning (AnyIO 2 and 3)';
  if (block) {
    const first = block.body.namedChildren.find((c) => c && c.type !== 'comment')!;
    const edit: Edit = { start: first.startIndex, end: first.startIndex, text: `warnings.simplefilter("ignore", DeprecationWarning)${lineEnding(ctx.text)}${indentAt(ctx.text, first.startIndex)}` };
    return { fix: { title: 'Add the missing `warnings.simplefilter("ignore", DeprecationWarning)`', applicability: 'safe', edits: [edit] } };
  }
  const stmt = statementOf(node);
  const wrap = stmt ? warningsWrapper(ctx, stmt) : undefined;
  return wrap
    ? { fix: { title, applicability: 'safe', ...wrap } }
    : { noFixReason: 'The call is not a statement of its own line; wrap it by hand in `with warnings.catch_warnings(): warnings.simplefilter("ignore", DeprecationWarning)`.' };
}

function check(ctx: RuleContext): void {
  const { idx, res } = ctx;
  const compat = ctx.target === 'anyio2+3';

  // Each loop below only runs when the names it looks for occur in the text at all (aliases keep
  // the original name in their import, so these gates never hide a finding).
  const text = ctx.text;
  const pre = prefiltersEnabled(); // all gates off in the prefilter property test
  const hasSpawn = !pre || /\b(spawn|spawn_task|stop_from_external_thread)\b/.test(text);
  // ASY301 / ASY302 / ASY404: methods of task groups and portals.
  for (const call of hasSpawn ? idx.calls : []) {
    const fn = call.childForFieldName('function');
    if (!fn || !/\.(spawn|spawn_task|stop_from_external_thread)\s*$/.test(fn.text)) continue;
    const mc = methodCall(call);
    if (!mc) continue;
    const method = mc.method.text;
    if (method !== 'spawn' && method !== 'spawn_task' && method !== 'stop_from_external_thread') continue;
    let t = res.typeOf(mc.receiver);
    const wanted = method === 'spawn' ? 'TaskGroup' : 'BlockingPortal';
    // AnyIO 2 code: `portal = start_blocking_portal()` was the portal itself.
    if (t.k === 'cm' && t.enter.k === 'anyio' && t.enter.cls === 'BlockingPortal' && wanted === 'BlockingPortal') t = t.enter;
    let proven: boolean;
    let own = false;
    if (t.k === 'anyio') {
      if (t.cls !== wanted) continue;
      proven = true;
    } else if (t.k === 'unknown') {
      if (!idx.importsAnyio) continue;
      if (method === 'spawn' && (mc.args.length === 0 || hasSplat(mc.args.slice(0, 1)))) continue;
      // A class of the project has a method of this name: the receiver may be one of those. An
      // awaited call is still reported (unsafe); a plain call is that class's normal use.
      own = res.definesMethod(method, false);
      if (own && parentThroughParens(call)?.type !== 'await') continue;
      proven = ANYIO_UNIQUE_METHODS.has(method) && !own;
    } else continue;

    const report = own ? lookalikeReporter(ctx, mc.receiver.text.length <= 40 ? mc.receiver.text : 'the receiver', method) : ctx.report.bind(ctx);
    if (method === 'stop_from_external_thread') {
      report(ASY404, {
        node: call,
        message: '`BlockingPortal.stop_from_external_thread()` was removed in AnyIO 3 (AttributeError): leave the `with start_blocking_portal()` block, or exit its context manager.',
        noFixReason: 'How to stop the portal depends on how it was started: leave the `with start_blocking_portal() as portal:` block, or call `cm.__exit__(None, None, None)` on its context manager.',
      });
      continue;
    }
    if (method === 'spawn_task' && compat) {
      const r = silenceFix(ctx, call);
      if (!r) continue;
      report(ASY302, {
        node: call,
        message: '`BlockingPortal.spawn_task()` is deprecated in AnyIO 3; AnyIO 2 has no `start_task_soon()`. To support both, keep it with its DeprecationWarning silenced.',
        ...(r.fix ? { fix: { ...r.fix, applicability: proven ? r.fix.applicability : 'unsafe' } } : { noFixReason: r.noFixReason! }),
      });
      continue;
    }
    if (method === 'spawn_task') {
      report(ASY302, {
        node: call,
        message: '`BlockingPortal.spawn_task()` is deprecated in AnyIO 3 and removed in AnyIO 4: use `start_task_soon()`.',
        fix: { title: ASY302.fixTitle, applicability: 'safe', edits: [{ start: mc.method.startIndex, end: mc.method.endIndex, text: 'start_task_soon' }] },
      });
      continue;
    }
    const aw = parentThroughParens(call);
    const rename = { start: mc.method.startIndex, end: mc.method.endIndex, text: 'start_soon' };
    const note = proven
      ? ''
      : own
        ? ` (the type of \`${mc.receiver.text}\` could not be proven, and a class of this project has its own \`${method}\` method)`
        : ` (the type of \`${mc.receiver.text}\` could not be proven, so the fix is marked unsafe)`;
    if (compat) {
      if (aw?.type !== 'await') {
        report(ASY301, {
          node: call,
          message: '`spawn()` is never awaited here, so the task never starts. On AnyIO 2 and 3 it must be awaited (and its DeprecationWarning silenced on 3).',
          noFixReason: 'Awaiting it changes what the program does (the task will run): add the `await` by hand if that is intended.',
        });
        continue;
      }
      const r = silenceFix(ctx, aw);
      if (!r) continue;
      report(ASY301, {
        node: aw,
        message: `\`TaskGroup.spawn()\` is deprecated in AnyIO 3; AnyIO 2 has no \`start_soon()\`. To support both, keep \`await ${mc.receiver.text}.spawn(...)\` with its DeprecationWarning silenced (a bare \`warnings.catch_warnings()\` silences nothing)${note}.`,
        ...(r.fix ? { fix: { ...r.fix, applicability: proven ? r.fix.applicability : 'unsafe' } } : { noFixReason: r.noFixReason! }),
      });
      continue;
    }
    if (aw?.type === 'await') {
      report(ASY301, {
        node: aw,
        message: `\`TaskGroup.spawn()\` is deprecated in AnyIO 3 and removed in AnyIO 4: use \`${mc.receiver.text}.start_soon(...)\` without \`await\`${note}.`,
        fix: { title: ASY301.fixTitle, applicability: proven ? 'safe' : 'unsafe', edits: [dropAwait(aw), rename] },
      });
    } else {
      report(ASY301, {
        node: call,
        message: '`spawn()` is never awaited here, so the task never starts. `start_soon()` starts it (this changes what the program does).',
        fix: { title: 'Use `start_soon()` (the task will now run)', applicability: 'unsafe', edits: [rename] },
      });
    }
  }
  // `tg.spawn` passed by reference.
  for (const a of hasSpawn ? idx.attributes : []) {
    if (!a.text.endsWith('spawn') || a.childForFieldName('attribute')?.text !== 'spawn' || callOf(a)) continue;
    const obj = a.childForFieldName('object');
    const t = obj ? res.typeOf(obj) : undefined;
    if (t?.k !== 'anyio' || t.cls !== 'TaskGroup') continue;
    ctx.report(ASY301, {
      node: a,
      message: '`TaskGroup.spawn` is deprecated in AnyIO 3 and removed in AnyIO 4; it is passed here as a coroutine function, so it cannot simply become `start_soon` (a plain function).',
      noFixReason: 'The callee awaits what it is given: change it to call `tg.start_soon(...)` without `await`, then pass `tg.start_soon`.',
    });
  }

  // ASY401: moved thread functions.
  const hasThreadNames = !pre || /run_sync_in_worker_thread|worker_thread_limiter|run_async_from_thread|run_sync_from_thread|create_blocking_portal/.test(text);
  if (compat && hasThreadNames) checkThreadsCompat(ctx);
  for (const { node, q } of compat || !hasThreadNames ? [] : findReferences(ctx, THREAD_RENAMES)) {
    let target = THREAD_RENAMES.get(q)!.to;
    const call = callOf(node);
    const args = call?.childForFieldName('arguments')?.namedChildren.filter((a) => a && a.type !== 'comment') as Node[] | undefined;
    const ns = target === 'anyio.from_thread.run' && call ? nowSyncCallable(ctx, args?.[0]) : { kind: 'no' as const };
    // An unknown receiver of a now-sync method name: `run_sync` if it is the AnyIO object, `run` if
    // it is a user object with an async method of that name. Guess the likelier one, unsafely.
    if (ns.kind === 'proven' || (ns.kind === 'unknown' && !ns.ownAsync)) target = 'anyio.from_thread.run_sync';
    const { edits, imports } = respell(res, node, target);
    const old = q.split('.').pop()!;
    const neu = target.slice('anyio.'.length);
    let message =
      ns.kind === 'proven'
        ? `\`${old}()\` is deprecated in AnyIO 3 and removed in AnyIO 4, and the callable it is given is no longer a coroutine function: use \`${neu}()\`.`
        : `\`${old}${call ? '()' : ''}\` is deprecated in AnyIO 3 and removed in AnyIO 4: use \`${neu}${call ? '()' : ''}\`.`;
    if (ns.kind === 'unknown') {
      message = ns.ownAsync
        ? `\`${old}()\` is deprecated in AnyIO 3 and removed in AnyIO 4: use \`${neu}()\`. The type of \`${ns.recv}\` could not be proven, so the fix is marked unsafe: a class of this module has its own \`async def ${ns.method}\` (then \`from_thread.run\` is right), but if \`${ns.recv}\` is an AnyIO object its \`${ns.method}\` is a plain function in AnyIO 3 and needs \`from_thread.run_sync\`.`
        : `\`${old}()\` is deprecated in AnyIO 3 and removed in AnyIO 4, and if \`${ns.recv}\` is an AnyIO object its \`${ns.method}\` is a plain function in AnyIO 3 (\`from_thread.run\` raises TypeError): use \`${neu}()\`. The type of \`${ns.recv}\` could not be proven, so the fix is marked unsafe: if it is a user object with an async \`${ns.method}\`, use \`from_thread.run\` instead.`;
    }
    ctx.report(ASY401, {
      node: call ?? node,
      message,
      fix: { title: `Use \`${neu}\``, applicability: ns.kind === 'unknown' ? 'unsafe' : 'safe', edits, imports },
    });
  }

  // ASY402 / ASY403: start_blocking_portal. (Under anyio2+3 the top-level name is the cross-version one.)
  const hasPortal = !pre || text.includes('blocking_portal');
  for (const imp of compat || !hasPortal ? [] : idx.imports) {
    const stmt = imp.stmt;
    if (stmt.type !== 'import_from_statement' || stmt.childForFieldName('module_name')?.text.replace(/\s+/g, '') !== 'anyio') continue;
    for (const item of stmt.childrenForFieldName('name')) {
      if (!item) continue;
      const name = item.type === 'aliased_import' ? item.childForFieldName('name')?.text : item.text;
      if (name !== 'start_blocking_portal') continue;
      const { edits, imports } = moveImportItem(stmt, item, 'anyio.from_thread');
      ctx.report(ASY402, {
        node: item,
        message: '`anyio.start_blocking_portal` is a re-export that AnyIO 4 removed (with no warning in AnyIO 3): import it from `anyio.from_thread`.',
        fix: { title: ASY402.fixTitle, applicability: 'safe', edits, imports },
      });
    }
  }
  const portalFactories = new Set(['anyio.start_blocking_portal', 'anyio.from_thread.start_blocking_portal']);
  for (const { node, q } of hasPortal ? findReferences(ctx, portalFactories) : []) {
    if (q === 'anyio.start_blocking_portal' && node.type === 'attribute' && !compat) {
      const { edits, imports } = respell(res, node, 'anyio.from_thread.start_blocking_portal');
      ctx.report(ASY402, {
        node,
        message: '`anyio.start_blocking_portal` is a re-export that AnyIO 4 removed (with no warning in AnyIO 3): use `anyio.from_thread.start_blocking_portal`.',
        fix: { title: 'Use `anyio.from_thread.start_blocking_portal`', applicability: 'safe', edits, imports },
      });
    }
    const call = callOf(node);
    if (!call || isWithItemValue(call)) continue;
    const p = parentThroughParens(call);
    if (p?.type === 'argument_list') continue; // handed to an exit stack or a helper
    let managed = false;
    if (p?.type === 'assignment' && p.childForFieldName('left')?.type === 'identifier') {
      managed = isManagedLater(ctx, p.childForFieldName('left')!.text, p.endIndex);
    }
    if (managed) continue;
    ctx.report(ASY403, {
      node: call,
      message: '`start_blocking_portal()` returns a context manager in AnyIO 3, not a portal: using its result as a portal raises AttributeError. Use `with start_blocking_portal() as portal:`.',
      noFixReason: 'The portal\'s lifetime must be decided by hand: wrap its use in `with start_blocking_portal() as portal:`, or keep the context manager and call `__enter__()` / `__exit__(None, None, None)`.',
    });
  }

  // ASY405: `with portal:`.
  for (const stmt of !pre || /BlockingPortal|blocking_portal/.test(text) ? idx.withs : []) {
    if (stmt.child(0)?.type === 'async') continue;
    const clause = stmt.namedChildren.find((c) => c?.type === 'with_clause');
    for (const it of clause?.namedChildren ?? []) {
      if (it?.type !== 'with_item') continue;
      const v = it.childForFieldName('value');
      const expr = v ? unparen(v.type === 'as_pattern' ? v.namedChild(0) ?? v : v) : undefined;
      if (!expr || expr.type === 'call') continue;
      const t = res.typeOf(expr);
      if (t.k === 'anyio' && t.cls === 'BlockingPortal') {
        ctx.report(ASY405, {
          node: it,
          message: '`BlockingPortal` is not a context manager in AnyIO 3 (TypeError): use `with start_blocking_portal() as portal:` instead.',
          noFixReason: 'Start the portal with `with anyio.from_thread.start_blocking_portal() as portal:`, or stop it with `portal.call(portal.stop)`.',
        });
      }
    }
  }
}

/** The 3.x spelling has no AnyIO 2 counterpart under these old names. */
function threadCompatBlocker(q: string): string | undefined {
  if (q.endsWith('.run_sync_from_thread')) return '`run_sync_from_thread()` never existed in AnyIO 2 (3.0 added it already deprecated): there is no cross-version name. Use `anyio.from_thread.run_sync()` and require AnyIO 3.';
  return undefined;
}

function checkThreadsCompat(ctx: RuleContext): void {
  const msg = (old: string, neu: string) =>
    `\`${old}\` is deprecated in AnyIO 3 and removed in AnyIO 4. To support AnyIO 2 and 3, import \`${neu}\` as \`${old}\` on AnyIO 3 and fall back to \`${old}\` on AnyIO 2.`;
  for (const { stmt, item, name } of fromImportItems(ctx, 'anyio')) {
    const q = `anyio.${name}`;
    const rename = THREAD_RENAMES.get(q);
    if (!rename) continue;
    const blocker = threadCompatBlocker(q);
    const fix = compatImportItemFix(ctx, stmt, item, q, rename.to);
    ctx.report(ASY401, {
      node: item,
      message: msg(name, rename.to.slice(6)),
      ...(blocker ? { noFixReason: blocker } : { fix: { title: 'Use a cross-version import (AnyIO 2 and 3)', applicability: 'safe' as const, ...fix } }),
    });
  }
  for (const { node, q } of findReferences(ctx, THREAD_RENAMES)) {
    const rename = THREAD_RENAMES.get(q)!;
    const call = callOf(node);
    const args = call?.childForFieldName('arguments')?.namedChildren.filter((a) => a && a.type !== 'comment') as Node[] | undefined;
    const old = q.split('.').pop()!;
    let blocker = threadCompatBlocker(q);
    const ns = rename.to === 'anyio.from_thread.run' && call ? nowSyncCallable(ctx, args?.[0]) : undefined;
    if (ns?.kind === 'proven') {
      blocker = `\`${old}(${args![0]!.text})\`: the callable is a coroutine function on AnyIO 2 but a plain function on AnyIO 3 (\`from_thread.run_sync\`), so no single call works on both. Branch on the installed AnyIO version.`;
    } else if (ns?.kind === 'unknown' && !ns.ownAsync) {
      blocker = `\`${old}(${args![0]!.text})\`: the type of \`${ns.recv}\` could not be proven. If it is an AnyIO object, its \`${ns.method}\` is a coroutine function on AnyIO 2 but a plain function on AnyIO 3 (\`from_thread.run_sync\`), so no single call works on both: branch on the installed AnyIO version. If it is a user object with an async \`${ns.method}\`, import \`from_thread.run\` as \`${old}\` on AnyIO 3.`;
    } else if (node.type === 'identifier') continue; // covered by the import's fix
    const site = blocker ? undefined : compatSiteFix(ctx, node, q, rename.to);
    ctx.report(ASY401, {
      node: call ?? node,
      // Unknown receiver, and this module has its own `async def` of the method: the cross-version
      // import calls exactly what the original called on each version (safe), but if the receiver
      // is an AnyIO object after all the call fails on AnyIO 3 with or without the fix.
      message:
        msg(old, rename.to.slice(6)) +
        (ns?.kind === 'unknown' && !blocker
          ? ` If \`${ns.recv}\` is an AnyIO object (its type could not be proven; a class of this module has its own \`async def ${ns.method}\`), its \`${ns.method}\` is a plain function on AnyIO 3, where this call raises TypeError with or without the fix: branch on the installed AnyIO version.`
          : ''),
      ...(site
        ? { fix: { title: 'Use a cross-version import (AnyIO 2 and 3)', applicability: 'safe' as const, edits: site.edits, imports: site.imports } }
        : { noFixReason: blocker ?? `The name \`${old}\` is already used for something else in this module.` }),
    });
  }
}

export const tasksThreads: RuleFamily = { rules: [ASY301, ASY302, ASY401, ASY402, ASY403, ASY404, ASY405], check };
