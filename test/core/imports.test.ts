/**
 * Import bookkeeping for submodules (`anyio.from_thread`, `anyio.to_thread`, ...), and the runtime
 * facts it rests on: which submodules a bare `import anyio` loads on each AnyIO the fixes target.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ABC_ALIASES, FACTORY_RENAMES, THREAD_RENAMES } from '../../src/core/anyio-api';
import { initEngine } from '../../src/engine';
import { importEdits } from '../../src/core/imports';
import { initParser, parse } from '../../src/core/parser';
import { buildIndex } from '../../src/core/scopes';
import { applyEdits } from '../../src/core/text';
import type { ImportRequest } from '../../src/core/types';
import { describeRun, runPython } from '../support/python';
import { check } from '../support/check';

/** The text after one round of import bookkeeping for `requests`. */
function withImports(text: string, requests: readonly ImportRequest[]): string {
  const tree = parse(text);
  try {
    return applyEdits(text, importEdits(buildIndex(tree, text), requests, new Set()));
  } finally {
    tree.delete();
  }
}

const TO_PROCESS: ImportRequest = { module: 'anyio.to_process' };

describe('imports: plain imports of submodules', () => {
  before(async () => {
    await initParser();
  });

  it('`import anyio` does not satisfy a request for `import anyio.to_process`: it is added after the AnyIO imports', () => {
    const src = 'import os\nimport anyio\n\nprint(anyio.to_process.run_sync, os.sep)\n';
    assert.equal(withImports(src, [TO_PROCESS]), 'import os\nimport anyio\nimport anyio.to_process\n\nprint(anyio.to_process.run_sync, os.sep)\n');
  });

  it('nor do `import anyio.abc`, `import anyio.to_process as tp` or `from anyio import to_process`', () => {
    for (const imp of ['import anyio.abc', 'import anyio.to_process as tp', 'from anyio import to_process']) {
      const src = `${imp}\n\nx = 1\n`;
      assert.equal(withImports(src, [TO_PROCESS]), `${imp}\nimport anyio.to_process\n\nx = 1\n`, imp);
    }
  });

  it('an import that runs only under TYPE_CHECKING does not satisfy it', () => {
    const src = 'from typing import TYPE_CHECKING\nimport anyio\n\nif TYPE_CHECKING:\n    import anyio.to_process\n';
    assert.equal(withImports(src, [TO_PROCESS]), 'from typing import TYPE_CHECKING\nimport anyio\nimport anyio.to_process\n\nif TYPE_CHECKING:\n    import anyio.to_process\n');
  });

  it('an existing `import anyio.to_process` (alone or among other modules) satisfies it: nothing is added', () => {
    for (const src of ['import anyio.to_process\n', 'import anyio\nimport os, anyio.to_process\n']) {
      assert.equal(withImports(src, [TO_PROCESS]), src);
    }
  });

  it('is idempotent, and the same request twice adds one import', () => {
    const once = withImports('import anyio\n', [TO_PROCESS, { ...TO_PROCESS }]);
    assert.equal(once, 'import anyio\nimport anyio.to_process\n');
    assert.equal(withImports(once, [TO_PROCESS]), once);
  });

  it('in a file without imports, goes after the docstring', () => {
    assert.equal(withImports('"""Doc."""\nx = 1\n', [TO_PROCESS]), '"""Doc."""\nimport anyio.to_process\nx = 1\n');
  });

  it('other requests keep their meaning: `import anyio` satisfies `anyio`, `import warnings` goes first', () => {
    assert.equal(withImports('import anyio\n', [{ module: 'anyio' }]), 'import anyio\n');
    assert.equal(withImports('import anyio\n', [{ module: 'warnings' }]), 'import warnings\nimport anyio\n');
    assert.equal(withImports('import anyio.to_thread as tt\n', [{ module: 'anyio.to_thread', asName: 'tt' }]), 'import anyio.to_thread as tt\n');
    assert.equal(withImports('from anyio import from_thread\n', [{ module: 'anyio', name: 'from_thread' }]), 'from anyio import from_thread\n');
  });

  it('runtime: the added import turns an AttributeError into a working program (AnyIO 3.6.2)', async function () {
    this.timeout(60_000);
    const src = 'import anyio\n\nprint(anyio.to_process.run_sync.__name__)\n';
    const before = await runPython(['-W', 'error::DeprecationWarning', '-c', src]);
    assert.notEqual(before.code, 0);
    assert.match(before.stderr, /AttributeError: module 'anyio' has no attribute 'to_process'/);
    const after = await runPython(['-W', 'error::DeprecationWarning', '-c', withImports(src, [TO_PROCESS])]);
    assert.equal(after.code, 0, describeRun(after));
    assert.equal(after.stdout, 'run_sync\n');
  });
});

/** `before` fixes to exactly `after` (safe fixes, target anyio3), and fixing again changes nothing. */

