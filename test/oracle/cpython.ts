/**
 * CPython as a second, authoritative parser: one long-lived `python3` process that answers "does
 * this text compile?" for many texts over a JSON-lines protocol on stdin/stdout (spawning python
 * per text is far too slow for corpora of thousands of texts).
 *
 * Request (one line):  {"id": 7, "src": "<the text>"}
 * Response (one line): {"id": 7, "ok": true}  or  {"id": 7, "ok": false, "msg": "SyntaxError: ..."}
 *
 * The text is encoded as UTF-8 and handed to `compile(..., 'exec')` as bytes, so a BOM, CRLF and a
 * PEP 263 cookie are honoured exactly as for a file on disk; a text that cannot be encoded as UTF-8
 * (a lone surrogate) does not compile. `compile` (not only `ast.parse`) also catches the errors of
 * the compiler pass, such as `'await' outside async function`. Nothing is executed.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { PYTHON } from '../support/python';

export interface CompileResult {
  ok: boolean;
  /** CPython's error (`SyntaxError: ... (line N)`) when `ok` is false. */
  message: string;
}

const SERVER = String.raw`
import json, sys, warnings
warnings.simplefilter("ignore")
out = sys.stdout
for line in sys.stdin.buffer:
    rid = None
    try:
        req = json.loads(line)
        rid = req["id"]
        src = req["src"]
        try:
            data = src.encode("utf-8")
        except UnicodeEncodeError as e:
            res = {"id": rid, "ok": False, "msg": "not encodable as UTF-8: %s" % e}
        else:
            try:
                compile(data, "<oracle>", "exec", dont_inherit=True)
                res = {"id": rid, "ok": True}
            except BaseException as e:
                if isinstance(e, KeyboardInterrupt):
                    raise
                res = {"id": rid, "ok": False, "msg": "%s: %s" % (type(e).__name__, e)}
    except Exception as e:
        res = {"id": rid, "ok": False, "msg": "oracle protocol error: %r" % (e,), "protocol": True}
    out.write(json.dumps(res) + "\n")
    out.flush()
`;

interface Pending {
  id: number;
  resolve: (r: CompileResult) => void;
  reject: (e: Error) => void;
}

/** A long-lived CPython that compiles texts; requests are pipelined and answered in order. */
export class CPythonOracle {
  private child: ChildProcessWithoutNullStreams | undefined;
  private pending: Pending[] = [];
  private buffer = '';
  private nextId = 1;
  private closed = false;
  /** Texts checked so far (for reports). */
  checked = 0;
  /** Times the python process died and was restarted. */
  restarts = 0;

  constructor(private readonly python: string = PYTHON) {}

  private ensure(): ChildProcessWithoutNullStreams {
    if (this.closed) throw new Error('CPythonOracle is closed');
    if (this.child) return this.child;
    const env: NodeJS.ProcessEnv = { ...process.env, PYTHONIOENCODING: 'utf-8', PYTHONUTF8: '1', PYTHONDONTWRITEBYTECODE: '1' };
    delete env['PYTHONSTARTUP'];
    delete env['PYTHONPATH'];
    delete env['PYTHONWARNINGS'];
    const child = spawn(this.python, ['-I', '-S', '-c', SERVER], { stdio: ['pipe', 'pipe', 'pipe'], env });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => this.onData(chunk));
    child.stderr.on('data', () => undefined);
    child.stdin.on('error', () => undefined);
    child.on('error', (e) => this.onExit(child, `cannot run ${this.python}: ${e.message}`));
    child.on('exit', (code, signal) => this.onExit(child, `python exited (code ${code}, signal ${signal})`));
    this.child = child;
    this.setRef(child, false);
    return child;
  }

  /**
   * The process keeps node's event loop alive only while answers are awaited: an idle oracle never
   * holds the test runner open, and a pending answer is never lost to an exiting loop.
   */
  private setRef(child: ChildProcessWithoutNullStreams, on: boolean): void {
    for (const handle of [child, child.stdin, child.stdout, child.stderr] as unknown as Array<{ ref?: () => void; unref?: () => void }>) {
      if (on) handle.ref?.();
      else handle.unref?.();
    }
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    for (let nl = this.buffer.indexOf('\n'); nl !== -1; nl = this.buffer.indexOf('\n')) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      const p = this.pending.shift();
      if (this.pending.length === 0 && this.child) this.setRef(this.child, false);
      if (!p) continue;
      let msg: { id: number; ok: boolean; msg?: string; protocol?: boolean };
      try {
        msg = JSON.parse(line) as typeof msg;
      } catch {
        p.reject(new Error(`oracle: unreadable answer ${JSON.stringify(line.slice(0, 200))}`));
        continue;
      }
      if (msg.id !== p.id || msg.protocol) p.reject(new Error(`oracle: ${msg.protocol ? msg.msg : `answer ${msg.id} for request ${p.id}`}`));
      else p.resolve({ ok: msg.ok, message: msg.msg ?? '' });
    }
  }

  private onExit(child: ChildProcessWithoutNullStreams, why: string): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.buffer = '';
    const waiting = this.pending;
    this.pending = [];
    if (!this.closed) this.restarts++;
    // The interpreter itself died (it should not on any input): report it on every open request.
    for (const p of waiting) p.reject(new Error(`oracle: ${why}`));
  }

  /** Does CPython compile `text` (as the UTF-8 bytes of a file)? */
  compile(text: string): Promise<CompileResult> {
    const child = this.ensure();
    const id = this.nextId++;
    this.checked++;
    return new Promise<CompileResult>((resolve, reject) => {
      if (this.pending.length === 0) this.setRef(child, true);
      this.pending.push({ id, resolve, reject });
      child.stdin.write(JSON.stringify({ id, src: text }) + '\n');
    });
  }

  /** Convenience: true when `text` compiles. */
  async compiles(text: string): Promise<boolean> {
    return (await this.compile(text)).ok;
  }

  close(): void {
    this.closed = true;
    const child = this.child;
    this.child = undefined;
    for (const p of this.pending) p.reject(new Error('oracle closed'));
    this.pending = [];
    if (child) {
      child.stdin.end();
      child.kill();
    }
  }
}
