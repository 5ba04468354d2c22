/**
 * Workspace diagnostics, the status bar item and the Migration Overview in a real VS Code: the
 * Problems panel holds exactly the findings `anyio-migrate check` reports on the workspace folder
 * (files never opened included); the status bar says how many are left; the overview lists them per
 * rule and per folder, a site opens its file at its position, fixing one counts as progress, and
 * "migrate this rule" fixes that rule only, across the workspace.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { OverviewNode } from '../../../src/extension/overview';
import { analyzed, api, applyAction, closeAllEditors, codeActions, codeOf, repoRoot, SOURCE, templateFile, waitFor, workspaceRoot } from './helpers';

type Cli = typeof import('../../../src/cli/run');

/** `path:line:column:code` of what `anyio-migrate check` (the CLI's `run`, in-process) reports on the workspace folder. */
async function cliFindings(): Promise<string[]> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cli = require(path.join(repoRoot(), 'out', 'src', 'cli', 'run.js')) as Cli;
  let out = '';
  let err = '';
  const ws = workspaceRoot().fsPath;
  const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'anyio-migrate-key-'));
  try {
    const code = await cli.run(['check', '--format', 'json', '--no-cache', '--jobs', '1', '.'], {
      cwd: ws,
      stdout: { write: (c: string | Uint8Array) => ((out += String(c)), true), isTTY: false },
      stderr: { write: (c: string | Uint8Array) => ((err += String(c)), true), isTTY: false },
      wasmDir: path.join(repoRoot(), 'dist'),
      cacheKeyDir: path.join(keyDir, 'key'),
    });
    assert.ok(code === 0 || code === 1, err);
  } finally {
    fs.rmSync(keyDir, { recursive: true, force: true });
  }
  const parsed = JSON.parse(out) as
    Array<{ path: string; line: number; column: number; code: string }> | { findings: Array<{ path: string; line: number; column: number; code: string }> };
  const findings = Array.isArray(parsed) ? parsed : parsed.findings;
  return findings.map((f) => `${f.path.split(path.sep).join('/')}:${f.line}:${f.column}:${f.code}`).sort();
}

/** The same from VS Code's diagnostics (every file of the workspace, open or not). */
function editorFindings(): string[] {
  const ws = workspaceRoot().fsPath;
  const out: string[] = [];
  for (const [uri, ds] of vscode.languages.getDiagnostics()) {
    if (uri.scheme !== 'file' || !uri.fsPath.startsWith(ws + path.sep)) continue;
    const rel = path.relative(ws, uri.fsPath).split(path.sep).join('/');
    for (const d of ds) if (d.source === SOURCE) out.push(`${rel}:${d.range.start.line + 1}:${d.range.start.character + 1}:${codeOf(d)}`);
  }
  return out.sort();
}

/** Waits until the editor's findings are the CLI's (both taken again on each round) and the scan is over. */
async function agreeWithCli(what: string): Promise<string[]> {
  const a = await api();
  let cli: string[] = [];
  let mine: string[] = [];
  await waitFor(
    () =>
      `${what}: the editor's findings to equal the CLI's (CLI ${cli.length}, editor ${mine.length}; only CLI: ${cli
        .filter((f) => !mine.includes(f))
        .slice(0, 5)
        .join(', ')}; only editor: ${mine
        .filter((f) => !cli.includes(f))
        .slice(0, 5)
        .join(', ')})`,
    async () => {
      cli = await cliFindings();
      mine = editorFindings();
      const s = a.overview.status();
      return s !== undefined && !s.scanning && s.findings === cli.length && JSON.stringify(cli) === JSON.stringify(mine);
    },
    90_000,
  );
  return cli;
}

async function children(node?: OverviewNode): Promise<OverviewNode[]> {
  const a = await api();
  return a.overview.provider.getChildren(node);
}

/** Every site under `node`. */
async function sitesUnder(node: OverviewNode): Promise<Array<Extract<OverviewNode, { kind: 'site' }>>> {
  if (node.kind === 'site') return [node];
  const out: Array<Extract<OverviewNode, { kind: 'site' }>> = [];
  for (const c of await children(node)) out.push(...(await sitesUnder(c)));
  return out;
}

const siteKey = (n: Extract<OverviewNode, { kind: 'site' }>): string => `${n.file.path}:${n.site.line + 1}:${n.site.character + 1}:${n.site.code}`;

