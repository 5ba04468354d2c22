/**
 * Import bookkeeping that runs after a round of fixes: add the imports the fixes asked for (each
 * distinct one once) and remove `from anyio... import` names that the fixes left unused. An added
 * name takes the place of a removed name in the same statement, so
 * `from anyio import create_event, sleep` becomes `from anyio import Event, sleep`.
 */
import type { Node } from './parser';
import type { FileIndex } from './scopes';
import type { Edit, ImportRequest } from './types';
import { lineEndAt, lineEnding, lineStartAt, nextLineStart } from './text';
import { partitionPoint } from './bisect';
import { workCounters } from './work';

interface UsageIndex {
  /** Start and end offsets of the import statements, sorted by start (statements do not nest). */
  starts: number[];
  ends: number[];
  /** Every text between two quotes on one line (`'name'`, `"name"`) when the file mentions `__all__`. */
  quoted?: Set<string>;
}

const USAGE_INDEX = new WeakMap<FileIndex, UsageIndex>();

function usageIndex(idx: FileIndex): UsageIndex {
  let u = USAGE_INDEX.get(idx);
  if (!u) {
    const ranges = idx.imports.map((i) => [i.stmt.startIndex, i.stmt.endIndex] as const).sort((a, b) => a[0] - b[0]);
    u = { starts: ranges.map((r) => r[0]), ends: ranges.map((r) => r[1]) };
    if (idx.text.includes('__all__')) {
      // Each quote starts a candidate that ends at the next quote (not consumed, so it can start the
      // next one): the same strings `['"]name['"]` would find, for every name at once.
      u.quoted = new Set();
      const re = /['"]([^'"\n]*)(?=['"])/g;
      for (let m = re.exec(idx.text); m; m = re.exec(idx.text)) u.quoted.add(m[1]!);
    }
    USAGE_INDEX.set(idx, u);
  }
  return u;
}

/** Whether `offset` lies inside an import statement (binary search over the sorted ranges). */
function inImport(u: UsageIndex, offset: number): boolean {
  workCounters.importRangeChecks++;
  const found = partitionPoint(u.starts.length, (i) => u.starts[i]! <= offset) - 1;
  return found >= 0 && offset < u.ends[found]!;
}

/** Uses of `name` outside import statements (plus mentions in `__all__`). */
export function usageCount(idx: FileIndex, name: string): number {
  const offsets = idx.identifiers.get(name) ?? [];
  const u = usageIndex(idx);
  let n = 0;
  for (const o of offsets) if (!inImport(u, o)) n++;
  if (n === 0 && u.quoted?.has(name)) n = 1;
  return n;
}

/** Standard-library modules the fixes import (`import warnings`), also cleaned up when left unused. */
const HELPER_MODULES = new Set(['warnings', 'inspect']);

function isCleanable(stmt: Node): boolean {
  if (stmt.type === 'import_statement') return stmt.namedChildren.every((c) => c?.type === 'dotted_name' && HELPER_MODULES.has(c.text));
  const mod = stmt.childForFieldName('module_name')?.text.replace(/\s+/g, '');
  return !!mod && (mod === 'anyio' || mod.startsWith('anyio.'));
}

function statementItems(stmt: Node): Node[] {
  return (stmt.type === 'import_statement' ? stmt.namedChildren : stmt.childrenForFieldName('name')).filter(Boolean) as Node[];
}

/** Local names bound by `from anyio... import` statements and `import warnings/inspect` (candidates for clean-up). */
export function anyioFromImportNames(idx: FileIndex): Set<string> {
  const names = new Set<string>();
  for (const imp of idx.imports) {
    if (imp.stmt.type === 'import_statement' && isCleanable(imp.stmt)) {
      for (const c of imp.stmt.namedChildren) if (c) names.add(c.text);
      continue;
    }
    if (imp.stmt.type !== 'import_from_statement') continue;
    const mod = imp.stmt.childForFieldName('module_name')?.text.replace(/\s+/g, '');
    if (!mod || !(mod === 'anyio' || mod.startsWith('anyio.'))) continue;
    for (const item of imp.stmt.childrenForFieldName('name')) {
      if (!item) continue;
      names.add(item.type === 'aliased_import' ? (item.childForFieldName('alias')?.text ?? '') : item.text);
    }
  }
  names.delete('');
  return names;
}

