/**
 * Runs CPython for the tests: bounded parallelism, a timeout per process, stdout/stderr decoded as
 * UTF-8. Reusable by any test that needs "runtime truth" (the fixture harness, CLI tests, ...).
 *
 * The interpreter is `/usr/bin/python3` (Debian's, with python3-anyio 3.6.2) unless
 * `ANYIO_MIGRATE_PYTHON` names another one.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';

export const PYTHON: string = process.env['ANYIO_MIGRATE_PYTHON'] ?? '/usr/bin/python3';

/** AnyIO 2.2.0's vendored source (test/runtimes): put on PYTHONPATH to run a program on AnyIO 2. */
export const ANYIO2_SRC: string = path.join(__dirname, '..', '..', '..', 'test', 'runtimes', 'anyio-2.2.0', 'src');

/** Which AnyIO a program runs on: Debian's 3.6.2, or the vendored 2.2.0. */
export type AnyioRuntime = 'anyio3' | 'anyio2';

/** Extra environment that selects `runtime` (Debian's python3-anyio is on the path by default). */
export function runtimeEnv(runtime: AnyioRuntime): Record<string, string> {
  return runtime === 'anyio2' ? { PYTHONPATH: ANYIO2_SRC } : {};
}

/** Default per-process timeout. */
export const DEFAULT_TIMEOUT_MS = 20_000;

export interface PythonRun {
  /** Exit code, or null when the process was killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface RunPythonOptions {
  /** Bytes (or UTF-8 text) for standard input; stdin is closed right after. */
  stdin?: string | Buffer;
  /** Per-process timeout in milliseconds (default 20 s). */
  timeoutMs?: number;
  cwd?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

/**
 * A counting semaphore for promises: at most `limit` tasks run at once, the rest wait in FIFO order.
 */
export class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/** The pool all test python processes share: two at a time. */
export const pythonPool = new Limiter(2);

/** Environment for a deterministic interpreter: UTF-8 I/O, no user warning filters, no bytecode files. */
function pythonEnv(extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['PYTHONWARNINGS'];
  delete env['PYTHONDEVMODE'];
  delete env['PYTHONSTARTUP'];
  delete env['PYTHONPATH'];
  env['PYTHONIOENCODING'] = 'utf-8';
  env['PYTHONUTF8'] = '1';
  env['PYTHONDONTWRITEBYTECODE'] = '1';
  return { ...env, ...extra };
}

/** Run `python <args>` right away (no pool). Never rejects for a failing script: inspect the result. */
export function runPythonNow(args: readonly string[], options: RunPythonOptions = {}): Promise<PythonRun> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise<PythonRun>((resolve, reject) => {
    const child = spawn(PYTHON, [...args], {
      cwd: options.cwd,
      env: pythonEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${PYTHON}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
      });
    });
    // A script that exits before reading stdin makes the write fail with EPIPE: that is not an error here.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin ?? '');
  });
}

/** Run `python <args>` through the shared pool (at most two at once). */
export function runPython(args: readonly string[], options: RunPythonOptions = {}): Promise<PythonRun> {
  return pythonPool.run(() => runPythonNow(args, options));
}

/** Run a script file; `warningsAsErrors` adds `-W error::DeprecationWarning`. */
export function runPythonFile(file: string, { warningsAsErrors = false, ...options }: RunPythonOptions & { warningsAsErrors?: boolean } = {}): Promise<PythonRun> {
  const args = warningsAsErrors ? ['-W', 'error::DeprecationWarning', file] : [file];
  return runPython(args, options);
}

export interface SyntaxCheck {
  ok: boolean;
  /** CPython's error output when `ok` is false. */
  message: string;
}

/** Does CPython's own parser accept `source` (bytes as given, BOM and CRLF included)? */
export async function checkPythonSyntax(source: string | Buffer): Promise<SyntaxCheck> {
  const run = await runPython(['-c', 'import ast,sys; ast.parse(sys.stdin.buffer.read())'], { stdin: source });
  return { ok: run.code === 0 && !run.timedOut, message: run.stderr.trim() };
}

/** One line for an assertion message: how a run ended, with the tail of stderr. */
export function describeRun(run: PythonRun): string {
  const how = run.timedOut ? 'timed out' : run.signal ? `killed by ${run.signal}` : `exit code ${run.code}`;
  const tail = run.stderr.trim().split('\n').slice(-12).join('\n');
  return tail ? `${how}; stderr:\n${tail}` : how;
}

/** The version of AnyIO importable by PYTHON, or undefined when there is none. */
export async function installedAnyioVersion(): Promise<string | undefined> {
  try {
    const run = await runPython(['-c', 'import anyio, importlib.metadata as m; print(m.version("anyio"))']);
    return run.code === 0 ? run.stdout.trim() : undefined;
  } catch {
    return undefined;
  }
}
