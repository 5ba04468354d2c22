/**
 * ASY2xx: synchronisation factories that became classes (ASY201: rows B1, B3, B5, B9, B11) and
 * async context managers that became plain ones (ASY202, ASY203: rows C1, C2, C4, C5, G1):
 * `create_event()`, `open_cancel_scope()`, `async with move_on_after()`, ...
 */
import { FACTORY_RENAMES } from '../core/anyio-api';
import type { Node } from '../core/parser';
import type { Edit, ImportRequest, RuleMeta } from '../core/types';
import { family, fixTitle, mayContain, message, perAnalysis, type Rule, type RuleContext } from './context';
import { callOf } from './helpers/syntax';
import { findReferences, fromImportItems } from './helpers/references';
import { respell } from './helpers/edits';
import { nameToken, nodeToken } from './helpers/token';
import { compatImportItemFix, compatSiteFix, CROSS_VERSION_IMPORT_TITLE, spellShim } from './helpers/cross-version';
import { asyncWithOf, classifyItems, splitEdits, withParts } from './helpers/with-statements';

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
  messages: {
    useClass: '`{factory}()` is deprecated in AnyIO 3 and removed in AnyIO 4: use `{cls}(...)` directly.',
    useClassInitialValue: '`{factory}()` is deprecated in AnyIO 3 and removed in AnyIO 4: use `{cls}(initial_value=...)` directly.',
    passClass: '`{factory}` is deprecated in AnyIO 3 and removed in AnyIO 4: pass the class `{cls}` instead.',
    passClassUnsafe: '`{factory}` is deprecated in AnyIO 3 and removed in AnyIO 4: pass the class `{cls}` instead (callers passing `value=` must use `initial_value=`).',
    crossVersionImport:
      '`{factory}()` is deprecated in AnyIO 3 and removed in AnyIO 4. To support AnyIO 2 and 3, import `{cls}` as `{factory}` on AnyIO 3 and fall back to `{factory}` on AnyIO 2.',
    positionalValue: '`create_semaphore(value=...)`: the keyword is `initial_value` on AnyIO 3; pass the value positionally to support AnyIO 2 and 3.',
  },
  fixTitles: {
    anyio3: { useClass: 'Use `{cls}` directly' },
    'anyio2+3': { ...CROSS_VERSION_IMPORT_TITLE, passPositionally: 'Pass the value positionally (AnyIO 2 and 3)' },
  },
};

export const ASY202: RuleMeta = {
  code: 'ASY202',
  name: 'open-cancel-scope',
  summary: '`async with open_cancel_scope()` → `with CancelScope()`',
  rows: ['C1'],
  fixTitle: 'Use `CancelScope` (with a plain `with`)',
  fixAvailability: 'always',
  compatFixAvailability: 'sometimes',
  fixSafety: 'Safe: `CancelScope()` takes the same `shield=` keyword; the `async` is dropped when every item of the `with` is a plain context manager.',
  defaultSeverity: 'warning',
  deprecated: true,
  docs: {
    why: '`open_cancel_scope()` is deprecated in AnyIO 3 (removed in 4): instantiate `CancelScope` ' + 'directly. CancelScope is a plain (synchronous) context manager in AnyIO 3.',
    before: 'async with anyio.open_cancel_scope(shield=True) as scope:\n    ...',
    after: 'with anyio.CancelScope(shield=True) as scope:\n    ...',
  },
  messages: {
    useCancelScope: '`open_cancel_scope()` is deprecated in AnyIO 3 and removed in AnyIO 4: use `CancelScope()`.',
    useCancelScopeWith: '`open_cancel_scope()` is deprecated in AnyIO 3 and removed in AnyIO 4: use `CancelScope()` with a plain `with`.',
    crossVersionImport:
      '`open_cancel_scope()` is deprecated in AnyIO 3 and removed in AnyIO 4; AnyIO 2 has no `CancelScope`. To support AnyIO 2 and 3, import `CancelScope` with a fallback to `open_cancel_scope`.',
    crossVersionImportCm:
      '`open_cancel_scope()` is deprecated in AnyIO 3 and removed in AnyIO 4; AnyIO 2 has no `CancelScope`. To support AnyIO 2 and 3, import `CancelScope` with a fallback to `open_cancel_scope` and enter it with `async with maybe_async_cm(...)`.',
  },
  fixTitles: {
    anyio3: { useCancelScopeWith: 'Use `CancelScope` (with a plain `with`)', useCancelScope: 'Use `CancelScope`' },
    'anyio2+3': { ...CROSS_VERSION_IMPORT_TITLE, crossVersionImportCm: 'Use a cross-version import and `maybe_async_cm()` (AnyIO 2 and 3)' },
  },
};

