/**
 * String annotations (`x: "SocketStream[str]"`, `Optional["anyio.abc.Event"]`) parsed as
 * expressions, so the rules about annotations see them too.
 */
import type { Node } from '../../core/parser';
import type { RuleContext } from '../../core/rule-api';

const ANNOTATION_PARTS = new Set(['generic_type', 'type_parameter', 'subscript', 'binary_operator', 'attribute', 'identifier', 'parenthesized_expression', 'tuple', 'list']);

/** Whether a string node sits in an annotation (`x: "Event"`, `Optional["Event"]`, `-> "Event"`). */
function isAnnotationString(s: Node): boolean {
  for (let p = s.parent; p; p = p.parent) {
    if (p.type === 'type') return true;
    if (!ANNOTATION_PARTS.has(p.type)) return false;
  }
  return false;
}

/**
 * String annotations that may mention a class these rules care about, parsed: each gives its
 * expression and the offset of its first character.
 */
export function* stringAnnotations(ctx: RuleContext): Generator<{ anchor: Node; expr: Node; offset: number }> {
  for (const s of ctx.idx.strings) {
    const t = s.text;
    if (t.length > 200 || !/Socket|Listener|abc\./.test(t) || !isAnnotationString(s)) continue;
    const parts = s.namedChildren.filter((c) => c && c.type !== 'string_start' && c.type !== 'string_end');
    const content = parts[0];
    if (parts.length !== 1 || content?.type !== 'string_content') continue;
    const expr = ctx.res.parseStringAnnotation(content.text);
    if (expr) yield { anchor: s, expr, offset: content.startIndex };
  }
}
