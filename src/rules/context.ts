/**
 * What a rule sees: the text, the file index, the resolver, the target, and `report`. Plus the
 * small edit builders most rules share (drop an `await`, re-spell a reference).
 */
import { hiddenComments, type Node } from '../core/parser';
import type { FileIndex } from '../core/scopes';
import { lookup, unparen } from '../core/scopes';
import { deleteStatement, indentUnit } from '../core/imports';
import { indentAt, lineAt, lineEnding } from '../core/text';
import type { Resolver } from '../core/resolve';
import { partitionPoint } from '../core/bisect';
import { workCounters } from '../core/work';
import type { Edit, ImportRequest } from '../core/types';
import type { RuleContext } from '../core/rule-api';
// The rule-facing types live in core (the engine's side of the contract); re-exported for the rules.
export type { Report, RuleContext, RuleFamily } from '../core/rule-api';

/**
 * `ctx.report` for a site whose receiver is unproven while a class of the project has its own
 * method of that name: the finding is reported (never dropped) but without a fix, since even an
 * unsafe one would break every call of the project's own method under `--unsafe-fixes`.
 */
export function lookalikeReporter(ctx: RuleContext, recv: string, method: string): RuleContext['report'] {
  return (meta, r) => {
    const { fix: _fix, noFixReason: _why, ...rest } = r;
    ctx.report(meta, {
      ...rest,
      noFixReason: `A class of this project has its own \`${method}\` method and the type of \`${recv}\` could not be proven. If it is AnyIO's, annotate it with its AnyIO type to get the fix; if it is the project's own, leave it (or suppress with \`# noqa: ${meta.code}\`).`,
    });
  };
}

/**
 * The operand of `await`, past a backslash line continuation (`await \\` + newline + `call()`),
 * which tree-sitter gives as a named child before it (a comment can sit there too).
 */
export function awaitedOperand(awaitNode: Node): Node | undefined {
  for (const c of awaitNode.namedChildren) if (c && c.type !== 'line_continuation' && c.type !== 'comment') return c;
  return undefined;
}

/** The call inside `await <call>` (through parentheses), if it is one. */
export function awaitedCall(awaitNode: Node): Node | undefined {
  const inner = awaitedOperand(awaitNode);
  if (!inner) return undefined;
  const n = unparen(inner);
  return n.type === 'call' ? n : undefined;
}

/** Edit that removes the `await` keyword and the whitespace after it. */
export function dropAwait(awaitNode: Node): Edit {
  const inner = awaitedOperand(awaitNode) ?? awaitNode.namedChild(0)!;
  return { start: awaitNode.startIndex, end: inner.startIndex, text: '' };
}

export interface MethodCall {
  call: Node;
  receiver: Node;
  method: Node;
  args: Node[];
}

/** `<receiver>.<method>(<args>)`. */
export function methodCall(call: Node): MethodCall | undefined {
  const fn = call.childForFieldName('function');
  if (!fn || fn.type !== 'attribute') return undefined;
  const receiver = fn.childForFieldName('object');
  const method = fn.childForFieldName('attribute');
  const argList = call.childForFieldName('arguments');
  if (!receiver || !method || !argList || argList.type !== 'argument_list') return undefined;
  return { call, receiver, method, args: argList.namedChildren.filter((a) => a && a.type !== 'comment') as Node[] };
}

export function positionalCount(args: readonly Node[]): number {
  return args.filter((a) => a.type !== 'keyword_argument' && a.type !== 'dictionary_splat').length;
}

/** True when the args contain `*x` or `**x`, whose arity cannot be known. */
export function hasSplat(args: readonly Node[]): boolean {
  return args.some((a) => a.type === 'list_splat' || a.type === 'dictionary_splat');
}

/**
 * Edits (and imports) that make the reference `site` (an identifier or attribute chain that resolves
 * to an AnyIO name) refer to the qualified `target` instead, keeping the site's style:
 * `anyio.create_event` → `anyio.Event`; bare `create_event` → `Event` (+ `from anyio import Event`).
 */
