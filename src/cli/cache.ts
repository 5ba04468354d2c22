/**
 * A per-file-content cache of engine results, so re-running `check` or `diff` over an unchanged
 * tree only reads and hashes the files.
 *
 * Layout: `<project>/.anyio-migrate-cache/<fingerprint>/<2 hex>/<key>.json`, with a `.gitignore` of
 * `*` at the top so the folder ignores itself. `<fingerprint>` is the package version plus a hash of
 * the engine and rule code; `<key>` is a SHA-256 over the fingerprint, the operation, its canonical
 * options and the text.
 *
 * The cache is ours or it is not used:
 * - Every component from the project folder down (the cache folder, the fingerprint folder, the
 *   2-hex folders, the entry files, the `.gitignore`) is `lstat`ed: a symbolic link or anything but
 *   a real directory (a regular file for entries) turns the cache off for the run, with one
 *   warning. Nothing is followed and nothing is deleted in that case.
 * - Entries are read with `O_NOFOLLOW | O_NONBLOCK`, the descriptor must be a regular file, and at
 *   most `MAX_ENTRY_BYTES` are read. Entries are written to a temp file created exclusively
 *   (`O_EXCL | O_NOFOLLOW`) in a folder verified just before, then renamed into place.
 * - Only our own files are ever deleted: folders of other engine versions whose names match the
 *   fingerprint pattern exactly and that are real directories, and in them only files named like
 *   our entries or our temp files (`lstat`: regular files); a folder left non-empty stays.
 *
 * Trust model. An entry stores the fingerprint, the operation, the options, the SHA-256 of the text
 * and the value, and an HMAC-SHA-256 of all of them under a per-user secret kept outside the
 * project (`$XDG_CACHE_HOME/anyio-migrate/cache-key`, else `~/.cache/...`; mode 0600, ours, never a
 * link). On read, every field must match the request and the text we just read, the HMAC must
 * verify, and the value must have the shape of a findings array or a fix result whose offsets lie
 * inside the text; anything else is a miss, never a result. So an entry someone else wrote — a
 * cache committed to a repository, restored by CI from another machine, or edited in place — is
 * never believed: forging one needs the secret, and whoever can read the user's secret can already
 * act as the user. The residual trust is therefore in the user's own cache-key file, not in the
 * project folder. If the secret cannot be kept (no writable home, a key file that is a link, has
 * group/other permissions or another owner), the cache is not used.
 *
 * `fix` does not use the cache at all: it rewrites what it reads (its inputs are rarely seen
 * again), so a cached result would seldom help, and recomputing means a fix that is written can
 * never come from anything but the engine itself. `diff` and `check` only print.
 *
 * Any I/O problem while reading or writing entries turns the cache off for the rest of the run
 * instead of failing it.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { AnalyzeOptions, Finding, FixOptions, FixResult } from '../core/types';
import { SUMMARY_VERSION, type ModuleSummary } from '../core/semantic/types';
import { readRegularFileSync } from '../workspace/safe-read';
import { isProcessAlive, registerTempFile, STALE_TEMP_AGE_MS, unregisterTempFile } from '../workspace/files';

export const CACHE_DIR_NAME = '.anyio-migrate-cache';
const FORMAT = 2;
/** A single entry is never read past this (a fix result holds at most two files' texts). */
export const MAX_ENTRY_BYTES = 64 * 1024 * 1024;

/** `<version, sanitised>-<16 hex>`: the only folder names we ever remove from the cache folder. */
export const FINGERPRINT_PATTERN = /^[0-9A-Za-z.+_-]+-[0-9a-f]{16}$/;
const SUBDIR_PATTERN = /^[0-9a-f]{2}$/;
const ENTRY_PATTERN = /^[0-9a-f]{64}\.json$/;
/** Our entry temp files: `<key>.json.<pid>.<8 hex>.tmp` (and format 1's `<pid>.<base36>`). */
export const CACHE_TEMP_PATTERN = /^[0-9a-f]{64}\.json\.([1-9][0-9]{0,9})\.([0-9a-z]{1,16})\.tmp$/;

const NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;
const CREATE_FLAGS = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | NOFOLLOW;

let fingerprintMemo: string | undefined;

