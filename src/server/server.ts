/**
 * The AnyIO Migrate language server. Every diagnostic, fix, hover and migration comes from the
 * engine (src/engine.ts, built from src/core/engine.ts and the rule registry) — the same code the CLI runs; this file only speaks LSP.
 *
 * Start it with `node dist/server.js --stdio` (any LSP client) or `--node-ipc` (VS Code). In tests,
 * `startServer(connection)` runs it in-process on any message streams.
 */
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  DiagnosticSeverity,
  MarkupKind,
  TextDocumentSyncKind,
  createConnection,
  type CodeAction,
  type CodeActionParams,
  type CancellationToken,
  type Connection,
  type Diagnostic,
  type Hover,
  type HoverParams,
  type InitializeParams,
  type InitializeResult,
  type TextDocumentContentChangeEvent,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { analyze, applyFix, docsUrl, fixAll, initEngine, InputRefused, isRuleEnabled, ruleByCode, RULES } from '../engine';
import { addSuppression } from '../core/suppression';
import { analyzeOptionsFor } from '../config/engine-options';
import type { AnalyzeOptions, Finding, Fix } from '../core/types';
import {
  CONFIG_SECTION,
  Commands,
  DIAGNOSTIC_SOURCE,
  DocumentStatusNotification,
  FIX_ALL_KIND,
  MigrateProgressNotification,
  MigrateRequest,
  RuleDocsRequest,
  RulesRequest,
  type DocumentStatusParams,
  type MigrateParams,
  type MigrateProgressParams,
  type MigrateResult,
  type RuleDocsParams,
  type RuleDocsResult,
  type RuleInfo,
  type Settings,
} from '../shared/protocol';
import { DocumentStore, lineEndInString, type DocumentState } from './documents';
import { AnalysisWorker, type AnalysisWorkerOptions, type WorkerOutcome } from './analysisWorker';
import { NotebookStore, buildContext, splitEdits, splitFindings, type NotebookAnalysis, type NotebookState } from './notebooks';
import { isDiagnosticData, toDiagnostic, type DiagnosticData } from './diagnostics';
import { Migrator } from './migrate';
import { ruleMarkdown } from './ruleDocs';
import { PyprojectCache, fsPathOf, normalizeSettings, resolveConfig, type EffectiveConfig } from './settings';
import { WorkspaceProjectIndex, type IndexProgress } from './projectIndex';
import { explainAt } from '../core/semantic/explain';
import { summarizeModule } from '../core/semantic/summary';
import type { ModuleSummary } from '../core/semantic/types';
import { computeEdits, textEditsTo, toTextEdits } from './textEdits';
import { plural } from '../shared/plural';
import type { Edit } from '../core/types';
import { inspect } from 'util';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { ProjectContext } from '../core/semantic/project';
import { isMainThread } from 'worker_threads';
import { transportFromArgs, watchReader } from './transport';

export interface ServerOptions {
  /** Folder with the two .wasm files (the bundle passes its own folder). */
  wasmDir?: string;
  /** Time budget of one document's analysis in the worker, in ms (default `ANALYSIS_BUDGET_MS`). */
  analysisBudgetMs?: number;
  /** Documents of at least this many characters are analysed in the worker (default `WORKER_MIN_CHARS`). */
  workerMinChars?: number;
}

/**
 * Documents this large (UTF-16 units, about 1,000 lines) are analysed in the analysis worker, off
 * the main loop; so are documents whose analysis on the main thread took over `LARGE_ANALYSIS_MS`.
 */
const WORKER_MIN_CHARS = 32 * 1024;
/** A document whose analysis takes longer is reported once ("analysis took longer than ...") and skipped. */
const ANALYSIS_BUDGET_MS = 30_000;

/** Analyses slower than this (ms) make the next validation wait COALESCE_MS for queued changes. */
const SLOW_ANALYSIS_MS = 15;
const COALESCE_MS = 5;
/**
 * Documents whose analysis takes longer than this (ms) are analysed when typing pauses (after as
 * long as one analysis takes, capped), so the server keeps answering hovers and code actions.
 */
const LARGE_ANALYSIS_MS = 250;
const MAX_DEBOUNCE_MS = 1500;
/** An open document's unsaved text is summarised for the project index when typing pauses this long. */
const INDEX_DEBOUNCE_MS = 300;

/** `CodeAction.data` of the lazily computed actions. */
interface LazyActionData {
  kind: 'fixAll' | 'fixAllCode';
  uri: string;
  version: number;
  code?: string;
  /** For notebook cells: the notebook generation the action was offered for. */
  generation?: number;
}

function isLazyActionData(v: unknown): v is LazyActionData {
  if (!v || typeof v !== 'object') return false;
  const d = v as Record<string, unknown>;
  return (d['kind'] === 'fixAll' || d['kind'] === 'fixAllCode') && typeof d['uri'] === 'string' && typeof d['version'] === 'number';
}

/** Whether an action of `kind` was asked for (`only` is hierarchical: `source` covers `source.fixAll.x`). */
function kindRequested(only: readonly string[] | undefined, kind: string): boolean {
  if (!only || only.length === 0) return true;
  return only.some((o) => kind === o || kind.startsWith(`${o}.`));
}

export class AnyioMigrateServer {
  private readonly docs = new DocumentStore();
  private readonly notebooks = new NotebookStore();
  private readonly pyprojects = new PyprojectCache((m) => this.connection.console.warn(`anyio-migrate: ${m}`));
  private settingsCache = new Map<string, Promise<Settings>>();
  private globalSettings: Settings = normalizeSettings(undefined);
  private workspaceFolders: string[] = [];
  private configGeneration = 0;
  private engineReady: Promise<void> = Promise.resolve();
  private supports = { configuration: false, dynamicConfiguration: false, watchedFiles: false, resolve: false, documentChanges: false, workDoneProgress: false };
  /** The workspace's project index (none without a workspace folder on disk). */
  private project: WorkspaceProjectIndex | undefined;
  /** Per open document: what its last analysis depended on in the project index (see `dependencyKey`). */
  private analysedKey = new Map<string, string>();
  /** Per open document: the pending re-summary of its unsaved text. */
  private indexTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Compat-form fixes (target not chosen), per document version and code. */
  private altCache = new Map<string, { version: number; code: string; findings: Finding[] }>();
  /** `shutdown` was received (the exit status is then 0). */
  shutdownReceived = false;
  private readonly worker: AnalysisWorker;