export function respell(res: Resolver, site: Node, target: string): { edits: Edit[]; imports: ImportRequest[] } {
  if (site.type === 'attribute') {
    for (let o: Node | null = site.childForFieldName('object'); o; o = o.type === 'attribute' ? o.childForFieldName('object') : null) {
      const q = res.qualifiedOf(o);
      if (q && target.startsWith(`${q}.`)) {
        // A name the file already binds to a module deeper in the target (`from anyio import
        // from_thread`, `import anyio.to_thread as tt`) is re-used, as for a bare site: the
        // anyio2+3 clean-up round trip then gives the same text as the direct migration.
        const deeper = res.spell(target, site, false);
        const depth = (t: string) => t.split('.').length;
        if (deeper.imports.length === 0 && depth(deeper.text) >= 2 && depth(deeper.text) < depth(target) - depth(q) + depth(o.text)) {
          return { edits: [{ start: site.startIndex, end: site.endIndex, text: deeper.text }], imports: [] };
        }
        return { edits: [{ start: o.endIndex, end: site.endIndex, text: target.slice(q.length) }], imports: [] };
      }
    }
  }
  const spelling = res.spell(target, site, site.type === 'identifier');
  return { edits: [{ start: site.startIndex, end: site.endIndex, text: spelling.text }], imports: spelling.imports };
}

/** Whether `node` is a reference in load position (not an import name, def name, target...). */
export function isLoadReference(node: Node): boolean {
  const p = node.parent;
  if (!p) return false;
  switch (p.type) {
    case 'import_statement':
    case 'import_from_statement':
    case 'aliased_import':
    case 'dotted_name':
    case 'keyword_argument':
      if (p.type === 'keyword_argument') return p.childForFieldName('name')?.id !== node.id;
      return false;
    case 'attribute':
      return p.childForFieldName('attribute')?.id !== node.id;
    case 'function_definition':
    case 'class_definition':
      return p.childForFieldName('name')?.id !== node.id;
    case 'assignment':
    case 'augmented_assignment':
      return p.childForFieldName('left')?.id !== node.id;
    case 'global_statement':
    case 'nonlocal_statement':
      return false;
    default:
      return true;
  }
}

/**
 * Every load reference in the file that resolves to one of the qualified names in `names`:
 * outermost attribute chains (`anyio.create_event`, `aio.to_thread.run_sync_in_worker_thread`) and
 * bare names bound by imports (`create_event`, `ce` for `from anyio import create_event as ce`).
 */
export function findReferences(ctx: RuleContext, names: { has(q: string): boolean }): Array<{ node: Node; q: string }> {
  const out: Array<{ node: Node; q: string }> = [];
  const { idx, res } = ctx;
  // Only attribute chains starting with a name some import binds to anyio can resolve to it.
  const roots = anyioRoots(idx);
  for (const a of idx.attributes) {
    const root = /^[A-Za-z_][A-Za-z0-9_]*/.exec(a.text)?.[0];
    if (!root || !roots.has(root)) continue;
    const q = res.qualifiedOf(a);
    if (!q || !names.has(q)) continue;
    // Only the outermost matching chain (`anyio.abc.X`, not also its `anyio.abc`).
    const parent = a.parent;
    if (parent?.type === 'attribute' && parent.childForFieldName('object')?.id === a.id && names.has(res.qualifiedOf(parent) ?? '')) continue;
    if (isLoadReference(a)) out.push({ node: a, q });
  }
  // Bare names: those bound somewhere by an import of a wanted name (or an alias of one).
  const localNames = new Set<string>();
  for (const s of idx.scopes.values()) {
    for (const [name, bs] of s.bindings) if (bs.some((b) => b.kind === 'import' && b.source && names.has(b.source))) localNames.add(name);
  }
  for (const name of localNames) {
    for (const o of idx.identifiers.get(name) ?? []) {
      const node = idx.tree.rootNode.descendantForIndex(o, o + name.length);
      if (!node || node.type !== 'identifier' || !isLoadReference(node)) continue;
      const q = res.qualifiedOf(node);
      if (q && names.has(q)) out.push({ node, q });
    }
  }
  return out;
}

