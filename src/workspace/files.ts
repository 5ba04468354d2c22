/**
 * Reading Python source files the way Python does (UTF-8, optional BOM, PEP 263 coding cookies),
 * writing them back byte-exact in the same encoding, and replacing files atomically.
 *
 * Nothing here guesses: a file we cannot decode exactly, or could not write back losslessly, is
 * reported as skipped rather than "repaired".
 */
import * as path from 'path';
import { constants as fsConstants, lstatSync, unlinkSync } from 'fs';
import type { Dirent, Stats } from 'fs';
import { createHash, randomBytes } from 'crypto';
import { TextDecoder } from 'util';
import { type FileSystem, nodeFileSystem, errorCode, describeError, formatSize } from './fsys';
import { describeFileType, readRegularFile, readRegularFileSync } from './safe-read';

export const DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024;

/** How a file's bytes map to text and back. */
export interface SourceEncoding {
  /** Python's canonical codec name, for messages (`utf-8`, `latin-1`, `cp1252`, `shift_jis`, ...). */
  name: string;
  decode(bytes: Uint8Array): string | undefined;
  /** `undefined` when the text cannot be represented (or the codec has no encoder here). */
  encode(text: string): Buffer | undefined;
  /** False for codecs we can read but not write (multi-byte legacy codecs). */
  writable: boolean;
}

export type DecodeResult = { ok: true; text: string; encoding: SourceEncoding; cookie?: string } | { ok: false; reason: string };

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export const UTF8: SourceEncoding = {
  name: 'utf-8',
  writable: true,
  decode(bytes) {
    try {
      return utf8Decoder.decode(bytes);
    } catch {
      return undefined;
    }
  },
  encode(text) {
    const bytes = Buffer.from(text, 'utf8');
    // Buffer.from silently turns lone surrogates into U+FFFD: check the round trip.
    return this.decode(bytes) === text ? bytes : undefined;
  },
};

/** ASCII: bytes 0-127 only (WHATWG's "ascii" label means windows-1252, which is not what Python means). */
const ASCII: SourceEncoding = {
  name: 'ascii',
  writable: true,
  decode(bytes) {
    for (const b of bytes) if (b > 0x7f) return undefined;
    return Buffer.from(bytes).toString('latin1');
  },
  encode(text) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return undefined;
    return Buffer.from(text, 'latin1');
  },
};

/** True ISO-8859-1 (every byte is the code point of the same value; WHATWG's label means windows-1252). */
const LATIN1: SourceEncoding = {
  name: 'latin-1',
  writable: true,
  decode(bytes) {
    return Buffer.from(bytes).toString('latin1');
  },
  encode(text) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return undefined;
    return Buffer.from(text, 'latin1');
  },
};

/** Python's cp1252 for bytes 0x80-0x9F (-1: undefined, a decode error in Python). */
const CP1252_80_9F: readonly number[] = [
  0x20ac, -1, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, -1, 0x017d, -1, -1, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
  0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, -1, 0x017e, 0x0178,
];

/** Bytes Python's codec leaves undefined where WHATWG's table maps them (checked table by table). */
const PYTHON_UNDEFINED_BYTES: Readonly<Record<string, readonly number[]>> = { 'windows-1253': [0xaa] };

/**
 * A single-byte codec from a WHATWG TextDecoder label, with an encoder built from its decode table.
 * Every table used here was compared with Python's codec byte by byte (see PYTHON_UNDEFINED_BYTES
 * and CP1252_80_9F for the differences).
 * `rejectC1`: Python's cp125x codecs leave a few bytes undefined where WHATWG maps them to C1
 * controls (U+0080-U+009F); treat those as undecodable, like Python does.
 */
