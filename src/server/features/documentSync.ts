/**
 * Document synchronisation: `textDocument/didOpen|didChange|didSave|didClose` and the notebook
 * equivalents. Keeps the session's documents (and notebooks) in step with the editor, validates
 * changes (a change that cannot be applied desyncs the document), schedules diagnostics and tells
 * the project index about unsaved text.
 */
import type {
  DidChangeNotebookDocumentParams,
  DidChangeTextDocumentParams,
  DidCloseNotebookDocumentParams,
  DidCloseTextDocumentParams,
  DidOpenNotebookDocumentParams,
  DidOpenTextDocumentParams,
  DidSaveTextDocumentParams,
  TextDocumentContentChangeEvent,
} from 'vscode-languageserver/node';
import type { DocumentState } from '../documents';
import type { Session } from '../session';
import { clearDiagnostics, schedule, scheduleNotebook } from './diagnostics';
import { INDEX_DEBOUNCE_MS, indexDocument } from './indexing';

export function didOpen(session: Session, p: DidOpenTextDocumentParams): void {
  const state = session.docs.open(p.textDocument.uri, p.textDocument.languageId, p.textDocument.version, p.textDocument.text);
  schedule(session, state);
  indexDocument(session, p.textDocument.uri, 0);
}

export function didChange(session: Session, p: DidChangeTextDocumentParams): void {
  const state = session.docs.get(p.textDocument.uri);
  if (!state) return;
  if (!applyChanges(session, state, p.contentChanges, p.textDocument.version)) return;
  schedule(session, state);
  indexDocument(session, state.uri, INDEX_DEBOUNCE_MS);
}

export function didSave(session: Session, p: DidSaveTextDocumentParams): void {
  indexDocument(session, p.textDocument.uri, 0, true);
}

export function didClose(session: Session, p: DidCloseTextDocumentParams): void {
  const uri = p.textDocument.uri;
  if (session.docs.get(uri)?.inWorker) session.worker.close(uri);
  session.docs.close(uri);
  session.altCache.delete(uri);
  session.analysedKey.delete(uri);
  clearDiagnostics(session, uri);
  indexDocument(session, uri, 0); // its text is the disk's again
}

export function didOpenNotebook(session: Session, p: DidOpenNotebookDocumentParams): void {
  for (const item of p.cellTextDocuments) session.docs.open(item.uri, item.languageId, item.version, item.text);
  scheduleNotebook(session, session.notebooks.open(p.notebookDocument.uri, p.notebookDocument.cells));
}

export function didChangeNotebook(session: Session, p: DidChangeNotebookDocumentParams): void {
  const nb = session.notebooks.get(p.notebookDocument.uri);
  if (!nb) return;
  const cells = p.change.cells;
  if (cells?.structure) {
    session.notebooks.splice(nb, cells.structure.array);
    for (const item of cells.structure.didOpen ?? []) session.docs.open(item.uri, item.languageId, item.version, item.text);
    for (const id of cells.structure.didClose ?? []) {
      session.docs.close(id.uri);
      clearDiagnostics(session, id.uri);
    }
  }
  if (cells?.data) session.notebooks.updateCells(nb, cells.data);
  for (const tc of cells?.textContent ?? []) {
    const state = session.docs.get(tc.document.uri);
    if (state) applyChanges(session, state, tc.changes, tc.document.version);
  }
  scheduleNotebook(session, nb, true);
}

export function didCloseNotebook(session: Session, p: DidCloseNotebookDocumentParams): void {
  session.notebooks.close(p.notebookDocument.uri);
  for (const id of p.cellTextDocuments) {
    session.docs.close(id.uri);
    clearDiagnostics(session, id.uri);
  }
}

/**
 * Apply a didChange (validated: see DocumentState.applyChanges); false when it was stale. A
 * change that cannot be applied desyncs the document: logged, and its diagnostics replaced by
 * one saying so until the editor sends the full text (or closes and reopens the document).
 */
function applyChanges(session: Session, state: DocumentState, changes: TextDocumentContentChangeEvent[], version: number): boolean {
  const log = session.connection.console;
  const wasDesynced = state.desync;
  const dropped = state.droppedWhileDesynced;
  const result = state.applyChanges(changes, version);
  if (result.kind === 'stale') {
    log.warn(`anyio-migrate: ignored change to ${state.uri} at version ${version} (have ${state.version})`);
    return false;
  }
  if (state.desync !== undefined && state.desync !== wasDesynced) {
    log.warn(
      `anyio-migrate: ${state.uri}: change at version ${version} not applied: ${state.desync}. The document is out of sync; it is not analysed until the editor sends its full text (close and reopen it).`,
    );
  } else if (state.desync !== undefined && dropped === 0 && state.droppedWhileDesynced > 0) {
    log.warn(`anyio-migrate: ${state.uri}: out of sync; changes are ignored until the full text is sent`);
  } else if (wasDesynced !== undefined && state.desync === undefined) {
    log.info(`anyio-migrate: ${state.uri}: back in sync (full text received at version ${version})`);
  }
  return true;
}