/** Names bound anywhere in the file by an import of anyio (module aliases and imported names). */
const ROOTS = new WeakMap<FileIndex, Set<string>>();
export function anyioRoots(idx: FileIndex): Set<string> {
  let roots = ROOTS.get(idx);
  if (!roots) {
    roots = new Set();
    for (const s of idx.scopes.values()) {
      for (const [name, bs] of s.bindings) if (bs.some((b) => b.kind === 'import' && b.source && (b.source === 'anyio' || b.source.startsWith('anyio.')))) roots.add(name);
    }
    ROOTS.set(idx, roots);
  }
  return roots;
}

/** The node's parent, through parentheses. */
export function parentThroughParens(node: Node): Node | null {
  let p = node.parent;
  while (p && p.type === 'parenthesized_expression') p = p.parent;
  return p;
}

/** When `node` is the callee of a call, that call. */
export function callOf(node: Node): Node | undefined {
  const p = node.parent;
  return p?.type === 'call' && p.childForFieldName('function')?.id === node.id ? p : undefined;
}

/** Edit removing one element of a comma-separated list (`a, b, c`), with its separator. */
export function removeListElement(elements: readonly Node[], i: number): Edit {
  const el = elements[i]!;
  const next = elements[i + 1];
  if (next) return { start: el.startIndex, end: next.startIndex, text: '' };
  const prev = elements[i - 1];
  if (prev) return { start: prev.endIndex, end: el.endIndex, text: '' };
  return { start: el.startIndex, end: el.endIndex, text: '' };
}

/**
 * Move one imported name of a `from X import ...` statement to module `to`: rewrite the module in
 * place when it is the statement's only name, else remove it here and request `from <to> import`.
 */
export function moveImportItem(stmt: Node, item: Node, to: string): { edits: Edit[]; imports: ImportRequest[] } {
  const items = stmt.childrenForFieldName('name').filter(Boolean) as Node[];
  const mod = stmt.childForFieldName('module_name')!;
  if (items.length === 1) return { edits: [{ start: mod.startIndex, end: mod.endIndex, text: to }], imports: [] };
  const i = items.findIndex((x) => x.id === item.id);
  const name = item.type === 'aliased_import' ? item.childForFieldName('name')!.text : item.text;
  const alias = item.type === 'aliased_import' ? item.childForFieldName('alias')?.text : undefined;
  return { edits: [removeListElement(items, i)], imports: [{ module: to, name, ...(alias ? { asName: alias } : {}) }] };
}