function singleByte(name: string, label: string, rejectC1: boolean): SourceEncoding | undefined {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label, { fatal: true });
  } catch {
    return undefined; // not in this Node build (e.g. iso-8859-16)
  }
  const table: Array<string | undefined> = [];
  const reverse = new Map<string, number>();
  for (let b = 0; b < 256; b++) {
    let ch: string | undefined;
    if (label === 'windows-1252') {
      // Node 20's TextDecoder decodes windows-1252 as ISO-8859-1 (0x80 -> U+0080): use Python's table.
      const cp = b >= 0x80 && b < 0xa0 ? CP1252_80_9F[b - 0x80]! : b;
      ch = cp < 0 ? undefined : String.fromCharCode(cp);
    } else {
      try {
        ch = decoder.decode(Uint8Array.of(b));
      } catch {
        ch = undefined;
      }
    }
    if (PYTHON_UNDEFINED_BYTES[label]?.includes(b)) ch = undefined;
    if (ch !== undefined && (ch.length !== 1 || (rejectC1 && b >= 0x80 && ch.charCodeAt(0) >= 0x80 && ch.charCodeAt(0) <= 0x9f))) {
      ch = undefined;
    }
    table.push(ch);
    if (ch !== undefined && !reverse.has(ch)) reverse.set(ch, b);
  }
  return {
    name,
    writable: true,
    decode(bytes) {
      let out = '';
      for (const b of bytes) {
        const ch = table[b];
        if (ch === undefined) return undefined;
        out += ch;
      }
      return out;
    },
    encode(text) {
      const out = Buffer.alloc(text.length);
      for (let i = 0; i < text.length; i++) {
        const b = reverse.get(text[i]!);
        if (b === undefined) return undefined;
        out[i] = b;
      }
      return out;
    },
  };
}

/** A multi-byte codec we can decode (for `check`) but not encode. */
function decodeOnly(name: string, label: string): SourceEncoding | undefined {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label, { fatal: true });
  } catch {
    return undefined;
  }
  return {
    name,
    writable: false,
    decode(bytes) {
      try {
        return decoder.decode(bytes);
      } catch {
        return undefined;
      }
    },
    encode() {
      return undefined;
    },
  };
}

/** Python's codec name normalisation: lower case, `_` and spaces become `-`. */
function normaliseCodecName(raw: string): string {
  return raw.trim().toLowerCase().replace(/[_ ]/g, '-');
}

const encodingCache = new Map<string, SourceEncoding | null>();

/**
 * The codec for a PEP 263 cookie value, or `undefined` when Node cannot decode it exactly as
 * Python would. Only codecs whose WHATWG decoder matches Python's are accepted.
 */
export function encodingForCookie(cookie: string): SourceEncoding | undefined {
  const name = normaliseCodecName(cookie);
  if (encodingCache.has(name)) return encodingCache.get(name) ?? undefined;
  const enc = lookupEncoding(name);
  encodingCache.set(name, enc ?? null);
  return enc;
}

function lookupEncoding(name: string): SourceEncoding | undefined {
  // Python: "utf-8" and "utf-8-<anything>" are UTF-8; likewise latin-1 / iso-8859-1 / iso-latin-1.
  if (name === 'utf-8' || name.startsWith('utf-8-') || name === 'utf8' || name === 'u8' || name === 'utf') return UTF8;
  if (['latin-1', 'iso-8859-1', 'iso-latin-1'].some((n) => name === n || name.startsWith(`${n}-`))) return LATIN1;
  if (['latin1', 'iso8859-1', '8859', 'cp819', 'l1', 'latin'].includes(name)) return LATIN1;
  if (['ascii', 'us-ascii', '646', 'us'].includes(name)) return ASCII;
  let m = /^(?:cp|windows-)(125[0-8])$/.exec(name);
  if (m) return singleByte(`cp${m[1]}`, `windows-${m[1]}`, true);
  // iso-8859-N whose WHATWG decoder is the genuine table (9 and 11 are aliased to windows-125x / 874).
  m = /^(?:iso-?8859-|latin-?)(\d+)$/.exec(name);
  if (m) {
    const n = Number(m[1]);
    const isoFromLatin: Record<string, number> = { '2': 2, '3': 3, '4': 4, '6': 10, '7': 13, '8': 14, '9': 15, '10': 16 };
    const iso = name.startsWith('latin') ? isoFromLatin[String(n)] : n;
    if (iso !== undefined && [2, 3, 4, 5, 6, 7, 8, 10, 13, 14, 15, 16].includes(iso)) {
      return singleByte(`iso8859-${iso}`, `iso-8859-${iso}`, false);
    }
    return undefined;
  }
  if (name === 'koi8-r') return singleByte('koi8-r', 'koi8-r', false);
  if (['shift-jis', 'sjis', 's-jis', 'shiftjis'].includes(name)) return decodeOnly('shift_jis', 'shift_jis');
  if (['euc-jp', 'eucjp', 'ujis'].includes(name)) return decodeOnly('euc_jp', 'euc-jp');
  if (['euc-kr', 'euckr', 'ksc5601', 'ks-c-5601'].includes(name)) return decodeOnly('euc_kr', 'euc-kr');
  if (['gbk', 'cp936', 'ms936', '936'].includes(name)) return decodeOnly('gbk', 'gbk');
  if (['gb18030', 'gb18030-2000'].includes(name)) return decodeOnly('gb18030', 'gb18030');
  if (['big5', 'big5-tw', 'csbig5'].includes(name)) return decodeOnly('big5', 'big5');
  return undefined;
}