  constructor(
    private readonly connection: Connection,
    private readonly options: ServerOptions = {},
  ) {
    const workerOptions: AnalysisWorkerOptions = {
      budgetMs: options.analysisBudgetMs ?? ANALYSIS_BUDGET_MS,
      log: (m) => this.connection.console.error(m),
    };
    if (options.wasmDir) workerOptions.wasmDir = options.wasmDir;
    this.worker = new AnalysisWorker(workerOptions);
  }

  /** For tests and diagnostics logs: what the server holds for a document. */
  inspect(uri: string): { version: number; parses: { full: number; incremental: number }; findings: number; inWorker: boolean } | undefined {
    const s = this.docs.get(uri);
    return s ? { version: s.version, parses: { ...s.parses }, findings: s.findings?.length ?? -1, inWorker: s.inWorker } : undefined;
  }

  /** For tests: the analysis worker's statistics. */
  workerStats(): { started: number; terminated: number; analyses: number; summaries: number } {
    return { ...this.worker.stats };
  }

  /** For tests: the project index (undefined without a workspace folder on disk). */
  projectIndex(): WorkspaceProjectIndex | undefined {
    return this.project;
  }

  register(): void {
    const c = this.connection;
    c.onInitialize((p) => this.initialize(p));
    c.onInitialized(() => this.initialized());
    c.onShutdown(() => {
      this.shutdownReceived = true;
      this.project?.dispose();
      for (const t of this.indexTimers.values()) clearTimeout(t);
      this.indexTimers.clear();
      this.worker.dispose();
      this.docs.dispose();
    });
    c.onDidOpenTextDocument((p) => {
      const state = this.docs.open(p.textDocument.uri, p.textDocument.languageId, p.textDocument.version, p.textDocument.text);
      this.schedule(state);
      this.indexDocument(p.textDocument.uri, 0);
    });
    c.onDidChangeTextDocument((p) => {
      const state = this.docs.get(p.textDocument.uri);
      if (!state) return;
      if (!this.applyChanges(state, p.contentChanges, p.textDocument.version)) return;
      this.schedule(state);
      this.indexDocument(state.uri, INDEX_DEBOUNCE_MS);
    });
    c.onDidSaveTextDocument((p) => this.indexDocument(p.textDocument.uri, 0, true));
    const nbs = c.notebooks.synchronization;
    nbs.onDidOpenNotebookDocument((p) => {
      for (const item of p.cellTextDocuments) this.docs.open(item.uri, item.languageId, item.version, item.text);
      this.scheduleNotebook(this.notebooks.open(p.notebookDocument.uri, p.notebookDocument.cells));
    });
    nbs.onDidChangeNotebookDocument((p) => {
      const nb = this.notebooks.get(p.notebookDocument.uri);
      if (!nb) return;
      const cells = p.change.cells;
      if (cells?.structure) {
        this.notebooks.splice(nb, cells.structure.array);
        for (const item of cells.structure.didOpen ?? []) this.docs.open(item.uri, item.languageId, item.version, item.text);
        for (const id of cells.structure.didClose ?? []) {
          this.docs.close(id.uri);
          void c.sendDiagnostics({ uri: id.uri, diagnostics: [] });
        }
      }
      if (cells?.data) this.notebooks.updateCells(nb, cells.data);
      for (const tc of cells?.textContent ?? []) {
        const state = this.docs.get(tc.document.uri);
        if (state) this.applyChanges(state, tc.changes, tc.document.version);
      }
      this.scheduleNotebook(nb, true);
    });
    nbs.onDidCloseNotebookDocument((p) => {
      this.notebooks.close(p.notebookDocument.uri);
      for (const id of p.cellTextDocuments) {
        this.docs.close(id.uri);
        void c.sendDiagnostics({ uri: id.uri, diagnostics: [] });
      }
    });
    c.onDidCloseTextDocument((p) => {
      if (this.docs.get(p.textDocument.uri)?.inWorker) this.worker.close(p.textDocument.uri);
      this.docs.close(p.textDocument.uri);
      this.altCache.delete(p.textDocument.uri);
      this.analysedKey.delete(p.textDocument.uri);
      void c.sendDiagnostics({ uri: p.textDocument.uri, diagnostics: [] });
      this.indexDocument(p.textDocument.uri, 0); // its text is the disk's again
    });
    c.onDidChangeConfiguration((p) => {
      if (!this.supports.configuration) {
        const s = (p.settings as Record<string, unknown> | null | undefined)?.[CONFIG_SECTION];
        if (s !== undefined) this.globalSettings = normalizeSettings(s);
      }
      this.invalidateConfig();
    });
    c.onDidChangeWatchedFiles((p) => {
      let config = false;
      let walk = false;
      for (const change of p.changes) {
        const file = fsPathOf(change.uri);
        if (!file || /\.pyi?$/.test(file)) {
          if (!file) continue;
          // Created or deleted files change the set of modules (and their names): walk again.
          if (change.type === 2) this.project?.touch(file);
          else walk = true;
        } else if (file.endsWith('.gitignore')) walk = true;
        else config = true;
      }
      if (walk) this.project?.filesAddedOrRemoved();
      if (config) {
        this.pyprojects.clear();
        this.invalidateConfig();
        this.project?.filesAddedOrRemoved(); // its exclude patterns may have changed
      }
    });
    c.onHover((p, token) => this.hover(p, token));
    c.onCodeAction((p, token) => this.codeActions(p, token));
    c.onCodeActionResolve((a) => this.resolveCodeAction(a));
    c.onRequest(MigrateRequest, (p: MigrateParams, token) => this.migrate(p, token));
    c.onRequest(RulesRequest, (): RuleInfo[] => RULES.map((r) => ({ code: r.code, name: r.name, summary: r.summary, docsUrl: docsUrl(r.code) })));
    c.onRequest(RuleDocsRequest, (p: RuleDocsParams): RuleDocsResult | null => {
      const meta = ruleByCode(p.code);
      return meta ? { code: meta.code, markdown: ruleMarkdown(meta), url: docsUrl(meta.code) } : null;
    });
  }

