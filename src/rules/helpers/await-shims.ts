/**
 * The AnyIO 2 and 3 forms of an awaited call that AnyIO 3 made plain (ASY1xx under `anyio2+3`):
 * `await maybe_async(<call>)`, and for the results no shim accepts, calling then awaiting only an
 * awaitable (or a coroutine). The fix titles come from the rule's metadata.
 */
import type { Node } from '../../core/parser';
import type { Fix } from '../../core/types';
import type { RuleContext } from '../../core/rule-api';
import { replaceStatementWithLines, statementOwnsLines } from './edits';
import { spellShim } from './cross-version';

export function maybeAsyncFix(ctx: RuleContext, aw: Node, call: Node, applicability: 'safe' | 'unsafe', title: string): Fix {
  const shim = spellShim(ctx, 'maybe_async', aw);
  return {
    title,
    applicability,
    edits: [
      { start: call.startIndex, end: call.startIndex, text: `${shim.text}(` },
      { start: call.endIndex, end: call.endIndex, text: ')' },
    ],
    imports: shim.imports,
  };
}

/**
 * AnyIO 2 and 3 for the methods no shim accepts (B7, B8, B14, B15): call, then await the result
 * only if it is awaitable (AnyIO 2 returns a coroutine, AnyIO 3 returns None).
 */
export function isAwaitableFix(ctx: RuleContext, aw: Node, call: Node, applicability: 'safe' | 'unsafe', title: string): Fix | undefined {
  const stmt = aw.parent;
  if (!stmt || stmt.type !== 'expression_statement' || stmt.namedChildCount !== 1 || !statementOwnsLines(ctx.text, stmt)) return undefined;
  const inspect = ctx.res.qualifiedOfName('inspect', aw);
  if (inspect !== undefined ? inspect !== 'inspect' : ctx.idx.module.bindings.has('inspect')) return undefined;
  const edit = replaceStatementWithLines(ctx.text, stmt, [
    [0, `_maybe_awaitable = ${call.text}`],
    [0, 'if inspect.isawaitable(_maybe_awaitable):'],
    [1, 'await _maybe_awaitable'],
  ]);
  if (!edit) return undefined;
  return { title, applicability, edits: [edit], imports: inspect ? [] : [{ module: 'inspect' }] };
}

/**
 * AnyIO 2 and 3 for `receive_nowait()` (row E2; the 2.2.0 audit): AnyIO 2 returns a coroutine, AnyIO 3
 * the item, which no shim accepts. For `x = await r.receive_nowait()` (or the bare statement): call,
 * then await only a coroutine. Unsafe: on AnyIO 3 an item that is itself a coroutine would be awaited.
 */
export function receiveNowaitFix(ctx: RuleContext, aw: Node, call: Node, title: string): Fix | undefined {
  let stmt = aw.parent;
  let target: string | undefined;
  if (stmt?.type === 'assignment') {
    const left = stmt.childForFieldName('left');
    if (stmt.childForFieldName('right')?.id !== aw.id || left?.type !== 'identifier' || stmt.childForFieldName('type')) return undefined;
    target = left.text;
    stmt = stmt.parent;
  }
  if (!stmt || stmt.type !== 'expression_statement' || stmt.namedChildCount !== 1 || !statementOwnsLines(ctx.text, stmt)) return undefined;
  const inspect = ctx.res.qualifiedOfName('inspect', aw);
  if (inspect !== undefined ? inspect !== 'inspect' : ctx.idx.module.bindings.has('inspect')) return undefined;
  const name = target ?? '_maybe_awaitable';
  const edit = replaceStatementWithLines(ctx.text, stmt, [
    [0, `${name} = ${call.text}`],
    [0, `if inspect.iscoroutine(${name}):`],
    [1, target ? `${name} = await ${name}` : `await ${name}`],
  ]);
  if (!edit) return undefined;
  return { title, applicability: 'unsafe', edits: [edit], imports: inspect ? [] : [{ module: 'inspect' }] };
}
