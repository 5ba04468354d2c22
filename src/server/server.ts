/**
 * The AnyIO Migrate language server. Every diagnostic, fix, hover and migration comes from the
 * engine (src/engine.ts, built from src/core/engine.ts and the rule registry) — the same code the CLI
 * runs. This file only wires LSP messages to their handlers: the shared state is the `Session`
 * (src/server/session.ts) and each feature is a module of src/server/features/ (document sync,
 * diagnostics, hover, code actions, resolve, migrate, workspace changes, lifecycle, rules).
 *
 * Start it with `node dist/server.js --stdio` (any LSP client) or `--node-ipc` (VS Code). In tests,
 * `startServer(connection)` runs it in-process on any message streams.
 */
import { createConnection, type Connection } from 'vscode-languageserver/node';
import { inspect } from 'util';
import { isMainThread } from 'worker_threads';
import { MigrateRequest, OverviewRequest, RuleDocsRequest, RulesRequest, type MigrateParams, type RuleDocsParams } from '../shared/protocol';
import type { WorkspaceProjectIndex } from './projectIndex';
import type { WorkspaceDiagnostics } from './features/workspaceDiagnostics';
import { Session, type ServerOptions } from './session';
import type { EffectiveConfig } from './settings';
import { computeEdits, toTextEdits } from './textEdits';
import { transportFromArgs, watchReader } from './transport';
import { codeActions } from './features/codeActions';
import { didChange, didChangeNotebook, didClose, didCloseNotebook, didOpen, didOpenNotebook, didSave } from './features/documentSync';
import { hover } from './features/hover';
import { initialize, initialized, shutdown } from './features/lifecycle';
import { migrate } from './features/migrate';
import { resolveCodeAction } from './features/resolve';
import { ruleDocs, rules } from './features/rules';
import { didChangeConfiguration, didChangeWatchedFiles } from './features/workspace';
import { overview } from './features/workspaceDiagnostics';

export type { ServerOptions };

export class AnyioMigrateServer {
  private readonly session: Session;

  constructor(
    private readonly connection: Connection,
    options: ServerOptions = {},
  ) {
    this.session = new Session(connection, options);
  }

  /** `shutdown` was received (the exit status is then 0). */
  get shutdownReceived(): boolean {
    return this.session.shutdownReceived;
  }

  /** For tests and diagnostics logs: what the server holds for a document. */
  inspect(uri: string): { version: number; parses: { full: number; incremental: number }; findings: number; inWorker: boolean } | undefined {
    const s = this.session.docs.get(uri);
    return s ? { version: s.version, parses: { ...s.parses }, findings: s.findings?.length ?? -1, inWorker: s.inWorker } : undefined;
  }

  /** For tests: the analysis worker's statistics. */
  workerStats(): { started: number; terminated: number; analyses: number; summaries: number } {
    return { ...this.session.worker.stats };
  }

  /** For tests: the workspace diagnostics (undefined without a workspace folder on disk). */
  workspaceDiagnostics(): WorkspaceDiagnostics | undefined {
    return this.session.workspaceDiagnostics;
  }

  /** For tests: the project index (undefined without a workspace folder on disk). */
  projectIndex(): WorkspaceProjectIndex | undefined {
    return this.session.project;
  }

  async configFor(uri: string): Promise<EffectiveConfig> {
    return this.session.configFor(uri);
  }

  /** One handler per message, each a function of the session and the message's parameters. */
  register(): void {
    const c = this.connection;
    const s = this.session;
    c.onInitialize((p) => initialize(s, p));
    c.onInitialized(() => initialized(s));
    c.onShutdown(() => shutdown(s));
    c.onDidOpenTextDocument((p) => didOpen(s, p));
    c.onDidChangeTextDocument((p) => didChange(s, p));
    c.onDidSaveTextDocument((p) => didSave(s, p));
    c.onDidCloseTextDocument((p) => didClose(s, p));
    const nbs = c.notebooks.synchronization;
    nbs.onDidOpenNotebookDocument((p) => didOpenNotebook(s, p));
    nbs.onDidChangeNotebookDocument((p) => didChangeNotebook(s, p));
    nbs.onDidCloseNotebookDocument((p) => didCloseNotebook(s, p));
    c.onDidChangeConfiguration((p) => didChangeConfiguration(s, p));
    c.onDidChangeWatchedFiles((p) => didChangeWatchedFiles(s, p));
    c.onHover((p, token) => hover(s, p, token));
    c.onCodeAction((p, token) => codeActions(s, p, token));
    c.onCodeActionResolve((a) => resolveCodeAction(s, a));
    c.onRequest(MigrateRequest, (p: MigrateParams, token) => migrate(s, p, token));
    c.onRequest(RulesRequest, () => rules());
    c.onRequest(RuleDocsRequest, (p: RuleDocsParams) => ruleDocs(p));
    c.onRequest(OverviewRequest, () => overview(s));
  }
}

/** Wire the server to a connection and start listening. */
export function startServer(connection: Connection, options: ServerOptions = {}): AnyioMigrateServer {
  const server = new AnyioMigrateServer(connection, options);
  server.register();
  connection.listen();
  return server;
}

// Re-exported for tests that need the same edit computation as the server.
export { computeEdits, toTextEdits };

if (require.main === module && isMainThread) {
  // `--node-ipc` (VS Code) or `--stdio` (other editors) chooses the transport; broken framing on
  // it ends the server (status 1) so the client restarts it (src/server/transport.ts).
  const transport = transportFromArgs();
  if (!transport) startServer(createConnection(), { wasmDir: __dirname });
  else {
    if (transport.stdio) {
      // Standard output is the protocol stream: anything printed goes to standard error.
      const toStderr = (...args: unknown[]): void => void process.stderr.write(`${args.map((a) => (typeof a === 'string' ? a : inspect(a))).join(' ')}\n`);
      console.log = console.info = console.debug = console.warn = toStderr;
    }
    const server = startServer(createConnection(transport.reader, transport.writer), { wasmDir: __dirname });
    const stalled = Number(process.env['ANYIO_MIGRATE_STALLED_MESSAGE_MS']);
    watchReader(transport.reader, {
      shutdownReceived: () => server.shutdownReceived,
      exit: (code) => process.exit(code),
      log: (m) => void process.stderr.write(`${m}\n`),
      ...(Number.isSafeInteger(stalled) && stalled > 0 ? { stalledMessageMs: stalled } : {}),
    });
  }
}
