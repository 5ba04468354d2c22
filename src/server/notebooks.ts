/**
 * Notebooks (LSP 3.17 notebook sync): the Python code cells of a notebook are analysed together,
 * in order, as one text (cell 1 usually holds the imports the other cells rely on). Findings are
 * mapped back to their cell; fixes are computed on the joined text by the engine and split into
 * per-cell edits.
 */
import type { NotebookCell, NotebookCellArrayChange } from 'vscode-languageserver';
import type { Edit, Finding } from '../core/types';
import type { EffectiveConfig } from './settings';

/** Cell kind `Code` in LSP's NotebookCellKind. */
const CODE_CELL = 2;

export interface NotebookState {
  uri: string;
  cells: NotebookCell[];
  /** Bumped on every change to the notebook's structure or any cell's text. */
  generation: number;
  config?: EffectiveConfig;
  validationScheduled: boolean;
  analysis?: NotebookAnalysis;
}

/** The joined text of the Python code cells and where each cell starts in it. */
export interface NotebookContext {
  generation: number;
  text: string;
  cellUris: string[];
  starts: number[];
  ends: number[];
}

export interface NotebookAnalysis extends NotebookContext {
  /** Per cell: findings with offsets local to the cell; `fix` keeps offsets into `text`. */
  byCell: Map<string, Finding[]>;
}

export class NotebookStore {
  private notebooks = new Map<string, NotebookState>();
  private owner = new Map<string, string>();

  open(uri: string, cells: NotebookCell[]): NotebookState {
    const state: NotebookState = { uri, cells: [...cells], generation: 1, validationScheduled: false };
    this.notebooks.set(uri, state);
    for (const c of cells) this.owner.set(c.document, uri);
    return state;
  }

  get(uri: string): NotebookState | undefined {
    return this.notebooks.get(uri);
  }

  /** The notebook a cell document belongs to. */
  ofCell(cellUri: string): NotebookState | undefined {
    const nb = this.owner.get(cellUri);
    return nb === undefined ? undefined : this.notebooks.get(nb);
  }

  splice(state: NotebookState, change: NotebookCellArrayChange): NotebookCell[] {
    const removed = state.cells.splice(change.start, change.deleteCount, ...(change.cells ?? []));
    for (const c of removed) this.owner.delete(c.document);
    for (const c of change.cells ?? []) this.owner.set(c.document, state.uri);
    return removed;
  }

  updateCells(state: NotebookState, cells: NotebookCell[]): void {
    for (const cell of cells) {
      const i = state.cells.findIndex((c) => c.document === cell.document);
      if (i !== -1) state.cells[i] = cell;
    }
  }

  close(uri: string): NotebookState | undefined {
    const state = this.notebooks.get(uri);
    if (!state) return undefined;
    for (const c of state.cells) this.owner.delete(c.document);
    this.notebooks.delete(uri);
    return state;
  }

  all(): NotebookState[] {
    return [...this.notebooks.values()];
  }
}

/** Join the Python code cells (`textOf` returns undefined for cells that are not Python). */
export function buildContext(state: NotebookState, textOf: (cellUri: string) => string | undefined): NotebookContext {
  const cellUris: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let text = '';
  for (const cell of state.cells) {
    if (cell.kind !== CODE_CELL) continue;
    const t = textOf(cell.document);
    if (t === undefined) continue;
    if (cellUris.length > 0) text += '\n';
    cellUris.push(cell.document);
    starts.push(text.length);
    text += t;
    ends.push(text.length);
  }
  return { generation: state.generation, text, cellUris, starts, ends };
}

function cellIndexOf(ctx: NotebookContext, start: number, end: number): number {
  for (let i = 0; i < ctx.cellUris.length; i++) {
    if (ctx.starts[i]! <= start && end <= ctx.ends[i]!) return i;
  }
  return -1;
}

/** Findings of the joined text, per cell (findings that span cells cannot exist in valid code and are dropped). */
export function splitFindings(ctx: NotebookContext, findings: readonly Finding[]): Map<string, Finding[]> {
  const byCell = new Map<string, Finding[]>(ctx.cellUris.map((u) => [u, []]));
  for (const f of findings) {
    const i = cellIndexOf(ctx, f.start, f.end);
    if (i === -1) continue;
    const base = ctx.starts[i]!;
    const local: Finding = { ...f, start: f.start - base, end: f.end - base };
    if (f.token) local.token = { start: f.token.start - base, end: f.token.end - base };
    byCell.get(ctx.cellUris[i]!)!.push(local);
  }
  return byCell;
}

/** Edits of the joined text → edits per cell (local offsets), or why they cannot be split. */
export function splitEdits(ctx: NotebookContext, edits: readonly Edit[]): Map<string, Edit[]> | { refused: string } {
  const out = new Map<string, Edit[]>();
  for (const e of edits) {
    const i = cellIndexOf(ctx, e.start, e.end);
    if (i === -1) return { refused: 'the fix would change the boundary between two cells' };
    const base = ctx.starts[i]!;
    const uri = ctx.cellUris[i]!;
    const list = out.get(uri) ?? [];
    list.push({ start: e.start - base, end: e.end - base, text: e.text });
    out.set(uri, list);
  }
  return out;
}
