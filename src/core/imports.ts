/**
 * Import bookkeeping that runs after a round of fixes: add the imports the fixes asked for (each
 * distinct one once) and remove `from anyio... import` names that the fixes left unused. An added
 * name takes the place of a removed name in the same statement, so
 * `from anyio import create_event, sleep` becomes `from anyio import Event, sleep`.
 */
import type { Node } from './parser';
import type { FileIndex } from './scopes';
import type { Edit, ImportRequest } from './types';
import { lineEnding } from './text';

function importRanges(idx: FileIndex): Array<[number, number]> {
  return idx.imports.map((i) => [i.stmt.startIndex, i.stmt.endIndex] as [number, number]);
}

/** Uses of `name` outside import statements (plus mentions in `__all__`). */
export function usageCount(idx: FileIndex, name: string): number {
  const offsets = idx.identifiers.get(name) ?? [];
  const ranges = importRanges(idx);
  let n = 0;
  for (const o of offsets) if (!ranges.some(([s, e]) => o >= s && o < e)) n++;
  if (n === 0 && idx.text.includes('__all__') && new RegExp(`['"]${name}['"]`).test(idx.text)) n = 1;
  return n;
}

/** Local names bound by `from anyio... import` statements (candidates for clean-up). */
export function anyioFromImportNames(idx: FileIndex): Set<string> {
  const names = new Set<string>();
  for (const imp of idx.imports) {
    if (imp.stmt.type !== 'import_from_statement') continue;
    const mod = imp.stmt.childForFieldName('module_name')?.text.replace(/\s+/g, '');
    if (!mod || !(mod === 'anyio' || mod.startsWith('anyio.'))) continue;
    for (const item of imp.stmt.childrenForFieldName('name')) {
      if (!item) continue;
      names.add(item.type === 'aliased_import' ? item.childForFieldName('alias')?.text ?? '' : item.text);
    }
  }
  names.delete('');
  return names;
}

function localNameOf(item: Node): string {
  return item.type === 'aliased_import' ? item.childForFieldName('alias')?.text ?? '' : item.text;
}

function requestText(r: ImportRequest): string {
  const name = r.name ?? r.module;
  return r.asName && r.asName !== name ? `${name} as ${r.asName}` : name;
}

function isSatisfied(idx: FileIndex, r: ImportRequest): boolean {
  const local = r.asName ?? r.name ?? r.module.split('.')[0]!;
  const source = r.name ? `${r.module}.${r.name}` : r.asName ? r.module : local;
  return (idx.module.bindings.get(local) ?? []).some((b) => b.kind === 'import' && b.source === source);
}

/** The file's indentation unit: a tab when its blocks are tab-indented, else four spaces. */
export function indentUnit(text: string): string {
  const m = /:[ \t]*(?:#[^\n]*)?\r?\n([ \t]+)\S/.exec(text);
  return m && m[1]!.startsWith('\t') ? '\t' : m ? m[1]! : '    ';
}

/** `try: from a import X as L / except ImportError: from b import Y as L` for the fallback requests. */
function fallbackBlock(rs: readonly ImportRequest[], nl: string, unit: string): string {
  const line = (module: string, name: string, local: string) => `${unit}from ${module} import ${name === local ? name : `${name} as ${local}`}`;
  const local = (r: ImportRequest) => r.asName ?? r.name!;
  return [
    'try:',
    ...rs.map((r) => line(r.module, r.name!, local(r))),
    'except ImportError:',
    ...rs.map((r) => line(r.fallback!.module, r.fallback!.name, local(r))),
  ].join(nl);
}

/** Start of the line holding `offset`, and whether only whitespace precedes `offset` on it. */
function lineStartOf(text: string, offset: number): number {
  const i = text.lastIndexOf('\n', offset - 1);
  return i + 1;
}

function lineEndOf(text: string, offset: number): number {
  const i = text.indexOf('\n', offset);
  return i === -1 ? text.length : i + 1;
}

/** Edits that delete a whole statement, or turn it into `pass` when it is alone in its block. */
function deleteStatement(text: string, stmt: Node): Edit {
  const parent = stmt.parent;
  if (parent && parent.type === 'block' && parent.namedChildren.filter((c) => c && c.type !== 'comment').length === 1) {
    return { start: stmt.startIndex, end: stmt.endIndex, text: 'pass' };
  }
  const ls = lineStartOf(text, stmt.startIndex);
  const before = text.slice(ls, stmt.startIndex);
  const le = lineEndOf(text, stmt.endIndex);
  const after = text.slice(stmt.endIndex, le).replace(/\r?\n$/, '');
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
  const plain: ImportRequest[] = [];
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
    if (stmt.type !== 'import_from_statement') continue;
    const mod = stmt.childForFieldName('module_name')?.text.replace(/\s+/g, '');
    if (!mod || !(mod === 'anyio' || mod.startsWith('anyio.'))) continue;
    const items = stmt.childrenForFieldName('name').filter(Boolean) as Node[];
    if (items.length === 0) continue; // wildcard
    const removed = items.map((it) => removals.has(localNameOf(it)));
    const adds = imp.topLevel && !handledModules.has(mod) ? byModule.get(mod) ?? [] : [];
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
    for (let i = 0; i < items.length; ) {
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
        const multiline = stmt.text.includes('\n') && stmt.children.some((c) => c?.type === '(');
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
  const fresh = [...byModule.entries()].filter(([m]) => !handledModules.has(m));
  if (fresh.length || plain.length || fallbacks.length) {
    const at = insertionPoint(idx);
    const lines = [
      ...plain.map((r) => `import ${requestText(r)}`),
      ...fresh.map(([m, rs]) => `from ${m} import ${rs.map(requestText).join(', ')}`),
      ...(fallbacks.length ? [fallbackBlock(fallbacks, nl, indentUnit(text))] : []),
    ];
    if (at.afterLine) edits.push({ start: at.offset, end: at.offset, text: lines.map((l) => `${nl}${l}`).join('') });
    else edits.push({ start: at.offset, end: at.offset, text: lines.map((l) => `${l}${nl}`).join('') });
  }
  return edits;
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
  if (offset === text.length && offset > 0 && !text.endsWith('\n')) return { offset, afterLine: true };
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
  const i = text.indexOf('\n', offset);
  if (i === -1) return text.length;
  return text[i - 1] === '\r' ? i - 1 : i;
}
