/**
 * Entry point of the extension-host suite (`extensionTestsPath`): runs every `*.vtest.js` next to
 * this file with mocha inside VS Code's extension host, in the order of ORDER below, and writes a
 * JSON results file (env ANYIO_MIGRATE_VSCODE_RESULTS) that the runner reads. The promise rejects
 * when a test failed, so the workbench reports exit code 1 as well.
 *
 * The file names deliberately do not match `*.test.js`: the unit run (plain Node, no `vscode`
 * module) must not pick them up.
 */
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

/** Files in the order they run (the workspace migration changes every file, so it comes last). */
const ORDER = ['diagnostics', 'codeActions', 'hover', 'onSave', 'settings', 'untitledAndNotebooks', 'migrate'];

interface TestResult {
  title: string;
  fullTitle: string;
  file?: string;
  state: 'passed' | 'failed';
  durationMs?: number;
  error?: string;
}

export function run(): Promise<void> {
  const results: TestResult[] = [];
  const started = Date.now();
  class ResultsReporter extends Mocha.reporters.Base {
    constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
      super(runner, options);
      runner.on(Mocha.Runner.constants.EVENT_SUITE_BEGIN, (s: Mocha.Suite) => {
        if (s.title) console.log(`# ${s.fullTitle()}`);
      });
      runner.on(Mocha.Runner.constants.EVENT_TEST_PASS, (t: Mocha.Test) => {
        results.push({ title: t.title, fullTitle: t.fullTitle(), file: t.file && path.basename(t.file), state: 'passed', durationMs: t.duration });
        console.log(`  ✓ ${t.title} (${t.duration ?? 0} ms)`);
      });
      runner.on(Mocha.Runner.constants.EVENT_TEST_FAIL, (t: Mocha.Test, err: Error) => {
        const error = err?.stack ?? String(err);
        results.push({ title: t.title, fullTitle: t.fullTitle(), file: t.file && path.basename(t.file), state: 'failed', durationMs: t.duration, error });
        console.log(`  ✗ ${t.fullTitle()}\n${error}`);
      });
    }
  }
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: ResultsReporter });
  const files = fs.readdirSync(__dirname).filter((f) => f.endsWith('.vtest.js'));
  const rank = (f: string): number => {
    const i = ORDER.indexOf(f.replace(/\.vtest\.js$/, ''));
    return i === -1 ? ORDER.length : i;
  };
  files.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  for (const f of files) mocha.addFile(path.join(__dirname, f));
  const grep = process.env.ANYIO_MIGRATE_VSCODE_GREP;
  if (grep) mocha.grep(grep);

  return new Promise((resolve, reject) => {
    const write = (): number => {
      const file = process.env.ANYIO_MIGRATE_VSCODE_RESULTS;
      const passed = results.filter((r) => r.state === 'passed').length;
      const failed = results.length - passed;
      // Loaded here, not at the top: only the extension host provides the `vscode` module.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const vscodeVersion = (require('vscode') as { version: string }).version;
      const body = { passed, failed, durationMs: Date.now() - started, vscodeVersion, tests: results };
      if (file) fs.writeFileSync(file, JSON.stringify(body, null, 2));
      console.log(`[suite] ${passed} passed, ${failed} failed`);
      return failed;
    };
    try {
      mocha.run(() => {
        const failed = write();
        if (failed > 0) reject(new Error(`${failed} extension-host test(s) failed`));
        else resolve();
      });
    } catch (err) {
      results.push({ title: 'load', fullTitle: 'loading the suite', state: 'failed', error: err instanceof Error ? err.stack : String(err) });
      write();
      reject(err);
    }
  });
}
