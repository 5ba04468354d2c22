import { strict as assert } from 'node:assert';
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { findPyproject } from '../../src/config/pyproject';
import { ExcludeMatchers, excludeOf, PyprojectLookup } from '../../src/config/lookup';
import { ConfigResolver } from '../../src/cli/file-config';
import { PyprojectCache, resolveConfig } from '../../src/server/settings';
import { DEFAULT_SETTINGS } from '../../src/shared/protocol';
import { collectPythonFiles } from '../../src/workspace/walk';
import { makeTempDir, removeDir, writeTree } from '../support/helpers';

/** Two projects with their own settings, one without the table, inside a repository with its own. */
const TREE = {
  'pyproject.toml': '[tool.anyio-migrate]\nselect = ["ASY201"]\n',
  'projA/pyproject.toml': '[tool.anyio-migrate]\nselect = ["ASY101"]\nexclude = ["gen/"]\n',
  'projA/pkg/a.py': 'import anyio\n',
  'projA/gen/g.py': 'import anyio\n',
  'projB/pyproject.toml': '[tool.anyio-migrate]\ntarget = "anyio2+3"\nexclude = ["old_*.py"]\n',
  'projB/b.py': 'import anyio\n',
  'projB/old_x.py': 'import anyio\n',
  'projB/gen/g.py': 'import anyio\n',
  'projC/pyproject.toml': '[project]\nname = "c"\n',
  'projC/c.py': 'import anyio\n',
};

describe('config/lookup: which [tool.anyio-migrate] applies to a file', () => {
  let root: string;
  beforeEach(() => {
    root = makeTempDir();
    writeTree(root, TREE);
  });
  afterEach(() => removeDir(root));

  it('gives findPyproject’s answer for every directory, reading each pyproject.toml once', () => {
    const lookup = new PyprojectLookup();
    const dirs = ['', 'projA', 'projA/pkg', 'projA/gen', 'projB', 'projB/gen', 'projC'].map((d) => path.join(root, d));
    for (const d of dirs) assert.equal(lookup.fileFor(d), findPyproject(d), d);
    assert.equal(lookup.lookup(path.join(root, 'projC'))!.file, path.join(root, 'pyproject.toml'));
    assert.deepEqual(lookup.lookup(path.join(root, 'projA', 'pkg'))!.config, { select: ['ASY101'], exclude: ['gen/'] });
    // Answers are remembered: a table added later is not seen until clear().
    writeTree(root, { 'projC/pyproject.toml': '[tool.anyio-migrate]\nignore = ["ASY1"]\n' });
    assert.equal(lookup.fileFor(path.join(root, 'projC')), path.join(root, 'pyproject.toml'));
    lookup.clear();
    assert.equal(lookup.fileFor(path.join(root, 'projC')), path.join(root, 'projC', 'pyproject.toml'));
  });

  it('reloads a config file whose modification time changed', () => {
    const lookup = new PyprojectLookup();
    const file = path.join(root, 'projA', 'pyproject.toml');
    assert.deepEqual(lookup.load(file).config.select, ['ASY101']);
    fs.writeFileSync(file, '[tool.anyio-migrate]\nselect = ["ASY2"]\n');
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(file, later, later);
    assert.deepEqual(lookup.load(file).config.select, ['ASY2']);
  });

  it('matches exclude patterns relative to the config file’s directory, as the walk does', () => {
    const lookup = new PyprojectLookup();
    const exclude = excludeOf(lookup.lookup(path.join(root, 'projA')))!;
    assert.deepEqual(exclude, { baseDir: path.join(root, 'projA'), patterns: ['gen/'] });
    const m = new ExcludeMatchers();
    assert.equal(m.excludes(exclude, path.join(root, 'projA', 'gen'), true), true);
    assert.equal(m.excludes(exclude, path.join(root, 'projA', 'gen', 'g.py'), false), true);
    assert.equal(m.excludes(exclude, path.join(root, 'projA', 'pkg', 'a.py'), false), false);
    // Outside the config's directory, never.
    assert.equal(m.excludes(exclude, path.join(root, 'projB', 'gen'), true), false);
    assert.equal(excludeOf(lookup.lookup(path.join(root, 'projC'))), undefined);
  });

  it('the CLI and the language server agree on each file’s config file, settings and exclusion', async () => {
    const resolver = new ConfigResolver({});
    const walked = new Set((await collectPythonFiles(['.'], { cwd: root, isExcluded: resolver.isExcluded })).files.map((f) => f.path));
    const cache = new PyprojectCache();
    const files = Object.keys(TREE).filter((f) => f.endsWith('.py'));
    for (const rel of files) {
      const file = path.join(root, rel);
      const cli = resolver.forFile(file);
      const server = resolveConfig({ ...DEFAULT_SETTINGS, select: [], ignore: [], severityOverrides: {} }, pathToFileURL(file).href, cache);
      assert.equal(cli.configFile, server.pyproject, rel);
      assert.equal(cli.target, server.target, rel);
      assert.deepEqual(cli.select, server.select, rel);
      assert.equal(walked.has(file), !server.excluded, rel);
    }
    assert.deepEqual([...walked].map((f) => path.relative(root, f).split(path.sep).join('/')).sort(), ['projA/pkg/a.py', 'projB/b.py', 'projB/gen/g.py', 'projC/c.py']);
  });
});
