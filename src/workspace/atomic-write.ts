/**
 * Writing files we did not create without ever losing what is not ours: the identity of what was
 * read (content hash, inode, size, times), temp files next to the target (tracked so signal
 * handlers and later runs can remove them), and the atomic replace that refuses when the file
 * changed, vanished or became a link since it was read.
 */
import * as path from 'path';
import { constants as fsConstants, lstatSync, unlinkSync } from 'fs';
import type { Dirent, Stats } from 'fs';
import { createHash, randomBytes } from 'crypto';
import { type FileSystem, nodeFileSystem, errorCode, describeError } from './fsys';
import { describeFileType, readRegularFileSync } from './safe-read';

/** Why a write was not done. */
export class WriteRefused extends Error {
  constructor(
    message: string,
    /**
     * `changed`: the file is not what was read (content, inode, size or times differ); `vanished`:
     * it no longer exists (deleted or renamed away; we never re-create it); `symlink`: the path is a
     * symbolic link (writes never go through links); `read-only`; `io`: anything else.
     */
    readonly kind: 'changed' | 'vanished' | 'symlink' | 'read-only' | 'io',
  ) {
    super(message);
    this.name = 'WriteRefused';
  }
}

/**
 * What a file was when it was read, compared again immediately before it is replaced: the inode
 * (device and number), size, modification and status-change times, and the SHA-256 of its bytes.
 */
