/**
 * The settings of each file of a CLI run: the flags over the `[tool.anyio-migrate]` that applies
 * to the file (the nearest pyproject.toml with the table, looked up from the file's directory as
 * ruff does and as the language server does, `PyprojectLookup`), or over the one `--config FILE`
 * for every file. Also what the walk asks: whether a path is skipped by its config's `exclude`.
 */
import * as path from 'path';
import type { AnalyzeOptions, FixOptions, Target } from '../core/types';
import { analyzeOptionsFor, fixOptionsFor } from '../config/engine-options';
import { ExcludeMatchers, excludeOf, PyprojectLookup, type ExcludePatterns, type LoadedPyproject } from '../config/lookup';

/** What the command line says about the engine settings (unset: the config file decides). */
export interface FlagSettings {
  target?: Target;
  select?: string[];
  ignore?: string[];
  unsafeFixes?: boolean;
}

/** The settings of one file (the same object for every file under the same config). */
export interface FileSettings {
  target: Target;
  select?: string[];
  ignore?: string[];
  unsafeFixes: boolean;
  /** The config file the settings came from, if any. */
  configFile?: string;
  exclude?: ExcludePatterns;
  analyzeOptions: AnalyzeOptions;
  fixOptions: FixOptions;
}

/** A warning about the configuration: `path` (when set) is what it is about, shown relative. */
export interface ConfigWarning {
  path?: string;
  message: string;
}

/** Flags over a loaded config (none: the defaults). */
export function mergeSettings(flags: FlagSettings, py: LoadedPyproject | undefined): FileSettings {
  const config = py?.config ?? {};
  const settings: FileSettings = {
    target: flags.target ?? config.target ?? 'anyio3',
    unsafeFixes: flags.unsafeFixes ?? config.unsafeFixes ?? false,
    analyzeOptions: { target: 'anyio3' },
    fixOptions: { target: 'anyio3', unsafeFixes: false },
  };
  const select = flags.select ?? config.select;
  const ignore = flags.ignore ?? config.ignore;
  if (select) settings.select = select;
  if (ignore) settings.ignore = ignore;
  const exclude = excludeOf(py);
  if (py) settings.configFile = py.file;
  if (exclude) settings.exclude = exclude;
  settings.analyzeOptions = analyzeOptionsFor(settings);
  settings.fixOptions = fixOptionsFor(settings);
  return settings;
}

export class ConfigResolver {
  private readonly lookup: PyprojectLookup;
  private readonly excludes = new ExcludeMatchers();
  /** Merged settings per config file ('' for none): one object per config. */
  private readonly byConfig = new Map<string, FileSettings>();
  private readonly byDir = new Map<string, FileSettings>();
  /** Config files whose errors were collected / whose exclude patterns were compiled. */
  private readonly seen = new Set<string>();
  private readonly compiled = new Set<string>();
  private readonly errorList: string[] = [];
  private pending: ConfigWarning[] = [];

  /** `forced`: the `--config FILE` every path uses (no lookup). */
  constructor(
    private readonly flags: FlagSettings,
    private readonly forced?: string,
  ) {
    this.lookup = new PyprojectLookup((message) => this.pending.push({ message }));
  }

  /** The settings of a file. */
  forFile(file: string): FileSettings {
    return this.forDir(path.dirname(file));
  }

  /** The settings of the files directly in `dir`. */
  forDir(dir: string): FileSettings {
    let settings = this.byDir.get(dir);
    if (settings) return settings;
    const py = this.forced !== undefined ? this.lookup.load(this.forced) : this.lookup.lookup(dir);
    const key = py?.file ?? '';
    settings = this.byConfig.get(key);
    if (!settings) {
      settings = mergeSettings(this.flags, py);
      this.byConfig.set(key, settings);
      if (py && !this.seen.has(py.file)) {
        this.seen.add(py.file);
        this.errorList.push(...py.errors);
      }
    }
    this.byDir.set(dir, settings);
    return settings;
  }

  /** Whether the `exclude` of the config of `full`'s directory skips it (the walk's question). */
  readonly isExcluded = (full: string, isDir: boolean): boolean => {
    const { exclude, configFile } = this.forDir(path.dirname(full));
    if (exclude === undefined || configFile === undefined) return false;
    if (!this.compiled.has(configFile)) {
      // Invalid patterns are reported once, against the config's directory, when first used.
      this.compiled.add(configFile);
      for (const w of this.excludes.matcher(exclude.patterns).warnings) this.pending.push({ path: exclude.baseDir, message: `exclude pattern '${w.pattern}' ${w.message}` });
    }
    return this.excludes.excludes(exclude, full, isDir);
  };

  /** Every config file's errors found so far (each file's once). */
  get errors(): readonly string[] {
    return this.errorList;
  }

  /** The warnings found since the last call (a pyproject.toml not used, an invalid exclude pattern). */
  takeWarnings(): ConfigWarning[] {
    const w = this.pending;
    this.pending = [];
    return w;
  }
}
