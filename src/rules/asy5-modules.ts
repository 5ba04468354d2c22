/**
 * ASY5xx: modules, typing and backends (rows H1, H2, H3, H6, H7, B18, F11): private `anyio.abc`
 * submodules, socket classes that stopped being generic, the curio backend, the `anyio.abc`
 * aliases, `TestRunner.call()`, and uvloop no longer the default.
 */
import { ABC_ALIASES, ABC_NOT_REEXPORTED, NON_GENERIC_CLASSES, PRIVATE_ABC_SUBMODULES } from '../core/anyio-api';
import type { Node } from '../core/parser';
import type { Edit, RuleMeta } from '../core/types';
import { family, fixTitle, mayContain, message, type Rule, type RuleContext } from './context';
import { isLoadReference } from './helpers/syntax';
import { findReferences } from './helpers/references';
import { moveImportItem, removeListElement, respell } from './helpers/edits';
import { stringAnnotations } from './helpers/string-annotations';
import { curioBackends } from './helpers/backends';

const ABC_TITLES = { importFromAbc: 'Import from `anyio.abc`', useAbc: 'Use `anyio.abc`' };
const SUBSCRIPT_TITLES = { dropSubscript: 'Drop the subscript' };
const CURIO_TITLES = { removeCurio: 'Remove the curio backend', useAsyncio: 'Use the asyncio backend' };
const UVLOOP_TITLES = { useUvloop: 'Pass `backend_options={"use_uvloop": True}`' };

export const ASY501: RuleMeta = {
  code: 'ASY501',
  name: 'private-abc-submodule',
  summary: '`from anyio.abc.sockets import X` → `from anyio.abc import X`',
  rows: ['H1'],
  fixTitle: 'Import from `anyio.abc`',
  fixAvailability: 'sometimes',
  fixSafety: 'Safe: `anyio.abc` re-exports every public name of those modules. No fix when a name it does not export (`SockAddrType`, the TypeVars) is imported.',
  defaultSeverity: 'error',
  deprecated: false,
  docs: {
    why:
      'The eight `anyio.abc` submodules of AnyIO 2 (resources, sockets, streams, subprocesses, ' +
      'synchronization, tasks, testing, threads) became private in AnyIO 3: importing them raises ' +
      'ModuleNotFoundError. Only the changelog mentions it.',
    before: 'from anyio.abc.sockets import SocketStream',
    after: 'from anyio.abc import SocketStream',
  },
  messages: {
    fromSubmodule: '`anyio.abc.{submodule}` is private in AnyIO 3 (ModuleNotFoundError): import from `anyio.abc`.',
    importSubmodule: '`{module}` is private in AnyIO 3 (ModuleNotFoundError): use `anyio.abc`.',
  },
  // The same fix on both targets: `anyio.abc` has these names on AnyIO 2 as well.
  fixTitles: { anyio3: ABC_TITLES, 'anyio2+3': ABC_TITLES },
  // `import anyio.abc.sockets` is fixed together with every `anyio.abc.sockets.X` of the file.
  crossScope: true,
};

export const ASY502: RuleMeta = {
  code: 'ASY502',
  name: 'generic-socket-stream',
  summary: '`SocketStream[...]`, `SocketListener[...]` are not generic any more',
  rows: ['H2'],
  fixTitle: 'Drop the subscript',
  fixAvailability: 'always',
  fixSafety: 'Safe: the class is resolved to AnyIO. (`SocketStream[str]` meant a UNIX socket: consider `UNIXSocketStream`.)',
  defaultSeverity: 'error',
  deprecated: false,
  docs: {
    why:
      '`SocketStream`, `SocketListener` and `UNIXSocketStream` were generic in AnyIO 2 and are not in ' +
      'AnyIO 3: subscripting them raises TypeError wherever the annotation is evaluated (no ' +
      '`from __future__ import annotations`). `ObjectStream[T]`, `Listener[T]` and the memory streams ' +
      'stay generic.',
    before: 'async def handle(stream: SocketStream[IPSockAddrType]) -> None: ...',
    after: 'async def handle(stream: SocketStream) -> None: ...',
  },
  messages: {
    notGeneric: '`{cls}` is not generic in AnyIO 3: `{cls}[...]` raises TypeError when evaluated{where}. Drop the subscript{hint}.',
    inStringAnnotation: ' (here by `typing.get_type_hints()`)',
    unixHint: ' (for a UNIX socket, use `UNIXSocketStream`)',
  },
  fixTitles: { anyio3: SUBSCRIPT_TITLES, 'anyio2+3': SUBSCRIPT_TITLES },
};

