import { strict as assert } from 'node:assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { escapeControlChars, formatTextFinding, quoteDiffPath, unifiedDiff, type JsonFinding } from '../../src/cli/report';
import { runCli } from '../support/harness';
import { makeTempDir, removeDir, writeTree, V2_SAFE } from '../support/helpers';
import { snapshotTree } from '../support/tree-snapshot';

const FAKE_LINE = 'a\n1:1 ASY999 fake.py';
const RED = '\x1b[31mred.py';

/** Any character a terminal would act on or reorder by. */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function finding(p: string, message = 'msg'): JsonFinding {
  return { path: p, code: 'ASY101', rule: 'r', message, severity: 'warning', line: 1, column: 2, endLine: 1, endColumn: 3, fix: null, noFixReason: 'why\x1b[2J' };
}

describe('cli/report: control characters never reach the terminal raw', () => {
  it('escapes C0, DEL, C1 and bidi controls; leaves other text alone', () => {
    assert.equal(escapeControlChars(FAKE_LINE), 'a\\x0a1:1 ASY999 fake.py');
    assert.equal(escapeControlChars(RED), '\\x1b[31mred.py');
    assert.equal(escapeControlChars('\x00\t\r\x7f\x85\x9f'), '\\x00\\x09\\x0d\\x7f\\x85\\x9f');
    assert.equal(escapeControlChars('ab\u202ecd\u2066\u2069\u202a.py'), 'ab\\u{202e}cd\\u{2066}\\u{2069}\\u{202a}.py');
    assert.equal(escapeControlChars('café/ünï 中文 😀.py'), 'café/ünï 中文 😀.py');
    assert.equal(escapeControlChars('pkg/mod.py'), 'pkg/mod.py');
  });

  it('a text finding line escapes the path, the message and the no-fix reason', () => {
    const line = formatTextFinding(finding(FAKE_LINE, 'bad\rmsg'));
    assert.equal(line, 'a\\x0a1:1 ASY999 fake.py:1:2: ASY101 bad\\x0dmsg\n  = no automatic fix: why\\x1b[2J');
    assert.doesNotMatch(line, RAW_CONTROL);
  });

  it('diff headers quote such names as git does, and git apply reads them back', function () {
    assert.equal(quoteDiffPath('a/pkg/mod.py'), 'a/pkg/mod.py');
    assert.equal(quoteDiffPath(`a/${RED}`), '"a/\\033[31mred.py"');
    assert.equal(quoteDiffPath('a/x\n"y"\\z\u202e.py'), '"a/x\\n\\"y\\"\\\\z\\342\\200\\256.py"');
    const patch = unifiedDiff(FAKE_LINE, 'x\ny\n', 'x\nz\n');
    assert.equal(
      patch.split('\n').slice(0, 3).join('\n'),
      'diff --git "a/a\\n1:1 ASY999 fake.py" "b/a\\n1:1 ASY999 fake.py"\n--- "a/a\\n1:1 ASY999 fake.py"\n+++ "b/a\\n1:1 ASY999 fake.py"',
    );
    if (spawnSync('git', ['--version']).status !== 0) this.skip();
    const dir = makeTempDir();
    try {
      fs.writeFileSync(path.join(dir, FAKE_LINE), 'x\ny\n');
      fs.writeFileSync(path.join(dir, 'p.diff'), patch);
      const r = spawnSync('git', ['apply', 'p.diff'], { cwd: dir, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(fs.readFileSync(path.join(dir, FAKE_LINE), 'utf8'), 'x\nz\n');
    } finally {
      removeDir(dir);
    }
  });

  describe('through the CLI', () => {
    let dir: string;
    beforeEach(() => {
      dir = makeTempDir();
      writeTree(dir, { [FAKE_LINE]: V2_SAFE, [RED]: V2_SAFE });
    });
    afterEach(() => removeDir(dir));

    it('check (text) prints the names escaped: no fake finding line, no escape sequence', async () => {
      const before = snapshotTree(dir);
      const r = await runCli(['check', '--no-cache'], { cwd: dir });
      assert.equal(r.code, 1);
      for (const line of r.stdout.split('\n')) assert.doesNotMatch(line, RAW_CONTROL, JSON.stringify(line));
      assert.doesNotMatch(r.stdout, /^1:1 ASY999/m);
      assert.match(r.stdout, /^\\x1b\[31mred\.py:5:13: ASY101 /m);
      assert.match(r.stdout, /^a\\x0a1:1 ASY999 fake\.py:5:13: ASY101 /m);
      assert.deepEqual(snapshotTree(dir), before);
    });

    it('fix and warnings print the names escaped on stdout and stderr', async () => {
      writeTree(dir, { ['\x1b[2Kbroken.py']: Buffer.from([...Buffer.from('import anyio\n'), 0xff, 0x0a]) });
      const r = await runCli(['fix', '--no-cache'], { cwd: dir });
      for (const line of `${r.stdout}\n${r.stderr}`.split('\n')) assert.doesNotMatch(line, RAW_CONTROL, JSON.stringify(line));
      assert.match(r.stdout, /^Fixed \\x1b\[31mred\.py: /m);
      assert.match(r.stdout, /^Fixed a\\x0a1:1 ASY999 fake\.py: /m);
      assert.match(r.stderr, /^warning: \\x1b\[2Kbroken\.py: skipped: /m);
    });

    it('check --format json keeps the names exact', async () => {
      const r = await runCli(['check', '--no-cache', '--format', 'json'], { cwd: dir });
      const paths = new Set((JSON.parse(r.stdout) as Array<{ path: string }>).map((f) => f.path));
      assert.deepEqual([...paths].sort(), [RED, FAKE_LINE].sort());
    });

    it('diff quotes the names in its headers', async () => {
      const r = await runCli(['diff', '--no-cache'], { cwd: dir });
      assert.match(r.stdout, /^diff --git "a\/\\033\[31mred\.py" "b\/\\033\[31mred\.py"$/m);
      assert.match(r.stdout, /^\+\+\+ "b\/a\\n1:1 ASY999 fake\.py"$/m);
      assert.doesNotMatch(
        r.stdout
          .split('\n')
          .filter((l) => /^(diff|---|\+\+\+) /.test(l))
          .join('\n'),
        RAW_CONTROL,
      );
    });
  });
});
