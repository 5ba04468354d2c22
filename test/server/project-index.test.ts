/**
 * The language server's project index (src/server/projectIndex.ts): a multi-module workspace on
 * disk, driven through LSP. Types proven across modules give findings in files that never write
 * `anyio`; a project's own look-alike class gets none; an unsaved edit of a helper re-publishes its
 * dependents' diagnostics; Migrate Workspace fixes with the same index.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic, PublishDiagnosticsParams, TextDocumentEdit } from 'vscode-languageserver/node';
import { initEngine } from '../../src/engine';
import { TestClient, applyTextEdits } from './harness';
import { writeFile } from '../support/helpers';
import { APP, HELPERS, HELPERS_PLAIN, tempProject, uriOf, writeIndexedPackage, type TempProject } from '../support/project';

const JOBS = `class Pool:
    async def spawn(self, fn):
        await fn()
`;

/** Uses AnyIO, and the project's own `Pool` whose `spawn` is not AnyIO's. */
const USES_POOL = `import anyio

from .jobs import Pool


async def work():
    pass


async def main():
    pool = Pool()
    await pool.spawn(work)


anyio.run(main)
`;

/** Codes of the findings published (the deprecated-token strike hints, which have no source, left out). */
const codes = (d: readonly Diagnostic[]): string[] =>
  d
    .filter((x) => x.source !== undefined)
    .map((x) => String(x.code))
    .sort();

