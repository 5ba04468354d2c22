import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { docsUrl, RULES } from '../../src/engine';
import { ruleHoverMarkdown, ruleMarkdown } from '../../src/core/docs';
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
});
