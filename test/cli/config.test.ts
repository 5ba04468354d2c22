import { strict as assert } from 'node:assert';
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { findPyproject, parseAnyioMigrateConfig, loadConfigFile, MAX_CONFIG_FILE_BYTES } from '../../src/config/pyproject';
import { makeTempDir, removeDir, writeTree, V2_SAFE } from '../support/helpers';
import { runCli } from '../support/harness';
import { snapshotTree } from '../support/tree-snapshot';

const HAS_DEV_ZERO = fs.existsSync('/dev/zero');

const FILE = '/proj/pyproject.toml';

describe('config/pyproject: [tool.anyio-migrate]', () => {
  it('reads every supported key', () => {
    const r = parseAnyioMigrateConfig(
      [
        '[project]',
        'name = "x"',
        '',
        '[tool.anyio-migrate]',
        'select = ["ASY1", "ASY201"]',
        'ignore = ["ASY101"]',
        'target = "anyio2+3"',
        'unsafe-fixes = true',
        'exclude = ["generated/", "*_pb2.py"]',
      ].join('\n'),
      FILE,
    );
    assert.deepEqual(r.errors, []);
    assert.equal(r.hasSection, true);
    assert.deepEqual(r.config, {
      select: ['ASY1', 'ASY201'],
      ignore: ['ASY101'],
      target: 'anyio2+3',
      unsafeFixes: true,
      exclude: ['generated/', '*_pb2.py'],
    });
  });

  it('returns an empty config for a pyproject without the table', () => {
    assert.deepEqual(parseAnyioMigrateConfig('[tool.ruff]\nline-length = 100\n', FILE), { config: {}, errors: [], hasSection: false });
  });

  it('reports unknown keys with a suggestion', () => {
    const r = parseAnyioMigrateConfig('[tool.anyio-migrate]\nunsafe_fixes = true\ncolour = "red"\n', FILE);
    assert.equal(r.errors.length, 2);
    assert.match(r.errors[0]!, /^\/proj\/pyproject\.toml: \[tool\.anyio-migrate\]: unknown key 'unsafe_fixes' \(did you mean 'unsafe-fixes'\?\)/);
    assert.match(r.errors[1]!, /unknown key 'colour'; known keys: select, ignore, target, unsafe-fixes, exclude/);
  });

  it('reports wrong types, keeping the valid settings', () => {
    const r = parseAnyioMigrateConfig('[tool.anyio-migrate]\nselect = "ASY1"\nignore = ["ASY101", 3]\ntarget = 3\nunsafe-fixes = "yes"\nexclude = [""]\n', FILE);
    assert.deepEqual(r.errors, [
      '/proj/pyproject.toml: [tool.anyio-migrate] select: expected an array of strings, got a string',
      '/proj/pyproject.toml: [tool.anyio-migrate] ignore[1]: expected a string, got a number',
      '/proj/pyproject.toml: [tool.anyio-migrate] target: expected a string, got a number',
      '/proj/pyproject.toml: [tool.anyio-migrate] unsafe-fixes: expected true or false, got a string',
      '/proj/pyproject.toml: [tool.anyio-migrate] exclude[0]: empty pattern',
    ]);
    assert.deepEqual(r.config, {});
  });

  it('reports unknown rule codes and targets', () => {
    const r = parseAnyioMigrateConfig('[tool.anyio-migrate]\nselect = ["ASY", "XYZ1", "ASY999"]\ntarget = "anyio4"\n', FILE);
    assert.equal(r.errors.length, 2);
    assert.match(r.errors[0]!, /select: unknown rule codes 'XYZ1', 'ASY999'/);
    assert.match(r.errors[1]!, /target: unknown target 'anyio4' \(expected 'anyio3' or 'anyio2\+3'\)/);
  });

  it('reports TOML syntax errors with a position', () => {
    const r = parseAnyioMigrateConfig('[tool.anyio-migrate]\nselect = [\n', FILE);
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0]!, /^\/proj\/pyproject\.toml: invalid TOML \(line \d+, column \d+: /);
  });

  it('reports a misspelt table name and a non-table value', () => {
    assert.match(parseAnyioMigrateConfig('[tool.anyio_migrate]\nselect = []\n', FILE).errors[0]!, /found \[tool\.anyio_migrate\]; the table must be named \[tool\.anyio-migrate\]/);
    assert.match(parseAnyioMigrateConfig('[tool]\nanyio-migrate = 1\n', FILE).errors[0]!, /must be a table, not a number/);
  });

  describe('findPyproject', () => {
    let root: string;
    beforeEach(() => {
      root = makeTempDir();
    });
    afterEach(() => removeDir(root));

    it('finds the nearest pyproject.toml with the table, passing over those without', () => {
      writeTree(root, {
        'pyproject.toml': '[tool.anyio-migrate]\ntarget = "anyio3"\n',
        'pkg/pyproject.toml': '[project]\nname = "pkg"\n',
        'pkg/src/mod.py': '',
      });
      assert.equal(findPyproject(path.join(root, 'pkg', 'src')), path.join(root, 'pyproject.toml'));
      writeTree(root, { 'pkg/pyproject.toml': '[tool.anyio-migrate]\n' });
      assert.equal(findPyproject(path.join(root, 'pkg', 'src')), path.join(root, 'pkg', 'pyproject.toml'));
    });

    it('returns a broken pyproject that mentions the tool, so its error is reported', () => {
      writeTree(root, { 'pyproject.toml': '[tool.anyio-migrate\n' });
      const found = findPyproject(root);
      assert.equal(found, path.join(root, 'pyproject.toml'));
      assert.match(loadConfigFile(found!).errors[0]!, /invalid TOML/);
    });

    it('reports a missing --config file', () => {
      const missing = path.join(root, 'nope.toml');
      assert.deepEqual(loadConfigFile(missing).errors, [`${missing}: cannot read config file (no such file)`]);
      assert.equal(fs.existsSync(missing), false);
    });

    it('passes over a pyproject.toml linked to /dev/zero or a FIFO, with a warning, and keeps looking up', function () {
      writeTree(root, { 'pyproject.toml': '[tool.anyio-migrate]\ntarget = "anyio3"\n', 'a/b/mod.py': '' });
      const fifo = path.join(root, 'a', 'b', 'pyproject.toml');
      if (spawnSync('mkfifo', [fifo]).status !== 0) this.skip();
      if (HAS_DEV_ZERO) fs.symlinkSync('/dev/zero', path.join(root, 'a', 'pyproject.toml'));
      const warnings: string[] = [];
      const before = process.memoryUsage().rss;
      assert.equal(
        findPyproject(path.join(root, 'a', 'b'), (m) => warnings.push(m)),
        path.join(root, 'pyproject.toml'),
      );
      assert.ok(process.memoryUsage().rss - before < 64 * 1024 * 1024, 'memory stays small');
      const expected = [`${fifo}: not used: not a regular file (a FIFO)`];
      if (HAS_DEV_ZERO) expected.push(`${path.join(root, 'a', 'pyproject.toml')}: not used: not a regular file (a character device)`);
      assert.deepEqual(warnings, expected);
    });

    it('passes over a pyproject.toml over 1 MiB; --config with one is an error', () => {
      const big = path.join(root, 'pyproject.toml');
      writeTree(root, { 'pyproject.toml': `[tool.anyio-migrate]\n${'#'.repeat(MAX_CONFIG_FILE_BYTES)}\n` });
      const warnings: string[] = [];
      assert.equal(
        findPyproject(root, (m) => warnings.push(m)),
        undefined,
      );
      assert.deepEqual(warnings, [`${big}: not used: larger than the size limit (1 MB > 1 MB)`]);
      assert.deepEqual(loadConfigFile(big).errors, [`${big}: cannot read config file (larger than the size limit (1 MB > 1 MB))`]);
    });

    it('--config naming /dev/zero is an error, not a hang', function () {
      if (!HAS_DEV_ZERO) this.skip();
      assert.deepEqual(loadConfigFile('/dev/zero').errors, ['/dev/zero: cannot read config file (not a regular file (a character device))']);
    });

    it('check: a pyproject.toml linked to /dev/zero is a warning; the run goes on and changes nothing', async function () {
      if (!HAS_DEV_ZERO) this.skip();
      writeTree(root, { 'a.py': V2_SAFE });
      fs.symlinkSync('/dev/zero', path.join(root, 'pyproject.toml'));
      const before = snapshotTree(root);
      const r = await runCli(['check', '--no-cache'], { cwd: root });
      assert.match(
        r.stderr,
        new RegExp(`^warning: ${path.join(root, 'pyproject.toml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not used: not a regular file \\(a character device\\)$`, 'm'),
      );
      assert.match(r.stdout, /^a\.py:5:13: ASY101/m);
      assert.equal(r.code, 1);
      assert.deepEqual(snapshotTree(root), before);
    });
  });
});
