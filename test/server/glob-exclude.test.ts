import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { initEngine } from '../../src/engine';
import { TestClient } from './harness';
import { SAMPLE } from './samples';

const uriOf = (file: string): string => pathToFileURL(file).href;

/** Migrate Workspace with invalid or adversarial globs in files.exclude and pyproject `exclude`. */
describe('migrate workspace: exclude globs that are invalid or adversarial', function () {
  this.timeout(60000);
  let tmp: string;
  let root: string;
  let client: TestClient;
  const longName = `${'a'.repeat(200)}.py`;

  before(async () => {
    await initEngine();
  });

  beforeEach(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'anyio-migrate-glob-ws-'));
    root = path.join(tmp, 'project');
    for (const rel of ['app/main.py', 'vendored/third.py', `app/${longName}`, 'gen/z.py']) {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), SAMPLE);
    }
    client = await TestClient.start({ workspaceFolders: [uriOf(root)] });
  });

  afterEach(async () => {
    await client.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('one bad glob ([z-a]) does not fail the migration; the others still apply', async () => {
    const result = await client.migrate({ folders: [{ uri: uriOf(root), exclude: ['[z-a]', '**/vendored', `${'*a'.repeat(12)}b`] }], dryRun: true });
    assert.equal(result.cancelled, false);
    const paths = result.files.map((f) => f.path).sort();
    assert.deepEqual(paths, ['app/main.py', `app/${longName}`, 'gen/z.py'].sort());
  });

  it('an invalid pyproject exclude pattern is reported in the document status, the valid ones still exclude', async () => {
    fs.writeFileSync(path.join(root, 'pyproject.toml'), `[tool.anyio-migrate]\nexclude = ["[abc", "gen/", "${'*a'.repeat(12)}b"]\n`);
    const result = await client.migrate({ folders: [{ uri: uriOf(root), exclude: [] }], dryRun: true });
    const paths = result.files.map((f) => f.path).sort();
    assert.deepEqual(paths, ['app/main.py', `app/${longName}`, 'vendored/third.py'].sort());
    const uri = uriOf(path.join(root, 'app', 'main.py'));
    await client.open(uri, SAMPLE, 'python', 1);
    const status = await client.waitFor('status with the exclude error', () => client.statuses.find((st) => st.uri === uri && st.configErrors.length > 0));
    assert.deepEqual(status.configErrors, [`${path.join(root, 'pyproject.toml')}: exclude pattern '[abc' has an unterminated '[' and never matches`]);
    assert.equal(status.enabled, true);
  });
});