export const ASY203: RuleMeta = {
  code: 'ASY203',
  name: 'async-with-sync-context-manager',
  summary: '`async with` on `CancelScope`, `move_on_after()`, `fail_after()`, `open_signal_receiver()` → `with`',
  rows: ['C2', 'C4', 'C5', 'G1'],
  fixTitle: 'Use a plain `with`',
  fixAvailability: 'sometimes',
  fixSafety:
    'Safe. When the same `async with` also enters asynchronous context managers, the statement is ' +
    'split into nested `with` / `async with` statements (keeping the order of entry) and the body is ' +
    're-indented. No fix when the body is on the header line.',
  defaultSeverity: 'warning',
  deprecated: true,
  docs: {
    why:
      'These are plain context managers in AnyIO 3: `async with` still works with a ' +
      'DeprecationWarning, and is a TypeError in AnyIO 4. `open_signal_receiver()` belongs here too ' +
      '(the official guide files it under "remove the await"); its `async for` loop is unchanged.',
    before: 'async with anyio.move_on_after(1), lock:\n    await work()',
    after: 'with anyio.move_on_after(1):\n    async with lock:\n        await work()',
  },
  messages: {
    one: 'is a plain context manager',
    many: 'are plain context managers',
    partial:
      '{names} {kind} in AnyIO 3: `async with` on {pronoun} is deprecated (a TypeError in AnyIO 4), but only some branches of the conditional expression are proven to be one.',
    plainWith: '{names} {kind} in AnyIO 3: `async with` is deprecated (a TypeError in AnyIO 4). Use `with`.',
    split: '{names} {kind} in AnyIO 3, but this `async with` also enters asynchronous ones: split it into nested `with` and `async with` statements.',
    maybeAsyncCm: '{names} {kind} in AnyIO 3: `async with` on {pronoun} is deprecated. To support AnyIO 2 and 3, wrap {each} in `maybe_async_cm()`.',
  },
  fixTitles: {
    anyio3: { plainWith: 'Use a plain `with`', split: 'Split into nested `with` / `async with`' },
    'anyio2+3': { maybeAsyncCm: 'Wrap in `maybe_async_cm()` (AnyIO 2 and 3)' },
  },
};

/** AnyIO 2 and 3: a cross-version import binds the factory's name to the class on 3.x. */
function checkFactoriesCompat(ctx: RuleContext): void {
  const compatMessage = (factory: string, cls: string) => message(ASY201, 'crossVersionImport', { factory, cls });
  const title = fixTitle(ASY201, ctx.target, 'crossVersionImport');
  for (const { stmt, item, name } of fromImportItems(ctx, 'anyio')) {
    const target = FACTORY_RENAMES.get(`anyio.${name}`);
    if (!target) continue;
    const fix = compatImportItemFix(ctx, stmt, item, `anyio.${name}`, target);
    ctx.report(ASY201, { node: item, token: nameToken(item), message: compatMessage(name, target.slice(6)), fix: { title, applicability: 'safe', ...fix } });
  }
  for (const { node, q } of findReferences(ctx, FACTORY_RENAMES)) {
    const factory = q.slice('anyio.'.length);
    const call = callOf(node);
    // `create_semaphore(value=2)`: `Semaphore` calls it `initial_value`; positional works on both.
    const kw =
      factory === 'create_semaphore' && call
        ? call.childForFieldName('arguments')?.namedChildren.find((a) => a?.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'value')
        : undefined;
    const kwEdits = kw ? [{ start: kw.startIndex, end: kw.childForFieldName('value')!.startIndex, text: '' }] : [];
    if (node.type === 'identifier' && !kw) continue; // covered by the import's fix
    const site = compatSiteFix(ctx, node, q, FACTORY_RENAMES.get(q)!);
    if (node.type === 'attribute' && !site) {
      ctx.report(ASY201, {
        node: call ?? node,
        token: nameToken(node),
        message: compatMessage(factory, FACTORY_RENAMES.get(q)!.slice(6)),
        noFixReason: `The name \`${factory}\` is already used for something else in this module.`,
      });
      continue;
    }
    ctx.report(ASY201, {
      node: call ?? node,
      token: nameToken(node),
      message: kw && !site ? message(ASY201, 'positionalValue') : compatMessage(factory, FACTORY_RENAMES.get(q)!.slice(6)),
      fix: {
        title: site ? title : fixTitle(ASY201, ctx.target, 'passPositionally'),
        applicability: 'safe',
        edits: [...(site?.edits ?? []), ...kwEdits],
        imports: site?.imports ?? [],
      },
    });
  }
}

