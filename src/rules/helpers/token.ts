/**
 * The deprecated token of a finding (`Finding.token`): what an editor strikes through instead of
 * the whole reported range — the `await` keyword, the old name of a call or reference, the `async`
 * of `async with`.
 */
import type { Node } from '../../core/parser';
import { unparen } from '../../core/scopes';

export interface Token {
  start: number;
  end: number;
}

/** The whole of `n` (a keyword or a name node). */
export function nodeToken(n: Node): Token {
  return { start: n.startIndex, end: n.endIndex };
}

/** The keyword child `kw` of `node` (`await` of an await expression, `async` of `async with`, `try`). */
export function keywordToken(node: Node, kw: string): Token | undefined {
  for (const c of node.children) if (c && !c.isNamed && c.type === kw) return nodeToken(c);
  return undefined;
}

/**
 * The name a call or reference ends in: `spawn` of `await tg.spawn(f)`, `create_event` of
 * `anyio.create_event()`, `maybe_async` of `await maybe_async(x())`, the identifier itself.
 */
export function nameToken(node: Node): Token | undefined {
  let n: Node | null = unparen(node);
  for (let i = 0; n && i < 8; i++) {
    if (n.type === 'identifier') return nodeToken(n);
    if (n.type === 'aliased_import') n = n.childForFieldName('name');
    else if (n.type === 'dotted_name') n = n.namedChildren.filter((c) => c && c.type === 'identifier').at(-1) ?? null;
    else if (n.type === 'attribute') n = n.childForFieldName('attribute');
    else if (n.type === 'call') n = n.childForFieldName('function');
    else if (n.type === 'await') n = n.namedChildren.find((c) => c && c.type !== 'comment' && c.type !== 'line_continuation') ?? null;
    else return undefined;
    n = n ? unparen(n) : null;
  }
  return undefined;
}
