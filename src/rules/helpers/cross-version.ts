/**
 * The AnyIO 2 and 3 forms the `anyio2+3` target's fixes build: cross-version try/except imports of
 * renamed names, the `maybe_async` / `maybe_async_cm` shims, and a deprecated call kept under
 * `warnings.catch_warnings()` with its DeprecationWarning silenced.
 */
import type { Node } from '../../core/parser';
import { lookup } from '../../core/scopes';
import { indentUnit } from '../../core/imports';
import type { Edit, ImportRequest } from '../../core/types';
import type { RuleContext } from '../../core/rule-api';
import { removeImportItem, replaceStatementWithLines } from './edits';
import { shiftedText } from './reindent';

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

/** How to spell the shim `anyio.maybe_async` / `anyio.maybe_async_cm` at `site`. */
export function spellShim(ctx: RuleContext, name: 'maybe_async' | 'maybe_async_cm', site: Node): { text: string; imports: ImportRequest[] } {
  return ctx.res.spell(`anyio.${name}`, site, false);
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

/** The fix title of a cross-version import, shared by the rules whose names AnyIO 3 renamed. */
export const CROSS_VERSION_IMPORT_TITLE = { crossVersionImport: 'Use a cross-version import (AnyIO 2 and 3)' };

/** The fix title of a deprecated call kept with its DeprecationWarning silenced (AnyIO 2 and 3). */
export const SILENCE_TITLE = { silence: 'Silence the DeprecationWarning (AnyIO 2 and 3)' };