function checkFactories(ctx: RuleContext): void {
  if (!mayContain(ctx, /create_(event|lock|condition|semaphore|capacity_limiter)/)) return;
  if (ctx.target === 'anyio2+3') return checkFactoriesCompat(ctx);
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
    const key = call ? (factory === 'create_semaphore' && extra.length ? 'useClassInitialValue' : 'useClass') : applicability === 'unsafe' ? 'passClassUnsafe' : 'passClass';
    ctx.report(ASY201, {
      node: call ?? node,
      token: nameToken(node),
      message: message(ASY201, key, { factory, cls }),
      fix: { title: fixTitle(ASY201, ctx.target, 'useClass', { cls }), applicability, edits: [...edits, ...extra], imports },
    });
  }
}

const OPEN_CANCEL_SCOPE = new Set(['anyio.open_cancel_scope']);

/** The names ASY202 and ASY203 look for occur in the text (always true with the prefilters off). */
function mayHaveCancelScopes(ctx: RuleContext): boolean {
  return mayContain(ctx, /CancelScope|open_cancel_scope|move_on_after|fail_after|open_signal_receiver|cancel_scope/);
}

function mayOpenCancelScope(ctx: RuleContext): boolean {
  return mayContain(ctx, 'open_cancel_scope');
}

/**
 * AnyIO 2 and 3 (row C1 in the 2.2.0 audit): AnyIO 2 has no `CancelScope`, so the name comes from a
 * cross-version import (`CancelScope` on 3.x, `open_cancel_scope` on 2.x; both take `shield=`), and
 * `async with` enters it through `maybe_async_cm()`. A from-imported name is fixed at its import
 * (the name then means `CancelScope` on 3.x), an `anyio.open_cancel_scope` site is respelled.
 */
function checkOpenCancelScopeCompat(ctx: RuleContext): void {
  const key = (inAsyncWith: boolean) => (inAsyncWith ? 'crossVersionImportCm' : 'crossVersionImport');
  for (const { stmt, item, name } of fromImportItems(ctx, 'anyio')) {
    if (name !== 'open_cancel_scope') continue;
    const fix = compatImportItemFix(ctx, stmt, item, 'anyio.open_cancel_scope', 'anyio.CancelScope');
    ctx.report(ASY202, {
      node: item,
      token: nameToken(item),
      message: message(ASY202, key(false)),
      fix: { title: fixTitle(ASY202, ctx.target, key(false)), applicability: 'safe', ...fix },
    });
  }
  for (const { node } of findReferences(ctx, OPEN_CANCEL_SCOPE)) {
    const call = callOf(node);
    const inAsyncWith = !!asyncWithOf(call);
    const edits: Edit[] = [];
    const imports: ImportRequest[] = [];
    if (node.type === 'attribute') {
      const site = compatSiteFix(ctx, node, 'anyio.open_cancel_scope', 'anyio.CancelScope');
      if (!site) {
        ctx.report(ASY202, {
          node: call ?? node,
          token: nameToken(node),
          message: message(ASY202, key(inAsyncWith)),
          noFixReason: 'The name `anyio_open_cancel_scope` is already used for something else in this module.',
        });
        continue;
      }
      edits.push(...site.edits);
      imports.push(...site.imports);
    } else if (!inAsyncWith) continue; // a bare name: covered by its import's fix
    if (inAsyncWith && call) {
      const shim = spellShim(ctx, 'maybe_async_cm', call);
      edits.push({ start: call.startIndex, end: call.startIndex, text: `${shim.text}(` }, { start: call.endIndex, end: call.endIndex, text: ')' });
      imports.push(...shim.imports);
    }
    ctx.report(ASY202, {
      node: call ?? node,
      token: nameToken(node),
      message: message(ASY202, key(inAsyncWith)),
      fix: { title: fixTitle(ASY202, ctx.target, key(inAsyncWith)), applicability: 'safe', edits, imports },
    });
  }
}

