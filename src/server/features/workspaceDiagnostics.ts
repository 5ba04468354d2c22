/**
 * Workspace diagnostics: every AnyIO 2 usage of the workspace in the Problems panel, open or not
 * (`anyioMigrate.diagnosticsScope`: `workspace`, the default, or `openFiles`).
 *
 * The files are the project index's (src/server/projectIndex.ts: the CLI's walk, `.gitignore`,
 * pyproject `exclude`); it reports which files it read again (`filesChanged`: the first build,
 * watched-file events, saves, closes) and when summaries changed (`dependenciesChanged`). Each
 * queued file is analysed in the analysis worker, one at a time, and only while no open document
 * waits for its own analysis: open documents always come first. A file is analysed only when it
 * can have findings (it mentions anyio, or the index summarised it: the CLI's rule), with the same
 * options and project context as the CLI, so the counts agree with `anyio-migrate check`.
 *
 * An open document's diagnostics come from its editor text (features/diagnostics.ts): its disk
 * result is not published while it is open, and is published again when it closes. The results
 * (open documents' too) feed the status bar (`anyioMigrate/workspaceStatus`) and the Migration
 * Overview (`anyioMigrate/overview`).
 */
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { Diagnostic } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze, InputRefused } from '../../engine';
import { analyzeOptionsFor } from '../../config/engine-options';
import type { Finding } from '../../core/types';
import { readPythonFile } from '../../workspace/files';
import { WorkspaceStatusNotification, type OverviewResult, type OverviewSite, type WorkspaceStatusParams } from '../../shared/protocol';
import { budgetMessage } from '../analysisWorker';
import { toDiagnostic } from '../diagnostics';
import { DocumentState } from '../documents';
import type { Session } from '../session';
import { fsPathOf } from '../settings';
import { errorMessage } from '../errors';
import { countSites, overviewOf, scanProgress, sitesOf, type SitesOfFile } from './workspaceOverview';

export { overview, sitesOf } from './workspaceOverview';

/** The worker's copy of a workspace file is keyed apart from any open document's URI. */
const WORKER_URI_PREFIX = 'anyio-migrate-workspace:';
/** Status notifications at most this often while scanning (ms). */
const STATUS_INTERVAL_MS = 250;

interface FileRecord {
  uri: string;
  diagnostics: Diagnostic[];
  sites: OverviewSite[];
  /** What the analysis depended on in the project index (`dependencyKey`). */
  key: string;
  /** The diagnostics last sent for this URI (JSON), undefined when the client holds none of ours. */
  published: string | undefined;
}

export class WorkspaceDiagnostics {
  /** Results of unopened files, by file-system path. */
  private readonly records = new Map<string, FileRecord>();
  /** Open documents' sites (from their editor text), by file-system path. */
  private readonly openSites = new Map<string, { uri: string; sites: OverviewSite[] }>();
  /** Files to analyse, with their text when the index just read it (else read from disk). */
  private readonly queue = new Map<string, string | undefined>();
  private running: Promise<void> | undefined;
  private generation = 0;
  private checked = 0;
  private toCheck = 0;
  private disposed = false;
  private statusTimer: ReturnType<typeof setTimeout> | undefined;
  private lastStatus = '';
  private scannedOnce = false;
  private progress: { report(done: number, total: number): void; done(): void } | undefined;
  /** Work counters (tests compare counts, never times). */
  readonly stats = { analysed: 0, skipped: 0, published: 0 };

  constructor(private readonly session: Session) {}

  /** The index read these files again (or they left it). */
  filesChanged(e: { changed: readonly string[]; texts: ReadonlyMap<string, string>; removed: readonly string[] }): void {
    for (const f of e.removed) this.forget(f);
    for (const f of e.changed) this.enqueue(f, e.texts.get(f) ?? undefined);
    this.kick();
  }

  /** Summaries changed: files whose analysis depended on them are analysed again. */
  dependenciesChanged(): void {
    const project = this.session.project;
    if (!project) return;
    for (const [file, r] of this.records) if (r.key !== project.dependencyKey(file)) this.enqueue(file, undefined);
    this.kick();
  }

  /** Settings changed (scope, rules, pyproject): every file is analysed again. */
  configChanged(): void {
    this.generation++;
    for (const f of this.session.project?.files() ?? []) this.enqueue(f, undefined);
    this.kick();
  }

  /** An open document published its diagnostics (from its editor text). */
  openPublished(uri: string, diagnostics: readonly Diagnostic[]): void {
    const file = uri.startsWith('file:') ? fsPathOf(uri) : undefined;
    if (!file || !this.folderOf(file)) return;
    this.openSites.set(file, { uri, sites: sitesOf(diagnostics) });
    this.scheduleStatus();
  }

