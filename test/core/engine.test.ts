import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { ESLint } from 'eslint';
import { analyze, applyFix, countParseErrorsIn, fixAll, initEngine, isValidCodeSelector, RULES } from '../../src/engine';
import type { FixOptions } from '../../src/core/types';
import { check, checkNoChange, dedent } from '../support/check';

function codes(src: string, opts: FixOptions = {}): string[] {
  return analyze(dedent(src), opts).map((f) => f.code);
}

describe('engine', () => {
  before(async () => {
    await initEngine();
  });

  describe('name resolution', () => {
    it('follows `import anyio as aio` and `from anyio import X as Y`', () => {
      check(
        `
        import anyio as aio
        from anyio import create_event as mk

        async def main():
            await aio.current_time()
            e = mk()
            await e.set()
        `,
        `
        import anyio as aio
        from anyio import Event

        async def main():
            aio.current_time()
            e = Event()
            e.set()
        `,
      );
    });

    it('does not touch a parameter that shadows `anyio`', () => {
      assert.deepEqual(
        codes(`
          import anyio

          async def f(anyio):
              await anyio.current_time()
        `),
        [],
      );
    });

    it('does not touch a local function named like a factory', () => {
      const fs = analyze(
        dedent(`
          from anyio import sleep

          def create_event():
              return 1

          async def main():
              e = create_event()
              await e.set()
        `),
      );
      assert.ok(!fs.some((f) => f.code === 'ASY201'));
      // The receiver comes from an unannotated local function: at most an unsafe suggestion.
      assert.ok(fs.every((f) => f.fix?.applicability === 'unsafe'));
    });

    it('never rewrites look-alike classes with their own async methods; an unproven receiver is reported without a fix', () => {
      const src = `
        import anyio

        class Signal:
            async def set(self):
                pass
            async def release(self):
                pass
            async def trigger(self):
                await self.set()

        async def main(sig: Signal, other):
            s = Signal()
            await s.set()
            await sig.release()
            await other.set()
      `;
      const found = analyze(dedent(src));
      assert.deepEqual(
        found.map((f) => [f.code, dedent(src).slice(f.start, f.end), !!f.fix]),
        [['ASY102', 'await other.set()', false]],
      );
      assert.match(found[0]!.noFixReason!, /own `set` method/);
      checkNoChange(`
        import anyio

        class Signal:
            async def set(self):
                pass
            async def release(self):
                pass
            async def trigger(self):
                await self.set()

        async def main(sig: Signal, other):
            s = Signal()
            await s.set()
            await sig.release()
            await other.set()
      `);
    });

    it('proves the items of containers: literals, comprehensions, items stored later, for loops, subscripts, pop/get', () => {
      const src = dedent(`
        import anyio

        async def main(something):
            events = [anyio.create_event() for _ in range(3)]
            for e in events:
                await e.set()
            flags = {"ready": anyio.create_event(), "done": anyio.create_event()}
            await flags["ready"].set()
            await flags.get("done").set()
            for name, evt in flags.items():
                await evt.set()
            pair = [anyio.create_lock(), anyio.create_lock()]
            await pair[0].release()
            plain = [object()]
            for o in plain:
                await o.set()
            for u in list(something):
                await u.set()
            scopes = {}
            async with anyio.open_cancel_scope() as scope:
                scopes["a"] = scope
                scopes["b"] = None
            current = scopes.get("a")
            if current:
                await current.cancel()
            later = []
            later.append(anyio.create_event())
            await later[0].set()
      `);
      const got = analyze(src)
        .filter((f) => f.code === 'ASY102')
        .map((f) => `${src.slice(f.start, f.end)} ${f.fix?.applicability}`);
      assert.deepEqual(got, [
        'await e.set() safe',
        'await flags["ready"].set() safe',
        'await flags.get("done").set() safe',
        'await evt.set() unsafe',
        'await pair[0].release() safe',
        'await u.set() unsafe',
        'await current.cancel() safe',
        'await later[0].set() safe',
      ]);
    });

    it('trusts a container only while its items stay in view: module-level or handed out, its items are unknown', () => {
      const src = dedent(`
        import anyio

        SHARED = {"a": anyio.create_event()}


        def register(d):
            d["x"] = object()


        async def main():
            local = {"a": anyio.create_event()}
            await local["a"].set()
            leaked = {"a": anyio.create_event()}
            register(leaked)
            await leaked["a"].set()
            await SHARED["a"].set()
            if "a" in local and len(local):
                pass
      `);
      const got = analyze(src)
        .filter((f) => f.code === 'ASY102')
        .map((f) => `${src.slice(f.start, f.end)} ${f.fix?.applicability}`);
      assert.deepEqual(got, ['await local["a"].set() safe', 'await leaked["a"].set() unsafe', 'await SHARED["a"].set() unsafe']);
    });

    it('proves parameters of private methods from their calls in the file (also through tg.spawn); a stored reference makes them unknown', () => {
      const src = dedent(`
        import anyio

        class A:
            async def run(self):
                evt = anyio.create_event()
                async with anyio.create_task_group() as tg:
                    await tg.spawn(self._delay, 1, evt)
                    await self._other(evt)
                    await self._leak(evt)
                    self.callback = self._leak

            async def _delay(self, pos, evt):
                await evt.set()

            async def _other(self, evt):
                await evt.set()

            async def _leak(self, evt):
                await evt.set()
      `);
      const got = analyze(src)
        .filter((f) => f.code === 'ASY102')
        .map((f) => `${src.slice(0, f.start).split('\n').length} ${f.fix?.applicability}`);
      assert.deepEqual(got, ['13 safe', '16 safe', '19 unsafe']);
    });

    it('proves receivers bound by `with ... as self.x` and narrowed by isinstance()', () => {
      check(
        `
        import anyio
        from typing import Optional
        from anyio.abc import CancelScope

        class S:
            _scope: Optional[CancelScope] = None

            async def run(self):
                async with anyio.open_cancel_scope() as self._scope:
                    pass

            async def stop(self):
                await self._scope.cancel()

        async def ping(p, q):
            if p is not None and isinstance(p, anyio.abc.Event):
                await p.set()
            if isinstance(q, dict):
                await q.set()
      `,
        `
        import anyio
        from typing import Optional
        from anyio.abc import CancelScope

        class S:
            _scope: Optional[CancelScope] = None

            async def run(self):
                with anyio.CancelScope() as self._scope:
                    pass

            async def stop(self):
                self._scope.cancel()

        async def ping(p, q):
            if p is not None and isinstance(p, anyio.Event):
                p.set()
            if isinstance(q, dict):
                await q.set()
      `,
      );
    });

    it('proves receivers through self attributes, annotations, Optional, strings, dataclass fields and return types', () => {
      const src = `
        import anyio
        from dataclasses import dataclass, field
        from typing import Optional
        from anyio.abc import TaskGroup

        @dataclass
        class Box:
            ready: anyio.Event = field(default_factory=anyio.Event)
            lock: "anyio.Lock" = field(default_factory=anyio.Lock)

        def make_limiter() -> anyio.CapacityLimiter:
            return anyio.CapacityLimiter(1)

        class Service:
            def __init__(self):
                self.stopped = None

            def start(self):
                self.stopped = anyio.Event()

            async def stop(self, box: Box, ev: Optional["anyio.Event"], tg: TaskGroup):
                await self.stopped.set()
                await ev.set()
                await box.ready.set()
                await box.lock.release()
                await make_limiter().release()
                await tg.spawn(self.stop)
      `;
      const fs = analyze(dedent(src));
      assert.deepEqual(
        fs.map((f) => f.code),
        ['ASY102', 'ASY102', 'ASY102', 'ASY102', 'ASY103', 'ASY301'],
      );
      assert.ok(
        fs.every((f) => f.fix?.applicability === 'safe'),
        'all receivers are proven',
      );
    });

    it('marks an unproven receiver unsafe, and keeps unsafe fixes out of fix-all by default', () => {
      const src = `
        import anyio

        async def handler(event):
            await event.set()
      `;
      const [f] = analyze(dedent(src));
      assert.equal(f?.code, 'ASY102');
      assert.equal(f?.fix?.applicability, 'unsafe');
      assert.equal(fixAll(dedent(src)).output, dedent(src));
      assert.match(fixAll(dedent(src), { unsafeFixes: true }).output, /^ {4}event\.set\(\)$/m);
    });

    it('ignores awaited methods in modules that do not import anyio', () => {
      assert.deepEqual(codes('async def f(event):\n    await event.set()\n'), []);
    });

    it('types memory object stream pairs and task group cancel scopes', () => {
      check(
        `
        import anyio

        async def main():
            send, receive = anyio.create_memory_object_stream(1)
            await send.send_nowait(1)
            print(await receive.receive_nowait())
            async with anyio.create_task_group() as tg:
                await tg.cancel_scope.cancel()
        `,
        `
        import anyio

        async def main():
            send, receive = anyio.create_memory_object_stream(1)
            send.send_nowait(1)
            print(receive.receive_nowait())
            async with anyio.create_task_group() as tg:
                tg.cancel_scope.cancel()
        `,
      );
    });
  });

  describe('imports', () => {
    it('replaces an import in place when the old name is no longer used', () => {
      check(
        `
        from anyio import create_event, sleep

        e = create_event()
        `,
        `
        from anyio import Event, sleep

        e = Event()
        `,
      );
    });

    it('adds a from-import after the last anyio import when there is none', () => {
      check(
        `
        import os
        import anyio
        from anyio.abc import TaskGroup
        from something import run_sync_in_worker_thread as other

        async def f():
            await anyio.run_sync_in_worker_thread(os.getcwd)
        `,
        `
        import os
        import anyio
        from anyio.abc import TaskGroup
        from something import run_sync_in_worker_thread as other

        async def f():
            await anyio.to_thread.run_sync(os.getcwd)
        `,
      );
    });

    it('uses an alias when the new name is taken', () => {
      check(
        `
        from threading import Event
        from anyio import create_event

        a = Event()
        b = create_event()
        `,
        `
        from threading import Event
        from anyio import Event as anyio_Event

        a = Event()
        b = anyio_Event()
        `,
      );
    });

    it('moves a thread function to `from anyio import to_thread`', () => {
      check(
        `
        from anyio import run_sync_in_worker_thread, run_async_from_thread

        async def f(event):
            await run_sync_in_worker_thread(print)
            run_async_from_thread(print)
        `,
        `
        from anyio import to_thread, from_thread

        async def f(event):
            await to_thread.run_sync(print)
            from_thread.run(print)
        `,
      );
    });

    it('turns run_async_from_thread(event.set) into from_thread.run_sync', () => {
      check(
        `
        import anyio

        def in_thread(event: anyio.Event):
            anyio.run_async_from_thread(event.set)
        `,
        `
        import anyio

        def in_thread(event: anyio.Event):
            anyio.from_thread.run_sync(event.set)
        `,
      );
    });
  });

  describe('async with', () => {
    it('splits a mixed `async with` and re-indents the body but not multi-line strings', () => {
      check(
        `
        import anyio

        async def f(lock):
            async with anyio.move_on_after(1) as scope, lock:  # keep
                text = """
        raw
        """
                print(text)

            print("after")
        `,
        `
        import anyio

        async def f(lock):
            with anyio.move_on_after(1) as scope:
                async with lock:  # keep
                    text = """
        raw
        """
                    print(text)

            print("after")
        `,
      );
    });

    it('keeps the order of entry across three runs', () => {
      check(
        `
        import anyio

        async def f(a, b):
            async with a, anyio.fail_after(2), b:
                pass
        `,
        `
        import anyio

        async def f(a, b):
            async with a:
                with anyio.fail_after(2):
                    async with b:
                        pass
        `,
      );
    });

    it('gives no fix when the body is on the header line', () => {
      const [f] = analyze('import anyio\nasync def f(l):\n    async with anyio.fail_after(1), l: pass\n');
      assert.equal(f?.code, 'ASY203');
      assert.equal(f?.fix, undefined);
      assert.match(f?.noFixReason ?? '', /same line/);
    });
  });

  describe('text fidelity', () => {
    it('preserves CRLF, tabs, a BOM and non-ASCII text, with UTF-16 offsets', () => {
      const src = '\ufeffimport anyio\r\n# 😀 中文\r\nasync def f():\r\n\tx = "😀😀"; await anyio.current_time()\r\n';
      const [f] = analyze(src);
      assert.equal(src.slice(f!.start, f!.end), 'await anyio.current_time()');
      const out = fixAll(src).output;
      assert.equal(out, '\ufeffimport anyio\r\n# 😀 中文\r\nasync def f():\r\n\tx = "😀😀"; anyio.current_time()\r\n');
    });

    it("adds imports with the file's own line ending", () => {
      const out = fixAll('from anyio import create_lock, sleep\r\nfrom anyio import create_event as ce\r\nx = create_lock()\r\ny = ce()\r\n').output;
      // `ce` is gone, so its statement goes (with its CRLF); `Event` joins the first statement.
      assert.equal(out, 'from anyio import Lock, sleep, Event\r\nx = Lock()\r\ny = Event()\r\n');
      assert.equal(
        fixAll('import anyio\r\nfrom anyio import run_sync_in_worker_thread as r\r\nasync def f():\r\n    await r(print)\r\n').output,
        'import anyio\r\nfrom anyio import to_thread\r\nasync def f():\r\n    await to_thread.run_sync(print)\r\n',
      );
    });
  });

  describe('suppression and selection', () => {
    const src =
      'import anyio\nasync def f():\n    await anyio.current_time()  # noqa: ASY101\n    await anyio.current_time()  # anyio-migrate: ignore\n    await anyio.current_time()  # noqa: ASY2\n    await anyio.current_time()\n';
    it('honours noqa and anyio-migrate: ignore comments', () => {
      assert.deepEqual(
        analyze(src).map((f) => f.code),
        ['ASY101', 'ASY101'],
      );
    });
    it('applies select and ignore prefixes', () => {
      assert.equal(analyze(src, { ignore: ['ASY1'] }).length, 0);
      assert.equal(analyze(src, { select: ['ASY2'] }).length, 0);
      assert.equal(analyze(src, { select: ['ASY101'] }).length, 2);
      assert.ok(isValidCodeSelector('ASY1'));
      assert.ok(!isValidCodeSelector('XYZ9'));
    });
    it('does not read noqa inside strings', () => {
      assert.equal(analyze('import anyio\nasync def f():\n    await anyio.current_time(); x = "# noqa"\n').length, 1);
    });
  });

  describe('safety net', () => {
    it('refuses a fix whose result has new parse errors, leaving the text as it was', () => {
      const src = 'import anyio\nx = 1\n';
      const r = applyFix(src, { title: 'break', applicability: 'safe', edits: [{ start: 13, end: 14, text: '(' }] });
      assert.ok('refused' in r);
    });

    it('still analyses and fixes a file with a syntax error elsewhere, without adding errors', () => {
      const src = 'import anyio\nasync def f():\n    await anyio.current_time()\n\ndef broken(:\n    pass\n';
      const r = fixAll(src);
      assert.ok(countParseErrorsIn(r.output) <= countParseErrorsIn(src));
      assert.match(r.output, /^ {4}anyio\.current_time\(\)$/m);
    });

    it('converges on nested fixes (spawn of a factory inside a split with) within the cap', () => {
      const src = dedent(`
        import anyio

        async def f(lock):
            async with anyio.create_task_group() as tg:
                async with anyio.open_cancel_scope(), lock:
                    await tg.spawn(print, anyio.create_event())
      `);
      const r = fixAll(src);
      assert.equal(r.capped, false);
      assert.equal(r.remaining.length, 0);
      assert.equal(
        r.output,
        dedent(`
        import anyio

        async def f(lock):
            async with anyio.create_task_group() as tg:
                with anyio.CancelScope():
                    async with lock:
                        tg.start_soon(print, anyio.Event())
      `),
      );
    });
  });

  describe('rule metadata', () => {
    it('every rule has a unique code, a name, docs and a fix title', () => {
      const seen = new Set<string>();
      for (const r of RULES) {
        assert.match(r.code, /^ASY\d{3}$/);
        assert.ok(!seen.has(r.code), r.code);
        seen.add(r.code);
        assert.match(r.name, /^[a-z0-9-]+$/);
        assert.ok(r.docs.why.length > 20 && r.docs.before && r.docs.after, r.code);
        assert.ok(r.rows.length > 0, r.code);
      }
    });
  });

  describe('architecture', () => {
    const repo = path.join(__dirname, '..', '..', '..');
    // The project's own ESLint config (eslint.config.mjs), only its layering rule `layers/imports`
    // (scripts/eslint-layers.mjs), without type information: the rule needs none, and this keeps the test fast.
    const eslint = new ESLint({
      cwd: repo,
      overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
      ruleFilter: ({ ruleId }) => ruleId === 'layers/imports',
    });
    const rel = (file: string) => path.relative(repo, file).split(path.sep).join('/');
    /** Every message ESLint gives `text` as if it were `file` (a path under src/, with `/`): layering reports, and parse errors (ruleId null). */
    async function lint(file: string, text: string): Promise<{ ruleId: string | null; message: string }[]> {
      const [r] = await eslint.lintText(text, { filePath: path.join(repo, 'src', file) });
      return r!.messages.map((m) => ({ ruleId: m.ruleId, message: m.message }));
    }

    it('src/ passes the layering rule: src/core, src/rules, src/server, src/cli, src/extension, src/shared, src/workspace, src/config, src/engine.ts', async () => {
      const results = await eslint.lintFiles(['src']);
      const linted = results.map((r) => rel(r.filePath));
      // Not vacuous: the walk reaches every layer, the semantic model included.
      for (const f of [
        'src/core/engine.ts',
        'src/core/semantic/project.ts',
        'src/rules/registry.ts',
        'src/engine.ts',
        'src/cli/main.ts',
        'src/extension/extension.ts',
        'src/shared/protocol.ts',
        'src/workspace/walk.ts',
        'src/config/engine-options.ts',
      ]) {
        assert.ok(linted.includes(f), f);
      }
      assert.ok(linted.some((f) => f.startsWith('src/server/')));
      assert.ok(linted.length >= 50, `${linted.length} files linted`);
      assert.deepEqual(
        results.flatMap((r) => r.messages.map((m) => `${rel(r.filePath)}:${m.line} ${m.ruleId}: ${m.message}`)),
        [],
      );
    });

    it('the layering rule reports each forbidden import (static, type-only, re-export, require, import(), typeof import())', async () => {
      // [file under src/, text, the module specifiers it must report, in order]
      const cases: [string, string, string[]][] = [
        // What core/engine.ts imported before the registry was passed in.
        [
          'core/engine.ts',
          "import { RULE_FAMILIES } from '../rules/registry';\nimport type { Report } from '../rules/context';\nexport { RULE_FAMILIES };\nexport type { Report };",
          ['../rules/registry', '../rules/context'],
        ],
        ['core/semantic/summary.ts', "export type T = typeof import('../../cli/run');", ['../../cli/run']],
        ['core/x.ts', "export const s = require('../server/server');", ['../server/server']],
        ['core/x.ts', 'export const s = require(`../server/server`);', ['../server/server']],
        ['core/x.ts', "export type R = import('../cli/run').RunIO;", ['../cli/run']],
        ['rules/x.ts', "import run = require('../cli/run');\nexport { run };", ['../cli/run']],
        ['core/x.ts', "export * from '../extension/extension';", ['../extension/extension']],
        ['core/x.ts', "export { analyze } from '../engine';", ['../engine']],
        ['core/semantic/x.ts', "export { analyze } from '../../engine';", ['../../engine']],
        ['core/x.ts', "export const load = () => import('../workspace/walk');", ['../workspace/walk']],
        ['core/x.ts', "import { Connection } from 'vscode-languageserver/node';\nexport { Connection };", ['vscode-languageserver/node']],
        ['core/x.ts', "import * as vscode from 'vscode';\nexport { vscode };", ['vscode']],
        ['rules/x.ts', "import { run } from '../cli/run';\nexport { run };", ['../cli/run']],
        ['rules/x.ts', "import * as fs from 'fs';\nimport { parse } from 'smol-toml';\nexport { fs, parse };", ['fs', 'smol-toml']],
        ['rules/x.ts', "import { analyze } from '../engine';\nexport { analyze };", ['../engine']],
        // The semantic model: no file system, path, thread or process.
        ['core/semantic/x.ts', "import * as fs from 'node:fs';\nexport { fs };", ['node:fs']],
        ['core/semantic/x.ts', "import { readFile } from 'fs/promises';\nexport { readFile };", ['fs/promises']],
        ['core/semantic/x.ts', "import { Worker } from 'worker_threads';\nexport { Worker };", ['worker_threads']],
        ['core/semantic/x.ts', "import * as path from 'path';\nexport { path };", ['path']],
        ['core/semantic/x.ts', "import { spawn } from 'node:child_process';\nexport { spawn };", ['node:child_process']],
        // The server and the CLI never import each other; the extension only src/shared.
        ['server/x.ts', "import { run } from '../cli/run';\nexport { run };", ['../cli/run']],
        ['server/features/x.ts', "import type { Options } from '../../cli/options';\nexport type { Options };", ['../../cli/options']],
        ['server/x.ts', "import { RULES } from '../rules/registry';\nexport { RULES };", ['../rules/registry']],
        ['server/x.ts', "export * from '../extension/extension';", ['../extension/extension']],
        ['cli/x.ts', "import { startServer } from '../server/server';\nexport { startServer };", ['../server/server']],
        ['cli/x.ts', "export const load = () => import('../server/migrate');", ['../server/migrate']],
        [
          'extension/x.ts',
          "import { analyze } from '../engine';\nimport type { Finding } from '../core/types';\nimport { Session } from '../server/session';\nexport { analyze, Session };\nexport type { Finding };",
          ['../engine', '../core/types', '../server/session'],
        ],
        // The shared layers: workspace and config never reach up into the server, the CLI or the extension.
        ['workspace/x.ts', "import { run } from '../cli/run';\nimport { Session } from '../server/session';\nexport { run, Session };", ['../cli/run', '../server/session']],
        ['config/x.ts', "import { settings } from '../server/settings';\nexport { settings };", ['../server/settings']],
        ['shared/x.ts', "import type { Finding } from '../core/types';\nexport type { Finding };", ['../core/types']],
        ['engine.ts', "export { run } from './cli/run';", ['./cli/run']],
      ];
      for (const [file, text, specs] of cases) {
        const messages = await lint(file, text);
        assert.deepEqual(
          messages.map((m) => m.ruleId),
          specs.map(() => 'layers/imports'),
          `${file}: ${text}\n${messages.map((m) => m.message).join('\n')}`,
        );
        specs.forEach((spec, i) => assert.ok(messages[i]!.message.includes(`src/${file} may not import `) && messages[i]!.message.includes(spec), messages[i]!.message));
      }
    });

    it('the layering rule allows what each layer may import', async () => {
      const allowed: [string, string][] = [
        // Rules on core; text that only looks like an import.
        [
          'rules/x.ts',
          "import { parse } from '../core/parser';\nimport { f } from './context';\n// import { run } from '../cli/run';\nexport const s = \"from '../cli/run'\";\nexport { parse, f };",
        ],
        // From the semantic model, ../engine is src/core/engine.ts (not src/engine.ts); crypto is no file system.
        [
          'core/semantic/x.ts',
          "import { parse } from '../parser';\nimport { Engine } from '../engine';\nimport { createHash } from 'crypto';\nexport { parse, Engine, createHash };",
        ],
        // The parser reads its wasm files.
        ['core/parser.ts', "import * as fs from 'fs';\nexport { fs };"],
        [
          'server/features/x.ts',
          "import { walk } from '../../workspace/walk';\nimport { toOptions } from '../../config/engine-options';\nimport type { Finding } from '../../core/types';\nimport { analyze } from '../../engine';\nimport { Commands } from '../../shared/protocol';\nimport { Session } from '../session';\nimport { createConnection } from 'vscode-languageserver/node';\nexport { walk, toOptions, analyze, Commands, Session, createConnection };\nexport type { Finding };",
        ],
        [
          'cli/x.ts',
          "import { walk } from '../workspace/walk';\nimport { readPyproject } from '../config/pyproject';\nimport { plural } from '../shared/plural';\nimport { analyze } from '../engine';\nexport const load = () => import('../core/semantic/index');\nexport { walk, readPyproject, plural, analyze };",
        ],
        [
          'extension/x.ts',
          "import * as vscode from 'vscode';\nimport { LanguageClient } from 'vscode-languageclient/node';\nimport { plural } from '../shared/plural';\nexport { vscode, LanguageClient, plural };",
        ],
        [
          'workspace/x.ts',
          "import type { Finding } from '../core/types';\nimport { toPosix } from '../shared/paths';\nimport { analyze } from '../engine';\nexport { toPosix, analyze };\nexport type { Finding };",
        ],
        ['engine.ts', "export { analyze } from './core/engine';\nexport { RULES } from './rules/registry';"],
      ];
      for (const [file, text] of allowed) assert.deepEqual(await lint(file, text), [], `${file}: ${text}`);
    });
  });
});
