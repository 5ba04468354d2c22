/**
 * `--verify`: ask a Python interpreter whether a fixed file still parses. Only `ast.parse` runs,
 * on the bytes that would be written (so coding cookies and BOMs are honoured); user code never
 * runs. `-I` isolates the interpreter from the environment, user site-packages and the cwd.
 */
import { spawn } from 'child_process';

const SCRIPT = [
  'import ast, sys',
  'try:',
  '    ast.parse(sys.stdin.buffer.read())',
  'except SyntaxError as e:',
  '    sys.stderr.write("line %s: %s" % (e.lineno, e.msg))',
  '    sys.exit(1)',
].join('\n');

export type VerifyResult = { ok: true } | { ok: false; reason: string };

function runPython(python: string, args: string[], input: Uint8Array, timeoutMs: number): Promise<{ code: number | null; stderr: string; spawnError?: NodeJS.ErrnoException }> {
  return new Promise((resolve) => {
    let stderr = '';
    let settled = false;
    const child = spawn(python, args, { stdio: ['pipe', 'ignore', 'pipe'], env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      if (stderr.length < 10_000) stderr += d;
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ code: null, stderr, spawnError: err });
    });
    child.on('close', (code) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ code, stderr });
    });
    child.stdin.on('error', () => undefined); // EPIPE if python exits early; the exit code tells
    child.stdin.end(input);
  });
}

/** Whether `python` can be started at all (`undefined`) or why not. */
export async function pythonProblem(python: string): Promise<string | undefined> {
  const r = await runPython(python, ['-I', '-c', 'import ast'], new Uint8Array(), 15_000);
  if (r.spawnError) return r.spawnError.code === 'ENOENT' ? `'${python}' was not found on PATH` : `cannot run '${python}': ${r.spawnError.message}`;
  if (r.code !== 0) return `'${python}' failed to start (exit status ${r.code}): ${r.stderr.trim().split('\n').pop() ?? ''}`;
  return undefined;
}

/** Does `source` (the exact bytes of a Python file) parse? */
export async function verifyPythonSource(python: string, source: Uint8Array): Promise<VerifyResult> {
  const r = await runPython(python, ['-I', '-c', SCRIPT], source, 30_000);
  if (r.spawnError) return { ok: false, reason: `cannot run ${python}: ${r.spawnError.message}` };
  if (r.code === 0) return { ok: true };
  const detail = r.stderr.trim().split('\n').pop() ?? '';
  return { ok: false, reason: r.code === null ? 'python3 timed out' : `result does not parse with ${python} (${detail})` };
}