export const ASY503: RuleMeta = {
  code: 'ASY503',
  name: 'curio-backend',
  summary: 'The curio backend was dropped',
  rows: ['H3'],
  fixTitle: 'Remove / replace the curio backend',
  fixAvailability: 'sometimes',
  fixSafety:
    'Safe where `"curio"` is one entry of a list of backends (it is removed). Unsafe where it is the ' +
    'only backend (`anyio.run(..., backend="curio")`, an `anyio_backend` fixture returning it): it ' +
    'becomes `"asyncio"`, which changes the event loop the code runs on.',
  defaultSeverity: 'error',
  deprecated: false,
  docs: {
    why: 'AnyIO 3 has no curio backend: `anyio.run(..., backend="curio")` raises LookupError, and a pytest `anyio_backend` of "curio" fails with ModuleNotFoundError.',
    before: '@pytest.fixture(params=["asyncio", "trio", "curio"])\ndef anyio_backend(request):\n    return request.param',
    after: '@pytest.fixture(params=["asyncio", "trio"])\ndef anyio_backend(request):\n    return request.param',
  },
  messages: {
    removeEntry: 'AnyIO 3 has no curio backend: remove it from the backends to test.',
    onlyBackend: 'AnyIO 3 has no curio backend.',
    useAsyncio: 'AnyIO 3 has no curio backend (LookupError / ModuleNotFoundError): use "asyncio" or "trio".',
  },
  fixTitles: { anyio3: CURIO_TITLES, 'anyio2+3': CURIO_TITLES },
};

export const ASY504: RuleMeta = {
  code: 'ASY504',
  name: 'abc-alias',
  summary: '`anyio.abc.Event/Lock/Condition/Semaphore/CapacityLimiter/BlockingPortal` → their real homes',
  rows: ['B18', 'F11'],
  fixTitle: 'Use the concrete class',
  fixAvailability: 'always',
  fixSafety: 'Safe: `anyio.abc.Event is anyio.Event` in AnyIO 3. Reported as information: the aliases still work (also in AnyIO 4).',
  defaultSeverity: 'info',
  deprecated: false,
  docs: {
    why: 'In AnyIO 3 these are concrete classes in `anyio` (and `anyio.from_thread.BlockingPortal`), ' + 'no longer abstract classes; the `anyio.abc` names are kept as aliases.',
    before: 'from anyio.abc import Event',
    after: 'from anyio import Event',
  },
  messages: {
    importFrom: '`anyio.abc.{name}` is an alias of `{target}` in AnyIO 3: import it from `{module}`.',
    alias: '`{name}` is an alias of `{target}` in AnyIO 3.',
  },
  fixTitles: { anyio3: { importFrom: 'Import `{name}` from `{module}`', use: 'Use `{name}`' } },
};

export const ASY505: RuleMeta = {
  code: 'ASY505',
  name: 'test-runner-call',
  summary: '`TestRunner.call()` was replaced (backend implementers)',
  rows: ['H7'],
  fixTitle: 'No automatic fix',
  fixAvailability: 'never',
  fixSafety: 'No automatic fix: the new methods have different contracts.',
  defaultSeverity: 'warning',
  deprecated: false,
  docs: {
    why: '`anyio.abc.TestRunner.call()` was removed in AnyIO 3.6: implement `run_test()`, `run_fixture()` and `run_asyncgen_fixture()`.',
    before: 'class Runner(TestRunner):\n    def call(self, func, *args, **kwargs): ...',
    after: 'class Runner(TestRunner):\n    def run_test(self, test_func, kwargs): ...',
  },
  messages: {
    callReplaced: '`TestRunner.call()` is no longer used by AnyIO 3.6+: implement `run_test()`, `run_fixture()` and `run_asyncgen_fixture()`.',
  },
  fixTitles: {},
};

