/**
 * ASY4xx: threads and blocking portals (rows F1–F7, F9, F10): functions moved to
 * `anyio.to_thread` / `anyio.from_thread`, `start_blocking_portal()` that returns a context
 * manager, and the portal methods and uses AnyIO 3 removed.
 */
import { ANYIO_UNIQUE_METHODS, NOW_SYNC_FUNCTIONS, NOW_SYNC_METHODS, THREAD_RENAMES } from '../core/anyio-api';
import type { Node } from '../core/parser';
import { unparen } from '../core/scopes';
import type { RuleMeta } from '../core/types';
import { family, fixTitle, mayContain, message, perAnalysis, type Rule, type RuleContext } from './context';
import { callOf, parentThroughParens } from './helpers/syntax';
import { findReferences, fromImportItems } from './helpers/references';
import { moveImportItem, respell } from './helpers/edits';
import { nameToken } from './helpers/token';
import { compatImportItemFix, compatSiteFix, CROSS_VERSION_IMPORT_TITLE } from './helpers/cross-version';
import { portalCalls, portalReporter } from './helpers/portal-calls';

export const ASY401: RuleMeta = {
  code: 'ASY401',
  name: 'moved-thread-function',
  summary: 'Thread functions moved to `anyio.to_thread` / `anyio.from_thread`',
  rows: ['F1', 'F2', 'F3', 'F4', 'F5'],
  fixTitle: 'Use the `to_thread` / `from_thread` function',
  fixAvailability: 'always',
  compatFixAvailability: 'sometimes',
  fixSafety: 'Safe: the arguments are identical. `run_async_from_thread(event.set)` (a callable that became ' + 'synchronous) becomes `from_thread.run_sync(event.set)`.',
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
  messages: {
    renameCall: '`{old}()` is deprecated in AnyIO 3 and removed in AnyIO 4: use `{new}()`.',
    renameReference: '`{old}` is deprecated in AnyIO 3 and removed in AnyIO 4: use `{new}`.',
    nowSyncCallable: '`{old}()` is deprecated in AnyIO 3 and removed in AnyIO 4, and the callable it is given is no longer a coroutine function: use `{new}()`.',
    unknownReceiver:
      '`{old}()` is deprecated in AnyIO 3 and removed in AnyIO 4, and if `{receiver}` is an AnyIO object its `{method}` is a plain function in AnyIO 3 (`from_thread.run` raises TypeError): use `{new}()`. ' +
      'The type of `{receiver}` could not be proven, so the fix is marked unsafe: if it is a user object with an async `{method}`, use `from_thread.run` instead.',
    unknownReceiverLookalike:
      '`{old}()` is deprecated in AnyIO 3 and removed in AnyIO 4: use `{new}()`. The type of `{receiver}` could not be proven, so the fix is marked unsafe: ' +
      'a class of this module has its own `async def {method}` (then `from_thread.run` is right), but if `{receiver}` is an AnyIO object its `{method}` is a plain function in AnyIO 3 and needs `from_thread.run_sync`.',
    crossVersionImport:
      '`{old}` is deprecated in AnyIO 3 and removed in AnyIO 4. To support AnyIO 2 and 3, import `{new}` as `{old}` on AnyIO 3 and fall back to `{old}` on AnyIO 2.{lookalike}',
    crossVersionLookalike:
      ' If `{receiver}` is an AnyIO object (its type could not be proven; a class of this module has its own `async def {method}`), its `{method}` is a plain function on AnyIO 3, ' +
      'where this call raises TypeError with or without the fix: branch on the installed AnyIO version.',
  },
  fixTitles: { anyio3: { useFunction: 'Use `{name}`' }, 'anyio2+3': CROSS_VERSION_IMPORT_TITLE },
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
    why: 'AnyIO 3 still re-exports `start_blocking_portal` from the top-level package without any ' + 'warning, but AnyIO 4 removed it: import it from `anyio.from_thread`.',
    before: 'from anyio import start_blocking_portal',
    after: 'from anyio.from_thread import start_blocking_portal',
  },
  messages: {
    importFromThread: '`anyio.start_blocking_portal` is a re-export that AnyIO 4 removed (with no warning in AnyIO 3): import it from `anyio.from_thread`.',
    useFromThread: '`anyio.start_blocking_portal` is a re-export that AnyIO 4 removed (with no warning in AnyIO 3): use `anyio.from_thread.start_blocking_portal`.',
  },
  fixTitles: { anyio3: { importFromThread: 'Import it from `anyio.from_thread`', useFromThread: 'Use `anyio.from_thread.start_blocking_portal`' } },
};

