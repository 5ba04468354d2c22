/**
 * The file-system operations the CLI uses, behind one small interface so tests (and a future
 * "migrate workspace" command) can inject failures without touching the real disk or running
 * as a particular user.
 */
import * as fsp from 'fs/promises';
import * as nodeFs from 'fs';
import type { Dirent, Stats } from 'fs';

export interface FileHandleLike {
  stat(): Promise<Stats>;
  read(buffer: Buffer, offset: number, length: number, position: number | null): Promise<{ bytesRead: number }>;
  write(data: Uint8Array, offset: number, length: number, position: number | null): Promise<{ bytesWritten: number }>;
  sync(): Promise<void>;
  chmod(mode: number): Promise<void>;
  chown(uid: number, gid: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The synchronous calls of the last step of a write: the comparison of the file with what was read
 * and the rename over it run back to back, with no turn of the event loop (and so no other I/O) in
 * between; that is what keeps the window for a concurrent edit down to a few system calls.
 */
export interface CommitFileSystem {
  lstatSync(p: string): Stats;
  renameSync(from: string, to: string): void;
  openSync(p: string, flags: number): number;
  fstatSync(fd: number): Stats;
  readSync(fd: number, buffer: Buffer, offset: number, length: number, position: number | null): number;
  closeSync(fd: number): void;
}

export interface FileSystem {
  stat(p: string): Promise<Stats>;
  lstat(p: string): Promise<Stats>;
  readdir(p: string): Promise<Dirent[]>;
  readFile(p: string): Promise<Buffer>;
  realpath(p: string): Promise<string>;
  /** `flags` as for `fs.open`: a string (`'wx'` creates exclusively) or `fs.constants` bits. */
  open(p: string, flags: string | number, mode?: number): Promise<FileHandleLike>;
  rename(from: string, to: string): Promise<void>;
  unlink(p: string): Promise<void>;
  /** Resolves when `p` is accessible with `mode` (`fs.constants.W_OK`, ...), rejects otherwise. */
  access(p: string, mode: number): Promise<void>;
  commit: CommitFileSystem;
}

export const nodeFileSystem: FileSystem = {
  stat: (p) => fsp.stat(p),
  lstat: (p) => fsp.lstat(p),
  readdir: (p) => fsp.readdir(p, { withFileTypes: true }),
  readFile: (p) => fsp.readFile(p),
  realpath: (p) => fsp.realpath(p),
  open: (p, flags, mode) => fsp.open(p, flags, mode),
  rename: (a, b) => fsp.rename(a, b),
  unlink: (p) => fsp.unlink(p),
  access: (p, mode) => fsp.access(p, mode),
  commit: {
    lstatSync: (p) => nodeFs.lstatSync(p),
    renameSync: (a, b) => nodeFs.renameSync(a, b),
    openSync: (p, flags) => nodeFs.openSync(p, flags),
    fstatSync: (fd) => nodeFs.fstatSync(fd),
    readSync: (fd, buffer, offset, length, position) => nodeFs.readSync(fd, buffer, offset, length, position),
    closeSync: (fd) => nodeFs.closeSync(fd),
  },
};

/** `err.code` of a Node system error, if any. */
export function errorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** A short human explanation of an I/O error (`permission denied`, `no such file or directory`, ...). */
export function describeError(err: unknown): string {
  switch (errorCode(err)) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'not a directory';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on device';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}

/** A byte count for messages: `512 bytes`, `1.5 KB`, `5 MB`. */
export function formatSize(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1).replace(/\.0$/, '')} KB`;
  return `${n} bytes`;
}
