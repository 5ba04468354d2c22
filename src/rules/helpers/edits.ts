/**
 * Edit builders shared by the fixes: drop an `await`, re-spell a reference, remove a list element
 * or an imported name, move an imported name to another module, replace a statement with lines.
 */
import type { Node } from '../../core/parser';
import { deleteStatement, indentUnit } from '../../core/imports';
import { indentAt, lineAt, lineEnding } from '../../core/text';
import type { Resolver } from '../../core/resolve';
import type { Edit, ImportRequest } from '../../core/types';
import { awaitedOperand } from './syntax';

/** Edit that removes the `await` keyword and the whitespace after it. */
export function dropAwait(awaitNode: Node): Edit {
  const inner = awaitedOperand(awaitNode) ?? awaitNode.namedChild(0)!;
  return { start: awaitNode.startIndex, end: inner.startIndex, text: '' };
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

/** Remove one name from a `from X import ...` statement (the whole statement when it is the only one). */
export function removeImportItem(text: string, stmt: Node, item: Node): Edit {
  const items = stmt.childrenForFieldName('name').filter(Boolean) as Node[];
  if (items.length === 1) return deleteStatement(text, stmt);
  return removeListElement(
    items,
    items.findIndex((x) => x.id === item.id),
  );
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