describe('language server project index', function () {
  this.timeout(120_000);
  let project: TempProject;
  let tmp: string;
  let root: string;
  let client: TestClient | undefined;
  let app: string;
  let helpers: string;
  let usesPool: string;

  before(async () => {
    await initEngine();
  });

  beforeEach(() => {
    project = tempProject('anyio-migrate-index-', 'project');
    ({ tmp, root } = project);
    ({ helpers, app } = writeIndexedPackage(root, 'unrelated.py'));
    writeFile(root, 'pkg/jobs.py', JOBS);
    usesPool = uriOf(writeFile(root, 'pkg/uses_pool.py', USES_POOL));
  });

  afterEach(async () => {
    await client?.dispose();
    client = undefined;
    project.remove();
  });

  /** The latest publish for `uri` after `from` that satisfies `ok`. */
  function publishedFor(c: TestClient, uri: string, what: string, ok: (p: PublishDiagnosticsParams) => boolean, from = 0): Promise<PublishDiagnosticsParams> {
    return c.waitFor(
      what,
      () =>
        c.published
          .slice(from)
          .reverse()
          .find((p) => p.uri === uri && ok(p)),
      60_000,
    );
  }

  const hasSpawn = (p: PublishDiagnosticsParams): boolean => p.diagnostics.some((d) => d.code === 'ASY301');

  async function indexReady(c: TestClient): Promise<void> {
    await c.waitFor('the project index', () => (c.server.projectIndex()?.ready ? true : undefined), 60_000);
    await c.server.projectIndex()!.settled();
  }

  for (const inWorker of [false, true]) {
    describe(inWorker ? 'documents analysed in the analysis worker' : 'documents analysed on the main thread', () => {
      const start = (): Promise<TestClient> =>
        TestClient.start({ workspaceFolders: [uriOf(root)], workDoneProgress: true, ...(inWorker ? { serverOptions: { workerMinChars: 1 } } : {}) });

      it('reports a task group from another module (ASY301) once the workspace is indexed, with progress', async () => {
        client = await start();
        await client.open(app, APP);
        const p = await publishedFor(client, app, 'ASY301 in app.py', hasSpawn);
        assert.equal(p.version, 1);
        assert.deepEqual(codes(p.diagnostics), ['ASY301']);
        assert.equal(client.server.inspect(app)!.inWorker, inWorker);
        // Progress: one begin naming the files walked (6 Python files), then an end.
        const begin = client.workProgress.find((x) => x.value.kind === 'begin');
        assert.equal(begin?.value.title, 'AnyIO Migrate: indexing 6 files');
        await client.waitFor('the end of the progress', () => client!.workProgress.find((x) => x.value.kind === 'end' && x.token === begin!.token));
        // Summaries of the AnyIO-related modules only (not unrelated.py), in the analysis worker.
        const index = client.server.projectIndex()!;
        assert.deepEqual(
          index.index
            .summaries()
            .map((s) => s.module)
            .sort(),
          ['pkg', 'pkg.app', 'pkg.helpers', 'pkg.jobs', 'pkg.uses_pool'],
        );
        // Parsed (in the analysis worker): the modules that can hand out AnyIO objects; the others
        // (imported by those only) are scanned, not parsed.
        assert.deepEqual(
          index.index
            .summaries()
            .filter((s) => s.shallow)
            .map((s) => s.module)
            .sort(),
          ['pkg', 'pkg.jobs'],
        );
        assert.ok(client.server.workerStats().summaries >= 3);
        // The watcher for Python files is registered.
        const watchers = client.registrations
          .filter((r) => r.method === 'workspace/didChangeWatchedFiles')
          .flatMap((r) => (r.registerOptions as { watchers: Array<{ globPattern: string }> }).watchers.map((w) => w.globPattern));
        assert.ok(watchers.includes('**/*.py'), watchers.join(', '));
      });

      it('re-publishes a dependent when an unsaved edit of the helper changes what it yields, and again when it is undone', async () => {
        client = await start();
        await client.open(app, APP);
        await publishedFor(client, app, 'ASY301 in app.py', hasSpawn);
        await client.open(helpers, HELPERS);
        let from = client.published.length;
        // Replace the whole helper (unsaved: the disk keeps the old text); app.py is not touched.
        await client.change(helpers, [{ range: { start: { line: 0, character: 0 }, end: { line: 9, character: 0 } }, text: HELPERS_PLAIN }]);
        const gone = await publishedFor(client, app, 'app.py without ASY301', (p) => !hasSpawn(p), from);
        assert.equal(gone.version, 1);
        assert.deepEqual(gone.diagnostics, []);
        assert.equal(fs.readFileSync(new URL(helpers), 'utf8'), HELPERS);
        // Closing the helper without saving: the disk's text counts again.
        from = client.published.length;
        await client.close(helpers);
        const back = await publishedFor(client, app, 'ASY301 in app.py again', hasSpawn, from);
        assert.equal(back.version, 1);
      });

      it('leaves a project class with its own async spawn alone (no finding)', async () => {
        client = await start();
        await indexReady(client);
        await client.open(usesPool, USES_POOL);
        assert.deepEqual(await client.diagnosticsFor(usesPool, 1, 60_000), []);
      });
    });
  }

  it("the hover of a finding shows the proof: the helper's module and line", async () => {
    client = await TestClient.start({ workspaceFolders: [uriOf(root)] });
    await client.open(app, APP);
    const p = await publishedFor(client, app, 'ASY301 in app.py', hasSpawn);
    const d = p.diagnostics.find((x) => x.code === 'ASY301')!;
    const hover = await client.hover(app, d.range.start);
    const value = (hover?.contents as { value: string }).value;
    assert.match(value, /\*\*Why:\*\* `group` is an AnyIO TaskGroup/);
    assert.match(value, /bound by `async with helpers\.open_group\(\) as group`/);
    assert.match(value, /\(helpers\.py:\d+\)/, 'the step in the helper module, relative to app.py');
  });

  it('follows a helper changed on disk (watched-file event) and a new module created on disk', async () => {
    client = await TestClient.start({ workspaceFolders: [uriOf(root)] });
    await client.open(app, APP);
    await publishedFor(client, app, 'ASY301 in app.py', hasSpawn);
    let from = client.published.length;
    fs.writeFileSync(new URL(helpers), HELPERS_PLAIN);
    await client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: helpers, type: 2 }] });
    await publishedFor(client, app, 'app.py without ASY301', (p) => !hasSpawn(p), from);

    // A new helper module (created on disk), then app.py imports it (unsaved).
    const made = writeFile(root, 'pkg/groups.py', HELPERS.replace('open_group', 'make_group'));
    await client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(made), type: 1 }] });
    await client.waitFor('pkg.groups summarised', () => (client!.server.projectIndex()!.index.get('pkg.groups') ? true : undefined), 60_000);
    from = client.published.length;
    const edited = APP.replace('from . import helpers', 'from . import groups').replace('helpers.open_group()', 'groups.make_group()');
    const version = await client.change(app, [{ range: { start: { line: 0, character: 0 }, end: { line: 11, character: 0 } }, text: edited }]);
    const p = await publishedFor(client, app, 'ASY301 through pkg.groups', (x) => x.version === version && hasSpawn(x), from);
    assert.deepEqual(codes(p.diagnostics), ['ASY301']);
  });

  it('Migrate Workspace fixes the cross-module site and leaves the look-alike alone', async () => {
    client = await TestClient.start({ workspaceFolders: [uriOf(root)] });
    const result = await client.migrate({ folders: [{ uri: uriOf(root), exclude: [] }], dryRun: false });
    const edits = new Map<string, TextDocumentEdit>();
    for (const dc of (result.edit?.documentChanges ?? []) as TextDocumentEdit[]) edits.set(dc.textDocument.uri, dc);
    assert.deepEqual([...edits.keys()], [app]);
    assert.equal(applyTextEdits(APP, edits.get(app)!.edits), APP.replace('await group.spawn(worker)', 'group.start_soon(worker)'));
    assert.equal(result.totals.safeFixes, 1);

    // Migrate This File with the helper's unsaved edit: nothing to fix any more.
    await client.open(helpers, HELPERS);
    await client.change(helpers, [{ range: { start: { line: 0, character: 0 }, end: { line: 9, character: 0 } }, text: HELPERS_PLAIN }]);
    const one = await client.migrate({ folders: [], uris: [app], dryRun: false });
    assert.equal(one.edit, null);
    assert.equal(one.totals.changed, 0);
  });

  it('reads every file once but summarises only the AnyIO-related modules of a 1,000-file workspace', async () => {
    const big = path.join(tmp, 'big');
    writeFile(big, 'lib/__init__.py', '');
    writeFile(big, 'lib/helpers.py', HELPERS);
    const related = 20;
    for (let i = 0; i < related; i++) writeFile(big, `lib/user${i}.py`, APP.replace('from . import helpers', 'from lib import helpers'));
    const plain = 1000 - related - 2;
    for (let i = 0; i < plain; i++) writeFile(big, `lib/plain/m${i}.py`, `import json\n\n\ndef f${i}(x):\n    return json.dumps(x)\n`);
    client = await TestClient.start({ workspaceFolders: [uriOf(big)] });
    await indexReady(client);
    const index = client.server.projectIndex()!;
    assert.equal(index.stats.reads, 1000);
    // lib/__init__.py (imported by every `from lib import ...`), the helper and its importers.
    assert.equal(index.stats.summarised, related + 2);
    assert.equal(index.index.size, related + 2);
    const user = uriOf(path.join(big, 'lib', 'user7.py'));
    await client.open(user, fs.readFileSync(new URL(user), 'utf8'));
    assert.deepEqual(codes(await client.diagnosticsFor(user, 1, 60_000)), ['ASY301']);
  });
});
