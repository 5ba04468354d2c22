/**
 * One file (or stdin) through `check`, `diff` or `fix`, ending as one `FileOutcome`: the engine's
 * findings or fix result, the fixed text encoded (and verified with `--verify`), and for `fix` on
 * files the atomic write. Prints nothing but the fix loop's convergence warning; the printer
 * (`printer.ts`) reports the outcome.
 */
import * as path from 'path';
import type { Finding, FixResult } from '../core/types';
import { atomicWriteFile, encodePythonSource, removeStaleTempFiles, WriteRefused, type FileIdentity, type ReadResult, type SourceEncoding } from '../workspace/files';
import type { FileSystem } from '../workspace/fsys';
import type { FileEntry } from '../workspace/walk';
import type { FileOutcome } from '../workspace/outcome';
import { type Analysis, InputNotAnalysed, type Precomputed } from './analysis';
import type { Console } from './console';
import type { Settings } from './options';
import type { FileSettings } from './file-config';
import { formatSeconds, RequestTimeoutError, type ProjectRef } from './pool';
import type { RunIO } from './run-io';
import { verifyPythonSource } from './verify';

/** A file as read, with (for `fix`) its identity at read time. */
export type Read = ReadResult & { identity?: FileIdentity };

/** A file's outcome, with what the printer needs to show it. */
export interface FileResult {
  /** `outcome.path` is the display path (`-` for stdin). */
  outcome: FileOutcome;
  /** Named on the command line (or stdin): a skip is then an error. */
  explicit: boolean;
  /** Skipped for running past the per-file time budget. */
  timedOut?: boolean;
  /** The text as read (the findings of every status but `fixed` are offsets into it). */
  text: string;
  /** `fixed`: the new text (the remaining findings' offsets are into it) and its encoded bytes. */
  output?: string;
  bytes?: Buffer;
}

export interface TextInput {
  display: string;
  text: string;
  encoding: SourceEncoding;
  explicit: boolean;
  /** The file's settings (stdin: the current directory's). */
  config: FileSettings;
  ref?: ProjectRef;
  /** The engine work started ahead (in a worker); absent: computed now. */
  pre?: Promise<Precomputed>;
}

export class FileProcessor {
  private staleTemps = 0;
  /** Directories already cleaned of stale temp files in this run (`fix`). */
  private readonly cleanedDirs = new Set<string>();

  constructor(
    private readonly analysis: Analysis,
    private readonly settings: Settings,
    private readonly io: RunIO,
    private readonly fs: FileSystem,
    private readonly console: Console,
    private readonly python: string,
  ) {}

  /** Stale temp files of ours (from killed runs) removed by `fix`. */
  get staleTempsRemoved(): number {
    return this.staleTemps;
  }

  /** A file of a run over paths, as read: processed and (for `fix`) written. */
  async file(entry: FileEntry, display: string, read: Read, pre?: Promise<Precomputed>): Promise<FileResult> {
    if (this.settings.command === 'fix') await this.cleanDirOnce(path.dirname(entry.path));
    if (!read.ok) return { outcome: { status: 'skipped', path: display, reason: read.reason }, explicit: entry.explicit, text: '' };
    const ref = this.analysis.refFor(entry.path);
    const config = this.settings.config.forFile(entry.path);
    // Without a pool the engine work starts now (it is awaited at once, for a relevant file only).
    const started = pre ?? this.analysis.precompute(read, config, ref, entry.path);
    const input: TextInput = { display, text: read.text, encoding: read.encoding, explicit: entry.explicit, config, pre: started, ...(ref ? { ref } : {}) };
    return this.guard(input, async () => {
      const result = await this.compute(input);
      return this.settings.command === 'fix' && result.bytes ? await this.write(entry.path, read, result, config, ref) : result;
    });
  }

  /** One text (stdin, or a file's): its outcome. */
  text(input: TextInput): Promise<FileResult> {
    return this.guard(input, () => this.compute(input));
  }

