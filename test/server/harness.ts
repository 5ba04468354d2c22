/**
 * Runs the language server in-process over LSP message streams (two PassThrough pipes) and talks
 * to it like an editor would: a JSON-RPC client that answers `workspace/configuration`, records
 * published diagnostics and waits on them with deadlines (never fixed sleeps).
 */
import { spawn, type ChildProcess } from 'child_process';
import * as path from 'path';
import { PassThrough } from 'stream';
import {
  CancellationTokenSource,
  StreamMessageReader,
  StreamMessageWriter,
  createConnection,
  createMessageConnection,
  type CodeAction,
  type ConfigurationParams,
  type Diagnostic,
  type Hover,
  type InitializeParams,
  type MessageConnection,
  type Position,
  type PublishDiagnosticsParams,
  type Range,
  type TextDocumentContentChangeEvent,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { startServer, type AnyioMigrateServer, type ServerOptions } from '../../src/server/server';
import type { DocumentStatusParams, MigrateParams, MigrateProgressParams, MigrateResult } from '../../src/shared/protocol';

export interface StartOptions {
  /** `anyioMigrate` settings per scope URI prefix; '' is the default for every scope. */
  settings?: Record<string, unknown>;
  workspaceFolders?: string[];
  /** Advertise codeAction resolve support (VS Code does). Default true. */
  resolveSupport?: boolean;
  /** Advertise workspace/configuration (VS Code does). Default true. */
  configuration?: boolean;
  initializationOptions?: unknown;
  /** Run the server in its own Node process (`server.js --stdio`), as editors do. */
  childProcess?: boolean;
  /** Options of the in-process server (time budget, worker threshold). */
  serverOptions?: ServerOptions;
  /** Advertise `window.workDoneProgress` (VS Code does); `$/progress` values are recorded in `workProgress`. */
  workDoneProgress?: boolean;
}

export class TestClient {
  readonly published: PublishDiagnosticsParams[] = [];
  readonly statuses: DocumentStatusParams[] = [];
  readonly progress: MigrateProgressParams[] = [];
  readonly logs: string[] = [];
  /** `$/progress` values (with `workDoneProgress`) and the tokens the server created. */
  readonly workProgress: Array<{ token: string | number; value: { kind: string; title?: string; message?: string; percentage?: number } }> = [];
  readonly progressTokens: Array<string | number> = [];
  /** `client/registerCapability` registrations. */
  readonly registrations: Array<{ method: string; registerOptions?: unknown }> = [];
  configurationRequests = 0;
  settings: Record<string, unknown>;
  private waiters: Array<() => void> = [];
  private texts = new Map<string, TextDocument>();

  private constructor(
    readonly conn: MessageConnection,
    private readonly inProcess: AnyioMigrateServer | undefined,
    private readonly streams: PassThrough[],
    private readonly child: ChildProcess | undefined,
    settings: Record<string, unknown>,
  ) {
    this.settings = settings;
  }

  /** The in-process server (not available with `childProcess`). */
  get server(): AnyioMigrateServer {
    if (!this.inProcess) throw new Error('the server runs in a child process');
    return this.inProcess;
  }

  static async start(options: StartOptions = {}): Promise<TestClient> {
    let client: TestClient;
    if (options.childProcess) {
      const child = spawn(process.execPath, [path.join(__dirname, '..', '..', 'src', 'server', 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
      const conn = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
      client = new TestClient(conn, undefined, [], child, options.settings ?? {});
    } else {
      const toServer = new PassThrough();
      const toClient = new PassThrough();
      const serverConnection = createConnection(new StreamMessageReader(toServer), new StreamMessageWriter(toClient));
      const server = startServer(serverConnection, options.serverOptions ?? {});
      const conn = createMessageConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
      client = new TestClient(conn, server, [toServer, toClient], undefined, options.settings ?? {});
    }
    const conn = client.conn;
    conn.onRequest('workspace/configuration', (params: ConfigurationParams) => {
      client.configurationRequests++;
      return params.items.map((item) => client.settingsFor(item.scopeUri));
    });
    conn.onRequest('client/registerCapability', (p: { registrations: Array<{ method: string; registerOptions?: unknown }> }) => {
      client.registrations.push(...p.registrations);
      return null;
    });
    conn.onRequest('window/workDoneProgress/create', (p: { token: string | number }) => {
      client.progressTokens.push(p.token);
      return null;
    });
    conn.onNotification('$/progress', (p: { token: string | number; value: { kind: string } }) => {
      client.workProgress.push(p);
      client.notify();
    });
    conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      client.published.push(p);
      client.notify();
    });
    conn.onNotification('anyioMigrate/documentStatus', (p: DocumentStatusParams) => {
      client.statuses.push(p);
      client.notify();
    });
    conn.onNotification('anyioMigrate/migrateProgress', (p: MigrateProgressParams) => client.progress.push(p));
    conn.onNotification('window/logMessage', (p: { message: string }) => client.logs.push(p.message));
    conn.listen();
    const init: InitializeParams = {
      processId: null,
      rootUri: options.workspaceFolders?.[0] ?? null,
      workspaceFolders: (options.workspaceFolders ?? []).map((uri, i) => ({ uri, name: `folder${i}` })),
      initializationOptions: options.initializationOptions,
      capabilities: {
        ...(options.workDoneProgress ? { window: { workDoneProgress: true } } : {}),
        workspace: {
          configuration: options.configuration ?? true,
          didChangeConfiguration: { dynamicRegistration: true },
          didChangeWatchedFiles: { dynamicRegistration: true },
          workspaceEdit: { documentChanges: true, changeAnnotationSupport: { groupsOnLabel: true } },
          workspaceFolders: true,
        },
        textDocument: {
          publishDiagnostics: { versionSupport: true, tagSupport: { valueSet: [1, 2] }, codeDescriptionSupport: true, dataSupport: true },
          codeAction: {
            dataSupport: true,
            isPreferredSupport: true,
            disabledSupport: true,
            codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source', 'source.fixAll'] } },
            ...(options.resolveSupport === false ? {} : { resolveSupport: { properties: ['edit'] } }),
          },
          hover: { contentFormat: ['markdown', 'plaintext'] },
        },
      },
    };
    await conn.sendRequest('initialize', init);
    await conn.sendNotification('initialized', {});
    return client;
  }

  settingsFor(scopeUri: string | undefined): unknown {
    let best = '';
    for (const key of Object.keys(this.settings)) {
      if (key !== '' && scopeUri?.startsWith(key) && key.length > best.length) best = key;
    }
    return this.settings[best] ?? this.settings[''] ?? {};
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolve when `predicate` holds (checked on every message), or fail after `ms`. */
  async waitFor<T>(what: string, predicate: () => T | undefined, ms = 10000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = predicate();
      if (v !== undefined) return v;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${ms} ms waiting for ${what}\nserver log:\n${this.logs.join('\n')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /**
   * The server's diagnostics published for `uri` at exactly `version` (the latest such publish):
   * the findings (and notes), source `anyio-migrate`. The strike-through hints on deprecated tokens
   * (no source; src/server/diagnostics.ts) are left out: they are in `published` and `strikesFor`.
   */
  diagnosticsFor(uri: string, version: number, ms?: number): Promise<Diagnostic[]> {
    return this.publishedFor(uri, version, ms).then((ds) => ds.filter((d) => d.source !== undefined));
  }

  /** The strike-through hints (deprecated tokens) published for `uri` at exactly `version`. */
  strikesFor(uri: string, version: number, ms?: number): Promise<Diagnostic[]> {
    return this.publishedFor(uri, version, ms).then((ds) => ds.filter((d) => d.source === undefined));
  }

  private publishedFor(uri: string, version: number, ms?: number): Promise<Diagnostic[]> {
    return this.waitFor(
      `diagnostics of ${uri} v${version}`,
      () => {
        for (let i = this.published.length - 1; i >= 0; i--) {
          const p = this.published[i]!;
          if (p.uri === uri && p.version === version) return p.diagnostics;
        }
        return undefined;
      },
      ms,
    );
  }

  /** Diagnostics published for `uri` after the call (any version). */
  async nextDiagnostics(uri: string, after: number): Promise<PublishDiagnosticsParams> {
    return this.waitFor(`a new publish for ${uri}`, () =>
      this.published
        .slice(after)
        .reverse()
        .find((p) => p.uri === uri),
    );
  }

  text(uri: string): string {
    return this.texts.get(uri)!.getText();
  }

  version(uri: string): number {
    return this.texts.get(uri)!.version;
  }

  async open(uri: string, text: string, languageId = 'python', version = 1): Promise<void> {
    this.texts.set(uri, TextDocument.create(uri, languageId, version, text));
    await this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
  }

  /** Send incremental changes (applied in order, as LSP says) and return the new version. */
  async change(uri: string, changes: TextDocumentContentChangeEvent[]): Promise<number> {
    const doc = this.texts.get(uri)!;
    const version = doc.version + 1;
    this.texts.set(uri, TextDocument.update(doc, changes, version));
    await this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
    return version;
  }

  /** Send several didChange notifications back to back, without yielding between them (an editor's queue). */
  async burst(uri: string, steps: TextDocumentContentChangeEvent[][]): Promise<number> {
    const sends: Array<Promise<void>> = [];
    for (const changes of steps) {
      const doc = this.texts.get(uri)!;
      const version = doc.version + 1;
      this.texts.set(uri, TextDocument.update(doc, changes, version));
      sends.push(this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes }));
    }
    await Promise.all(sends);
    return this.version(uri);
  }

  async close(uri: string): Promise<void> {
    this.texts.delete(uri);
    await this.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  codeActions(uri: string, range: Range, diagnostics: Diagnostic[], only?: string[]): Promise<CodeAction[]> {
    return this.conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range,
      context: only ? { diagnostics, only } : { diagnostics },
    });
  }

  resolve(action: CodeAction): Promise<CodeAction> {
    return this.conn.sendRequest('codeAction/resolve', action);
  }

  hover(uri: string, position: Position): Promise<Hover | null> {
    return this.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position });
  }

  migrate(params: MigrateParams, cancelAfterMs?: number): Promise<MigrateResult> {
    const source = new CancellationTokenSource();
    if (cancelAfterMs !== undefined) setTimeout(() => source.cancel(), cancelAfterMs);
    return this.conn.sendRequest('anyioMigrate/migrate', params, source.token);
  }

  async changeSettings(settings: Record<string, unknown>): Promise<void> {
    this.settings = settings;
    await this.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
  }

  async dispose(): Promise<void> {
    try {
      await this.conn.sendRequest('shutdown');
    } catch {
      /* already gone */
    }
    if (this.child) {
      const exited = new Promise<void>((resolve) => this.child!.once('exit', () => resolve()));
      await this.conn.sendNotification('exit');
      await exited;
    }
    this.conn.dispose();
    for (const s of this.streams) s.end();
  }
}

/** Edits of one document from a workspace edit (documentChanges or changes). */
export function editsFor(edit: WorkspaceEdit | undefined, uri: string): TextEdit[] {
  if (!edit) return [];
  const out: TextEdit[] = [];
  for (const dc of edit.documentChanges ?? []) {
    if ('textDocument' in dc && dc.textDocument.uri === uri) out.push(...dc.edits);
  }
  out.push(...(edit.changes?.[uri] ?? []));
  return out;
}

/** Apply LSP text edits the way an editor does (all relative to the original text). */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  const doc = TextDocument.create('untitled:x', 'python', 0, text);
  return TextDocument.applyEdits(doc, [...edits]);
}

/** Position of a UTF-16 offset, computed independently of the server's TextDocument. */
export function positionOf(text: string, offset: number): Position {
  let line = 0;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || (c === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, character: offset - lineStart };
}
