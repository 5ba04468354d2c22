/**
 * The project index wiring: starts the workspace's `WorkspaceProjectIndex` (src/server/projectIndex.ts)
 * over the session's folders, feeds it the editor's unsaved text (re-summarised when typing
 * pauses), summarises modules in the analysis worker, reports indexing progress to the client,
 * and re-validates the open documents that depend on what changed.
 */
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { Connection } from 'vscode-languageserver/node';
import { summarizeModule } from '../../core/semantic/summary';
import type { ModuleSummary } from '../../core/semantic/types';
import { plural } from '../../shared/plural';
import { budgetMessage } from '../analysisWorker';
import { WorkspaceProjectIndex, type IndexProgress } from '../projectIndex';
import type { Session } from '../session';
import { fsPathOf } from '../settings';
import { revalidateDependents } from './diagnostics';
import { errorMessage } from '../errors';
import { WorkspaceDiagnostics } from './workspaceDiagnostics';

/** An open document's unsaved text is summarised for the project index when typing pauses this long. */
export const INDEX_DEBOUNCE_MS = 300;

/** Build the project index in the background (or walk again after the folders changed). */
export function startProjectIndex(session: Session): void {
  if (session.project) {
    session.project.rebuild();
    return;
  }
  if (session.folderPaths().length === 0) return;
  const started = Date.now();
  let logged = false;
  const project = new WorkspaceProjectIndex({
    folders: () => session.folderPaths(),
    excludeFor: async (folder) => (await session.configFor(pathToFileURL(path.join(folder, '__anyio_migrate__.py')).href)).exclude,
    openText: (file) => openTextOf(session, file),
    summarize: (text, module, isPackage, file) => summarize(session, text, module, isPackage, file),
    progress: (files) => indexProgress(session, files),
    changed: () => {
      if (!session.project?.ready) return;
      if (!logged) {
        logged = true;
        const st = project.stats;
        session.connection.console.info(
          `anyio-migrate: project index: ${project.index.size} modules summarised (${st.reads} files read, ${st.summarised} summaries computed, ${((Date.now() - started) / 1000).toFixed(1)} s since start)`,
        );
      }
      revalidateDependents(session);
      session.workspaceDiagnostics?.dependenciesChanged();
    },
    filesChanged: (e) => session.workspaceDiagnostics?.filesChanged(e),
    op: (op) => session.worker.indexChanged(op),
    log: (m) => session.connection.console.error(`anyio-migrate: ${m}`),
  });
  session.project = project;
  session.workspaceDiagnostics = new WorkspaceDiagnostics(session);
  session.background(
    session.engineReady.then(() => project.rebuild()),
    'building the project index',
  );
}

/** The editor's text of the open Python document at `file`, if any (not a desynced one). */
function openTextOf(session: Session, file: string): string | undefined {
  for (const s of session.docs.all()) {
    if (s.languageId !== 'python' || s.desync !== undefined || !s.uri.startsWith('file:')) continue;
    if (fsPathOf(s.uri) === file && !session.notebooks.ofCell(s.uri)) return s.text;
  }
  return undefined;
}

/** The document's text changed for the index: now (`ms` 0) or when typing pauses. */
export function indexDocument(session: Session, uri: string, ms: number, mayBeNew = false): void {
  const project = session.project;
  if (!project || !uri.startsWith('file:')) return;
  const file = fsPathOf(uri);
  if (!file) return;
  const timers = session.indexTimers;
  const pending = timers.get(uri);
  if (pending) clearTimeout(pending);
  timers.delete(uri);
  if (ms === 0) project.touch(file, mayBeNew);
  else {
    timers.set(
      uri,
      setTimeout(() => {
        timers.delete(uri);
        project.touch(file);
      }, ms),
    );
  }
}

/** Apply the pending re-summaries of unsaved text now (Migrate uses the editor's text). */
export function flushIndexTimers(session: Session): void {
  for (const uri of [...session.indexTimers.keys()]) indexDocument(session, uri, 0);
}

/** Stop the pending re-summaries (shutdown). */
export function cancelIndexTimers(session: Session): void {
  for (const t of session.indexTimers.values()) clearTimeout(t);
  session.indexTimers.clear();
}

/** One module's summary: in the analysis worker (the main loop stays free), else here between messages. */
async function summarize(session: Session, text: string, module: string, isPackage: boolean, file: string): Promise<ModuleSummary | undefined> {
  const worker = session.worker;
  for (let attempt = 0; attempt < 3 && worker.available && !session.shutdownReceived; attempt++) {
    const o = await worker.summarize(text, module, isPackage, file);
    if (o.kind === 'done') return o.summary;
    if (o.kind === 'cancelled') continue; // the worker was restarted for another document: ask again
    session.connection.console.warn(`anyio-migrate: project index: ${file} not summarised: ${o.kind === 'timeout' ? budgetMessage(o.budgetMs) : o.message}`);
    return undefined;
  }
  if (session.shutdownReceived) return undefined;
  await new Promise((resolve) => setImmediate(resolve));
  try {
    return summarizeModule(text, module, isPackage, file);
  } catch (err) {
    session.connection.console.warn(`anyio-migrate: project index: ${file} not summarised: ${errorMessage(err)}`);
    return undefined;
  }
}

/** `window/workDoneProgress` for the first indexing of the workspace (nothing without client support). */
async function indexProgress(session: Session, files: number): Promise<IndexProgress> {
  if (!session.supports.workDoneProgress || files === 0) return { report: () => undefined, done: () => undefined };
  let reporter: Awaited<ReturnType<Connection['window']['createWorkDoneProgress']>>;
  try {
    reporter = await session.connection.window.createWorkDoneProgress();
  } catch {
    return { report: () => undefined, done: () => undefined }; // the client refused the token
  }
  reporter.begin(`AnyIO Migrate: indexing ${plural(files, 'file')}`, 0, undefined, false);
  let last = 0;
  return {
    report: (phase, done, total) => {
      const now = Date.now();
      if (now - last < 100 && done !== total) return;
      last = now;
      // Reading every file is the first half, summarising the AnyIO-related ones the second.
      const pct = Math.round((phase === 'reading' ? 0 : 50) + (total > 0 ? (50 * done) / total : 50));
      reporter.report(Math.min(100, pct), phase === 'reading' ? `reading ${done}/${total}` : `summarising ${done}/${total} AnyIO-related modules`);
    },
    done: () => reporter.done(),
  };
}
