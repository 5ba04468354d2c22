/**
 * Safety net: fix-all never loses a comment line. Every own-line `#` comment of every rule fixture
 * (original, unsafe fixes included when the case asks for them) appears in the fixed output.
 */
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixAll, initEngine } from '../../src/engine';

const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures');

describe('fix-all keeps every comment line of the fixtures', function () {
  this.timeout(300_000);
  before(async () => {
    await initEngine();
  });

  it('loses no own-line comment in any fixture', () => {
    let files = 0;
    for (const code of readdirSync(FIXTURES).filter((d) => d.startsWith('ASY'))) {
      for (const f of readdirSync(join(FIXTURES, code)).filter((x) => x.endsWith('.py') && !x.endsWith('.fixed.py'))) {
        const text = readFileSync(join(FIXTURES, code, f), 'utf8');
        const out = fixAll(text, { unsafeFixes: /anyio-migrate-test: unsafe-fixes/.test(text) }).output;
        const comments = text
          .split(/\r\n?|\n/)
          .filter((l) => /^[ \t\uFEFF]*#/.test(l))
          .map((l) => l.trim().replace(/^\uFEFF/, ''));
        const lost = comments.filter((c) => !out.includes(c));
        assert.deepEqual(lost, [], `${code}/${f}`);
        files++;
      }
    }
    assert.ok(files > 100, `${files} fixtures`);
  });
});
