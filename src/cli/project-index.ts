/**
 * The project index of a CLI run: which files are modules of which package, and the summaries of
 * the modules that can matter for AnyIO. Fed to the engine (`AnalyzeOptions.project`) so a type is
 * proven across modules: `helpers.open_group()` yields a task group, `Pool` is the project's own.
 *
 * Work is proportional to the AnyIO-related part of the tree: every file is read once and scanned
 * for imports with a regular expression; only the files that mention anyio, those that import one
 * of them (transitively) and what those import are parsed and summarised.
 */
import * as path from 'path';
import type { ModuleSummary } from '../core/semantic/types';
import { longestPrefix, scanImports, selectModules, type ScannedModule } from '../core/semantic/select';
import { shallowSummary } from '../core/semantic/summary';
import { moduleNames, ProjectIndex } from '../core/semantic/project';
import { isKnownNotAnyio } from '../core/semantic/known';
import { isAnyioName } from '../core/scopes';
import { collectPythonFiles } from '../workspace/walk';
import { readPythonFile } from '../workspace/files';
import { nodeFileSystem, type FileSystem } from '../workspace/fsys';
import { toPosix } from '../shared/paths';

export interface ProjectFiles {
  index: ProjectIndex;
  /** Module name and kind of each indexed path (absolute paths, as walked). */
  modules: Map<string, { module: string; isPackage: boolean }>;
  stats: { files: number; summarised: number };
  /** Files whose summary could not be computed, and why (a worker over its time budget...). */
  failed: Map<string, unknown>;
}

export interface IndexOptions {
  fs?: FileSystem;
  cwd: string;
  /** What each path's config excludes (`ConfigResolver.isExcluded`). */
  isExcluded?: (full: string, isDir: boolean) => boolean;
  maxFileSize?: number;
  shouldStop?: () => boolean;
  /** Summarise one module (in a worker when there is a pool). */
  summarize: (text: string, module: string, isPackage: boolean, file: string) => Promise<ModuleSummary>;
}

export { scanImports } from '../core/semantic/select';

/** Files read at once while indexing. */
const READ_CONCURRENCY = 16;

/** A cap on the files one run indexes beyond those it was given (imports found under the roots). */
const MAX_INDEXED_FILES = 20_000;

