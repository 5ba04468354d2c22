import * as assert from 'assert';
import * as vscode from 'vscode';
import { analyzed, api, closeAllEditors, codeOf, openFresh } from './helpers';

function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
    .join('\n');
}

describe('hover', () => {
  before(async () => {
    await api();
  });
  after(closeAllEditors);

  it('explains the finding under the cursor: rule, what changed, this occurrence’s fix, docs link', async () => {
    const doc = await openFresh('events.py', { show: true });
    const diags = await analyzed(doc);
    const d = diags.find((x) => codeOf(x) === 'ASY102')!;
    const at = d.range.start.translate(0, 8); // inside `event.set()`
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, at);
    const text = hoverText(hovers);
    assert.match(text, /\*\*ASY102\*\* `await-now-sync-method`/);
    assert.match(text, /What changed in AnyIO 3:/);
    assert.match(text, /This occurrence:\*\* safe automatic fix/);
    assert.match(text, /\[Documentation for ASY102\]\(https:\/\/github\.com\/anyio-migrate\/anyio-migrate\/blob\/main\/docs\/rules\.md#asy102-await-now-sync-method\)/);
    const h = hovers.find((x) => hoverText([x]).includes('ASY102'))!;
    assert.ok(h.range?.isEqual(d.range), `hover range ${JSON.stringify(h.range)} != diagnostic range ${JSON.stringify(d.range)}`);
  });

  it('says nothing away from findings', async () => {
    const doc = await openFresh('events.py');
    await analyzed(doc);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(0, 2));
    assert.ok(!hoverText(hovers).includes('ASY'), hoverText(hovers));
  });
});
