/**
 * The language server's session: the state every feature shares (open documents and notebooks,
 * settings per workspace folder, client capabilities, the project index handle, the analysis
 * worker) and the small queries over it (a document's settings, its analysis options). Features
 * (src/server/features/*) are functions of this session and their request's parameters, as in
 * ruff_server; src/server/server.ts wires them to the connection.
 */
import type { Connection } from 'vscode-languageserver/node';
import { analyzeOptionsFor } from '../config/engine-options';
import type { AnalyzeOptions, Finding } from '../core/types';
import type { ProjectContext } from '../core/semantic/project';
import { CONFIG_SECTION, type Settings } from '../shared/protocol';
import { AnalysisWorker, type AnalysisWorkerOptions } from './analysisWorker';
import { DocumentStore, type DocumentState } from './documents';
import { NotebookStore } from './notebooks';
import type { WorkspaceProjectIndex } from './projectIndex';
import type { WorkspaceDiagnostics } from './features/workspaceDiagnostics';
import { PyprojectCache, fsPathOf, normalizeSettings, resolveConfig, type EffectiveConfig } from './settings';
import { errorTrace } from './errors';

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
 * the main loop; so are documents whose analysis on the main thread took over `LARGE_ANALYSIS_MS`
 * (src/server/features/diagnostics.ts).
 */
export const WORKER_MIN_CHARS = 32 * 1024;
/** A document whose analysis takes longer is reported once ("analysis took longer than ...") and skipped. */
const ANALYSIS_BUDGET_MS = 30_000;

/** What the client said it supports (from `initialize`). */
export interface ClientSupport {
  configuration: boolean;
  dynamicConfiguration: boolean;
  watchedFiles: boolean;
  resolve: boolean;
  documentChanges: boolean;
  workDoneProgress: boolean;
}

export class Session {
  readonly docs = new DocumentStore();
  readonly notebooks = new NotebookStore();
  readonly pyprojects = new PyprojectCache((m) => this.connection.console.warn(`anyio-migrate: ${m}`));
  readonly worker: AnalysisWorker;
  /** Settings per workspace folder (or per document outside every folder), cached until they change. */
  readonly settingsCache = new Map<string, Promise<Settings>>();
  /** Settings of clients without `workspace/configuration` (initialization options, didChangeConfiguration). */
  globalSettings: Settings = normalizeSettings(undefined);
  workspaceFolders: string[] = [];
  /** Incremented by every settings change: a validation that awaited settings meanwhile is dropped. */
  configGeneration = 0;
  engineReady: Promise<void> = Promise.resolve();
  supports: ClientSupport = { configuration: false, dynamicConfiguration: false, watchedFiles: false, resolve: false, documentChanges: false, workDoneProgress: false };
  /** The workspace's project index (none without a workspace folder on disk). */
  project: WorkspaceProjectIndex | undefined;
  /** Diagnostics of the workspace's files that are not open (none without a workspace folder on disk). */
  workspaceDiagnostics: WorkspaceDiagnostics | undefined;
  /** Per open document: what its last analysis depended on in the project index (see `dependencyKey`). */
  readonly analysedKey = new Map<string, string>();
  /** Per open document: the pending re-summary of its unsaved text. */
  readonly indexTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Compat-form fixes (target not chosen), per document version and code. */
  readonly altCache = new Map<string, { version: number; code: string; findings: Finding[] }>();
  /** `shutdown` was received (the exit status is then 0). */
  shutdownReceived = false;

  constructor(
    readonly connection: Connection,
    readonly options: ServerOptions = {},
  ) {
    const workerOptions: AnalysisWorkerOptions = {
      budgetMs: options.analysisBudgetMs ?? ANALYSIS_BUDGET_MS,
      log: (m) => this.connection.console.error(m),
    };
    if (options.wasmDir) workerOptions.wasmDir = options.wasmDir;
    this.worker = new AnalysisWorker(workerOptions);
  }

  /** Run `promise` without awaiting it; a failure is logged, never left unhandled. */
  background(promise: Promise<unknown>, what: string): void {
    promise.catch((err: unknown) => this.connection.console.error(`anyio-migrate: ${what} failed: ${errorTrace(err)}`));
  }

  // ------------------------------------------------------------------------------------------
  // Settings

  /** Settings are resolved per workspace folder: one request per folder, cached until they change. */
  settingsFor(uri: string): Promise<Settings> {
    if (!this.supports.configuration) return Promise.resolve(this.globalSettings);
    const folder = this.workspaceFolders.filter((f) => uri === f || uri.startsWith(f.endsWith('/') ? f : `${f}/`)).sort((a, b) => b.length - a.length)[0];
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

  /** The effective configuration of a document: its folder's settings merged with its pyproject.toml. */
  async configFor(uri: string): Promise<EffectiveConfig> {
    return resolveConfig(await this.settingsFor(uri), uri, this.pyprojects);
  }

  /** File-system paths of the workspace folders on disk. */
  folderPaths(): string[] {
    return this.workspaceFolders
      .filter((u) => u.startsWith('file:'))
      .map((u) => fsPathOf(u))
      .filter((p): p is string => p !== undefined);
  }

  // ------------------------------------------------------------------------------------------
  // Analysis options

  /** The project context of an open document, when it is a module of the indexed workspace. */
  projectOf(state: DocumentState): ProjectContext | undefined {
    if (!this.project || !state.uri.startsWith('file:') || this.notebooks.ofCell(state.uri)) return undefined;
    const file = fsPathOf(state.uri);
    return file ? this.project.contextOf(file) : undefined;
  }

  /**
   * Analysis options of an open document: its settings and its place in the project. `analysing`:
   * the options are for an analysis whose findings will be kept (its project dependencies are noted).
   */
  optionsFor(state: DocumentState, config: EffectiveConfig, analysing = false): AnalyzeOptions {
    const options = analyzeOptionsFor(config);
    const project = this.projectOf(state);
    if (project) options.project = project;
    if (analysing) this.analysedKey.set(state.uri, this.keyOf(state));
    return options;
  }

  /** What an analysis of `state` depends on in the project index ('-' outside it). */
  keyOf(state: DocumentState): string {
    const file = this.project && state.uri.startsWith('file:') ? fsPathOf(state.uri) : undefined;
    return file ? this.project!.dependencyKey(file) : '-';
  }
}
