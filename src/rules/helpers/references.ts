/**
 * Finding what refers to AnyIO names: load references that resolve to a set of qualified names,
 * the names bound by imports of anyio, and the items of `from <module> import ...` statements.
 */
import type { Node } from '../../core/parser';
import type { FileIndex } from '../../core/scopes';
import type { RuleContext } from '../../core/rule-api';
import { isLoadReference } from './syntax';

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
