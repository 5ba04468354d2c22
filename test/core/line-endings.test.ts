/**
 * Line endings: Python ends a line at `\n`, `\r\n` or a lone `\r` (classic Mac), and so must the
 * engine. Every fixture, rewritten with CRLF, CR-only and mixed line breaks, gives the same findings
 * (same codes, same fix applicability) and the same fixed text as with `\n`, up to line breaks; and
 * the fixed text keeps the file's own line breaks.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze, fixAll, initEngine } from '../../src/engine';
import { parse } from '../../src/core/parser';
import { lineAt, lineEnding, lineStarts } from '../../src/core/text';
import type { FixOptions } from '../../src/core/types';

function fixturesRoot(): string {
  for (const c of [path.join(__dirname, '..', 'fixtures'), path.join(__dirname, '..', '..', '..', 'test', 'fixtures')]) if (fs.existsSync(c)) return c;
  throw new Error('test/fixtures not found');
}

function fixtureFiles(): string[] {
  const root = fixturesRoot();
  const out: string[] = [];
  for (const d of fs.readdirSync(root).sort()) {
    const dir = path.join(root, d);
    if (!fs.statSync(dir).isDirectory()) continue;
    for (const f of fs.readdirSync(dir).sort()) if (f.endsWith('.py') && !f.endsWith('.fixed.py')) out.push(path.join(dir, f));
  }
  return out;
}

const toLF = (s: string) => s.replace(/\r\n?/g, '\n');
/**
 * Line breaks cycling through `\r\n`, `\r`, `\n` (deterministic). A lone `\r` is used only before a
 * non-empty line: before an empty line ending in `\n` it would read as one `\r\n` break.
 */
const mixed = (s: string) => {
  let i = 0;
  const lines = toLF(s).split('\n');
  return lines.map((line, k) => (k === lines.length - 1 ? line : line + ((b) => (b === '\r' && lines[k + 1] === '' ? '\r\n' : b))(['\r\n', '\r', '\n'][i++ % 3]!))).join('');
};

const STYLES: Array<{ name: string; convert: (s: string) => string; nl?: string }> = [
  { name: 'CRLF', convert: (s) => toLF(s).replace(/\n/g, '\r\n'), nl: '\r\n' },
  { name: 'CR-only', convert: (s) => toLF(s).replace(/\n/g, '\r'), nl: '\r' },
  { name: 'mixed CRLF/CR/LF', convert: mixed },
];

describe('line endings (\\n, \\r\\n, lone \\r, mixed)', function () {
  this.timeout(120_000);
  before(async () => {
    await initEngine();
  });

  it('text helpers treat \\r\\n, \\r and \\n as line breaks', () => {
    assert.deepEqual(lineStarts('a\r\nb\rc\nd'), [0, 3, 5, 7]);
    assert.equal(lineEnding('x\ry\nz'), '\r');
    assert.equal(lineEnding('x\r\ny'), '\r\n');
    assert.equal(lineEnding('x'), '\n');
    assert.deepEqual(lineAt('a\rbb\rc', 3), { start: 2, end: 4, text: 'bb' });
    assert.deepEqual(lineAt('a\r\nbb\r\nc', 4), { start: 3, end: 5, text: 'bb' });
  });

  it('a CR-only file parses like its LF twin, and node text keeps the \\r', () => {
    const lf = 'import anyio\n\nasync def main():\n    ev = anyio.create_event()\n    await ev.set()\n';
    const cr = lf.replace(/\n/g, '\r');
    const a = parse(lf);
    const b = parse(cr);
    try {
      assert.equal(b.rootNode.toString(), a.rootNode.toString());
      assert.equal(b.rootNode.hasError, false);
      assert.equal(b.rootNode.namedChild(1)!.text, 'async def main():\r    ev = anyio.create_event()\r    await ev.set()');
    } finally {
      a.delete();
      b.delete();
    }
  });

  it('`await ev.set()` stays a safe fix with CR-only line breaks', () => {
    const cr = 'import anyio\r\rasync def main():\r    ev = anyio.create_event()\r    await ev.set()\r';
    const f = analyze(cr).find((x) => x.code === 'ASY102');
    assert.equal(f?.fix?.applicability, 'safe');
    assert.equal(fixAll(cr).output, 'import anyio\r\rasync def main():\r    ev = anyio.Event()\r    ev.set()\r');
  });

  it('a `# noqa` on one line of a CR-only file silences that line only', () => {
    const cr = 'import anyio\rasync def main():\r    a = anyio.create_event()  # noqa: ASY201\r    b = anyio.create_event()\r';
    assert.deepEqual(
      analyze(cr).map((f) => f.code),
      ['ASY201'],
    );
  });

  for (const style of STYLES) {
    it(`every fixture gives the same findings and fixes with ${style.name} line breaks`, () => {
      const problems: string[] = [];
      for (const file of fixtureFiles()) {
        const lf = toLF(fs.readFileSync(file, 'utf8'));
        const other = style.convert(lf);
        const opts: FixOptions = { unsafeFixes: true, target: /target-anyio2\+3/.test(lf) ? 'anyio2+3' : 'anyio3' };
        const name = path.relative(fixturesRoot(), file);
        const summary = (text: string) =>
          analyze(text, opts)
            .map((f) => `${f.code}:${f.fix?.applicability ?? '-'}`)
            .join(' ');
        if (summary(other) !== summary(lf)) problems.push(`${name}: findings ${summary(other)} vs ${summary(lf)}`);
        const a = fixAll(lf, opts);
        const b = fixAll(other, opts);
        if (toLF(b.output) !== a.output) problems.push(`${name}: fixed text differs`);
        if (b.refused !== a.refused) problems.push(`${name}: refused ${b.refused} vs ${a.refused}`);
        // The fixed text keeps the file's line breaks (a single style stays single).
        if (style.nl && b.output.replace(new RegExp(style.nl === '\r' ? '\r(?!\n)' : '\r\n', 'g'), '').match(/[\r\n]/)) {
          problems.push(`${name}: the fixed text mixes line breaks into a ${style.name} file`);
        }
      }
      assert.deepEqual(problems, []);
    });
  }
});
