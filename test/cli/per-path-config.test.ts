import { strict as assert } from 'node:assert';
import * as path from 'path';
import { initEngine } from '../../src/engine';
import { runCli } from '../support/harness';
import { makeTempDir, removeDir, writeTree, readText, V2_SAFE } from '../support/helpers';

/** V2_SAFE fixed for `target = "anyio2+3"` (code that must keep running on AnyIO 2). */
const V2_SAFE_FIXED_COMPAT = [
  'import anyio',
  'try:',
  '    from anyio import Event as anyio_create_event',
  'except ImportError:',
  '    from anyio import create_event as anyio_create_event',
  '',
  '',
  'async def main():',
  '    start = await anyio.maybe_async(anyio.current_time())',
  '    event = anyio_create_event()',
  '    return start, event',
  '',
].join('\n');

interface Item {
  path: string;
  code: string;
}

describe('cli: each file uses the nearest pyproject.toml above it (as ruff does)', function () {
  this.timeout(20_000);
  let dir: string;
  let cwd: string;

  before(async () => {
    await initEngine();
  });
  beforeEach(() => {
    dir = makeTempDir();
    writeTree(dir, {
      // The repository's settings, and those of the directory the command runs in.
      'pyproject.toml': '[tool.anyio-migrate]\nselect = ["ASY201"]\n',
      'elsewhere/pyproject.toml': '[tool.anyio-migrate]\nignore = ["ASY"]\n',
      'elsewhere/.keep': '',
      'projA/pyproject.toml': '[tool.anyio-migrate]\nselect = ["ASY101"]\nexclude = ["gen/"]\n',
      'projA/pkg/a.py': V2_SAFE,
      'projA/gen/g.py': V2_SAFE,
      'projB/pyproject.toml': '[tool.anyio-migrate]\ntarget = "anyio2+3"\nexclude = ["old_*.py"]\n',
      'projB/b.py': V2_SAFE,
      'projB/old_x.py': V2_SAFE,
      'projB/gen/g.py': V2_SAFE,
      // No table: passed over, the repository's settings apply (as in the language server).
      'projC/pyproject.toml': '[project]\nname = "c"\n',
      'projC/c.py': V2_SAFE,
    });
    cwd = path.join(dir, 'elsewhere');
  });
  afterEach(() => removeDir(dir));

  const rel = (items: Item[]): string[] => items.map((i) => `${path.relative(dir, i.path).split(path.sep).join('/')} ${i.code}`);

  it('check from a third directory: each project’s select, target and exclude', async () => {
    const r = await runCli(['check', '--format', 'json', '--no-cache', '../projA', '../projB', '../projC'], { cwd });
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(rel(JSON.parse(r.stdout) as Item[]), [
      'projA/pkg/a.py ASY101', // projA: select ASY101, gen/ excluded
      'projB/b.py ASY101', // projB: all rules; old_*.py excluded, its gen/ is not
      'projB/b.py ASY201',
      'projB/gen/g.py ASY101',
      'projB/gen/g.py ASY201',
      'projC/c.py ASY201', // projC: its pyproject has no table, the repository's applies
    ]);
  });

  it('diff uses each file’s target; flags override every file’s settings', async () => {
    const r = await runCli(['diff', '--no-cache', '../projA/pkg', '../projB/b.py'], { cwd });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /\+ {4}start = anyio\.current_time\(\)/); // projA: anyio3
    assert.match(r.stdout, /\+ {4}start = await anyio\.maybe_async\(anyio\.current_time\(\)\)/); // projB: anyio2+3
    assert.doesNotMatch(r.stdout, /anyio\.Event\(\)/); // projA selects ASY101 only
    const flags = await runCli(['check', '--format', 'json', '--no-cache', '--select', 'ASY201', '../projA', '../projB'], { cwd });
    assert.deepEqual(rel(JSON.parse(flags.stdout) as Item[]), ['projA/pkg/a.py ASY201', 'projB/b.py ASY201', 'projB/gen/g.py ASY201']);
  });

  it('fix writes each file with its own settings', async () => {
    const r = await runCli(['fix', '../projA', '../projB', '../projC'], { cwd });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(readText(path.join(dir, 'projA/pkg/a.py')), V2_SAFE.replace('await anyio.current_time()', 'anyio.current_time()'));
    assert.equal(readText(path.join(dir, 'projA/gen/g.py')), V2_SAFE);
    assert.equal(readText(path.join(dir, 'projB/b.py')), V2_SAFE_FIXED_COMPAT);
    assert.equal(readText(path.join(dir, 'projB/old_x.py')), V2_SAFE);
    assert.equal(readText(path.join(dir, 'projC/c.py')), V2_SAFE.replace('anyio.create_event()', 'anyio.Event()'));
  });

  it('--config FILE applies one file to every path, its exclude relative to it', async () => {
    const r = await runCli(['check', '--format', 'json', '--no-cache', '--config', '../projA/pyproject.toml', '../projA', '../projB', '../projC'], { cwd });
    assert.deepEqual(rel(JSON.parse(r.stdout) as Item[]), ['projA/pkg/a.py ASY101', 'projB/b.py ASY101', 'projB/gen/g.py ASY101', 'projB/old_x.py ASY101', 'projC/c.py ASY101']);
    const fixed = await runCli(['fix', '--config', '../projA/pyproject.toml', '../projB/b.py'], { cwd });
    assert.equal(fixed.code, 0, fixed.stderr); // ASY201 is not selected: nothing is left to report
    assert.equal(readText(path.join(dir, 'projB/b.py')), V2_SAFE.replace('await anyio.current_time()', 'anyio.current_time()'));
  });

  it('one config for every file: the same output as with that file forced by --config', async () => {
    const projA = path.join(dir, 'projA');
    const found = await runCli(['check', '--no-cache', '.'], { cwd: projA });
    const forced = await runCli(['check', '--no-cache', '--config', 'pyproject.toml', '.'], { cwd: projA });
    assert.equal(found.code, 1);
    assert.match(found.stdout, /^pkg[/\\]a\.py:5:13: ASY101 .* \[\*\]\n$/);
    assert.deepEqual([found.code, found.stdout, found.stderr], [forced.code, forced.stdout, forced.stderr]);
  });

  it('a broken pyproject.toml of one project: an error naming it, exit 2, nothing written', async () => {
    writeTree(dir, { 'projB/pyproject.toml': '[tool.anyio-migrate]\ntarget = "anyio4"\n' });
    const r = await runCli(['fix', '../projA', '../projB'], { cwd });
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.ok(
      r.stderr.includes(`error: invalid configuration:\n  ${path.join(dir, 'projB', 'pyproject.toml')}:2:10: [tool.anyio-migrate] target: unknown target 'anyio4'`),
      r.stderr,
    );
    for (const f of ['projA/pkg/a.py', 'projB/b.py']) assert.equal(readText(path.join(dir, f)), V2_SAFE, f);
    writeTree(dir, { 'projB/pyproject.toml': '[tool.anyio-migrate\n' });
    const toml = await runCli(['check', '../projB/b.py'], { cwd });
    assert.equal(toml.code, 2);
    assert.match(toml.stderr, /projB[/\\]pyproject\.toml: invalid TOML \(line 1/);
    // A project whose config is fine still runs on its own.
    assert.equal((await runCli(['check', '--no-cache', '../projA'], { cwd })).code, 1);
  });
});