interface OpenCancelScopeSite {
  node: Node;
  call: Node | undefined;
  edits: Edit[];
  imports: ImportRequest[];
  /** The `async with` statement whose `async` the fix drops (every item a plain CM): ASY203 leaves it alone. */
  dropsAsyncOf?: Node;
}

/** `anyio3`: every reference to `open_cancel_scope` and its fix (computed once per analysis, for ASY202 and ASY203). */
const openCancelScopeSites = perAnalysis((ctx): OpenCancelScopeSite[] => {
  if (ctx.target !== 'anyio3' || !mayHaveCancelScopes(ctx) || !mayOpenCancelScope(ctx)) return [];
  const out: OpenCancelScopeSite[] = [];
  for (const { node } of findReferences(ctx, OPEN_CANCEL_SCOPE)) {
    const { edits, imports } = respell(ctx.res, node, 'anyio.CancelScope');
    const call = callOf(node);
    // Inside `async with` where every item is a plain CM: drop the `async` too.
    const item =
      call?.parent?.type === 'with_item' ? call.parent : call?.parent?.type === 'as_pattern' && call.parent.parent?.type === 'with_item' ? call.parent.parent : undefined;
    const stmt = item?.parent?.parent;
    let dropsAsyncOf: Node | undefined;
    if (stmt?.type === 'with_statement') {
      const parts = withParts(stmt);
      if (parts.asyncKw && parts.withKw && parts.clause && classifyItems(ctx, parts.clause).every((i) => i.sync)) {
        edits.push({ start: parts.asyncKw.startIndex, end: parts.withKw.startIndex, text: '' });
        dropsAsyncOf = stmt;
      }
    }
    out.push({ node, call, edits, imports, ...(dropsAsyncOf ? { dropsAsyncOf } : {}) });
  }
  return out;
});

function checkOpenCancelScope(ctx: RuleContext): void {
  if (!mayHaveCancelScopes(ctx)) return;
  if (ctx.target === 'anyio2+3' && mayOpenCancelScope(ctx)) checkOpenCancelScopeCompat(ctx);
  for (const { node, call, edits, imports, dropsAsyncOf } of openCancelScopeSites(ctx)) {
    const key = dropsAsyncOf ? 'useCancelScopeWith' : 'useCancelScope';
    ctx.report(ASY202, {
      node: call ?? node,
      token: nameToken(node),
      message: message(ASY202, key),
      fix: { title: fixTitle(ASY202, ctx.target, key), applicability: 'safe', edits, imports },
    });
  }
}

