/**
 * The language server against hostile or broken input (issue 10): Migrate confined to the
 * workspace folders, special files (FIFO, /dev/zero) never read, malformed didChange ranges, broken
 * message framing, large documents that must not block other requests, and the per-document time
 * budget.
 */
import * as assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze, initEngine } from '../../src/engine';
import type { Finding } from '../../src/core/types';
import { remainingOf } from '../../src/server/migrate';
import { TestClient } from './harness';
import { SAMPLE, bigModule } from './samples';
import { writeFile } from '../support/helpers';

const uriOf = (file: string): string => pathToFileURL(file).href;

/** Every file under `dir` with its content (to prove nothing outside the workspace changed). */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile()) out.set(full, fs.readFileSync(full, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

function keys(text: string, findings: readonly Finding[]): string[] {
  const doc = TextDocument.create('untitled:x', 'python', 0, text);
  return findings
    .map((f) => {
      const s = doc.positionAt(f.start);
      const e = doc.positionAt(f.end);
      return `${f.code}@${s.line}:${s.character}-${e.line}:${e.character}`;
    })
    .sort();
}

function diagKeys(diags: readonly Diagnostic[]): string[] {
  return diags.map((d) => `${String(d.code)}@${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}`).sort();
}

describe('language server hardening (issue 10)', function () {
  this.timeout(120_000);
  let tmp: string;

  before(async () => {
    await initEngine();
  });

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'anyio-migrate-hard-'));
  });

  afterEach(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  describe('Migrate stays inside the workspace folders', () => {
    it('skips file and directory links leading outside, with the reason, and never returns edits for them', async () => {
      const root = path.join(tmp, 'ws');
      const outside = path.join(tmp, 'outside');
      writeFile(root, 'app/main.py', SAMPLE);
      writeFile(root, 'app/inner.py', SAMPLE);
      writeFile(outside, 'victim.py', SAMPLE);
      writeFile(outside, 'pkg/deep.py', SAMPLE);
      fs.symlinkSync(path.join(outside, 'victim.py'), path.join(root, 'app', 'filelink.py'));
      fs.symlinkSync(outside, path.join(root, 'dirlink'));
      fs.symlinkSync(path.join(root, 'app', 'inner.py'), path.join(root, 'app', 'alias.py')); // stays inside
      const before = snapshot(outside);
      const client = await TestClient.start({ workspaceFolders: [uriOf(root)] });
      try {
        const realRoot = fs.realpathSync(root);
        const inside = (uri: string): boolean => fs.realpathSync(new URL(uri)).startsWith(realRoot + path.sep);
        const result = await client.migrate({ folders: [{ uri: uriOf(root), exclude: [] }], dryRun: false });
        const edited = ((result.edit?.documentChanges ?? []) as Array<{ textDocument: { uri: string } }>).map((d) => d.textDocument.uri);
        assert.ok(edited.length >= 2, `the files inside are migrated: ${edited.join(', ')}`);
        for (const uri of edited) assert.ok(inside(uri), `edit for ${uri} leads outside the workspace`);
        const skipped = result.files.filter((f) => f.status === 'skipped');
        assert.ok(
          skipped.some((f) => f.path === 'app/filelink.py' && /outside/.test(f.reason ?? '')),
          JSON.stringify(skipped),
        );
        assert.ok(
          skipped.some((f) => f.path.startsWith('dirlink') && /outside/.test(f.reason ?? '')),
          JSON.stringify(skipped),
        );
        assert.match(result.report, /filelink\.py: skipped: .*outside/);

        // "Migrate This File" on the link, closed and open (an open document's edit is saved through the link too).
        const link = uriOf(path.join(root, 'app', 'filelink.py'));
        const one = await client.migrate({ folders: [], uris: [link], dryRun: false });
        assert.equal(one.edit, null);
        assert.equal(one.files[0]?.status, 'skipped');
        assert.match(one.files[0]?.reason ?? '', /symlink to outside the workspace folders/);
        await client.open(link, SAMPLE);
        const open = await client.migrate({ folders: [], uris: [link], dryRun: false });
        assert.equal(open.edit, null);
        assert.match(open.files[0]?.reason ?? '', /outside/);
        // A link that stays inside is fine.
        const alias = await client.migrate({ folders: [], uris: [uriOf(path.join(root, 'app', 'alias.py'))], dryRun: true });
        assert.equal(alias.files[0]?.status, 'changed');
      } finally {
        await client.dispose();
      }
      assert.deepEqual(snapshot(outside), before, 'nothing outside the workspace changed');
    });

    it('answers at once for a FIFO, and for pyproject.toml / .gitignore linked to /dev/zero, without reading them', async () => {
      const root = path.join(tmp, 'ws');
      writeFile(root, 'app/main.py', SAMPLE);
      const fifo = path.join(root, 'app', 'pipe.py');
      execFileSync('mkfifo', [fifo]);
      fs.symlinkSync('/dev/zero', path.join(root, 'pyproject.toml'));
      fs.symlinkSync('/dev/zero', path.join(root, '.gitignore'));
      const rss0 = process.memoryUsage().rss;
      const client = await TestClient.start({ workspaceFolders: [uriOf(root)] });
      try {
        // Diagnostics (which read pyproject.toml) still come.
        const main = uriOf(path.join(root, 'app', 'main.py'));
        await client.open(main, SAMPLE);
        assert.ok((await client.diagnosticsFor(main, 1, 20_000)).length > 0);
        assert.ok(
          client.logs.some((l) => /pyproject\.toml: not used: not a regular file/.test(l)),
          client.logs.join('\n'),
        );
        const file = await client.migrate({ folders: [], uris: [uriOf(fifo)], dryRun: false });
        assert.equal(file.files[0]?.status, 'skipped');
        assert.match(file.files[0]?.reason ?? '', /not a regular file \(a FIFO\)/);
        const ws = await client.migrate({ folders: [{ uri: uriOf(root), exclude: [] }], dryRun: true });
        assert.equal(ws.files.find((f) => f.path === 'app/main.py')?.status, 'changed');
        assert.ok(!ws.files.some((f) => f.path === 'app/pipe.py' && f.status !== 'skipped'));
      } finally {
        await client.dispose();
      }
      const grown = (process.memoryUsage().rss - rss0) / (1024 * 1024);
      assert.ok(grown < 300, `memory grew by ${grown.toFixed(0)} MB`);
    });

    it('answers a cancelled Migrate whose file is a FIFO', async () => {
      const root = path.join(tmp, 'ws');
      writeFile(root, 'a.py', SAMPLE);
      const fifo = path.join(root, 'b.py');
      execFileSync('mkfifo', [fifo]);
      const client = await TestClient.start({ workspaceFolders: [uriOf(root)] });
      try {
        const result = await client.migrate({ folders: [], uris: [uriOf(fifo), uriOf(path.join(root, 'a.py'))], dryRun: false }, 0);
        // Answered: cancelled (nothing returned), or the FIFO skipped unread.
        if (result.cancelled) assert.equal(result.edit, null);
        else assert.match(result.files.find((f) => f.path.endsWith('b.py'))?.reason ?? '', /FIFO/);
      } finally {
        await client.dispose();
      }
    });
  });

  describe('remaining findings in Migrate', () => {
    it('costs linear work in the number of findings (1x vs 8x)', () => {
      const module = (n: number): string => {
        const lines = ['from anyio.from_thread import start_blocking_portal', '', '', 'def main():'];
        for (let i = 0; i < n; i++) lines.push(`    p${i} = start_blocking_portal()`);
        return lines.join('\n') + '\n';
      };
      // Synthetic unfixable findings, one per line (the analysis itself is not what is measured).
      const findingsOf = (text: string): Finding[] => {
        const out: Finding[] = [];
        let at = text.indexOf('start_blocking_portal()', 60);
        while (at !== -1) {
          out.push({ code: 'ASY403', start: at, end: at + 23, message: 'm', severity: 'error' } as unknown as Finding);
          at = text.indexOf('start_blocking_portal()', at + 1);
        }
        return out;
      };
      const small = module(1000);
      const large = module(8000);
      const c1 = { steps: 0 };
      const c8 = { steps: 0 };
      const r1 = remainingOf(small, findingsOf(small), c1);
      const r8 = remainingOf(large, findingsOf(large), c8);
      assert.equal(r1.length, 1000);
      assert.equal(r8.length, 8000);
      // Same positions as an independent computation.
      const doc = TextDocument.create('untitled:x', 'python', 0, large);
      const f = findingsOf(large);
      for (const i of [0, 1, 4321, 7999]) assert.deepEqual({ line: r8[i]!.line, character: r8[i]!.character }, doc.positionAt(f[i]!.start));
      const ratio = c8.steps / c1.steps;
      assert.ok(ratio < 12, `8x the findings cost ${ratio.toFixed(1)}x the work (quadratic would be 64x)`);
    });

    it('matches the old per-finding positions for CR, LF and CRLF line ends', () => {
      const text = 'a\r\nb\rc\nd🚀 start_blocking_portal()\r\n';
      const offsets = [0, 2, 3, 5, 6, 7, 8, 10, text.length - 2, text.length - 1, text.length];
      const old = (o: number): { line: number; character: number } => {
        const before = text.slice(0, o);
        const line = (before.match(/\r\n|\r|\n/g) ?? []).length;
        return { line, character: o - Math.max(before.lastIndexOf('\n'), before.lastIndexOf('\r')) - 1 };
      };
      const got = remainingOf(
        text,
        offsets.map((o) => ({ code: 'ASY403', start: o, end: o, message: 'm' }) as unknown as Finding),
      );
      assert.deepEqual(
        got.map((r) => ({ line: r.line, character: r.character })),
        offsets.map(old),
      );
    });
  });

  describe('didChange with a malformed range', () => {
    let client: TestClient;
    beforeEach(async () => {
      client = await TestClient.start();
    });
    afterEach(async () => {
      await client.dispose();
    });

    it('does not apply a reversed range, says the document is out of sync, and a full resync restores correct diagnostics', async () => {
      const uri = uriOf(path.join(tmp, 'reversed.py'));
      const base = bigModule(60);
      await client.open(uri, base);
      await client.diagnosticsFor(uri, 1);
      // start (35:34) after end (30:39)
      let version = await client.change(uri, [{ range: { start: { line: 35, character: 34 }, end: { line: 30, character: 39 } }, text: '' }]);
      const desynced = await client.diagnosticsFor(uri, version);
      assert.equal(desynced.length, 1);
      assert.match(desynced[0]!.message, /lost track of this document's text \(reversed range/);
      assert.ok(
        client.logs.some((l) => /not applied: reversed range/.test(l)),
        client.logs.join('\n'),
      );
      // While out of sync: no hover, no code actions, Migrate skips it.
      assert.equal(await client.hover(uri, { line: 5, character: 20 }), null);
      const migrated = await client.migrate({ folders: [], uris: [uri], dryRun: true });
      assert.match(migrated.files[0]?.reason ?? '', /out of sync/);
      // Later range changes are dropped, then the editor sends the full text.
      version = await client.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# x\n' }]);
      version = await client.change(uri, [{ text: client.text(uri) }]);
      const text = client.text(uri);
      assert.deepEqual(diagKeys(await client.diagnosticsFor(uri, version)), keys(text, analyze(text)));
      // ... and stays correct under further edits.
      version = await client.change(uri, [{ range: { start: { line: 3, character: 0 }, end: { line: 3, character: 0 } }, text: 'x = 1\n' }]);
      const after = client.text(uri);
      assert.deepEqual(diagKeys(await client.diagnosticsFor(uri, version)), keys(after, analyze(after)));
    });

    it('rejects lines past the end, negative or fractional positions and a split surrogate pair; clamps a character past the line end', async () => {
      const uri = uriOf(path.join(tmp, 'ranges.py'));
      const text = 'import anyio\nx = "🚀"\nanyio.run(main)\n';
      const bad: Array<[unknown, RegExp]> = [
        [{ start: { line: 99, character: 0 }, end: { line: 99, character: 0 } }, /past the end/],
        [{ start: { line: -1, character: 0 }, end: { line: 0, character: 0 } }, /non-negative integers/],
        [{ start: { line: 0, character: 1.5 }, end: { line: 0, character: 2 } }, /non-negative integers/],
        [{ start: { line: 1, character: 6 }, end: { line: 1, character: 6 } }, /surrogate pair/],
      ];
      for (const [i, [range, why]] of bad.entries()) {
        const u = `${uri}.${i}.py`;
        await client.open(u, text);
        await client.diagnosticsFor(u, 1);
        await client.conn.sendNotification('textDocument/didChange', { textDocument: { uri: u, version: 2 }, contentChanges: [{ range, text: 'zz' }] });
        const d = await client.diagnosticsFor(u, 2);
        assert.equal(d.length, 1, JSON.stringify(range));
        assert.match(d[0]!.message, why);
        assert.equal(client.server.inspect(u)!.version, 2);
      }
      // Past the end of the line: the line's end (LSP), applied as the client applies it.
      await client.open(uri, text);
      await client.diagnosticsFor(uri, 1);
      const version = await client.change(uri, [{ range: { start: { line: 0, character: 50 }, end: { line: 0, character: 80 } }, text: ' as aio' }]);
      assert.equal(client.text(uri).split('\n')[0], 'import anyio as aio');
      const now = client.text(uri);
      assert.deepEqual(diagKeys(await client.diagnosticsFor(uri, version)), keys(now, analyze(now)));
    });
  });

  describe('large documents', () => {
    it("answers a small document's requests while a large one is being analysed", async () => {
      const root = path.join(tmp, 'ws');
      fs.mkdirSync(root);
      const client = await TestClient.start({ workspaceFolders: [uriOf(root)] });
      try {
        const small = uriOf(path.join(root, 'small.py'));
        const big = uriOf(path.join(root, 'big.py'));
        await client.open(small, SAMPLE);
        const diags = await client.diagnosticsFor(small, 1); // settings of the folder are now cached
        const order: string[] = [];
        const bigText = bigModule(5000);
        const opened = client.open(big, bigText);
        const hover = client.hover(small, diags[0]!.range.start).then((h) => {
          order.push('hover');
          return h;
        });
        const actions = client.codeActions(small, diags[0]!.range, [diags[0]!]).then((a) => {
          order.push('codeActions');
          return a;
        });
        const bigDiags = client.diagnosticsFor(big, 1, 110_000).then((d) => {
          order.push('big diagnostics');
          return d;
        });
        await opened;
        assert.ok(await hover);
        assert.ok((await actions).length > 0);
        const d = await bigDiags;
        assert.deepEqual(order, ['hover', 'codeActions', 'big diagnostics']);
        assert.deepEqual(diagKeys(d), keys(bigText, analyze(bigText)));
        assert.equal(client.server.inspect(big)!.inWorker, true);
        assert.equal(client.server.inspect(small)!.inWorker, false);
        // A hover on the large document itself waits for its analysis (without blocking), then answers.
        const version = await client.change(big, [{ range: { start: { line: 10, character: 0 }, end: { line: 10, character: 0 } }, text: '# edited\n' }]);
        assert.ok(d[0]!.range.start.line < 10);
        const onBig = await client.hover(big, d[0]!.range.start);
        assert.ok(onBig);
        const now = client.text(big);
        assert.deepEqual(diagKeys(await client.diagnosticsFor(big, version, 110_000)), keys(now, analyze(now)));
      } finally {
        await client.dispose();
      }
    });

    it('skips a document whose analysis exceeds the time budget, with one Information diagnostic and a log line', async () => {
      const client = await TestClient.start({ serverOptions: { analysisBudgetMs: 100 } });
      try {
        const big = uriOf(path.join(tmp, 'slow.py'));
        await client.open(big, bigModule(3000));
        const d = await client.diagnosticsFor(big, 1, 60_000);
        assert.equal(d.length, 1);
        assert.equal(d[0]!.severity, 3);
        assert.match(d[0]!.message, /analysis took longer than 0\.1 s; skipped/);
        assert.ok(
          client.logs.some((l) => /slow\.py: analysis took longer than 0\.1 s; skipped/.test(l)),
          client.logs.join('\n'),
        );
        assert.ok(client.server.workerStats().terminated >= 1);
        // Other documents still get their diagnostics.
        const small = uriOf(path.join(tmp, 'ok.py'));
        await client.open(small, SAMPLE);
        assert.deepEqual(diagKeys(await client.diagnosticsFor(small, 1)), keys(SAMPLE, analyze(SAMPLE)));
      } finally {
        await client.dispose();
      }
    });
  });

  describe('broken message framing', () => {
    const servers = [path.join(__dirname, '..', '..', 'src', 'server', 'server.js')];
    const bundled = path.join(__dirname, '..', '..', '..', 'dist', 'server.js');
    if (fs.existsSync(bundled)) servers.push(bundled);

    const run = (server: string, bytes: string, env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string }> =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, [server, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.stdout.resume();
        child.on('exit', (code) => resolve({ code, stderr }));
        child.stdin.on('error', () => undefined);
        child.stdin.write(bytes);
      });

    const cases: Array<[string, string]> = [
      ['a Content-Length that is not a number', 'Content-Length: abc\r\n\r\n{}'],
      ['a garbage header line', 'Hello there\r\n\r\n'],
      ['no Content-Length', 'Content-Type: application/json\r\n\r\n{"jsonrpc":"2.0"}'],
      ['a negative Content-Length', 'Content-Length: -5\r\n\r\n'],
      ['a body that is not JSON (Content-Length off by some bytes)', 'Content-Length: 5\r\n\r\n{"jsonrpc":"2.0","method":"initialized","params":{}}'],
    ];
    for (const server of servers) {
      for (const [name, bytes] of cases) {
        it(`${path.basename(path.dirname(server)) === 'dist' ? 'bundled' : 'compiled'} server exits with status 1 on ${name}`, async () => {
          const r = await run(server, bytes);
          assert.equal(r.code, 1, r.stderr);
          assert.match(r.stderr, /broken message framing/);
        });
      }
    }

    it('exits when a message stays incomplete (Content-Length larger than what was sent)', async () => {
      const r = await run(servers[0]!, 'Content-Length: 1000\r\n\r\n{"jsonrpc":"2.0"', { ANYIO_MIGRATE_STALLED_MESSAGE_MS: '300' });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /stayed incomplete/);
    });
  });
});
