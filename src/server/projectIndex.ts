/**
 * The language server's project index: the summaries (src/core/semantic) of the workspace's
 * modules that can matter for AnyIO, built in the background when the server starts and kept up to
 * date as files change, so every analysis proves types across modules (`helpers.open_group()`
 * yields a task group; `Pool` is the project's own class) — the same selection as the CLI
 * (src/cli/project-index.ts): files that mention anyio, those that import one of them
 * (transitively), and what those import.
 *
 * - Every Python file of every workspace folder is walked (the same walker, `.gitignore`,
 *   virtualenv and pyproject `exclude` rules as Migrate Workspace), read once and scanned for
 *   imports with a regular expression; only the selected files are summarised, one at a time
 *   through `host.summarize` (the analysis worker), so the main loop stays free.
 * - An open document's text overrides the file on disk (`host.openText`); `touch(file)` after a
 *   change, a save, a close or a watched-file event re-reads it. Changes are applied in batches by
 *   one pump: re-scan, re-select, re-summarise what changed; a summary that changed is reported
 *   (`host.changed`) so the server re-analyses the open documents that depend on it.
 * - Creating or deleting files (or a changed `.gitignore`, settings, folders) re-walks the
 *   folders: the set of files decides module names (a new `__init__.py` makes a package).
 *
 * The first build fills a new `ProjectIndex` that replaces the current one only when complete, so
 * an analysis never sees a half-built index; later updates change the live index in place.
 */
import { createHash } from 'crypto';
import * as path from 'path';
import { moduleNames, ProjectIndex, type ProjectContext } from '../core/semantic/project';
import type { ModuleSummary } from '../core/semantic/types';
import { contextFor } from '../core/semantic/index';
import { longestPrefix, scanImports, selectModules, type ScannedModule } from '../core/semantic/select';
import { shallowSummary } from '../core/semantic/summary';
import { collectPythonFiles, SKIPPED_DIR_NAMES, type ExcludeSpec } from '../workspace/walk';
import { readPythonFile } from '../workspace/files';
import { toPosix } from '../shared/paths';
import { errorTrace } from './errors';

/** Changes to the live index, in order (the analysis worker replays them on its copy). */
export type IndexOp = { op: 'set'; summary: ModuleSummary } | { op: 'delete'; path: string };

export interface IndexProgress {
  /** `phase`: reading (every file) or summarising (the selected ones). */
  report(phase: 'reading' | 'summarising', done: number, total: number): void;
  done(): void;
}

export interface ProjectIndexHost {
  /** File-system paths of the workspace folders (file: URIs only). */
  folders(): string[];
  /** pyproject `exclude` of a folder (walk exclusions), if any. */
  excludeFor(folder: string): Promise<ExcludeSpec | undefined>;
  /** The unsaved text of an open document at this path, if one is open. */
  openText(file: string): string | undefined;
  /** Summarise one module (the analysis worker; undefined when it failed). */
  summarize(text: string, module: string, isPackage: boolean, file: string): Promise<ModuleSummary | undefined>;
  /** A progress report for a build of `files` files (may do nothing). */
  progress(files: number): Promise<IndexProgress>;
  /** Summaries changed (or a new index replaced the old one): dependents may have new findings. */
  changed(): void;
  /** A change to the live index (`set`/`delete`), or a new index (`reset`). */
  op(op: IndexOp | { op: 'reset' }): void;
  log(message: string): void;
  /**
   * Files of the index were read again (`changed`, with the texts read: the editor's for open
   * documents; a file missing from `texts` could not be read) or left it (`removed`: deleted or
   * excluded). After the first build `changed` is every file. Workspace diagnostics follow this.
   */
  filesChanged?(e: { changed: readonly string[]; texts: ReadonlyMap<string, string>; removed: readonly string[] }): void;
  /** Cap on one file's size (default: the CLI's). */
  maxFileSize?: number;
}

interface Entry {
  /** The path with `/` separators: the index's path of the module. */
  posix: string;
  module: string | undefined;
  isPackage: boolean;
  /** Hash of the text scanned last; undefined when it could not be read. */
  hash: string | undefined;
  imports: string[];
  mentions: boolean;
  /** Hash of the text (and module) of the summary in the index, if any. */
  summarised: string | undefined;
}

