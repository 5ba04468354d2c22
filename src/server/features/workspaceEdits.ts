/**
 * Where a code action's fix is computed and how its result becomes a `WorkspaceEdit`: a
 * document's own text, or — for a notebook cell — the joined Python cells of its notebook, whose
 * edit is split back into versioned edits of each cell. Shared by quick fixes
 * (features/codeActions.ts) and the lazily resolved fix-all actions (features/resolve.ts).
 */
import type { TextEdit, WorkspaceEdit } from 'vscode-languageserver/node';
import type { Edit } from '../../core/types';
import type { DocumentState } from '../documents';
import { splitEdits } from '../notebooks';
import type { Session } from '../session';
import { computeEdits, textEditsTo, toTextEdits } from '../textEdits';
import { notebookAnalysis } from './findings';

/** Where a fix is computed: the text, the notebook generation it belongs to, and its result as an edit. */
export interface FixContext {
  text: string;
  generation?: number;
  edit(output: string): WorkspaceEdit | { refused: string };
}

/** Edits of one document, versioned when the client supports `documentChanges`. */
export function workspaceEdit(session: Session, state: DocumentState, edits: TextEdit[]): WorkspaceEdit {
  if (session.supports.documentChanges) {
    return { documentChanges: [{ textDocument: { uri: state.uri, version: state.version }, edits }] };
  }
  return { changes: { [state.uri]: edits } };
}

/** One edit over several documents (notebook cells), each versioned. */
function multiEdit(session: Session, perDoc: Map<string, Edit[]>): WorkspaceEdit {
  const entries: Array<{ uri: string; version: number; edits: TextEdit[] }> = [];
  for (const [uri, edits] of perDoc) {
    const s = session.docs.get(uri);
    if (s) entries.push({ uri, version: s.version, edits: toTextEdits(s.doc, edits) });
  }
  if (session.supports.documentChanges) {
    return { documentChanges: entries.map((e) => ({ textDocument: { uri: e.uri, version: e.version }, edits: e.edits })) };
  }
  return { changes: Object.fromEntries(entries.map((e) => [e.uri, e.edits])) };
}

/**
 * Where fixes for a document are computed: its own text, or — for a notebook cell — the joined
 * Python cells of its notebook (the fix may add an import in another cell).
 */
export function fixContext(session: Session, state: DocumentState): FixContext | undefined {
  const nb = session.notebooks.ofCell(state.uri);
  if (!nb) return { text: state.text, edit: (output) => workspaceEdit(session, state, textEditsTo(state.doc, output)) };
  const analysis = notebookAnalysis(session, nb);
  if (!analysis) return undefined;
  return {
    text: analysis.text,
    generation: nb.generation,
    edit: (output) => {
      const split = splitEdits(analysis, computeEdits(analysis.text, output));
      return split instanceof Map ? multiEdit(session, split) : split;
    },
  };
}