  /** An open document closed (its diagnostics were cleared): the disk's result is published again. */
  documentClosed(uri: string): void {
    const file = uri.startsWith('file:') ? fsPathOf(uri) : undefined;
    if (!file) return;
    this.openSites.delete(file);
    const r = this.records.get(file);
    if (r) r.published = undefined;
    if (this.session.project?.files().includes(file)) {
      this.enqueue(file, undefined);
      this.kick();
    }
    this.scheduleStatus();
  }

  /** Resolves when nothing is queued or being analysed. */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  dispose(): void {
    this.disposed = true;
    this.queue.clear();
    if (this.statusTimer) clearTimeout(this.statusTimer);
    this.progress?.done();
  }

  status(): WorkspaceStatusParams {
    const { findings, files, safe } = countSites(this.current());
    const first = this.session.folderPaths()[0];
    const scope = first ? this.scopeCache.get(first) : undefined;
    return {
      scanning: this.running !== undefined || !this.session.project?.ready,
      checked: this.checked,
      toCheck: this.toCheck,
      scope: scope ?? 'workspace',
      findings,
      files,
      safe,
      review: findings - safe,
    };
  }

  overview(): OverviewResult {
    return overviewOf(this.current(), (file) => this.folderOf(file)!, this.status());
  }

  /** Per file: the open document's sites when open, else the disk's. */
  private *current(): Generator<SitesOfFile> {
    for (const [file, o] of this.openSites) yield { file, ...o };
    for (const [file, r] of this.records) if (!this.openSites.has(file)) yield { file, uri: r.uri, sites: r.sites };
  }

  private folderOf(file: string): string | undefined {
    return this.session
      .folderPaths()
      .filter((root) => {
        const rel = path.relative(root, file);
        return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
      })
      .sort((a, b) => b.length - a.length)[0];
  }

  private enqueue(file: string, text: string | undefined): void {
    if (this.disposed || this.session.shutdownReceived) return;
    if (!this.queue.has(file)) this.toCheck++;
    this.queue.set(file, text);
  }

  /** The file left the workspace (deleted, excluded): its diagnostics are cleared. */
  private forget(file: string): void {
    if (this.queue.delete(file)) this.toCheck--;
    const r = this.records.get(file);
    this.records.delete(file);
    if (r?.published !== undefined && !this.isOpen(file)) this.send(r.uri, []);
    this.scheduleStatus();
  }

  private kick(): void {
    if (this.session.shutdownReceived) this.dispose();
    if (this.running || this.disposed || this.queue.size === 0) {
      this.scheduleStatus();
      return;
    }
    this.running = this.drain()
      .catch((err: unknown) => this.session.connection.console.error(`anyio-migrate: workspace diagnostics: ${errorMessage(err)}`))
      .finally(() => {
        this.running = undefined;
        this.progress?.done();
        this.progress = undefined;
        if (!this.disposed && this.queue.size > 0) this.kick();
        else {
          this.checked = this.toCheck = 0;
          this.sendStatus();
        }
      });
    this.scheduleStatus();
  }

  private async drain(): Promise<void> {
    // Progress for the first scan, and for later ones of many files (a branch switch).
    if (!this.scannedOnce || this.toCheck >= 20) this.progress = await scanProgress(this.session, this.toCheck);
    this.scannedOnce = true;
    while (!this.disposed && !this.session.shutdownReceived && this.queue.size > 0) {
      await this.openDocumentsFirst();
      const [file, text] = this.queue.entries().next().value as [string, string | undefined];
      this.queue.delete(file);
      try {
        await this.analyseOne(file, text);
      } finally {
        this.checked++;
        this.progress?.report(this.checked, this.toCheck);
        this.scheduleStatus();
      }
    }
  }

