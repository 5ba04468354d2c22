/**
 * Async context managers that became plain ones (rows C1, C2, C4, C5, G1): `open_cancel_scope()`,
 * `CancelScope()`, `move_on_after()`, `fail_after()`, `open_signal_receiver()`.
 */
import { NOW_SYNC_CMS } from '../core/anyio-api';
import type { Node } from '../core/parser';
import { unparen } from '../core/scopes';
import { prefiltersEnabled } from '../core/prefilters';
import { indentAt, lineAt, lineEnding, nextLineStart } from '../core/text';
import type { Edit, ImportRequest, RuleMeta } from '../core/types';
import { callOf, compatImportItemFix, compatSiteFix, findReferences, fromImportItems, lineInStringCursor, respell, RuleContext, RuleFamily, spellShim } from './context';

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
    why:
      '`open_cancel_scope()` is deprecated in AnyIO 3 (removed in 4): instantiate `CancelScope` ' +
      'directly. CancelScope is a plain (synchronous) context manager in AnyIO 3.',
    before: 'async with anyio.open_cancel_scope(shield=True) as scope:\n    ...',
    after: 'with anyio.CancelScope(shield=True) as scope:\n    ...',
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
};

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
    const expr = unparen(v.type === 'as_pattern' ? v.namedChild(0) ?? v : v);
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
function splitEdits(ctx: RuleContext, stmt: Node, items: Item[], colon: Node, body: Node): Edit[] | undefined {
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
function asyncWithOf(call: Node | undefined): Node | undefined {
  const item = call?.parent?.type === 'with_item' ? call.parent : call?.parent?.type === 'as_pattern' && call.parent.parent?.type === 'with_item' ? call.parent.parent : undefined;
  const stmt = item?.parent?.parent;
  return stmt?.type === 'with_statement' && withParts(stmt).asyncKw ? stmt : undefined;
}

/**
 * AnyIO 2 and 3 (row C1 in the 2.2.0 audit): AnyIO 2 has no `CancelScope`, so the name comes from a
 * cross-version import (`CancelScope` on 3.x, `open_cancel_scope` on 2.x; both take `shield=`), and
 * `async with` enters it through `maybe_async_cm()`. A from-imported name is fixed at its import
 * (the name then means `CancelScope` on 3.x), an `anyio.open_cancel_scope` site is respelled.
 */
function checkCompatOpenCancelScope(ctx: RuleContext): void {
  const message = (inAsyncWith: boolean) =>
    `\`open_cancel_scope()\` is deprecated in AnyIO 3 and removed in AnyIO 4; AnyIO 2 has no \`CancelScope\`. To support AnyIO 2 and 3, import \`CancelScope\` with a fallback to \`open_cancel_scope\`${inAsyncWith ? ' and enter it with `async with maybe_async_cm(...)`' : ''}.`;
  const title = 'Use a cross-version import and `maybe_async_cm()` (AnyIO 2 and 3)';
  for (const { stmt, item, name } of fromImportItems(ctx, 'anyio')) {
    if (name !== 'open_cancel_scope') continue;
    const fix = compatImportItemFix(ctx, stmt, item, 'anyio.open_cancel_scope', 'anyio.CancelScope');
    ctx.report(ASY202, { node: item, message: message(false), fix: { title: 'Use a cross-version import (AnyIO 2 and 3)', applicability: 'safe', ...fix } });
  }
  for (const { node } of findReferences(ctx, new Set(['anyio.open_cancel_scope']))) {
    const call = callOf(node);
    const inAsyncWith = !!asyncWithOf(call);
    const edits: Edit[] = [];
    const imports: ImportRequest[] = [];
    if (node.type === 'attribute') {
      const site = compatSiteFix(ctx, node, 'anyio.open_cancel_scope', 'anyio.CancelScope');
      if (!site) {
        ctx.report(ASY202, { node: call ?? node, message: message(inAsyncWith), noFixReason: 'The name `anyio_open_cancel_scope` is already used for something else in this module.' });
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
    ctx.report(ASY202, { node: call ?? node, message: message(inAsyncWith), fix: { title: inAsyncWith ? title : 'Use a cross-version import (AnyIO 2 and 3)', applicability: 'safe', edits, imports } });
  }
}

function check(ctx: RuleContext): void {
  const pre = prefiltersEnabled();
  if (pre && !/CancelScope|open_cancel_scope|move_on_after|fail_after|open_signal_receiver|cancel_scope/.test(ctx.text)) return;
  const reported = new Set<number>();
  // ASY202: every reference to open_cancel_scope.
  const mayOpenCancelScope = !pre || ctx.text.includes('open_cancel_scope');
  if (ctx.target === 'anyio2+3' && mayOpenCancelScope) checkCompatOpenCancelScope(ctx);
  for (const { node } of ctx.target === 'anyio3' && mayOpenCancelScope ? findReferences(ctx, new Set(['anyio.open_cancel_scope'])) : []) {
    const { edits, imports } = respell(ctx.res, node, 'anyio.CancelScope');
    const call = callOf(node);
    // Inside `async with` where every item is a plain CM: drop the `async` too.
    const item = call?.parent?.type === 'with_item' ? call.parent : call?.parent?.type === 'as_pattern' && call.parent.parent?.type === 'with_item' ? call.parent.parent : undefined;
    const stmt = item?.parent?.parent;
    let dropAsync = false;
    if (stmt?.type === 'with_statement') {
      const parts = withParts(stmt);
      if (parts.asyncKw && parts.withKw && parts.clause && classifyItems(ctx, parts.clause).every((i) => i.sync)) {
        edits.push({ start: parts.asyncKw.startIndex, end: parts.withKw.startIndex, text: '' });
        dropAsync = true;
        reported.add(stmt.id);
      }
    }
    ctx.report(ASY202, {
      node: call ?? node,
      message: `\`open_cancel_scope()\` is deprecated in AnyIO 3 and removed in AnyIO 4: use \`CancelScope()\`${dropAsync ? ' with a plain `with`' : ''}.`,
      fix: { title: dropAsync ? ASY202.fixTitle : 'Use `CancelScope`', applicability: 'safe', edits, imports },
    });
  }

  // ASY203: `async with` entering plain context managers.
  for (const stmt of ctx.idx.withs) {
    if (reported.has(stmt.id)) continue;
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
    const headerEnd = parts.colon.endIndex;
    if (partial.length) {
      // `async with (anyio.fail_after(1) if c else other()):` — `with` would break the other branch.
      ctx.report(ASY203, {
        start: stmt.startIndex,
        end: headerEnd,
        message: `${names} ${partial.some((i) => i.syncExprs.length > 1) || partial.length + syncItems.length > 1 ? 'are plain context managers' : 'is a plain context manager'} in AnyIO 3: \`async with\` on ${partial.length + syncItems.length > 1 ? 'them' : 'it'} is deprecated (a TypeError in AnyIO 4), but only some branches of the conditional expression are proven to be one.`,
        noFixReason: 'Only some branches of the conditional expression are plain AnyIO context managers; a plain `with` would break the others. Split the statement on the condition by hand.',
      });
      continue;
    }
    const plural = syncItems.length > 1 || syncItems.some((i) => i.syncExprs.length > 1);
    if (ctx.target === 'anyio2+3') {
      const wrapped = syncItems.filter((i) => !i.openCancelScope);
      if (wrapped.length === 0) continue;
      const shim = spellShim(ctx, 'maybe_async_cm', stmt);
      ctx.report(ASY203, {
        start: stmt.startIndex,
        end: headerEnd,
        message: `${names} ${plural ? 'are plain context managers' : 'is a plain context manager'} in AnyIO 3: \`async with\` on ${plural ? 'them' : 'it'} is deprecated. To support AnyIO 2 and 3, wrap ${syncItems.length > 1 ? 'each' : 'it'} in \`maybe_async_cm()\`.`,
        fix: {
          title: 'Wrap in `maybe_async_cm()` (AnyIO 2 and 3)',
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
        start: stmt.startIndex,
        end: headerEnd,
        message: `${names} ${plural ? 'are plain context managers' : 'is a plain context manager'} in AnyIO 3: \`async with\` is deprecated (a TypeError in AnyIO 4). Use \`with\`.`,
        fix: { title: ASY203.fixTitle, applicability: 'safe', edits: [{ start: parts.asyncKw.startIndex, end: parts.withKw.startIndex, text: '' }] },
      });
      continue;
    }
    const parenthesized = parts.clause.children.some((c) => c?.type === '(');
    const edits = parenthesized ? undefined : splitEdits(ctx, stmt, items, parts.colon, parts.body);
    ctx.report(ASY203, {
      start: stmt.startIndex,
      end: headerEnd,
      message: `${names} ${plural ? 'are plain context managers' : 'is a plain context manager'} in AnyIO 3, but this \`async with\` also enters asynchronous ones: split it into nested \`with\` and \`async with\` statements.`,
      ...(edits
        ? { fix: { title: 'Split into nested `with` / `async with`', applicability: 'safe' as const, edits } }
        : {
            noFixReason: parenthesized
              ? 'The items are in parentheses; split the statement by hand into nested `with` and `async with` statements.'
              : 'The body is on the same line as the header; move it to its own lines, then apply the fix.',
          }),
    });
  }
}

export const cancelScopes: RuleFamily = { rules: [ASY202, ASY203], check };