  /**
   * Apply a didChange (validated: see DocumentState.applyChanges); false when it was stale. A
   * change that cannot be applied desyncs the document: logged, and its diagnostics replaced by
   * one saying so until the editor sends the full text (or closes and reopens the document).
   */
  private applyChanges(state: DocumentState, changes: TextDocumentContentChangeEvent[], version: number): boolean {
    const wasDesynced = state.desync;
    const dropped = state.droppedWhileDesynced;
    const result = state.applyChanges(changes, version);
    if (result.kind === 'stale') {
      this.connection.console.warn(`anyio-migrate: ignored change to ${state.uri} at version ${version} (have ${state.version})`);
      return false;
    }
    if (state.desync !== undefined && state.desync !== wasDesynced) {
      this.connection.console.warn(
        `anyio-migrate: ${state.uri}: change at version ${version} not applied: ${state.desync}. The document is out of sync; it is not analysed until the editor sends its full text (close and reopen it).`,
      );
    } else if (state.desync !== undefined && dropped === 0 && state.droppedWhileDesynced > 0) {
      this.connection.console.warn(`anyio-migrate: ${state.uri}: out of sync; changes are ignored until the full text is sent`);
    } else if (wasDesynced !== undefined && state.desync === undefined) {
      this.connection.console.info(`anyio-migrate: ${state.uri}: back in sync (full text received at version ${version})`);
    }
    return true;
  }

  /** The one diagnostic of a desynced document. */
  private publishDesynced(state: DocumentState): void {
    state.notifyWaiters();
    const diagnostic: Diagnostic = {
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      severity: DiagnosticSeverity.Information,
      source: DIAGNOSTIC_SOURCE,
      message: `AnyIO Migrate lost track of this document's text (${state.desync}); close and reopen it to get diagnostics again.`,
    };
    void this.connection.sendDiagnostics({ uri: state.uri, version: state.version, diagnostics: [diagnostic] });
  }

  // ------------------------------------------------------------------------------------------
  // Lifecycle and settings

