import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { docsUrl, RULES } from '../../src/engine';
import { ruleMarkdown } from '../../src/core/docs';

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
});
