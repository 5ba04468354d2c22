#!/usr/bin/env node
// The main job, end to end: take the sample AnyIO 2 service (examples/sample-project), run
// `anyio-migrate check`, `diff` and `fix` on a copy of it, then run the migrated program under
// AnyIO 3 with DeprecationWarning turned into an error, and say plainly whether it worked.
// `npm run demo` builds the project first; this script only uses the compiled CLI.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'anyio-migrate.js');
const sample = join(root, 'examples', 'sample-project');
const python = '/usr/bin/python3';
const pythonEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONWARNINGS: '' };

const problems = [];
const heading = (text) => process.stdout.write(`\n=== ${text}\n`);
const show = (text) => process.stdout.write(text.endsWith('\n') || text === '' ? text : `${text}\n`);

/** Run the CLI in the project copy, show what it printed, return its exit status. */
function cli(args, expectedStatus, what) {
  heading(`anyio-migrate ${args.join(' ')}   (${what})`);
  const r = spawnSync(process.execPath, [bin, ...args, '--no-progress'], { cwd: project, encoding: 'utf8' });
  show(r.stdout);
  show(r.stderr);
  process.stdout.write(`-> exit status ${r.status} (expected ${expectedStatus})\n`);
  if (r.status !== expectedStatus) problems.push(`'anyio-migrate ${args.join(' ')}' exited with ${r.status}, expected ${expectedStatus}`);
  return r.status;
}

function runProgram(label) {
  heading(`${python} -W error::DeprecationWarning main.py   (${label})`);
  const r = spawnSync(python, ['-W', 'error::DeprecationWarning', 'main.py'], { cwd: project, encoding: 'utf8', env: pythonEnv, timeout: 60_000 });
  if (r.error) {
    show(`could not run ${python}: ${r.error.message}`);
    return { status: null, stdout: '', stderr: '' };
  }
  show(r.stdout);
  show(r.stderr.trim().split('\n').slice(-3).join('\n'));
  process.stdout.write(`-> exit status ${r.status}\n`);
  return r;
}

if (!existsSync(join(root, 'out', 'src', 'cli', 'main.js'))) {
  console.error('demo: the CLI is not built (out/src/cli/main.js is missing); run `npm run demo`, which builds first.');
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), 'anyio-migrate-demo-'));
const project = join(work, 'sample-project');
let exitCode = 1;
try {
  cpSync(sample, project, { recursive: true });
  process.stdout.write(`Migrating a copy of examples/sample-project in ${project}\n`);
  // build/ is git-ignored, so a fresh clone may not have the stale build copy: make it as a build would.
  const buildCopy = join(project, 'build', 'lib', 'jobqueue', 'workers.py');
  if (!existsSync(buildCopy)) {
    mkdirSync(dirname(buildCopy), { recursive: true });
    copyFileSync(join(project, 'jobqueue', 'workers.py'), buildCopy);
    process.stdout.write('(created the git-ignored build/lib/jobqueue/workers.py, a stale build copy)\n');
  }

  const anyio = spawnSync(python, ['-c', 'import importlib.metadata as m; print(m.version("anyio"))'], { encoding: 'utf8', env: pythonEnv });
  const anyioVersion = anyio.status === 0 ? anyio.stdout.trim() : undefined;
  process.stdout.write(anyioVersion ? `AnyIO installed for ${python}: ${anyioVersion}\n` : `No AnyIO found for ${python}: the migrated program cannot be run.\n`);

  const ignored = readFileSync(buildCopy, 'utf8');
  const excluded = readFileSync(join(project, 'third_party', 'retry.py'), 'utf8');

  if (anyioVersion) runProgram('before migrating: expected to fail on AnyIO 3');
  cli(['check', '.'], 1, 'findings: exit status 1');
  cli(['diff', '.'], 1, 'what fix would change: exit status 1');
  cli(['fix', '.'], 0, 'rewrite the files: exit status 0 when nothing is left');
  cli(['check', '.'], 0, 'after fixing: no findings');

  if (readFileSync(buildCopy, 'utf8') !== ignored) problems.push('the git-ignored build/ copy was modified');
  if (readFileSync(join(project, 'third_party', 'retry.py'), 'utf8') !== excluded) problems.push('the excluded third_party/ code was modified');

  if (!anyioVersion) {
    problems.push(`${python} has no anyio module (install python3-anyio), so the migrated program was not run`);
  } else {
    const after = runProgram('after migrating');
    if (after.status !== 0) problems.push(`the migrated program exited with status ${after.status}`);
    else if (after.stderr.trim() !== '') problems.push('the migrated program wrote to stderr');
    else if (!/^12 steps completed$/m.test(after.stdout)) problems.push('the migrated program did not print its final line');
  }

  heading('Result');
  if (problems.length === 0) {
    process.stdout.write(
      `SUCCESS: anyio-migrate migrated the sample AnyIO 2 service; it now runs on AnyIO ${anyioVersion} ` +
        'with DeprecationWarning as an error, and the git-ignored and excluded code was left untouched.\n',
    );
    exitCode = 0;
  } else {
    process.stdout.write(`FAILURE:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exit(exitCode);
