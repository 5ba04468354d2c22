/**
 * The cache folder, ours or not used: `<project>/.anyio-migrate-cache/<fingerprint>/<2 hex>/`.
 * Every component is `lstat`ed (a symbolic link or anything but a real directory throws `NotOurs`),
 * folders are created without following links, and only our own files are ever deleted: folders
 * of other engine versions named exactly like fingerprints, in them only files named like our
 * entries or temp files, and stale temp files of dead runs.
 */
import * as fs from 'fs';
import * as path from 'path';
import { isProcessAlive, STALE_TEMP_AGE_MS } from '../workspace/files';

export const CACHE_DIR_NAME = '.anyio-migrate-cache';

/** `<version, sanitised>-<16 hex>`: the only folder names we ever remove from the cache folder. */
export const FINGERPRINT_PATTERN = /^[0-9A-Za-z.+_-]+-[0-9a-f]{16}$/;
const SUBDIR_PATTERN = /^[0-9a-f]{2}$/;
const ENTRY_PATTERN = /^[0-9a-f]{64}\.json$/;
/** Our entry temp files: `<key>.json.<pid>.<8 hex>.tmp` (and format 1's `<pid>.<base36>`). */
export const CACHE_TEMP_PATTERN = /^[0-9a-f]{64}\.json\.([1-9][0-9]{0,9})\.([0-9a-z]{1,16})\.tmp$/;

const NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;
/** Create a new file exclusively, never through a link. */
export const CREATE_FLAGS = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | NOFOLLOW;

/** `lstat` `p`: 'dir' only for a real directory (never through a link), 'missing', or what it is. */
export function kindOf(p: string): 'dir' | 'file' | 'missing' | 'link' | 'other' {
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

/** Something in the cache's path is not ours (a link, not a directory): the cache is not used. */
export class NotOurs extends Error {}

export function describeKind(kind: string): string {
  return kind === 'link' ? 'is a symbolic link' : 'is not a directory';
}

/** Make sure `dir` is a real directory, creating it (never through a link) when missing. */
export function ensureRealDir(dir: string, display: string): void {
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

/**
 * Make `<projectDir>/.anyio-migrate-cache` (with its self-ignoring `.gitignore`) and its folder for
 * `fingerprint`, and remove the folders of other engine versions. Throws `NotOurs` when something
 * in the way is not ours; other errors (a read-only tree) are thrown as they are.
 */
export function prepareCacheFolder(projectDir: string, fingerprint: string): string {
  const root = path.join(projectDir, CACHE_DIR_NAME);
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
  return root;
}

/** The fingerprint folder of a run: its entries' paths, and the checks before reading and writing them. */
export class CacheFolder {
  readonly dir: string;
  /** 2-hex folders verified in this run (for reading). */
  private readonly readable = new Set<string>();
  /** 2-hex folders whose stale temp files were removed in this run. */
  private readonly cleaned = new Set<string>();

  constructor(
    readonly root: string,
    private readonly fingerprint: string,
  ) {
    this.dir = path.join(root, fingerprint);
  }

  entryFile(key: string): string {
    return path.join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  /**
   * Check the path down to the 2-hex folder of `key`: every component a real directory, else
   * `NotOurs`. For reading (`create` false) once per folder per run, and a missing folder is
   * `false` (a plain miss); for writing (`create` true) before every write, creating the folder
   * when missing, and on the first write into a folder its stale temp files of ours are removed.
   */
  verifyPath(key: string, create: boolean): boolean {
    const sub = path.join(this.dir, key.slice(0, 2));
    if (!create && this.readable.has(sub)) return true;
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
        removeStaleTemps(sub);
        this.cleaned.add(sub);
      }
    }
    this.readable.add(sub);
    return true;
  }
}

/** Remove our entry temp files in `sub` left by runs that are gone (or older than the stale age). */
function removeStaleTemps(sub: string): void {
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
