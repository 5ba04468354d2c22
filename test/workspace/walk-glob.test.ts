import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'fs';
import * as path from 'path';
import { collectPythonFiles } from '../../src/workspace/walk';
import { globCounters } from '../../src/core/glob';
import { makeTempDir, removeDir, writeTree } from '../support/helpers';

const STARS = '*a'.repeat(10);

/** A tree whose names are long runs of `a`: the worst case for a backtracking `*a*a…` matcher. */
function adversarialTree(n: number): Record<string, string> {
  const a = 'a'.repeat(n);
  return {
    '.gitignore': `${STARS}b\n${STARS}b*.py\n${STARS}b/\n!${STARS}bb.py\n`,
    [`${a}.py`]: '',
    [`${a}b.py`]: '',
    [`${a}bb.py`]: '',
    [`${a}c.py`]: '',
    [`${a}b/x.py`]: '',
    [`${a}/y.py`]: '',
    [`sub/${a}b.py`]: '',
    'plain.py': '',
  };
}

async function walkFiles(root: string): Promise<{ files: string[]; steps: number; warnings: string[] }> {
  const warnings: string[] = [];
  globCounters.steps = 0;
  const r = await collectPythonFiles(['.'], { cwd: root, onWarning: (f, reason) => warnings.push(`${f}: ${reason}`) });
  return { files: r.files.map((f) => path.relative(root, f.path).split(path.sep).join('/')).sort(), steps: globCounters.steps, warnings };
}

function gitInit(root: string): void {
  const env = { ...process.env, HOME: root, XDG_CONFIG_HOME: root, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: path.join(root, '.no-config') };
  const r = spawnSync('git', ['init', '-q', root], { env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

describe('workspace/walk: adversarial .gitignore patterns', function () {
  this.timeout(60000);
  const roots: string[] = [];
  const tree = (n: number): string => {
    const root = makeTempDir();
    roots.push(root);
    gitInit(root);
    writeTree(root, adversarialTree(n));
    return root;
  };
  after(() => roots.forEach(removeDir));

  it('walks like git (git ls-files --others --exclude-standard) with 20-character names', async () => {
    const root = tree(20);
    // git's own wildmatch backtracks on this pattern too (a 40-a name takes it about 45 s), so the
    // comparison with git uses names it can still handle; the verdict does not depend on the length.
    const git = spawnSync('git', ['-c', 'core.quotepath=false', 'ls-files', '--others', '--exclude-standard', '-z'], { cwd: root, encoding: 'utf8' });
    assert.equal(git.status, 0, git.stderr);
    const expected = git.stdout
      .split('\0')
      .filter((f) => f.endsWith('.py'))
      .sort();
    const a = 'a'.repeat(20);
    assert.deepEqual(expected, [`${a}.py`, `${a}/y.py`, `${a}bb.py`, `${a}c.py`, 'plain.py'].sort());
    assert.deepEqual((await walkFiles(root)).files, expected);
  });

  it('returns for 40- and 240-character names, with the same result and work linear in the name length', async () => {
    const results = [];
    for (const n of [40, 240]) {
      const a = 'a'.repeat(n);
      const r = await walkFiles(tree(n));
      assert.deepEqual(r.files, [`${a}.py`, `${a}/y.py`, `${a}bb.py`, `${a}c.py`, 'plain.py'].sort());
      assert.deepEqual(r.warnings, []);
      results.push(r);
    }
    assert.ok(results[1]!.steps <= 6 * 1.15 * results[0]!.steps, `steps ${results[0]!.steps} → ${results[1]!.steps}`);
  });

  it('reports an invalid pattern once, with its file and line, and keeps the others', async () => {
    const root = tree(3);
    fs.writeFileSync(path.join(root, '.gitignore'), 'plain.py\n[z-\n');
    const r = await walkFiles(root);
    assert.ok(!r.files.includes('plain.py'));
    assert.deepEqual(r.warnings, [`${path.join(root, '.gitignore')}: line 2: pattern '[z-' has an unterminated '[' and never matches`]);
  });
});
