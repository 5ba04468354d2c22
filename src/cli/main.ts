/**
 * Process entry point of the `anyio-migrate` command (see `bin/anyio-migrate.js`): wires `run` to
 * the real process — streams, Ctrl-C, exit status. All the work happens in `run.ts`.
 */
import { run } from './run';
import { runExplain } from './explain';
import { removeInFlightTempFiles } from '../workspace/files';

async function main(): Promise<number> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts > 1) {
      // A second Ctrl-C: writes are atomic (temp file + rename), so stopping now cannot leave a
      // half-written source file; the temp file of a write in flight is removed.
      removeInFlightTempFiles();
      process.stderr.write('\nanyio-migrate: interrupted\n');
      process.exit(130);
    }
    controller.abort();
    process.stderr.write('\nanyio-migrate: stopping after the current file (Ctrl-C again to stop now)\n');
  };
  // SIGTERM (kill, a CI timeout): stop now, without leaving the temp file of a write in flight.
  const onSigterm = (): void => {
    removeInFlightTempFiles();
    process.exit(143);
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  // `anyio-migrate check | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  try {
    const argv = process.argv.slice(2);
    const io = { stdout: process.stdout, stderr: process.stderr, signal: controller.signal };
    // `explain FILE:LINE:COL` answers one question about one position: its own small command.
    if (argv[0] === 'explain') return await runExplain(argv.slice(1), io);
    return await run(argv, io);
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`anyio-migrate: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 2;
  },
);
