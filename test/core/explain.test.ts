import * as assert from 'node:assert/strict';
import { initEngine } from '../../src/engine';
import { contextFor, ProjectIndex, updateIndex } from '../../src/core/semantic/index';
import { explainAt, type Explanation, type ExplainOptions } from '../../src/core/semantic/explain';

const HELPERS = `import anyio
import attr
from contextlib import asynccontextmanager


@asynccontextmanager
async def open_group():
    async with anyio.create_task_group() as g:
        yield g


def make_event():
    return anyio.create_event()


@attr.s
class Worker:
    ready = attr.ib(factory=anyio.create_event)
`;

const JOBS = `class Pool:
    async def spawn(self, fn, *args):
        pass
`;

const APP = `from . import helpers
from .helpers import make_event, Worker
from .jobs import Pool
import lib
import asyncio


async def main(p):
    async with helpers.open_group() as group:
        await group.spawn(work)
    evt = make_event()
    await evt.set()
    w = Worker()
    await w.ready.set()
    pool = Pool()
    await pool.spawn(work)
    x = lib.make()
    await x.set()
    e = asyncio.Event()
    e.set()
    await p.set()
`;

const FILES = [
  { path: 'src/pkg/__init__.py', text: '' },
  { path: 'src/pkg/helpers.py', text: HELPERS },
  { path: 'src/pkg/jobs.py', text: JOBS },
  { path: 'src/pkg/app.py', text: APP },
];
const TEXTS = new Map(FILES.map((f) => [f.path, f.text]));

/** Offset of the `nth` occurrence of `needle` in `text`, plus `delta`. */
function at(text: string, needle: string, delta = 0, nth = 0): number {
  let i = -1;
  for (let k = 0; k <= nth; k++) {
    i = text.indexOf(needle, i + 1);
    assert.ok(i >= 0, `${needle} not found`);
  }
  return i + delta;
}

/** 1-based line of the first line holding `needle`. */
function lineOf(text: string, needle: string): number {
  return text.slice(0, at(text, needle)).split('\n').length;
}