function localNameOf(item: Node): string {
  return item.type === 'aliased_import' ? (item.childForFieldName('alias')?.text ?? '') : item.text;
}

function requestText(r: ImportRequest): string {
  const name = r.name ?? r.module;
  return r.asName && r.asName !== name ? `${name} as ${r.asName}` : name;
}

/**
 * Whether the file already has what `r` asks for. A plain `import anyio.to_process` is there to load
 * the submodule (`import anyio` alone does not load every one: `anyio.to_process` is an
 * AttributeError after it), so only an `import` of that module (or of one below it) satisfies it,
 * not any other import that binds `anyio`.
 */
function isSatisfied(idx: FileIndex, r: ImportRequest): boolean {
  const local = r.asName ?? r.name ?? r.module.split('.')[0]!;
  const source = r.name ? `${r.module}.${r.name}` : r.asName ? r.module : local;
  return (idx.module.bindings.get(local) ?? []).some(
    (b) => b.kind === 'import' && b.source === source && (r.name || r.asName || !r.module.includes('.') || importsModule(b.stmt, r.module)),
  );
}

/**
 * Whether the `import` statement `stmt` has an unaliased item `module` or `module.<sub>`, and runs
 * (not under `if TYPE_CHECKING:`).
 */
function importsModule(stmt: Node | undefined, module: string): boolean {
  if (stmt?.type !== 'import_statement') return false;
  for (let p = stmt.parent; p; p = p.parent) {
    if (p.type === 'if_statement' && /\bTYPE_CHECKING\b/.test(p.childForFieldName('condition')?.text ?? '')) return false;
  }
  return stmt.namedChildren.some((c) => {
    if (c?.type !== 'dotted_name') return false;
    const full = c.text.replace(/\s+/g, '');
    return full === module || full.startsWith(`${module}.`);
  });
}

