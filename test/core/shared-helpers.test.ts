/**
 * The one copy of each small helper the engine, the CLI and the server share: the binary search
 * (`partitionPoint`), the line index (1-based CLI columns with BOM, 0-based LSP positions, and the
 * inverse), `applyEdits` (overlap-checked), `plural`, `toPosix` and `isWithin`.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import fc from 'fast-check';
import { partitionPoint } from '../../src/core/bisect';
import { applyEdits, LineIndex } from '../../src/core/text';
import { plural } from '../../src/shared/plural';
import { isWithin, toPosix } from '../../src/shared/paths';

/** Positions by a plain scan: `\r\n`, a lone `\r` and `\n` end a line; a leading BOM is no column. */
function scanPositions(text: string): Array<{ line: number; character: number; column: number }> {
  const out: Array<{ line: number; character: number; column: number }> = [];
  let line = 0;
  let start = 0;
  for (let o = 0; o <= text.length; o++) {
    const character = o - start;
    out.push({ line, character, column: character + 1 - (line === 0 && text.charCodeAt(0) === 0xfeff && o > 0 ? 1 : 0) });
    const c = text[o];
    if (c === '\n' || (c === '\r' && text[o + 1] !== '\n')) {
      line++;
      start = o + 1;
    }
  }
  return out;
}

const unit = fc.constantFrom('a', ' ', '\t', '\n', '\r\n', '\r', '😀', '任', 'x = 1');
const text = fc.tuple(fc.boolean(), fc.array(unit, { maxLength: 30 })).map(([bom, xs]) => (bom ? '\ufeff' : '') + xs.join(''));

describe('shared helpers', () => {
  describe('partitionPoint', () => {
    it('counts the leading elements at or before x, like a linear scan (property)', () => {
      fc.assert(
        fc.property(fc.array(fc.integer({ min: -20, max: 20 }), { maxLength: 40 }), fc.integer({ min: -25, max: 25 }), (xs, x) => {
          const a = [...xs].sort((p, q) => p - q);
          assert.equal(
            partitionPoint(a.length, (i) => a[i]! <= x),
            a.filter((v) => v <= x).length,
          );
          assert.equal(
            partitionPoint(a.length, (i) => a[i]! < x),
            a.filter((v) => v < x).length,
          );
        }),
      );
    });

    it('asks O(log n) questions', () => {
      const a = Array.from({ length: 1 << 16 }, (_, i) => 2 * i);
      for (const x of [-1, 0, 777, 2 * a.length]) {
        let asked = 0;
        const k = partitionPoint(a.length, (i) => (asked++, a[i]! <= x));
        assert.equal(k, Math.max(0, Math.min(a.length, Math.floor(x / 2) + 1)));
        assert.ok(asked <= 17, `${asked} questions for ${a.length} elements`);
      }
      assert.equal(
        partitionPoint(0, () => assert.fail('no element to ask about')),
        0,
      );
    });
  });

  describe('LineIndex', () => {
    it('gives CLI columns (1-based, BOM not counted) and LSP positions across CRLF, lone CR, LF and astral characters', () => {
      const t = '\ufeffa😀b\r\n\rc\td😀\n\n😀';
      const idx = new LineIndex(t);
      const at = (o: number) => idx.lineColumn(o);
      assert.deepEqual([0, 1, 4, 5, 6, 7, 8, 10, 13, 14, 15, 17].map(at), [
        { line: 1, column: 1 },
        { line: 1, column: 1 },
        { line: 1, column: 4 },
        { line: 1, column: 5 },
        { line: 2, column: 1 },
        { line: 2, column: 1 },
        { line: 3, column: 1 },
        { line: 3, column: 3 },
        { line: 3, column: 6 },
        { line: 4, column: 1 },
        { line: 5, column: 1 },
        { line: 5, column: 3 },
      ]);
      assert.deepEqual(idx.position(1), { line: 0, character: 1 }, 'LSP counts the BOM');
      assert.deepEqual(idx.position(6), { line: 1, character: 0 }, 'between \\r and \\n: the next line');
      assert.equal(idx.lineCount, 5);
    });

    it('agrees with a plain scan, and offsetOf inverts lineColumn (property)', () => {
      fc.assert(
        fc.property(text, (t) => {
          const idx = new LineIndex(t);
          const scan = scanPositions(t);
          for (let o = 0; o <= t.length; o++) {
            if (t[o - 1] === '\r' && t[o] === '\n') continue; // inside a line break: covered above
            const s = scan[o]!;
            assert.deepEqual(idx.position(o), { line: s.line, character: s.character });
            assert.deepEqual(idx.lineColumn(o), { line: s.line + 1, column: s.column });
            if (o > 0 || t.charCodeAt(0) !== 0xfeff) assert.equal(idx.offsetOf(s.line + 1, s.column), o);
          }
          assert.equal(idx.offsetOf(0, 1), undefined);
          assert.equal(idx.offsetOf(idx.lineCount + 1, 1), undefined);
          assert.equal(idx.offsetOf(1, 0), undefined);
        }),
      );
    });
  });

  describe('applyEdits', () => {
    it('applies edits given in any order, and refuses overlapping ones', () => {
      const edits = [
        { start: 4, end: 5, text: 'E' },
        { start: 0, end: 1, text: 'AA' },
        { start: 2, end: 2, text: '+' },
      ];
      assert.equal(applyEdits('abcdef', edits), 'AAb+cdEf');
      assert.throws(
        () =>
          applyEdits('abcdef', [
            { start: 0, end: 3, text: '' },
            { start: 2, end: 4, text: 'x' },
          ]),
        /overlapping edits at 2/,
      );
    });
  });

  describe('plural, toPosix and isWithin', () => {
    it('counts nouns', () => {
      assert.equal(plural(0, 'file'), '0 files');
      assert.equal(plural(1, 'file'), '1 file');
      assert.equal(plural(2, 'fix', 'fixes'), '2 fixes');
      assert.equal(plural(1, 'fix', 'fixes'), '1 fix');
    });

    it('joins platform path segments with /', () => {
      assert.equal(toPosix(path.join('src', 'pkg', 'app.py')), 'src/pkg/app.py');
      assert.equal(toPosix('plain.py'), 'plain.py');
    });

    it('tells whether a path is a root or below it', () => {
      const root = path.resolve('proj');
      assert.ok(isWithin(root, root));
      assert.ok(isWithin(root, path.join(root, 'src', 'a.py')));
      assert.ok(isWithin(root, path.join(root, '..foo')), 'a name starting with .. is inside');
      assert.ok(!isWithin(root, path.dirname(root)));
      assert.ok(!isWithin(root, path.join(path.dirname(root), 'proj2', 'a.py')));
    });
  });
});
