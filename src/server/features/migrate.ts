/**
 * The `anyioMigrate/migrate` request ("Migrate Workspace", "Migrate This File", "Show Migration
 * Report"): drives the `Migrator` of src/server/migrate.ts over the session — the editor's unsaved
 * text, settings per folder, the workspace folders and the same project index as the diagnostics —
 * and forwards its progress to the client (at most every 100 ms).
 */
import type { CancellationToken } from 'vscode-languageserver/node';
import { MigrateProgressNotification, type MigrateParams, type MigrateProgressParams, type MigrateResult } from '../../shared/protocol';
import { Migrator, type MigrateHost } from '../migrate';
import type { Session } from '../session';
import { flushIndexTimers } from './indexing';

export async function migrate(session: Session, params: MigrateParams, token: CancellationToken): Promise<MigrateResult> {
  await session.engineReady;
  // The same project index as the diagnostics, with the editor's unsaved text in it.
  flushIndexTimers(session);
  const project = session.project;
  if (project) await project.settled();
  let lastProgress = 0;
  const host: MigrateHost = {
    openDocument: (uri) => {
      const s = session.docs.get(uri);
      return s ? { text: s.text, version: s.version } : undefined;
    },
    openDocumentUris: () => session.docs.all().map((d) => d.uri),
    configFor: (uri) => session.configFor(uri),
    workspaceFolders: () => [...session.workspaceFolders],
    unusable: (uri) => {
      const d = session.docs.get(uri)?.desync;
      return d === undefined ? undefined : `the editor's text of this document is out of sync (${d}); close and reopen it`;
    },
    progress: (done, total, file) => {
      if (!params.progressId) return;
      const now = Date.now();
      if (done !== 0 && done !== total && now - lastProgress < 100) return;
      lastProgress = now;
      const p: MigrateProgressParams = { progressId: params.progressId, done, total, path: file };
      session.background(session.connection.sendNotification(MigrateProgressNotification, p), 'sending migration progress');
    },
    log: (m) => session.connection.console.log(`anyio-migrate: ${m}`),
    project: (file) => project?.contextOf(file),
  };
  return new Migrator(host, token).run(params);
}
