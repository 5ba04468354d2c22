/**
 * Command-line parsing and settings resolution (flags over `[tool.anyio-migrate]`), kept apart
 * from running so it can be tested on its own. Every problem is a `UsageError` (exit status 2).
 */
import * as path from 'path';
import { parseArgs } from 'util';
import { isValidCodeSelector } from '../engine';
import type { Target } from '../core/types';
import { TARGETS } from '../config/pyproject';
import { DEFAULT_MAX_FILE_SIZE } from '../workspace/files';
import { defaultPoolSize } from './pool';
import { ConfigResolver, type FileSettings, type FlagSettings } from './file-config';

export type Command = 'check' | 'diff' | 'fix';

/** Default per-file time budget (`--file-timeout`). */
export const DEFAULT_FILE_TIMEOUT_MS = 10_000;
/** `--format`: text, the stable JSON, or a CI's annotation format (`ci-formats.ts`). */
export const OUTPUT_FORMATS = ['text', 'json', 'github', 'sarif', 'gitlab'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface CliArgs {
  command?: Command;
  paths: string[];
  help: boolean;
  version: boolean;
  select?: string[];
  ignore?: string[];
  target?: string;
  format?: string;
  config?: string;
  unsafeFixes?: boolean;
  verify: boolean;
  quiet: boolean;
  progress: boolean;
  exitZero: boolean;
  maxFileSize?: string;
  fileTimeout?: string;
  /** `--no-cache`: false. */
  cache: boolean;
  jobs?: string;
  followLinks: boolean;
  /** `--no-project-index`: false. */
  projectIndex: boolean;
  forceExclude: boolean;
}

export interface Settings {
  command: Command;
  paths: string[];
  /** Reading source from stdin (`-`). */
  stdin: boolean;
  /**
   * The settings of the current directory's config (or `--config FILE`): stdin's, and where the
   * cache is kept. Files of a run over paths each have their own: `config.forFile(file)`.
   */
  root: FileSettings;
  /** Each file's settings: the flags over the nearest pyproject.toml (or `--config FILE`). */
  config: ConfigResolver;
  format: OutputFormat;
  verify: boolean;
  quiet: boolean;
  progress: boolean;
  exitZero: boolean;
  maxFileSize: number;
  /** Per-file time budget of the engine (`--file-timeout`, in ms; 0: none, the engine runs in this thread). */
  fileTimeoutMs: number;
  /** Reuse results of unchanged files from `.anyio-migrate-cache/` (`--no-cache`: false). */
  cache: boolean;
  /** Worker threads for multi-file runs (default: the available parallelism; 1: no workers). */
  jobs: number;
  /** check/diff: also read files behind symlinks that lead outside the given paths (never for fix). */
  followLinks: boolean;
  /** Apply `exclude` to files named on the command line too (as pre-commit names them). */
  forceExclude: boolean;
  /** Prove types across the modules of the project (`--no-project-index`: each file alone). */
  projectIndex: boolean;
  /** Problems that do not stop the run (a pyproject.toml that is not a regular file), to print as warnings. */
  warnings: string[];
}

export const HELP = `anyio-migrate: find and fix AnyIO 2 API usage that changed in AnyIO 3

Usage:
  anyio-migrate check [OPTIONS] [PATH...]   report findings (exit 1 if there are any)
  anyio-migrate diff  [OPTIONS] [PATH...]   show what 'fix' would change (exit 1 if anything)
  anyio-migrate fix   [OPTIONS] [PATH...]   rewrite the files (exit 1 if findings remain)
  anyio-migrate explain FILE:LINE:COL       say why the expression there is (or is not,
                                            or may be) an AnyIO object, step by step
                                            (see 'anyio-migrate explain --help')

PATH is a file or a directory (default: the current directory); '-' reads one
file from stdin ('fix -' prints the fixed text, 'diff -' prints the diff).
Directories are searched for .py and .pyi files, honouring .gitignore and
skipping virtualenvs, node_modules, __pycache__ and hidden directories.

Options:
  --select CODES        only these rule codes or prefixes (comma-separated: ASY1,ASY203)
  --ignore CODES        skip these rule codes or prefixes
  --target TARGET       anyio3 (default), or anyio2+3 for code that must keep
                        running on AnyIO 2 as well
  --unsafe-fixes        also apply fixes marked unsafe
  --no-unsafe-fixes     do not (overrides unsafe-fixes = true in pyproject.toml)
  --format FORMAT       for check and fix: text (default), json, github
                        (workflow annotations), sarif (code scanning) or
                        gitlab (code quality report)
  --verify              after fixing, check that each result parses with
                        python3's ast.parse (never runs your code); files that
                        do not parse are left unchanged
  --config FILE         read [tool.anyio-migrate] from FILE for every path
                        instead of each file's nearest pyproject.toml
  --max-file-size SIZE  skip larger files (default 5MB; e.g. 500K, 20MB)
  --file-timeout SECS   skip a file whose analysis or fix takes longer (default
                        10; 0: no limit)
  --jobs N              analyse with N worker threads (default: one per CPU;
                        1: no workers)
  --no-cache            check and diff: do not reuse results of unchanged files
                        from .anyio-migrate-cache/ (kept next to the current
                        directory's pyproject.toml, else in the current directory)
  --follow-links        check and diff: also read files behind symlinks that lead
                        outside the given paths (by default such links are not
                        followed; fix never writes outside them)
  --force-exclude       apply exclude patterns to files named on the command line
                        too (for pre-commit and editors, which name each file)
  --no-project-index    analyse each file alone (by default, types are proven
                        across the modules of the packages being checked)
  --exit-zero           exit 0 even when findings remain
  -q, --quiet           print findings, diffs and errors only
  --no-progress         no progress indicator
  --version             print the version
  -h, --help            print this help

Settings in pyproject.toml:
  [tool.anyio-migrate]
  select = ["ASY"]      ignore = []      target = "anyio3"
  unsafe-fixes = false  exclude = ["generated/"]   # gitignore-style patterns
Each file uses the nearest pyproject.toml above it that has the table; its
exclude patterns are relative to that file. Command-line flags override it.

Exit status: 0 nothing to report or change; 1 findings (check), changes (diff)
or findings left (fix); 2 usage or I/O error; 130 interrupted.
`;

export function parseCliArgs(argv: readonly string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        select: { type: 'string', multiple: true },
        ignore: { type: 'string', multiple: true },
        target: { type: 'string' },
        format: { type: 'string' },
        'output-format': { type: 'string' },
        config: { type: 'string' },
        'unsafe-fixes': { type: 'boolean' },
        'no-unsafe-fixes': { type: 'boolean' },
        verify: { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
        'no-progress': { type: 'boolean' },
        'exit-zero': { type: 'boolean' },
        'max-file-size': { type: 'string' },
        'file-timeout': { type: 'string' },
        'no-cache': { type: 'boolean' },
        jobs: { type: 'string', short: 'j' },
        'follow-links': { type: 'boolean' },
        'force-exclude': { type: 'boolean' },
        'no-project-index': { type: 'boolean' },
        version: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message.replace(/\. To specify a positional argument.*$/s, '') : String(err));
  }
  const v = parsed.values;
  const [first, ...rest] = parsed.positionals;
  let command: Command | undefined;
  if (first !== undefined) {
    // `explain` is dispatched by the command's entry point (main.ts) when it comes first.
    if (first === 'explain') throw new UsageError("'explain' must come first: anyio-migrate explain [OPTIONS] FILE:LINE:COL");
    if (first !== 'check' && first !== 'diff' && first !== 'fix') {
      throw new UsageError(`unknown command '${first}' (expected check, diff or fix)`);
    }
    command = first;
  }
  if (v['unsafe-fixes'] && v['no-unsafe-fixes']) throw new UsageError('--unsafe-fixes and --no-unsafe-fixes contradict each other');
  if (v.format !== undefined && v['output-format'] !== undefined) throw new UsageError('give --format only once');
  const args: CliArgs = {
    paths: rest,
    help: v.help === true,
    version: v.version === true,
    verify: v.verify === true,
    quiet: v.quiet === true,
    progress: v['no-progress'] !== true,
    exitZero: v['exit-zero'] === true,
    cache: v['no-cache'] !== true,
    followLinks: v['follow-links'] === true,
    forceExclude: v['force-exclude'] === true,
    projectIndex: v['no-project-index'] !== true,
  };
  if (command) args.command = command;
  if (v.select) args.select = splitCodes(v.select);
  if (v.ignore) args.ignore = splitCodes(v.ignore);
  if (v.target !== undefined) args.target = v.target;
  const format = v.format ?? v['output-format'];
  if (format !== undefined) args.format = format;
  if (v.config !== undefined) args.config = v.config;
  if (v['unsafe-fixes']) args.unsafeFixes = true;
  if (v['no-unsafe-fixes']) args.unsafeFixes = false;
  if (v['max-file-size'] !== undefined) args.maxFileSize = v['max-file-size'];
  if (v['file-timeout'] !== undefined) args.fileTimeout = v['file-timeout'];
  if (v.jobs !== undefined) args.jobs = v.jobs;
  return args;
}