/** Work counters (tests compare counts, never times). */
export interface IndexStats {
  builds: number;
  walks: number;
  reads: number;
  summarised: number;
}

const hashOf = (text: string): string => createHash('sha1').update(text).digest('hex');

function inSkippedDir(file: string, root: string): boolean {
  const rel = path.relative(root, file);
  return rel
    .split(path.sep)
    .slice(0, -1)
    .some((seg) => SKIPPED_DIR_NAMES.has(seg));
}

export class WorkspaceProjectIndex {
  /** The index analyses use (complete: replaced only by a finished build). */
  index = new ProjectIndex();
  readonly stats: IndexStats = { builds: 0, walks: 0, reads: 0, summarised: 0 };
  private entries = new Map<string, Entry>();
  /** Files to re-read, and whether the folders must be walked again first. */
  private dirty = new Set<string>();
  private rewalk = true;
  private pumping: Promise<void> | undefined;
  private built = false;
  private disposed = false;
  private readonly idleWaiters: Array<() => void> = [];

  constructor(private readonly host: ProjectIndexHost) {}

  /** Whether the first build is complete. */
  get ready(): boolean {
    return this.built;
  }

  /** Start (or restart) the background build: walk every folder again. */
  rebuild(): void {
    this.rewalk = true;
    this.kick();
  }

  /**
   * The file's text may have changed (an edit, a close, a save or a watched-file event).
   * `mayBeNew` (a save, a created file): a file the index does not know is looked for by walking
   * again (its place, ignored or not, comes from the walk); otherwise it is not one of the index's.
   */
  touch(file: string, mayBeNew = false): void {
    if (this.disposed || !this.within(file)) return;
    if (this.built && !this.entries.has(file)) {
      if (!mayBeNew) return;
      this.rewalk = true;
    }
    this.dirty.add(file);
    this.kick();
  }

  /** Files were created or deleted: walk the folders again. */
  filesAddedOrRemoved(): void {
    this.rewalk = true;
    this.kick();
  }

