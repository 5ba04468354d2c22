/**
 * "Migrate Workspace", "Migrate This File" and "Show Migration Report": run the engine's fix loop
 * (`fixAll`, the same one the CLI and fix-all use) over many files and turn the result into ONE
 * workspace edit whose changes are annotated by rule, unsafe ones needing confirmation, so VS Code
 * shows them grouped in its refactor preview (./migrate-edit). Each file ends as one outcome
 * (src/workspace/outcome.ts); the summaries, totals and report come from those (./migrate-report).
 * Open documents' unsaved text is used instead of disk.
 *
 * Confined to the workspace (src/server/confine.ts): a file whose real path is outside every
 * workspace folder (reached through a symlink) is skipped with the reason, never read or edited.
 * Files are read only when they are regular files, with a size cap (never a FIFO or `/dev/zero`),
 * and cancellation is checked between files and around every read.
 */
import * as path from 'path';
import { pathToFileURL } from 'url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CancellationToken, TextDocumentEdit, WorkspaceEdit } from 'vscode-languageserver';
import { analyze, fixAll } from '../engine';
import { analyzeOptionsFor } from '../config/engine-options';
import type { FixResult } from '../core/types';
import { collectPythonFiles } from '../workspace/walk';
import { DEFAULT_MAX_FILE_SIZE, decodePythonSource } from '../workspace/files';
import { readRegularFile } from '../workspace/safe-read';
import type { MigrateAppliedFile, MigrateParams, MigrateResult } from '../shared/protocol';
import { fsPathOf, type EffectiveConfig } from './settings';
import { compileGlob } from './glob';
import { Confinement } from './confine';
import type { ProjectContext } from '../core/semantic/project';
import { MigrateAnnotations, migrateEdits, previewRows, rowLabel, safePhaseText, unsafeReasons } from './migrate-edit';
import { formatReport, migrateTotals, summaryOf, type MigrateEntry } from './migrate-report';

/** Findings left with line and character (re-exported for its scale test). */
export { remainingOf } from './migrate-report';

export interface MigrateHost {
  /** Text and version of an open document, by URI. */
  openDocument(uri: string): { text: string; version: number } | undefined;
  /** URIs of all open documents (to find unsaved ones by path). */
  openDocumentUris(): string[];
  configFor(uri: string): Promise<EffectiveConfig>;
  /** The workspace folders' URIs (Migrate reads and edits only files inside them). */
  workspaceFolders(): string[];
  /** Why an open document cannot be used (its text is not known to be the editor's), if so. */
  unusable?(uri: string): string | undefined;
  progress(done: number, total: number, file: string): void;
  log(message: string): void;
  /**
   * The project context of a file (a file-system path): the language server's project index, the
   * same one its diagnostics use, so a type proven across modules is fixed here too.
   */
  project?(file: string): ProjectContext | undefined;
}

interface Target {
  uri: string;
  /** Display path (relative to its folder when walked). */
  display: string;
  /** Given explicitly (Migrate This File): exclusions do not apply. */
  explicit: boolean;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** What became of one file, and its edit when it changes. */
interface FileResult {
  entry: MigrateEntry;
  edit?: TextDocumentEdit;
}

export class Migrator {
  private readonly annotations = new MigrateAnnotations();
  private confinement: Confinement | undefined;
  /** `MigrateParams.codes`: only these rules are fixed (the engine's `select`). */
  private codes: string[] | undefined;

  constructor(
    private readonly host: MigrateHost,
    private readonly token: CancellationToken,
  ) {}

  async run(params: MigrateParams): Promise<MigrateResult> {
    const started = Date.now();
    this.codes = params.codes && params.codes.length > 0 ? params.codes : undefined;
    const skipped: MigrateEntry[] = [];
    const folderPaths = [...this.host.workspaceFolders(), ...params.folders.map((f) => f.uri)]
      .filter((u) => u.startsWith('file:'))
      .map((u) => fsPathOf(u))
      .filter((p): p is string => p !== undefined);
    this.confinement = await Confinement.of(folderPaths);
    const explicit = params.applied?.map((a) => a.uri) ?? params.uris;
    const targets = explicit ? explicit.map((uri) => ({ uri, display: this.relativeToFolder(uri, folderPaths), explicit: true })) : await this.collect(params, skipped);
    const appliedByUri = new Map((params.applied ?? []).map((a) => [a.uri, a]));
    const entries: MigrateEntry[] = [...skipped];
    const edits: TextDocumentEdit[] = [];
    let cancelled = this.token.isCancellationRequested;
    let lastYield = Date.now();
    for (let i = 0; i < targets.length && !cancelled; i++) {
      const t = targets[i]!;
      this.host.progress(i, targets.length, t.display);
      const result = await this.migrateOne(t, appliedByUri.get(t.uri));
      if (this.token.isCancellationRequested) {
        cancelled = true;
        break;
      }
      entries.push(result.entry);
      if (result.edit) edits.push(result.edit);
      if (Date.now() - lastYield > 15) {
        await yieldToEventLoop(); // lets $/cancelRequest through
        lastYield = Date.now();
      }
      cancelled = this.token.isCancellationRequested;
    }
    if (!cancelled) this.host.progress(targets.length, targets.length, '');
    const totals = migrateTotals(entries.map((e) => e.outcome));
    const files = entries.map(summaryOf);
    if (params.applied) {
      // After Apply: what the client found applied, not what the fix loop would apply.
      const count = (k: 'safe' | 'unsafe') => files.reduce((n, f) => n + f.fixes.reduce((m, c) => m + c[k], 0), 0);
      totals.safeFixes = count('safe');
      totals.unsafeFixes = count('unsafe');
      totals.changed = files.filter((f) => f.status === 'changed').length;
    }
    let edit: WorkspaceEdit | null = null;
    if (!params.dryRun && !cancelled && edits.length > 0) {
      edit = { documentChanges: edits, changeAnnotations: this.annotations.all };
    }
    const report = formatReport(files, totals, {
      dryRun: params.dryRun,
      cancelled,
      seconds: (Date.now() - started) / 1000,
      scope: params.scope ?? (params.uris ? 'file' : 'workspace'),
      applied: !!params.applied,
      linkOf: (f) => (f.uri.startsWith('file:') ? (fsPathOf(f.uri) ?? f.path) : f.path),
    });
    return { edit, files, totals, report, cancelled };
  }