/** Whether `stmt` has its line(s) to itself (so it can be replaced by several lines). */
export function statementOwnsLines(text: string, stmt: Node): boolean {
  const first = lineAt(text, stmt.startIndex);
  const last = lineAt(text, stmt.endIndex);
  const before = text.slice(first.start, stmt.startIndex);
  const after = text.slice(stmt.endIndex, last.end);
  return /^[ \t]*$/.test(before) && /^[ \t]*(#.*)?$/.test(after) && (stmt.parent?.type === 'block' || stmt.parent?.type === 'module');
}

/**
 * Replace a statement that owns its lines with several lines, given as (extra indent depth, text);
 * the first line must have depth 0. Uses the file's indentation unit and line ending.
 */
export function replaceStatementWithLines(text: string, stmt: Node, lines: ReadonlyArray<readonly [number, string]>): Edit | undefined {
  if (!statementOwnsLines(text, stmt)) return undefined;
  const indent = indentAt(text, stmt.startIndex);
  const unit = indentUnit(text);
  const nl = lineEnding(text);
  return { start: stmt.startIndex, end: stmt.endIndex, text: lines.map(([d, t], i) => (i === 0 ? '' : indent + unit.repeat(d)) + t).join(nl) };
}

/** `with warnings.catch_warnings(): warnings.simplefilter("ignore", DeprecationWarning); <stmt>`. */
export function warningsWrapper(ctx: RuleContext, stmt: Node): { edits: Edit[]; imports: ImportRequest[] } | undefined {
  const w = ctx.res.qualifiedOfName('warnings', stmt);
  if (w !== undefined && w !== 'warnings') return undefined;
  if (w === undefined && lookupAny(ctx, 'warnings', stmt)) return undefined;
  const edit = replaceStatementWithLines(ctx.text, stmt, [
    [0, 'with warnings.catch_warnings():'],
    [1, 'warnings.simplefilter("ignore", DeprecationWarning)'],
    [1, shiftedText(ctx, stmt, { add: indentUnit(ctx.text) })],
  ]);
  return edit ? { edits: [edit], imports: w ? [] : [{ module: 'warnings' }] } : undefined;
}

function lookupAny(ctx: RuleContext, name: string, at: Node): boolean {
  return ctx.idx.module.bindings.has(name) || ctx.res.qualifiedOfName(name, at) !== undefined || !!lookup(ctx.idx, name, at);
}

/** How to spell the shim `anyio.maybe_async` / `anyio.maybe_async_cm` at `site`. */
export function spellShim(ctx: RuleContext, name: 'maybe_async' | 'maybe_async_cm', site: Node): { text: string; imports: ImportRequest[] } {
  return ctx.res.spell(`anyio.${name}`, site, false);
}

/** The `with warnings.catch_warnings():` statement directly holding `node`'s statement, if any. */
export function catchWarningsBlock(ctx: RuleContext, node: Node): { stmt: Node; body: Node; silenced: boolean; filterStmts: Node[] } | undefined {
  let stmt: Node | null = node;
  while (stmt && stmt.parent?.type !== 'block') stmt = stmt.parent;
  const body = stmt?.parent;
  const withStmt = body?.parent;
  if (!stmt || !body || withStmt?.type !== 'with_statement' || withStmt.child(0)?.type === 'async') return undefined;
  const clause = withStmt.namedChildren.find((c) => c?.type === 'with_clause');
  const items = clause?.namedChildren.filter((c) => c?.type === 'with_item') ?? [];
  const value = items.length === 1 ? items[0]!.childForFieldName('value') : null;
  const fn = value?.type === 'call' ? value.childForFieldName('function') : null;
  if (!fn || ctx.res.qualifiedOf(fn) !== 'warnings.catch_warnings') return undefined;
  const filterStmts: Node[] = [];
  let silenced = false;
  for (const s of body.namedChildren) {
    if (!s) continue;
    const call = s.type === 'expression_statement' ? s.namedChild(0) : null;
    const f = call?.type === 'call' ? call.childForFieldName('function') : null;
    const q = f ? ctx.res.qualifiedOf(f) : undefined;
    if (q === 'warnings.simplefilter' || q === 'warnings.filterwarnings') {
      filterStmts.push(s);
      const first = call!.childForFieldName('arguments')?.namedChild(0);
      if (s.startIndex < stmt.startIndex && first && /^['"]ignore['"]$/.test(first.text)) silenced = true;
    }
  }
  return { stmt: withStmt, body, silenced, filterStmts };
}

/** The statement (a child of a block or the module) that contains `node`. */
export function statementOf(node: Node): Node | undefined {
  let n: Node | null = node;
  while (n && n.parent && n.parent.type !== 'block' && n.parent.type !== 'module') n = n.parent;
  return n && n.parent ? n : undefined;
}

/** Remove one name from a `from X import ...` statement (the whole statement when it is the only one). */
export function removeImportItem(text: string, stmt: Node, item: Node): Edit {
  const items = stmt.childrenForFieldName('name').filter(Boolean) as Node[];
  if (items.length === 1) return deleteStatement(text, stmt);
  return removeListElement(items, items.findIndex((x) => x.id === item.id));
}

/** The cross-version import of a renamed AnyIO name: 3.x `target` under the local name, else the 2.x name. */
export function compatImport(q: string, target: string, local: string): ImportRequest {
  const dot = target.lastIndexOf('.');
  return { module: target.slice(0, dot), name: target.slice(dot + 1), asName: local, fallback: { module: 'anyio', name: q.split('.').pop()! } };
}

/**
 * AnyIO 2 and 3: rewrite the reference `site` to `q` (an AnyIO 2 name that 3.x renamed to `target`)
 * so that it uses a cross-version import. Bare from-imported names are handled at their import (see
 * `compatImportItemFix`), so only attribute sites (`anyio.create_event`) are rewritten here.
 */
export function compatSiteFix(ctx: RuleContext, site: Node, q: string, target: string): { edits: Edit[]; imports: ImportRequest[] } | undefined {
  if (site.type !== 'attribute') return undefined;
  // `anyio_` marks a name that was spelled `anyio.<name>`: the clean-up (ASY603) restores that style.
  const local = `anyio_${q.split('.').pop()!}`;
  const bound = lookup(ctx.idx, local, site);
  if (bound && ctx.res.qualifiedOfName(local, site) !== target) return undefined;
  return { edits: [{ start: site.startIndex, end: site.endIndex, text: local }], imports: [compatImport(q, target, local)] };
}

/** AnyIO 2 and 3: replace `from anyio import <old> [as x]` with the cross-version try/except import. */
export function compatImportItemFix(ctx: RuleContext, stmt: Node, item: Node, q: string, target: string): { edits: Edit[]; imports: ImportRequest[] } {
  const local = item.type === 'aliased_import' ? item.childForFieldName('alias')!.text : item.text;
  return { edits: [removeImportItem(ctx.text, stmt, item)], imports: [compatImport(q, target, local)] };
}

/** `from anyio import a, b as c` items of top-level-or-nested statements importing from exactly `module`. */
export function* fromImportItems(ctx: RuleContext, module: string): Generator<{ stmt: Node; item: Node; name: string }> {
  for (const imp of ctx.idx.imports) {
    const stmt = imp.stmt;
    if (stmt.type !== 'import_from_statement' || stmt.childForFieldName('module_name')?.text.replace(/\s+/g, '') !== module) continue;
    // Imports inside a cross-version try/except are the shim itself.
    if (stmt.parent?.parent?.type === 'try_statement' || stmt.parent?.parent?.type === 'except_clause') continue;
    for (const item of stmt.childrenForFieldName('name')) {
      if (!item) continue;
      const name = item.type === 'aliased_import' ? item.childForFieldName('name')?.text : item.text;
      if (name) yield { stmt, item, name };
    }
  }
}

/**
 * Every comment in [start, end) under `roots` (comment nodes at any depth, and the comments hidden
 * from the parser in long comment runs) that is not inside one of `copied` (nodes whose whole text a
 * fix copies), in source order. Tree-sitter attaches a comment to whichever node is open around it
 * (the comment lines before a block's first statement belong to the compound statement, not to its
 * block), so a fix that replaces [start, end) and rebuilds it from some children must look at all
 * of them to lose none.
 */
export function commentsWithin(ctx: RuleContext, roots: readonly Node[], start: number, end: number, copied: readonly Node[] = []): Node[] {
  const inCopied = (s: number, e: number) => copied.some((c) => s >= c.startIndex && e <= c.endIndex);
  const out: Node[] = [];
  // A plain comment entry: from `#` to the end of the line, without the `\r` of a CRLF line ending
  // (tree-sitter-python's comment nodes include it).
  const add = (s: number, e: number, id: number): void => {
    while (e > s && ctx.text[e - 1] === '\r') e--;
    out.push({ type: 'comment', id, startIndex: s, endIndex: e, text: ctx.text.slice(s, e) } as unknown as Node);
  };
  const visit = (n: Node): void => {
    if (n.endIndex <= start || n.startIndex >= end || inCopied(n.startIndex, n.endIndex)) return;
    if (n.type === 'comment') {
      if (n.startIndex >= start && n.endIndex <= end) add(n.startIndex, n.endIndex, n.id);
      return;
    }
    for (const c of n.namedChildren) if (c) visit(c);
  };
  for (const r of roots) visit(r);
  for (const h of hiddenComments(ctx.idx.tree, start, end)) if (!inCopied(h.start, h.end)) add(h.start, h.end, -1 - h.start);
  return out.sort((a, b) => a.startIndex - b.startIndex);
}

/** `end` moved back over the `\r`s before it: where a node that ends with a CRLF comment ends its line. */
export function beforeCr(text: string, end: number): number {
  while (end > 0 && text[end - 1] === '\r') end--;
  return end;
}

/** Whether code (not only blanks) precedes `offset` on its line: a comment there trails a statement. */
export function trailsCode(text: string, offset: number): boolean {
  let i = offset - 1;
  while (i >= 0 && (text[i] === ' ' || text[i] === '\t' || text[i] === '\f' || text[i] === '\uFEFF')) i--;
  return i >= 0 && text[i] !== '\n' && text[i] !== '\r';
}

/**
 * Tells whether a line starts inside a multi-line string of [start, end), for line starts asked in
 * increasing order: the strings are found by binary search in `ctx.idx.strings` (in source order,
 * the index walks the tree in pre-order) and passed by a moving pointer, so a whole body costs
 * O(lines + strings), not lines × strings.
 */
export function lineInStringCursor(ctx: RuleContext, start: number, end: number): (lineStart: number) => boolean {
  const strings = ctx.idx.strings;
  const lo = partitionPoint(strings.length, (i) => strings[i]!.startIndex < start);
  const ranges: Array<[number, number]> = [];
  for (let k = lo; k < strings.length && strings[k]!.startIndex < end; k++) {
    workCounters.stringRangeChecks++;
    const s = strings[k]!;
    if (s.endIndex <= end && /[\r\n]/.test(ctx.text.slice(s.startIndex, s.endIndex))) ranges.push([s.startIndex, s.endIndex]);
  }
  // Sorted by start; a range nested in another (a string in an f-string) comes after it. Ranges that
  // end at or before a line start cannot hold a later one; the first range left holds the line start
  // if any does (a later range starts at or after it).
  let k = 0;
  return (lineStart) => {
    workCounters.stringRangeChecks++;
    while (k < ranges.length && ranges[k]![1] <= lineStart) {
      k++;
      workCounters.stringRangeChecks++;
    }
    return k < ranges.length && lineStart > ranges[k]![0] && lineStart < ranges[k]![1];
  };
}

/**
 * `node`'s text with its continuation lines re-indented: `add` prefixed, or `remove` stripped where
 * present. Lines that start inside a multi-line string are left alone (their text would change).
 */
export function shiftedText(ctx: RuleContext, node: Node, change: { add?: string; remove?: string }): string {
  const inString = lineInStringCursor(ctx, node.startIndex, node.endIndex);
  const text = node.text;
  let out = '';
  let pos = 0;
  // Line breaks as Python reads them: `\r\n`, a lone `\r`, `\n`.
  const breaks = /\r\n?|\n/g;
  for (let m = breaks.exec(text); m; m = breaks.exec(text)) {
    const lineStart = m.index + m[0].length;
    out += text.slice(pos, lineStart);
    pos = lineStart;
    const abs = node.startIndex + lineStart;
    if (inString(abs)) continue;
    const rest = text.slice(lineStart);
    if (/^[ \t]*(\r|\n|$)/.test(rest)) continue;
    if (change.add) out += change.add;
    else if (change.remove && rest.startsWith(change.remove)) pos += change.remove.length;
  }
  return out + text.slice(pos);
}
