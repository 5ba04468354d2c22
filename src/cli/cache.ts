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
 *
 * Modules: `cache-folder.ts` (the folder and its ownership checks), `cache-key.ts` (fingerprint,
 * canonical options, the per-user secret), `cache-entry.ts` (the entry format and the checks a
 * stored value must pass); this one reads and writes entries.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'crypto';
import * as fs from 'fs';
import type { AnalyzeOptions, Finding, FixOptions, FixResult } from '../core/types';
import type { ModuleSummary } from '../core/semantic/types';
import { readRegularFileSync } from '../workspace/safe-read';
import { registerTempFile, unregisterTempFile } from '../workspace/files';
import { CacheFolder, CREATE_FLAGS, NotOurs, prepareCacheFolder } from './cache-folder';
import { CACHE_FORMAT, canonicalOptions, defaultKeyDir, engineFingerprint, loadCacheSecret, sha256Text } from './cache-key';
import { isObj, isStr, summaryOptions, validFindings, validStoredFix, validSummary, type Entry, type Op } from './cache-entry';

export { CACHE_DIR_NAME, CACHE_TEMP_PATTERN, FINGERPRINT_PATTERN } from './cache-folder';
export { defaultKeyDir, engineFingerprint, loadCacheSecret } from './cache-key';
export { validFindings, validStoredFix } from './cache-entry';

/** A single entry is never read past this (a fix result holds at most two files' texts). */
export const MAX_ENTRY_BYTES = 64 * 1024 * 1024;

export interface CacheStats {
  hits: number;
  misses: number;
  writes: number;
  /** Entries read but not believed (wrong fields, bad HMAC, bad shape): each also counted a miss. */
  rejected: number;
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
  private readonly folder: CacheFolder;
  private readonly warn: (message: string) => void;
  private warned = false;

  private constructor(
    readonly root: string,
    private readonly fingerprint: string,
    private readonly secret: Buffer,
    warn: ((message: string) => void) | undefined,
  ) {
    this.folder = new CacheFolder(root, fingerprint);
    this.warn = warn ?? (() => undefined);
  }

  /**
   * Open (creating if needed) the cache under `projectDir`. Without a cache, `warning` says why when
   * the reason is worth telling (a link or a non-directory in its path, no safe place for the
   * secret); a read-only tree just goes uncached, silently.
   */
  static open(projectDir: string, version: string, options: CacheOpenOptions = {}): CacheOpenResult {
    const fingerprint = engineFingerprint(version);
    let root: string;
    try {
      root = prepareCacheFolder(projectDir, fingerprint);
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
    return createHash('sha256')
      .update(`${this.fingerprint}\0${op}\0${canonicalOptions(options)}\0`)
      .update(text, 'utf8')
      .digest('hex');
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

  /** `CacheFolder.verifyPath`, turning the cache off when something in the path is not ours or fails. */
  private verifyPath(key: string, create: boolean): boolean {
    try {
      return this.folder.verifyPath(key, create);
    } catch (err) {
      this.disable(err instanceof NotOurs ? err.message : undefined);
      return false;
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
    const read = readRegularFileSync(this.folder.entryFile(key), MAX_ENTRY_BYTES, { noFollow: true });
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
        entry.format !== CACHE_FORMAT ||
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
    const file = this.folder.entryFile(key);
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const fields: Omit<Entry, 'mac'> = {
      format: CACHE_FORMAT,
      fingerprint: this.fingerprint,
      op,
      options: canonicalOptions(options),
      textHash: sha256Text(text),
      value: JSON.stringify(value),
    };
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