describe('workspace problems, status bar and Migration Overview', function () {
  // Longer than agreeWithCli's wait, so a disagreement fails with its message (what only the CLI or
  // only the editor reports), not with mocha's bare timeout.
  this.timeout(120_000);
  before(async () => {
    await api();
    // Unsaved edits of earlier suites are saved: the CLI reads the disk.
    for (const d of vscode.workspace.textDocuments) if (d.isDirty && d.uri.scheme === 'file') await d.save();
    await closeAllEditors();
    // Files created on disk, never opened: they reach the Problems panel through the file watcher.
    const dir = path.join(workspaceRoot().fsPath, 'overview_files');
    fs.mkdirSync(dir, { recursive: true });
    for (const name of ['events.py', 'limiter.py', 'unsafe_params.py']) fs.copyFileSync(templateFile(name), path.join(dir, name));
  });
  after(closeAllEditors);

  it('the Problems panel holds every finding of the workspace, unopened files included: the CLI’s findings on the folder', async () => {
    const cli = await agreeWithCli('the workspace');
    assert.ok(
      cli.some((f) => f.startsWith('overview_files/events.py:')),
      cli.join('\n'),
    );
    const open = new Set(vscode.workspace.textDocuments.map((d) => d.uri.fsPath));
    assert.ok(!open.has(path.join(workspaceRoot().fsPath, 'overview_files', 'events.py')), 'events.py was opened');
  });

  it('the status bar item says how many are left, with the safe / needs review counts', async () => {
    const cli = await agreeWithCli('the workspace');
    const a = await api();
    const s = a.overview.status()!;
    assert.strictEqual(a.overview.statusBar.text, `AnyIO: ${cli.length} left`);
    assert.strictEqual(s.safe + s.review, cli.length);
    const tooltip = String(a.overview.statusBar.tooltip);
    assert.ok(tooltip.includes(`${s.safe} safe to apply now · ${s.review} need review`), tooltip);
    assert.strictEqual(a.overview.statusBar.command, 'anyioMigrate.showOverview');
  });

  it('the overview lists the findings per rule and per folder; a site opens its file at its position; a fix counts as progress', async () => {
    const cli = await agreeWithCli('the workspace');
    await vscode.commands.executeCommand('anyioMigrate.showOverview');
    const a = await api();
    const [progress, safe, review, byRule, byFolder] = await children();
    assert.deepStrictEqual([progress!.kind, safe!.kind, review!.kind, byRule!.kind, byFolder!.kind], ['progress', 'safety', 'safety', 'group', 'group']);
    const s = a.overview.status()!;
    assert.strictEqual(a.overview.provider.getTreeItem(safe!).description, String(s.safe));
    assert.strictEqual(a.overview.provider.getTreeItem(review!).description, String(s.review));
    // Per rule: one node per code, with the CLI's count.
    const rules = (await children(byRule)) as Array<Extract<OverviewNode, { kind: 'rule' }>>;
    const perCode = new Map<string, number>();
    for (const f of cli) perCode.set(f.split(':')[3]!, (perCode.get(f.split(':')[3]!) ?? 0) + 1);
    assert.deepStrictEqual(new Map(rules.map((r) => [r.code, r.sites])), perCode);
    // Per folder: every site once.
    assert.deepStrictEqual((await sitesUnder(byFolder!)).map(siteKey).sort(), cli);
    // A site of a file never opened: clicking it opens the file with the finding selected.
    const site = (await sitesUnder(byFolder!)).find((n) => n.file.path === 'overview_files/events.py' && n.site.safe)!;
    assert.ok(site, 'a safe site in overview_files/events.py');
    const item = a.overview.provider.getTreeItem(site);
    await vscode.commands.executeCommand(item.command!.command, ...(item.command!.arguments ?? []));
    const editor = await waitFor(
      'the site to open',
      () => vscode.window.activeTextEditor?.document.uri.fsPath === path.join(workspaceRoot().fsPath, 'overview_files', 'events.py') && vscode.window.activeTextEditor,
    );
    assert.deepStrictEqual([editor.selection.start.line, editor.selection.start.character], [site.site.line, site.site.character]);
    assert.deepStrictEqual([editor.selection.end.line, editor.selection.end.character], [site.site.endLine, site.site.endCharacter]);
    // Fix it with its quick fix and save: one less left, one more fixed against the baseline.
    const diags = await analyzed(editor.document); // the open document's own diagnostics (from its text) carry the fixes
    const d = diags.find((x) => codeOf(x) === site.site.code && x.range.start.isEqual(editor.selection.start));
    assert.ok(d, `the open document's ${site.site.code} diagnostic at the site`);
    const before = a.overview.progress()!;
    const actions = await codeActions(editor.document.uri, d.range, vscode.CodeActionKind.QuickFix.value, 20);
    const action = actions.find((x) => x.isPreferred && x.title.startsWith(`AnyIO Migrate (${site.site.code})`));
    assert.ok(action, `a preferred quick fix among ${JSON.stringify(actions.map((x) => x.title))}`);
    await applyAction(action);
    assert.ok(await editor.document.save());
    await waitFor('one finding less', () => a.overview.status()?.findings === cli.length - 1 && !a.overview.status()?.scanning);
    const after = a.overview.progress()!;
    assert.strictEqual(after.first, before.first);
    assert.strictEqual(after.fixed, before.fixed + 1);
    assert.match(String(a.overview.provider.getTreeItem(progress!).description), new RegExp(`${after.fixed} of ${after.first} fixed \\(${after.percent}%\\)`));
    await closeAllEditors();
  });

  it('"Migrate this rule" fixes that rule across the workspace and nothing else', async () => {
    const cli = await agreeWithCli('the workspace');
    const rules = (await children((await children())[3])) as Array<Extract<OverviewNode, { kind: 'rule' }>>;
    // A rule whose every site has a safe fix: applied without the refactor preview's confirmation.
    const rule = rules.find((r) => r.safe === r.sites && r.sites > 0);
    assert.ok(rule, `a rule with only safe fixes among ${rules.map((r) => `${r.code} ${r.safe}/${r.sites}`).join(', ')}`);
    await vscode.commands.executeCommand('anyioMigrate.overview.migrateRule', rule);
    const after = await agreeWithCli(`after migrating ${rule.code}`);
    assert.deepStrictEqual(
      after.filter((f) => f.endsWith(`:${rule.code}`)),
      [],
    );
    // Other rules keep their findings (positions may move with the edits).
    const others = (fs: string[]) =>
      fs
        .filter((f) => !f.endsWith(`:${rule.code}`))
        .map((f) => f.split(':')[3])
        .sort();
    assert.deepStrictEqual(others(after), others(cli));
  });
});