describe('explain (semantic model: show the proof)', () => {
  let index: ProjectIndex;
  let opts: ExplainOptions;
  before(async () => {
    await initEngine();
    index = new ProjectIndex();
    updateIndex(index, FILES);
    const project = contextFor(index, 'src/pkg/app.py');
    assert.ok(project);
    opts = { project };
  });

  const explain = (needle: string, delta = 0, o: ExplainOptions = opts): Explanation => {
    const ex = explainAt(APP, at(APP, needle, delta), o);
    assert.ok(ex, `nothing explained at ${needle}`);
    return ex;
  };

  it('a task group from a project @asynccontextmanager helper: the steps name the helper module and line', () => {
    const ex = explain('group.spawn');
    assert.equal(ex.expression, 'group');
    assert.equal(ex.verdict, 'anyio');
    assert.equal(ex.type, 'an AnyIO TaskGroup');
    assert.deepEqual(ex.steps, [
      { text: '`group` is bound by `async with helpers.open_group() as group`', line: lineOf(APP, 'async with helpers') },
      { text: '`helpers` is the module `pkg.helpers` (`from . import helpers`)', line: 1 },
      { text: '`open_group()` is defined here: `with` binds what it yields', path: 'src/pkg/helpers.py', line: lineOf(HELPERS, 'async def open_group') },
    ]);
  });

  it('follows the proof into the helper module when it can read it', () => {
    const ex = explain('group.spawn', 0, { ...opts, readModule: (p) => TEXTS.get(p) });
    assert.equal(ex.verdict, 'anyio');
    assert.deepEqual(ex.steps.slice(3), [
      { text: '`open_group()` yields `g`', path: 'src/pkg/helpers.py', line: lineOf(HELPERS, 'yield g') },
      { text: '`g` is bound by `async with anyio.create_task_group() as g`', path: 'src/pkg/helpers.py', line: lineOf(HELPERS, 'async with anyio') },
      { text: "`anyio.create_task_group()` is AnyIO's: it gives an AnyIO TaskGroup", path: 'src/pkg/helpers.py', line: lineOf(HELPERS, 'async with anyio') },
    ]);
  });

  it('an event returned by a project function (no annotation): the return step names the module and line', () => {
    const ex = explain('evt.set');
    assert.equal(ex.verdict, 'anyio');
    assert.equal(ex.type, 'an AnyIO Event');
    assert.deepEqual(ex.steps, [
      { text: '`evt = make_event()`', line: lineOf(APP, 'evt = ') },
      { text: '`make_event` is `pkg.helpers.make_event` (`from .helpers import make_event, Worker`)', line: 2 },
      { text: '`make_event()` is defined here: the call gives what it returns', path: 'src/pkg/helpers.py', line: lineOf(HELPERS, 'def make_event') },
    ]);
    const deep = explain('evt.set', 0, { ...opts, readModule: (p) => TEXTS.get(p) });
    assert.deepEqual(
      deep.steps.slice(3).map((s) => [s.text, s.line]),
      [
        ['`make_event()` returns `anyio.create_event()`', lineOf(HELPERS, 'return anyio')],
        ["`anyio.create_event()` is AnyIO's: it gives an AnyIO Event", lineOf(HELPERS, 'return anyio')],
      ],
    );
  });

  it('an attrs field with an AnyIO factory on a project class', () => {
    const ex = explain('ready.set');
    assert.equal(ex.expression, 'w.ready');
    assert.equal(ex.verdict, 'anyio');
    assert.equal(ex.type, 'an AnyIO Event');
    const via = ex.steps.find((s) => s.path !== undefined);
    assert.deepEqual(via, { text: '`Worker.ready` is an attribute of class `Worker`, defined here', path: 'src/pkg/helpers.py', line: lineOf(HELPERS, 'class Worker') });
    const deep = explain('ready.set', 0, { ...opts, readModule: (p) => TEXTS.get(p) });
    assert.deepEqual(deep.steps.slice(-2), [
      { text: '`Worker.ready` is set by `ready = attr.ib(factory=anyio.create_event)`', path: 'src/pkg/helpers.py', line: lineOf(HELPERS, 'ready = ') },
      { text: 'the value is made by calling `anyio.create_event`', path: 'src/pkg/helpers.py', line: lineOf(HELPERS, 'ready = ') },
    ]);
  });

  it('the receiver of a project look-alike (its own async spawn) is proven not AnyIO', () => {
    const ex = explain('pool.spawn');
    assert.equal(ex.verdict, 'not-anyio');
    assert.equal(ex.type, "an instance of the project's class `pkg.jobs.Pool` (not AnyIO)");
    assert.deepEqual(ex.steps, [
      { text: '`pool = Pool()`', line: lineOf(APP, 'pool = ') },
      { text: '`Pool` is `pkg.jobs.Pool` (`from .jobs import Pool`)', line: 3 },
    ]);
    // The cursor on the method's name explains the receiver too.
    assert.equal(explain('pool.spawn', 'pool.'.length + 1).expression, 'pool');
  });

  it('a third-party result is unknown, the standard library is not AnyIO, an unannotated parameter is unknown', () => {
    const lib = explain('x.set');
    assert.equal(lib.verdict, 'unknown');
    assert.equal(lib.type, 'unknown: `lib.make()` comes from `lib`, a library the engine cannot see');
    const std = explain('e.set');
    assert.equal(std.verdict, 'not-anyio');
    assert.equal(std.type, 'not AnyIO (standard library)');
    const param = explain('p.set');
    assert.equal(param.verdict, 'unknown');
    assert.match(param.type, /^unknown: `p` is a parameter without an annotation/);
    assert.deepEqual(param.steps, [{ text: '`p` is a parameter of `main` without an annotation', line: lineOf(APP, 'async def main') }]);
  });

  it('an attribute of a third-party object is unknown for the reason its object is', () => {
    const src = 'from asyncscope import main_scope\n\nasync def f():\n    async with main_scope("x") as scp:\n        tg = scp._tg\n        await tg.spawn(f)\n';
    const ex = explainAt(src, at(src, 'tg.spawn'));
    assert.equal(ex?.verdict, 'unknown');
    assert.equal(ex?.type, 'unknown: `main_scope("x")` comes from `asyncscope`, a library the engine cannot see');
    assert.deepEqual(
      ex?.steps.map((s) => s.line),
      [5, 4, 1],
    );
  });

  it('without the project index the helper task group is unknown (the proof needs the other module)', () => {
    const ex = explainAt(APP, at(APP, 'group.spawn'), {});
    assert.ok(ex);
    assert.equal(ex.verdict, 'unknown');
    assert.ok(ex.steps.every((s) => s.path === undefined));
  });

  it('the name of a called function explains the call, an awaited call its await', () => {
    const call = explain('make_event()', 2);
    assert.equal(call.expression, 'make_event()');
    assert.equal(call.verdict, 'anyio');
    const helper = explain('open_group()', 1);
    assert.equal(helper.expression, 'helpers.open_group()');
    assert.equal(helper.type, 'a context manager whose `with` binds an AnyIO TaskGroup');
    // A module in a dotted name (where a finding about the call starts) explains the call too.
    assert.equal(explain('helpers.open_group()').expression, 'helpers.open_group()');
    const mod = 'import anyio\nimport anyio.abc\nx = anyio.create_event()\ny: anyio.abc.Event\n';
    assert.equal(explainAt(mod, at(mod, 'anyio.create'))?.expression, 'anyio.create_event()');
    assert.equal(explainAt(mod, at(mod, 'abc.Event'))?.expression, 'anyio.abc.Event');
    const src = 'import anyio\n\nasync def fetch():\n    return anyio.create_event()\n\nasync def f():\n    x = await fetch()\n';
    const awaited = explainAt(src, at(src, 'fetch()', 1, 1));
    assert.equal(awaited?.expression, 'await fetch()');
    assert.equal(awaited?.type, 'an AnyIO Event');
    assert.deepEqual(
      awaited?.steps.map((s) => s.line),
      [4, 4],
    );
    // Not awaited, an async function's call is a coroutine.
    assert.equal(explainAt(src.replace('await fetch()', 'fetch()'), at(src, 'fetch()', 1, 1) - 'await '.length)?.verdict, 'not-anyio');
  });

  it('steps inside one file: a local function returning an AnyIO object, a local class attribute', () => {
    const src = [
      'import anyio', // 1
      '', // 2
      'def make():', // 3
      '    return anyio.Semaphore(2)', // 4
      '', // 5
      'class Box:', // 6
      '    def __init__(self):', // 7
      '        self.lock = anyio.create_lock()', // 8
      '', // 9
      '    async def run(self):', // 10
      '        sem = make()', // 11
      '        await sem.acquire()', // 12
      '        await self.lock.acquire()', // 13
      '',
    ].join('\n');
    const sem = explainAt(src, at(src, 'sem.acquire'));
    assert.equal(sem?.verdict, 'anyio');
    assert.equal(sem?.type, 'an AnyIO Semaphore');
    assert.deepEqual(sem?.steps, [
      { text: '`sem = make()`', line: 11 },
      { text: '`make()` returns `anyio.Semaphore(2)`', line: 4 },
      { text: "`anyio.Semaphore(2)` is AnyIO's: it gives an AnyIO Semaphore", line: 4 },
    ]);
    const lock = explainAt(src, at(src, 'lock.acquire'));
    assert.equal(lock?.expression, 'self.lock');
    assert.equal(lock?.type, 'an AnyIO Lock');
    assert.deepEqual(lock?.steps, [
      { text: '`self` is the instance of `Box`, a class of this module', line: 6 },
      { text: '`Box.lock` is set by `self.lock = anyio.create_lock()`', line: 8 },
      { text: "`anyio.create_lock()` is AnyIO's: it gives an AnyIO Lock", line: 8 },
    ]);
  });

  it('an unannotated parameter proven by its call sites lists the calls and what they pass', () => {
    const src = [
      'import anyio', // 1
      '', // 2
      '', // 3
      'async def _run(fn, evt):', // 4
      '    await evt.set()', // 5
      '', // 6
      '', // 7
      'async def main(tg):', // 8
      '    ready = anyio.create_event()', // 9
      '    await tg.spawn(_run, print, ready)', // 10
      '    await _run(print, evt=ready)', // 11
      '',
    ].join('\n');
    const ex = explainAt(src, at(src, 'evt.set'));
    assert.equal(ex?.verdict, 'anyio');
    assert.deepEqual(ex?.steps, [
      { text: '`evt` is a parameter of `_run` without an annotation: the calls of `_run` all pass the same type', line: 4 },
      { text: '`tg.spawn(_run, print, ready)` passes `ready`', line: 10 },
      { text: '`ready = anyio.create_event()`', line: 9 },
      { text: "`anyio.create_event()` is AnyIO's: it gives an AnyIO Event", line: 9 },
      { text: '`_run(print, evt=ready)` passes `ready`', line: 11 },
    ]);
    // One caller passing something else: nothing is proven, and the step says why.
    const mixed = `${src}    await _run(print, object())\n`;
    const un = explainAt(mixed, at(mixed, 'evt.set'));
    assert.equal(un?.verdict, 'unknown');
    assert.deepEqual(un?.steps, [{ text: '`evt` is a parameter of `_run` without an annotation', line: 4 }]);
  });

  it('nothing to explain in whitespace, comments and keywords', () => {
    const src = 'import anyio\n\n# a comment\nasync def f():\n    pass\n';
    assert.equal(explainAt(src, at(src, 'comment')), undefined);
    assert.equal(explainAt(src, at(src, 'pass')), undefined);
    assert.equal(explainAt(src, src.length), undefined);
    const kw = 'import anyio\nx = attr.ib(factory=anyio.create_event)\n';
    assert.equal(explainAt(kw, at(kw, 'factory')), undefined);
    assert.equal(explainAt(kw, at(kw, 'create_event'))?.expression, 'anyio.create_event');
  });

  it('never throws on broken code, at any offset (and offsets out of range are clamped)', () => {
    const broken = [
      'from . import helpers\nasync def f(:\n    async with helpers.open_group() as\n        await group.spawn(\n',
      'x = anyio.create_event(\nclass C(\n    y = attr.ib(factory=\n',
      'async with (anyio.fail_after(1) if s else anyio.move_on_after(1)) as g:\n    g.cancel()\n',
      'def f(a, a):\n    a = a\n    return f(f)\n' + 'x = x.y\ny = x\n' + 'for (a, b in c:\n',
      '😀 = anyio.Event()\n😀.set()\n',
    ];
    let explained = 0;
    for (const text of broken) {
      for (let o = -1; o <= text.length + 1; o++) {
        const ex = explainAt(text, o, opts);
        if (ex) {
          explained++;
          assert.ok(ex.start <= ex.end && ex.end <= text.length);
          assert.ok(['anyio', 'not-anyio', 'unknown'].includes(ex.verdict));
        }
      }
    }
    assert.ok(explained > 0);
  });

  it('a module the reader cannot read is listed by its recorded step only', () => {
    const ex = explain('group.spawn', 0, { ...opts, readModule: () => undefined });
    assert.equal(ex.steps.length, 3);
    const throwing = explain('group.spawn', 0, {
      ...opts,
      readModule: () => {
        throw new Error('EACCES');
      },
    });
    assert.equal(throwing.steps.length, 3);
  });
});