/** The outermost package folder holding `file` (a folder with `__init__.py` whose parent has none), if any. */
async function topPackage(file: string, fs: FileSystem): Promise<string | undefined> {
  let dir = path.dirname(file);
  let top: string | undefined;
  for (let i = 0; i < 64; i++) {
    try {
      await fs.stat(path.join(dir, '__init__.py'));
    } catch {
      break;
    }
    top = dir;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return top;
}

/**
 * Index the files of a run, and the packages the named paths belong to (a file named alone is
 * still analysed with its package's helpers in view).
 */
export async function indexProject(files: readonly string[], named: readonly string[], options: IndexOptions): Promise<ProjectFiles> {
  const fs = options.fs ?? nodeFileSystem;
  const all = new Set(files);
  const extraRoots = new Set<string>();
  for (const p of named) {
    const abs = path.resolve(options.cwd, p);
    const top = await topPackage(abs.endsWith('.py') || abs.endsWith('.pyi') ? abs : path.join(abs, 'x.py'), fs);
    if (top && top !== abs) extraRoots.add(top);
  }
  if (extraRoots.size) {
    const more = await collectPythonFiles([...extraRoots], {
      fs,
      cwd: options.cwd,
      ...(options.isExcluded ? { isExcluded: options.isExcluded } : {}),
      ...(options.shouldStop ? { shouldStop: options.shouldStop } : {}),
    });
    for (const f of more.files) all.add(f.path);
  }
  let modules = new Map<string, { module: string; isPackage: boolean }>();
  const nameAll = () => {
    const posixOf = new Map<string, string>();
    for (const f of all) posixOf.set(toPosix(f), f);
    modules = new Map();
    // A copy of the standard library (or of trio, attrs...) inside the tree is not the project:
    // those names mean what they mean everywhere, and are never summarised.
    for (const [p, n] of moduleNames([...posixOf.keys()])) if (!isKnownNotAnyio(n.module) && !isAnyioName(n.module)) modules.set(posixOf.get(p)!, n);
  };
  nameAll();

  // Read every module once; decide what to summarise from mentions and imports.
  const texts = new Map<string, string>();
  let byModule = new Map<string, string>();
  const deps = new Map<string, string[]>();
  const readAll = async () => {
    byModule = new Map();
    // Reads overlap (the file system is the bottleneck, not this thread); results in walk order.
    const todo = [...modules.keys()].filter((f) => !texts.has(f));
    let next = 0;
    const reader = async () => {
      while (next < todo.length && !options.shouldStop?.()) {
        const file = todo[next++]!;
        const read = await readPythonFile(file, { fs, ...(options.maxFileSize !== undefined ? { maxFileSize: options.maxFileSize } : {}) });
        if (read.ok) texts.set(file, read.text);
      }
    };
    await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, todo.length) }, reader));
    for (const [file, n] of modules) {
      const text = texts.get(file);
      if (text === undefined) continue;
      byModule.set(n.module, file);
      deps.set(file, scanImports(text, n.module, n.isPackage));
    }
  };
  await readAll();
  const fileOfImport = (q: string): string | undefined => longestPrefix(q, (m) => byModule.get(m))?.value;
  // Modules imported from outside what was walked, found under the import roots of the files
  // (the folder above each top package, or a top-level module's folder): `tests/test_x.py`
  // checked alone still sees the `pkg` it imports. Read for the index only, never written.
  // A root inside a walked folder was walked whole already: only the others are searched.
  const walkedDirs = named.map((p) => path.resolve(options.cwd, p)).filter((p) => !/\.pyi?$/.test(p));
  const walked = (dir: string) => walkedDirs.some((w) => dir === w || dir.startsWith(w.endsWith(path.sep) ? w : w + path.sep));
  const roots = new Set<string>();
  for (const [file, n] of modules) {
    let r = path.dirname(file);
    for (let i = n.module.split('.').length - (n.isPackage ? 0 : 1); i > 0; i--) r = path.dirname(r);
    if (!walked(r)) roots.add(r);
  }
  const statMemo = new Map<string, Promise<boolean>>();
  const isFile = (p: string): Promise<boolean> => {
    let r = statMemo.get(p);
    if (!r) {
      r = fs.stat(p).then(
        (st) => st.isFile(),
        () => false,
      );
      statMemo.set(p, r);
    }
    return r;
  };
  const tried = new Set<string>();
  for (let round = 0; roots.size > 0 && round < 32 && all.size < MAX_INDEXED_FILES && !options.shouldStop?.(); round++) {
    const found: string[] = [];
    for (const ds of deps.values()) {
      for (const q of ds) {
        if (tried.has(q) || isAnyioName(q) || isKnownNotAnyio(q) || fileOfImport(q)) continue;
        tried.add(q);
        const parts = q.split('.');
        for (const root of roots) {
          for (let i = parts.length; i >= 1; i--) {
            const base = path.join(root, ...parts.slice(0, i));
            const hit = (await isFile(`${base}.py`)) ? `${base}.py` : (await isFile(path.join(base, '__init__.py'))) ? path.join(base, '__init__.py') : undefined;
            if (!hit) continue;
            found.push(hit);
            // The packages above it, so it gets its dotted name.
            for (let j = 1; j < i; j++) {
              const init = path.join(root, ...parts.slice(0, j), '__init__.py');
              if (await isFile(init)) found.push(init);
            }
            break;
          }
        }
      }
    }
    const fresh = found.filter((f) => !all.has(f));
    if (fresh.length === 0) break;
    for (const f of fresh) all.add(f);
    nameAll();
    await readAll();
  }

  const scanned = new Map<string, ScannedModule>();
  for (const [file, text] of texts) {
    const n = modules.get(file);
    if (n) scanned.set(file, { module: n.module, mentionsAnyio: text.includes('anyio'), imports: deps.get(file) ?? [] });
  }
  const { all: wanted, full: carriers } = selectModules(scanned);
  const index = new ProjectIndex();
  const failed = new Map<string, unknown>();
  const summaries = await Promise.all(
    [...wanted].map((file) => {
      const n = modules.get(file)!;
      // Imported by AnyIO-related modules only: names and classes from a line scan, no parse.
      if (!carriers.has(file)) return Promise.resolve(shallowSummary(texts.get(file)!, n.module, n.isPackage, toPosix(file)));
      return options.summarize(texts.get(file)!, n.module, n.isPackage, toPosix(file)).catch((err: unknown) => {
        failed.set(file, err);
        return undefined;
      });
    }),
  );
  for (const s of summaries) if (s) index.set(s);
  return { index, modules, stats: { files: texts.size, summarised: index.size }, failed };
}