function splitCodes(values: readonly string[]): string[] {
  return values
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** `5MB`, `500K`, `1048576` -> bytes. */
export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?)i?b?\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = (m[2] ?? '').toLowerCase();
  const mult = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1;
  const n = Math.floor(Number(m[1]) * mult);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

function checkCodes(flag: string, codes: readonly string[]): void {
  const unknown = codes.filter((c) => !isValidCodeSelector(c));
  if (unknown.length > 0) {
    throw new UsageError(
      `${flag}: unknown rule code${unknown.length > 1 ? 's' : ''} ${unknown.map((c) => `'${c}'`).join(', ')} (expected codes or prefixes such as ASY, ASY1, ASY101)`,
    );
  }
}

/**
 * Combine flags with the config files. `cwd`'s config (or `--config FILE`) is loaded now, so its
 * errors are usage errors; the files' own configs are looked up as the run reaches them.
 */
export function resolveSettings(args: CliArgs, cwd: string): Settings {
  const command = args.command;
  if (!command) throw new UsageError('missing command (check, diff or fix)');
  if (args.followLinks && command === 'fix') {
    throw new UsageError('--follow-links is for check and diff only: fix never writes outside the given paths');
  }
  const flags: FlagSettings = {};
  if (args.target !== undefined) flags.target = args.target as Target;
  if (args.select) flags.select = args.select;
  if (args.ignore) flags.ignore = args.ignore;
  if (args.unsafeFixes !== undefined) flags.unsafeFixes = args.unsafeFixes;
  const config = new ConfigResolver(flags, args.config !== undefined ? path.resolve(cwd, args.config) : undefined);
  const root = config.forDir(cwd);
  const warnings = config.takeWarnings().map((w) => (w.path !== undefined ? `${w.path}: ${w.message}` : w.message));
  if (config.errors.length > 0) throw new UsageError(`invalid configuration:\n  ${config.errors.join('\n  ')}`);
  if (args.select) checkCodes('--select', args.select);
  if (args.ignore) checkCodes('--ignore', args.ignore);
  if (args.target !== undefined && !(TARGETS as readonly string[]).includes(args.target)) {
    throw new UsageError(`--target: unknown target '${args.target}' (expected ${TARGETS.join(' or ')})`);
  }
  const format = (args.format ?? 'text') as OutputFormat;
  if (!OUTPUT_FORMATS.includes(format))
    throw new UsageError(`--format: unknown format '${format}' (expected ${OUTPUT_FORMATS.slice(0, -1).join(', ')} or ${OUTPUT_FORMATS.at(-1)})`);
  if (format !== 'text' && command === 'diff') throw new UsageError(`--format ${format} is not available for diff (its output is a unified diff)`);
  let maxFileSize = DEFAULT_MAX_FILE_SIZE;
  if (args.maxFileSize !== undefined) {
    const n = parseSize(args.maxFileSize);
    if (n === undefined) throw new UsageError(`--max-file-size: invalid size '${args.maxFileSize}' (examples: 1048576, 500K, 5MB)`);
    maxFileSize = n;
  }
  let fileTimeoutMs = DEFAULT_FILE_TIMEOUT_MS;
  if (args.fileTimeout !== undefined) {
    const secs = /^\s*\d+(?:\.\d+)?\s*$/.test(args.fileTimeout) ? Number(args.fileTimeout) : NaN;
    if (!Number.isFinite(secs) || secs > 86400) throw new UsageError(`--file-timeout: invalid number of seconds '${args.fileTimeout}' (expected 0 to 86400; 0: no limit)`);
    fileTimeoutMs = Math.round(secs * 1000);
  }
  let jobs = defaultPoolSize();
  if (args.jobs !== undefined) {
    if (!/^\s*\d+\s*$/.test(args.jobs) || Number(args.jobs) < 1 || Number(args.jobs) > 256) {
      throw new UsageError(`--jobs: invalid number '${args.jobs}' (expected 1 to 256)`);
    }
    jobs = Number(args.jobs);
  }
  const paths = args.paths.length > 0 ? args.paths : ['.'];
  const stdin = paths.includes('-');
  if (stdin && paths.length > 1) throw new UsageError("'-' (stdin) cannot be combined with other paths");
  const settings: Settings = {
    command,
    paths,
    stdin,
    root,
    config,
    format,
    verify: args.verify,
    quiet: args.quiet,
    progress: args.progress,
    exitZero: args.exitZero,
    maxFileSize,
    fileTimeoutMs,
    cache: args.cache,
    jobs,
    followLinks: args.followLinks,
    forceExclude: args.forceExclude,
    projectIndex: args.projectIndex,
    warnings,
  };
  return settings;
}
