/**
 * Findings of a notebook's joined text are given to each cell in the cell's own offsets: the
 * range, and the deprecated token the editor strikes through, alike.
 */
import * as assert from 'node:assert/strict';
import { analyze, initEngine } from '../../src/engine';
import { splitFindings, type NotebookContext } from '../../src/server/notebooks';

describe('server/notebooks: findings per cell', () => {
  before(async () => {
    await initEngine();
  });

  it('rebases the range and the deprecated token of a finding in a later cell', () => {
    const cell1 = 'import anyio\n';
    const cell2 = 'async def f(evt):\n    e = anyio.create_event()\n    await e.set()\n';
    const text = `${cell1}${cell2}`;
    const ctx: NotebookContext = { generation: 1, text, cellUris: ['c1', 'c2'], starts: [0, cell1.length], ends: [cell1.length, text.length] };
    const findings = analyze(text);
    const withToken = findings.filter((f) => f.token);
    assert.ok(withToken.length >= 1, JSON.stringify(findings));
    const local = splitFindings(ctx, findings).get('c2')!;
    assert.equal(local.length, findings.length);
    for (const f of local) {
      assert.ok(f.start >= 0 && f.end <= cell2.length, JSON.stringify(f));
      if (!f.token) continue;
      assert.ok(f.token.start >= f.start && f.token.end <= f.end, `token inside its finding: ${JSON.stringify(f)}`);
      assert.ok(['create_event', 'await'].includes(cell2.slice(f.token.start, f.token.end)), cell2.slice(f.token.start, f.token.end));
    }
  });
});
