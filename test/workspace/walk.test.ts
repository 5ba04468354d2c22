import { strict as assert } from 'node:assert';
import * as fs from 'fs';
import * as path from 'path';
import { collectPythonFiles, type WalkOptions } from '../../src/workspace/walk';
import { nodeFileSystem, type FileSystem } from '../../src/workspace/fsys';
import { spawnSync } from 'child_process';
import { makeTempDir, removeDir, writeTree, IS_ROOT, V2_SAFE, V2_SAFE_FIXED, readText } from '../support/helpers';
import { runCli } from '../support/harness';
import { snapshotTree } from '../support/tree-snapshot';

const HAS_DEV_ZERO = fs.existsSync('/dev/zero');

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

describe('workspace/walk: finding Python files', () => {
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
    assert.deepEqual(
      r.files.map((f) => path.relative(root, f.path)),
      [path.join('src', 'app.py')],
    );
  });

  it('applies configured exclude patterns relative to their base directory', async () => {
    writeTree(root, { 'third_party/lib.py': '', 'app/legacy_old.py': '', 'app/new.py': '' });
    const r = await walk(root, ['.'], { exclude: { baseDir: root, patterns: ['third_party/', 'legacy_*.py'] } });
    assert.deepEqual(r.files, ['app/new.py']);
  });

  it('always includes files named explicitly, even when ignored or not .py', async () => {
    writeTree(root, { '.gitignore': 'ignored.py\n', 'ignored.py': '', script: '' });
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

  it('follows symlinks inside the tree, detects loops and yields each real file once, under its real in-tree path', async () => {
    writeTree(root, { 'pkg/mod.py': '', 'pkg/sub/deep.py': '' });
    fs.symlinkSync(path.join(root, 'pkg'), path.join(root, 'pkg', 'sub', 'loop'));
    fs.symlinkSync(path.join(root, 'pkg', 'mod.py'), path.join(root, 'alias.py'));
    const r = await walk(root);
    // alias.py and pkg/mod.py are one file: reached first through the link, it is named by its target.
    assert.deepEqual(r.files, ['pkg/mod.py', 'pkg/sub/deep.py']);
    assert.equal(r.warnings.length, 1);
    assert.match(r.warnings[0]!, /^pkg\/sub\/loop: symlink loop/);
  });

  it('names files reached only through an in-tree link by their real path (file and directory links, hidden targets)', async () => {
    writeTree(root, { 'pkg/mod.py': '', '.shared/util.py': '', 'src/app.py': '' });
    fs.symlinkSync('../.shared/util.py', path.join(root, 'src', 'util.py'));
    fs.symlinkSync('pkg', path.join(root, 'a_pkg')); // walked before pkg itself
    const r = await walk(root);
    assert.deepEqual(r.files, ['pkg/mod.py', 'src/app.py', '.shared/util.py']);
    assert.deepEqual(r.warnings, []);
    const second = await walk(root);
    assert.deepEqual(second.files, r.files, 'deterministic');
  });

  it('does not follow links (files, directories, to site-packages, to the parent) out of the roots: one warning per link', async () => {
    const repo = path.join(root, 'repo');
    writeTree(root, {
      'repo/pkg/own.py': '',
      'victim/single.py': '',
      'victim/lib/v.py': '',
      'site/pkg_a/__init__.py': '',
      'site/pkg_a/mod.py': '',
      'site/pkg_b/x.py': '',
      'sibling/other.py': '',
    });
    fs.symlinkSync('../../victim/single.py', path.join(repo, 'pkg', 'flink.py'));
    fs.symlinkSync('../victim/lib', path.join(repo, 'dlink'));
    fs.symlinkSync(path.join(root, 'site'), path.join(repo, 'deps'));
    fs.symlinkSync('..', path.join(repo, 'up'));
    fs.symlinkSync('../victim/notes.txt', path.join(repo, 'notes.txt')); // not Python: no warning
    const r = await walk(repo);
    assert.deepEqual(r.files, ['pkg/own.py']);
    assert.deepEqual(r.warnings, [
      `deps: symlink to outside the project (-> ${path.join(root, 'site')}); not followed`,
      `dlink: symlink to outside the project (-> ${path.join(root, 'victim', 'lib')}); not followed`,
      `pkg/flink.py: symlink to outside the project (-> ${path.join(root, 'victim', 'single.py')}); not followed`,
      `up: symlink to outside the project (-> ${root}); not followed`,
    ]);
  });

  it('followLinks reads through links out of the roots, marking those files as outside', async () => {
    const repo = path.join(root, 'repo');
    writeTree(root, { 'repo/own.py': '', 'site/m.py': '', 'site/back.py': '' });
    fs.symlinkSync(path.join(root, 'site'), path.join(repo, 'deps'));
    fs.unlinkSync(path.join(root, 'site', 'back.py'));
    fs.symlinkSync(path.join(repo, 'own.py'), path.join(root, 'site', 'back.py')); // outside, leading back in
    const result = await collectPythonFiles(['.'], { cwd: repo, followLinks: true });
    assert.deepEqual(
      result.files.map((f) => [path.relative(repo, f.path), f.outside === true]),
      [
        ['own.py', false],
        ['deps/m.py', true],
      ],
    );
  });

  it('a link from one root into another is named under that root; a root given through a link is walked', async () => {
    writeTree(root, { 'a/x.py': '', 'b/y.py': '', 'real/z.py': '' });
    fs.symlinkSync('../b/y.py', path.join(root, 'a', 'link.py'));
    fs.symlinkSync('real', path.join(root, 'via'));
    const r = await walk(root, ['a', 'b', 'via']);
    assert.deepEqual(r.files, ['b/y.py', 'a/x.py', 'via/z.py']);
    assert.deepEqual(r.warnings, []);
  });

  it('reads ignore files only when regular: a FIFO or /dev/zero is a warning, not a hang or a memory blow-up', async function () {
    writeTree(root, { '.git/info/.keep': '', 'a.py': '', 'sub/b.py': '' });
    if (spawnSync('mkfifo', [path.join(root, 'sub', '.gitignore')]).status !== 0) this.skip();
    if (HAS_DEV_ZERO) {
      fs.symlinkSync('/dev/zero', path.join(root, '.gitignore'));
      fs.symlinkSync('/dev/zero', path.join(root, '.git', 'info', 'exclude'));
    }
    const r = await walk(root, ['sub']);
    assert.deepEqual(r.files, ['sub/b.py']);
    const expected = ['sub/.gitignore: ignore file not used: not a regular file (a FIFO)'];
    if (HAS_DEV_ZERO) {
      expected.unshift(
        '.git/info/exclude: ignore file not used: not a regular file (a character device)',
        '.gitignore: ignore file not used: not a regular file (a character device)',
      );
    }
    assert.deepEqual(r.warnings, expected);
  });

  it('ignores an ignore file over 1 MiB, with a warning', async () => {
    writeTree(root, { '.gitignore': `a.py\n${'#'.repeat(1024 * 1024)}\n`, 'a.py': '', 'b.py': '' });
    const r = await walk(root);
    assert.deepEqual(r.files, ['a.py', 'b.py']);
    assert.deepEqual(r.warnings, ['.gitignore: ignore file not used: larger than the size limit (1 MB > 1 MB)']);
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

describe('workspace/walk: the CLI stays inside the given roots', () => {
  let root: string;
  beforeEach(() => {
    root = makeTempDir();
  });
  afterEach(() => removeDir(root));

  function makeProbe(): { repo: string; victim: string } {
    const repo = path.join(root, 'repo');
    const victim = path.join(root, 'victim');
    writeTree(root, { 'repo/pkg/own.py': V2_SAFE, 'victim/single.py': V2_SAFE, 'victim/lib/v.py': V2_SAFE, 'victim/site/s.py': V2_SAFE });
    fs.symlinkSync('../../victim/single.py', path.join(repo, 'pkg', 'flink.py'));
    fs.symlinkSync('../victim/lib', path.join(repo, 'dlink'));
    fs.symlinkSync(path.join(victim, 'site'), path.join(repo, 'deps'));
    return { repo, victim };
  }

  it('fix rewrites only the files inside the tree, never through file or directory links out of it', async () => {
    const { repo, victim } = makeProbe();
    const before = snapshotTree(victim);
    const r = await runCli(['fix', '--no-cache'], { cwd: repo });
    assert.deepEqual(snapshotTree(victim), before, 'nothing outside the project changed');
    assert.equal(readText(path.join(repo, 'pkg', 'own.py')), V2_SAFE_FIXED);
    assert.ok(fs.lstatSync(path.join(repo, 'pkg', 'flink.py')).isSymbolicLink());
    assert.match(r.stderr, /^warning: pkg\/flink\.py: symlink to outside the project \(-> .*single\.py\); not followed$/m);
    assert.match(r.stderr, /^warning: dlink: symlink to outside the project/m);
    assert.match(r.stderr, /^warning: deps: symlink to outside the project/m);
    assert.match(r.stdout + r.stderr, /1 file scanned/);
    assert.equal(r.code, 0);
  });

  it('check --follow-links reads outside; fix refuses the flag', async () => {
    const { repo, victim } = makeProbe();
    const before = snapshotTree(victim);
    const r = await runCli(['check', '--no-cache', '--follow-links'], { cwd: repo });
    assert.match(r.stdout, /^deps\/s\.py:5:13: ASY101/m);
    assert.match(r.stdout, /^dlink\/v\.py:5:13: ASY101/m);
    assert.match(r.stdout, /^pkg\/flink\.py:5:13: ASY101/m);
    assert.match(r.stdout + r.stderr, /4 files scanned/);
    const fix = await runCli(['fix', '--follow-links'], { cwd: repo });
    assert.equal(fix.code, 2);
    assert.match(fix.stderr, /--follow-links is for check and diff only/);
    assert.deepEqual(snapshotTree(victim), before);
  });

  it('fix writes an in-tree file reached through a link at its real path, keeping the link', async () => {
    writeTree(root, { 'pkg/mod.py': V2_SAFE });
    fs.symlinkSync(path.join('pkg', 'mod.py'), path.join(root, 'alias.py'));
    const r = await runCli(['fix', '--no-cache'], { cwd: root });
    assert.match(r.stdout, /^Fixed pkg\/mod\.py: /m);
    assert.doesNotMatch(r.stdout, /alias/);
    assert.equal(readText(path.join(root, 'pkg', 'mod.py')), V2_SAFE_FIXED);
    assert.equal(fs.readlinkSync(path.join(root, 'alias.py')), path.join('pkg', 'mod.py'));
  });
});
