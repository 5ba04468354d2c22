/**
 * `[tool.anyio-migrate]` in `pyproject.toml`: finding the file and validating its settings.
 * Pure apart from `findPyproject` (which only reads files), so the CLI and the language server
 * share one loader and one set of error messages.
 *
 * ```toml
 * [tool.anyio-migrate]
 * select = ["ASY1"]          # codes or prefixes to enable (default: all)
 * ignore = ["ASY105"]        # codes or prefixes to disable
 * target = "anyio3"          # or "anyio2+3"
 * unsafe-fixes = false
 * exclude = ["generated/", "legacy_*.py"]   # gitignore-style, relative to this file's directory
 * ```
 */
import * as path from 'path';
import { isValidCodeSelector } from '../engine';
import { readRegularFileSync, type SafeReadFailureKind } from '../workspace/safe-read';
import type { Target } from '../core/types';
import { PyprojectLocator, SECTION_PATH, type ProblemTarget, type TextRange } from './pyproject-locate';

// smol-toml is an ES module with a CommonJS build: load the CJS build, typed from its declarations.
type SmolToml = typeof import('smol-toml', { with: { 'resolution-mode': 'import' } });
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parse: parseToml, TomlError } = require('smol-toml') as SmolToml;

export const TARGETS: readonly Target[] = ['anyio3', 'anyio2+3'];

/** Largest `pyproject.toml` read; a larger one (or `/dev/zero`, a FIFO) is not used. */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

/**
 * The text of a config file: only a regular file of at most `MAX_CONFIG_FILE_BYTES` (never a FIFO
 * or a device, which would hang or fill memory). `missing`: it does not exist (not worth a warning).
 */
export function readConfigText(filePath: string): { ok: true; text: string } | { ok: false; reason: string; missing: boolean; kind: SafeReadFailureKind } {
  const r = readRegularFileSync(filePath, MAX_CONFIG_FILE_BYTES);
  if (r.ok) return { ok: true, text: r.bytes.toString('utf8') };
  const missing = r.kind === 'io' && (r.code === 'ENOENT' || r.code === 'ENOTDIR');
  return { ok: false, reason: missing ? 'no such file' : r.reason, missing, kind: r.kind };
}

export interface AnyioMigrateConfig {
  select?: string[];
  ignore?: string[];
  target?: Target;
  unsafeFixes?: boolean;
  exclude?: string[];
}

export interface ParsedConfig {
  config: AnyioMigrateConfig;
  /** Human-readable, each prefixed with the file path; empty when the settings are valid. */
  errors: string[];
  /** Whether the file has a `[tool.anyio-migrate]` table at all. */
  hasSection: boolean;
}

/**
 * One problem of a `pyproject.toml`, where it is: for diagnostics on the file itself. An error
 * string of `ParsedConfig.errors` is one problem, except an unknown rule code list, which is one
 * problem per unknown code (each at its array element).
 */
export interface ConfigProblem {
  file: string;
  /** Without the file's path, e.g. `[tool.anyio-migrate] target: unknown target 'anyio4' (...)`. */
  message: string;
  /** `error`: the file is not valid TOML (nothing of it is used); `warning`: a value is ignored. */
  severity: 'error' | 'warning';
  /** The offending text: the value, the array element, the key, the table header, or the TOML error. */
  range: TextRange;
}

export interface LocatedParsedConfig extends ParsedConfig {
  problems: ConfigProblem[];
  /** `errors` with the line and column of each (`FILE:LINE:COL: message`; invalid TOML says its own). */
  placedErrors: string[];
}

const KNOWN_KEYS = ['select', 'ignore', 'target', 'unsafe-fixes', 'exclude'] as const;

function describeType(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  if (v instanceof Date) return 'a date';
  if (typeof v === 'object') return 'a table';
  return `a ${typeof v}`;
}

