/** Run the CLI in-process with captured output. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { run, type RunIO } from '../../src/cli/run';

let keyDir: string | undefined;
/**
 * The cache's per-user secret for in-process runs: one folder of this test process's own (removed at
 * exit), so the tests never write the user's `~/.cache/anyio-migrate`.
 */
export function testCacheKeyDir(): string {
  if (keyDir === undefined) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anyio-migrate-key-'));
    keyDir = path.join(dir, 'key');
    process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  }
  return keyDir;
}

export class Capture {
  readonly chunks: Buffer[] = [];
  isTTY = false;
  write(chunk: string | Uint8Array): boolean {
    this.chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk));
    return true;
  }
  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
  get text(): string {
    return this.bytes.toString('utf8');
  }
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
}

export async function runCli(argv: string[], io: Partial<RunIO> & { cwd: string }): Promise<CliResult> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await run(argv, { cacheKeyDir: testCacheKeyDir(), ...io, stdout, stderr });
  return { code, stdout: stdout.text, stderr: stderr.text, stdoutBytes: stdout.bytes };
}
