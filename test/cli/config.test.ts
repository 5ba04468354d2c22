import { strict as assert } from 'node:assert';
import * as fs from 'fs';
import * as path from 'path';
import { findPyproject, parseAnyioMigrateConfig, loadConfigFile } from '../../src/config/pyproject';
import { makeTempDir, removeDir, writeTree } from './helpers';

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
    const r = parseAnyioMigrateConfig(
      '[tool.anyio-migrate]\nselect = "ASY1"\nignore = ["ASY101", 3]\ntarget = 3\nunsafe-fixes = "yes"\nexclude = [""]\n',
      FILE,
    );
    assert.deepEqual(r.errors, [
      "/proj/pyproject.toml: [tool.anyio-migrate] select: expected an array of strings, got a string",
      "/proj/pyproject.toml: [tool.anyio-migrate] ignore[1]: expected a string, got a number",
      "/proj/pyproject.toml: [tool.anyio-migrate] target: expected a string, got a number",
      "/proj/pyproject.toml: [tool.anyio-migrate] unsafe-fixes: expected true or false, got a string",
      "/proj/pyproject.toml: [tool.anyio-migrate] exclude[0]: empty pattern",
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
  });
});