/** Closest known key by edit distance, for "did you mean" hints. */
function suggest(key: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDist = Infinity;
  for (const c of candidates) {
    const d = editDistance(key.toLowerCase().replace(/_/g, '-'), c);
    if (d < bestDist) {
      bestDist = d;
      best = c;
    }
  }
  return bestDist <= 3 ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/**
 * Parse `pyproject.toml` text and validate its `[tool.anyio-migrate]` table. Never throws: TOML
 * syntax errors and invalid values are returned in `errors` (with `filePath` and the key).
 * Valid settings are returned even when others are invalid.
 */
export function parseAnyioMigrateConfig(tomlText: string, filePath: string): ParsedConfig {
  const { config, errors, hasSection } = parseAndLocate(tomlText, filePath);
  return { config, errors, hasSection };
}

/** `parseAnyioMigrateConfig` plus each problem's place in the text (`ConfigProblem`). */
export function parseAndLocate(tomlText: string, filePath: string): LocatedParsedConfig {
  const errors: string[] = [];
  const found: Array<{ message: string; target: ProblemTarget }> = [];
  const config: AnyioMigrateConfig = {};
  /** Per error: its message and the index of its first problem in `found`. */
  const reported: Array<{ message: string; first: number }> = [];
  const result = (hasSection: boolean): LocatedParsedConfig => {
    if (found.length === 0) return { config, errors, hasSection, problems: [], placedErrors: [] };
    const locator = new PyprojectLocator(tomlText);
    const problems = found.map(({ message, target }): ConfigProblem => ({
      file: filePath,
      message,
      severity: target.kind === 'toml' ? 'error' : 'warning',
      range: locator.locate(target),
    }));
    const placedErrors = reported.map(({ message, first }) => {
      const { start } = problems[first]!.range;
      return found[first]!.target.kind === 'toml' ? `${filePath}: ${message}` : `${filePath}:${start.line + 1}:${start.character + 1}: ${message}`;
    });
    return { config, errors, hasSection, problems, placedErrors };
  };
  /** One error string; its problems (default: one with the same message at `target`). */
  const report = (message: string, target: ProblemTarget, each?: Array<{ message: string; target: ProblemTarget }>): void => {
    errors.push(`${filePath}: ${message}`);
    reported.push({ message, first: found.length });
    found.push(...(each ?? [{ message, target }]));
  };
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(tomlText) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof TomlError) report(`invalid TOML (line ${err.line}, column ${err.column}: ${firstLine(err.message)})`, { kind: 'toml', line: err.line, column: err.column });
    else report(`invalid TOML (${String(err)})`, { kind: 'toml', line: 1, column: 1 });
    return result(false);
  }
  const tool = doc['tool'];
  if (tool === undefined) return result(false);
  if (typeof tool !== 'object' || tool === null || Array.isArray(tool) || tool instanceof Date) {
    report(`'tool' must be a table`, { kind: 'value', path: ['tool'] });
    return result(false);
  }
  const section = (tool as Record<string, unknown>)['anyio-migrate'];
  if (section === undefined) {
    const near = Object.keys(tool).find((k) => k !== 'anyio-migrate' && k.replace(/_/g, '-').toLowerCase() === 'anyio-migrate');
    if (near) report(`found [tool.${near}]; the table must be named [tool.anyio-migrate]`, { kind: 'table', path: ['tool', near] });
    return result(false);
  }
  const where = '[tool.anyio-migrate]';
  const at = (key: string, index?: number): ProblemTarget => ({ kind: 'value', path: [...SECTION_PATH, key], ...(index === undefined ? {} : { index }) });
  if (typeof section !== 'object' || section === null || Array.isArray(section) || section instanceof Date) {
    report(`${where} must be a table, not ${describeType(section)}`, { kind: 'value', path: SECTION_PATH });
    return result(true);
  }
  const table = section as Record<string, unknown>;

  const stringArray = (key: string): string[] | undefined => {
    const v = table[key];
    if (!Array.isArray(v)) {
      report(`${where} ${key}: expected an array of strings, got ${describeType(v)}`, at(key));
      return undefined;
    }
    const bad = v.findIndex((x) => typeof x !== 'string');
    if (bad !== -1) {
      report(`${where} ${key}[${bad}]: expected a string, got ${describeType(v[bad])}`, at(key, bad));
      return undefined;
    }
    return v as string[];
  };
  const codes = (key: 'select' | 'ignore'): string[] | undefined => {
    const list = stringArray(key);
    if (!list) return undefined;
    const unknown = list.map((c, i) => ({ c, i })).filter(({ c }) => !isValidCodeSelector(c));
    if (unknown.length > 0) {
      const expected = `(expected codes or prefixes such as 'ASY', 'ASY1', 'ASY101')`;
      const each = unknown.map(({ c, i }) => ({ message: `${where} ${key}: unknown rule code '${c}' ${expected}`, target: at(key, i) }));
      report(`${where} ${key}: unknown rule code${unknown.length > 1 ? 's' : ''} ${unknown.map(({ c }) => `'${c}'`).join(', ')} ${expected}`, at(key), each);
      return undefined;
    }
    return list;
  };

  for (const key of Object.keys(table)) {
    if ((KNOWN_KEYS as readonly string[]).includes(key)) continue;
    const hint = suggest(key, KNOWN_KEYS);
    report(`${where}: unknown key '${key}'${hint ? ` (did you mean '${hint}'?)` : ''}; known keys: ${KNOWN_KEYS.join(', ')}`, { kind: 'key', path: [...SECTION_PATH, key] });
  }
  if ('select' in table) {
    const v = codes('select');
    if (v) config.select = v;
  }
  if ('ignore' in table) {
    const v = codes('ignore');
    if (v) config.ignore = v;
  }
  if ('target' in table) {
    const v = table['target'];
    if (typeof v !== 'string') report(`${where} target: expected a string, got ${describeType(v)}`, at('target'));
    else if (!(TARGETS as readonly string[]).includes(v)) report(`${where} target: unknown target '${v}' (expected ${TARGETS.map((t) => `'${t}'`).join(' or ')})`, at('target'));
    else config.target = v as Target;
  }
  if ('unsafe-fixes' in table) {
    const v = table['unsafe-fixes'];
    if (typeof v !== 'boolean') report(`${where} unsafe-fixes: expected true or false, got ${describeType(v)}`, at('unsafe-fixes'));
    else config.unsafeFixes = v;
  }
  if ('exclude' in table) {
    const v = stringArray('exclude');
    if (v) {
      const empty = v.findIndex((p) => p.trim() === '');
      if (empty !== -1) report(`${where} exclude[${empty}]: empty pattern`, at('exclude', empty));
      else config.exclude = v;
    }
  }
  return result(true);
}

