/**
 * `anyio-migrate explain FILE:LINE:COL`: why the engine takes the expression at a position for an
 * AnyIO object, for something else, or cannot tell (see `src/core/semantic/explain.ts`). The
 * project the file belongs to is indexed exactly as `check` indexes it (the file plus the package
 * it belongs to, `indexProject`); line and column are those `check` prints (1-based, the column in
 * UTF-16 code units, a BOM not counted).
 */
import * as nodeFs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { initEngine } from '../engine';
import { explainAt, type Explanation } from '../core/semantic/explain';
import { summarizeModule } from '../core/semantic/summary';
import type { ProjectContext } from '../core/semantic/project';
import { LineIndex } from '../core/text';
import { decodePythonSource, readPythonFile } from '../workspace/files';
import { nodeFileSystem } from '../workspace/fsys';
import { resolveSettings, UsageError, type CliArgs } from './options';
import { indexProject } from './project-index';
import { escapeControlChars } from './report';
import type { RunIO } from './run';
import { collectPythonFiles } from '../workspace/walk';

export const EXPLAIN_HELP = `Usage: anyio-migrate explain [OPTIONS] FILE:LINE:COL

Say why the expression at LINE:COL of FILE is (or is not, or may be) an AnyIO
object, step by step through the project's modules. LINE and COL are 1-based,
as 'check' prints them.

Options:
  --format FORMAT       text (default) or json
  --config FILE         read [tool.anyio-migrate] from FILE
  --max-file-size SIZE  skip larger files when indexing the project
  --no-project-index    explain with the file alone
  -h, --help            print this help

Exit status: 0 explained; 1 no expression at that position; 2 usage or I/O error.
`;

export interface ExplainArgs {
  file: string;
  line: number;
  column: number;
  format: 'text' | 'json';
  projectIndex: boolean;
  config?: string;
  maxFileSize?: string;
}