/** PEP 263: `# -*- coding: <name> -*-` on line 1, or on line 2 when line 1 is blank or a comment. */
export function findCodingCookie(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.subarray(0, Math.min(bytes.length, 4096))).toString('latin1');
  const lines = head.split(/\r\n|\r|\n/, 2);
  const cookieRe = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;
  const first = (lines[0] ?? '').replace(/^\u00ef\u00bb\u00bf/, '');
  const m1 = cookieRe.exec(first);
  if (m1) return m1[1];
  if (!/^[ \t\f]*(?:#|$)/.test(first)) return undefined;
  const m2 = cookieRe.exec(lines[1] ?? '');
  return m2 ? m2[1] : undefined;
}

/**
 * Decode a Python source file's bytes. The text keeps a UTF-8 BOM (as `\uFEFF`) and all line
 * endings exactly, so `encode(decode(bytes))` is the identity.
 */
export function decodePythonSource(bytes: Uint8Array): DecodeResult {
  if (bytes.includes(0)) return { ok: false, reason: 'contains NUL bytes (binary file)' };
  const hasBom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const cookie = findCodingCookie(bytes);
  let encoding = UTF8;
  if (cookie !== undefined) {
    const enc = encodingForCookie(cookie);
    if (!enc) return { ok: false, reason: `unsupported source encoding '${cookie}' (coding cookie)` };
    if (hasBom && enc !== UTF8) return { ok: false, reason: `UTF-8 BOM conflicts with coding cookie '${cookie}'` };
    encoding = enc;
  }
  const text = encoding.decode(bytes);
  if (text === undefined) {
    return {
      ok: false,
      reason: cookie === undefined ? 'not valid UTF-8 and no PEP 263 coding cookie' : `not valid ${encoding.name} (as declared by its coding cookie)`,
    };
  }
  return cookie === undefined ? { ok: true, text, encoding } : { ok: true, text, encoding, cookie };
}

/** Encode `text` for writing back in `encoding`, or explain why that would not be lossless. */
export function encodePythonSource(text: string, encoding: SourceEncoding): { ok: true; bytes: Buffer } | { ok: false; reason: string } {
  if (!encoding.writable) return { ok: false, reason: `cannot write files in encoding ${encoding.name}` };
  const bytes = encoding.encode(text);
  if (!bytes || encoding.decode(bytes) !== text) {
    return { ok: false, reason: `the fixed text cannot be written losslessly in ${encoding.name}` };
  }
  return { ok: true, bytes };
}

export type ReadResult = { ok: true; bytes: Buffer; text: string; encoding: SourceEncoding } | { ok: false; reason: string; ioError: boolean };

/** Read and decode one file, enforcing the size limit before reading. */
export async function readPythonFile(file: string, options: { fs?: FileSystem; maxFileSize?: number } = {}): Promise<ReadResult> {
  const fs = options.fs ?? nodeFileSystem;
  const max = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) return { ok: false, reason: `not a regular file (${describeFileType(st)})`, ioError: true };
    if (st.size > max) return { ok: false, reason: `larger than the size limit (${formatSize(st.size)} > ${formatSize(max)}; see --max-file-size)`, ioError: false };
  } catch (err) {
    return { ok: false, reason: describeError(err), ioError: true };
  }
  // Swapped for a FIFO or a device since the stat, grown past the cap: refused, never a hang.
  const read = await readRegularFile(file, max, { fs });
  if (!read.ok) return { ok: false, reason: read.kind === 'too-large' ? read.reason.replace(/\)$/, '; see --max-file-size)') : read.reason, ioError: read.kind !== 'too-large' };
  const bytes = read.bytes;
  const decoded = decodePythonSource(bytes);
  if (!decoded.ok) return { ok: false, reason: decoded.reason, ioError: false };
  return { ok: true, bytes, text: decoded.text, encoding: decoded.encoding };
}

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
