/**
 * Reading a file we did not create, safely: only a regular file, never more than a cap, never
 * blocking. Used for Python sources, `pyproject.toml` and ignore files by the CLI and the language
 * server (no editor imports here).
 *
 * - The file is opened with `O_RDONLY | O_NONBLOCK` (plus `O_NOFOLLOW` on request), so opening a
 *   FIFO with no writer returns at once instead of waiting for one.
 * - The OPENED descriptor is `fstat`ed: anything but a regular file (FIFO, character or block
 *   device such as `/dev/zero`, socket, directory) is refused before a byte is read. Checking the
 *   descriptor, not the path, closes the gap where the file is swapped between a check and the read.
 * - At most `maxBytes + 1` bytes are read, whatever the size `fstat` reports (files under `/proc`
 *   say 0 and have content; a file may grow while we read); one byte more than the cap is a refusal.
 * - A caller can pass an `AbortSignal`; it is checked between chunks.
 */
import * as nodeFs from 'fs';
import * as fsp from 'fs/promises';
import type { Stats } from 'fs';
import { describeError, errorCode, formatSize } from './fsys';

export type SafeReadFailureKind = 'not-regular' | 'too-large' | 'io' | 'symlink';

export type SafeReadResult =
  | { ok: true; bytes: Buffer }
  | {
      ok: false;
      /** Human-readable, without the path: `not a regular file (a FIFO)`, `larger than 1 MB`, ... */
      reason: string;
      kind: SafeReadFailureKind;
      /** The Node error code for `io` failures (`ENOENT`, `EACCES`, `ABORT_ERR`, ...). */
      code?: string;
      /** For `too-large`: the size `fstat` reported, when it was over the cap (else the cap + 1). */
      size?: number;
    };

/** The part of a `fs/promises` `FileHandle` this module uses. */
export interface SafeReadHandle {
  stat(): Promise<Stats>;
  read(buffer: Buffer, offset: number, length: number, position: number | null): Promise<{ bytesRead: number }>;
  close(): Promise<void>;
}

/** Injected file system (tests): `open` takes numeric flags as `fs.open` does. */
export interface SafeReadFs {
  open(file: string, flags: number): Promise<SafeReadHandle>;
}

/** The synchronous counterpart (config files read synchronously). */
export interface SafeReadFsSync {
  openSync(file: string, flags: number): number;
  fstatSync(fd: number): Stats;
  readSync(fd: number, buffer: Buffer, offset: number, length: number, position: number | null): number;
  closeSync(fd: number): void;
}

export interface SafeReadOptions {
  /** Refuse (kind `symlink`) when the last path component is a symbolic link. */
  noFollow?: boolean;
  signal?: AbortSignal;
}

const nodeSafeReadFs: SafeReadFs = { open: (file, flags) => fsp.open(file, flags) };

/** The flags we open with. `O_NONBLOCK` / `O_NOFOLLOW` do not exist on Windows (0 there). */
export function safeOpenFlags(noFollow: boolean): number {
  const c = nodeFs.constants;
  return c.O_RDONLY | (c.O_NONBLOCK ?? 0) | (noFollow ? (c.O_NOFOLLOW ?? 0) : 0);
}