  private async collect(params: MigrateParams, skipped: MigrateEntry[]): Promise<Target[]> {
    const targets: Target[] = [];
    const seen = new Set<string>();
    for (const folder of params.folders) {
      const root = fsPathOf(folder.uri);
      if (!root || !folder.uri.startsWith('file:')) {
        skipped.push({ uri: folder.uri, outcome: { status: 'skipped', path: folder.uri, reason: 'not a folder on disk (virtual workspace)' } });
        continue;
      }
      const excludes = folder.exclude.map((g) => compileGlob(g));
      excludes.forEach((g, i) => g.warnings.forEach((w) => this.host.log(`files.exclude glob '${folder.exclude[i]}' ${w}`)));
      const folderConfig = await this.host.configFor(pathToFileURL(path.join(root, '__anyio_migrate__.py')).href);
      const walkOptions: Parameters<typeof collectPythonFiles>[1] = {
        cwd: root,
        onWarning: (file, reason, kind) => {
          this.host.log(kind === 'config' ? `${file}: ${reason}` : `skipped ${file}: ${reason}`);
          // A link leading out of the folder: listed in the result, not only in the log.
          if (kind === 'outside') {
            const rel = path.relative(root, file).split(path.sep).join('/');
            skipped.push({ uri: pathToFileURL(file).href, outcome: { status: 'skipped', path: rel, reason } });
          }
        },
        shouldStop: () => this.token.isCancellationRequested,
      };
      if (folderConfig.exclude) walkOptions.exclude = folderConfig.exclude;
      const result = await collectPythonFiles([root], walkOptions);
      for (const err of result.errors) {
        skipped.push({ uri: folder.uri, outcome: { status: 'skipped', path: err.path, reason: err.reason } });
      }
      for (const entry of result.files) {
        const rel = path.relative(root, entry.path).split(path.sep).join('/');
        if (excludes.some((g) => g.matchesPathOrParent(rel))) continue;
        if (seen.has(entry.path)) continue;
        seen.add(entry.path);
        targets.push({ uri: pathToFileURL(entry.path).href, display: rel, explicit: false });
      }
    }
    return targets;
  }

  /** A file's path relative to the workspace folder holding it (with `/`), else its file-system path. */
  private relativeToFolder(uri: string, folders: readonly string[]): string {
    const file = fsPathOf(uri);
    if (!file) return uri;
    const folder = folders.filter((f) => file.startsWith(f.endsWith(path.sep) ? f : f + path.sep)).sort((a, b) => b.length - a.length)[0];
    return folder ? path.relative(folder, file).split(path.sep).join('/') : file;
  }