  /** Waits while an open document is being (or about to be) analysed: the editor comes first. */
  private async openDocumentsFirst(): Promise<void> {
    for (let i = 0; i < 500; i++) {
      if (!this.session.docs.all().some((s) => s.analysing || s.validationScheduled)) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await new Promise((resolve) => setImmediate(resolve));
  }

  private isOpen(file: string): boolean {
    return this.session.docs.all().some((s) => s.uri.startsWith('file:') && fsPathOf(s.uri) === file);
  }

  private readonly scopeCache = new Map<string, 'workspace' | 'openFiles'>();

  private async analyseOne(file: string, given: string | undefined): Promise<void> {
    const session = this.session;
    const uri = pathToFileURL(file).href;
    if (this.isOpen(file)) return; // the open document's text decides (documentClosed queues it again)
    const generation = this.generation;
    const folder = this.folderOf(file);
    const settings = await session.settingsFor(folder ? pathToFileURL(folder).href : uri);
    if (folder) this.scopeCache.set(folder, settings.diagnosticsScope ?? 'workspace');
    const config = await session.configFor(uri);
    const key = session.project?.dependencyKey(file) ?? '-';
    if (settings.diagnosticsScope === 'openFiles' || !config.enable || config.excluded) {
      this.record(file, uri, key, []);
      return;
    }
    let text = given;
    if (text === undefined) {
      const read = await readPythonFile(file);
      if (!read.ok) {
        this.record(file, uri, key, []);
        return;
      }
      text = read.text.startsWith('\uFEFF') ? read.text.slice(1) : read.text;
    }
    const project = session.project?.contextOf(file);
    if (!text.includes('anyio') && !project) {
      this.stats.skipped++;
      this.record(file, uri, key, []);
      return;
    }
    const options = analyzeOptionsFor(config);
    if (project) options.project = project;
    const findings = await this.findings(file, uri, text, options);
    // Queued again meanwhile (changed, settings), opened, or gone: that newer state decides.
    if (findings === undefined || this.disposed || this.queue.has(file) || generation !== this.generation || this.isOpen(file)) return;
    if (!session.project?.files().includes(file)) return;
    const doc = TextDocument.create(uri, 'python', 0, text);
    const diagnostics = findings.map((f) => toDiagnostic(doc, f, config.severityOverrides)).filter((d): d is Diagnostic => d !== undefined);
    this.record(file, uri, key, diagnostics);
  }

  /** The engine's findings for `text`: in the analysis worker (else here); undefined to retry later. */
  private async findings(file: string, uri: string, text: string, options: ReturnType<typeof analyzeOptionsFor>): Promise<Finding[] | undefined> {
    const session = this.session;
    const log = session.connection.console;
    this.stats.analysed++;
    if (!session.worker.available) {
      try {
        return analyze(text, options);
      } catch (err) {
        if (!(err instanceof InputRefused)) log.error(`anyio-migrate: analysis of ${file} failed: ${errorMessage(err)}`);
        return [];
      }
    }
    const state = new DocumentState(`${WORKER_URI_PREFIX}${uri}`, 'python', 0, text);
    try {
      const outcome = await session.worker.analyze(state, options);
      switch (outcome.kind) {
        case 'done':
          return outcome.findings;
        case 'timeout':
          log.warn(`anyio-migrate: ${file}: ${budgetMessage(outcome.budgetMs)}`);
          return [];
        case 'failed':
          if (outcome.refused) log.warn(`anyio-migrate: ${file}: ${outcome.message}`);
          else log.error(`anyio-migrate: analysis of ${file} failed: ${outcome.message}`);
          return [];
        case 'cancelled':
          this.enqueue(file, text); // the worker was restarted for another document: ask again
          return undefined;
      }
    } finally {
      session.worker.close(state.uri);
      state.dispose();
    }
  }

  private record(file: string, uri: string, key: string, diagnostics: Diagnostic[]): void {
    const before = this.records.get(file);
    const json = JSON.stringify(diagnostics);
    const published = before?.published;
    this.records.set(file, { uri, diagnostics, sites: sitesOf(diagnostics), key, published });
    // The client holds what was published last: send only what changed (never an empty list first).
    if (json === published || (published === undefined && diagnostics.length === 0)) return;
    this.send(uri, diagnostics);
    this.records.get(file)!.published = diagnostics.length === 0 ? undefined : json;
  }

  private send(uri: string, diagnostics: Diagnostic[]): void {
    if (this.session.shutdownReceived) return;
    this.stats.published++;
    this.session.background(this.session.connection.sendDiagnostics({ uri, diagnostics }), 'publishing workspace diagnostics');
  }

  private scheduleStatus(): void {
    if (this.statusTimer || this.disposed || this.session.shutdownReceived) return;
    this.statusTimer = setTimeout(() => {
      this.statusTimer = undefined;
      this.sendStatus();
    }, STATUS_INTERVAL_MS);
  }

  private sendStatus(): void {
    if (this.disposed || this.session.shutdownReceived) return;
    const status = this.status();
    const json = JSON.stringify(status);
    if (json === this.lastStatus) return;
    this.lastStatus = json;
    this.session.background(this.session.connection.sendNotification(WorkspaceStatusNotification, status), 'sending the workspace status');
  }
}