describe('imports: fixes re-use the submodules a file already binds', () => {
  before(async () => {
    await initEngine();
  });

  it('`from anyio import to_thread, from_thread`: a site written through `anyio.` uses them', () => {
    check(
      'import anyio\nfrom anyio import from_thread, to_thread\n\nasync def f(p: anyio.abc.BlockingPortal):\n    await anyio.run_sync_in_worker_thread(print)\n',
      'import anyio\nfrom anyio import from_thread, to_thread\n\nasync def f(p: from_thread.BlockingPortal):\n    await to_thread.run_sync(print)\n',
    );
  });

  it('module aliases: `import anyio.from_thread as ft` wins over `import anyio as aio`', () => {
    check(
      'import anyio as aio\nimport anyio.from_thread as ft\n\nwith aio.start_blocking_portal() as p:\n    aio.run_sync_from_thread(print)\n',
      'import anyio as aio\nimport anyio.from_thread as ft\n\nwith ft.start_blocking_portal() as p:\n    ft.run_sync(print)\n',
    );
  });

  it('`import anyio.from_thread` binds `anyio`: the dotted spelling stays, no import is added', () => {
    check(
      'import anyio.from_thread\n\ndef f(p: anyio.abc.BlockingPortal):\n    return anyio.run_sync_from_thread(p.stop)\n',
      'import anyio.from_thread\n\ndef f(p: anyio.from_thread.BlockingPortal):\n    return anyio.from_thread.run_sync(p.stop)\n',
    );
  });

  it('a submodule imported inside another function is not visible at the site: `anyio.` is kept', () => {
    check(
      'import anyio\n\ndef g():\n    from anyio import to_thread\n    return to_thread\n\nasync def f():\n    await anyio.run_sync_in_worker_thread(print)\n',
      'import anyio\n\ndef g():\n    from anyio import to_thread\n    return to_thread\n\nasync def f():\n    await anyio.to_thread.run_sync(print)\n',
    );
  });

  it('a from-imported target object is not used for a dotted site (`anyio.Event` stays dotted)', () => {
    check('import anyio\nfrom anyio import Event\n\nx: anyio.abc.Event = Event()\n', 'import anyio\nfrom anyio import Event\n\nx: anyio.Event = Event()\n');
  });
});

/**
 * The fixes write `anyio.to_thread.run_sync`, `anyio.from_thread.BlockingPortal`, ... through any
 * name bound to the package (`import anyio`, `import anyio as aio`, `import anyio.abc`) and add no
 * `import anyio.from_thread`: that is right only while a bare `import anyio` loads each submodule they
 * go through, on every AnyIO they target. Checked in a fresh interpreter per runtime.
 */
describe('imports: submodules the fixes write are loaded by a bare `import anyio`', () => {
  // ASY402's target (a literal in the rule) and every rename table's.
  const targets = [
    'anyio.from_thread.start_blocking_portal',
    ...FACTORY_RENAMES.values(),
    ...[...THREAD_RENAMES.values()].map((r) => r.to),
    ...[...ABC_ALIASES.values()].map((r) => r.to),
  ];
  const throughSubmodule = [...new Set(targets.filter((t) => t.split('.').length > 2))].sort();

  // Prints where `anyio` was loaded from, then each dotted name that does not resolve after
  // `import anyio` alone.
  const probe = (names: readonly string[]): string =>
    [
      'import anyio',
      'print(anyio.__file__)',
      `for name in ${JSON.stringify(names)}:`,
      '    obj = anyio',
      '    for part in name.split(".")[1:]:',
      '        obj = getattr(obj, part, None)',
      '    if obj is None:',
      '        print(name)',
    ].join('\n');

  const shared = path.join(__dirname, '..', '..', '..', '..', 'shared', 'runtimes');
  const runtimes: Array<{ name: string; env: Record<string, string>; dir: string }> = [
    { name: 'AnyIO 3.6.2 (Debian)', env: {}, dir: '/usr/lib/python3/dist-packages' },
    { name: 'AnyIO 4.0.0', env: { PYTHONPATH: path.join(shared, 'anyio-4.0.0', 'src') }, dir: path.join(shared, 'anyio-4.0.0', 'src') },
    {
      name: 'AnyIO 4.14.2',
      env: { PYTHONPATH: [path.join(shared, 'anyio-4.14.2', 'src'), path.join(shared, 'typing_extensions-4.15.0')].join(path.delimiter) },
      dir: path.join(shared, 'anyio-4.14.2', 'src'),
    },
  ];

  it('the targets include dotted submodule paths (from_thread and to_thread)', () => {
    assert.ok(throughSubmodule.includes('anyio.from_thread.BlockingPortal'));
    assert.ok(throughSubmodule.includes('anyio.to_thread.run_sync'));
  });

  for (const rt of runtimes) {
    it(`${rt.name}: every target resolves, and the probe does see a submodule that is not loaded (anyio.to_process)`, async function () {
      // The 4.x runtimes live beside the project (../shared/runtimes), not in it.
      if (!fs.existsSync(path.join(rt.dir, 'anyio', '__init__.py'))) this.skip();
      this.timeout(60_000);
      const run = await runPython(['-W', 'error::DeprecationWarning', '-c', probe([...throughSubmodule, 'anyio.to_process.run_sync'])], { env: rt.env });
      assert.equal(run.code, 0, describeRun(run));
      assert.equal(run.stdout, `${path.join(rt.dir, 'anyio', '__init__.py')}\nanyio.to_process.run_sync\n`);
    });
  }
});
