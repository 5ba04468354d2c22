import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { docsUrl, RULES } from '../../src/engine';
import { analyze, initEngine } from '../../src/engine';
import { codeSpan, findingHoverMarkdown, inlineMd, occurrenceRewrite, ruleHoverMarkdown, ruleMarkdown } from '../../src/core/docs';
import { ruleMarkdown as serverRuleMarkdown } from '../../src/server/ruleDocs';

describe('generated documentation', () => {
  it('docs/rules.md and the README table match the rule metadata (npm run docs)', () => {
    const root = path.join(__dirname, '..', '..', '..');
    const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'gen-docs.mjs'), '--check'], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });

  it('each rule section carries why, before, after and the fix safety', () => {
    for (const r of RULES) {
      const md = ruleMarkdown(r);
      for (const part of [r.docs.why, r.docs.before, r.docs.after, r.fixSafety]) assert.ok(md.includes(part), `${r.code}: ${part}`);
      assert.match(docsUrl(r.code), new RegExp(`#${r.code.toLowerCase()}-${r.name}$`));
    }
  });

  it("one renderer: the language server's rule docs are the core renderer's, with the rule's link", () => {
    const finding = { code: 'ASY101', rule: 'x', message: 'm', start: 0, end: 1, severity: 'warning' as const, deprecated: true, noFixReason: 'Do it <by> hand.' };
    for (const r of RULES) {
      for (const options of [{}, { target: 'anyio2+3' as const }, { finding, unsafeFixesEnabled: true }]) {
        assert.equal(serverRuleMarkdown(r, options), ruleHoverMarkdown(r, docsUrl(r.code), options), r.code);
      }
      const md = ruleHoverMarkdown(r, 'https://example.invalid/rules');
      for (const part of [r.docs.why, r.docs.before, r.docs.after, r.fixSafety]) assert.ok(md.includes(part), `${r.code}: ${part}`);
      assert.ok(md.endsWith(`[Documentation for ${r.code}](https://example.invalid/rules)`), r.code);
    }
    assert.ok(ruleHoverMarkdown(RULES[0]!, 'u', { finding }).includes('**This occurrence:** no automatic fix: Do it \\<by\\> hand.'));
  });

  it('a code example holding a fence is fenced with more backticks, on the rules page and in the hover', () => {
    const r = { ...RULES[0]!, docs: { why: 'w', before: 'x = """\n```\n"""  ', after: 'y' } };
    for (const md of [ruleMarkdown(r), ruleHoverMarkdown(r, 'u')]) assert.ok(md.includes('````python\nx = """\n```\n"""\n````'), md);
  });

  it('code spans in titles, summaries and reasons stay code: no escaped backtick', () => {
    assert.equal(inlineMd('Remove the `await` from <x> *now*'), 'Remove the `await` from \\<x\\> \\*now\\*');
    assert.equal(inlineMd('``a ` b`` and `c`'), '``a ` b`` and `c`');
    assert.equal(codeSpan('x = `y`'), '`` x = `y` ``');
    assert.equal(codeSpan('await self.ready.set()'), '`await self.ready.set()`');
    assert.equal(codeSpan('a`b'), '``a`b``');
    for (const r of RULES) {
      const withFix = {
        code: r.code,
        rule: r.name,
        message: 'm',
        start: 0,
        end: 1,
        severity: 'warning' as const,
        deprecated: r.deprecated,
        fix: { title: r.fixTitle, applicability: 'unsafe' as const, edits: [] },
      };
      const withoutFix = { ...withFix, fix: undefined, noFixReason: 'Use `with` by hand.' };
      for (const finding of [withFix, withoutFix]) {
        const { fix: _f, ...plain } = finding;
        const f = finding.fix ? finding : plain;
        for (const md of [ruleHoverMarkdown(r, 'u', { finding: f }), findingHoverMarkdown(r, { finding: f, docs: 'd', web: 'w' })])
          assert.ok(!md.includes('\\`'), `${r.code}: ${md}`);
      }
    }
  });

  describe('the hover over one finding', () => {
    before(async () => {
      await initEngine();
    });

    it("leads with this occurrence's rewrite, computed from the fix's edits", () => {
      const text = 'import anyio\n\n\nclass S:\n    async def stop(self):\n        await self.ready.set()\n';
      const ready = { ...analyze(text).find((f) => f.code === 'ASY102')! };
      // Proven by the annotation-free receiver? Not here: whatever the applicability, the rewrite is the same.
      const rewrite = occurrenceRewrite(text, ready);
      assert.deepEqual(rewrite, { before: 'await self.ready.set()', after: 'self.ready.set()', elsewhere: 0, imports: 0 });
      const md = findingHoverMarkdown(
        RULES.find((r) => r.code === 'ASY102')!,
        { finding: ready, rewrite, docs: 'command:x', web: 'https://w' },
      );
      const lines = md.split('\n\n');
      assert.equal(lines[0], '**ASY102** `await-now-sync-method` · Deprecated in AnyIO 3 (still works, with a DeprecationWarning)');
      assert.match(lines[1]!, /^\*\*This occurrence:\*\* (safe|unsafe) automatic fix: `await self\.ready\.set\(\)` → `self\.ready\.set\(\)`/);
      assert.match(lines[2]!, /^\*\*What changed in AnyIO 3:\*\* /);
      assert.equal(lines.at(-1), '[Documentation for ASY102](command:x) · [on the web](https://w)');
      assert.ok(!md.includes('\\`'), md);
      assert.ok(!md.includes('```'), 'no code blocks: the hover stays short');
      assert.ok(md.split('\n').length <= 8, md);
    });

    it('counts the imports and the edits elsewhere, folds lines and cuts long code', () => {
      const text = 'import anyio\n\n\nasync def main():\n    ev = anyio.create_event()\n';
      const f = analyze(text).find((x) => x.code === 'ASY201')!;
      assert.deepEqual(occurrenceRewrite(text, f), { before: 'anyio.create_event()', after: 'anyio.Event()', elsewhere: 0, imports: 0 });
      const long = 'x'.repeat(100);
      const made = {
        ...f,
        start: 0,
        end: 100,
        fix: {
          title: 't',
          applicability: 'safe' as const,
          edits: [
            { start: 0, end: 1, text: 'y\n   z' },
            { start: 150, end: 151, text: '' },
          ],
          imports: [{ module: 'anyio' }],
        },
      };
      const r = occurrenceRewrite(long + 'q'.repeat(60), made)!;
      assert.equal(r.before.length, 60);
      assert.ok(r.before.includes('…'));
      assert.ok(r.after.startsWith('y z'), r.after);
      assert.equal(r.elsewhere, 1);
      assert.equal(r.imports, 1);
      assert.equal(occurrenceRewrite(text, { ...f, fix: undefined }), undefined);
    });
  });
});