  /** Over the time budget, or refused by the engine (too deeply nested): skipped, like a file that cannot be read. */
  private async guard(input: TextInput, work: () => Promise<FileResult>): Promise<FileResult> {
    try {
      return await work();
    } catch (err) {
      const skipped = (reason: string, timedOut: boolean): FileResult => ({
        outcome: { status: 'skipped', path: input.display, reason },
        explicit: input.explicit,
        text: input.text,
        ...(timedOut ? { timedOut } : {}),
      });
      if (err instanceof RequestTimeoutError) {
        this.analysis.timeouts++;
        return skipped(`took longer than ${formatSeconds(err.timeoutMs)} s; skipped (see --file-timeout)`, true);
      }
      if (err instanceof InputNotAnalysed) return skipped(err.reason, false);
      throw err;
    }
  }

  /** The check / diff / fix switch, once for files and stdin. */
  private async compute(input: TextInput): Promise<FileResult> {
    const { display, text, ref, config } = input;
    const base = { explicit: input.explicit, text };
    // Every rule is about AnyIO: a file that neither mentions it nor imports a project module
    // carrying AnyIO objects cannot have findings.
    if (!this.analysis.relevant(text, ref)) return { ...base, outcome: { status: 'unchanged', path: display, remaining: [] } };
    const pre = await (input.pre ?? Promise.resolve<Precomputed>({}));
    if (this.settings.command === 'check') {
      const findings = pre.findings ?? (await this.analysis.findingsFor(text, config, ref));
      return { ...base, outcome: { status: 'unchanged', path: display, remaining: findings } };
    }
    const result = pre.fix ?? (await this.analysis.fixResultFor(text, config, ref));
    return this.fixOutcome(input, result);
  }

  /** The fix loop's result as an outcome: the bytes to write, after encoding and optional verification. */
  private async fixOutcome(input: TextInput, result: FixResult): Promise<FileResult> {
    const { display, text, ref, config } = input;
    const base = { explicit: input.explicit, text };
    if (result.capped) this.console.warn(display, 'fixes did not converge within the iteration limit; the result may still have fixable findings');
    const notFixed = async (reason: string): Promise<FileResult> => ({
      ...base,
      outcome: { status: 'failed', path: display, reason, remaining: await this.analysis.findingsFor(text, config, ref) },
    });
    // Input the engine cannot analyse at all is skipped (`InputNotAnalysed` thrown by `notFixed`);
    // only a result refused for what the fixes would do is "not fixed".
    if (result.refused !== undefined) return notFixed(`not fixed: ${result.refused}`);
    if (result.output === text) return { ...base, outcome: { status: 'unchanged', path: display, remaining: result.remaining } };
    const encoded = encodePythonSource(result.output, input.encoding);
    if (!encoded.ok) return notFixed(`not fixed: ${encoded.reason}`);
    if (this.settings.verify) {
      const v = await verifyPythonSource(this.python, encoded.bytes);
      if (!v.ok) return notFixed(`not fixed (--verify): ${v.reason}`);
    }
    return { ...base, outcome: { status: 'fixed', path: display, fixes: result.applied, remaining: result.remaining }, output: result.output, bytes: encoded.bytes };
  }

  /** `fix`: replace the file with the fixed bytes, unless it changed since it was read. */
  private async write(file: string, read: Read & { ok: true }, result: FileResult, config: FileSettings, ref: ProjectRef | undefined): Promise<FileResult> {
    try {
      await this.io.beforeWrite?.(file);
      await atomicWriteFile(file, result.bytes!, {
        fs: this.fs,
        expected: read.bytes,
        ...(read.identity ? { identity: read.identity } : {}),
        ...(this.io.beforeCommit ? { beforeCommit: this.io.beforeCommit } : {}),
      });
      return result;
    } catch (err) {
      if (!(err instanceof WriteRefused)) throw err;
      // Nothing was fixed here: what is left is what the file had.
      const remaining: Finding[] = await this.analysis.findingsFor(read.text, config, ref);
      return { explicit: result.explicit, text: read.text, outcome: { status: 'failed', path: result.outcome.path, reason: `not written: ${err.message}`, remaining } };
    }
  }

  /** `fix`: remove stale temp files of ours (killed runs) from a directory we process files in. */
  private async cleanDirOnce(dir: string): Promise<void> {
    if (this.cleanedDirs.has(dir)) return;
    this.cleanedDirs.add(dir);
    this.staleTemps += (await removeStaleTempFiles(dir, { fs: this.fs })).length;
  }
}
