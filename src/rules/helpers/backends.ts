/**
 * Where a backend name is configured: a string literal's value, the `anyio_backend` fixture or a
 * parametrisation of it (`params=[...]`, `pytest.param(...)`), `anyio.run(..., backend=...)`: the
 * places the curio rule (ASY503) finds `"curio"`.
 */
import type { Node } from '../../core/parser';
import type { RuleContext } from '../../core/rule-api';

function stringValue(node: Node): string | undefined {
  if (node.type !== 'string') return undefined;
  const m = /^[rRuU]?(['"])(.*)\1$/s.exec(node.text);
  return m ? m[2] : undefined;
}

function enclosingFunctionName(node: Node): string | undefined {
  for (let p = node.parent; p; p = p.parent) if (p.type === 'function_definition') return p.childForFieldName('name')?.text;
  return undefined;
}

/** `pytest.param(<value>, ...)` whose first argument is `value`. */
function pytestParamOf(ctx: RuleContext, value: Node): Node | undefined {
  const args = value.parent;
  const call = args?.type === 'argument_list' ? args.parent : undefined;
  if (call?.type !== 'call' || args!.namedChildren.find((c) => c && c.type !== 'comment')?.id !== value.id) return undefined;
  const fn = call.childForFieldName('function');
  return fn && ctx.res.qualifiedOf(fn) === 'pytest.param' ? call : undefined;
}

/** The list is the `params=` of an `anyio_backend` fixture or the values of a parametrize on `anyio_backend`. */
function inBackendContext(ctx: RuleContext, list: Node): boolean {
  const p = list.parent;
  if (p?.type === 'keyword_argument' && p.childForFieldName('name')?.text === 'params') {
    const deco = p.parent?.parent?.parent;
    const def = deco?.type === 'decorator' ? deco.parent?.childForFieldName('definition') : undefined;
    return def?.childForFieldName('name')?.text === 'anyio_backend';
  }
  if (p?.type === 'argument_list') {
    const first = p.namedChildren[0];
    return !!first && stringValue(first) === 'anyio_backend';
  }
  if (p?.type === 'assignment' || p?.type === 'expression_statement') return ctx.text.includes('anyio_backend');
  return false;
}

/** `"curio"` as an entry of a list of backends (with the list's entries), or as the backend itself. */
export type CurioBackend = { kind: 'entry'; node: Node; elements: Node[]; index: number } | { kind: 'value'; node: Node };

/** Every place `"curio"` is configured as a backend, in source order. */
export function* curioBackends(ctx: RuleContext): Generator<CurioBackend> {
  for (const s of ctx.idx.strings) {
    if (s.endIndex - s.startIndex > 9 || stringValue(s) !== 'curio') continue;
    const p = s.parent;
    if (!p) continue;
    // A list/tuple of backends: the entry.
    let element: Node = s;
    if (p.type === 'tuple' && p.namedChildren[0]?.id === s.id && ((p.parent && (p.parent.type === 'list' || p.parent.type === 'tuple')) || pytestParamOf(ctx, p))) element = p; // ('curio', {...options})
    // pytest.param('curio', id=..., marks=...): the entry is the whole param.
    element = pytestParamOf(ctx, element) ?? element;
    const list = element.parent;
    if (list && (list.type === 'list' || list.type === 'tuple') && inBackendContext(ctx, list)) {
      const elements = list.namedChildren.filter((c) => c && c.type !== 'comment') as Node[];
      const index = elements.findIndex((e) => e.id === element.id);
      // Not found among the entries (never expected): reported as the only one, without a fix.
      yield index >= 0 ? { kind: 'entry', node: element, elements, index } : { kind: 'entry', node: element, elements: [element], index: 0 };
      continue;
    }
    const isBackendKw = p.type === 'keyword_argument' && p.childForFieldName('name')?.text === 'backend';
    const isFixtureReturn = p.type === 'return_statement' && enclosingFunctionName(s) === 'anyio_backend';
    if (isBackendKw || isFixtureReturn) yield { kind: 'value', node: s };
  }
}
