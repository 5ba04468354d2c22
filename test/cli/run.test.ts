import { strict as assert } from 'node:assert';
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { initEngine, analyze, fixAll } from '../../src/engine';
import { nodeFileSystem, type FileSystem } from '../../src/workspace/fsys';
import { runCli, Capture, testCacheKeyDir } from '../support/harness';
import { run } from '../../src/cli/run';
import { makeTempDir, removeDir, writeTree, readText, V2_SAFE, V2_SAFE_FIXED, IS_ROOT, REPO_ROOT } from '../support/helpers';

/** One finding, with an unsafe fix only (the receiver's type is not known). */
const V2_UNSAFE = ['import anyio', '', '', 'async def notify(event):', '    await event.set()', ''].join('\n');
const V2_UNSAFE_FIXED = ['import anyio', '', '', 'async def notify(event):', '    event.set()', ''].join('\n');
const CLEAN = ['import anyio', '', '', 'async def main():', '    await anyio.sleep(1)', ''].join('\n');

const JSON_KEYS = ['code', 'column', 'endColumn', 'endLine', 'fix', 'line', 'message', 'noFixReason', 'path', 'rule', 'severity'];

describe('cli/run: the anyio-migrate command', function () {
  this.timeout(20_000);
  let dir: string;

  before(async () => {
    await initEngine();
  });
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => removeDir(dir));

  describe('usage', () => {
    it('prints help (exit 0) and the version (exit 0)', async () => {
      const help = await runCli(['--help'], { cwd: dir });
      assert.equal(help.code, 0);
      assert.match(help.stdout, /^anyio-migrate: /);
      assert.match(help.stdout, /anyio-migrate check \[OPTIONS\] \[PATH\.\.\.\]/);
      const version = await runCli(['--version'], { cwd: dir });
      assert.equal(version.code, 0);
      const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
      assert.equal(version.stdout, `anyio-migrate ${pkg.version}\n`);
    });

    const usageErrors: Array<[string[], RegExp]> = [
      [[], /Usage:/],
      [['lint'], /unknown command 'lint' \(expected check, diff or fix\)/],
      [['check', '--frobnicate'], /Unknown option '--frobnicate'/],
      [['check', '--select', 'ASY1,NOPE9'], /--select: unknown rule code 'NOPE9'/],
      [['check', '--ignore', 'XYZ'], /--ignore: unknown rule code 'XYZ'/],
      [['check', '--target', 'anyio4'], /--target: unknown target 'anyio4'/],
      [['check', '--format', 'xml'], /--format: unknown format 'xml'/],
      [['diff', '--format', 'json'], /--format json is not available for diff/],
      [['check', '--max-file-size', 'lots'], /--max-file-size: invalid size 'lots'/],
      [['check', '-', 'a.py'], /'-' \(stdin\) cannot be combined with other paths/],
      [['fix', '--unsafe-fixes', '--no-unsafe-fixes'], /contradict/],
    ];
    for (const [argv, message] of usageErrors) {
      it(`exits 2 for: ${argv.join(' ') || '(no arguments)'}`, async () => {
        const r = await runCli(argv, { cwd: dir });
        assert.equal(r.code, 2);
        assert.match(r.stderr, message);
        assert.equal(r.stdout, '');
      });
    }

    it('exits 2 for a missing path, after checking the paths that exist', async () => {
      writeTree(dir, { 'a.py': V2_SAFE });
      const r = await runCli(['check', 'missing.py', 'a.py'], { cwd: dir });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /^error: missing\.py: no such file or directory$/m);
      assert.match(r.stdout, /^a\.py:5:\d+: ASY101 /m);
    });
  });

  describe('check', () => {
    it('reports findings ruff-style and exits 1', async () => {
      writeTree(dir, { 'a.py': V2_SAFE, 'clean.py': CLEAN, 'other.py': 'print("no async library here")\n' });
      const r = await runCli(['check'], { cwd: dir });
      assert.equal(r.code, 1);
      const lines = r.stdout.trimEnd().split('\n');
      assert.equal(lines.length, 2);
      assert.match(lines[0]!, /^a\.py:5:13: ASY101 .*current_time.* \[\*\]$/);
      assert.match(lines[1]!, /^a\.py:6:13: ASY201 .*create_event.* \[\*\]$/);
      assert.match(r.stderr, /^3 files scanned: 2 findings in 1 file; 2 fixable with 'anyio-migrate fix'\.$/m);
      assert.equal(readText(path.join(dir, 'a.py')), V2_SAFE, 'check never writes');
    });

    it('exits 0 when there are no findings, and with --exit-zero when there are', async () => {
      writeTree(dir, { 'clean.py': CLEAN });
      const clean = await runCli(['check', '.'], { cwd: dir });
      assert.equal(clean.code, 0);
      assert.equal(clean.stdout, '');
      assert.match(clean.stderr, /1 file scanned: no findings\./);
      writeTree(dir, { 'a.py': V2_SAFE });
      assert.equal((await runCli(['check', '--exit-zero'], { cwd: dir })).code, 0);
    });

    it('marks unsafe fixes and hints at --unsafe-fixes', async () => {
      writeTree(dir, { 'u.py': V2_UNSAFE });
      const r = await runCli(['check'], { cwd: dir });
      assert.equal(r.code, 1);
      assert.match(r.stdout, /^u\.py:5:5: ASY102 .* \[unsafe fix\]$/m);
      assert.match(r.stderr, /1 finding in 1 file; 1 more with '--unsafe-fixes'\./);
    });

    it('says why a finding has no automatic fix, in text and JSON', async () => {
      const src = ['import anyio', '', '', 'async def grow(limiter: anyio.CapacityLimiter):', '    result = await limiter.set_total_tokens(3)', '    return result', ''].join('\n');
      writeTree(dir, { 'n.py': src });
      const text = await runCli(['check'], { cwd: dir });
      assert.equal(text.code, 1);
      const lines = text.stdout.trimEnd().split('\n');
      assert.equal(lines.length, 2);
      assert.match(lines[0]!, /^n\.py:5:\d+: ASY104 [^[]*$/); // no fix marker
      assert.match(lines[1]!, /^ {2}= no automatic fix: The result of the call is used as a value/);
      assert.match(text.stderr, /1 finding in 1 file\.$/m);
      const json = await runCli(['check', '--format', 'json'], { cwd: dir });
      const [item] = JSON.parse(json.stdout) as Array<{ fix: unknown; noFixReason: unknown }>;
      assert.equal(item!.fix, null);
      assert.match(String(item!.noFixReason), /^The result of the call is used as a value/);
      // fix leaves it, lists it, and exits 1.
      const fix = await runCli(['fix'], { cwd: dir });
      assert.equal(fix.code, 1);
      assert.equal(readText(path.join(dir, 'n.py')), src);
      assert.match(fix.stdout, /^n\.py:5:\d+: ASY104 /m);
    });

    it('prints only findings with --quiet', async () => {
      writeTree(dir, { 'a.py': V2_SAFE });
      const check = await runCli(['check', '-q'], { cwd: dir });
      assert.equal(check.code, 1);
      assert.equal(check.stdout.trimEnd().split('\n').length, 2);
      assert.equal(check.stderr, '');
      const fix = await runCli(['fix', '--quiet'], { cwd: dir });
      assert.equal(fix.code, 0);
      assert.equal(fix.stdout, '');
      assert.equal(fix.stderr, '');
      assert.equal(readText(path.join(dir, 'a.py')), V2_SAFE_FIXED);
    });

    it('prints a stable JSON array with --format json', async () => {
      writeTree(dir, { 'a.py': V2_SAFE, 'u.py': V2_UNSAFE });
      const r = await runCli(['check', '--format', 'json'], { cwd: dir });
      assert.equal(r.code, 1);
      const items = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
      assert.ok(Array.isArray(items));
      assert.equal(items.length, 3);
      for (const item of items) assert.deepEqual(Object.keys(item).sort(), JSON_KEYS);
      assert.deepEqual(
        items.map((i) => [i['path'], i['code'], i['line'], i['column']]),
        [
          ['a.py', 'ASY101', 5, 13],
          ['a.py', 'ASY201', 6, 13],
          ['u.py', 'ASY102', 5, 5],
        ],
      );
      const first = items[0]!;
      assert.equal(first['rule'], 'await-now-sync-function');
      assert.equal(first['severity'], 'warning');
      assert.equal(first['endLine'], 5);
      assert.equal(first['endColumn'], 39); // end of `await anyio.current_time()`
      assert.deepEqual(first['fix'], { title: 'Remove the `await`', applicability: 'safe' });
      assert.equal(first['noFixReason'], null);
      assert.equal((items[2]!['fix'] as { applicability: string }).applicability, 'unsafe');
      // No findings: still valid JSON.
      removeDir(dir);
      dir = makeTempDir();
      writeTree(dir, { 'clean.py': CLEAN });
      const empty = await runCli(['check', '--format=json'], { cwd: dir });
      assert.equal(empty.code, 0);
      assert.deepEqual(JSON.parse(empty.stdout), []);
    });

    it('filters rules with --select and --ignore', async () => {
      writeTree(dir, { 'a.py': V2_SAFE });
      const sel = await runCli(['check', '--select', 'ASY2', '--format', 'json'], { cwd: dir });
      assert.deepEqual(
        (JSON.parse(sel.stdout) as Array<{ code: string }>).map((f) => f.code),
        ['ASY201'],
      );
      const ign = await runCli(['check', '--ignore', 'ASY201,ASY102', '--format', 'json'], { cwd: dir });
      assert.deepEqual(
        (JSON.parse(ign.stdout) as Array<{ code: string }>).map((f) => f.code),
        ['ASY101'],
      );
      const none = await runCli(['check', '--select=ASY1', '--ignore=ASY101'], { cwd: dir });
      assert.equal(none.code, 0);
    });

    it("reads stdin for '-' and reports it as path '-'", async () => {
      const r = await runCli(['check', '-'], { cwd: dir, readStdin: async () => Buffer.from(V2_SAFE) });
      assert.equal(r.code, 1);
      assert.match(r.stdout, /^-:5:13: ASY101 /m);
      assert.match(r.stdout, /^-:6:13: ASY201 /m);
    });

    it('counts UTF-16 columns after non-ASCII text, and not the BOM', async () => {
      const text = '\uFEFFimport anyio; e = anyio.create_event()\n# 😀\nasync def f(): t = "😀"; return (t, await anyio.current_time())\n';
      writeTree(dir, { 'b.py': text });
      const r = await runCli(['check', '--format', 'json'], { cwd: dir });
      const items = JSON.parse(r.stdout) as Array<{ code: string; line: number; column: number }>;
      assert.deepEqual(
        items.map((i) => [i.code, i.line, i.column]),
        [
          ['ASY201', 1, 19],
          ['ASY101', 3, 37], // `😀` counts as two UTF-16 units (36 code points precede the `await`)
        ],
      );
    });

    it('skips binary, undecodable and oversized files with a warning, and still exits by findings', async () => {
      writeTree(dir, {
        'a.py': V2_SAFE,
        'bin.py': Buffer.from('import anyio\0\n', 'latin1'),
        'latin.py': Buffer.from('import anyio\nx = "caf\xe9"\n', 'latin1'),
        'big.py': `import anyio\n${'#'.repeat(2000)}\n`,
      });
      const r = await runCli(['check', '--max-file-size', '1K'], { cwd: dir });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^warning: bin\.py: skipped: contains NUL bytes \(binary file\)$/m);
      assert.match(r.stderr, /^warning: latin\.py: skipped: not valid UTF-8 and no PEP 263 coding cookie$/m);
      assert.match(r.stderr, /^warning: big\.py: skipped: larger than the size limit/m);
      assert.match(r.stderr, /1 file scanned, 3 skipped: 2 findings in 1 file/);
    });

    it('exits 2 when a file named explicitly cannot be decoded', async () => {
      writeTree(dir, { 'bin.py': Buffer.from('import anyio\0\n', 'latin1') });
      const r = await runCli(['check', 'bin.py'], { cwd: dir });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /^error: bin\.py: contains NUL bytes \(binary file\)$/m);
    });

    it('skips unreadable files (injected EACCES): a warning when walked, exit 2 when named', async () => {
      writeTree(dir, { 'a.py': V2_SAFE, 'secret.py': V2_SAFE });
      const secret = path.join(dir, 'secret.py');
      const denying: FileSystem = {
        ...nodeFileSystem,
        open: async (p, flags, mode) => {
          if (p === secret) throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
          return nodeFileSystem.open(p, flags, mode);
        },
      };
      const walked = await runCli(['check'], { cwd: dir, fs: denying });
      assert.equal(walked.code, 1);
      assert.match(walked.stderr, /^warning: secret\.py: skipped: permission denied$/m);
      assert.doesNotMatch(walked.stdout, /secret\.py/);
      const named = await runCli(['check', 'secret.py', 'a.py'], { cwd: dir, fs: denying });
      assert.equal(named.code, 2);
      assert.match(named.stderr, /^error: secret\.py: permission denied$/m);
      assert.match(named.stdout, /^a\.py:5:13: ASY101/m);
    });

    it('skips files made unreadable with chmod 000 (needs a non-root user)', async function () {
      if (IS_ROOT) this.skip(); // root reads through chmod 000; the injected-EACCES test covers this
      writeTree(dir, { 'a.py': V2_SAFE, 'secret.py': V2_SAFE });
      fs.chmodSync(path.join(dir, 'secret.py'), 0o000);
      const r = await runCli(['check'], { cwd: dir });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /secret\.py: skipped: permission denied/);
    });

    it('decodes a file by its coding cookie', async () => {
      writeTree(dir, { 'l.py': Buffer.from('# -*- coding: latin-1 -*-\nimport anyio\nname = "caf\xe9"\nev = anyio.create_event()\n', 'latin1') });
      const r = await runCli(['check', '--format', 'json'], { cwd: dir });
      assert.deepEqual(
        (JSON.parse(r.stdout) as Array<{ code: string; line: number }>).map((f) => [f.code, f.line]),
        [['ASY201', 4]],
      );
    });

    it('shows progress on a TTY only, and never with --no-progress', async () => {
      const files: Record<string, string> = {};
      for (let i = 0; i < 30; i++) files[`m${String(i).padStart(2, '0')}.py`] = CLEAN;
      writeTree(dir, files);
      for (const [argv, tty, expectProgress] of [
        [['check'], true, true],
        [['check', '--no-progress'], true, false],
        [['check'], false, false],
      ] as const) {
        const out = new Capture();
        const err = new Capture();
        err.isTTY = tty;
        const code = await run([...argv], { cwd: dir, stdout: out, stderr: err, cacheKeyDir: testCacheKeyDir() });
        assert.equal(code, 0);
        assert.equal(err.text.includes('\r\x1b[2K[0/30]'), expectProgress, `${argv.join(' ')} tty=${tty}`);
        assert.match(err.text, /30 files scanned: no findings\./);
      }
    });
  });

  describe('diff', () => {
    it('prints a git-style unified diff, exits 1, writes nothing', async () => {
      writeTree(dir, { 'a.py': V2_SAFE, 'clean.py': CLEAN });
      const r = await runCli(['diff'], { cwd: dir });
      assert.equal(r.code, 1);
      assert.equal(
        r.stdout,
        [
          'diff --git a/a.py b/a.py',
          '--- a/a.py',
          '+++ b/a.py',
          '@@ -2,6 +2,6 @@',
          ' ',
          ' ',
          ' async def main():',
          '-    start = await anyio.current_time()',
          '-    event = anyio.create_event()',
          '+    start = anyio.current_time()',
          '+    event = anyio.Event()',
          '     return start, event',
          '',
        ].join('\n'),
      );
      assert.match(r.stderr, /2 files scanned: 1 file would change, 2 findings would be fixed, 0 left\./);
      assert.equal(readText(path.join(dir, 'a.py')), V2_SAFE);
    });

    it('exits 0 with no output when nothing would change', async () => {
      writeTree(dir, { 'clean.py': CLEAN, 'u.py': V2_UNSAFE });
      const r = await runCli(['diff'], { cwd: dir });
      assert.equal(r.code, 0);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /0 files would change, 0 findings would be fixed, 1 left \(1 has an unsafe fix: add --unsafe-fixes\)/);
    });

    it("diffs stdin for '-'", async () => {
      const r = await runCli(['diff', '-'], { cwd: dir, readStdin: async () => Buffer.from(V2_SAFE) });
      assert.equal(r.code, 1);
      assert.match(r.stdout, /^--- a\/-\n\+\+\+ b\/-$/m);
      assert.match(r.stdout, /^\+ {4}event = anyio\.Event\(\)$/m);
    });
  });

  describe('fix', () => {
    it('rewrites files, reports what it fixed, exits 0 when nothing is left', async () => {
      writeTree(dir, { 'pkg/a.py': V2_SAFE, 'clean.py': CLEAN });
      const r = await runCli(['fix'], { cwd: dir });
      assert.equal(r.code, 0);
      assert.equal(readText(path.join(dir, 'pkg', 'a.py')), V2_SAFE_FIXED);
      assert.equal(readText(path.join(dir, 'clean.py')), CLEAN);
      assert.equal(r.stdout, `Fixed ${path.join('pkg', 'a.py')}: 2 fixes (ASY101, ASY201)\n`);
      assert.match(r.stderr, /2 files scanned: 1 file changed, 2 findings fixed, 0 left\./);
      // Idempotent: a second run has nothing to do.
      const again = await runCli(['fix'], { cwd: dir });
      assert.equal(again.code, 0);
      assert.equal(again.stdout, '');
    });

    it('leaves unsafe fixes alone unless --unsafe-fixes, and exits 1 while findings remain', async () => {
      writeTree(dir, { 'u.py': V2_UNSAFE });
      const safeOnly = await runCli(['fix'], { cwd: dir });
      assert.equal(safeOnly.code, 1);
      assert.equal(readText(path.join(dir, 'u.py')), V2_UNSAFE);
      assert.match(safeOnly.stdout, /^u\.py:5:5: ASY102 .* \[unsafe fix\]$/m);
      assert.match(safeOnly.stderr, /0 files changed, 0 findings fixed, 1 left \(1 has an unsafe fix: add --unsafe-fixes\)/);
      const unsafe = await runCli(['fix', '--unsafe-fixes'], { cwd: dir });
      assert.equal(unsafe.code, 0);
      assert.equal(readText(path.join(dir, 'u.py')), V2_UNSAFE_FIXED);
    });

    it('keeps a BOM and CRLF line endings byte-exact', async () => {
      const crlf = (s: string): string => s.replace(/\n/g, '\r\n');
      const before = Buffer.from(`\uFEFF${crlf(V2_SAFE)}`, 'utf8');
      writeTree(dir, { 'w.py': before });
      const r = await runCli(['fix', 'w.py'], { cwd: dir });
      assert.equal(r.code, 0);
      const after = fs.readFileSync(path.join(dir, 'w.py'));
      assert.ok(after.equals(Buffer.from(`\uFEFF${crlf(V2_SAFE_FIXED)}`, 'utf8')), JSON.stringify(after.toString('utf8')));
      assert.deepEqual([...after.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    });

    it('writes a cookie-declared latin-1 file back in latin-1', async () => {
      const src = (body: string): Buffer => Buffer.from(`# -*- coding: latin-1 -*-\n# caf\xe9\n${body}`, 'latin1');
      writeTree(dir, { 'l.py': src(V2_SAFE) });
      const r = await runCli(['fix'], { cwd: dir });
      assert.equal(r.code, 0);
      assert.ok(fs.readFileSync(path.join(dir, 'l.py')).equals(src(V2_SAFE_FIXED)));
    });

    it('keeps the file mode and leaves no temporary files', async () => {
      writeTree(dir, { 'tool.py': V2_SAFE });
      fs.chmodSync(path.join(dir, 'tool.py'), 0o750);
      assert.equal((await runCli(['fix'], { cwd: dir })).code, 0);
      assert.equal(fs.statSync(path.join(dir, 'tool.py')).mode & 0o7777, 0o750);
      assert.deepEqual(fs.readdirSync(dir), ['tool.py']);
    });

    it('refuses to overwrite a file that changed on disk after it was analysed', async () => {
      writeTree(dir, { 'a.py': V2_SAFE, 'b.py': V2_SAFE });
      const a = path.join(dir, 'a.py');
      const edited = `${V2_SAFE}# edited meanwhile\n`;
      const r = await runCli(['fix'], {
        cwd: dir,
        beforeWrite: (file) => {
          if (file === a) fs.writeFileSync(a, edited);
        },
      });
      assert.equal(r.code, 1);
      assert.equal(readText(a), edited);
      assert.equal(readText(path.join(dir, 'b.py')), V2_SAFE_FIXED);
      assert.match(r.stderr, /^warning: a\.py: not written: file changed on disk since it was analysed; not overwriting it$/m);
      assert.match(r.stderr, /1 file changed, 2 findings fixed, 2 left; 1 file not written/);
    });

    it('reports read-only files, leaves them untouched and fixes the rest', async () => {
      writeTree(dir, { 'a.py': V2_SAFE, 'ro.py': V2_SAFE });
      fs.chmodSync(path.join(dir, 'ro.py'), 0o444);
      const r = await runCli(['fix'], { cwd: dir });
      assert.equal(r.code, 1);
      assert.equal(readText(path.join(dir, 'ro.py')), V2_SAFE);
      assert.equal(readText(path.join(dir, 'a.py')), V2_SAFE_FIXED);
      assert.match(r.stderr, /^warning: ro\.py: not written: file is read-only$/m);
      assert.match(r.stdout, /^ro\.py:5:13: ASY101 /m);
    });

    it('skips a non-UTF-8 file whose fix cannot be encoded back', async () => {
      // ASCII-declared file: any non-ASCII in the output would be refused. The fix output is ASCII,
      // so instead check the refusal path with a cookie-declared shift_jis file (read-only codec).
      const sjis = Buffer.concat([Buffer.from('# coding: shift_jis\n# '), Buffer.from([0x82, 0xa0]), Buffer.from(`\n${V2_SAFE}`)]);
      writeTree(dir, { 's.py': sjis });
      const r = await runCli(['fix'], { cwd: dir });
      assert.equal(r.code, 1);
      assert.ok(fs.readFileSync(path.join(dir, 's.py')).equals(sjis));
      assert.match(r.stderr, /^warning: s\.py: not fixed: cannot write files in encoding shift_jis$/m);
    });

    it("writes the fixed text to stdout for '-' and reports on stderr", async () => {
      const r = await runCli(['fix', '-'], { cwd: dir, readStdin: async () => Buffer.from(V2_SAFE) });
      assert.equal(r.code, 0);
      assert.equal(r.stdout, V2_SAFE_FIXED);
      assert.match(r.stderr, /^Fixed -: ASY101, ASY201$/m);
      const unsafe = await runCli(['fix', '-'], { cwd: dir, readStdin: async () => Buffer.from(V2_UNSAFE) });
      assert.equal(unsafe.code, 1);
      assert.equal(unsafe.stdout, V2_UNSAFE);
      assert.match(unsafe.stderr, /^-:5:5: ASY102 /m);
    });

    it('prints the remaining findings as JSON with --format json', async () => {
      writeTree(dir, { 'a.py': V2_SAFE, 'u.py': V2_UNSAFE });
      const r = await runCli(['fix', '--format', 'json'], { cwd: dir });
      assert.equal(r.code, 1);
      const left = JSON.parse(r.stdout) as Array<{ path: string; code: string }>;
      assert.deepEqual(
        left.map((f) => [f.path, f.code]),
        [['u.py', 'ASY102']],
      );
      assert.match(r.stderr, /^Fixed a\.py: 2 fixes/m);
    });

    it('does not write when the engine refuses the result (new parse errors)', async () => {
      writeTree(dir, { 'a.py': V2_SAFE, 'b.py': V2_SAFE });
      const a = path.join(dir, 'a.py');
      // Simulate a refusal for the first file fixed (a.py; files are processed in sorted order).
      let refuseNext = 1;
      const engine = {
        analyze,
        fixAll: (text: string, options?: Parameters<typeof fixAll>[1]) => {
          const real = fixAll(text, options);
          return refuseNext-- > 0 ? { ...real, output: `${text}(`, refused: 'fixing ASY101 would introduce a syntax error; the file was left unchanged' } : real;
        },
      };
      const r = await runCli(['fix'], { cwd: dir, engine });
      assert.equal(r.code, 1);
      assert.equal(readText(a), V2_SAFE);
      assert.equal(readText(path.join(dir, 'b.py')), V2_SAFE_FIXED);
      assert.match(r.stderr, /^warning: a\.py: not fixed: fixing ASY101 would introduce a syntax error; the file was left unchanged$/m);
      assert.match(r.stdout, /^a\.py:5:13: ASY101 /m);
      assert.match(r.stderr, /1 file changed, 2 findings fixed, 2 left; 1 file not written/);
    });

    it('warns when the fix loop hits its iteration cap, and still writes the valid result', async () => {
      writeTree(dir, { 'a.py': V2_SAFE });
      const engine = { analyze, fixAll: (text: string, options?: Parameters<typeof fixAll>[1]) => ({ ...fixAll(text, options), capped: true }) };
      const r = await runCli(['fix'], { cwd: dir, engine });
      assert.equal(r.code, 0);
      assert.equal(readText(path.join(dir, 'a.py')), V2_SAFE_FIXED);
      assert.match(r.stderr, /^warning: a\.py: fixes did not converge within the iteration limit/m);
    });

    it('reports an engine crash on one file, keeps going, and exits 2', async () => {
      writeTree(dir, { 'a.py': V2_SAFE, 'b.py': V2_SAFE });
      let calls = 0;
      const engine = {
        analyze,
        fixAll: (text: string, options?: Parameters<typeof fixAll>[1]) => {
          if (calls++ === 0) throw new Error('boom');
          return fixAll(text, options);
        },
      };
      const r = await runCli(['fix'], { cwd: dir, engine });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /^error: a\.py: internal error, file left unchanged: boom$/m);
      assert.equal(readText(path.join(dir, 'a.py')), V2_SAFE);
      assert.equal(readText(path.join(dir, 'b.py')), V2_SAFE_FIXED);
    });

    it('never calls the engine for files that do not mention anyio, but counts them', async () => {
      writeTree(dir, { 'a.py': V2_SAFE, 'plain.py': 'import trio\n\nasync def main():\n    await trio.sleep(1)\n' });
      const seen: string[] = [];
      const engine = {
        analyze: (text: string, o?: Parameters<typeof analyze>[1]) => (seen.push(text), analyze(text, o)),
        fixAll: (text: string, o?: Parameters<typeof fixAll>[1]) => (seen.push(text), fixAll(text, o)),
      };
      for (const command of ['check', 'diff', 'fix']) {
        seen.length = 0;
        const r = await runCli([command], { cwd: dir, engine });
        assert.ok(seen.length > 0 && seen.every((t) => t.includes('anyio')), command);
        assert.match(r.stderr, /^2 files scanned/m);
      }
    });

    it('stops cleanly after the current file when interrupted', async () => {
      writeTree(dir, { 'a.py': V2_SAFE, 'b.py': V2_SAFE, 'c.py': V2_SAFE });
      let writes = 0;
      const r = await runCli(['fix', '--no-progress'], {
        cwd: dir,
        beforeWrite: () => {
          writes++;
        },
        signal: {
          get aborted() {
            return writes >= 1;
          },
        },
      });
      assert.equal(r.code, 130);
      assert.equal(readText(path.join(dir, 'a.py')), V2_SAFE_FIXED);
      assert.equal(readText(path.join(dir, 'b.py')), V2_SAFE);
      assert.equal(readText(path.join(dir, 'c.py')), V2_SAFE);
      assert.match(r.stderr, /Interrupted after 1 of 3 files\./);
      assert.deepEqual(fs.readdirSync(dir).sort(), ['a.py', 'b.py', 'c.py']);
    });
  });

  describe('--verify', () => {
    it('writes results that parse with python3', async function () {
      if (spawnSync('python3', ['-c', 'pass']).status !== 0) this.skip();
      writeTree(dir, { 'a.py': V2_SAFE });
      const r = await runCli(['fix', '--verify'], { cwd: dir });
      assert.equal(r.code, 0);
      assert.equal(readText(path.join(dir, 'a.py')), V2_SAFE_FIXED);
    });

    it('refuses files whose result the interpreter rejects', async () => {
      // A stand-in interpreter that starts fine but rejects every source: the refusal path.
      const fake = path.join(dir, 'fake-python');
      fs.writeFileSync(fake, '#!/bin/sh\ncase "$3" in\n  "import ast") exit 0 ;;\nesac\ncat >/dev/null\necho "line 1: invalid syntax" >&2\nexit 1\n', { mode: 0o755 });
      writeTree(dir, { 'src/a.py': V2_SAFE });
      const r = await runCli(['fix', '--verify', 'src'], { cwd: dir, python: fake });
      assert.equal(r.code, 1);
      assert.equal(readText(path.join(dir, 'src', 'a.py')), V2_SAFE);
      assert.match(r.stderr, /warning: src\/a\.py: not fixed \(--verify\): result does not parse with .*fake-python \(line 1: invalid syntax\)/);
    });

    it('exits 2 when no interpreter is available', async () => {
      writeTree(dir, { 'a.py': V2_SAFE });
      const r = await runCli(['fix', '--verify'], { cwd: dir, python: path.join(dir, 'no-such-python3') });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /error: --verify needs a Python interpreter: '.*no-such-python3' was not found on PATH/);
      assert.equal(readText(path.join(dir, 'a.py')), V2_SAFE);
    });
  });

  describe('pyproject.toml', () => {
    it('applies [tool.anyio-migrate] from the nearest pyproject.toml; flags override it', async () => {
      writeTree(dir, {
        'pyproject.toml': '[tool.anyio-migrate]\nselect = ["ASY101"]\nexclude = ["vendor/"]\n',
        'src/a.py': V2_SAFE,
        'vendor/v.py': V2_SAFE,
      });
      const cwd = path.join(dir, 'src');
      const fromFile = await runCli(['check', '--format', 'json'], { cwd });
      assert.deepEqual(
        (JSON.parse(fromFile.stdout) as Array<{ code: string }>).map((f) => f.code),
        ['ASY101'],
      );
      const overridden = await runCli(['check', '--format', 'json', '--select', 'ASY2'], { cwd });
      assert.deepEqual(
        (JSON.parse(overridden.stdout) as Array<{ code: string }>).map((f) => f.code),
        ['ASY201'],
      );
      const fromRoot = await runCli(['check', '--format', 'json'], { cwd: dir });
      assert.deepEqual(
        (JSON.parse(fromRoot.stdout) as Array<{ path: string }>).map((f) => f.path),
        [path.join('src', 'a.py')],
      );
      // Explicitly named files are checked even when excluded.
      const named = await runCli(['check', '--format', 'json', 'vendor/v.py'], { cwd: dir });
      assert.deepEqual(
        (JSON.parse(named.stdout) as Array<{ path: string }>).map((f) => f.path),
        [path.join('vendor', 'v.py')],
      );
    });

    it('honours unsafe-fixes = true and --no-unsafe-fixes', async () => {
      writeTree(dir, { 'pyproject.toml': '[tool.anyio-migrate]\nunsafe-fixes = true\n', 'u.py': V2_UNSAFE });
      const off = await runCli(['fix', '--no-unsafe-fixes'], { cwd: dir });
      assert.equal(off.code, 1);
      assert.equal(readText(path.join(dir, 'u.py')), V2_UNSAFE);
      const on = await runCli(['fix'], { cwd: dir });
      assert.equal(on.code, 0);
      assert.equal(readText(path.join(dir, 'u.py')), V2_UNSAFE_FIXED);
    });

    it('exits 2 with every validation error', async () => {
      writeTree(dir, { 'pyproject.toml': '[tool.anyio-migrate]\nselect = ["BOGUS1"]\ntarget = "anyio4"\nfoo = 1\n', 'a.py': V2_SAFE });
      const r = await runCli(['check'], { cwd: dir });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /^error: invalid configuration:$/m);
      assert.match(r.stderr, /select: unknown rule code 'BOGUS1'/);
      assert.match(r.stderr, /target: unknown target 'anyio4'/);
      assert.match(r.stderr, /unknown key 'foo'/);
      assert.equal(r.stdout, '');
    });

    it('reads --config FILE instead, and exits 2 if it is missing', async () => {
      writeTree(dir, { 'cfg/custom.toml': '[tool.anyio-migrate]\nignore = ["ASY101"]\n', 'a.py': V2_SAFE });
      const r = await runCli(['check', '--format', 'json', '--config', 'cfg/custom.toml'], { cwd: dir });
      assert.deepEqual(
        (JSON.parse(r.stdout) as Array<{ code: string }>).map((f) => f.code),
        ['ASY201'],
      );
      const missing = await runCli(['check', '--config', 'nope.toml'], { cwd: dir });
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /nope\.toml: cannot read config file \(no such file\)/);
    });
  });

  describe('bin/anyio-migrate.js', () => {
    it('runs as a process with the documented exit codes', () => {
      writeTree(dir, { 'a.py': V2_SAFE });
      const bin = path.join(REPO_ROOT, 'bin', 'anyio-migrate.js');
      // The cache's per-user secret goes to a folder of the test's own, not the user's ~/.cache.
      const env = { ...process.env, XDG_CACHE_HOME: path.join(dir, '.xdg-cache') };
      const check = spawnSync(process.execPath, [bin, 'check', '--no-progress'], { cwd: dir, encoding: 'utf8', env });
      assert.equal(check.status, 1, check.stderr);
      assert.match(check.stdout, /^a\.py:5:13: ASY101 /m);
      const fix = spawnSync(process.execPath, [bin, 'fix', '-'], { cwd: dir, input: V2_SAFE, encoding: 'utf8', env });
      assert.equal(fix.status, 0, fix.stderr);
      assert.equal(fix.stdout, V2_SAFE_FIXED);
      const bad = spawnSync(process.execPath, [bin, 'check', '--select', 'NOPE'], { cwd: dir, encoding: 'utf8', env });
      assert.equal(bad.status, 2);
    });
  });
});
