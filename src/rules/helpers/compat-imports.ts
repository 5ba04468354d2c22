/**
 * The module-level cross-version try/except imports (`try: from anyio import Event as
 * create_event` / `except ImportError: ...`) and the edits that replace each with the AnyIO 3
 * names it stands for, rewriting every reference to its names.
 */
import { asCompatTry, deleteStatement } from '../../core/imports';
import type { Node } from '../../core/parser';
import { type Binding, lookup } from '../../core/scopes';
import { compatImportSource } from '../../core/resolve';
import { partitionPoint } from '../../core/bisect';
import type { Edit, ImportRequest } from '../../core/types';
import type { RuleContext } from '../../core/rule-api';
import { isLoadReference } from './syntax';

export interface CompatImportBlock {
  /** The `try` statement. */
  stmt: Node;
  /** The AnyIO 3 names it binds (qualified), in order. */
  names: string[];
  edits: Edit[];
  imports: ImportRequest[];
}

/** The index in `blocks` (sorted, disjoint statements) of the one holding `node`, or -1. */
function blockHolding(blocks: readonly Node[], node: Node | undefined): number {
  if (!node) return -1;
  // The last block starting at or before the node: the only one that can hold it.
  const k = partitionPoint(blocks.length, (i) => blocks[i]!.startIndex <= node.startIndex) - 1;
  const b = blocks[k];
  const overlaps = b !== undefined && node.endIndex > b.startIndex && node.startIndex < b.endIndex;
  return overlaps && node.startIndex >= b.startIndex && node.endIndex <= b.endIndex ? k : -1;
}

/**
 * The module-level cross-version try/except imports (ASY603), each with the fix that removes it. Indexed once per analysis: the
 * bindings each block makes (one pass over the module's names), and the load references of those
 * names (one look-up per occurrence). A reference bound by several blocks is rewritten by the fix of
 * the last one only: deleting any other leaves it bound by that last block, and their fixes (the
 * block alone) no longer overlap its fix (the block to the reference), so all go in one round. (A per-block scan of every name and every
 * occurrence was quadratic in the number of blocks: 256 blocks took 29 s.)
 */
export function compatImportBlocks(ctx: RuleContext): CompatImportBlock[] {
  const out: CompatImportBlock[] = [];
  const blocks = ctx.idx.tree.rootNode.namedChildren.filter((c): c is Node => c?.type === 'try_statement' && !!asCompatTry(c));
  if (blocks.length === 0) return out;
  // Per block: every name it binds, with its bindings there.
  const bound = blocks.map(() => new Map<string, Binding[]>());
  for (const [name, bs] of ctx.idx.module.bindings) {
    for (const b of bs) {
      const i = blockHolding(blocks, b.stmt ?? b.node);
      if (i < 0) continue;
      const mine = bound[i]!.get(name);
      if (mine) mine.push(b);
      else bound[i]!.set(name, [b]);
    }
  }
  // Per block: the load references (outside it) of its names that resolve to a binding inside it.
  const refs = blocks.map(() => new Map<string, Node[]>());
  const names = new Set<string>();
  for (const m of bound) for (const name of m.keys()) names.add(name);
  for (const name of names) {
    for (const o of ctx.idx.identifiers.get(name) ?? []) {
      const node = ctx.idx.tree.rootNode.descendantForIndex(o, o + name.length);
      if (!node || node.type !== 'identifier' || !isLoadReference(node)) continue;
      const own = blockHolding(blocks, node);
      let last = -1;
      for (const b of lookup(ctx.idx, name, node)?.bindings ?? []) {
        const i = blockHolding(blocks, b.stmt ?? b.node);
        if (i >= 0 && i !== own && i > last) last = i;
      }
      if (last < 0) continue;
      const list = refs[last]!.get(name);
      if (list) list.push(node);
      else refs[last]!.set(name, [node]);
    }
  }
  blocks.forEach((child, i) => {
    // Every name the try binds, and what it means on AnyIO 3.
    const meaning = new Map<string, string>();
    for (const [name, mine] of bound[i]!) {
      let q = compatImportSource(mine) ?? (mine.length === 1 && mine[0]!.kind === 'import' ? mine[0]!.source : undefined);
      if (!q) {
        // `create_event = Event` in the body.
        const alias = mine.find((b) => b.kind === 'assign' && b.value?.type === 'identifier');
        q = alias ? ctx.res.qualifiedOfName(alias.value!.text, alias.value!) : undefined;
      }
      if (!q || !q.startsWith('anyio.')) return;
      meaning.set(name, q);
    }
    if (meaning.size === 0) return;
    const edits: Edit[] = [deleteStatement(ctx.text, child)];
    const imports: ImportRequest[] = [];
    for (const [name, q] of meaning) {
      for (const ref of refs[i]!.get(name) ?? []) {
        // `anyio_create_event` stood for `anyio.create_event`: keep the dotted style.
        const spelling = ctx.res.spell(q, ref, !name.startsWith('anyio_'), child);
        if (spelling.text !== ref.text || spelling.imports.length) {
          edits.push({ start: ref.startIndex, end: ref.endIndex, text: spelling.text });
          imports.push(...spelling.imports);
        }
        if (spelling.text === ref.text && !spelling.imports.length) imports.push({ module: q.slice(0, q.lastIndexOf('.')), name: q.slice(q.lastIndexOf('.') + 1) });
      }
    }
    out.push({ stmt: child, names: [...new Set(meaning.values())], edits, imports });
  });
  return out;
}
