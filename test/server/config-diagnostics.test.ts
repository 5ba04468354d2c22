import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import { initEngine } from '../../src/engine';
import { TestClient } from './harness';
import { SAMPLE } from './samples';

const uriOf = (file: string): string => pathToFileURL(file).href;

const EXPECTED = "(expected codes or prefixes such as 'ASY', 'ASY1', 'ASY101')";

/** Each diagnostic as `line:character-endLine:endCharacter severity source message`. */
const shown = (ds: readonly Diagnostic[]): string[] =>
  ds.map(
    (d) =>
      `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.severity === DiagnosticSeverity.Error ? 'error' : d.severity === DiagnosticSeverity.Warning ? 'warning' : String(d.severity)} ${d.source} ${d.message}`,
  );

/** Problems of pyproject.toml as diagnostics on the file itself, and the settings in effect in the log. */
describe('server: pyproject.toml problems as diagnostics on pyproject.toml', function () {
  this.timeout(60000);
  let tmp: string;
  let root: string;
  let toml: string;
  let client: TestClient;

  before(async () => {
    await initEngine();
  });

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'anyio-migrate-config-diags-'));
    root = path.join(tmp, 'project');
    toml = path.join(root, 'pyproject.toml');
    fs.mkdirSync(path.join(root, 'app'), { recursive: true });
    fs.writeFileSync(path.join(root, 'app', 'main.py'), SAMPLE);
  });

  afterEach(async () => {
    await client.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** The latest diagnostics published for `uri` that satisfy `ok`. */
  const published = (uri: string, what: string, ok: (ds: Diagnostic[]) => boolean): Promise<Diagnostic[]> =>
    client.waitFor(what, () => {
      const last = [...client.published].reverse().find((p) => p.uri === uri);
      return last && ok(last.diagnostics) ? last.diagnostics : undefined;
    });

  const changed = (file: string, type: 1 | 2 | 3 = 2): Promise<void> => client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(file), type }] });

  it('publishes every problem at its place, clears them when the file is fixed, and logs the settings in effect', async () => {
    fs.writeFileSync(
      toml,
      ['[project]', 'name = "x"', '', '[tool.anyio-migrate]', 'select = ["ASY1", "XYZ9"]', 'target = "anyio4"', 'exclude = ["gen/"]', 'colour = "red"', ''].join('\n'),
    );
    client = await TestClient.start({ workspaceFolders: [uriOf(root)], settings: { '': { ignore: ['ASY105'] } } });
    const ds = await published(uriOf(toml), 'the pyproject.toml diagnostics', (d) => d.length > 0);
    assert.deepEqual(shown(ds), [
      "7:0-7:6 warning anyio-migrate [tool.anyio-migrate]: unknown key 'colour'; known keys: select, ignore, target, unsafe-fixes, exclude",
      `4:18-4:24 warning anyio-migrate [tool.anyio-migrate] select: unknown rule code 'XYZ9' ${EXPECTED}`,
      "5:9-5:17 warning anyio-migrate [tool.anyio-migrate] target: unknown target 'anyio4' (expected 'anyio3' or 'anyio2+3')",
    ]);
    // The log says which file applies and where each setting comes from.
    const log = await client.waitFor('the configuration log line', () => client.logs.find((l) => l.startsWith(`anyio-migrate: configuration of ${root}: `)));
    assert.equal(
      log,
      `anyio-migrate: configuration of ${root}: ${toml} (3 problems: the invalid values are ignored); select all rules (default); ignore ASY105 (editor); ` +
        'target anyio3 (default: not chosen, quick fixes offer both forms); unsafe-fixes off; exclude gen/ (pyproject)',
    );
    // An open file's status summarises the same problems (the extension shows their count).
    const main = uriOf(path.join(root, 'app', 'main.py'));
    await client.open(main, SAMPLE);
    const status = await client.waitFor('the status of main.py', () => client.statuses.find((s) => s.uri === main));
    assert.deepEqual(status.configErrors, [
      `${toml}:8:1: [tool.anyio-migrate]: unknown key 'colour'; known keys: select, ignore, target, unsafe-fixes, exclude`,
      `${toml}:5:19: [tool.anyio-migrate] select: unknown rule code 'XYZ9' ${EXPECTED}`,
      `${toml}:6:10: [tool.anyio-migrate] target: unknown target 'anyio4' (expected 'anyio3' or 'anyio2+3')`,
    ]);

    // Fixed: the diagnostics are cleared and the log says what is in effect now (once).
    fs.writeFileSync(toml, '[tool.anyio-migrate]\nselect = ["ASY1"]\ntarget = "anyio2+3"\n');
    await changed(toml);
    await published(uriOf(toml), 'the diagnostics cleared', (d) => d.length === 0);
    const fixedLine = `anyio-migrate: configuration of ${root}: ${toml}; select ASY1 (pyproject); ignore ASY105 (editor); target anyio2+3 (pyproject); unsafe-fixes off; exclude none`;
    await client.waitFor('the new configuration logged', () => client.logs.includes(fixedLine) || undefined);
    // Editor settings win over pyproject's and are logged as such; an unchanged configuration is not logged again.
    await client.changeSettings({ '': { ignore: ['ASY105'], target: 'anyio3', unsafeFixes: true } });
    const editorLine = `anyio-migrate: configuration of ${root}: ${toml}; select ASY1 (pyproject); ignore ASY105 (editor); target anyio3 (editor); unsafe-fixes on (editor); exclude none`;
    await client.waitFor('the editor settings logged', () => client.logs.includes(editorLine) || undefined);
    // The same file reported changed: reloaded and re-validated, but the same configuration is not logged again.
    const statuses = client.statuses.length;
    await changed(toml);
    await client.waitFor('main.py validated after the file event', () => client.statuses.slice(statuses).find((st) => st.uri === main));
    await client.open(uriOf(path.join(root, 'app', 'other.py')), SAMPLE);
    await client.diagnosticsFor(uriOf(path.join(root, 'app', 'other.py')), 1);
    assert.equal(client.logs.filter((l) => l === editorLine).length, 1, client.logs.join('\n'));
    assert.equal(client.logs.filter((l) => l === fixedLine).length, 1, client.logs.join('\n'));
  });

  it('reports invalid TOML as an error at its line and column, and clears it when the file is deleted', async () => {
    fs.writeFileSync(toml, '[tool.anyio-migrate]\r\n\r\ntarget = anyio3\r\n');
    client = await TestClient.start({ workspaceFolders: [uriOf(root)] });
    const ds = await published(uriOf(toml), 'the invalid TOML diagnostic', (d) => d.length > 0);
    assert.deepEqual(shown(ds), ['2:9-2:15 error anyio-migrate invalid TOML (line 3, column 10: Invalid TOML document: invalid value)']);
    fs.rmSync(toml);
    await changed(toml, 3);
    await published(uriOf(toml), 'the diagnostics cleared after the deletion', (d) => d.length === 0);
    await client.waitFor('the configuration without a pyproject logged', () =>
      client.logs.find((l) => l.startsWith(`anyio-migrate: configuration of ${root}: no pyproject.toml with [tool.anyio-migrate]; `)),
    );
  });

  it('reports a nested pyproject.toml that applies to files under it, with its exclude pattern warnings', async () => {
    fs.writeFileSync(toml, '[tool.anyio-migrate]\nignore = ["ASY2"]\n');
    const nested = path.join(root, 'sub', 'pyproject.toml');
    fs.mkdirSync(path.dirname(nested), { recursive: true });
    fs.writeFileSync(nested, '[tool]\nanyio-migrate = { exclude = ["gen/", "[abc"], ignore = ["NOPE1"] }\n');
    fs.writeFileSync(path.join(root, 'sub', 'mod.py'), SAMPLE);
    client = await TestClient.start({ workspaceFolders: [uriOf(root)], settings: { '': { diagnosticsScope: 'openFiles' } } });
    await client.open(uriOf(path.join(root, 'sub', 'mod.py')), SAMPLE);
    const ds = await published(uriOf(nested), 'the nested pyproject.toml diagnostics', (d) => d.length > 0);
    assert.deepEqual(shown(ds), [
      `1:56-1:63 warning anyio-migrate [tool.anyio-migrate] ignore: unknown rule code 'NOPE1' ${EXPECTED}`,
      "1:37-1:43 warning anyio-migrate [tool.anyio-migrate] exclude pattern '[abc' has an unterminated '[' and never matches",
    ]);
    // The root file has no problems: nothing is published for it.
    assert.equal(
      client.published.some((p) => p.uri === uriOf(toml)),
      false,
    );
    await client.waitFor('the nested file logged', () =>
      client.logs.find((l) => l === `anyio-migrate: ${nested} applies under ${path.dirname(nested)}: exclude gen/, [abc; 1 problem`),
    );
  });
});