/** Parse `explain`'s arguments (without the command name). Undefined for `--help`. */
export function parseExplainArgs(argv: readonly string[]): ExplainArgs | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        format: { type: 'string' },
        'output-format': { type: 'string' },
        config: { type: 'string' },
        'max-file-size': { type: 'string' },
        'no-project-index': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message.replace(/\. To specify a positional argument.*$/s, '') : String(err));
  }
  const v = parsed.values;
  if (v.help) return undefined;
  if (parsed.positionals.length !== 1) throw new UsageError('explain takes one position: FILE:LINE:COL (for example src/app.py:12:15)');
  const m = /^(.+):(\d+):(\d+)$/s.exec(parsed.positionals[0]!);
  if (!m) throw new UsageError(`explain: expected FILE:LINE:COL, got '${parsed.positionals[0]}'`);
  const line = Number(m[2]);
  const column = Number(m[3]);
  if (line < 1 || column < 1) throw new UsageError(`explain: line and column are 1-based, got ${m[2]}:${m[3]}`);
  const format = v.format ?? v['output-format'] ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format: unknown format '${format}' (expected text or json)`);
  const out: ExplainArgs = { file: m[1]!, line, column, format, projectIndex: v['no-project-index'] !== true };
  if (v.config !== undefined) out.config = v.config;
  if (v['max-file-size'] !== undefined) out.maxFileSize = v['max-file-size'];
  return out;
}

function displayPath(cwd: string, file: string): string {
  const rel = path.relative(cwd, file);
  if (rel === '') return path.basename(file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}

/** `explain`'s output as JSON (stable shape). */
export interface JsonExplanation {
  path: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  expression: string;
  verdict: Explanation['verdict'];
  type: string;
  steps: Array<{ path: string; line: number; text: string }>;
}

/** Run `anyio-migrate explain ...` (`argv` without the command name). */
export async function runExplain(argv: readonly string[], io: RunIO): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  const usage = (message: string): number => {
    io.stderr.write(`error: ${message.split('\n').map(escapeControlChars).join('\n')}\nRun 'anyio-migrate explain --help' for usage.\n`);
    return 2;
  };
  let args: ExplainArgs | undefined;
  let settings;
  try {
    args = parseExplainArgs(argv);
    if (!args) {
      io.stdout.write(EXPLAIN_HELP);
      return 0;
    }
    // The settings `check` would use for this file: exclusions and size limit from pyproject.toml.
    const cli: CliArgs = {
      command: 'check',
      paths: [args.file],
      help: false,
      version: false,
      verify: false,
      quiet: true,
      progress: false,
      exitZero: false,
      cache: false,
      followLinks: false,
      forceExclude: false,
      projectIndex: args.projectIndex,
      ...(args.config !== undefined ? { config: args.config } : {}),
      ...(args.maxFileSize !== undefined ? { maxFileSize: args.maxFileSize } : {}),
    };
    settings = resolveSettings(cli, cwd);
  } catch (err) {
    if (err instanceof UsageError) return usage(err.message);
    throw err;
  }
  const fs = io.fs ?? nodeFileSystem;
  const abs = path.resolve(cwd, args.file);
  const read = await readPythonFile(abs, { fs, maxFileSize: settings.maxFileSize });
  if (!read.ok) {
    io.stderr.write(`error: ${escapeControlChars(args.file)}: ${read.reason}\n`);
    return 2;
  }
  const text = read.text;
  const lines = new LineIndex(text);
  const offset = lines.offsetOf(args.line, args.column);
  if (offset === undefined) return usage(`explain: ${args.file} has no position ${args.line}:${args.column}`);
  await initEngine(io.wasmDir !== undefined ? { wasmDir: io.wasmDir } : {});

  let project: ProjectContext | undefined;
  let entryPath = abs;
  if (settings.projectIndex) {
    // The file as `check` walks it, then the project it belongs to, indexed the same way.
    const walk = await collectPythonFiles([args.file], { fs, cwd, isExcluded: settings.config.isExcluded });
    if (walk.files[0]) entryPath = walk.files[0].path;
    const files = walk.files.map((f) => f.path);
    if (files.length === 0) files.push(abs);
    const indexed = await indexProject(files, settings.paths, {
      fs,
      cwd,
      isExcluded: settings.config.isExcluded,
      maxFileSize: settings.maxFileSize,
      summarize: async (t, module, isPackage, file) => summarizeModule(t, module, isPackage, file),
    });
    const n = indexed.modules.get(entryPath);
    if (n && indexed.index.get(n.module)) project = { index: indexed.index, module: n.module, isPackage: n.isPackage };
  }
  const readModule = (p: string): string | undefined => {
    try {
      const bytes = nodeFs.readFileSync(path.sep === '/' ? p : p.split('/').join(path.sep));
      if (bytes.length > settings.maxFileSize) return undefined;
      const d = decodePythonSource(bytes);
      return d.ok ? d.text : undefined;
    } catch {
      return undefined;
    }
  };
  const ex = explainAt(text, offset, { ...(project ? { project } : {}), readModule });
  const display = displayPath(cwd, entryPath);
  if (!ex) {
    io.stderr.write(`${escapeControlChars(display)}:${args.line}:${args.column}: no expression to explain there\n`);
    return 1;
  }
  const start = lines.lineColumn(ex.start);
  const end = lines.lineColumn(ex.end);
  const stepPath = (p: string | undefined) => (p === undefined ? display : displayPath(cwd, path.sep === '/' ? p : p.split('/').join(path.sep)));
  if (args.format === 'json') {
    const out: JsonExplanation = {
      path: display,
      line: start.line,
      column: start.column,
      endLine: end.line,
      endColumn: end.column,
      expression: ex.expression,
      verdict: ex.verdict,
      type: ex.type,
      steps: ex.steps.map((s) => ({ path: stepPath(s.path), line: s.line, text: s.text })),
    };
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  const expr = ex.expression.replace(/\s*\n\s*/g, ' ');
  let out = `${escapeControlChars(display)}:${start.line}:${start.column}: \`${escapeControlChars(expr)}\` is ${escapeControlChars(ex.type)} [${ex.verdict}]\n`;
  for (const s of ex.steps) out += `  ${escapeControlChars(stepPath(s.path))}:${s.line}: ${escapeControlChars(s.text)}\n`;
  if (!project && settings.projectIndex)
    out += '  note: the project index holds no summary of this file (it neither mentions anyio nor imports a module that does): explained alone\n';
  io.stdout.write(out);
  return 0;
}