export interface FileIdentity {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  /** Hex SHA-256 of the bytes the new content was computed from. */
  sha256: string;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function identityFromStats(st: Stats, sha256: string): FileIdentity {
  return { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, sha256 };
}

function sameFile(st: Stats, id: FileIdentity): boolean {
  return st.dev === id.dev && st.ino === id.ino && st.size === id.size && st.mtimeMs === id.mtimeMs && st.ctimeMs === id.ctimeMs;
}

/**
 * The identity of `file` whose content was read as `bytes`: the path is `lstat`ed now (call it right
 * after reading). A change between the read and this `lstat` cannot slip through: the stat would
 * then describe the new file while the hash describes the old bytes, and the check before the
 * rename compares both. Undefined when the file cannot be `lstat`ed any more.
 */
export async function fileIdentity(file: string, bytes: Uint8Array, fs: FileSystem = nodeFileSystem): Promise<FileIdentity | undefined> {
  try {
    return identityFromStats(await fs.lstat(file), sha256Hex(bytes));
  } catch {
    return undefined;
  }
}

// ------------------------------------------------------------------------------- temp files

/**
 * Our temporary files: `.<name>.anyio-migrate-<pid>-<8 hex>.tmp`, next to the file `<name>` they
 * will replace. Only names of exactly this form are ever cleaned up.
 */
export const TEMP_FILE_PATTERN = /^\.(.+)\.anyio-migrate-([1-9][0-9]{0,9})-([0-9a-f]{8})\.tmp$/;

export function tempFileName(base: string, pid: number = process.pid): string {
  return `.${base}.anyio-migrate-${pid}-${randomBytes(4).toString('hex')}.tmp`;
}

/** Temp files this process has created and not yet renamed or removed (for signal handlers). */
const inFlightTemps = new Set<string>();

/** Note a temp file this process just created (the cache's too), until it is renamed or removed. */
export function registerTempFile(tmp: string): void {
  inFlightTemps.add(tmp);
}

export function unregisterTempFile(tmp: string): void {
  inFlightTemps.delete(tmp);
}

/**
 * Remove the temp files this process has in flight (synchronously: for SIGINT/SIGTERM handlers
 * that exit right after). Returns how many were removed.
 */
export function removeInFlightTempFiles(): number {
  let removed = 0;
  for (const tmp of [...inFlightTemps]) {
    try {
      const st = lstatSync(tmp);
      if (st.isFile()) {
        unlinkSync(tmp);
        removed++;
      }
    } catch {
      /* already gone */
    }
    inFlightTemps.delete(tmp);
  }
  return removed;
}

/** Whether a process with this id exists (EPERM: it exists but is not ours to signal). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errorCode(err) === 'EPERM';
  }
}

/** A temp file of a live process older than this is stale all the same (the pid was reused). */
export const STALE_TEMP_AGE_MS = 30 * 60 * 1000;

export interface StaleTempOptions {
  fs?: FileSystem;
  /** Default `isProcessAlive`. */
  isAlive?: (pid: number) => boolean;
  /** Default `Date.now()`. */
  now?: number;
}

/**
 * Remove temp files a killed run of ours left in `dir` (a directory the caller is processing files
 * in; nothing else is walked). A name must match `TEMP_FILE_PATTERN` exactly, be a regular file
 * (`lstat`: never a link or a directory), and belong to another process that no longer exists, or
 * be older than `STALE_TEMP_AGE_MS`. Returns the removed paths; errors are ignored.
 */
export async function removeStaleTempFiles(dir: string, options: StaleTempOptions = {}): Promise<string[]> {
  const fs = options.fs ?? nodeFileSystem;
  const isAlive = options.isAlive ?? isProcessAlive;
  const now = options.now ?? Date.now();
  const removed: string[] = [];
  let entries: Dirent[];
  try {
    entries = await fs.readdir(dir);
  } catch {
    return removed;
  }
  for (const e of entries) {
    const m = TEMP_FILE_PATTERN.exec(e.name);
    if (!m) continue;
    const pid = Number(m[2]);
    if (pid === process.pid) continue;
    const full = path.join(dir, e.name);
    try {
      const st = await fs.lstat(full);
      if (!st.isFile()) continue;
      if (isAlive(pid) && now - st.mtimeMs < STALE_TEMP_AGE_MS) continue;
      await fs.unlink(full);
      removed.push(full);
    } catch {
      /* gone meanwhile, or not ours to remove */
    }
  }
  return removed;
}

// ---------------------------------------------------------------------------------- writing

export interface AtomicWriteOptions {
  fs?: FileSystem;
  /**
   * The exact bytes the new content was computed from. The file is re-read immediately before the
   * rename; if it no longer matches, the write is refused (`kind: 'changed'`).
   */
  expected?: Uint8Array;
  /**
   * The file as it was read (see `fileIdentity`): besides the content hash, the inode, size and
   * times must still be the same immediately before the rename.
   */
  identity?: FileIdentity;
  /**
   * Test seam: called after the temp file is written and fsynced, before the final comparison and
   * the rename; a test edits, deletes or renames the file here to exercise the race.
   */
  beforeCommit?: (file: string, tempFile: string) => void | Promise<void>;
}

function lstatForCommit(fs: FileSystem, file: string): Stats {
  let st: Stats;
  try {
    st = fs.commit.lstatSync(file);
  } catch (err) {
    const code = errorCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new WriteRefused('file was deleted or renamed since it was read; not re-creating it', 'vanished');
    throw new WriteRefused(describeError(err), 'io');
  }
  if (st.isSymbolicLink()) throw new WriteRefused('is a symbolic link; not rewritten', 'symlink');
  if (!st.isFile()) throw new WriteRefused(`not a regular file (${describeFileType(st)})`, 'io');
  return st;
}

/**
 * The last step of a write, synchronous from start to end so nothing else runs in between: compare
 * the file at `file` with what was read (its bytes, re-read without following links or blocking,
 * by hash; then `lstat`: still there, still a regular file, same inode, size and times) and rename
 * `tmp` over it.
 */
function commitIfUnchanged(
  fs: FileSystem,
  file: string,
  tmp: string,
  expectedHash: string | undefined,
  identity: FileIdentity | undefined,
  expectedSize: number | undefined,
): void {
  if (expectedHash !== undefined && expectedSize !== undefined) {
    const read = readRegularFileSync(file, expectedSize, { noFollow: true, fs: fs.commit });
    if (!read.ok) {
      if (read.kind === 'too-large') throw new WriteRefused('file changed on disk since it was analysed; not overwriting it', 'changed');
      if (read.code === 'ENOENT') throw new WriteRefused('file was deleted or renamed since it was read; not re-creating it', 'vanished');
      if (read.kind === 'symlink') throw new WriteRefused('is a symbolic link; not rewritten', 'symlink');
      throw new WriteRefused(`cannot re-read before writing: ${read.reason}`, 'io');
    }
    if (sha256Hex(read.bytes) !== expectedHash) throw new WriteRefused('file changed on disk since it was analysed; not overwriting it', 'changed');
  }
  // The `lstat` is the last call before the rename: an edit, deletion or rename after the read
  // above changes the inode, size or times it sees.
  const st = lstatForCommit(fs, file);
  if (identity && !sameFile(st, identity)) throw new WriteRefused('file changed on disk since it was analysed; not overwriting it', 'changed');
  fs.commit.renameSync(tmp, file);
}

/**
 * Replace `file`'s content with `bytes` atomically: write a temporary file in the same directory
 * (created exclusively: `wx` never follows or reuses an existing name), fsync it, give it the
 * original's mode (and owner, when we can), compare the original with what was read one last
 * time, then rename the temp file over it.
 *
 * What cannot be lost:
 * - a user's edit made while we worked: the content (SHA-256) and the inode, size and times are
 *   compared after the fsync, immediately before the rename (`changed`);
 * - a deletion or a rename: a path that no longer exists is never re-created (`vanished`);
 * - a link's target: a symbolic link is never written through (`symlink`).
 * The window left is the time between that last comparison and `rename(2)` itself (POSIX has no
 * compare-and-rename); nothing slow (no I/O but one `lstat` and one read of the file) runs in it.
 * Throws `WriteRefused` instead of writing when the file changed, vanished, is a link, is
 * read-only, or I/O fails; the temp file is removed in every case.
 */
export async function atomicWriteFile(file: string, bytes: Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const fs = options.fs ?? nodeFileSystem;
  const identity = options.identity;
  const expectedHash = identity?.sha256 ?? (options.expected ? sha256Hex(options.expected) : undefined);
  const expectedSize = identity?.size ?? options.expected?.byteLength;
  const st = lstatForCommit(fs, file);
  if (identity && !sameFile(st, identity)) throw new WriteRefused('file changed on disk since it was analysed; not overwriting it', 'changed');
  const mode = st.mode & 0o7777;
  // Root can write anything; honour the file's own write bits so read-only files stay untouched.
  if ((mode & 0o222) === 0) throw new WriteRefused('file is read-only', 'read-only');
  try {
    await fs.access(file, fsConstants.W_OK);
  } catch (err) {
    const code = errorCode(err);
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') throw new WriteRefused(`file is not writable (${describeError(err)})`, 'read-only');
    throw new WriteRefused(describeError(err), 'io');
  }
  const dir = path.dirname(file);
  const tmp = path.join(dir, tempFileName(path.basename(file)));
  let created = false;
  try {
    const handle = await fs.open(tmp, 'wx', 0o600);
    created = true;
    inFlightTemps.add(tmp);
    try {
      let off = 0;
      while (off < bytes.length) {
        const { bytesWritten } = await handle.write(bytes, off, bytes.length - off, null);
        off += bytesWritten;
      }
      await handle.chmod(mode);
      if (typeof process.getuid === 'function' && process.getuid() === 0) {
        await handle.chown(st.uid, st.gid).catch(() => undefined);
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await options.beforeCommit?.(file, tmp);
    commitIfUnchanged(fs, file, tmp, expectedHash, identity, expectedSize);
    created = false;
    inFlightTemps.delete(tmp);
  } catch (err) {
    if (created) {
      await fs.unlink(tmp).catch(() => undefined);
      inFlightTemps.delete(tmp);
    }
    if (err instanceof WriteRefused) throw err;
    const code = errorCode(err);
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      throw new WriteRefused(`cannot write in ${dir} (${describeError(err)})`, 'read-only');
    }
    throw new WriteRefused(describeError(err), 'io');
  }
  // Make the rename itself durable; not all platforms allow fsync on a directory.
  try {
    const dh = await fs.open(dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  } catch {
    /* best effort */
  }
}
