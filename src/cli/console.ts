/**
 * The CLI's two output streams: stdout for results, stderr for warnings, errors and the summary,
 * with a one-line progress indicator on a TTY kept out of the way of both.
 */
import { escapeControlChars } from './report';

export interface OutputStream {
  write(chunk: string | Uint8Array): unknown;
  isTTY?: boolean;
}

/** Progress is drawn only for runs with at least this many files (and only on a TTY). */
export const PROGRESS_MIN_FILES = 20;

/** Writes to stdout/stderr, keeping a one-line progress indicator on a TTY out of the way. */
export class Console {
  private progressShown = false;
  private lastProgress = 0;

  constructor(
    private readonly io: { readonly stdout: OutputStream; readonly stderr: OutputStream },
    private readonly progressEnabled: boolean,
  ) {}

  out(text: string | Uint8Array): void {
    this.clearProgress();
    this.io.stdout.write(text);
  }

  /** One line on stderr; file names and reasons in it may hold control characters, so they are escaped. */
  err(line: string): void {
    this.clearProgress();
    this.io.stderr.write(`${escapeControlChars(line)}\n`);
  }

  warn(file: string, reason: string): void {
    this.err(`warning: ${file}: ${reason}`);
  }

  progress(done: number, total: number, file: string): void {
    if (!this.progressEnabled || total < PROGRESS_MIN_FILES) return;
    const now = Date.now();
    if (now - this.lastProgress < 100) return;
    this.lastProgress = now;
    const shown = escapeControlChars(file);
    const name = shown.length > 60 ? `…${shown.slice(-59)}` : shown;
    this.io.stderr.write(`\r\x1b[2K[${done}/${total}] ${name}`);
    this.progressShown = true;
  }

  clearProgress(): void {
    if (this.progressShown) {
      this.io.stderr.write('\r\x1b[2K');
      this.progressShown = false;
    }
  }
}