/** ASY203: `async with` entering plain context managers. */
function checkAsyncWithPlainCm(ctx: RuleContext): void {
  if (!mayHaveCancelScopes(ctx)) return;
  const claimed = new Set(openCancelScopeSites(ctx).flatMap((s) => (s.dropsAsyncOf ? [s.dropsAsyncOf.id] : [])));
  for (const stmt of ctx.idx.withs) {
    if (claimed.has(stmt.id)) continue;
    const parts = withParts(stmt);
    if (!parts.asyncKw || !parts.withKw || !parts.clause || !parts.colon || !parts.body) continue;
    const items = classifyItems(ctx, parts.clause);
    const syncItems = items.filter((i) => i.sync);
    const partial = items.filter((i) => i.partial);
    if (syncItems.length === 0 && partial.length === 0) continue;
    const allSync = syncItems.length === items.length;
    // A statement whose only plain CMs are open_cancel_scope() calls is ASY202's.
    if (allSync && syncItems.every((i) => i.openCancelScope)) continue;
    const describe = (e: Node) => '`' + (e.type === 'call' ? `${(e.childForFieldName('function')?.text ?? '').split('.').pop()}()` : e.text) + '`';
    const names = [...new Set([...syncItems, ...partial].flatMap((i) => i.syncExprs.map(describe)))].join(', ');
    const kind = (many: boolean) => message(ASY203, many ? 'many' : 'one');
    const range = { start: stmt.startIndex, end: parts.colon.endIndex };
    if (partial.length) {
      // `async with (anyio.fail_after(1) if c else other()):` — `with` would break the other branch.
      const several = partial.length + syncItems.length > 1;
      ctx.report(ASY203, {
        ...range,
        token: nodeToken(parts.asyncKw),
        message: message(ASY203, 'partial', { names, kind: kind(partial.some((i) => i.syncExprs.length > 1) || several), pronoun: several ? 'them' : 'it' }),
        noFixReason:
          'Only some branches of the conditional expression are plain AnyIO context managers; a plain `with` would break the others. Split the statement on the condition by hand.',
      });
      continue;
    }
    const plural = syncItems.length > 1 || syncItems.some((i) => i.syncExprs.length > 1);
    if (ctx.target === 'anyio2+3') {
      const wrapped = syncItems.filter((i) => !i.openCancelScope);
      if (wrapped.length === 0) continue;
      const shim = spellShim(ctx, 'maybe_async_cm', stmt);
      ctx.report(ASY203, {
        ...range,
        token: nodeToken(parts.asyncKw),
        message: message(ASY203, 'maybeAsyncCm', { names, kind: kind(plural), pronoun: plural ? 'them' : 'it', each: syncItems.length > 1 ? 'each' : 'it' }),
        fix: {
          title: fixTitle(ASY203, ctx.target, 'maybeAsyncCm'),
          applicability: 'safe',
          edits: wrapped.flatMap((i) => [
            { start: i.expr.startIndex, end: i.expr.startIndex, text: `${shim.text}(` },
            { start: i.expr.endIndex, end: i.expr.endIndex, text: ')' },
          ]),
          imports: shim.imports,
        },
      });
      continue;
    }
    if (allSync) {
      ctx.report(ASY203, {
        ...range,
        token: nodeToken(parts.asyncKw),
        message: message(ASY203, 'plainWith', { names, kind: kind(plural) }),
        fix: { title: fixTitle(ASY203, ctx.target, 'plainWith'), applicability: 'safe', edits: [{ start: parts.asyncKw.startIndex, end: parts.withKw.startIndex, text: '' }] },
      });
      continue;
    }
    const parenthesized = parts.clause.children.some((c) => c?.type === '(');
    const edits = parenthesized ? undefined : splitEdits(ctx, stmt, items, parts.colon, parts.body);
    ctx.report(ASY203, {
      ...range,
      token: nodeToken(parts.asyncKw),
      message: message(ASY203, 'split', { names, kind: kind(plural) }),
      ...(edits
        ? { fix: { title: fixTitle(ASY203, ctx.target, 'split'), applicability: 'safe' as const, edits } }
        : {
            noFixReason: parenthesized
              ? 'The items are in parentheses; split the statement by hand into nested `with` and `async with` statements.'
              : 'The body is on the same line as the header; move it to its own lines, then apply the fix.',
          }),
    });
  }
}

const rules: Rule[] = [
  { meta: ASY201, check: checkFactories },
  { meta: ASY202, check: checkOpenCancelScope },
  { meta: ASY203, check: checkAsyncWithPlainCm },
];

export const asy2 = family(rules);
