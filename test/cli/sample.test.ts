/**
 * The sample AnyIO 2 project: the CLI must migrate it so that it runs under AnyIO 3 with
 * deprecation warnings turned into errors, and must leave git-ignored and excluded code alone.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { initEngine } from '../../src/engine';
import { runCli } from '../support/harness';
import { makeTempDir, removeDir, SAMPLE_PROJECT } from '../support/helpers';

const PYTHON = '/usr/bin/python3';

/** What the migrated program prints (it is deterministic). */
const EXPECTED_OUTPUT = [
  'announcer: holding the start-up lock',
  'gate: open (event set: True, lock free: True)',
  'warm-up: clock advanced: True',
  'move_on_after: gave up waiting: True',
  'fail_after: raised TimeoutError',
  'cancel scope: cancelled: True',
  'job alpha: checksum 16',
  'job bravo: checksum 36',
  'job charlie: checksum 226',
  'job delta: checksum 20',
  'job echo: checksum 164',
  'worker thread: reported 5 jobs',
  '12 steps completed',
  '',
].join('\n');

function anyioVersion(): string | undefined {
  const r = spawnSync(PYTHON, ['-c', 'import anyio, importlib.metadata as m; print(m.version("anyio"))'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function runSample(dir: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(PYTHON, ['-W', 'error::DeprecationWarning', 'main.py'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONWARNINGS: '' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function snapshot(dir: string, rel: string): string {
  return fs.readFileSync(path.join(dir, rel), 'utf8');
}

describe('cli: the sample project (examples/sample-project)', function () {
  this.timeout(120_000);
  let dir: string;

  before(async () => {
    await initEngine();
  });
  beforeEach(() => {
    dir = path.join(makeTempDir('anyio-migrate-sample-'), 'sample-project');
    fs.cpSync(SAMPLE_PROJECT, dir, { recursive: true });
    // build/ is git-ignored, so a clean clone may lack the stale build copy: make it as a build would.
    const buildCopy = path.join(dir, 'build', 'lib', 'jobqueue', 'workers.py');
    if (!fs.existsSync(buildCopy)) {
      fs.mkdirSync(path.dirname(buildCopy), { recursive: true });
      fs.copyFileSync(path.join(dir, 'jobqueue', 'workers.py'), buildCopy);
    }
  });
  afterEach(() => removeDir(path.dirname(dir)));

  it('has AnyIO 2 code in a git-ignored build/ and an excluded third_party/', () => {
    assert.match(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8'), /^build\/$/m);
    assert.match(snapshot(dir, 'build/lib/jobqueue/workers.py'), /await tg\.spawn\(/);
    assert.match(snapshot(dir, 'third_party/retry.py'), /await anyio\.current_time\(\)/);
    assert.match(snapshot(dir, 'pyproject.toml'), /^\[tool\.anyio-migrate\]$/m);
  });

  it('check finds the AnyIO 2 usages in the project files only', async () => {
    const r = await runCli(['check', '--format', 'json'], { cwd: dir });
    assert.equal(r.code, 1, r.stderr);
    const findings = JSON.parse(r.stdout) as Array<{ path: string; code: string; line: number; fix: { applicability: string } | null }>;
    const files = [...new Set(findings.map((f) => f.path))].sort();
    assert.deepEqual(files, [path.join('jobqueue', 'sync.py'), path.join('jobqueue', 'timing.py'), path.join('jobqueue', 'workers.py')]);
    // Every AnyIO 2 usage the sample exercises is found, and each one has a safe fix.
    const byFile = (file: string): string[] => findings.filter((f) => f.path === path.join('jobqueue', file)).map((f) => `${f.line}:${f.code}`);
    assert.deepEqual(byFile('sync.py'), ['6:ASY201', '7:ASY201', '14:ASY102', '15:ASY102', '18:ASY301']);
    assert.deepEqual(byFile('timing.py'), ['6:ASY101', '8:ASY101', '13:ASY203', '18:ASY203', '25:ASY202', '26:ASY102']);
    assert.deepEqual(byFile('workers.py'), ['5:ASY501', '26:ASY401', '32:ASY401', '39:ASY102', '42:ASY201', '44:ASY301', '45:ASY401']);
    for (const f of findings) assert.equal(f.fix?.applicability, 'safe', `${f.path}:${f.line} ${f.code} has no safe fix`);
  });

  it('fix migrates it so that it runs under AnyIO 3 with DeprecationWarning as an error', async function () {
    const version = anyioVersion();
    if (!version) this.skip(); // needs /usr/bin/python3 with anyio installed (python3-anyio)
    const before = runSample(dir);
    assert.notEqual(before.status, 0, 'the unmigrated sample should fail under AnyIO 3');
    assert.match(before.stderr, /ModuleNotFoundError: No module named 'anyio\.abc\.sockets'/);

    const ignoredBefore = snapshot(dir, 'build/lib/jobqueue/workers.py');
    const excludedBefore = snapshot(dir, 'third_party/retry.py');
    const diff = await runCli(['diff'], { cwd: dir });
    assert.equal(diff.code, 1);
    for (const f of ['jobqueue/sync.py', 'jobqueue/timing.py', 'jobqueue/workers.py']) assert.match(diff.stdout, new RegExp(`^diff --git a/${f} b/${f}$`, 'm'));

    const fix = await runCli(['fix'], { cwd: dir });
    assert.equal(fix.code, 0, `${fix.stdout}\n${fix.stderr}`);
    assert.match(fix.stderr, /^5 files scanned: 3 files changed, 18 findings fixed, 0 left\.$/m);
    assert.equal(snapshot(dir, 'build/lib/jobqueue/workers.py'), ignoredBefore);
    assert.equal(snapshot(dir, 'third_party/retry.py'), excludedBefore);

    const recheck = await runCli(['check'], { cwd: dir });
    assert.equal(recheck.code, 0, recheck.stdout);

    const after = runSample(dir);
    assert.equal(after.status, 0, after.stderr);
    assert.equal(after.stderr, '');
    assert.equal(after.stdout, EXPECTED_OUTPUT);
  });

  it('the diff is exactly what fix writes', async () => {
    const diff = await runCli(['diff', 'jobqueue/timing.py'], { cwd: dir });
    const original = snapshot(dir, 'jobqueue/timing.py');
    await runCli(['fix', 'jobqueue/timing.py'], { cwd: dir });
    const fixed = snapshot(dir, 'jobqueue/timing.py');
    // Every removed line is in the original, every added line in the result.
    for (const line of diff.stdout.split('\n')) {
      if (line.startsWith('-') && !line.startsWith('---')) assert.ok(original.includes(line.slice(1)), line);
      if (line.startsWith('+') && !line.startsWith('+++')) assert.ok(fixed.includes(line.slice(1)), line);
    }
    assert.notEqual(original, fixed);
  });
});
