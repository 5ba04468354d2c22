import * as assert from 'assert';
import * as vscode from 'vscode';
import { analyzed, api, closeAllEditors, codeOf, openFresh, waitFor } from './helpers';

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
    // This occurrence's rewrite leads, as code: the text of the finding before and after its fix.
    assert.match(text, /\*\*This occurrence:\*\* safe automatic fix: `await event\.set\(\)` → `event\.set\(\)`/);
    assert.ok(text.indexOf('This occurrence') < text.indexOf('What changed'), text);
    // Code spans render as code: nothing escapes a backtick.
    assert.ok(!text.includes('\\`'), text);
    // The docs open in the editor (offline: rendered by the server); the web page is the second link.
    const docsLink = `command:anyioMigrate.showRuleDocumentation?${encodeURIComponent(JSON.stringify(['ASY102']))}`;
    assert.ok(text.includes(`[Documentation for ASY102](${docsLink})`), text);
    assert.match(text, /\[on the web\]\(https:\/\/github\.com\/anyio-migrate\/anyio-migrate\/blob\/main\/docs\/rules\.md#asy102-await-now-sync-method\)/);
    // Short: no code blocks, a handful of lines.
    assert.ok(!text.includes('```') && text.split('\n').filter((l) => l.trim()).length <= 10, text);
    const h = hovers.find((x) => hoverText([x]).includes('ASY102'))!;
    assert.ok(h.range?.isEqual(d.range), `hover range ${JSON.stringify(h.range)} != diagnostic range ${JSON.stringify(d.range)}`);
  });

  it('trusts only the documentation command in the hover, and the link opens the rule docs offline', async () => {
    const doc = await openFresh('events.py', { show: true });
    const diags = await analyzed(doc);
    const d = diags.find((x) => codeOf(x) === 'ASY201')!;
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, d.range.start.translate(0, 8));
    const md = hovers.flatMap((h) => h.contents).find((c): c is vscode.MarkdownString => c instanceof vscode.MarkdownString && c.value.includes('ASY201'));
    assert.ok(md, hoverText(hovers));
    assert.deepStrictEqual(md.isTrusted, { enabledCommands: ['anyioMigrate.showRuleDocumentation'] });
    assert.match(md.value, /\*\*This occurrence:\*\* safe automatic fix: `anyio\.create_event\(\)` → `anyio\.Event\(\)`/);
    // What the link runs: the rule's documentation in a markdown preview of an in-memory document.
    await vscode.commands.executeCommand('anyioMigrate.showRuleDocumentation', 'ASY201');
    const docsDoc = await waitFor('the ASY201 documentation document', () =>
      vscode.workspace.textDocuments.find((t) => t.uri.scheme === 'anyio-migrate-docs' && t.uri.path === '/ASY201.md'),
    );
    assert.match(docsDoc.getText(), /^\*\*ASY201\*\* `/);
    assert.ok(!docsDoc.getText().includes('\\`'), docsDoc.getText());
  });

  it('says nothing away from findings', async () => {
    const doc = await openFresh('events.py');
    await analyzed(doc);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(0, 2));
    assert.ok(!hoverText(hovers).includes('ASY'), hoverText(hovers));
  });
});
