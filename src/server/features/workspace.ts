/**
 * Changes around the documents: `workspace/didChangeConfiguration` (settings), watched files
 * (pyproject.toml → settings; Python files and .gitignore → the project index) and workspace
 * folders added or removed. Each invalidates what depends on it and re-validates.
 */
import type { DidChangeConfigurationParams, DidChangeWatchedFilesParams, WorkspaceFoldersChangeEvent } from 'vscode-languageserver/node';
import { CONFIG_SECTION } from '../../shared/protocol';
import type { Session } from '../session';
import { fsPathOf, normalizeSettings } from '../settings';
import { configMayHaveChanged } from './configDiagnostics';
import { invalidateConfig } from './diagnostics';
import { startProjectIndex } from './indexing';

export function didChangeConfiguration(session: Session, p: DidChangeConfigurationParams): void {
  if (!session.supports.configuration) {
    const s = (p.settings as Record<string, unknown> | null | undefined)?.[CONFIG_SECTION];
    if (s !== undefined) session.globalSettings = normalizeSettings(s);
  }
  invalidateConfig(session);
  configMayHaveChanged(session);
}

export function didChangeWatchedFiles(session: Session, p: DidChangeWatchedFilesParams): void {
  let config = false;
  let walk = false;
  for (const change of p.changes) {
    const file = fsPathOf(change.uri);
    if (!file || /\.pyi?$/.test(file)) {
      if (!file) continue;
      // Created or deleted files change the set of modules (and their names): walk again.
      if (change.type === 2) session.project?.touch(file);
      else walk = true;
    } else if (file.endsWith('.gitignore')) walk = true;
    else config = true;
  }
  if (walk) session.project?.filesAddedOrRemoved();
  if (config) {
    session.pyprojects.clear();
    invalidateConfig(session);
    configMayHaveChanged(session); // a fixed or deleted pyproject.toml loses its diagnostics
    session.project?.filesAddedOrRemoved(); // its exclude patterns may have changed
  }
}

export function didChangeWorkspaceFolders(session: Session, e: WorkspaceFoldersChangeEvent): void {
  const removed = new Set(e.removed.map((f) => f.uri));
  session.workspaceFolders = [...session.workspaceFolders.filter((f) => !removed.has(f)), ...e.added.map((f) => f.uri)];
  invalidateConfig(session);
  configMayHaveChanged(session);
  startProjectIndex(session);
}
