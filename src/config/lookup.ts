/**
 * Which `[tool.anyio-migrate]` applies to a file: the nearest `pyproject.toml` at or above the
 * file's directory that has the table (`findPyproject`'s rule, as ruff does), loaded and
 * validated once. One lookup for every front end, so the CLI and the language server agree on the
 * configuration of each file, and on what its `exclude` (relative to that file's directory) skips.
 */
import * as fs from 'fs';
import * as path from 'path';
import { GitignoreMatcher } from '../core/glob';
import { toPosix } from '../shared/paths';
import { loadConfigFile, pyprojectIn, type AnyioMigrateConfig, type ConfigProblem } from './pyproject';

/** A loaded `pyproject.toml`: its settings (the valid ones) and the problems found in it. */
export interface LoadedPyproject {
  file: string;
  /** Modification time when it was read (-1: it could not be stat'ed), to notice edits. */
  mtimeMs: number;
  config: AnyioMigrateConfig;
  /** Each prefixed with the file's path; empty when the settings are valid. */
  errors: string[];
  /** The same problems with their places in the file (for diagnostics on it). */
  problems: ConfigProblem[];
}

/** gitignore-style `exclude` patterns and the directory they are relative to (the config file's). */
export interface ExcludePatterns {
  baseDir: string;
  patterns: readonly string[];
}

/** The `exclude` of a loaded pyproject.toml, relative to its directory (undefined: none). */
export function excludeOf(py: LoadedPyproject | undefined): ExcludePatterns | undefined {
  const patterns = py?.config.exclude;
  return py && patterns && patterns.length > 0 ? { baseDir: path.dirname(py.file), patterns } : undefined;
}

/**
 * pyproject.toml lookups remembered per directory (each directory's own file is read once, the
 * answer of a directory is its own file or its parent's) and loaded files remembered per path,
 * reloaded when their modification time changes. `clear()` forgets everything (file events).
 */
export class PyprojectLookup {
  private byDir = new Map<string, string | undefined>();
  private byFile = new Map<string, LoadedPyproject>();

  /**
   * `onWarning` hears of a pyproject.toml passed over because it is not a regular file (a FIFO, a
   * link to `/dev/zero`) or is over the 1 MiB cap: such files are never read (`pyprojectIn`).
   */
  constructor(private readonly onWarning?: (message: string) => void) {}

  /** Hears of each file read (first time, or again after it changed): the language server's config diagnostics. */
  onLoaded: ((py: LoadedPyproject) => void) | undefined;

  /** The config files loaded since the last `clear()`: those that applied to a directory looked up. */
  loaded(): LoadedPyproject[] {
    return [...this.byFile.values()];
  }

  clear(): void {
    this.byDir.clear();
    this.byFile.clear();
  }

  /** The config file that applies in `dir`, or undefined (same answer as `findPyproject(dir)`). */
  fileFor(dir: string): string | undefined {
    const start = path.resolve(dir);
    const pending: string[] = [];
    let found: string | undefined;
    for (let d = start; ;) {
      if (this.byDir.has(d)) {
        found = this.byDir.get(d);
        break;
      }
      pending.push(d);
      found = pyprojectIn(d, this.onWarning);
      if (found !== undefined) break;
      const parent = path.dirname(d);
      if (parent === d) break;
      d = parent;
    }
    for (const d of pending) this.byDir.set(d, found);
    return found;
  }

  /** The loaded config that applies in `dir`, or undefined when no pyproject.toml has the table. */
  lookup(dir: string): LoadedPyproject | undefined {
    const file = this.fileFor(dir);
    return file === undefined ? undefined : this.load(file);
  }

  /** A config file read and validated (reused while its modification time is unchanged). */
  load(file: string): LoadedPyproject {
    let mtimeMs = -1;
    try {
      mtimeMs = fs.statSync(file).mtimeMs;
    } catch {
      /* vanished or missing: loadConfigFile reports it */
    }
    const cached = this.byFile.get(file);
    if (cached && cached.mtimeMs === mtimeMs) return cached;
    const parsed = loadConfigFile(file);
    const entry: LoadedPyproject = { file, mtimeMs, config: parsed.config, errors: parsed.errors, problems: parsed.problems };
    this.byFile.set(file, entry);
    this.onLoaded?.(entry);
    return entry;
  }
}

/**
 * Decides whether an `exclude` list skips a path, as the directory walk does: the path relative to
 * the patterns' directory, with a trailing `/` for a directory; paths outside it never match.
 * Compiled matchers are kept per list.
 */
export class ExcludeMatchers {
  private readonly matchers = new Map<string, GitignoreMatcher>();

  matcher(patterns: readonly string[]): GitignoreMatcher {
    const key = patterns.join('\n');
    let m = this.matchers.get(key);
    if (!m) {
      m = new GitignoreMatcher().add(patterns);
      this.matchers.set(key, m);
    }
    return m;
  }

  excludes(exclude: ExcludePatterns, full: string, isDir: boolean): boolean {
    const rel = path.relative(exclude.baseDir, full);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return false;
    return this.matcher(exclude.patterns).test(toPosix(rel) + (isDir ? '/' : '')).ignored;
  }
}
