/**
 * `Finding.token`: every finding of a deprecated usage names its deprecated token (the `await`, the
 * old name, the `async` of `async with`), inside its range, so that editors strike through only
 * that token (src/server/diagnostics.ts). Checked over every fixture, under both targets.
 */
import * as assert from 'node:assert/strict';
import { analyze, initEngine, RULES } from '../../src/engine';
import { loadFixtures } from '../support/fixtures';

/** What the token of each deprecated rule is: the keyword, or a name (an identifier). */
const TOKEN: Record<string, RegExp> = {
  ASY101: /^await$/,
  ASY102: /^await$/,
  ASY203: /^async$/,
  ASY603: /^try$/,
};
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

describe('deprecated tokens (Finding.token)', () => {
  before(async () => {
    await initEngine();
  });

  it('each finding of a deprecated usage sets a token inside its range, over the fixtures', () => {
    const seen = new Map<string, number>();
    for (const [, cases] of loadFixtures()) {
      for (const c of cases) {
        for (const target of ['anyio3', 'anyio2+3'] as const) {
          for (const f of analyze(c.input, { target })) {
            const where = `${c.folder}/${c.name}.py (${target}) ${f.code} at ${f.start}`;
            if (!f.deprecated) {
              assert.equal(f.token, undefined, `${where}: a token on a finding that is not deprecated`);
              continue;
            }
            assert.ok(f.token, `${where}: no token`);
            assert.ok(f.start <= f.token.start && f.token.start < f.token.end && f.token.end <= f.end, `${where}: token ${JSON.stringify(f.token)} outside [${f.start}, ${f.end})`);
            const text = c.input.slice(f.token.start, f.token.end);
            assert.match(text, TOKEN[f.code] ?? NAME, `${where}: token "${text}"`);
            seen.set(f.code, (seen.get(f.code) ?? 0) + 1);
          }
        }
      }
    }
    // Every rule whose usages are deprecated was seen with a token (the fixtures cover each).
    for (const r of RULES.filter((x) => x.deprecated)) assert.ok((seen.get(r.code) ?? 0) > 0, `${r.code}: no deprecated finding in the fixtures`);
  });

  it('the token is the `await` of ASY102, the old name of ASY201 and ASY301, the `async` of ASY203', () => {
    const text = [
      'import anyio',
      '',
      'async def main(event: anyio.Event, tg: anyio.abc.TaskGroup):',
      '    lock = anyio.create_lock()',
      '    await event.set()',
      '    await tg.spawn(anyio.sleep, 1)',
      '    async with anyio.move_on_after(1) as scope:',
      '        pass',
      '',
    ].join('\n');
    const tokens = analyze(text)
      .filter((f) => f.token)
      .map((f) => [f.code, text.slice(f.start, f.end).split('\n')[0], text.slice(f.token!.start, f.token!.end)]);
    assert.deepEqual(tokens, [
      ['ASY201', 'anyio.create_lock()', 'create_lock'],
      ['ASY102', 'await event.set()', 'await'],
      ['ASY301', 'await tg.spawn(anyio.sleep, 1)', 'spawn'],
      ['ASY203', 'async with anyio.move_on_after(1) as scope:', 'async'],
    ]);
  });
});