export const ASY403: RuleMeta = {
  code: 'ASY403',
  name: 'portal-not-context-managed',
  summary: '`start_blocking_portal()` used without `with`',
  rows: ['F6'],
  fixTitle: 'No automatic fix',
  fixAvailability: 'never',
  fixSafety: "No automatic fix: the portal's lifetime is a design decision.",
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
  messages: {
    notContextManaged:
      '`start_blocking_portal()` returns a context manager in AnyIO 3, not a portal: using its result as a portal raises AttributeError. Use `with start_blocking_portal() as portal:`.',
  },
  fixTitles: {},
  // Whether the portal is managed is decided by its uses anywhere later in the file.
  crossScope: true,
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
      "tasks), or call `cm.__exit__(None, None, None)` on the context manager. The changelog's " +
      "`portal.call(portal.stop)` makes the context manager's exit raise RuntimeError on 3.x.",
    before: 'portal.stop_from_external_thread()',
    after: '# leave the `with start_blocking_portal() as portal:` block',
  },
  messages: {
    removed: '`BlockingPortal.stop_from_external_thread()` was removed in AnyIO 3 (AttributeError): leave the `with start_blocking_portal()` block, or exit its context manager.',
  },
  fixTitles: {},
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
      "AnyIO 2.2's BlockingPortal stopped itself at the end of `with portal:`; in AnyIO 3 it is not a " +
      'context manager at all (TypeError). Use `with start_blocking_portal() as portal:`.',
    before: 'with portal:\n    portal.call(main)',
    after: 'with start_blocking_portal() as portal:\n    portal.call(main)',
  },
  messages: {
    notContextManager: '`BlockingPortal` is not a context manager in AnyIO 3 (TypeError): use `with start_blocking_portal() as portal:` instead.',
  },
  fixTitles: {},
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

function callArgs(call: Node | undefined): Node[] | undefined {
  return call?.childForFieldName('arguments')?.namedChildren.filter((a) => a && a.type !== 'comment') as Node[] | undefined;
}

function checkMovedThreadFunction(ctx: RuleContext): void {
  if (!mayContain(ctx, /run_sync_in_worker_thread|worker_thread_limiter|run_async_from_thread|run_sync_from_thread|create_blocking_portal/)) return;
  if (ctx.target === 'anyio2+3') return checkThreadsCompat(ctx);
  for (const { node, q } of findReferences(ctx, THREAD_RENAMES)) {
    let target = THREAD_RENAMES.get(q)!.to;
    const call = callOf(node);
    const args = callArgs(call);
    const ns = target === 'anyio.from_thread.run' && call ? nowSyncCallable(ctx, args?.[0]) : { kind: 'no' as const };
    // An unknown receiver of a now-sync method name: `run_sync` if it is the AnyIO object, `run` if
    // it is a user object with an async method of that name. Guess the likelier one, unsafely.
    if (ns.kind === 'proven' || (ns.kind === 'unknown' && !ns.ownAsync)) target = 'anyio.from_thread.run_sync';
    const { edits, imports } = respell(ctx.res, node, target);
    const params = { old: q.split('.').pop()!, new: target.slice('anyio.'.length) };
    const text =
      ns.kind === 'unknown'
        ? message(ASY401, ns.ownAsync ? 'unknownReceiverLookalike' : 'unknownReceiver', { ...params, receiver: ns.recv, method: ns.method })
        : message(ASY401, ns.kind === 'proven' ? 'nowSyncCallable' : call ? 'renameCall' : 'renameReference', params);
    ctx.report(ASY401, {
      node: call ?? node,
      token: nameToken(node),
      message: text,
      fix: { title: fixTitle(ASY401, ctx.target, 'useFunction', { name: params.new }), applicability: ns.kind === 'unknown' ? 'unsafe' : 'safe', edits, imports },
    });
  }
}