  private async initialize(params: InitializeParams): Promise<InitializeResult> {
    const caps = params.capabilities;
    this.supports = {
      configuration: caps.workspace?.configuration === true,
      dynamicConfiguration: caps.workspace?.didChangeConfiguration?.dynamicRegistration === true,
      watchedFiles: caps.workspace?.didChangeWatchedFiles?.dynamicRegistration === true,
      resolve: caps.textDocument?.codeAction?.resolveSupport?.properties.includes('edit') === true,
      documentChanges: caps.workspace?.workspaceEdit?.documentChanges === true,
      workDoneProgress: caps.window?.workDoneProgress === true,
    };
    // Clients without workspace/configuration: `{settings: {...}}`, `{anyioMigrate: {...}}` or the settings themselves.
    const init = params.initializationOptions as Record<string, unknown> | null | undefined;
    this.globalSettings = normalizeSettings(init?.['settings'] ?? init?.[CONFIG_SECTION] ?? init);
    this.workspaceFolders = (params.workspaceFolders ?? []).map((f) => f.uri);
    if (this.workspaceFolders.length === 0 && params.rootUri) this.workspaceFolders = [params.rootUri];
    this.engineReady = initEngine(this.options.wasmDir ? { wasmDir: this.options.wasmDir } : {});
    await this.engineReady;
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

  private initialized(): void {
    const c = this.connection;
    if (this.supports.dynamicConfiguration) {
      void c.client.register(DidChangeConfigurationNotification.type, { section: CONFIG_SECTION });
    }
    if (this.supports.watchedFiles) {
      // pyproject.toml: settings; Python files and .gitignore: the project index.
      const watchers = ['**/pyproject.toml', '**/*.py', '**/*.pyi', '**/.gitignore'].map((globPattern) => ({ globPattern }));
      void c.client.register(DidChangeWatchedFilesNotification.type, { watchers });
    }
    if (this.workspaceFolders.length > 0 || this.supports.configuration) {
      try {
        c.workspace.onDidChangeWorkspaceFolders((e) => {
          const removed = new Set(e.removed.map((f) => f.uri));
          this.workspaceFolders = [...this.workspaceFolders.filter((f) => !removed.has(f)), ...e.added.map((f) => f.uri)];
          this.invalidateConfig();
          this.startProjectIndex();
        });
      } catch {
        /* client without workspace folder support */
      }
    }
    this.startProjectIndex();
  }

  // ------------------------------------------------------------------------------------------
  // Project index

  /** File-system paths of the workspace folders on disk. */
  private folderPaths(): string[] {
    return this.workspaceFolders
      .filter((u) => u.startsWith('file:'))
      .map((u) => fsPathOf(u))
      .filter((p): p is string => p !== undefined);
  }

  /** Build the project index in the background (or walk again after the folders changed). */
  private startProjectIndex(): void {
    if (this.project) {
      this.project.rebuild();
      return;
    }
    if (this.folderPaths().length === 0) return;
    const started = Date.now();
    let logged = false;
    const project = new WorkspaceProjectIndex({
      folders: () => this.folderPaths(),
      excludeFor: async (folder) => (await this.configFor(pathToFileURL(path.join(folder, '__anyio_migrate__.py')).href)).exclude,
      openText: (file) => this.openTextOf(file),
      summarize: (text, module, isPackage, file) => this.summarize(text, module, isPackage, file),
      progress: (files) => this.indexProgress(files),
      changed: () => {
        if (!this.project?.ready) return;
        if (!logged) {
          logged = true;
          const st = project.stats;
          this.connection.console.info(`anyio-migrate: project index: ${project.index.size} modules summarised (${st.reads} files read, ${st.summarised} summaries computed, ${((Date.now() - started) / 1000).toFixed(1)} s since start)`);
        }
        this.revalidateDependents();
      },
      op: (op) => this.worker.indexChanged(op),
      log: (m) => this.connection.console.error(`anyio-migrate: ${m}`),
    });
    this.project = project;
    void this.engineReady.then(() => project.rebuild());
  }

  /** The editor's text of the open Python document at `file`, if any (not a desynced one). */
  private openTextOf(file: string): string | undefined {
    for (const s of this.docs.all()) {
      if (s.languageId !== 'python' || s.desync !== undefined || !s.uri.startsWith('file:')) continue;
      if (fsPathOf(s.uri) === file && !this.notebooks.ofCell(s.uri)) return s.text;
    }
    return undefined;
  }

  /** The document's text changed for the index: now (`ms` 0) or when typing pauses. */
  private indexDocument(uri: string, ms: number, mayBeNew = false): void {
    const project = this.project;
    if (!project || !uri.startsWith('file:')) return;
    const file = fsPathOf(uri);
    if (!file) return;
    const pending = this.indexTimers.get(uri);
    if (pending) clearTimeout(pending);
    this.indexTimers.delete(uri);
    if (ms === 0) project.touch(file, mayBeNew);
    else {
      this.indexTimers.set(
        uri,
        setTimeout(() => {
          this.indexTimers.delete(uri);
          project.touch(file);
        }, ms),
      );
    }
  }

  /** Apply the pending re-summaries of unsaved text now (Migrate uses the editor's text). */
  private flushIndexTimers(): void {
    for (const uri of [...this.indexTimers.keys()]) this.indexDocument(uri, 0);
  }

  /** One module's summary: in the analysis worker (the main loop stays free), else here between messages. */
  private async summarize(text: string, module: string, isPackage: boolean, file: string): Promise<ModuleSummary | undefined> {
    for (let attempt = 0; attempt < 3 && this.worker.available && !this.shutdownReceived; attempt++) {
      const o = await this.worker.summarize(text, module, isPackage, file);
      if (o.kind === 'done') return o.summary;
      if (o.kind === 'cancelled') continue; // the worker was restarted for another document: ask again
      this.connection.console.warn(`anyio-migrate: project index: ${file} not summarised: ${o.kind === 'timeout' ? budgetMessage(o.budgetMs) : o.message}`);
      return undefined;
    }
    if (this.shutdownReceived) return undefined;
    await new Promise((resolve) => setImmediate(resolve));
    try {
      return summarizeModule(text, module, isPackage, file);
    } catch (err) {
      this.connection.console.warn(`anyio-migrate: project index: ${file} not summarised: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  }

  private async indexProgress(files: number): Promise<IndexProgress> {
    if (!this.supports.workDoneProgress || files === 0) return { report: () => undefined, done: () => undefined };
    let reporter: Awaited<ReturnType<Connection['window']['createWorkDoneProgress']>>;
    try {
      reporter = await this.connection.window.createWorkDoneProgress();
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

  /** The project context of an open document, when it is a module of the indexed workspace. */
  private projectOf(state: DocumentState): ProjectContext | undefined {
    if (!this.project || !state.uri.startsWith('file:') || this.notebooks.ofCell(state.uri)) return undefined;
    const file = fsPathOf(state.uri);
    return file ? this.project.contextOf(file) : undefined;
  }

  /** Analysis options of an open document: its settings and its place in the project. */
  private optionsFor(state: DocumentState, config: EffectiveConfig, analysing = false): AnalyzeOptions {
    const options = analyzeOptionsFor(config);
    const project = this.projectOf(state);
    if (project) options.project = project;
    if (analysing) this.analysedKey.set(state.uri, this.keyOf(state));
    return options;
  }

  private keyOf(state: DocumentState): string {
    const file = this.project && state.uri.startsWith('file:') ? fsPathOf(state.uri) : undefined;
    return file ? this.project!.dependencyKey(file) : '-';
  }

  /**
   * The index changed: re-analyse (and re-publish) the open documents whose analysis depended on
   * what changed: the modules they import, transitively (or that were analysed before the index
   * was ready).
   */
  private revalidateDependents(): void {
    for (const state of this.docs.all()) {
      if (!state.config || this.notebooks.ofCell(state.uri)) continue;
      const before = this.analysedKey.get(state.uri);
      if (before === undefined || before === this.keyOf(state)) continue;
      state.findings = undefined;
      this.altCache.delete(state.uri);
      this.schedule(state);
    }
  }

  private invalidateConfig(): void {
    this.configGeneration++;
    this.settingsCache.clear();
    this.altCache.clear();
    for (const state of this.docs.all()) {
      state.config = undefined;
      state.findings = undefined;
      if (!this.notebooks.ofCell(state.uri)) this.schedule(state);
    }
    for (const nb of this.notebooks.all()) {
      nb.config = undefined;
      this.scheduleNotebook(nb, true);
    }
  }

  /** Settings are resolved per workspace folder: one request per folder, cached until they change. */
  private settingsFor(uri: string): Promise<Settings> {
    if (!this.supports.configuration) return Promise.resolve(this.globalSettings);
    const folder = this.workspaceFolders
      .filter((f) => uri === f || uri.startsWith(f.endsWith('/') ? f : `${f}/`))
      .sort((a, b) => b.length - a.length)[0];
    const scope = folder ?? uri;
    let p = this.settingsCache.get(scope);
    if (!p) {
      p = this.connection.workspace
        .getConfiguration({ scopeUri: scope, section: CONFIG_SECTION })
        .then((raw: unknown) => normalizeSettings(raw))
        .catch(() => this.globalSettings);
      this.settingsCache.set(scope, p);
    }
    return p;
  }

  async configFor(uri: string): Promise<EffectiveConfig> {
    return resolveConfig(await this.settingsFor(uri), uri, this.pyprojects);
  }

  // ------------------------------------------------------------------------------------------
  // Diagnostics

  /**
   * Validate soon: right after this message for cheap documents; for documents whose analysis is
   * slow, a few milliseconds later, so a burst of queued changes (fast typing) is applied first and
   * analysed once instead of once per keystroke.
   */
  private schedule(state: DocumentState): void {
    const nb = this.notebooks.ofCell(state.uri);
    if (nb) {
      this.scheduleNotebook(nb, true);
      return;
    }
    const run = (): void => {
      state.validationScheduled = false;
      state.debounce = undefined;
      void this.validate(state);
    };
    if (state.lastAnalysisMs > LARGE_ANALYSIS_MS) {
      // A large document: wait for a pause in the changes (each change restarts the wait).
      if (state.debounce) clearTimeout(state.debounce);
      state.validationScheduled = true;
      state.debounce = setTimeout(run, Math.min(MAX_DEBOUNCE_MS, state.lastAnalysisMs));
      if (!state.degradedNoted) {
        state.degradedNoted = true;
        this.connection.console.info(
          `${state.uri}: analysing this document takes ${Math.round(state.lastAnalysisMs)} ms, so its diagnostics are updated when typing pauses.`,
        );
      }
      return;
    }
    if (state.validationScheduled) return;
    state.validationScheduled = true;
    if (state.lastAnalysisMs > SLOW_ANALYSIS_MS) setTimeout(run, COALESCE_MS);
    else setImmediate(run);
  }

  private async validate(state: DocumentState): Promise<void> {
    await this.engineReady;
    if (this.docs.get(state.uri) !== state) return; // closed meanwhile
    if (!state.config) {
      const generation = this.configGeneration;
      const config = await this.configFor(state.uri);
      if (this.docs.get(state.uri) !== state) return;
      if (generation !== this.configGeneration) return; // settings changed again: that change re-schedules
      state.config = config;
    }
    if (state.desync !== undefined) {
      this.publishDesynced(state);
      return;
    }
    if (this.usesWorker(state)) {
      await this.validateInWorker(state);
      return;
    }
    const version = state.version;
    const findings = this.findingsOf(state);
    if (!findings || state.version !== version) return;
    this.publish(state, findings);
  }

  /** Whether `state` is analysed in the worker (large, or slow on the main thread); sticky until closed. */
  private usesWorker(state: DocumentState): boolean {
    if (state.inWorker) return true;
    if (!this.worker.available || this.notebooks.ofCell(state.uri)) return false;
    if (state.text.length >= (this.options.workerMinChars ?? WORKER_MIN_CHARS) || state.lastAnalysisMs > LARGE_ANALYSIS_MS) state.inWorker = true;
    return state.inWorker;
  }

  /**
   * Analyse in the worker and publish. One analysis per document at a time: changes meanwhile
   * mark it for re-analysis, and a result for a version that is no longer current is dropped.
   */
  private async validateInWorker(state: DocumentState): Promise<void> {
    if (state.analysing) {
      state.reanalyse = true;
      return;
    }
    const config = state.config!;
    const version = state.version;
    if (!config.enable || config.excluded) {
      state.findings = [];
      state.findingsVersion = version;
      this.publish(state, []);
      return;
    }
    if (state.findings && state.findingsVersion === version) {
      this.publish(state, state.findings);
      return;
    }
    state.analysing = true;
    state.reanalyse = false;
    let outcome: WorkerOutcome;
    try {
      outcome = await this.worker.analyze(state, this.optionsFor(state, config, true));
    } finally {
      state.analysing = false;
    }
    if (this.docs.get(state.uri) !== state) return; // closed meanwhile
    const current = state.version === version && state.config === config && state.desync === undefined;
    state.notifyWaiters();
    if (current) {
      switch (outcome.kind) {
        case 'done':
          state.findings = outcome.findings;
          state.findingsVersion = version;
          state.stringLineEnds = outcome.stringLineEnds;
          state.lastAnalysisMs = outcome.ms;
          this.publish(state, outcome.findings);
          break;
        case 'timeout':
          state.findings = [];
          state.findingsVersion = version;
          state.budgetExceeded = version;
          state.lastAnalysisMs = outcome.budgetMs;
          this.connection.console.warn(`anyio-migrate: ${state.uri}: ${budgetMessage(outcome.budgetMs)}`);
          this.publish(state, [], budgetMessage(outcome.budgetMs));
          break;
        case 'failed':
          state.findings = [];
          state.findingsVersion = version;
          if (outcome.refused) this.connection.console.warn(`anyio-migrate: ${state.uri}: ${outcome.message}`);
          else this.connection.console.error(`anyio-migrate: analysis of ${state.uri} failed: ${outcome.message}`);
          this.publish(state, []);
          break;
        case 'cancelled':
          break;
      }
    }
    if (!current || state.reanalyse || outcome.kind === 'cancelled') {
      state.reanalyse = false;
      this.schedule(state);
    }
  }

  private scheduleNotebook(nb: NotebookState, changed = false): void {
    if (changed) {
      nb.generation++;
      nb.analysis = undefined;
    }
    if (nb.validationScheduled) return;
    nb.validationScheduled = true;
    setImmediate(() => {
      nb.validationScheduled = false;
      void this.validateNotebook(nb);
    });
  }

  private async validateNotebook(nb: NotebookState): Promise<void> {
    await this.engineReady;
    if (this.notebooks.get(nb.uri) !== nb) return;
    if (!nb.config) {
      const generation = this.configGeneration;
      const config = await this.configFor(nb.uri);
      if (this.notebooks.get(nb.uri) !== nb || generation !== this.configGeneration) return;
      nb.config = config;
    }
    const desynced = nb.cells.map((c) => this.docs.get(c.document)).filter((s): s is DocumentState => s?.desync !== undefined);
    if (desynced.length > 0) {
      for (const s of desynced) this.publishDesynced(s);
      return;
    }
    const analysis = this.notebookAnalysis(nb);
    if (!analysis) return;
    for (const uri of analysis.cellUris) {
      const state = this.docs.get(uri);
      if (state) this.publish(state, analysis.byCell.get(uri) ?? [], undefined, nb);
    }
  }

  /** The analysis of the notebook's current cells (joined), computing it if needed. */
  private notebookAnalysis(nb: NotebookState): NotebookAnalysis | undefined {
    const config = nb.config;
    if (!config) return undefined;
    if (nb.analysis && nb.analysis.generation === nb.generation) return nb.analysis;
    if (nb.cells.some((c) => this.docs.get(c.document)?.desync !== undefined)) return undefined;
    const ctx = buildContext(nb, (uri) => {
      const s = this.docs.get(uri);
      return s && s.languageId === 'python' ? s.text : undefined;
    });
    let findings: Finding[] = [];
    if (config.enable && !config.excluded) {
      try {
        findings = analyze(ctx.text, analyzeOptionsFor(config));
      } catch (err) {
        this.connection.console.error(`anyio-migrate: analysis of ${nb.uri} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
    }
    const analysis: NotebookAnalysis = { ...ctx, byCell: splitFindings(ctx, findings) };
    nb.analysis = analysis;
    for (const uri of ctx.cellUris) {
      const state = this.docs.get(uri);
      if (!state) continue;
      state.config = config;
      state.findings = analysis.byCell.get(uri) ?? [];
      state.findingsVersion = state.version;
    }
    return analysis;
  }

  /** Current findings (analysing synchronously if the text changed); undefined before settings are known. */
  private findingsOf(state: DocumentState): Finding[] | undefined {
    if (state.desync !== undefined) return undefined;
    const nb = this.notebooks.ofCell(state.uri);
    if (nb) return this.notebookAnalysis(nb)?.byCell.get(state.uri) ?? (nb.config ? [] : undefined);
    const config = state.config;
    if (!config) return undefined;
    if (state.findings && state.findingsVersion === state.version) return state.findings;
    // A large document: only what the worker found for this version (never analysed here).
    if (state.inWorker) return undefined;
    let findings: Finding[] = [];
    if (config.enable && !config.excluded) {
      const t0 = performance.now();
      try {
        // Scoped re-analysis: only the function bodies an edit changed are checked again (the
        // result always equals a full analysis; see src/core/incremental.ts).
        findings = state.incremental.analyze(state.text, state.currentTree(), this.optionsFor(state, config, true)).findings;
      } catch (err) {
        state.incremental.reset();
        if (err instanceof InputRefused) this.connection.console.warn(`anyio-migrate: ${state.uri}: ${err.message}`);
        else this.connection.console.error(`anyio-migrate: analysis of ${state.uri} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        findings = [];
      }
      state.lastAnalysisMs = performance.now() - t0;
    }
    state.findings = findings;
    state.findingsVersion = state.version;
    return findings;
  }

  private publish(state: DocumentState, findings: readonly Finding[], note?: string, nb?: NotebookState): void {
    const config = state.config!;
    const diagnostics: Diagnostic[] = [];
    if (note) {
      diagnostics.push({
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        severity: DiagnosticSeverity.Information,
        source: DIAGNOSTIC_SOURCE,
        message: `AnyIO Migrate: ${note}`,
      });
    }
    for (const f of findings) {
      const d = toDiagnostic(state.doc, f, config.severityOverrides);
      if (!d) continue;
      if (nb) (d.data as DiagnosticData).notebook = { uri: nb.uri, generation: nb.generation };
      diagnostics.push(d);
    }
    void this.connection.sendDiagnostics({ uri: state.uri, version: state.version, diagnostics });
    const options = analyzeOptionsFor(config);
    const status: DocumentStatusParams = {
      uri: state.uri,
      version: state.version,
      enabled: config.enable && !config.excluded,
      rulesActive: config.enable ? RULES.filter((r) => isRuleEnabled(r.code, options)).length : 0,
      rulesTotal: RULES.length,
      findings: diagnostics.length,
      target: config.target,
      configErrors: config.errors,
    };
    void this.connection.sendNotification(DocumentStatusNotification, status);
  }

  // ------------------------------------------------------------------------------------------
  // Hover

  /**
   * The findings of the current version; for a large document whose analysis in the worker is
   * pending, waits for it (other requests go on meanwhile). Undefined when cancelled or closed.
   */
  private async currentFindings(state: DocumentState, token: CancellationToken): Promise<Finding[] | undefined> {
    for (;;) {
      if (this.docs.get(state.uri) !== state || token.isCancellationRequested || state.desync !== undefined) return undefined;
      const findings = this.findingsOf(state);
      if (findings || !state.inWorker) return findings;
      if (!state.validationScheduled && !state.analysing) this.schedule(state);
      let subscription: { dispose(): void } | undefined;
      const cancelled = new Promise<void>((resolve) => (subscription = token.onCancellationRequested(() => resolve())));
      await Promise.race([state.nextNotification(), cancelled]);
      subscription?.dispose();
    }
  }

  private async hover(params: HoverParams, token: CancellationToken): Promise<Hover | null> {
    const state = this.docs.get(params.textDocument.uri);
    if (!state) return null;
    const findings = await this.currentFindings(state, token);
    if (!findings || findings.length === 0) return null;
    const offset = state.doc.offsetAt(params.position);
    const hits = findings.filter((f) => f.start <= offset && (offset < f.end || f.start === f.end));
    if (hits.length === 0) return null;
    const sections: string[] = [];
    for (const f of hits) {
      const meta = ruleByCode(f.code);
      const doc = meta ? ruleMarkdown(meta, { finding: f, unsafeFixesEnabled: state.config!.unsafeFixes, target: state.config!.target }) : `**${f.code}** ${f.message}`;
      const proof = this.proofMarkdown(state, f);
      sections.push(proof ? `${doc}\n\n${proof}` : doc);
    }
    const first = hits[0]!;
    return {
      contents: { kind: MarkupKind.Markdown, value: sections.join('\n\n---\n\n') },
      range: { start: state.doc.positionAt(first.start), end: state.doc.positionAt(first.end) },
    };
  }

  /**
   * Why the receiver of a finding is (or may be) AnyIO, for the hover: the proof `explainAt` gives,
   * step by step, paths relative to the document's folder. Nothing for large documents (the proof
   * re-parses the text) or when there is nothing to explain.
   */
  private proofMarkdown(state: DocumentState, f: Finding): string | undefined {
    if (state.text.length > 200_000 || !state.config || this.notebooks.ofCell(state.uri)) return undefined;
    let ex: ReturnType<typeof explainAt>;
    try {
      ex = explainAt(state.text, f.start, this.optionsFor(state, state.config));
    } catch {
      return undefined;
    }
    if (!ex || ex.verdict === 'not-anyio' || ex.steps.length === 0) return undefined;
    const file = state.uri.startsWith('file:') ? fsPathOf(state.uri) : undefined;
    const here = file ? path.dirname(file) : undefined;
    const where = (p: string | undefined, line: number) => (p ? `${here && path.isAbsolute(p) ? path.relative(here, p) : p}:${line}` : `line ${line}`);
    const steps = ex.steps.slice(0, 6).map((st) => `- ${st.text} (${where(st.path, st.line)})`);
    const more = ex.steps.length > 6 ? `\n- … ${ex.steps.length - 6} more (\`anyio-migrate explain\`)` : '';
    return `**Why:** \`${ex.expression.length > 40 ? ex.expression.slice(0, 40) + '…' : ex.expression}\` is ${ex.type}\n\n${steps.join('\n')}${more}`;
  }

  // ------------------------------------------------------------------------------------------
  // Code actions

  private workspaceEdit(state: DocumentState, edits: TextEdit[]): WorkspaceEdit {
    if (this.supports.documentChanges) {
      return { documentChanges: [{ textDocument: { uri: state.uri, version: state.version }, edits }] };
    }
    return { changes: { [state.uri]: edits } };
  }

  /** One edit over several documents (notebook cells), each versioned. */
  private multiEdit(perDoc: Map<string, Edit[]>): WorkspaceEdit {
    const entries: Array<{ uri: string; version: number; edits: TextEdit[] }> = [];
    for (const [uri, edits] of perDoc) {
      const s = this.docs.get(uri);
      if (s) entries.push({ uri, version: s.version, edits: toTextEdits(s.doc, edits) });
    }
    if (this.supports.documentChanges) {
      return { documentChanges: entries.map((e) => ({ textDocument: { uri: e.uri, version: e.version }, edits: e.edits })) };
    }
    return { changes: Object.fromEntries(entries.map((e) => [e.uri, e.edits])) };
  }

  /**
   * Where fixes for a document are computed: its own text, or — for a notebook cell — the joined
   * Python cells of its notebook (the fix may add an import in another cell).
   */
  private fixContext(state: DocumentState): { text: string; generation?: number; edit(output: string): WorkspaceEdit | { refused: string } } | undefined {
    const nb = this.notebooks.ofCell(state.uri);
    if (!nb) return { text: state.text, edit: (output) => this.workspaceEdit(state, textEditsTo(state.doc, output)) };
    const analysis = this.notebookAnalysis(nb);
    if (!analysis) return undefined;
    return {
      text: analysis.text,
      generation: nb.generation,
      edit: (output) => {
        const split = splitEdits(analysis, computeEdits(analysis.text, output));
        return split instanceof Map ? this.multiEdit(split) : split;
      },
    };
  }

  private async codeActions(params: CodeActionParams, token: CancellationToken): Promise<CodeAction[]> {
    const state = this.docs.get(params.textDocument.uri);
    if (!state || !state.config || !state.config.enable || state.config.excluded) return [];
    if (state.inWorker && (await this.currentFindings(state, token)) === undefined) return [];
    if (this.docs.get(state.uri) !== state || !state.config) return [];
    const config = state.config;
    const only = params.context.only;
    const actions: CodeAction[] = [];
    if (kindRequested(only, CodeActionKind.QuickFix)) {
      const findings = this.findingsOf(state) ?? [];
      const perCode = new Set<string>();
      const disabled = new Set<string>();
      const documented = new Set<string>();
      const docActions: CodeAction[] = [];
      for (const diag of params.context.diagnostics) {
        if (diag.source !== DIAGNOSTIC_SOURCE || !isDiagnosticData(diag.data)) continue;
        const data = diag.data;
        const code = String(diag.code ?? '');
        if (data.uri !== state.uri || data.version !== state.version) continue; // stale: never apply to another text
        if (data.notebook && data.notebook.generation !== this.notebooks.ofCell(state.uri)?.generation) continue;
        // The fix of the *current* analysis (same version, current settings) for this finding: a
        // diagnostic published before a settings change (e.g. the target) still carries its old fix.
        const current = findings.find((f) => f.code === code && f.start === data.start && f.end === data.end);
        if (!current) continue;
        const fix = current.fix;
        if (fix) {
          const action = this.fixAction(state, fix, diag);
          if (action) actions.push(action);
        }
        if (!config.targetChosen && fix) {
          const alt = this.compatFix(state, code, data.start, data.end);
          if (alt && !sameFix(alt, fix)) {
            const action = this.fixAction(state, alt, diag, alt.title.includes('AnyIO 2 and 3') ? '' : ' (AnyIO 2 and 3)');
            if (action) actions.push({ ...action, isPreferred: false });
          }
        }
        if (!perCode.has(code)) {
          perCode.add(code);
          const fixable = findings.filter((f) => f.code === code && f.fix && (f.fix.applicability === 'safe' || config.unsafeFixes));
          if (fixable.length > 1) {
            const action: CodeAction = {
              title: `Fix all ${code} problems in this file`,
              kind: CodeActionKind.QuickFix,
              diagnostics: [diag],
              data: this.lazyData(state, 'fixAllCode', code),
            };
            actions.push(this.supports.resolve ? action : this.resolveCodeAction(action));
          }
        }
        const line = state.doc.positionAt(data.start).line;
        if (!disabled.has(`${code}:${line}`)) {
          disabled.add(`${code}:${line}`);
          const disable = this.disableAction(state, diag, code, data.start);
          if (disable) actions.push(disable);
        }
        if (!documented.has(code)) {
          documented.add(code);
          docActions.push({
            title: `Show documentation for ${code}`,
            kind: CodeActionKind.QuickFix,
            diagnostics: [diag],
            command: { title: `Show documentation for ${code}`, command: Commands.showRuleDocumentation, arguments: [code] },
          });
        }
      }
      actions.push(...docActions);
    }

    // Source fix-all (also what `editor.codeActionsOnSave` runs): safe fixes only, computed on resolve.
    if (kindRequested(only, FIX_ALL_KIND) && (only !== undefined || this.supports.resolve)) {
      const hasSafeFix = (this.findingsOf(state) ?? []).some((f) => f.fix?.applicability === 'safe');
      if (hasSafeFix) {
        const action: CodeAction = {
          title: 'AnyIO Migrate: fix all safe problems',
          kind: FIX_ALL_KIND,
          data: this.lazyData(state, 'fixAll'),
        };
        if (this.supports.resolve) actions.push(action);
        else {
          const resolved = this.resolveCodeAction(action);
          if (resolved.edit) actions.push(resolved);
        }
      }
    }
    return actions;
  }

  private lazyData(state: DocumentState, kind: LazyActionData['kind'], code?: string): LazyActionData {
    const data: LazyActionData = { kind, uri: state.uri, version: state.version };
    if (code !== undefined) data.code = code;
    const nb = this.notebooks.ofCell(state.uri);
    if (nb) data.generation = nb.generation;
    return data;
  }

  private fixAction(state: DocumentState, fix: Fix, diag: Diagnostic, suffix = ''): CodeAction | undefined {
    const unsafe = fix.applicability === 'unsafe';
    const title = `${fix.title}${suffix}${unsafe ? ' (unsafe)' : ''}`;
    const ctx = this.fixContext(state);
    if (!ctx) return undefined;
    let result: ReturnType<typeof applyFix>;
    try {
      result = applyFix(ctx.text, fix);
    } catch (err) {
      this.connection.console.error(`anyio-migrate: applyFix failed: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
    const edit = 'refused' in result ? result : ctx.edit(result.output);
    if ('refused' in edit) {
      return { title, kind: CodeActionKind.QuickFix, diagnostics: [diag], disabled: { reason: edit.refused } };
    }
    return { title, kind: CodeActionKind.QuickFix, diagnostics: [diag], isPreferred: !unsafe && suffix === '', edit };
  }

  /** The `anyio2+3` form of the finding at [start, end), for users who have not chosen a target. */
  private compatFix(state: DocumentState, code: string, start: number, end: number): Fix | undefined {
    const config = state.config!;
    // Not for large documents: the alternative form would need a second analysis on the main thread.
    if (config.target !== 'anyio3' || this.notebooks.ofCell(state.uri) || state.inWorker) return undefined;
    let cached = this.altCache.get(state.uri);
    if (!cached || cached.version !== state.version || cached.code !== code) {
      let findings: Finding[] = [];
      try {
        findings = analyze(state.text, { ...this.optionsFor(state, config), target: 'anyio2+3', select: [code], ignore: [] });
      } catch {
        findings = [];
      }
      cached = { version: state.version, code, findings };
      this.altCache.set(state.uri, cached);
    }
    return cached.findings.find((f) => f.code === code && f.start === start && f.end === end)?.fix;
  }

  private disableAction(state: DocumentState, diag: Diagnostic, code: string, start: number): CodeAction | undefined {
    const doc = state.doc;
    const line = doc.positionAt(start).line;
    const lineStart = doc.offsetAt({ line, character: 0 });
    const nextLine = doc.offsetAt({ line: line + 1, character: 0 });
    const raw = state.text.slice(lineStart, nextLine);
    const content = raw.replace(/\r?\n$|\r$/, '');
    if (content.endsWith('\\')) return undefined; // a comment would break the line continuation
    // The end of the line inside a (multi-line) string: a comment there would be string content.
    // For a large document the worker found those lines (no parse here).
    try {
      if (state.inWorker ? state.stringLineEnds.has(line) : lineEndInString(state, line)) return undefined;
    } catch {
      /* no tree: offer it anyway */
    }
    const add = addSuppression(content, code);
    if (!add) return undefined;
    const at = doc.positionAt(lineStart + add.offset);
    const edit: TextEdit = { range: { start: at, end: at }, newText: add.text };
    return {
      title: `Disable ${code} for this line`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diag],
      edit: this.workspaceEdit(state, [edit]),
    };
  }

  private resolveCodeAction(action: CodeAction): CodeAction {
    const data = action.data;
    if (!isLazyActionData(data)) return action;
    const state = this.docs.get(data.uri);
    const ctx = state && state.config && state.desync === undefined && state.version === data.version ? this.fixContext(state) : undefined;
    if (!state || !state.config || !ctx || ctx.generation !== data.generation) {
      this.connection.console.warn(`anyio-migrate: "${action.title}" refused: the document changed since it was offered`);
      return action;
    }
    const config = state.config;
    const options = { ...(this.notebooks.ofCell(state.uri) ? analyzeOptionsFor(config) : this.optionsFor(state, config)), unsafeFixes: data.kind === 'fixAll' ? false : config.unsafeFixes };
    if (data.kind === 'fixAllCode' && data.code) options.select = [data.code];
    try {
      const result = fixAll(ctx.text, options);
      if (result.refused) this.connection.console.warn(`anyio-migrate: fix-all refused for ${state.uri}: ${result.refused}`);
      if (result.output !== ctx.text) {
        const edit = ctx.edit(result.output);
        if ('refused' in edit) this.connection.console.warn(`anyio-migrate: fix-all refused for ${state.uri}: ${edit.refused}`);
        else return { ...action, edit };
      }
    } catch (err) {
      this.connection.console.error(`anyio-migrate: fix-all failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    return action;
  }

  // ------------------------------------------------------------------------------------------
  // Migrate workspace / file / report

  private async migrate(params: MigrateParams, token: CancellationToken): Promise<MigrateResult> {
    await this.engineReady;
    // The same project index as the diagnostics, with the editor's unsaved text in it.
    this.flushIndexTimers();
    const project = this.project;
    if (project) await project.settled();
    let lastProgress = 0;
    const migrator = new Migrator(
      {
        openDocument: (uri) => {
          const s = this.docs.get(uri);
          return s ? { text: s.text, version: s.version } : undefined;
        },
        openDocumentUris: () => this.docs.all().map((d) => d.uri),
        configFor: (uri) => this.configFor(uri),
        workspaceFolders: () => [...this.workspaceFolders],
        unusable: (uri) => {
          const d = this.docs.get(uri)?.desync;
          return d === undefined ? undefined : `the editor's text of this document is out of sync (${d}); close and reopen it`;
        },
        progress: (done, total, file) => {
          if (!params.progressId) return;
          const now = Date.now();
          if (done !== 0 && done !== total && now - lastProgress < 100) return;
          lastProgress = now;
          const p: MigrateProgressParams = { progressId: params.progressId, done, total, path: file };
          void this.connection.sendNotification(MigrateProgressNotification, p);
        },
        log: (m) => this.connection.console.log(`anyio-migrate: ${m}`),
        project: (file) => project?.contextOf(file),
      },
      token,
    );
    return migrator.run(params);
  }
}

function budgetMessage(ms: number): string {
  return `analysis took longer than ${Math.round(ms / 100) / 10} s; skipped`;
}

function sameFix(a: Fix, b: Fix): boolean {
  return JSON.stringify(a.edits) === JSON.stringify(b.edits) && JSON.stringify(a.imports ?? []) === JSON.stringify(b.imports ?? []);
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