export const ASY506: RuleMeta = {
  code: 'ASY506',
  name: 'uvloop-default',
  summary: '`anyio.run()` in a module that uses uvloop: AnyIO 3.2+ no longer enables it by default',
  rows: ['H6'],
  fixTitle: 'Pass `backend_options={"use_uvloop": True}`',
  fixAvailability: 'sometimes',
  fixSafety: 'Safe: the option exists in every AnyIO 3 release and keeps the event loop the program had on AnyIO 2. No fix when `backend_options` is already passed.',
  defaultSeverity: 'info',
  deprecated: false,
  docs: {
    why:
      'AnyIO 2 used uvloop automatically when it was installed; since AnyIO 3.2 the default of ' +
      '`use_uvloop` is False. Code that imports uvloop (a sign it relies on it) silently runs on ' +
      'the slower default loop after upgrading.',
    before: 'import uvloop\nanyio.run(main)',
    after: 'import uvloop\nanyio.run(main, backend_options={"use_uvloop": True})',
  },
  messages: {
    useUvloop: 'AnyIO 3.2+ no longer uses uvloop by default (AnyIO 2 did when it was installed): pass `backend_options={"use_uvloop": True}` to keep it.',
  },
  fixTitles: { anyio3: UVLOOP_TITLES, 'anyio2+3': UVLOOP_TITLES },
};