/** The file's indentation unit: a tab when its blocks are tab-indented, else four spaces. */
export function indentUnit(text: string): string {
  const m = /:[ \t]*(?:#[^\r\n]*)?(?:\r\n?|\n)([ \t]+)\S/.exec(text);
  return m && m[1]!.startsWith('\t') ? '\t' : m ? m[1]! : '    ';
}

/** `try: from a import X as L / except ImportError: from b import Y as L` for the fallback requests. */
function fallbackBlock(rs: readonly ImportRequest[], nl: string, unit: string): string {
  const line = (module: string, name: string, local: string) => `${unit}from ${module} import ${name === local ? name : `${name} as ${local}`}`;
  const local = (r: ImportRequest) => r.asName ?? r.name!;
  return ['try:', ...rs.map((r) => line(r.module, r.name!, local(r))), 'except ImportError:', ...rs.map((r) => line(r.fallback!.module, r.fallback!.name, local(r)))].join(nl);
}

/** Start of the line holding `offset`, and whether only whitespace precedes `offset` on it. */
function lineStartOf(text: string, offset: number): number {
  return lineStartAt(text, offset);
}

function lineEndOf(text: string, offset: number): number {
  return nextLineStart(text, offset);
}

/** Whether `stmt` has no sibling statement (comments aside): looks at the neighbours, not the whole block. */
function isOnlyStatement(stmt: Node): boolean {
  for (let n = stmt.previousNamedSibling; n; n = n.previousNamedSibling) if (n.type !== 'comment') return false;
  for (let n = stmt.nextNamedSibling; n; n = n.nextNamedSibling) if (n.type !== 'comment') return false;
  return true;
}

/** Edits that delete a whole statement, or turn it into `pass` when it is alone in its block. */
export function deleteStatement(text: string, stmt: Node): Edit {
  const parent = stmt.parent;
  if (parent && parent.type === 'block' && isOnlyStatement(stmt)) {
    return { start: stmt.startIndex, end: stmt.endIndex, text: 'pass' };
  }
  const ls = lineStartOf(text, stmt.startIndex);
  const before = text.slice(ls, stmt.startIndex);
  const le = lineEndOf(text, stmt.endIndex);
  const after = text.slice(stmt.endIndex, le).replace(/(?:\r\n?|\n)$/, '');
  if (/^[ \t]*$/.test(before) && /^[ \t]*$/.test(after)) return { start: ls, end: le, text: '' };
  return { start: stmt.startIndex, end: stmt.endIndex, text: 'pass' };
}

/**
 * Edits for one round's import bookkeeping on `idx` (the text after the fixes' own edits).
 * `removals`: local names to drop from `from anyio... import` statements.
 */
export function importEdits(idx: FileIndex, requests: readonly ImportRequest[], removals: ReadonlySet<string>): Edit[] {
  const text = idx.text;
  const nl = lineEnding(text);
  const edits: Edit[] = [];
  // Distinct, not yet satisfied requests, grouped by module.
  const byModule = new Map<string, ImportRequest[]>();
  let plain: ImportRequest[] = [];
  const fallbacks: ImportRequest[] = [];
  const seen = new Set<string>();
  for (const r of requests) {
    const key = `${r.module}|${r.name ?? ''}|${r.asName ?? ''}|${r.fallback?.module ?? ''}|${r.fallback?.name ?? ''}`;
    if (seen.has(key) || isSatisfied(idx, r)) continue;
    seen.add(key);
    if (!r.name || r.fallback) {
      (r.fallback ? fallbacks : plain).push(r);
      continue;
    }
    let list = byModule.get(r.module);
    if (!list) byModule.set(r.module, (list = []));
    list.push(r);
  }

  const handledModules = new Set<string>();
  for (const imp of idx.imports) {
    const stmt = imp.stmt;
    if (!isCleanable(stmt)) continue;
    const mod = stmt.type === 'import_statement' ? '' : stmt.childForFieldName('module_name')!.text.replace(/\s+/g, '');
    const items = statementItems(stmt);
    if (items.length === 0) continue; // wildcard
    const removed = items.map((it) => removals.has(localNameOf(it)));
    const adds = mod && imp.topLevel && !handledModules.has(mod) ? (byModule.get(mod) ?? []) : [];
    if (adds.length) handledModules.add(mod);
    if (!removed.some(Boolean) && adds.length === 0) continue;

    // Pair additions with removed slots (in place), the rest is appended.
    const replaced = new Map<number, string>();
    let ai = 0;
    for (let i = 0; i < items.length && ai < adds.length; i++) if (removed[i]) replaced.set(i, requestText(adds[ai++]!));
    const appended = adds.slice(ai).map(requestText);
    const kept = items.map((_, i) => !removed[i] || replaced.has(i));

    if (!kept.some(Boolean) && appended.length === 0) {
      edits.push(deleteStatement(text, stmt));
      continue;
    }
    for (const [i, t] of replaced) edits.push({ start: items[i]!.startIndex, end: items[i]!.endIndex, text: t });
    // Delete runs of removed items.
    for (let i = 0; i < items.length;) {
      if (kept[i]) {
        i++;
        continue;
      }
      let j = i;
      while (j + 1 < items.length && !kept[j + 1]) j++;
      const next = j + 1 < items.length ? items[j + 1] : undefined;
      if (next) edits.push({ start: items[i]!.startIndex, end: next.startIndex, text: '' });
      else {
        let k = i - 1;
        while (k >= 0 && !kept[k]) k--;
        const prev = items[k]!; // exists: some item is kept
        edits.push({ start: prev.endIndex, end: items[j]!.endIndex, text: '' });
      }
      i = j + 1;
    }
    if (appended.length) {
      let last = -1;
      for (let i = 0; i < items.length; i++) if (kept[i]) last = i;
      if (last >= 0) {
        const lastItem = items[last]!;
        const multiline = /[\r\n]/.test(stmt.text) && stmt.children.some((c) => c?.type === '(');
        if (multiline) {
          const indent = text.slice(lineStartOf(text, lastItem.startIndex), lastItem.startIndex);
          const after = lastItem.nextSibling;
          if (after?.type === ',') edits.push({ start: after.endIndex, end: after.endIndex, text: appended.map((a) => `${nl}${indent}${a},`).join('') });
          else edits.push({ start: lastItem.endIndex, end: lastItem.endIndex, text: appended.map((a) => `,${nl}${indent}${a}`).join('') });
        } else edits.push({ start: lastItem.endIndex, end: lastItem.endIndex, text: appended.map((a) => `, ${a}`).join('') });
      } else {
        // Every original name was removed: the statement now holds only the additions.
        const first = items[0]!;
        const lastItem = items[items.length - 1]!;
        edits.push({ start: first.startIndex, end: lastItem.endIndex, text: appended.join(', ') });
      }
    }
  }

  // Modules with no top-level `from <module> import` statement: a new statement.
  // Cross-version imports join an existing try/except import block when there is one.
  const unit = indentUnit(text);
  const block = fallbacks.length ? compatTryBlock(idx) : undefined;
  if (block) {
    const local = (r: ImportRequest) => r.asName ?? r.name!;
    const line = (ind: string, module: string, name: string, l: string) => `${nl}${ind}from ${module} import ${name === l ? name : `${name} as ${l}`}`;
    const bodyIndent = text.slice(lineStartOf(text, block.bodyLast.startIndex), block.bodyLast.startIndex);
    const handlerIndent = text.slice(lineStartOf(text, block.handlerLast.startIndex), block.handlerLast.startIndex);
    edits.push({ start: block.bodyLast.endIndex, end: block.bodyLast.endIndex, text: fallbacks.map((r) => line(bodyIndent, r.module, r.name!, local(r))).join('') });
    edits.push({
      start: block.handlerLast.endIndex,
      end: block.handlerLast.endIndex,
      text: fallbacks.map((r) => line(handlerIndent, r.fallback!.module, r.fallback!.name, local(r))).join(''),
    });
  }
  // Plain `import x` of standard library modules go before the first import; `import anyio.<sub>`
  // goes with the AnyIO imports (below).
  const anyioPlain = plain.filter((r) => r.module === 'anyio' || r.module.startsWith('anyio.'));
  plain = plain.filter((r) => !anyioPlain.includes(r));
  if (plain.length) {
    const first = idx.imports.find((i) => i.topLevel);
    if (first) {
      const ls = lineStartOf(text, first.stmt.startIndex);
      edits.push({ start: ls, end: ls, text: plain.map((r) => `import ${requestText(r)}${nl}`).join('') });
    }
  }
  const plainLeft = idx.imports.some((i) => i.topLevel) ? [] : plain;
  const fresh = [...byModule.entries()].filter(([m]) => !handledModules.has(m));
  if (fresh.length || plainLeft.length || anyioPlain.length || (fallbacks.length && !block)) {
    const at = insertionPoint(idx);
    const lines = [
      ...plainLeft.map((r) => `import ${requestText(r)}`),
      ...anyioPlain.map((r) => `import ${requestText(r)}`),
      ...fresh.map(([m, rs]) => `from ${m} import ${rs.map(requestText).join(', ')}`),
      ...(fallbacks.length && !block ? [fallbackBlock(fallbacks, nl, unit)] : []),
    ];
    if (at.afterLine) edits.push({ start: at.offset, end: at.offset, text: lines.map((l) => `${nl}${l}`).join('') });
    else edits.push({ start: at.offset, end: at.offset, text: lines.map((l) => `${l}${nl}`).join('') });
  }
  return edits;
}

/**
 * A top-level `try:` holding only `from anyio... import` statements, with one `except ImportError:`
 * holding only imports: the cross-version import block this tool writes.
 */
export function compatTryBlock(idx: FileIndex): { stmt: Node; bodyLast: Node; handlerLast: Node } | undefined {
  for (const child of idx.tree.rootNode.namedChildren) {
    if (child?.type !== 'try_statement') continue;
    const r = asCompatTry(child);
    // New lines are added after the last statement of each part, at its indentation: both must
    // start their own line (not `try: from anyio import X`).
    if (r && startsLine(idx.text, r.bodyLast) && startsLine(idx.text, r.handlerLast)) return r;
  }
  return undefined;
}

function startsLine(text: string, node: Node): boolean {
  return /^[ \t]*$/.test(text.slice(lineStartOf(text, node.startIndex), node.startIndex));
}

export function asCompatTry(stmt: Node): { stmt: Node; bodyLast: Node; handlerLast: Node } | undefined {
  const body = stmt.childForFieldName('body');
  const handlers = stmt.namedChildren.filter((c) => c?.type === 'except_clause') as Node[];
  if (!body || handlers.length !== 1 || stmt.namedChildren.some((c) => c?.type === 'else_clause' || c?.type === 'finally_clause')) return undefined;
  const handler = handlers[0]!;
  const exc = handler.namedChildren.find((c) => c && c.type !== 'block' && c.type !== 'comment');
  if (!exc || !/^\(?\s*(ImportError|ModuleNotFoundError)/.test(exc.text)) return undefined;
  const hBody = handler.namedChildren.find((c) => c?.type === 'block');
  const stmts = (b: Node) => b.namedChildren.filter((c) => c && c.type !== 'comment') as Node[];
  const isAnyioImport = (n: Node) => n.type === 'import_from_statement' && /^anyio\b/.test(n.childForFieldName('module_name')?.text ?? '');
  // The guide's form also aliases in the body: `create_event = Event`.
  const isAlias = (n: Node) =>
    n.type === 'expression_statement' &&
    n.namedChild(0)?.type === 'assignment' &&
    n.namedChild(0)!.childForFieldName('left')?.type === 'identifier' &&
    n.namedChild(0)!.childForFieldName('right')?.type === 'identifier';
  // Both parts hold statements (a handler's block is empty only in a tree with errors).
  if (!hBody || !stmts(body).length || !stmts(hBody).length || !stmts(body).every((n) => isAnyioImport(n) || isAlias(n)) || !stmts(hBody).every(isAnyioImport)) return undefined;
  return { stmt, bodyLast: stmts(body).at(-1)!, handlerLast: stmts(hBody).at(-1)! };
}

/**
 * Where a new import statement goes: after the last top-level `anyio` import, else after the last
 * top-level import of the leading import block, else after the docstring / `__future__` imports /
 * leading comments.
 */
function insertionPoint(idx: FileIndex): { offset: number; afterLine: boolean } {
  const text = idx.text;
  const top = idx.imports.filter((i) => i.topLevel);
  const anyioImports = top.filter((i) => /^(from|import)\s+anyio\b/.test(i.stmt.text));
  const anchor = anyioImports[anyioImports.length - 1] ?? leadingImportBlockEnd(idx);
  if (anchor) return { offset: lineEndWithoutNewline(text, anchor.stmt.endIndex), afterLine: true };
  // No imports at all: after leading comments (shebang, coding), the docstring and `__future__`
  // imports; else at the very top (after a BOM).
  let offset = text.startsWith('\ufeff') ? 1 : 0;
  let seenDoc = false;
  for (const child of idx.tree.rootNode.namedChildren) {
    if (!child) continue;
    const isDoc: boolean = !seenDoc && child.type === 'expression_statement' && child.namedChild(0)?.type === 'string';
    if (child.type === 'comment' || child.type === 'future_import_statement' || isDoc) {
      seenDoc ||= isDoc;
      offset = lineEndOf(text, child.endIndex);
      continue;
    }
    break;
  }
  if (offset === text.length && offset > 0 && !/[\r\n]$/.test(text)) return { offset, afterLine: true };
  return { offset, afterLine: false };
}

function leadingImportBlockEnd(idx: FileIndex): { stmt: Node } | undefined {
  let last: Node | undefined;
  for (const child of idx.tree.rootNode.namedChildren) {
    if (!child) continue;
    if (child.type === 'import_statement' || child.type === 'import_from_statement' || child.type === 'future_import_statement') last = child;
    else if (child.type === 'comment' || (child.type === 'expression_statement' && child.namedChild(0)?.type === 'string' && !last)) continue;
    else break;
  }
  return last ? { stmt: last } : undefined;
}

function lineEndWithoutNewline(text: string, offset: number): number {
  return lineEndAt(text, offset);
}
