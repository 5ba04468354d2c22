/**
 * The project index as data: module names from a file list, ambiguity between roots (and its
 * end), stubs, the digest callers key caches on, and summaries that depend on their own text only.
 */
import * as assert from 'node:assert/strict';
import { analyze, initEngine } from '../../src/engine';
import { contextFor, moduleNames, ProjectIndex, summarizeModule, updateIndex } from '../../src/core/semantic/index';

const HELPERS = 'import anyio\n\ndef make():\n    return anyio.create_event()\n';
const USER = 'from pkg.helpers import make\n\nasync def f():\n    e = make()\n    await e.set()\n';

function findingsOf(index: ProjectIndex, path: string, text: string): string[] {
  return analyze(text, { project: contextFor(index, path) }).map((f) => `${f.code}:${f.fix?.applicability ?? 'nofix'}`);
}

describe('semantic model: the project index', () => {
  before(() => initEngine());

  it('names modules from the package layout alone (src layouts, namespace roots, stubs)', () => {
    const names = moduleNames([
      'src/pkg/__init__.py',
      'src/pkg/a.py',
      'src/pkg/sub/__init__.py',
      'src/pkg/sub/b.py',
      'src/pkg/sub/b.pyi',
      'src/pkg/only.pyi',
      'tests/test_a.py',
      'scripts/my-tool.py',
    ]);
    assert.deepEqual(Object.fromEntries([...names].map(([p, n]) => [p, `${n.module}${n.isPackage ? '/' : ''}`])), {
      'src/pkg/__init__.py': 'pkg/',
      'src/pkg/a.py': 'pkg.a',
      'src/pkg/sub/__init__.py': 'pkg.sub/',
      'src/pkg/sub/b.py': 'pkg.sub.b',
      'src/pkg/only.pyi': 'pkg.only',
      'tests/test_a.py': 'test_a',
    });
  });

  it('proves nothing through a module two files claim, until one goes away', () => {
    const index = new ProjectIndex();
    updateIndex(index, [
      { path: 'src/pkg/__init__.py', text: '' },
      { path: 'src/pkg/helpers.py', text: HELPERS },
      { path: 'src/pkg/user.py', text: USER },
    ]);
    assert.deepEqual(findingsOf(index, 'src/pkg/user.py', USER), ['ASY102:safe']);
    // A copy of the package under build/ claims the same names.
    updateIndex(index, [
      { path: 'build/lib/pkg/helpers.py', text: HELPERS.replace('anyio.create_event()', 'object()') },
      { path: 'build/lib/pkg/__init__.py', text: '' },
    ]);
    assert.deepEqual(findingsOf(index, 'src/pkg/user.py', USER), ['ASY102:unsafe']);
    index.deletePath('build/lib/pkg/helpers.py');
    assert.deepEqual(findingsOf(index, 'src/pkg/user.py', USER), ['ASY102:safe']);
  });

  it("keys on the imports' summaries, not on the module's own text", () => {
    const index = new ProjectIndex();
    updateIndex(index, [
      { path: 'pkg/__init__.py', text: '' },
      { path: 'pkg/helpers.py', text: HELPERS },
      { path: 'pkg/user.py', text: USER },
    ]);
    const before = index.digest('pkg.user');
    updateIndex(index, [{ path: 'pkg/user.py', text: `${USER}\n# edited\n` }]);
    assert.equal(index.digest('pkg.user'), before, 'its own edit');
    updateIndex(index, [{ path: 'pkg/helpers.py', text: `${HELPERS}\n# edited\n` }]);
    assert.notEqual(index.digest('pkg.user'), before, 'an imported module changed');
  });

  it('a summary is plain data from the text alone: equal texts, equal summaries; JSON round trip', () => {
    const a = summarizeModule(HELPERS, 'pkg.helpers', false, 'pkg/helpers.py');
    const b = summarizeModule(HELPERS, 'pkg.helpers', false, 'pkg/helpers.py');
    assert.deepEqual(a, b);
    assert.deepEqual(JSON.parse(JSON.stringify(a)), a);
    assert.deepEqual(a.names['make'], { kind: 'function', fn: { isAsync: false, returns: { k: 'anyio', cls: 'Event' }, line: 3 } });
  });

  it('never throws on broken or refused text, and then knows nothing', () => {
    for (const text of ['def (:\n', 'class X(\n  async def', `${'('.repeat(300)}${')'.repeat(300)}\n`]) {
      const s = summarizeModule(text, 'm', false, 'm.py');
      assert.equal(s.module, 'm');
    }
  });
});
