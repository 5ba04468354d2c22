/**
 * What names and authenticates a cache entry: the engine fingerprint (package version plus a hash
 * of the compiled engine and rules), the canonical form of the options, the SHA-256 of a text, and
 * the per-user secret the entries' HMACs are made with (kept outside the project, mode 0600, ours,
 * never a link). See `cache.ts` for the trust model.
 */
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { AnalyzeOptions, FixOptions } from '../core/types';
import { readRegularFileSync } from '../workspace/safe-read';
import { CREATE_FLAGS } from './cache-folder';

/** The entry format; part of the fingerprint, so a new format never reads old entries. */
export const CACHE_FORMAT = 2;

let fingerprintMemo: string | undefined;

function hashFilesUnder(h: ReturnType<typeof createHash>, dir: string): boolean {
  let names: string[];
  try {
    // Sub-folders too (`core/semantic/`): any compiled module of the engine changes the results.
    names = (fs.readdirSync(dir, { recursive: true }) as string[])
      .filter((n) => n.endsWith('.js'))
      .map((n) => n.split(path.sep).join('/'))
      .sort();
  } catch {
    return false;
  }
  for (const n of names) {
    h.update(n);
    h.update(fs.readFileSync(path.join(dir, n)));
  }
  return names.length > 0;
}

/**
 * Identifies the code that computes results: the package version and a hash of the compiled
 * engine, rules and the module wiring them (or of this bundle when bundled), so a rebuilt engine
 * never reads old entries.
 */
export function engineFingerprint(version: string): string {
  if (fingerprintMemo === undefined) {
    const h = createHash('sha256');
    h.update(`format ${CACHE_FORMAT}\n`);
    const core = path.join(__dirname, '..', 'core');
    const rules = path.join(__dirname, '..', 'rules');
    const wiring = path.join(__dirname, '..', 'engine.js');
    const found = hashFilesUnder(h, core) && hashFilesUnder(h, rules) && fs.existsSync(wiring);
    if (found) h.update(fs.readFileSync(wiring));
    if (!found) {
      try {
        h.update(fs.readFileSync(__filename));
      } catch {
        h.update(String(Date.now())); // unknown code: entries can never be reused
      }
    }
    fingerprintMemo = h.digest('hex').slice(0, 16);
  }
  return `${version.replace(/[^0-9A-Za-z.+-]/g, '_')}-${fingerprintMemo}`;
}

/** Options in a canonical form (sorted keys, sorted code lists) so equal settings share entries. */
/** Options in a canonical form (sorted keys, sorted code lists) so equal settings share entries. */
export function canonicalOptions(options: AnalyzeOptions | FixOptions): string {
  const o = options as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort()) {
    const v = o[k];
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? [...(v as string[])].sort() : v;
  }
  return JSON.stringify(out);
}

export function sha256Text(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Where the per-user secret lives: `$XDG_CACHE_HOME/anyio-migrate`, else `~/.cache/anyio-migrate`. */
export function defaultKeyDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache');
  return path.join(base, 'anyio-migrate');
}

const KEY_FILE = 'cache-key';
const KEY_TEXT = /^([0-9a-f]{64})\n?$/;

/**
 * Read (creating on first use) the per-user secret the entries are authenticated with. It must be
 * a regular file (not a link), owned by us, with no group or other permissions.
 */
export function loadCacheSecret(keyDir: string): { secret: Buffer } | { problem: string } {
  const file = path.join(keyDir, KEY_FILE);
  try {
    fs.mkdirSync(keyDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    return { problem: `cannot create ${keyDir} for the cache key (${(err as Error).message})` };
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    let st: fs.Stats | undefined;
    try {
      st = fs.lstatSync(file);
    } catch {
      st = undefined;
    }
    if (!st) {
      try {
        const fd = fs.openSync(file, CREATE_FLAGS, 0o600);
        try {
          fs.writeSync(fd, `${randomBytes(32).toString('hex')}\n`);
          fs.fsyncSync(fd);
        } finally {
          fs.closeSync(fd);
        }
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue; // another run made it: read theirs
        return { problem: `cannot create the cache key ${file} (${(err as Error).message})` };
      }
      continue;
    }
    if (!st.isFile()) return { problem: `the cache key ${file} is not a regular file` };
    const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
    if (uid !== undefined && st.uid !== uid) return { problem: `the cache key ${file} belongs to another user` };
    if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) return { problem: `the cache key ${file} is readable or writable by others` };
    const read = readRegularFileSync(file, 256, { noFollow: true });
    const m = read.ok ? KEY_TEXT.exec(read.bytes.toString('latin1')) : null;
    if (!m) return { problem: `the cache key ${file} is damaged (delete it to make a new one)` };
    return { secret: Buffer.from(m[1]!, 'hex') };
  }
  return { problem: `cannot create the cache key ${file}` };
}
