/**
 * `with` statements as the context-manager rules see them: the parts of a statement, its items
 * classified as plain AnyIO context managers (through conditional expressions) or not, the split
 * of a mixed `async with` into nested statements, and the `async with` entering a call.
 */
import { NOW_SYNC_CMS } from '../../core/anyio-api';
import type { Node } from '../../core/parser';
import { unparen } from '../../core/scopes';
import { indentAt, lineAt, lineEnding, nextLineStart } from '../../core/text';
import type { Edit } from '../../core/types';
import type { RuleContext } from '../../core/rule-api';
import { lineInStringCursor } from './reindent';

export interface Item {
  node: Node;
  expr: Node;
  sync: boolean;
  openCancelScope: boolean;
  /** A conditional expression only some of whose branches are plain AnyIO context managers. */
  partial?: boolean;
  /** The plain context managers the item enters (its branches, for a conditional expression). */
  syncExprs: Node[];
}

export function withParts(stmt: Node): { asyncKw?: Node; withKw?: Node; clause?: Node; colon?: Node; body?: Node } {
  const out: { asyncKw?: Node; withKw?: Node; clause?: Node; colon?: Node; body?: Node } = {};
  for (const c of stmt.children) {
    if (!c) continue;
    if (c.type === 'async') out.asyncKw = c;
    else if (c.type === 'with') out.withKw = c;
    else if (c.type === 'with_clause') out.clause = c;
    else if (c.type === ':') out.colon = c;
    else if (c.type === 'block') out.body = c;
  }
  return out;
}

/** Whether `expr` (a call or a name) is a plain AnyIO context manager, and whether it is `open_cancel_scope()`. */
function classifyExpr(ctx: RuleContext, expr: Node): { sync: boolean; openCancelScope: boolean } {
  if (expr.type === 'call') {
    const fn = expr.childForFieldName('function');
    const q = fn ? ctx.res.qualifiedOf(fn) : undefined;
    return { sync: !!q && NOW_SYNC_CMS.has(q), openCancelScope: q === 'anyio.open_cancel_scope' };
  }
  const t = ctx.res.typeOf(expr);
  return { sync: t.k === 'anyio' && t.cls === 'CancelScope', openCancelScope: false };
}

/** The branches of `a if c else b` (nested conditionals flattened, through parentheses). */
function branchesOf(expr: Node): Node[] {
  if (expr.type !== 'conditional_expression') return [expr];
  const named = expr.namedChildren.filter((c) => c && c.type !== 'comment') as Node[];
  // `a if cond else b`: the branches are the first and the last operand.
  const a = named[0];
  const b = named[named.length - 1];
  return named.length === 3 && a && b ? [...branchesOf(unparen(a)), ...branchesOf(unparen(b))] : [expr];
}

export function classifyItems(ctx: RuleContext, clause: Node): Item[] {
  const items: Item[] = [];
  for (const it of clause.namedChildren) {
    if (!it || it.type !== 'with_item') continue;
    const v = it.childForFieldName('value');
    if (!v) continue;
    const expr = unparen(v.type === 'as_pattern' ? (v.namedChild(0) ?? v) : v);
    const branches = branchesOf(expr);
    const kinds = branches.map((b) => classifyExpr(ctx, b));
    const syncExprs = branches.filter((_, i) => kinds[i]!.sync);
    const sync = syncExprs.length === branches.length;
    items.push({
      node: it,
      expr,
      sync,
      openCancelScope: kinds.every((k) => k.openCancelScope),
      ...(syncExprs.length > 0 && !sync ? { partial: true } : {}),
      syncExprs,
    });
  }
  return items;
}

/** Split `async with a, b, c:` whose items mix sync and async CMs into nested statements. */
export function splitEdits(ctx: RuleContext, stmt: Node, items: Item[], colon: Node, body: Node): Edit[] | undefined {
  const text = ctx.text;
  const headerLine = lineAt(text, stmt.startIndex);
  const firstBody = body.namedChildren.find((c) => c && c.type !== 'comment') ?? body.namedChild(0);
  if (!firstBody || lineAt(text, firstBody.startIndex).start === headerLine.start) return undefined;
  const stmtIndent = indentAt(text, stmt.startIndex);
  const bodyIndent = indentAt(text, firstBody.startIndex);
  const unit = bodyIndent.startsWith(stmtIndent) && bodyIndent.length > stmtIndent.length ? bodyIndent.slice(stmtIndent.length) : '    ';
  const nl = lineEnding(text);
  // Runs of consecutive items of the same kind, in order of entry.
  const runs: Item[][] = [];
  for (const it of items) {
    const last = runs[runs.length - 1];
    if (last && last[0]!.sync === it.sync) last.push(it);
    else runs.push([it]);
  }
  const headers = runs.map((run, depth) => {
    const kw = run[0]!.sync ? 'with' : 'async with';
    const prefix = depth === 0 ? '' : stmtIndent + unit.repeat(depth);
    return `${prefix}${kw} ${run.map((i) => text.slice(i.node.startIndex, i.node.endIndex)).join(', ')}:`;
  });
  const edits: Edit[] = [{ start: stmt.startIndex, end: colon.endIndex, text: headers.join(nl) }];
  // Re-indent every body line, except lines that start inside a string (their text would change)
  // and blank lines.
  const extra = unit.repeat(runs.length - 1);
  const inString = lineInStringCursor(ctx, body.startIndex, body.endIndex);
  let lineStart = lineAt(text, firstBody.startIndex).start;
  const end = body.endIndex;
  while (lineStart < end) {
    const line = lineAt(text, lineStart);
    const insideString = inString(lineStart);
    if (!insideString && line.text.trim() !== '') edits.push({ start: lineStart, end: lineStart, text: extra });
    lineStart = nextLineStart(text, lineStart);
  }
  return edits;
}

/** The `async with` statement that enters `call` directly as one of its items, if any. */
export function asyncWithOf(call: Node | undefined): Node | undefined {
  const item = call?.parent?.type === 'with_item' ? call.parent : call?.parent?.type === 'as_pattern' && call.parent.parent?.type === 'with_item' ? call.parent.parent : undefined;
  const stmt = item?.parent?.parent;
  return stmt?.type === 'with_statement' && withParts(stmt).asyncKw ? stmt : undefined;
}
