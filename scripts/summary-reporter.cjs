// Mocha reporter: the spec reporter's output, then one plain summary line `N passed, N failed`.
//
// Mocha (without --exit) waits for the process to end by itself. A test that leaves something
// running (a worker thread, a server, a timer) would hold the run until the suite's timeout (an
// hour in CI once). So after the run a watchdog waits EXIT_GRACE_MS; if the process is still alive,
// it prints what keeps it alive, counts one failure and exits.
'use strict';
const fs = require('fs');
const Mocha = require('mocha');
const { EVENT_RUN_END, EVENT_TEST_PASS, EVENT_TEST_FAIL } = Mocha.Runner.constants;

const EXIT_GRACE_MS = 20_000;

/** What keeps the event loop alive, one line per handle (process' own stdio left out). */
function liveHandles() {
  const own = new Set([process.stdin, process.stdout, process.stderr]);
  return process
    ._getActiveHandles()
    .filter((h) => !own.has(h))
    .map((h) => {
      const name = (h && h.constructor && h.constructor.name) || typeof h;
      if (name === 'ChildProcess') return `${name} (${(h.spawnargs || []).join(' ')})`;
      if (name === 'Timeout') return `${name} (${String(h._onTimeout).slice(0, 120).replace(/\s+/g, ' ')})`;
      return name;
    });
}

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    let passed = 0;
    let failed = 0;
    const report = () => {
      const file = process.env.ANYIO_MIGRATE_SUMMARY_FILE;
      if (file) fs.writeFileSync(file, JSON.stringify({ passed, failed }));
      else process.stdout.write(`${passed} passed, ${failed} failed\n`);
    };
    runner.on(EVENT_TEST_PASS, () => passed++);
    runner.on(EVENT_TEST_FAIL, () => failed++);
    runner.once(EVENT_RUN_END, () => {
      report();
      const watchdog = setTimeout(() => {
        const handles = liveHandles();
        process.stdout.write(`\nThe test process did not exit ${EXIT_GRACE_MS / 1000} s after the last test: something a test started is still running.\n`);
        process.stdout.write(`Alive: ${handles.length > 0 ? handles.join(', ') : '(no handle reported)'}\nCounted as one failure.\n`);
        failed++;
        report();
        process.exit(1);
      }, EXIT_GRACE_MS);
      watchdog.unref(); // never what keeps the process alive
    });
  }
}
module.exports = SummaryReporter;
