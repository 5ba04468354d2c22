/**
 * The VS Code client: starts the language server (dist/server.js, over IPC), shows a language
 * status item and runs the four commands. All analysis and fixing happens in the server.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { TransportKind, type LanguageClient, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { AnyioLanguageClient, stopClient } from './client';
import { registerClientCommands } from './commands';
import { applyMigration, type MigrateTestHooks } from './migrateReport';
import { registerOverview, type OverviewApi } from './overview';
import {
  Commands,
  DocumentStatusNotification,
  MigrateProgressNotification,
  MigrateRequest,
  RuleDocsRequest,
  RulesRequest,
  type DocumentStatusParams,
  type MigrateFolder,
  type MigrateParams,
  type MigrateProgressParams,
  type MigrateResult,
  type RuleDocsResult,
  type RuleInfo,
} from '../shared/protocol';
import { plural } from '../shared/plural';

const DOCS_SCHEME = 'anyio-migrate-docs';

/** Returned by `activate`, for the extension-host tests. */
export interface AnyioMigrateApi {
  /** Resolves once the language server is running. */
  ready: Promise<void>;
  /** The last status the server reported for a document. */
  status(uri: vscode.Uri): DocumentStatusParams | undefined;
  /** The last migrate/report result (the tests inspect it instead of scraping the output channel). */
  lastMigration(): MigrateResult | undefined;
  /** The report after the last Apply (./migrateReport.ts), and the hooks the tests use. */
  lastApplied(): MigrateResult | undefined;
  testHooks: MigrateTestHooks;
  /** The workspace status bar item and the Migration Overview (./overview.ts). */
  overview: OverviewApi;
}

