/** Shared helpers for the CLI tests: temp trees, captured streams, an in-process `run`. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const SAMPLE_PROJECT = path.join(REPO_ROOT, 'examples', 'sample-project');
export const IS_ROOT = typeof process.getuid === 'function' && process.getuid() === 0;

export function makeTempDir(prefix = 'anyio-migrate-cli-'): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
}

export function removeDir(dir: string): void {
  // Restore permissions first so a test that chmod-ed something cannot make cleanup fail.
  const restore = (p: string): void => {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch {
      return;
    }
    if (st.isSymbolicLink()) return;
    try {
      fs.chmodSync(p, st.isDirectory() ? 0o755 : 0o644);
    } catch {
      /* ignore */
    }
    if (st.isDirectory()) for (const e of fs.readdirSync(p)) restore(path.join(p, e));
  };
  restore(dir);
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Create files under `root`: `{ 'a/b.py': 'text' }` (string: UTF-8; Buffer: raw bytes). */
export function writeTree(root: string, files: Record<string, string | Buffer>): void {
  for (const [rel, content] of Object.entries(files)) {
    const full = path.join(root, rel);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
  }
}

/** Write one file under `root` (creating its folders) and return its path. */
export function writeFile(root: string, rel: string, text: string): string {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

/** A small AnyIO 2 module with findings that all have safe fixes. */
export const V2_SAFE = [
  'import anyio',
  '',
  '',
  'async def main():',
  '    start = await anyio.current_time()',
  '    event = anyio.create_event()',
  '    return start, event',
  '',
].join('\n');

/** The same module migrated (what `fix` must produce for V2_SAFE). */
export const V2_SAFE_FIXED = ['import anyio', '', '', 'async def main():', '    start = anyio.current_time()', '    event = anyio.Event()', '    return start, event', ''].join(
  '\n',
);

export function readText(file: string): string {
  return fs.readFileSync(file, 'utf8');
}