function checkUvloop(ctx: RuleContext): void {
  if (!ctx.idx.importsAnyio || !mayContain(ctx, 'uvloop') || !ctx.idx.imports.some((i) => /^(import|from)\s+uvloop\b/.test(i.stmt.text))) return;
  for (const call of ctx.idx.calls) {
    const fn = call.childForFieldName('function');
    if (!fn || !fn.text.endsWith('run') || ctx.res.qualifiedOf(fn) !== 'anyio.run') continue;
    const args = call.childForFieldName('arguments');
    const kws = (args?.namedChildren ?? []).filter((a) => a?.type === 'keyword_argument') as Node[];
    const backend = kws.find((k) => k.childForFieldName('name')?.text === 'backend')?.childForFieldName('value');
    if (backend && !/^['"]asyncio['"]$/.test(backend.text)) continue;
    const options = kws.find((k) => k.childForFieldName('name')?.text === 'backend_options');
    if (options && /use_uvloop/.test(options.text)) continue;
    const close = args!.lastChild!;
    const lastArg = (args!.namedChildren.filter((a) => a && a.type !== 'comment') as Node[]).at(-1);
    ctx.report(ASY506, {
      node: call,
      message: message(ASY506, 'useUvloop'),
      ...(options || !lastArg || close.type !== ')'
        ? { noFixReason: 'Add `"use_uvloop": True` to the `backend_options` passed here.' }
        : {
            fix: {
              title: fixTitle(ASY506, ctx.target, 'useUvloop'),
              applicability: 'safe' as const,
              edits: [{ start: lastArg.endIndex, end: lastArg.endIndex, text: ', backend_options={"use_uvloop": True}' }],
            },
          }),
    });
  }
}

function checkAbcSubmodules(ctx: RuleContext): void {
  if (!ctx.idx.importsAnyio || !mayContain(ctx, 'anyio.abc.')) return;
  for (const imp of ctx.idx.imports) {
    const stmt = imp.stmt;
    if (stmt.type === 'import_from_statement') {
      const mod = stmt.childForFieldName('module_name');
      const m = mod && /^anyio\.abc\.(\w+)$/.exec(mod.text.replace(/\s+/g, ''));
      if (!mod || !m || !PRIVATE_ABC_SUBMODULES.has(m[1]!)) continue;
      const names = (stmt.childrenForFieldName('name').filter(Boolean) as Node[]).map((i) => (i.type === 'aliased_import' ? i.childForFieldName('name')!.text : i.text));
      const missing = names.filter((n) => ABC_NOT_REEXPORTED.has(n));
      const wildcard = names.length === 0;
      ctx.report(ASY501, {
        node: mod,
        message: message(ASY501, 'fromSubmodule', { submodule: m[1]! }),
        ...(missing.length || wildcard
          ? {
              noFixReason: wildcard
                ? 'A wildcard import cannot be checked name by name: import the names you use from `anyio.abc`.'
                : `\`anyio.abc\` does not export ${missing.map((n) => `\`${n}\``).join(', ')}: define ${missing.length > 1 ? 'them' : 'it'} locally (e.g. \`SockAddrType = Union[IPSockAddrType, str]\`), then import the rest from \`anyio.abc\`.`,
            }
          : {
              fix: {
                title: fixTitle(ASY501, ctx.target, 'importFromAbc'),
                applicability: 'safe' as const,
                edits: [{ start: mod.startIndex, end: mod.endIndex, text: 'anyio.abc' }],
              },
            }),
      });
    } else {
      for (const item of stmt.namedChildren) {
        const dotted = item?.type === 'aliased_import' ? item.childForFieldName('name') : item?.type === 'dotted_name' ? item : null;
        const m = dotted && /^anyio\.abc\.(\w+)$/.exec(dotted.text.replace(/\s+/g, ''));
        if (!dotted || !m || !PRIVATE_ABC_SUBMODULES.has(m[1]!)) continue;
        const sub = `anyio.abc.${m[1]}`;
        const edits: Edit[] = [{ start: dotted.startIndex, end: dotted.endIndex, text: 'anyio.abc' }];
        let blocked: string | undefined;
        if (item!.type === 'dotted_name') {
          // `import anyio.abc.sockets` binds `anyio`: rewrite `anyio.abc.sockets.X` uses to `anyio.abc.X`.
          for (const a of ctx.idx.attributes) {
            if (ctx.res.qualifiedOf(a) !== sub) continue;
            const parent = a.parent;
            const attrName = parent?.type === 'attribute' ? parent.childForFieldName('attribute')?.text : undefined;
            if (attrName && ABC_NOT_REEXPORTED.has(attrName)) blocked = attrName;
            const obj = a.childForFieldName('object')!;
            edits.push({ start: obj.endIndex, end: a.endIndex, text: '' });
          }
        }
        ctx.report(ASY501, {
          node: dotted,
          message: message(ASY501, 'importSubmodule', { module: sub }),
          ...(blocked
            ? { noFixReason: `\`anyio.abc\` does not export \`${blocked}\`: define it locally, then import \`anyio.abc\`.` }
            : { fix: { title: fixTitle(ASY501, ctx.target, 'useAbc'), applicability: 'safe' as const, edits } }),
        });
      }
    }
  }
}

function reportGeneric(ctx: RuleContext, node: Node, anchor: Node | undefined, offset: number): void {
  if (!/Socket|Listener/.test(node.text)) return;
  const base = node.type === 'subscript' ? node.childForFieldName('value') : node.namedChild(0);
  if (!base) return;
  const q = ctx.res.qualifiedOf(base, 0, anchor);
  if (!q || !NON_GENERIC_CLASSES.has(q)) return;
  const cls = q.split('.').pop()!;
  ctx.report(ASY502, {
    start: offset + node.startIndex,
    end: offset + node.endIndex,
    message: message(ASY502, 'notGeneric', {
      cls,
      where: anchor ? message(ASY502, 'inStringAnnotation') : '',
      hint: cls === 'SocketStream' && /\[\s*str\s*\]$/.test(node.text) ? message(ASY502, 'unixHint') : '',
    }),
    fix: { title: fixTitle(ASY502, ctx.target, 'dropSubscript'), applicability: 'safe', edits: [{ start: offset + base.endIndex, end: offset + node.endIndex, text: '' }] },
  });
}

function checkGenericSockets(ctx: RuleContext): void {
  if (!ctx.idx.importsAnyio || !mayContain(ctx, /Socket|Listener/)) return;
  for (const node of ctx.idx.subscripts) reportGeneric(ctx, node, undefined, 0);
  for (const { anchor, expr, offset } of stringAnnotations(ctx)) {
    for (const node of expr.descendantsOfType(['subscript', 'generic_type'])) if (node) reportGeneric(ctx, node, anchor, offset);
  }
}

function checkCurio(ctx: RuleContext): void {
  if (!mayContain(ctx, 'curio')) return;
  for (const site of curioBackends(ctx)) {
    if (site.kind === 'value') {
      const s = site.node;
      const edits = [{ start: s.startIndex, end: s.endIndex, text: s.text.replace('curio', 'asyncio') }];
      ctx.report(ASY503, { node: s, message: message(ASY503, 'useAsyncio'), fix: { title: fixTitle(ASY503, ctx.target, 'useAsyncio'), applicability: 'unsafe', edits } });
    } else if (site.elements.length > 1) {
      const edits = [removeListElement(site.elements, site.index)];
      ctx.report(ASY503, { node: site.node, message: message(ASY503, 'removeEntry'), fix: { title: fixTitle(ASY503, ctx.target, 'removeCurio'), applicability: 'safe', edits } });
    } else {
      ctx.report(ASY503, { node: site.node, message: message(ASY503, 'onlyBackend'), noFixReason: 'It is the only backend listed: choose "asyncio" or "trio".' });
    }
  }
}

/** ASY504. Under anyio2+3 the alias is the cross-version name (AnyIO 2 has no `anyio.Event`). */
function checkAbcAlias(ctx: RuleContext): void {
  if (!ctx.idx.importsAnyio || !mayContain(ctx, 'abc') || ctx.target !== 'anyio3') return;
  checkAbcAliasImportsAndReferences(ctx);
  checkAbcAliasesInStrings(ctx);
}

function checkAbcAliasImportsAndReferences(ctx: RuleContext): void {
  for (const imp of ctx.idx.imports) {
    const stmt = imp.stmt;
    if (stmt.type !== 'import_from_statement' || stmt.childForFieldName('module_name')?.text.replace(/\s+/g, '') !== 'anyio.abc') continue;
    if (stmt.parent?.parent?.type === 'except_clause') continue; // the AnyIO 2 fallback of a cross-version import
    for (const item of stmt.childrenForFieldName('name')) {
      if (!item) continue;
      const name = item.type === 'aliased_import' ? item.childForFieldName('name')?.text : item.text;
      const alias = name ? ABC_ALIASES.get(`anyio.abc.${name}`) : undefined;
      if (!alias) continue;
      const to = alias.to.slice(0, alias.to.lastIndexOf('.'));
      const { edits, imports } = moveImportItem(stmt, item, to);
      ctx.report(ASY504, {
        node: item,
        message: message(ASY504, 'importFrom', { name: name!, target: alias.to, module: to }),
        fix: { title: fixTitle(ASY504, ctx.target, 'importFrom', { name: name!, module: to }), applicability: 'safe', edits, imports },
      });
    }
  }
  for (const { node, q } of findReferences(ctx, ABC_ALIASES)) {
    if (node.type !== 'attribute' || !isLoadReference(node)) continue;
    const alias = ABC_ALIASES.get(q)!;
    const { edits, imports } = respell(ctx.res, node, alias.to);
    ctx.report(ASY504, {
      node,
      message: message(ASY504, 'alias', { name: q!, target: alias.to }),
      fix: { title: fixTitle(ASY504, ctx.target, 'use', { name: alias.to }), applicability: 'safe', edits, imports },
    });
  }
}

/** `"anyio.abc.Event"` inside string annotations. */
function checkAbcAliasesInStrings(ctx: RuleContext): void {
  for (const { anchor, expr, offset } of stringAnnotations(ctx)) {
    for (const a of expr.descendantsOfType('attribute')) {
      if (!a || a.parent?.type === 'attribute') continue;
      const q = ctx.res.qualifiedOf(a, 0, anchor);
      const alias = q ? ABC_ALIASES.get(q) : undefined;
      if (!alias) continue;
      for (let o: Node | null = a.childForFieldName('object'); o; o = o.type === 'attribute' ? o.childForFieldName('object') : null) {
        const oq = ctx.res.qualifiedOf(o, 0, anchor);
        if (!oq || !alias.to.startsWith(`${oq}.`)) continue;
        ctx.report(ASY504, {
          start: offset + a.startIndex,
          end: offset + a.endIndex,
          message: message(ASY504, 'alias', { name: q!, target: alias.to }),
          fix: {
            title: fixTitle(ASY504, ctx.target, 'use', { name: alias.to }),
            applicability: 'safe',
            edits: [{ start: offset + o.endIndex, end: offset + a.endIndex, text: alias.to.slice(oq.length) }],
          },
        });
        break;
      }
    }
  }
}

function checkTestRunner(ctx: RuleContext): void {
  if (!ctx.idx.importsAnyio || !mayContain(ctx, 'TestRunner')) return;
  for (const cls of ctx.idx.classes) {
    if (!cls.superclasses.some((s) => ctx.res.qualifiedOf(s) === 'anyio.abc.TestRunner' || ctx.res.qualifiedOf(s) === 'anyio.abc.testing.TestRunner')) continue;
    const call = cls.methods.get('call');
    const nameNode = call?.node.childForFieldName('name');
    if (!nameNode) continue;
    ctx.report(ASY505, {
      node: nameNode,
      message: message(ASY505, 'callReplaced'),
      noFixReason: 'The replacement methods have different signatures; port the logic by hand.',
    });
  }
}

const rules: Rule[] = [
  { meta: ASY501, check: checkAbcSubmodules },
  { meta: ASY502, check: checkGenericSockets },
  { meta: ASY503, check: checkCurio },
  { meta: ASY504, check: checkAbcAlias },
  { meta: ASY505, check: checkTestRunner },
  { meta: ASY506, check: checkUvloop },
];

export const asy5 = family(rules);