let client: { lc: LanguageClient; started: Promise<void> } | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<AnyioMigrateApi> {
  const started = Date.now();
  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'python' },
      { scheme: 'untitled', language: 'python' },
      { scheme: 'vscode-vfs', language: 'python' },
      { notebook: '*', language: 'python' },
    ],
    diagnosticCollectionName: 'anyio-migrate',
    // Our own channel, so that "Restart Server" keeps its log (the client disposes a channel it created).
    outputChannel: vscode.window.createOutputChannel('AnyIO Migrate Language Server'),
    // The hover's "Documentation for CODE" link opens the rule's docs in the editor (offline).
    markdown: { isTrusted: { enabledCommands: [Commands.showRuleDocumentation] } },
  };
  const lc = new AnyioLanguageClient('anyioMigrate', 'AnyIO Migrate', serverOptions, clientOptions);
  context.subscriptions.push(clientOptions.outputChannel!);

  const output = vscode.window.createOutputChannel('AnyIO Migrate');
  const statuses = new Map<string, DocumentStatusParams>();
  const statusItem = vscode.languages.createLanguageStatusItem('anyioMigrate.status', { language: 'python' });
  statusItem.name = 'AnyIO Migrate';
  statusItem.text = '$(sync~spin) AnyIO Migrate';
  statusItem.busy = true;
  let lastMigration: MigrateResult | undefined;
  let lastApplied: MigrateResult | undefined;
  const testHooks: MigrateTestHooks = {};

  const updateStatus = (): void => {
    const doc = vscode.window.activeTextEditor?.document;
    const s = doc ? statuses.get(doc.uri.toString()) : undefined;
    statusItem.busy = false;
    if (!s) {
      statusItem.text = 'AnyIO Migrate';
      statusItem.detail = '';
      statusItem.severity = vscode.LanguageStatusSeverity.Information;
      return;
    }
    if (!s.enabled) {
      statusItem.text = 'AnyIO Migrate: off';
      statusItem.detail = 'disabled for this file (anyioMigrate.enable or pyproject exclude)';
    } else {
      statusItem.text = s.findings === 0 ? 'AnyIO 3: no findings' : `AnyIO 3: ${plural(s.findings, 'finding')}`;
      statusItem.detail = `${s.rulesActive} of ${s.rulesTotal} rules active · target ${s.target}`;
    }
    statusItem.severity = s.configErrors.length > 0 ? vscode.LanguageStatusSeverity.Warning : vscode.LanguageStatusSeverity.Information;
    // A short summary: each problem is a diagnostic on the pyproject.toml (Problems panel), with its place.
    if (s.configErrors.length > 0) statusItem.detail += ` · pyproject.toml: ${plural(s.configErrors.length, 'problem')}`;
    statusItem.command = { title: 'Report', command: Commands.showMigrationReport, tooltip: 'Show the migration report (dry run)' };
  };

  const folders = (): MigrateFolder[] =>
    (vscode.workspace.workspaceFolders ?? []).map((f) => {
      const exclude = vscode.workspace.getConfiguration('files', f.uri).get<Record<string, unknown>>('exclude') ?? {};
      return { uri: lc.code2ProtocolConverter.asUri(f.uri), exclude: Object.keys(exclude).filter((g) => exclude[g] === true) };
    });

  let progressCounter = 0;
  const progressListeners = new Map<string, (p: MigrateProgressParams) => void>();

  /** Run a migrate request with a cancellable progress notification; apply its edit unless dry run. */
  const runMigration = async (params: Omit<MigrateParams, 'progressId'>, title: string): Promise<MigrateResult | undefined> => {
    await ready;
    const progressId = `m${++progressCounter}`;
    let result: MigrateResult;
    try {
      result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
        let reported = 0;
        progressListeners.set(progressId, (p) => {
          const pct = p.total > 0 ? (p.done / p.total) * 100 : 0;
          progress.report({ message: `${p.done}/${p.total} ${p.path ?? ''}`, increment: Math.max(0, pct - reported) });
          reported = pct;
        });
        try {
          return await lc.sendRequest<MigrateResult>(MigrateRequest, { ...params, progressId }, token);
        } finally {
          progressListeners.delete(progressId);
        }
      });
    } catch (err) {
      if (err instanceof vscode.CancellationError || (err as { code?: number }).code === -32800 /* RequestCancelled */) {
        void vscode.window.showInformationMessage('AnyIO Migrate: cancelled; nothing was changed.');
        return undefined;
      }
      throw err;
    }
    lastMigration = result;
    // With an edit, the report printed is the one after Apply (what the user accepted).
    if (result.cancelled || params.dryRun || !result.edit) output.appendLine(result.report);
    if (result.cancelled) {
      void vscode.window.showInformationMessage('AnyIO Migrate: cancelled; nothing was changed.');
      return result;
    }
    if (params.dryRun) {
      output.show(true);
      return result;
    }
    if (!result.edit) {
      void vscode.window.showInformationMessage('AnyIO Migrate: nothing to change.', 'Show Report').then((b) => b && output.show(true));
      return result;
    }
    // Unsafe changes need confirmation: VS Code then opens the refactor preview with them unticked.
    const { applied, msg } = await applyMigration(lc, result, output, testHooks, params.uris ? 'file' : 'workspace');
    lastApplied = applied;
    void vscode.window.showInformationMessage(msg, 'Show Report').then((b) => b && output.show(true));
    return result;
  };

  // Rule documentation as a read-only markdown document, rendered by VS Code's markdown preview.
  const docsContent = new Map<string, string>();
  const docsProvider: vscode.TextDocumentContentProvider = { provideTextDocumentContent: (uri) => docsContent.get(uri.path) ?? '' };

  const showRuleDocumentation = async (code?: unknown): Promise<void> => {
    await ready;
    let chosen = typeof code === 'string' ? code : undefined;
    if (!chosen) {
      const rules = await lc.sendRequest<RuleInfo[]>(RulesRequest);
      const pick = await vscode.window.showQuickPick(
        rules.map((r) => ({ label: r.code, description: r.name, detail: r.summary })),
        { title: 'AnyIO Migrate: rule documentation', matchOnDescription: true, matchOnDetail: true },
      );
      chosen = pick?.label;
    }
    if (!chosen) return;
    const docs = await lc.sendRequest<RuleDocsResult | null>(RuleDocsRequest, { code: chosen });
    if (!docs) {
      void vscode.window.showWarningMessage(`AnyIO Migrate: unknown rule ${chosen}`);
      return;
    }
    const uri = vscode.Uri.from({ scheme: DOCS_SCHEME, path: `/${docs.code}.md` });
    docsContent.set(uri.path, `${docs.markdown}\n`);
    try {
      await vscode.commands.executeCommand('markdown.showPreview', uri);
    } catch {
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: true });
    }
  };

  const activePythonUri = (): vscode.Uri | undefined => {
    const doc = vscode.window.activeTextEditor?.document;
    return doc && doc.languageId === 'python' ? doc.uri : undefined;
  };

  context.subscriptions.push(
    output,
    statusItem,
    vscode.workspace.registerTextDocumentContentProvider(DOCS_SCHEME, docsProvider),
    vscode.window.onDidChangeActiveTextEditor(updateStatus),
    vscode.commands.registerCommand(Commands.migrateWorkspace, async () => {
      if (!vscode.workspace.isTrusted) {
        void vscode.window.showWarningMessage('AnyIO Migrate: Migrate Workspace is disabled in Restricted Mode. Trust the workspace to use it.');
        return undefined;
      }
      const f = folders();
      if (f.length === 0) {
        void vscode.window.showInformationMessage('AnyIO Migrate: open a folder first (or use "AnyIO Migrate: Migrate This File").');
        return undefined;
      }
      return runMigration({ folders: f, dryRun: false }, 'AnyIO Migrate: migrating workspace');
    }),
    vscode.commands.registerCommand(Commands.migrateFile, async (arg?: unknown) => {
      if (!vscode.workspace.isTrusted) {
        void vscode.window.showWarningMessage('AnyIO Migrate: Migrate This File is disabled in Restricted Mode; the quick fixes still work.');
        return undefined;
      }
      const uri = arg instanceof vscode.Uri ? arg : activePythonUri();
      if (!uri) {
        void vscode.window.showInformationMessage('AnyIO Migrate: open a Python file first.');
        return undefined;
      }
      return runMigration({ folders: [], uris: [lc.code2ProtocolConverter.asUri(uri)], dryRun: false }, 'AnyIO Migrate: migrating file');
    }),
    vscode.commands.registerCommand(Commands.showMigrationReport, async () => {
      const f = folders();
      const uri = activePythonUri();
      if (f.length === 0 && !uri) {
        void vscode.window.showInformationMessage('AnyIO Migrate: open a folder or a Python file first.');
        return undefined;
      }
      const params: Omit<MigrateParams, 'progressId'> = f.length > 0 ? { folders: f, dryRun: true } : { folders: [], uris: [lc.code2ProtocolConverter.asUri(uri!)], dryRun: true };
      return runMigration(params, 'AnyIO Migrate: building migration report');
    }),
    vscode.commands.registerCommand(Commands.showRuleDocumentation, showRuleDocumentation),
  );

  const ready = (async () => {
    await lc.start();
    context.subscriptions.push(
      lc,
      lc.onNotification(DocumentStatusNotification, (s: DocumentStatusParams) => {
        statuses.set(s.uri, s);
        updateStatus();
      }),
      lc.onNotification(MigrateProgressNotification, (p: MigrateProgressParams) => progressListeners.get(p.progressId)?.(p)),
      vscode.workspace.onDidCloseTextDocument((d) => statuses.delete(d.uri.toString())),
    );
    updateStatus();
    lc.info(`AnyIO Migrate activated; server ready ${Date.now() - started} ms after activation started`);
  })();
  client = { lc, started: ready };
  const overview = registerOverview(context, { client: lc, ready, migrate: runMigration, folders });
  registerClientCommands(context, lc, ready);
  ready.catch((err: unknown) => {
    statusItem.busy = false;
    statusItem.text = 'AnyIO Migrate: server failed';
    statusItem.severity = vscode.LanguageStatusSeverity.Error;
    void vscode.window.showErrorMessage(`AnyIO Migrate: the language server failed to start: ${err instanceof Error ? err.message : String(err)}`);
  });

  return {
    ready,
    status: (uri) => statuses.get(uri.toString()),
    lastMigration: () => lastMigration,
    lastApplied: () => lastApplied,
    testHooks,
    overview,
  };
}

export async function deactivate(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) await stopClient(c.lc, c.started);
}
