import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { runExplain, type JsonExplanation } from '../../src/cli/explain';
import { LineIndex } from '../../src/core/text';
import { Capture, runCli } from '../support/harness';
import { makeTempDir, removeDir, REPO_ROOT, writeTree } from '../support/helpers';

const HELPERS = `import anyio
from contextlib import asynccontextmanager


@asynccontextmanager
async def open_group():
    async with anyio.create_task_group() as g:
        yield g
`;

const APP = `from . import helpers
import lib


async def main():
    async with helpers.open_group() as group:
        await group.spawn(main)
    x = lib.make()
    await x.set()
`;

async function explain(argv: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await runExplain(argv, { cwd, stdout, stderr });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('anyio-migrate explain FILE:LINE:COL', () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir();
    writeTree(dir, { 'src/pkg/__init__.py': '', 'src/pkg/helpers.py': HELPERS, 'src/pkg/app.py': APP, 'src/pkg/other.py': 'x = 1\n' });
  });
  afterEach(() => removeDir(dir));

  it('explains a task group from a helper of the package, naming the helper module and lines (the file named alone, as check indexes it)', async () => {
    const r = await explain(['src/pkg/app.py:7:15'], dir);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.equal(
      r.stdout,
      [
        'src/pkg/app.py:7:15: `group` is an AnyIO TaskGroup [anyio]',
        '  src/pkg/app.py:6: `group` is bound by `async with helpers.open_group() as group`',
        '  src/pkg/app.py:1: `helpers` is the module `pkg.helpers` (`from . import helpers`)',
        '  src/pkg/helpers.py:6: `open_group()` is defined here: `with` binds what it yields',
        '  src/pkg/helpers.py:8: `open_group()` yields `g`',
        '  src/pkg/helpers.py:7: `g` is bound by `async with anyio.create_task_group() as g`',
        "  src/pkg/helpers.py:7: `anyio.create_task_group()` is AnyIO's: it gives an AnyIO TaskGroup",
        '',
      ].join('\n'),
    );
  });

  it('--format json, an unknown third-party value, and --no-project-index', async () => {
    const r = await explain(['--format', 'json', 'src/pkg/app.py:9:11'], dir);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as JsonExplanation;
    assert.deepEqual(
      { path: j.path, line: j.line, column: j.column, endLine: j.endLine, endColumn: j.endColumn, expression: j.expression, verdict: j.verdict, type: j.type },
      {
        path: 'src/pkg/app.py',
        line: 9,
        column: 11,
        endLine: 9,
        endColumn: 12,
        expression: 'x',
        verdict: 'unknown',
        type: 'unknown: `lib.make()` comes from `lib`, a library the engine cannot see',
      },
    );
    assert.deepEqual(j.steps, [
      { path: 'src/pkg/app.py', line: 8, text: '`x = lib.make()`' },
      { path: 'src/pkg/app.py', line: 2, text: '`lib` is the module `lib` (`import lib`)' },
    ]);
    const alone = await explain(['--no-project-index', '--format', 'json', 'src/pkg/app.py:7:15'], dir);
    assert.equal(alone.code, 0);
    assert.equal((JSON.parse(alone.stdout) as JsonExplanation).verdict, 'unknown');
  });

  it('reads the position check prints: the finding at `await` explains the receiver (BOM, astral characters before it)', async () => {
    const app = `\ufeffimport anyio\nfrom . import helpers\n\n\nasync def main():\n    async with helpers.open_group() as group:\n        s = "😀😀"; await group.spawn(main)\n`;
    writeTree(dir, { 'src/pkg/app.py': app });
    const check = await runCli(['check', '--format', 'json', '--no-cache', 'src/pkg/app.py'], { cwd: dir });
    const findings = JSON.parse(check.stdout) as Array<{ code: string; line: number; column: number }>;
    const f = findings.find((x) => x.code === 'ASY301');
    assert.ok(f, check.stdout);
    const r = await explain([`src/pkg/app.py:${f.line}:${f.column}`], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^src/pkg/app\\.py:7:${f.column + 'await '.length}: \`group\` is an AnyIO TaskGroup \\[anyio\\]\n`));
  });

  it('LineIndex.offsetOf inverts the columns check prints (BOM, CRLF, lone CR, astral characters)', () => {
    const text = '\ufeffa😀b\r\n\rc\td😀\n\n😀';
    const idx = new LineIndex(text);
    for (let o = 1; o <= text.length; o++) {
      if (text[o - 1] === '\r' && text[o] === '\n') continue; // inside a line break: not a position check prints
      const p = idx.lineColumn(o);
      assert.equal(idx.offsetOf(p.line, p.column), o, `offset ${o} (${p.line}:${p.column})`);
    }
    assert.equal(idx.offsetOf(1, 1), 1, 'the BOM is not a column');
    assert.equal(idx.offsetOf(1, 6), undefined, 'past the end of the line');
    assert.equal(idx.offsetOf(6, 1), undefined, 'no such line');
  });

  it('exit 1 with no expression there; 2 for a missing file, a bad position or bad arguments; --help', async () => {
    const none = await explain(['src/pkg/app.py:3:1'], dir);
    assert.equal(none.code, 1);
    assert.equal(none.stdout, '');
    assert.match(none.stderr, /^src\/pkg\/app\.py:3:1: no expression to explain there\n$/);
    const cases: Array<[string[], RegExp]> = [
      [['src/pkg/nope.py:1:1'], /^error: src\/pkg\/nope\.py: /],
      [['src/pkg/app.py:99:1'], /has no position 99:1/],
      [['src/pkg/app.py:1:99'], /has no position 1:99/],
      [['src/pkg/app.py:0:1'], /1-based/],
      [['src/pkg/app.py:7'], /expected FILE:LINE:COL/],
      [[], /one position/],
      [['a.py:1:1', 'b.py:1:1'], /one position/],
      [['--format', 'xml', 'src/pkg/app.py:7:15'], /unknown format 'xml'/],
      [['--frobnicate', 'src/pkg/app.py:7:15'], /Unknown option '--frobnicate'/],
    ];
    for (const [argv, re] of cases) {
      const r = await explain(argv, dir);
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.stderr, re, argv.join(' '));
      assert.equal(r.stdout, '');
    }
    const help = await explain(['--help'], dir);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: anyio-migrate explain \[OPTIONS\] FILE:LINE:COL/);
  });

  it('runs as the anyio-migrate command (bin), listed in --help', () => {
    const bin = path.join(REPO_ROOT, 'bin', 'anyio-migrate.js');
    const env = { ...process.env, XDG_CACHE_HOME: path.join(dir, '.xdg-cache') };
    const r = spawnSync(process.execPath, [bin, 'explain', path.join('src', 'pkg', 'app.py') + ':7:15'], { cwd: dir, encoding: 'utf8', env });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^src\/pkg\/app\.py:7:15: `group` is an AnyIO TaskGroup \[anyio\]\n/);
    assert.match(r.stdout, /src\/pkg\/helpers\.py:6: `open_group\(\)` is defined here/);
    const help = spawnSync(process.execPath, [bin, '--help'], { cwd: dir, encoding: 'utf8', env });
    assert.match(help.stdout, /anyio-migrate explain FILE:LINE:COL/);
    const late = spawnSync(process.execPath, [bin, '--format', 'json', 'explain', 'src/pkg/app.py:7:15'], { cwd: dir, encoding: 'utf8', env });
    assert.equal(late.status, 2);
    assert.match(late.stderr, /'explain' must come first/);
  });
});