/** The 3.x spelling has no AnyIO 2 counterpart under these old names. */
function threadCompatBlocker(q: string): string | undefined {
  if (q.endsWith('.run_sync_from_thread'))
    return '`run_sync_from_thread()` never existed in AnyIO 2 (3.0 added it already deprecated): there is no cross-version name. Use `anyio.from_thread.run_sync()` and require AnyIO 3.';
  return undefined;
}

function checkThreadsCompat(ctx: RuleContext): void {
  const msg = (old: string, neu: string, lookalike = '') => message(ASY401, 'crossVersionImport', { old, new: neu, lookalike });
  const title = fixTitle(ASY401, ctx.target, 'crossVersionImport');
  for (const { stmt, item, name } of fromImportItems(ctx, 'anyio')) {
    const q = `anyio.${name}`;
    const rename = THREAD_RENAMES.get(q);
    if (!rename) continue;
    const blocker = threadCompatBlocker(q);
    const fix = compatImportItemFix(ctx, stmt, item, q, rename.to);
    ctx.report(ASY401, {
      node: item,
      token: nameToken(item),
      message: msg(name, rename.to.slice(6)),
      ...(blocker ? { noFixReason: blocker } : { fix: { title, applicability: 'safe' as const, ...fix } }),
    });
  }
  for (const { node, q } of findReferences(ctx, THREAD_RENAMES)) {
    const rename = THREAD_RENAMES.get(q)!;
    const call = callOf(node);
    const args = callArgs(call);
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
      token: nameToken(node),
      // Unknown receiver, and this module has its own `async def` of the method: the cross-version
      // import calls exactly what the original called on each version (safe), but if the receiver
      // is an AnyIO object after all the call fails on AnyIO 3 with or without the fix.
      message: msg(old, rename.to.slice(6), ns?.kind === 'unknown' && !blocker ? message(ASY401, 'crossVersionLookalike', { receiver: ns.recv, method: ns.method }) : ''),
      ...(site
        ? { fix: { title, applicability: 'safe' as const, edits: site.edits, imports: site.imports } }
        : { noFixReason: blocker ?? `The name \`${old}\` is already used for something else in this module.` }),
    });
  }
}

const PORTAL_FACTORIES = new Set(['anyio.start_blocking_portal', 'anyio.from_thread.start_blocking_portal']);

/** Every reference to `start_blocking_portal` (for ASY402 and ASY403, once per analysis). */
const portalReferences = perAnalysis((ctx) => (mayContain(ctx, 'blocking_portal') ? findReferences(ctx, PORTAL_FACTORIES) : []));