/** `a FIFO`, `a character device`, ... for a `Stats` that is not a regular file. */
export function describeFileType(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

type Failure = Extract<SafeReadResult, { ok: false }>;

/** The failure for an error thrown by `open`. */
function openFailure(err: unknown, noFollow: boolean): Failure {
  const code = errorCode(err);
  // O_NOFOLLOW on a symlink fails with ELOOP (Linux, macOS) or EMLINK (FreeBSD).
  if (noFollow && (code === 'ELOOP' || code === 'EMLINK')) return { ok: false, kind: 'symlink', reason: 'is a symbolic link; not followed', code };
  // Opening a socket (or a device with no driver behind it) fails with ENXIO.
  if (code === 'ENXIO') return { ok: false, kind: 'not-regular', reason: 'not a regular file (a socket or a device)', code };
  return { ok: false, kind: 'io', reason: describeIoError(err), ...(code ? { code } : {}) };
}

/** `describeError`, with what a directory or a would-block read means here. */
function describeIoError(err: unknown): string {
  switch (errorCode(err)) {
    case 'EISDIR':
      return 'not a regular file (a directory)';
    case 'EAGAIN':
      return 'would block (not a regular file?)';
    default:
      return describeError(err);
  }
}

function checkStats(st: Stats, maxBytes: number): Failure | undefined {
  if (!st.isFile()) return { ok: false, kind: 'not-regular', reason: `not a regular file (${describeFileType(st)})` };
  if (st.size > maxBytes) return tooLarge(maxBytes, st.size);
  return undefined;
}

function tooLarge(maxBytes: number, size?: number): Failure {
  const known = size !== undefined && size > maxBytes;
  return {
    ok: false,
    kind: 'too-large',
    reason: known ? `larger than the size limit (${formatSize(size)} > ${formatSize(maxBytes)})` : `larger than the size limit (more than ${formatSize(maxBytes)})`,
    size: known ? size : maxBytes + 1,
  };
}

const aborted: Failure = { ok: false, kind: 'io', reason: 'cancelled', code: 'ABORT_ERR' };

/** First buffer size: the reported size (+1 to see EOF or growth), within [4 KiB, maxBytes + 1]. */
function initialCapacity(reported: number, maxBytes: number): number {
  return Math.min(maxBytes + 1, Math.max(4096, reported + 1));
}

/**
 * Read `file` if it is a regular file of at most `maxBytes` bytes. Never throws, never blocks on a
 * FIFO, never reads more than `maxBytes + 1` bytes.
 */
export async function readRegularFile(file: string, maxBytes: number, opts: SafeReadOptions & { fs?: SafeReadFs } = {}): Promise<SafeReadResult> {
  const fs = opts.fs ?? nodeSafeReadFs;
  const noFollow = opts.noFollow ?? false;
  if (opts.signal?.aborted) return aborted;
  let handle: SafeReadHandle;
  try {
    handle = await fs.open(file, safeOpenFlags(noFollow));
  } catch (err) {
    return openFailure(err, noFollow);
  }
  try {
    const st = await handle.stat();
    const bad = checkStats(st, maxBytes);
    if (bad) return bad;
    let buf = Buffer.allocUnsafe(initialCapacity(st.size, maxBytes));
    let total = 0;
    for (;;) {
      if (opts.signal?.aborted) return aborted;
      if (total === buf.length) {
        const bigger = Buffer.allocUnsafe(Math.min(maxBytes + 1, buf.length * 2));
        buf.copy(bigger, 0, 0, total);
        buf = bigger;
      }
      const { bytesRead } = await handle.read(buf, total, buf.length - total, total);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > maxBytes) return tooLarge(maxBytes, st.size > maxBytes ? st.size : undefined);
    }
    return { ok: true, bytes: total === buf.length ? buf : Buffer.from(buf.subarray(0, total)) };
  } catch (err) {
    const code = errorCode(err);
    return { ok: false, kind: 'io', reason: describeIoError(err), ...(code ? { code } : {}) };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** `readRegularFile` for synchronous callers (config loading). Same checks, same results. */
export function readRegularFileSync(file: string, maxBytes: number, opts: { noFollow?: boolean; fs?: SafeReadFsSync } = {}): SafeReadResult {
  const fs = opts.fs ?? nodeFs;
  const noFollow = opts.noFollow ?? false;
  let fd: number;
  try {
    fd = fs.openSync(file, safeOpenFlags(noFollow));
  } catch (err) {
    return openFailure(err, noFollow);
  }
  try {
    const st = fs.fstatSync(fd);
    const bad = checkStats(st, maxBytes);
    if (bad) return bad;
    let buf = Buffer.allocUnsafe(initialCapacity(st.size, maxBytes));
    let total = 0;
    for (;;) {
      if (total === buf.length) {
        const bigger = Buffer.allocUnsafe(Math.min(maxBytes + 1, buf.length * 2));
        buf.copy(bigger, 0, 0, total);
        buf = bigger;
      }
      const n = fs.readSync(fd, buf, total, buf.length - total, total);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) return tooLarge(maxBytes, st.size > maxBytes ? st.size : undefined);
    }
    return { ok: true, bytes: total === buf.length ? buf : Buffer.from(buf.subarray(0, total)) };
  } catch (err) {
    const code = errorCode(err);
    return { ok: false, kind: 'io', reason: describeIoError(err), ...(code ? { code } : {}) };
  } finally {
    try {
      fs.closeSync(fd);
    } catch {
      // nothing useful to do
    }
  }
}
