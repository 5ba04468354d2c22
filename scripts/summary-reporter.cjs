// Mocha reporter: the spec reporter's output, then one plain summary line `N passed, N failed`.
'use strict';
const Mocha = require('mocha');
const { EVENT_RUN_END, EVENT_TEST_PASS, EVENT_TEST_FAIL } = Mocha.Runner.constants;

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    let passed = 0;
    let failed = 0;
    runner.on(EVENT_TEST_PASS, () => passed++);
    runner.on(EVENT_TEST_FAIL, () => failed++);
    runner.once(EVENT_RUN_END, () => {
      const file = process.env.ANYIO_MIGRATE_SUMMARY_FILE;
      if (file) require('fs').writeFileSync(file, JSON.stringify({ passed, failed }));
      else process.stdout.write(`${passed} passed, ${failed} failed\n`);
    });
  }
}
module.exports = SummaryReporter;