/** ASY402: `anyio.start_blocking_portal`. (Under anyio2+3 the top-level name is the cross-version one.) */
function checkTopLevelPortal(ctx: RuleContext): void {
  if (ctx.target === 'anyio2+3' || !mayContain(ctx, 'blocking_portal')) return;
  for (const imp of ctx.idx.imports) {
    const stmt = imp.stmt;
    if (stmt.type !== 'import_from_statement' || stmt.childForFieldName('module_name')?.text.replace(/\s+/g, '') !== 'anyio') continue;
    for (const item of stmt.childrenForFieldName('name')) {
      if (!item) continue;
      const name = item.type === 'aliased_import' ? item.childForFieldName('name')?.text : item.text;
      if (name !== 'start_blocking_portal') continue;
      const { edits, imports } = moveImportItem(stmt, item, 'anyio.from_thread');
      ctx.report(ASY402, {
        node: item,
        message: message(ASY402, 'importFromThread'),
        fix: { title: fixTitle(ASY402, ctx.target, 'importFromThread'), applicability: 'safe', edits, imports },
      });
    }
  }
  for (const { node, q } of portalReferences(ctx)) {
    if (q !== 'anyio.start_blocking_portal' || node.type !== 'attribute') continue;
    const { edits, imports } = respell(ctx.res, node, 'anyio.from_thread.start_blocking_portal');
    ctx.report(ASY402, { node, message: message(ASY402, 'useFromThread'), fix: { title: fixTitle(ASY402, ctx.target, 'useFromThread'), applicability: 'safe', edits, imports } });
  }
}

/** ASY403: `start_blocking_portal()` whose result is not entered as a context manager. */
function checkPortalNotContextManaged(ctx: RuleContext): void {
  for (const { node } of portalReferences(ctx)) {
    const call = callOf(node);
    if (!call || isWithItemValue(call)) continue;
    const p = parentThroughParens(call);
    if (p?.type === 'argument_list') continue; // handed to an exit stack or a helper
    if (p?.type === 'assignment' && p.childForFieldName('left')?.type === 'identifier' && isManagedLater(ctx, p.childForFieldName('left')!.text, p.endIndex)) continue;
    ctx.report(ASY403, {
      node: call,
      message: message(ASY403, 'notContextManaged'),
      noFixReason:
        "The portal's lifetime must be decided by hand: wrap its use in `with start_blocking_portal() as portal:`, or keep the context manager and call `__enter__()` / `__exit__(None, None, None)`.",
    });
  }
}

function checkStopFromExternalThread(ctx: RuleContext): void {
  for (const pc of portalCalls(ctx)) {
    if (pc.method !== 'stop_from_external_thread') continue;
    portalReporter(ctx, pc)(ASY404, {
      node: pc.call,
      message: message(ASY404, 'removed'),
      noFixReason:
        'How to stop the portal depends on how it was started: leave the `with start_blocking_portal() as portal:` block, or call `cm.__exit__(None, None, None)` on its context manager.',
    });
  }
}

/** ASY405: `with portal:`. */
function checkPortalAsContextManager(ctx: RuleContext): void {
  for (const stmt of mayContain(ctx, /BlockingPortal|blocking_portal/) ? ctx.idx.withs : []) {
    if (stmt.child(0)?.type === 'async') continue;
    const clause = stmt.namedChildren.find((c) => c?.type === 'with_clause');
    for (const it of clause?.namedChildren ?? []) {
      if (it?.type !== 'with_item') continue;
      const v = it.childForFieldName('value');
      const expr = v ? unparen(v.type === 'as_pattern' ? (v.namedChild(0) ?? v) : v) : undefined;
      if (!expr || expr.type === 'call') continue;
      const t = ctx.res.typeOf(expr);
      if (t.k === 'anyio' && t.cls === 'BlockingPortal') {
        ctx.report(ASY405, {
          node: it,
          message: message(ASY405, 'notContextManager'),
          noFixReason: 'Start the portal with `with anyio.from_thread.start_blocking_portal() as portal:`, or stop it with `portal.call(portal.stop)`.',
        });
      }
    }
  }
}

const rules: Rule[] = [
  { meta: ASY401, check: checkMovedThreadFunction },
  { meta: ASY402, check: checkTopLevelPortal },
  { meta: ASY403, check: checkPortalNotContextManaged },
  { meta: ASY404, check: checkStopFromExternalThread },
  { meta: ASY405, check: checkPortalAsContextManager },
];

export const asy4 = family(rules);