  /** Resolves when no update is pending and the first build is done (Migrate waits for this). */
  settled(): Promise<void> {
    if (!this.pumping && this.dirty.size === 0 && !this.rewalk && this.built) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  dispose(): void {
    this.disposed = true;
    this.dirty.clear();
    for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Every Python file of the workspace the index walked (file-system paths; empty before the first build). */
  files(): string[] {
    return this.built ? [...this.entries.keys()] : [];
  }

  /** The analysis context of the file at `file` (a file-system path), if it is an indexed module. */
  contextOf(file: string): ProjectContext | undefined {
    if (!this.built) return undefined;
    return contextFor(this.index, toPosix(file));
  }

  /**
   * What the analysis of `file` depends on in the index: its module and the digests of the project
   * modules it imports (not its own summary, which follows its own text: re-analysing a document
   * because its own summary caught up with its text would be wasted work).
   */
  dependencyKey(file: string): string {
    const ctx = this.contextOf(file);
    if (!ctx) return '-';
    const own = this.index.get(ctx.module);
    const parts = [`${ctx.module}:${ctx.isPackage}:${this.index.importsCarrier(ctx.module)}`];
    const seen = new Set<string>();
    for (const imp of own?.imports ?? []) {
      const target = this.projectModule(imp);
      if (!target || target === ctx.module || seen.has(target)) continue;
      seen.add(target);
      parts.push(`${target}=${this.index.digest(target)}`);
    }
    return parts.sort().join('|');
  }

  /** The project module a dotted import names (its longest indexed prefix). */
  private projectModule(q: string): string | undefined {
    return longestPrefix(q, (m) => this.index.get(m))?.prefix;
  }

  private within(file: string): boolean {
    if (!/\.pyi?$/.test(file)) return false;
    return this.host.folders().some((root) => {
      const rel = path.relative(root, file);
      return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) && !inSkippedDir(file, root);
    });
  }

  private kick(): void {
    if (this.pumping || this.disposed) return;
    this.pumping = this.pump()
      .catch((err) => this.host.log(`project index: ${errorTrace(err)}`))
      .finally(() => {
        this.pumping = undefined;
        if (!this.disposed && (this.dirty.size > 0 || this.rewalk)) this.kick();
        else for (const w of this.idleWaiters.splice(0)) w();
      });
  }

  /** Apply everything pending, in rounds, until nothing is. */
  private async pump(): Promise<void> {
    while (!this.disposed && (this.dirty.size > 0 || this.rewalk)) {
      if (this.rewalk || !this.built) await this.walkRound();
      else await this.updateRound();
    }
  }

  /** Walk the folders; a first build (or a rebuild) fills a new index swapped in at the end. */
  private async walkRound(): Promise<void> {
    this.rewalk = false;
    this.stats.walks++;
    const found = new Set<string>();
    for (const root of this.host.folders()) {
      const exclude = await this.host.excludeFor(root);
      const result = await collectPythonFiles([root], {
        cwd: root,
        ...(exclude ? { exclude } : {}),
        shouldStop: () => this.disposed,
      });
      for (const f of result.files) found.add(f.path);
    }
    if (this.disposed) return;
    // A stub next to its module would claim the same module name: the module wins.
    for (const f of [...found]) if (f.endsWith('.pyi') && found.has(f.slice(0, -1))) found.delete(f);
    const first = !this.built;
    const removed = [...this.entries.keys()].filter((f) => !found.has(f));
    const added = [...found].filter((f) => !this.entries.has(f));
    const toRead = first ? [...found] : [...added, ...[...this.dirty].filter((f) => found.has(f))];
    for (const f of removed) this.entries.delete(f);
    for (const f of added) this.entries.set(f, { posix: toPosix(f), module: undefined, isPackage: false, hash: undefined, imports: [], mentions: false, summarised: undefined });
    this.dirty.clear();
    const target = first ? new ProjectIndex() : this.index;
    const progress = first ? await this.host.progress(found.size) : undefined;
    try {
      if (first) this.stats.builds++;
      this.assignNames();
      const texts = await this.readAll(toRead, progress);
      for (const f of removed) this.deleteFrom(target, toPosix(f));
      const changed = await this.resummarise(target, texts, progress);
      if (this.disposed) return;
      if (first) {
        this.index = target;
        this.built = true;
        this.host.op({ op: 'reset' });
        this.host.filesChanged?.({ changed: toRead, texts, removed });
        this.host.changed();
      } else {
        this.host.filesChanged?.({ changed: toRead, texts, removed });
        if (changed || removed.length > 0) this.host.changed();
      }
    } finally {
      progress?.done();
    }
  }

  /** Re-read the dirty files (the set of files is unchanged) and re-summarise what that changes. */
  private async updateRound(): Promise<void> {
    const files = [...this.dirty].filter((f) => this.entries.has(f));
    this.dirty.clear();
    const texts = await this.readAll(files, undefined);
    if (this.disposed) return;
    const changed = await this.resummarise(this.index, texts, undefined);
    this.host.filesChanged?.({ changed: files, texts, removed: [] });
    if (changed) this.host.changed();
  }

  /** Module names from the whole set of files (an `__init__.py` makes its folder a package). */
  private assignNames(): void {
    const names = moduleNames([...this.entries.values()].map((e) => e.posix));
    for (const e of this.entries.values()) {
      const n = names.get(e.posix);
      const module = n?.module;
      if (module !== e.module || (n?.isPackage ?? false) !== e.isPackage) {
        e.module = module;
        e.isPackage = n?.isPackage ?? false;
        e.summarised = undefined;
      }
    }
  }

  /** The current text of a file: the editor's when open, else the disk's. */
  private async textOf(file: string): Promise<string | undefined> {
    const open = this.host.openText(file);
    if (open !== undefined) return open;
    this.stats.reads++;
    const read = await readPythonFile(file, this.host.maxFileSize !== undefined ? { maxFileSize: this.host.maxFileSize } : {});
    if (!read.ok) return undefined;
    return read.text.startsWith('\uFEFF') ? read.text.slice(1) : read.text;
  }

  /** Read and scan `files`; returns their texts (for the summaries about to be computed). */
  private async readAll(files: readonly string[], progress: IndexProgress | undefined): Promise<Map<string, string>> {
    const texts = new Map<string, string>();
    let i = 0;
    for (const f of files) {
      if (this.disposed) break;
      const e = this.entries.get(f);
      if (!e) continue;
      const text = await this.textOf(f);
      if (++i % 100 === 0) progress?.report('reading', i, files.length);
      if (text === undefined) {
        e.hash = undefined;
        e.imports = [];
        e.mentions = false;
        continue;
      }
      const hash = hashOf(text);
      if (hash !== e.hash) {
        e.hash = hash;
        e.mentions = text.includes('anyio');
        e.imports = e.module ? scanImports(text, e.module, e.isPackage) : [];
      }
      texts.set(f, text);
    }
    return texts;
  }

  /** The files whose summaries matter, and which need a full one: the CLI's selection (`selectModules`). */
  private selection(): { all: Set<string>; full: Set<string> } {
    const scanned = new Map<string, ScannedModule>();
    for (const [f, e] of this.entries) if (e.module && e.hash) scanned.set(f, { module: e.module, mentionsAnyio: e.mentions, imports: e.imports });
    return selectModules(scanned);
  }

  private deleteFrom(target: ProjectIndex, posix: string): boolean {
    if (!target.deletePath(posix)) return false;
    if (target === this.index && this.built) this.host.op({ op: 'delete', path: posix });
    return true;
  }

  private setIn(target: ProjectIndex, summary: ModuleSummary): boolean {
    if (!target.set(summary)) return false;
    if (target === this.index && this.built) this.host.op({ op: 'set', summary });
    return true;
  }

  /**
   * Bring `target` in line with the selection: summarise selected files whose summary is missing
   * or stale (texts at hand, or read again), drop summaries of files no longer selected.
   */
  private async resummarise(target: ProjectIndex, texts: Map<string, string>, progress: IndexProgress | undefined): Promise<boolean> {
    const { all: wanted, full: carriers } = this.selection();
    // The summary's kind is part of what is up to date: a module becomes a carrier when it starts
    // importing one (a full summary then replaces its shallow one).
    const kind = (f: string) => (carriers.has(f) ? 'full' : 'shallow');
    let changed = false;
    for (const [f, e] of this.entries) {
      if (!wanted.has(f)) {
        e.summarised = undefined;
        changed = this.deleteFrom(target, e.posix) || changed;
      }
    }
    const todo = [...wanted].filter((f) => {
      const e = this.entries.get(f)!;
      return e.summarised !== `${e.module}:${e.hash}:${kind(f)}`;
    });
    let done = 0;
    for (const f of todo) {
      if (this.disposed) break;
      const e = this.entries.get(f);
      if (!e || !e.module) continue;
      const text = texts.get(f) ?? (await this.textOf(f));
      if (text === undefined) continue;
      const key = `${e.module}:${hashOf(text)}:${kind(f)}`;
      const module = e.module;
      const isPackage = e.isPackage;
      const summary = carriers.has(f) ? await this.host.summarize(text, module, isPackage, e.posix) : shallowSummary(text, module, isPackage, e.posix);
      this.stats.summarised++;
      progress?.report('summarising', ++done, todo.length);
      // Changed again (or renamed) meanwhile: the next round summarises the new text.
      if (this.entries.get(f) !== e || e.module !== module || `${e.module}:${e.hash}:${kind(f)}` !== key) continue;
      if (!summary) {
        e.summarised = key; // not retried until the text changes
        changed = this.deleteFrom(target, e.posix) || changed;
        continue;
      }
      // The module of this path changed: the old name goes first (a path has one module).
      if (target.moduleOfPath(e.posix) !== undefined && target.moduleOfPath(e.posix) !== module) this.deleteFrom(target, e.posix);
      e.summarised = key;
      changed = this.setIn(target, summary) || changed;
    }
    return changed;
  }
}
