/**
 * The CLI proves types across the modules of the project it is given: the package of a file named
 * alone is indexed too, a file that never writes `anyio` is analysed when it imports a helper that
 * carries AnyIO objects, and a cached result is invalidated when a module it imports changes.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { indexProject, scanImports } from '../../src/cli/project-index';
import { initEngine } from '../../src/engine';
import { summarizeModule } from '../../src/core/semantic/summary';
import { runCli } from '../support/harness';
import { makeTempDir, removeDir, writeTree } from '../support/helpers';

const HELPERS = [
  'from contextlib import asynccontextmanager',
  '',
  'import anyio',
  '',
  '',
  '@asynccontextmanager',
  'async def open_group():',
  '    async with anyio.create_task_group() as g:',
  '        yield g',
  '',
].join('\n');

const APP = ['from . import helpers', '', '', 'async def main(worker):', '    async with helpers.open_group() as group:', '        await group.spawn(worker)', ''].join('\n');

describe('cli/project-index: types proven across modules', () => {
  let dir: string;
  before(() => initEngine());
  beforeEach(() => {
    dir = makeTempDir();
    writeTree(dir, { 'src/shop/__init__.py': '', 'src/shop/helpers.py': HELPERS, 'src/shop/app.py': APP });
  });
  afterEach(() => removeDir(dir));

  it('scans imports: relative, parenthesised, aliased, after a BOM', () => {
    const text = '\ufefffrom . import helpers\nfrom ..base import (\n    Machine,\n    Part as P,\n)\nimport os.path, json as j\n';
    assert.deepEqual(scanImports(text, 'shop.sub.app', false), ['shop.sub', 'shop.sub.helpers', 'shop.base', 'shop.base.Machine', 'shop.base.Part', 'os.path', 'json']);
    assert.deepEqual(scanImports('from . import x\n', 'shop', true), ['shop', 'shop.x']);
  });

  it('check: a helper in another module proves the task group; --no-project-index does not', async () => {
    const r = await runCli(['check', '--no-cache', 'src'], { cwd: dir });
    assert.match(r.stdout, /src\/shop\/app\.py:6:9: ASY301 /);
    assert.equal(r.code, 1);
    const alone = await runCli(['check', '--no-cache', '--no-project-index', 'src'], { cwd: dir });
    assert.doesNotMatch(alone.stdout, /ASY301/);
    assert.equal(alone.code, 0);
  });

  it('a file named alone is analysed with its package in view, and fixed', async () => {
    const r = await runCli(['fix', path.join('src', 'shop', 'app.py')], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(fs.readFileSync(path.join(dir, 'src/shop/app.py'), 'utf8'), APP.replace('await group.spawn(worker)', 'group.start_soon(worker)'));
    assert.equal(fs.readFileSync(path.join(dir, 'src/shop/helpers.py'), 'utf8'), HELPERS, 'only the named file is written');
  });

  it('a test file named alone sees the package it imports from the same import root (read, never written)', async () => {
    writeTree(dir, {
      'tests/__init__.py': '',
      'tests/test_app.py': 'from shop import helpers\n\n\nasync def test_it(worker):\n    async with helpers.open_group() as g:\n        await g.spawn(worker)\n',
    });
    // `shop` lives under src/: not an import root of tests/, so nothing is proven from it...
    const apart = await runCli(['check', '--no-cache', 'tests/test_app.py'], { cwd: dir });
    assert.doesNotMatch(apart.stdout, /ASY301/);
    // ...until it sits next to the tests, as in a flat layout.
    fs.renameSync(path.join(dir, 'src/shop'), path.join(dir, 'shop'));
    const before = fs.readFileSync(path.join(dir, 'shop/helpers.py'), 'utf8');
    const r = await runCli(['fix', 'tests/test_app.py'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(fs.readFileSync(path.join(dir, 'tests/test_app.py'), 'utf8'), /g\.start_soon\(worker\)/);
    assert.equal(fs.readFileSync(path.join(dir, 'shop/helpers.py'), 'utf8'), before);
  });

  it('parses only the AnyIO-related part of the tree: 8x unrelated modules, the same summaries (2 parsed, 2 scanned)', async () => {
    const related = {
      'src/shop/__init__.py': '',
      'src/shop/helpers.py': HELPERS,
      'src/shop/app.py': APP,
      'src/shop/plain.py': 'class Pool:\n    async def spawn(self, f):\n        await f()\n',
    };
    const tree = (unrelated: number) => {
      const t: Record<string, string> = { ...related, 'src/shop/app.py': `${APP}from .plain import Pool\n` };
      for (let i = 0; i < unrelated; i++) t[`src/other/m${i}.py`] = `import json\n\n\ndef f${i}(x):\n    return json.dumps(x)\n`;
      t['src/other/__init__.py'] = '';
      return t;
    };
    const counts: number[] = [];
    for (const n of [25, 200]) {
      removeDir(dir);
      dir = makeTempDir();
      writeTree(dir, tree(n));
      const files = Object.keys(tree(n)).map((p) => path.join(dir, p));
      const p = await indexProject(files, ['src'], { cwd: dir, summarize: async (text, module, isPackage, file) => summarizeModule(text, module, isPackage, file) });
      assert.equal(p.stats.files, n + 5);
      counts.push(p.stats.summarised, p.index.summaries().filter((s) => !s.shallow).length);
    }
    // helpers (mentions anyio) and app (imports it) parsed; plain and shop/__init__ (imported by
    // app) scanned only.
    assert.deepEqual(counts, [4, 2, 4, 2]);
  });

  it('the cache: a change in an imported module invalidates the findings of its importers', async () => {
    const first = await runCli(['check', 'src'], { cwd: dir });
    assert.match(first.stdout, /app\.py:6:9: ASY301/);
    const again = await runCli(['check', 'src'], { cwd: dir });
    assert.equal(again.stdout, first.stdout);
    // The helper now yields a project object: `group` is proven not AnyIO, app.py is unchanged.
    writeTree(dir, {
      'src/shop/helpers.py': HELPERS.replace(
        '    async with anyio.create_task_group() as g:\n        yield g',
        '    yield Group()\n\n\nclass Group:\n    async def spawn(self, fn):\n        await fn()',
      ),
    });
    const after = await runCli(['check', 'src'], { cwd: dir });
    assert.doesNotMatch(after.stdout, /ASY301/);
    assert.equal(after.code, 0);
  });
});