function hashFilesUnder(h: ReturnType<typeof createHash>, dir: string): boolean {
  let names: string[];
  try {
    // Sub-folders too (`core/semantic/`): any compiled module of the engine changes the results.
    names = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((n) => n.endsWith('.js')).map((n) => n.split(path.sep).join('/')).sort();
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
    h.update(`format ${FORMAT}\n`);
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
function canonicalOptions(options: AnalyzeOptions | FixOptions): string {
  const o = options as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort()) {
    const v = o[k];
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? [...(v as string[])].sort() : v;
  }
  return JSON.stringify(out);
}

function sha256Text(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

// ------------------------------------------------------------------------- value validation

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isStr = (v: unknown): v is string => typeof v === 'string';
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isApplicability = (v: unknown): boolean => v === 'safe' || v === 'unsafe';
const CODE = /^ASY[0-9]{3}$/;

function validEdit(v: unknown, length: number): boolean {
  return isObj(v) && isInt(v.start) && isInt(v.end) && v.start <= v.end && v.end <= length && isStr(v.text);
}

function validImport(v: unknown): boolean {
  if (!isObj(v) || !isStr(v.module)) return false;
  if (v.name !== undefined && !isStr(v.name)) return false;
  if (v.asName !== undefined && !isStr(v.asName)) return false;
  if (v.fallback !== undefined && !(isObj(v.fallback) && isStr(v.fallback.module) && isStr(v.fallback.name))) return false;
  return true;
}

/** A finding whose offsets (and its fix's edits) lie inside a text of `length` UTF-16 units. */
function validFinding(v: unknown, length: number): boolean {
  if (!isObj(v)) return false;
  if (!isStr(v.code) || !CODE.test(v.code) || !isStr(v.rule) || !isStr(v.message)) return false;
  if (!isInt(v.start) || !isInt(v.end) || v.start > v.end || v.end > length) return false;
  if (v.severity !== 'error' && v.severity !== 'warning' && v.severity !== 'info') return false;
  if (typeof v.deprecated !== 'boolean') return false;
  if (v.noFixReason !== undefined && !isStr(v.noFixReason)) return false;
  if (v.fix !== undefined) {
    const f = v.fix;
    if (!isObj(f) || !isStr(f.title) || !isApplicability(f.applicability) || !Array.isArray(f.edits)) return false;
    if (!f.edits.every((e) => validEdit(e, length))) return false;
    if (f.imports !== undefined && !(Array.isArray(f.imports) && f.imports.every(validImport))) return false;
  }
  return true;
}

/** `analyze`'s value: an array of findings within `text`. */
export function validFindings(v: unknown, text: string): v is Finding[] {
  return Array.isArray(v) && v.every((f) => validFinding(f, text.length));
}

/** `fixAll`'s stored value (output `null` when it equals the input), checked against `text`. */
export function validStoredFix(v: unknown, text: string): v is Omit<FixResult, 'output'> & { output: string | null } {
  if (!isObj(v)) return false;
  if (v.output !== null && !isStr(v.output)) return false;
  const output = v.output ?? text;
  if (!Array.isArray(v.applied) || !v.applied.every((a) => isObj(a) && isStr(a.code) && CODE.test(a.code) && isStr(a.title) && isApplicability(a.applicability))) return false;
  if (!Array.isArray(v.remaining) || !v.remaining.every((f) => validFinding(f, output.length))) return false;
  if (v.refused !== undefined && !isStr(v.refused)) return false;
  if (typeof v.capped !== 'boolean') return false;
  // A refused result leaves the text as it was.
  if (v.refused !== undefined && v.output !== null) return false;
  return true;
}

// ----------------------------------------------------------------------------- the secret

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

// ------------------------------------------------------------------------------- the folder

/** `lstat` `p`: 'dir' only for a real directory (never through a link), 'missing', or what it is. */
function kindOf(p: string): 'dir' | 'file' | 'missing' | 'link' | 'other' {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw err;
  }
  if (st.isSymbolicLink()) return 'link';
  if (st.isDirectory()) return 'dir';
  if (st.isFile()) return 'file';
  return 'other';
}

class NotOurs extends Error {}

function describeKind(kind: string): string {
  return kind === 'link' ? 'is a symbolic link' : 'is not a directory';
}

/** Make sure `dir` is a real directory, creating it (never through a link) when missing. */
function ensureRealDir(dir: string, display: string): void {
  let kind = kindOf(dir);
  if (kind === 'missing') {
    try {
      fs.mkdirSync(dir); // not recursive: the parent was verified; mkdir never follows a final link
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    kind = kindOf(dir);
  }
  if (kind !== 'dir') throw new NotOurs(`${display} ${describeKind(kind)}`);
}

/**
 * Remove an old fingerprint folder of ours: only files named like our entries or temp files, only
 * regular files, only in 2-hex folders that are real directories; `rmdir` (which never removes a
 * non-empty folder and never follows a link) for the folders. Anything else is left in place.
 */
function removeOldFingerprint(dir: string): void {
  let subs: fs.Dirent[];
  try {
    subs = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const s of subs) {
    if (!SUBDIR_PATTERN.test(s.name)) continue;
    const sub = path.join(dir, s.name);
    try {
      if (kindOf(sub) !== 'dir') continue;
      for (const name of fs.readdirSync(sub)) {
        if (!ENTRY_PATTERN.test(name) && !CACHE_TEMP_PATTERN.test(name)) continue;
        const f = path.join(sub, name);
        if (kindOf(f) === 'file') fs.unlinkSync(f);
      }
      fs.rmdirSync(sub);
    } catch {
      /* left as it is */
    }
  }
  try {
    fs.rmdirSync(dir);
  } catch {
    /* not empty: something that is not ours is in it */
  }
}

export interface CacheStats {
  hits: number;
  misses: number;
  writes: number;
  /** Entries read but not believed (wrong fields, bad HMAC, bad shape): each also counted a miss. */
  rejected: number;
}

type Op = 'analyze' | 'fixAll' | 'summary';

interface Entry {
  format: number;
  fingerprint: string;
  op: Op;
  options: string;
  textHash: string;
  /** The value as JSON text: the HMAC covers exactly these characters. */
  value: string;
  mac: string;
}

export interface CacheOpenOptions {
  /** Folder of the per-user secret (default `defaultKeyDir()`). */
  keyDir?: string;
  /** Told once why the cache is not used (a link in its path, ...). */
  warn?: (message: string) => void;
}

export type CacheOpenResult = { cache: ResultCache; warning?: undefined } | { cache?: undefined; warning?: string };

export class ResultCache {
  /** Findings and fix results. */
  readonly stats: CacheStats = { hits: 0, misses: 0, writes: 0, rejected: 0 };
  /** The project index's module summaries. */
  readonly summaryStats: CacheStats = { hits: 0, misses: 0, writes: 0, rejected: 0 };
  private enabled = true;
  private readonly dir: string;
  /** 2-hex folders verified in this run (for reading). */
  private readonly readable = new Set<string>();
  /** 2-hex folders whose stale temp files were removed in this run. */
  private readonly cleaned = new Set<string>();
  private readonly warn: (message: string) => void;
  private warned = false;

  private constructor(
    readonly root: string,
    private readonly fingerprint: string,
    private readonly secret: Buffer,
    warn: ((message: string) => void) | undefined,
  ) {
    this.dir = path.join(root, fingerprint);
    this.warn = warn ?? (() => undefined);
  }

  /**
   * Open (creating if needed) the cache under `projectDir`. Without a cache, `warning` says why when
   * the reason is worth telling (a link or a non-directory in its path, no safe place for the
   * secret); a read-only tree just goes uncached, silently.
   */
  static open(projectDir: string, version: string, options: CacheOpenOptions = {}): CacheOpenResult {
    const root = path.join(projectDir, CACHE_DIR_NAME);
    const fingerprint = engineFingerprint(version);
    try {
      ensureRealDir(root, CACHE_DIR_NAME);
      const ignoreFile = path.join(root, '.gitignore');
      const ignoreKind = kindOf(ignoreFile);
      if (ignoreKind === 'missing') {
        try {
          const fd = fs.openSync(ignoreFile, CREATE_FLAGS, 0o644);
          try {
            fs.writeSync(fd, '# Created by anyio-migrate: this folder is a cache.\n*\n');
          } finally {
            fs.closeSync(fd);
          }
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        }
      }
      const ignoreNow = kindOf(ignoreFile);
      if (ignoreNow !== 'file') throw new NotOurs(`${CACHE_DIR_NAME}/.gitignore ${ignoreNow === 'link' ? 'is a symbolic link' : 'is not a regular file'}`);
      ensureRealDir(path.join(root, fingerprint), `${CACHE_DIR_NAME}/${fingerprint}`);
      for (const e of fs.readdirSync(root, { withFileTypes: true })) {
        if (e.name === fingerprint || !FINGERPRINT_PATTERN.test(e.name)) continue;
        const old = path.join(root, e.name);
        if (kindOf(old) === 'dir') removeOldFingerprint(old);
      }
    } catch (err) {
      if (err instanceof NotOurs) return { warning: `${err.message}; the cache is not used for this run (nothing in it was followed or deleted)` };
      return {};
    }
    const key = loadCacheSecret(options.keyDir ?? defaultKeyDir());
    if ('problem' in key) return { warning: `${key.problem}; the cache is not used for this run` };
    return { cache: new ResultCache(root, fingerprint, key.secret, options.warn) };
  }

  get active(): boolean {
    return this.enabled;
  }

  /** The cache key of one request: hex SHA-256 over fingerprint, operation, options and text. */
  key(op: Op, options: AnalyzeOptions | FixOptions, text: string): string {
    return createHash('sha256').update(`${this.fingerprint}\0${op}\0${canonicalOptions(options)}\0`).update(text, 'utf8').digest('hex');
  }

  private file(key: string): string {
    return path.join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  private mac(fields: Omit<Entry, 'mac'>): Buffer {
    return createHmac('sha256', this.secret)
      .update(`${fields.format}\0${fields.fingerprint}\0${fields.op}\0${fields.options}\0${fields.textHash}\0`)
      .update(fields.value, 'utf8')
      .digest();
  }

  /** Turn the cache off for the rest of the run, telling why once. */
  private disable(reason?: string): void {
    this.enabled = false;
    if (reason !== undefined && !this.warned) {
      this.warned = true;
      this.warn(`${reason}; the cache is not used for the rest of this run (nothing in it was followed or deleted)`);
    }
  }

  /**
   * Check the path down to the 2-hex folder of `key`: every component a real directory. For reading
   * (`create` false) once per folder per run, and a missing folder is a plain miss; for writing
   * (`create` true) before every write, creating the folder when missing, and on the first write
   * into a folder its stale temp files of ours are removed.
   */
  private verifyPath(key: string, create: boolean): boolean {
    const sub = path.join(this.dir, key.slice(0, 2));
    if (!create && this.readable.has(sub)) return true;
    try {
      const rootKind = kindOf(this.root);
      if (rootKind !== 'dir') throw new NotOurs(`${CACHE_DIR_NAME} ${describeKind(rootKind)}`);
      const fpKind = kindOf(this.dir);
      if (fpKind !== 'dir') throw new NotOurs(`${CACHE_DIR_NAME}/${this.fingerprint} ${describeKind(fpKind)}`);
      const display = `${CACHE_DIR_NAME}/${this.fingerprint}/${key.slice(0, 2)}`;
      if (!create) {
        const subKind = kindOf(sub);
        if (subKind === 'missing') return false;
        if (subKind !== 'dir') throw new NotOurs(`${display} ${describeKind(subKind)}`);
      } else {
        ensureRealDir(sub, display);
        if (!this.cleaned.has(sub)) {
          this.removeStaleTemps(sub);
          this.cleaned.add(sub);
        }
      }
      this.readable.add(sub);
      return true;
    } catch (err) {
      this.disable(err instanceof NotOurs ? err.message : undefined);
      return false;
    }
  }

  private removeStaleTemps(sub: string): void {
    const now = Date.now();
    for (const name of fs.readdirSync(sub)) {
      const m = CACHE_TEMP_PATTERN.exec(name);
      if (!m) continue;
      const pid = Number(m[1]);
      if (pid === process.pid) continue;
      const f = path.join(sub, name);
      try {
        const st = fs.lstatSync(f);
        if (!st.isFile()) continue;
        if (isProcessAlive(pid) && now - st.mtimeMs < STALE_TEMP_AGE_MS) continue;
        fs.unlinkSync(f);
      } catch {
        /* gone meanwhile */
      }
    }
  }

  private get(op: Op, options: AnalyzeOptions | FixOptions, text: string, valid: (v: unknown) => boolean): { key: string; value: unknown } {
    const key = this.key(op, options, text);
    if (!this.enabled) return { key, value: undefined };
    const stats = op === 'summary' ? this.summaryStats : this.stats;
    const miss = (rejected: boolean): { key: string; value: undefined } => {
      stats.misses++;
      if (rejected) stats.rejected++;
      return { key, value: undefined };
    };
    if (!this.verifyPath(key, false)) return miss(false);
    const read = readRegularFileSync(this.file(key), MAX_ENTRY_BYTES, { noFollow: true });
    if (!read.ok) {
      if (read.kind === 'symlink' || read.kind === 'not-regular') {
        this.disable(`a cache entry ${read.kind === 'symlink' ? 'is a symbolic link' : 'is not a regular file'}`);
        return miss(true);
      }
      return miss(read.code !== 'ENOENT');
    }
    let value: unknown;
    try {
      const entry = JSON.parse(read.bytes.toString('utf8')) as Partial<Entry>;
      if (
        !isObj(entry) ||
        entry.format !== FORMAT ||
        entry.fingerprint !== this.fingerprint ||
        entry.op !== op ||
        entry.options !== canonicalOptions(options) ||
        !isStr(entry.textHash) ||
        !isStr(entry.value) ||
        !isStr(entry.mac)
      ) {
        return miss(true);
      }
      if (entry.textHash !== sha256Text(text)) return miss(true);
      const stored = Buffer.from(entry.mac, 'hex');
      const expected = this.mac(entry as Entry);
      if (stored.length !== expected.length || !timingSafeEqual(stored, expected)) return miss(true);
      value = JSON.parse(entry.value);
    } catch {
      return miss(true);
    }
    if (!valid(value)) return miss(true);
    stats.hits++;
    return { key, value };
  }

  private set(key: string, op: Op, options: AnalyzeOptions | FixOptions, text: string, value: unknown): void {
    if (!this.enabled || !this.verifyPath(key, true)) return;
    const file = this.file(key);
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const fields: Omit<Entry, 'mac'> = { format: FORMAT, fingerprint: this.fingerprint, op, options: canonicalOptions(options), textHash: sha256Text(text), value: JSON.stringify(value) };
    const entry: Entry = { ...fields, mac: this.mac(fields).toString('hex') };
    let created = false;
    try {
      const fd = fs.openSync(tmp, CREATE_FLAGS, 0o644);
      created = true;
      registerTempFile(tmp);
      try {
        fs.writeSync(fd, JSON.stringify(entry));
      } finally {
        fs.closeSync(fd);
      }
      // rename(2) replaces whatever is at `file` (even a link) without following it.
      fs.renameSync(tmp, file);
      created = false;
      unregisterTempFile(tmp);
      (op === 'summary' ? this.summaryStats : this.stats).writes++;
    } catch {
      this.disable();
      if (created) {
        try {
          fs.unlinkSync(tmp);
        } catch {
          /* nothing more to do */
        }
        unregisterTempFile(tmp);
      }
    }
  }

  getFindings(options: AnalyzeOptions, text: string): { key: string; findings?: Finding[] } {
    const { key, value } = this.get('analyze', options, text, (v) => validFindings(v, text));
    return value !== undefined ? { key, findings: value as Finding[] } : { key };
  }

  setFindings(key: string, options: AnalyzeOptions, text: string, findings: readonly Finding[]): void {
    this.set(key, 'analyze', options, text, findings);
  }

  /** Fix results are stored without their output when it equals the input. */
  getFix(options: FixOptions, text: string): { key: string; result?: FixResult } {
    const { key, value } = this.get('fixAll', options, text, (v) => validStoredFix(v, text));
    if (value === undefined) return { key };
    const stored = value as Omit<FixResult, 'output'> & { output: string | null };
    return { key, result: { ...stored, output: stored.output ?? text } };
  }

  setFix(key: string, options: FixOptions, text: string, result: FixResult): void {
    this.set(key, 'fixAll', options, text, { ...result, output: result.output === text ? null : result.output });
  }

  /** A module's summary for the project index (it depends on the text, the module name and the path only). */
  getSummary(text: string, module: string, isPackage: boolean, file: string): { key: string; summary?: ModuleSummary } {
    const options = summaryOptions(module, isPackage, file);
    const { key, value } = this.get('summary', options, text, (v) => validSummary(v, text, module, file));
    return value !== undefined ? { key, summary: value as ModuleSummary } : { key };
  }

  setSummary(key: string, text: string, summary: ModuleSummary): void {
    this.set(key, 'summary', summaryOptions(summary.module, summary.isPackage, summary.path), text, summary);
  }
}

function summaryOptions(module: string, isPackage: boolean, file: string): AnalyzeOptions {
  return { module, isPackage, path: file, v: SUMMARY_VERSION } as AnalyzeOptions;
}

/** The shape of a stored summary, and that it is the summary of this very text and module. */
function validSummary(v: unknown, text: string, module: string, file: string): v is ModuleSummary {
  if (!isObj(v)) return false;
  const s = v as Record<string, unknown>;
  return (
    s['v'] === SUMMARY_VERSION &&
    s['module'] === module &&
    s['path'] === file &&
    s['hash'] === sha256Text(text) &&
    typeof s['isPackage'] === 'boolean' &&
    typeof s['mentionsAnyio'] === 'boolean' &&
    isObj(s['names']) &&
    ['imports', 'calls', 'escapes', 'stars'].every((k) => Array.isArray(s[k]))
  );
}
