import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { computeEdits } from '../../src/server/textEdits';
import { applyEdits } from '../../src/core/text';
import { compileGlob } from '../../src/server/glob';
import { severityOverride } from '../../src/server/diagnostics';
import { normalizeSettings } from '../../src/server/settings';

describe('server helpers', () => {
  describe('computeEdits', () => {
    it('turns old text into new text with small edits', () => {
      const a = 'import anyio\n\nasync def f():\n    await e.set()\n    x = 1\n';
      const b = 'import anyio\nfrom anyio import Event\n\nasync def f():\n    e.set()\n    x = 1\n';
      const edits = computeEdits(a, b);
      assert.equal(applyEdits(a, edits), b);
      assert.deepEqual(edits, [
        { start: 13, end: 13, text: 'from anyio import Event\n' },
        { start: 33, end: 39, text: '' },
      ]);
      assert.deepEqual(computeEdits(a, a), []);
    });

    it('never splits a surrogate pair or a CRLF', () => {
      const a = 'x = "😀"\r\ny = 1\r\n';
      const b = 'x = "😁"\r\ny = 1\r\n';
      const [e] = computeEdits(a, b);
      assert.deepEqual(e, { start: 5, end: 7, text: '😁' });
      const c = 'a\r\nb\r\n';
      const d = 'a\nb\r\n';
      const [f] = computeEdits(c, d);
      assert.equal(applyEdits(c, [f!]), d);
      assert.ok(!(f!.start === 2 && c[1] === '\r'), 'does not start between \\r and \\n');
    });

    it('round-trips arbitrary texts (property)', () => {
      const unit = fc.constantFrom('a', 'b', ' ', '\n', '\r\n', '\r', '😀', '任', 'await ', 'anyio.');
      const text = fc.array(unit, { maxLength: 40 }).map((xs) => xs.join(''));
      fc.assert(
        fc.property(text, text, (a, b) => {
          const edits = computeEdits(a, b);
          assert.equal(applyEdits(a, edits), b);
          for (let i = 1; i < edits.length; i++) assert.ok(edits[i - 1]!.end <= edits[i]!.start, 'sorted, non-overlapping');
          for (const e of edits) {
            for (const at of [e.start, e.end]) {
              const before = a.charCodeAt(at - 1);
              const after = a.charCodeAt(at);
              assert.ok(!(before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff), 'surrogate pair split');
              assert.ok(!(before === 0x0d && after === 0x0a), 'CRLF split');
            }
          }
        }),
        { numRuns: 500 },
      );
    });
  });

  describe('compileGlob (files.exclude)', () => {
    const cases: Array<[string, string, boolean]> = [
      ['**/.git', '.git', true],
      ['**/.git', 'a/b/.git', true],
      ['**/vendored', 'vendored', true],
      ['**/*.pyc', 'x/y.pyc', true],
      ['**/*.pyc', 'x/y.py', false],
      ['build', 'build', true],
      ['build', 'src/build', false],
      ['**/{dist,out}', 'a/out', true],
      ['**/{dist,out}', 'a/outx', false],
      ['src/gen_?.py', 'src/gen_1.py', true],
      ['src/[ab].py', 'src/c.py', false],
    ];
    for (const [glob, p, want] of cases) {
      it(`${glob} ${want ? 'matches' : 'does not match'} ${p}`, () => assert.equal(compileGlob(glob).matches(p), want));
    }
  });

  describe('settings', () => {
    it('normalises whatever the client sends', () => {
      assert.deepEqual(normalizeSettings(null), {
        enable: true,
        select: [],
        ignore: [],
        severityOverrides: {},
        unsafeFixes: false,
        target: 'auto',
        usePyproject: true,
      });
      const s = normalizeSettings({ enable: 'yes', select: ['ASY1', 3, ' '], severityOverrides: { ASY101: 'Info', ASY2: 'loud' }, target: 'anyio4' });
      assert.equal(s.enable, true);
      assert.deepEqual(s.select, ['ASY1']);
      assert.deepEqual(s.severityOverrides, { ASY101: 'information' });
      assert.equal(s.target, 'auto');
    });

    it('picks the exact code, else the longest prefix, for severity overrides', () => {
      const o = { ASY: 'hint', ASY1: 'warning', ASY101: 'off' } as const;
      assert.equal(severityOverride('ASY101', o), 'off');
      assert.equal(severityOverride('ASY102', o), 'warning');
      assert.equal(severityOverride('ASY201', o), 'hint');
      assert.equal(severityOverride('ASY201', {}), undefined);
    });
  });
});
