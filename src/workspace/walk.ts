/**
 * Find the Python files to process under the given paths: `.py` / `.pyi`, honouring `.gitignore`
 * files (nested ones, and those of parent directories up to the repository root), configured
 * `exclude` patterns, and skipping VCS folders, virtualenvs, caches and hidden directories.
 *
 * Only what is inside the roots the user gave is walked (real-path containment): a symlink, to a
 * file or a directory, whose real path is outside every root's real path is not followed (one
 * warning per link), unless `followLinks` asks for it (reading only: such files are marked
 * `outside`). Links that stay inside are followed, loops are detected by real path, and every file
 * is yielded once, under its in-tree path without symlinks below the root (a file reached only
 * through `alias.py -> pkg/mod.py` is yielded as `pkg/mod.py`), so writes never go through a link.
 * Ignore files are read with a size cap, and only when they are regular files.
 */
import * as path from 'path';
import { GitignoreMatcher, describeGlobWarning } from '../core/glob';
import { type FileSystem, nodeFileSystem, describeError } from './fsys';
import { readRegularFile } from './safe-read';
import { isWithin, toPosix } from '../shared/paths';

/** Largest `.gitignore` / `.git/info/exclude` read; a larger one is ignored with a warning. */
export const MAX_IGNORE_FILE_BYTES = 1024 * 1024;

export const SKIPPED_DIR_NAMES: ReadonlySet<string> = new Set([
  '.git',
  '.hg',
  '.svn',
  'node_modules',
  '__pycache__',
  '.venv',
  'venv',
  '.tox',
  '.nox',
  'site-packages',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
]);

export const PYTHON_EXTENSIONS: readonly string[] = ['.py', '.pyi'];

export interface FileEntry {
  /**
   * Absolute path. Walked files: the in-tree path (a root as given, then the real path below it, so
   * no symlink below the root), or with `followLinks` the path as reached for a file outside every
   * root. Files named directly: the path as given.
   */
  path: string;
  /** True when the user named this file directly: it is processed even if ignored. */
  explicit: boolean;
  /** Reached through a symlink leading outside every root (only with `followLinks`): never write it. */
  outside?: boolean;
}

export interface ExcludeSpec {
  /** Directory the patterns are relative to (the config file's directory). */
  baseDir: string;
  /** gitignore-style patterns. */
  patterns: readonly string[];
}

export type WalkWarningKind = 'outside' | 'skipped' | 'config';
export type WalkWarn = (file: string, reason: string, kind: WalkWarningKind) => void;

export interface WalkOptions {
  fs?: FileSystem;
  /** Base for relative `paths`. */
  cwd: string;
  exclude?: ExcludeSpec;
  /** Also skip what this says is excluded (per-file configuration: each path's own `exclude`). */
  isExcluded?: (full: string, isDir: boolean) => boolean;
  /** Default true. */
  respectGitignore?: boolean;
  /**
   * Called for every directory or file skipped for a reason worth telling the user about, and for
   * ignore files or patterns that could not be used. `kind` says which: `outside` (a link leading
   * out of the roots, not followed), `skipped` (not walked: unreadable, a broken link, a loop) or
   * `config` (an ignore file or pattern not used; nothing is skipped because of it).
   */
  onWarning?: WalkWarn;
  /** Checked between directories; return true to stop early. */
  shouldStop?: () => boolean;
  /** Follow symlinks that lead outside every root (for reading; such files are marked `outside`). Default false. */
  followLinks?: boolean;
}

export interface WalkResult {
  files: FileEntry[];
  /** Paths named on the command line that could not be used (missing, unreadable): usage errors. */
  errors: Array<{ path: string; reason: string }>;
}

interface Matcher {
  base: string;
  ig: GitignoreMatcher;
}

/** Decide with the deepest matcher that has an opinion (later, deeper rules win as in git). */
function isIgnored(matchers: readonly Matcher[], full: string, isDir: boolean): boolean {
  for (let i = matchers.length - 1; i >= 0; i--) {
    const m = matchers[i]!;
    const rel = path.relative(m.base, full);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) continue;
    const r = m.ig.test(toPosix(rel) + (isDir ? '/' : ''));
    if (r.unignored) return false;
    if (r.ignored) return true;
  }
  return false;
}

