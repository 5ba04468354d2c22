/**
 * A per-file-content cache of engine results, so re-running the CLI over an unchanged tree only
 * reads and hashes the files. An entry is keyed by the engine's fingerprint (package version plus
 * a hash of the engine and rule code that produced it), the operation and its options, and the
 * SHA-256 of the text: any change to one of them is a miss, never a stale answer.
 *
 * Layout: `<root>/.anyio-migrate-cache/<fingerprint>/<2 hex>/<key>.json`, with a `.gitignore` of
 * `*` at the top so the folder ignores itself (no edit to the project's .gitignore needed). Folders
 * of other fingerprints are removed when the cache is opened, so the cache does not grow across
 * upgrades. Entries are written to a temporary file and renamed into place: a concurrent run or a
 * crash can leave a missing entry, never a torn one. Any I/O problem turns the cache off for the
 * rest of the run instead of failing it.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { AnalyzeOptions, Finding, FixOptions, FixResult } from '../core/types';

export const CACHE_DIR_NAME = '.anyio-migrate-cache';
const FORMAT = 1;

let fingerprintMemo: string | undefined;

function hashFilesUnder(h: ReturnType<typeof createHash>, dir: string): boolean {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.js')).sort();
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
 * engine and rules (or of this bundle when bundled), so a rebuilt engine never reads old entries.
 */
export function engineFingerprint(version: string): string {
  if (fingerprintMemo === undefined) {
    const h = createHash('sha256');
    h.update(`format ${FORMAT}\n`);
    const core = path.join(__dirname, '..', 'core');
    const rules = path.join(__dirname, '..', 'rules');
    const found = hashFilesUnder(h, core) && hashFilesUnder(h, rules);
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

export interface CacheStats {
  hits: number;
  misses: number;
  writes: number;
}

type Op = 'analyze' | 'fixAll';

interface Entry {
  key: string;
  value: unknown;
}

export class ResultCache {
  readonly stats: CacheStats = { hits: 0, misses: 0, writes: 0 };
  private enabled = true;
  private readonly dir: string;
  /** Sub-folders known to exist (one `mkdir` per folder per run, not per entry). */
  private readonly made = new Set<string>();

  private constructor(
    readonly root: string,
    private readonly fingerprint: string,
  ) {
    this.dir = path.join(root, fingerprint);
  }

  /**
   * Open (creating if needed) the cache under `projectDir`. Returns undefined when the folder
   * cannot be created (read-only tree): the run then simply goes uncached.
   */
  static open(projectDir: string, version: string): ResultCache | undefined {
    const root = path.join(projectDir, CACHE_DIR_NAME);
    const fingerprint = engineFingerprint(version);
    try {
      fs.mkdirSync(path.join(root, fingerprint), { recursive: true });
      const ignoreFile = path.join(root, '.gitignore');
      if (!fs.existsSync(ignoreFile)) fs.writeFileSync(ignoreFile, '# Created by anyio-migrate: this folder is a cache.\n*\n');
      for (const e of fs.readdirSync(root, { withFileTypes: true })) {
        if (e.isDirectory() && e.name !== fingerprint) fs.rmSync(path.join(root, e.name), { recursive: true, force: true });
      }
    } catch {
      return undefined;
    }
    return new ResultCache(root, fingerprint);
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

  private get(op: Op, options: AnalyzeOptions | FixOptions, text: string): { key: string; value: unknown } {
    const key = this.key(op, options, text);
    if (!this.enabled) return { key, value: undefined };
    let raw: string;
    try {
      raw = fs.readFileSync(this.file(key), 'utf8');
    } catch {
      this.stats.misses++;
      return { key, value: undefined };
    }
    try {
      const entry = JSON.parse(raw) as Entry;
      if (entry && entry.key === key && entry.value !== undefined) {
        this.stats.hits++;
        return { key, value: entry.value };
      }
    } catch {
      /* a damaged entry is a miss; it is overwritten below */
    }
    this.stats.misses++;
    return { key, value: undefined };
  }

  private set(key: string, value: unknown): void {
    if (!this.enabled) return;
    const file = this.file(key);
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      const sub = path.dirname(file);
      if (!this.made.has(sub)) {
        fs.mkdirSync(sub, { recursive: true });
        this.made.add(sub);
      }
      fs.writeFileSync(tmp, JSON.stringify({ key, value } satisfies Entry));
      fs.renameSync(tmp, file);
      this.stats.writes++;
    } catch {
      this.enabled = false;
      try {
        fs.rmSync(tmp, { force: true });
      } catch {
        /* nothing more to do */
      }
    }
  }

  getFindings(options: AnalyzeOptions, text: string): { key: string; findings?: Finding[] } {
    const { key, value } = this.get('analyze', options, text);
    return Array.isArray(value) ? { key, findings: value as Finding[] } : { key };
  }

  setFindings(key: string, findings: readonly Finding[]): void {
    this.set(key, findings);
  }

  /** Fix results are stored without their output when it equals the input. */
  getFix(options: FixOptions, text: string): { key: string; result?: FixResult } {
    const { key, value } = this.get('fixAll', options, text);
    if (typeof value !== 'object' || value === null) return { key };
    const stored = value as Omit<FixResult, 'output'> & { output: string | null };
    return { key, result: { ...stored, output: stored.output ?? text } };
  }

  setFix(key: string, text: string, result: FixResult): void {
    this.set(key, { ...result, output: result.output === text ? null : result.output });
  }
}
