import { strict as assert } from 'node:assert';
import * as fs from 'fs';
import * as path from 'path';
import { collectPythonFiles, WalkOptions } from '../../src/cli/walk';
import { nodeFileSystem, FileSystem } from '../../src/cli/fsys';
import { makeTempDir, removeDir, writeTree, IS_ROOT } from './helpers';

async function walk(root: string, paths: string[] = ['.'], extra: Partial<WalkOptions> = {}) {
  const warnings: string[] = [];
  const result = await collectPythonFiles(paths, {
    cwd: root,
    onWarning: (file, reason) => warnings.push(`${path.relative(root, file) || '.'}: ${reason}`),
    ...extra,
  });
  return {
    files: result.files.map((f) => path.relative(root, f.path).split(path.sep).join('/')),
    explicit: result.files.filter((f) => f.explicit).map((f) => path.relative(root, f.path)),
    errors: result.errors,
    warnings,
  };
}

describe('cli/walk: finding Python files', () => {
  let root: string;
  beforeEach(() => {
    root = makeTempDir();
  });
  afterEach(() => removeDir(root));

  it('finds .py and .pyi files, sorted, and nothing else', async () => {
    writeTree(root, { 'b.py': '', 'a.pyi': '', 'notes.txt': '', 'pkg/c.py': '', 'pkg/data.json': '', 'setup.cfg': '' });
    assert.deepEqual((await walk(root)).files, ['a.pyi', 'b.py', 'pkg/c.py']);
  });

  it('skips node_modules, __pycache__, .git, venv names, site-packages and hidden directories', async () => {
    writeTree(root, {
      'keep.py': '',
      'node_modules/x.py': '',
      '__pycache__/x.py': '',
      '.git/hooks/x.py': '',
      '.venv/lib/x.py': '',
      'venv/lib/x.py': '',
      '.tox/x.py': '',
      '.nox/x.py': '',
      'lib/site-packages/x.py': '',
      '.hidden/x.py': '',
    });
    assert.deepEqual((await walk(root)).files, ['keep.py']);
  });

  it('skips any directory containing pyvenv.cfg (a virtualenv under any name)', async () => {
    writeTree(root, { 'env3/pyvenv.cfg': 'home = /usr/bin\n', 'env3/lib/python3.11/anyio/x.py': '', 'app/main.py': '' });
    assert.deepEqual((await walk(root)).files, ['app/main.py']);
  });

  it('honours .gitignore files, nested ones and negations', async () => {
    writeTree(root, {
      '.gitignore': 'build/\n*_pb2.py\n',
      'build/gen.py': '',
      'api_pb2.py': '',
      'main.py': '',
      'pkg/.gitignore': 'local_*.py\n!local_keep.py\n',
      'pkg/local_scratch.py': '',
      'pkg/local_keep.py': '',
      'pkg/mod.py': '',
      'other/local_scratch.py': '',
    });
    assert.deepEqual((await walk(root)).files, ['main.py', 'other/local_scratch.py', 'pkg/local_keep.py', 'pkg/mod.py']);
  });

  it('honours .gitignore files above the walked directory, up to the git repository root', async () => {
    writeTree(root, { '.git/HEAD': 'ref: refs/heads/main\n', '.gitignore': 'generated/\n', 'src/generated/x.py': '', 'src/app.py': '' });
    const r = await collectPythonFiles(['src'], { cwd: root });
    assert.deepEqual(r.files.map((f) => path.relative(root, f.path)), [path.join('src', 'app.py')]);
  });

  it('applies configured exclude patterns relative to their base directory', async () => {
    writeTree(root, { 'third_party/lib.py': '', 'app/legacy_old.py': '', 'app/new.py': '' });
    const r = await walk(root, ['.'], { exclude: { baseDir: root, patterns: ['third_party/', 'legacy_*.py'] } });
    assert.deepEqual(r.files, ['app/new.py']);
  });

  it('always includes files named explicitly, even when ignored or not .py', async () => {
    writeTree(root, { '.gitignore': 'ignored.py\n', 'ignored.py': '', 'script': '' });
    const r = await walk(root, ['ignored.py', 'script']);
    assert.deepEqual(r.files, ['ignored.py', 'script']);
    assert.deepEqual(r.explicit, ['ignored.py', 'script']);
  });

  it('reports missing paths as errors and keeps going', async () => {
    writeTree(root, { 'a.py': '' });
    const r = await walk(root, ['missing.py', 'a.py']);
    assert.deepEqual(r.files, ['a.py']);
    assert.deepEqual(r.errors, [{ path: 'missing.py', reason: 'no such file or directory' }]);
  });

  it('follows symlinks, detects loops and yields each real file once', async () => {
    writeTree(root, { 'pkg/mod.py': '', 'pkg/sub/deep.py': '' });
    fs.symlinkSync(path.join(root, 'pkg'), path.join(root, 'pkg', 'sub', 'loop'));
    fs.symlinkSync(path.join(root, 'pkg', 'mod.py'), path.join(root, 'alias.py'));
    const r = await walk(root);
    // alias.py and pkg/mod.py are one file: whichever comes first in the sorted walk is kept.
    assert.deepEqual(r.files, ['alias.py', 'pkg/sub/deep.py']);
    assert.equal(r.warnings.length, 1);
    assert.match(r.warnings[0]!, /^pkg\/sub\/loop: symlink loop/);
  });

  it('warns about broken symlinks to .py files', async () => {
    fs.symlinkSync(path.join(root, 'nowhere.py'), path.join(root, 'dangling.py'));
    const r = await walk(root);
    assert.deepEqual(r.files, []);
    assert.match(r.warnings.join('\n'), /dangling\.py: broken symlink/);
  });

  it('skips unreadable directories with a warning (injected EACCES) and keeps going', async () => {
    writeTree(root, { 'open/a.py': '', 'secret/b.py': '', 'z.py': '' });
    const denying: FileSystem = {
      ...nodeFileSystem,
      readdir: async (p) => {
        if (p === path.join(root, 'secret')) throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
        return nodeFileSystem.readdir(p);
      },
    };
    const r = await walk(root, ['.'], { fs: denying });
    assert.deepEqual(r.files, ['open/a.py', 'z.py']);
    assert.deepEqual(r.warnings, ['secret: cannot read directory: permission denied']);
  });

  it('skips directories made unreadable with chmod 000 (needs a non-root user)', async function () {
    if (IS_ROOT) this.skip(); // root reads through chmod 000; the injected-EACCES test covers this path
    writeTree(root, { 'secret/b.py': '', 'z.py': '' });
    fs.chmodSync(path.join(root, 'secret'), 0o000);
    const r = await walk(root);
    assert.deepEqual(r.files, ['z.py']);
    assert.match(r.warnings.join('\n'), /secret: cannot read directory: permission denied/);
  });

  it('stops walking when asked to', async () => {
    writeTree(root, { 'a/x.py': '', 'b/y.py': '' });
    let calls = 0;
    const r = await walk(root, ['.'], { shouldStop: () => ++calls > 2 });
    assert.deepEqual(r.files, ['a/x.py']);
  });
});