export function isPythonFileName(name: string): boolean {
  return PYTHON_EXTENSIONS.some((ext) => name.endsWith(ext));
}

async function exists(fs: FileSystem, p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * The text of an ignore file: only a regular file (never a FIFO or `/dev/zero`, which would hang
 * or exhaust memory), at most `MAX_IGNORE_FILE_BYTES`. Anything else is a warning and no rules.
 */
async function readIgnoreText(fs: FileSystem, file: string, onWarning?: WalkWarn): Promise<string | undefined> {
  const r = await readRegularFile(file, MAX_IGNORE_FILE_BYTES, { fs });
  if (r.ok) return r.bytes.toString('utf8');
  if (r.kind === 'io' && (r.code === 'ENOENT' || r.code === 'ENOTDIR')) return undefined;
  onWarning?.(file, `ignore file not used: ${r.reason}`, 'config');
  return undefined;
}

async function readIgnoreFile(fs: FileSystem, file: string, onWarning?: WalkWarn): Promise<GitignoreMatcher | undefined> {
  const text = await readIgnoreText(fs, file, onWarning);
  if (text === undefined) return undefined;
  const ig = new GitignoreMatcher().add(text);
  for (const w of ig.warnings) onWarning?.(file, describeGlobWarning(w), 'config');
  return ig;
}

/** The configured `exclude` patterns; an invalid one is reported once, against the config's directory. */
function excludeMatcherOf(spec: ExcludeSpec, onWarning?: WalkWarn): GitignoreMatcher {
  const ig = new GitignoreMatcher().add(spec.patterns);
  for (const w of ig.warnings) onWarning?.(spec.baseDir, `exclude pattern '${w.pattern}' ${w.message}`, 'config');
  return ig;
}

/**
 * Matchers from `.gitignore` files of the directories above `dir`, up to the enclosing git
 * repository's root (none when `dir` is not inside a repository), plus `.git/info/exclude`.
 */
async function ancestorMatchers(fs: FileSystem, dir: string, onWarning?: WalkWarn): Promise<Matcher[]> {
  const chain: string[] = [];
  let cur = path.dirname(dir);
  let repoRoot: string | undefined;
  if (await exists(fs, path.join(dir, '.git'))) return infoExclude(fs, dir, onWarning);
  for (;;) {
    chain.push(cur);
    if (await exists(fs, path.join(cur, '.git'))) {
      repoRoot = cur;
      break;
    }
    const parent = path.dirname(cur);
    if (parent === cur) break;
    cur = parent;
  }
  if (!repoRoot) return [];
  const matchers = await infoExclude(fs, repoRoot, onWarning);
  for (const d of chain.reverse()) {
    const ig = await readIgnoreFile(fs, path.join(d, '.gitignore'), onWarning);
    if (ig) matchers.push({ base: d, ig });
  }
  return matchers;
}

async function infoExclude(fs: FileSystem, repoRoot: string, onWarning?: WalkWarn): Promise<Matcher[]> {
  const ig = await readIgnoreFile(fs, path.join(repoRoot, '.git', 'info', 'exclude'), onWarning);
  return ig ? [{ base: repoRoot, ig }] : [];
}

/**
 * Collect the Python files under `paths` (files named directly are always included), sorted within
 * each directory for deterministic output. Only paths are held in memory, never file contents.
 */
export async function collectPythonFiles(paths: readonly string[], options: WalkOptions): Promise<WalkResult> {
  const fs = options.fs ?? nodeFileSystem;
  const respectGitignore = options.respectGitignore ?? true;
  const warn = options.onWarning;
  const files: FileEntry[] = [];
  const errors: WalkResult['errors'] = [];
  const seenFiles = new Set<string>();
  const visitedDirs = new Set<string>();
  const excludeMatcher: Matcher | undefined =
    options.exclude && options.exclude.patterns.length > 0 ? { base: options.exclude.baseDir, ig: excludeMatcherOf(options.exclude, warn) } : undefined;

  const followLinks = options.followLinks ?? false;
  /** The directories given, as given (absolute) and resolved; set before any walking. */
  const roots: Array<{ given: string; real: string }> = [];
  /** The in-tree path of `real`: under the first root that contains it, or undefined (outside). */
  const inTreePath = (real: string): string | undefined => {
    for (const r of roots) if (isWithin(r.real, real)) return path.join(r.given, path.relative(r.real, real));
    return undefined;
  };
  const outsideWarning = (real: string): string => `symlink to outside the project (-> ${real}); not followed`;

  const addFile = async (full: string, explicit: boolean): Promise<void> => {
    let real: string;
    try {
      real = await fs.realpath(full);
    } catch (err) {
      if (explicit) errors.push({ path: full, reason: describeError(err) });
      else warn?.(full, describeError(err), 'skipped');
      return;
    }
    if (seenFiles.has(real)) return;
    if (explicit) {
      seenFiles.add(real);
      files.push({ path: full, explicit });
      return;
    }
    const inTree = inTreePath(real);
    if (inTree !== undefined) {
      seenFiles.add(real);
      files.push({ path: inTree, explicit });
    } else if (followLinks) {
      seenFiles.add(real);
      files.push({ path: full, explicit, outside: true });
    } else {
      warn?.(full, outsideWarning(real), 'outside');
    }
  };

  const walkDir = async (dir: string, matchers: Matcher[], ancestors: ReadonlySet<string>): Promise<void> => {
    if (options.shouldStop?.()) return;
    let real: string;
    try {
      real = await fs.realpath(dir);
    } catch (err) {
      warn?.(dir, describeError(err), 'skipped');
      return;
    }
    if (ancestors.has(real)) {
      warn?.(dir, `symlink loop (points back to ${real}); not descending`, 'skipped');
      return;
    }
    if (visitedDirs.has(real)) return; // reached twice through symlinks: already walked once
    if (!followLinks && inTreePath(real) === undefined) {
      warn?.(dir, outsideWarning(real), 'outside');
      return;
    }
    visitedDirs.add(real);
    let entries;
    try {
      entries = await fs.readdir(dir);
    } catch (err) {
      warn?.(dir, `cannot read directory: ${describeError(err)}`, 'skipped');
      return;
    }
    const here = [...matchers];
    if (respectGitignore && entries.some((e) => e.name === '.gitignore')) {
      const ig = await readIgnoreFile(fs, path.join(dir, '.gitignore'), warn);
      if (ig) here.push({ base: dir, ig });
    }
    const nextAncestors = new Set(ancestors).add(real);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const st = await fs.stat(full);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch (err) {
          if (isPythonFileName(entry.name)) warn?.(full, `broken symlink: ${describeError(err)}`, 'skipped');
          continue;
        }
      }
      if (isDir) {
        if (SKIPPED_DIR_NAMES.has(entry.name) || entry.name.startsWith('.')) continue;
        if (isIgnored(here, full, true)) continue;
        if (excludeMatcher && isIgnored([excludeMatcher], full, true)) continue;
        if (options.isExcluded?.(full, true)) continue;
        if (await exists(fs, path.join(full, 'pyvenv.cfg'))) continue; // a virtualenv
        await walkDir(full, here, nextAncestors);
        if (options.shouldStop?.()) return;
      } else if (isFile && isPythonFileName(entry.name)) {
        if (isIgnored(here, full, false)) continue;
        if (excludeMatcher && isIgnored([excludeMatcher], full, false)) continue;
        if (options.isExcluded?.(full, false)) continue;
        await addFile(full, false);
      }
    }
  };

  // Every root is resolved before anything is walked: a link in one root may lead into another.
  const plan: Array<{ full: string; dir: boolean }> = [];
  for (const p of paths) {
    const full = path.resolve(options.cwd, p);
    let st;
    try {
      st = await fs.stat(full);
    } catch (err) {
      errors.push({ path: p, reason: describeError(err) });
      continue;
    }
    if (st.isDirectory()) {
      let real: string;
      try {
        real = await fs.realpath(full);
        await fs.readdir(full);
      } catch (err) {
        errors.push({ path: p, reason: `cannot read directory: ${describeError(err)}` });
        continue;
      }
      roots.push({ given: full, real });
      plan.push({ full, dir: true });
    } else if (st.isFile()) {
      plan.push({ full, dir: false });
    } else {
      errors.push({ path: p, reason: 'not a regular file or directory' });
    }
  }
  for (const { full, dir } of plan) {
    if (dir) {
      const matchers = respectGitignore ? await ancestorMatchers(fs, full, warn) : [];
      await walkDir(full, matchers, new Set());
    } else {
      await addFile(full, true);
    }
  }
  return { files, errors };
}
