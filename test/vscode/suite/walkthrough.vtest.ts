/**
 * The getting-started walkthrough as the running VS Code sees the extension: contributed in the
 * loaded manifest, every step's media file (and the pictures a markdown medium shows) readable
 * through the workbench's file system from the extension's folder, and each step openable with
 * `workbench.action.openWalkthrough`. What the page shows is asserted by the UI test
 * (test/vscode/ui/walkthrough.e2e.ts).
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { closeAllEditors, extension, waitFor } from './helpers';

interface Step {
  id: string;
  title: string;
  media: { markdown?: string; image?: string | Record<string, string>; svg?: string };
  completionEvents?: string[];
}
interface Walkthrough {
  id: string;
  title: string;
  steps: Step[];
}

function walkthrough(): Walkthrough {
  const contributed = (extension().packageJSON as { contributes?: { walkthroughs?: Walkthrough[] } }).contributes?.walkthroughs ?? [];
  const w = contributed.find((x) => x.id === 'getting-started');
  assert.ok(w, `no walkthrough 'getting-started' in ${JSON.stringify(contributed.map((x) => x.id))}`);
  return w;
}

function mediaFiles(step: Step): string[] {
  const { markdown, image, svg } = step.media;
  const files = [markdown, svg, ...(typeof image === 'string' ? [image] : Object.values(image ?? {}))].filter((f): f is string => typeof f === 'string');
  assert.ok(files.length > 0, `${step.id}: no media`);
  return files;
}

describe('getting-started walkthrough', () => {
  afterEach(async () => {
    await closeAllEditors();
  });

  it('is contributed with its four steps, each with a media file the workbench can read', async () => {
    const w = walkthrough();
    assert.deepStrictEqual(
      w.steps.map((s) => s.title),
      ['See the findings', 'Fix one', 'Preview and migrate the workspace', 'Pick a target'],
    );
    const base = extension().extensionUri;
    for (const step of w.steps) {
      assert.ok(step.completionEvents?.length, `${step.id}: no completion event`);
      for (const file of mediaFiles(step)) {
        const uri = vscode.Uri.joinPath(base, file);
        const bytes = await vscode.workspace.fs.readFile(uri);
        assert.ok(bytes.byteLength > 0, `${file} is empty`);
        if (!file.endsWith('.md')) continue;
        const text = new TextDecoder().decode(bytes);
        assert.match(text, new RegExp(`^# ${step.title}\\n`), `${file} starts with the step's title`);
        for (const m of text.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)) {
          const picture = vscode.Uri.joinPath(uri, '..', m[1]!);
          assert.strictEqual((await vscode.workspace.fs.stat(picture)).type, vscode.FileType.File, `${file} shows ${m[1]}, which is missing`);
        }
      }
    }
  });

  it('every command a step names is registered', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const pkg = extension().packageJSON as { contributes: { walkthroughs: Array<{ steps: Array<{ description: string; completionEvents?: string[] }> }> } };
    const named = new Set<string>();
    for (const step of pkg.contributes.walkthroughs.flatMap((w) => w.steps)) {
      for (const m of step.description.matchAll(/\(command:([\w.]+)/g)) named.add(m[1]!);
      for (const e of step.completionEvents ?? []) if (e.startsWith('onCommand:')) named.add(e.slice('onCommand:'.length));
    }
    assert.ok(named.has('anyioMigrate.migrateWorkspace') && named.has('anyioMigrate.showMigrationReport'), JSON.stringify([...named]));
    assert.deepStrictEqual(
      [...named].filter((c) => !registered.has(c)),
      [],
      'commands the walkthrough names that VS Code does not know',
    );
  });

  it('opens, as a whole and at each step', async () => {
    const category = `${extension().id}#getting-started`;
    const welcomeShown = () => waitFor('the walkthrough editor', () => vscode.window.tabGroups.activeTabGroup.activeTab?.label === 'Welcome');
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', category, false);
    await welcomeShown();
    for (const step of walkthrough().steps) {
      await closeAllEditors();
      await vscode.commands.executeCommand('workbench.action.openWalkthrough', { category, step: `${category}#${step.id}` }, false);
      await welcomeShown();
    }
  });
});