function firstLine(s: string): string {
  return s.split('\n', 1)[0] ?? s;
}

/**
 * The nearest `pyproject.toml` at or above `startDir` that has a `[tool.anyio-migrate]` table
 * (like ruff, files without one are passed over so a sub-package's pyproject does not hide the
 * repository's settings). A file that mentions `anyio-migrate` but does not parse is returned so
 * its error gets reported. One that is not a regular file (a link to `/dev/zero`, a FIFO) or is
 * over `MAX_CONFIG_FILE_BYTES` is passed over, with a message to `onWarning`.
 */
export function findPyproject(startDir: string, onWarning?: (message: string) => void): string | undefined {
  let dir = path.resolve(startDir);
  for (;;) {
    const found = pyprojectIn(dir, onWarning);
    if (found !== undefined) return found;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * `dir`'s own `pyproject.toml` when it is one `findPyproject` stops at (it has the table, or
 * mentions the tool and does not parse), else undefined: one step of the walk up, for callers
 * that remember each directory's answer (`PyprojectLookup`).
 */
export function pyprojectIn(dir: string, onWarning?: (message: string) => void): string | undefined {
  const candidate = path.join(dir, 'pyproject.toml');
  const read = readConfigText(candidate);
  if (!read.ok) {
    if (read.kind === 'not-regular' || read.kind === 'too-large') onWarning?.(`${candidate}: not used: ${read.reason}`);
    return undefined;
  }
  const text = read.text;
  return parseAnyioMigrateConfig(text, candidate).hasSection || (text.includes('anyio-migrate') && !parsesAsToml(text)) ? candidate : undefined;
}

function parsesAsToml(text: string): boolean {
  try {
    parseToml(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Read and validate a config file (for `--config FILE`, or the result of `findPyproject`); its
 * `errors` carry their line and column (`FILE:LINE:COL: message`).
 */
export function loadConfigFile(filePath: string): LocatedParsedConfig {
  const read = readConfigText(filePath);
  if (!read.ok) {
    const message = `cannot read config file (${read.reason})`;
    const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    const error = `${filePath}: ${message}`;
    return { config: {}, errors: [error], hasSection: false, problems: [{ file: filePath, message, severity: 'error', range }], placedErrors: [error] };
  }
  const parsed = parseAndLocate(read.text, filePath);
  // The command line prints these: each with its line and column, as findings are printed.
  return { ...parsed, errors: parsed.placedErrors };
}
