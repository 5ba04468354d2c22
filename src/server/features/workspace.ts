/**
 * Changes around the documents: `workspace/didChangeConfiguration` (settings), watched files
 * (pyproject.toml → settings; Python files and .gitignore → the project index) and workspace
 * folders added or removed. Each invalidates what depends on it and re-validates.
 */
import * as fs from 'fs';
import * as path from 'path';
import { FileChangeType, type DidChangeConfigurationParams, type DidChangeWatchedFilesParams, type WorkspaceFoldersChangeEvent } from 'vscode-languageserver/node';
import { SKIPPED_DIR_NAMES } from '../../workspace/walk';
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
  const deleted = new Set<string>();
  for (const change of p.changes) {
    const file = fsPathOf(change.uri);
    if (!file) continue;
    if (/\.pyi?$/.test(file)) {
      // Created or deleted files change the set of modules (and their names): walk again.
      if (change.type === FileChangeType.Changed) session.project?.touch(file);
      else walk = true;
    } else if (file.endsWith('.gitignore')) walk = true;
    else if (path.basename(file) === 'pyproject.toml') config = true;
    else if (change.type === FileChangeType.Created) walk ||= isNewFolder(file);
    else if (change.type === FileChangeType.Deleted) deleted.add(file);
  }
  // A deleted folder may be reported alone (not each file in it): walk again if it held indexed
  // files, and forget the settings if it held a pyproject.toml that was read.
  if (deleted.size > 0) {
    walk ||= (session.project?.files() ?? []).some((f) => hasAncestorIn(f, deleted));
    config ||= session.pyprojects.loaded().some((py) => hasAncestorIn(py.file, deleted));
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

/**
 * A created path that is a folder the walk would enter (not under a skipped or hidden folder):
 * its files may have come without events of their own (see the watchers in ./lifecycle.ts).
 */
function isNewFolder(file: string): boolean {
  if (file.split(path.sep).some((part) => SKIPPED_DIR_NAMES.has(part) || (part.startsWith('.') && part.length > 1))) return false;
  try {
    return fs.statSync(file).isDirectory();
  } catch {
    return false; // gone again
  }
}

/** Whether a folder in `dirs` holds `file` (at any depth). */
function hasAncestorIn(file: string, dirs: ReadonlySet<string>): boolean {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    if (dirs.has(dir)) return true;
    if (path.dirname(dir) === dir) return false;
  }
}
