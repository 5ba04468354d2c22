import { strict as assert } from 'node:assert';
import * as fs from 'fs';
import * as path from 'path';
import { initEngine } from '../../src/engine';
import { HELP } from '../../src/cli/options';
import { runCli } from '../support/harness';
import { makeTempDir, removeDir, writeTree, readText, REPO_ROOT, V2_SAFE, V2_SAFE_FIXED } from '../support/helpers';

type Hook = Record<string, string | string[] | boolean>;

/**
 * The hooks of `.pre-commit-hooks.yaml`: a list of flat mappings (`- key: value`, `key: value`),
 * values plain or quoted scalars, `[a, b]` lists or booleans. Anything else fails the test: the
 * file must stay this simple.
 */
function parseHooks(yaml: string): Hook[] {
  const hooks: Hook[] = [];
  for (const raw of yaml.split('\n')) {
    const line = raw.replace(/\s+#.*$/, '').trimEnd();
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const m = /^(- | {2})([a-z_]+): (.+)$/.exec(line);
    assert.ok(m, `unexpected line in .pre-commit-hooks.yaml: ${raw}`);
    if (m[1] === '- ') hooks.push({});
    const hook = hooks.at(-1);
    assert.ok(hook, 'a key before the first hook');
    const value = m[3]!;
    if (value.startsWith('['))
      hook[m[2]!] = value
        .slice(1, -1)
        .split(',')
        .map((s) => s.trim());
    else if (value === 'true' || value === 'false') hook[m[2]!] = value === 'true';
    else hook[m[2]!] = value.replace(/^'(.*)'$/, '$1');
  }
  return hooks;
}

describe('.pre-commit-hooks.yaml: the check and fix hooks', function () {
  this.timeout(20_000);
  const hooks = parseHooks(fs.readFileSync(path.join(REPO_ROOT, '.pre-commit-hooks.yaml'), 'utf8'));
  let dir: string;

  before(async () => {
    await initEngine();
  });
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => removeDir(dir));

  it('defines anyio-migrate-check and anyio-migrate-fix as node hooks on Python files', () => {
    assert.deepEqual(
      hooks.map((h) => h['id']),
      ['anyio-migrate-check', 'anyio-migrate-fix'],
    );
    for (const h of hooks) {
      assert.equal(h['language'], 'node');
      assert.deepEqual(h['types_or'], ['python', 'pyi']);
      assert.equal(h['require_serial'], false);
      assert.ok(typeof h['name'] === 'string' && typeof h['description'] === 'string');
    }
  });

  it('each entry is the installed command, with a command and options its help lists', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    for (const h of hooks) {
      const [exe, command, ...options] = String(h['entry']).split(' ');
      assert.ok(exe && pkg.bin[exe], `${exe} is not a "bin" of package.json`);
      assert.ok(fs.existsSync(path.join(REPO_ROOT, pkg.bin[exe])));
      assert.equal(command, String(h['id']).replace('anyio-migrate-', ''));
      assert.match(HELP, new RegExp(`^  anyio-migrate ${command} +\\[OPTIONS\\] \\[PATH\\.\\.\\.\\]`, 'm'));
      for (const o of options) assert.match(HELP, new RegExp(`^  ${o} `, 'm'), o);
    }
  });

  it('run as pre-commit runs them (staged file names, in batches): excludes hold, exit statuses fail the commit', async () => {
    writeTree(dir, {
      'pyproject.toml': '[tool.anyio-migrate]\nexclude = ["generated/"]\n',
      'a.py': V2_SAFE,
      'b.py': V2_SAFE,
      'generated/g.py': V2_SAFE,
    });
    const entry = (id: string): string[] =>
      String(hooks.find((h) => h['id'] === id)!['entry'])
        .split(' ')
        .slice(1);
    // Batch 1: an excluded file only; batch 2: the others.
    const excluded = await runCli([...entry('anyio-migrate-check'), 'generated/g.py'], { cwd: dir });
    assert.equal(excluded.code, 0, excluded.stderr);
    assert.equal(excluded.stdout, '');
    assert.doesNotMatch(excluded.stderr, /no Python files found/);
    const check = await runCli([...entry('anyio-migrate-check'), 'a.py', 'b.py'], { cwd: dir });
    assert.equal(check.code, 1);
    assert.match(check.stdout, /^a\.py:5:13: ASY101 /m);
    const fix = await runCli([...entry('anyio-migrate-fix'), 'a.py', 'generated/g.py'], { cwd: dir });
    assert.equal(fix.code, 0, fix.stderr);
    assert.equal(readText(path.join(dir, 'a.py')), V2_SAFE_FIXED);
    assert.equal(readText(path.join(dir, 'generated/g.py')), V2_SAFE);
    // Without --force-exclude, a file named on the command line is processed even when excluded.
    assert.equal((await runCli(['check', 'generated/g.py'], { cwd: dir })).code, 1);
  });
});
