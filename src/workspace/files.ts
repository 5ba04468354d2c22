/**
 * Reading Python source files the way Python does, with a size cap and only from regular files.
 * The decoding lives in `encodings.ts`, the atomic writes in `atomic-write.ts`; both are re-exported
 * here, the one entry point of the file layer for the CLI and the server.
 */
import { type FileSystem, nodeFileSystem, describeError, formatSize } from './fsys';
import { describeFileType, readRegularFile } from './safe-read';
import { decodePythonSource, type SourceEncoding } from './encodings';

export * from './encodings';
export * from './atomic-write';

export const DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024;

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