  /** `applied`: the report after Apply (the document's text now, and the fixes applied to it). */
  private async migrateOne(t: Target, applied?: MigrateAppliedFile): Promise<FileResult> {
    const skip = (reason: string): FileResult => ({ entry: { uri: t.uri, outcome: { status: 'skipped', path: t.display, reason } } });
    const file = fsPathOf(t.uri);
    // Confinement first: an open document's edit is saved through a link just as a disk file's.
    let real: string | undefined;
    if (file) {
      const confined = await this.confinement!.check(file);
      if (!confined.ok) return skip(confined.reason);
      real = confined.real;
    }
    const open = this.openByPath(t.uri);
    let text: string;
    let version: number | null = null;
    let uri = t.uri;
    if (open) {
      const why = this.host.unusable?.(open.uri);
      if (why) return skip(why);
      ({ text, version, uri } = open);
    } else {
      if (!file || !real) return skip('not open and not a file on disk');
      if (this.token.isCancellationRequested) return skip('cancelled');
      const controller = new AbortController();
      const subscription = this.token.onCancellationRequested(() => controller.abort());
      let read: Awaited<ReturnType<typeof readRegularFile>>;
      try {
        // The resolved path, not following a link swapped in since the check.
        read = await readRegularFile(real, DEFAULT_MAX_FILE_SIZE, { noFollow: true, signal: controller.signal });
      } finally {
        subscription.dispose();
      }
      if (this.token.isCancellationRequested) return skip('cancelled');
      if (!read.ok) return skip(read.reason);
      const decoded = decodePythonSource(read.bytes);
      if (!decoded.ok) return skip(decoded.reason);
      if (decoded.encoding.name !== 'utf-8') {
        return skip(`encoded in ${decoded.encoding.name}: open it in the editor and run "AnyIO Migrate: Migrate This File"`);
      }
      // Editors drop the BOM from the text they show; positions are relative to that text.
      text = decoded.text.startsWith('\uFEFF') ? decoded.text.slice(1) : decoded.text;
    }
    const config = await this.host.configFor(uri);
    if (!config.enable) return skip('disabled by anyioMigrate.enable');
    if (config.excluded && !t.explicit) return skip(`excluded by ${config.pyproject ?? 'pyproject.toml'}`);
    const options = analyzeOptionsFor(config);
    if (this.codes) options.select = this.codes;
    const project = file ? this.host.project?.(file) : undefined;
    if (project) options.project = project;

    if (applied) {
      // After Apply: the findings of the text as it is now, as `anyio-migrate check` lists them.
      let findings;
      try {
        findings = analyze(text, options);
      } catch (err) {
        return { entry: { uri: t.uri, outcome: { status: 'failed', path: t.display, reason: `internal error: ${err instanceof Error ? err.message : String(err)}` } } };
      }
      return { entry: { uri: t.uri, outcome: { status: 'unchanged', path: t.display, remaining: findings }, text, applied } };
    }

    // One run: the safe phase (exactly the safe-only run), then the unsafe fixes from its text.
    let all: FixResult;
    try {
      all = fixAll(text, { ...options, unsafeFixes: true });
    } catch (err) {
      return { entry: { uri: t.uri, outcome: { status: 'failed', path: t.display, reason: `internal error: ${err instanceof Error ? err.message : String(err)}` } } };
    }
    const entry = (outcome: MigrateEntry['outcome'], on: string): MigrateEntry => ({ uri: t.uri, outcome, text: on, ...(all.capped ? { capped: true } : {}) });
    if (all.refused) return { entry: entry({ status: 'failed', path: t.display, reason: all.refused, remaining: all.remaining }, text) };
    if (all.output === text) return { entry: entry({ status: 'unchanged', path: t.display, remaining: all.remaining }, text) };

    const doc = TextDocument.create(uri, 'python', version ?? 0, text);
    const safeText = safePhaseText(text, all);
    const reasons = safeText === undefined ? undefined : unsafeReasons(all, analyze(safeText, options));
    let rows = previewRows(text, all);
    if (!config.unsafeFixes && rows.some((r) => r.imports && r.phase === 'mixed')) {
      // The file's Imports row holds imports of safe AND unsafe fixes (one `from anyio import` line
      // both rewrite): it cannot be split, so unticking the unsafe fixes in the preview would keep
      // their imports and drop a name the unticked code still uses (a NameError when it runs).
      // Offer the safe fixes only (exactly the safe-only run); the unsafe ones stay findings, and
      // Migrate offers them on their own next time, with an Imports row of their own.
      all = fixAll(text, { ...options, unsafeFixes: false });
      if (all.output === text) return { entry: entry({ status: 'unchanged', path: t.display, remaining: all.remaining }, text) };
      rows = previewRows(text, all);
    }
    const edits = migrateEdits(doc, all, this.annotations, config.unsafeFixes, reasons, rows);
    const rowInfo = rows.map((r) => ({
      label: rowLabel(r, all.applied),
      fixes: r.fixes.map((i) => ({ code: all.applied[i]!.code, unsafe: all.applied[i]!.applicability === 'unsafe' })),
    }));
    return {
      entry: { ...entry({ status: 'fixed', path: t.display, fixes: all.applied, remaining: all.remaining }, all.output), original: { text, changes: all.changes }, rows: rowInfo },
      edit: { textDocument: { uri, version }, edits },
    };
  }

  /** An open document for this URI, also when the client spells the URI differently. */
  private openByPath(uri: string): { text: string; version: number; uri: string } | undefined {
    const direct = this.host.openDocument(uri);
    if (direct) return { ...direct, uri };
    const file = fsPathOf(uri);
    if (!file) return undefined;
    for (const other of this.host.openDocumentUris()) {
      if (other.startsWith('file:') && fsPathOf(other) === file) {
        const doc = this.host.openDocument(other);
        if (doc) return { ...doc, uri: other };
      }
    }
    return undefined;
  }
}
