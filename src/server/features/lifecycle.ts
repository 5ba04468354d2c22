/**
 * The server's lifecycle: `initialize` (what the client supports, the initial settings and
 * folders, the engine's start, the server's capabilities), `initialized` (dynamic registrations,
 * the workspace folders listener, the project index) and `shutdown`.
 */
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  TextDocumentSyncKind,
  WatchKind,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { initEngine } from '../../engine';
import { CONFIG_SECTION, FIX_ALL_KIND } from '../../shared/protocol';
import type { Session } from '../session';
import { normalizeSettings } from '../settings';
import { startConfigDiagnostics } from './configDiagnostics';
import { cancelIndexTimers, startProjectIndex } from './indexing';
import { didChangeWorkspaceFolders } from './workspace';

export async function initialize(session: Session, params: InitializeParams): Promise<InitializeResult> {
  const caps = params.capabilities;
  session.supports = {
    configuration: caps.workspace?.configuration === true,
    dynamicConfiguration: caps.workspace?.didChangeConfiguration?.dynamicRegistration === true,
    watchedFiles: caps.workspace?.didChangeWatchedFiles?.dynamicRegistration === true,
    resolve: caps.textDocument?.codeAction?.resolveSupport?.properties.includes('edit') === true,
    documentChanges: caps.workspace?.workspaceEdit?.documentChanges === true,
    workDoneProgress: caps.window?.workDoneProgress === true,
  };
  // Clients without workspace/configuration: `{settings: {...}}`, `{anyioMigrate: {...}}` or the settings themselves.
  const init = params.initializationOptions as Record<string, unknown> | null | undefined;
  session.globalSettings = normalizeSettings(init?.['settings'] ?? init?.[CONFIG_SECTION] ?? init);
  session.workspaceFolders = (params.workspaceFolders ?? []).map((f) => f.uri);
  if (session.workspaceFolders.length === 0 && params.rootUri) session.workspaceFolders = [params.rootUri];
  session.engineReady = initEngine(session.options.wasmDir ? { wasmDir: session.options.wasmDir } : {});
  await session.engineReady;
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
      // The Python cells of a notebook are analysed together (imports usually live in cell 1).
      notebookDocumentSync: { notebookSelector: [{ notebook: '*', cells: [{ language: 'python' }] }] },
      hoverProvider: true,
      codeActionProvider: {
        codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND],
        resolveProvider: true,
      },
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
    },
    serverInfo: { name: 'anyio-migrate' },
  };
}

export function initialized(session: Session): void {
  const c = session.connection;
  if (session.supports.dynamicConfiguration) {
    session.background(c.client.register(DidChangeConfigurationNotification.type, { section: CONFIG_SECTION }), 'registering for configuration changes');
  }
  if (session.supports.watchedFiles) {
    // pyproject.toml: settings; Python files and .gitignore: the project index. Plus the creation
    // and deletion of anything (`**/*`, create|delete): a folder created with files in it reports
    // the folder only on Linux (the watcher adds its inotify watch after the files are there, so
    // their events are lost), and `rm -r pkg` may report only `pkg` — both mean walking again.
    const watchers = [
      ...['**/pyproject.toml', '**/*.py', '**/*.pyi', '**/.gitignore'].map((globPattern) => ({ globPattern })),
      { globPattern: '**/*', kind: WatchKind.Create | WatchKind.Delete },
    ];
    session.background(c.client.register(DidChangeWatchedFilesNotification.type, { watchers }), 'registering file watchers');
  }
  if (session.workspaceFolders.length > 0 || session.supports.configuration) {
    try {
      c.workspace.onDidChangeWorkspaceFolders((e) => didChangeWorkspaceFolders(session, e));
    } catch {
      /* client without workspace folder support */
    }
  }
  startProjectIndex(session);
  startConfigDiagnostics(session); // pyproject.toml problems on the file itself; the settings in effect in the log
}

export function shutdown(session: Session): void {
  session.shutdownReceived = true;
  session.project?.dispose();
  cancelIndexTimers(session);
  session.worker.dispose();
  session.docs.dispose();
}
