/**
 * The result cache is ours or it is not used: a link or a non-directory anywhere in its path turns
 * it off (never followed, never emptied), only our own old entries are ever deleted, and an entry
 * we did not write — forged, copied, or edited — is a miss, never a result.
 */
import * as assert from 'assert';
import { createHash, createHmac } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { CACHE_DIR_NAME, loadCacheSecret } from '../../src/cli/cache';
import type { RunStats } from '../../src/cli/run';
import { runCli } from '../support/harness';
import { makeTempDir, removeDir, writeTree } from '../support/helpers';

/** A module with 8 findings. */
const EIGHT = [
  'import anyio',
  '',
  'async def main():',
  '    await anyio.current_time()',
  '    e = anyio.create_event()',
  '    l = anyio.create_lock()',
  '    s = anyio.create_semaphore(2)',
  '    c = anyio.create_condition()',
  '    await anyio.current_effective_deadline()',
  '    cs = anyio.open_cancel_scope()',
  '    q = anyio.create_capacity_limiter(3)',
  '',
].join('\n');

const OTHER = 'import anyio\n\nasync def other():\n    await anyio.current_time()\n';

/** Everything under `root` as lstat sees it (links by their target text, never followed). */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const name of fs.readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      const rel = path.relative(root, full);
      const st = fs.lstatSync(full);
      if (st.isSymbolicLink()) out[rel] = `link -> ${fs.readlinkSync(full)}`;
      else if (st.isDirectory()) {
        out[rel] = 'dir';
        walk(full);
      } else out[rel] = `file ${fs.readFileSync(full, 'utf8')}`;
    }
  };
  walk(root);
  return out;
}

function entriesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (/^[0-9a-f]{64}\.json$/.test(e.name)) out.push(path.join(d, e.name));
    }
  };
  walk(dir);
  return out.sort();
}

describe('cli/cache: ours or not used', function () {
  this.timeout(60000);
  let dir: string;
  let repo: string;
  let keyDir: string;
  beforeEach(() => {
    dir = makeTempDir();
    repo = path.join(dir, 'repo');
    keyDir = path.join(dir, 'user-cache');
    writeTree(repo, { 'a.py': EIGHT });
  });
  afterEach(() => removeDir(dir));

  const check = async (cwd: string = repo, args: string[] = []): Promise<{ stdout: string; stderr: string; code: number; stats: RunStats }> => {
    let stats: RunStats | undefined;
    // One entry per file (its findings): the project index's summary entries are covered below.
    const r = await runCli(['check', '--jobs', '1', '--file-timeout', '0', '--no-project-index', ...args], { cwd, cacheKeyDir: keyDir, onStats: (s) => (stats = s) });
    assert.ok(stats);
    return { stdout: r.stdout, stderr: r.stderr, code: r.code, stats };
  };

  it("keeps the project index's summaries too: a warm run hits them, a tampered one is recomputed", async () => {
    const run = async () => {
      let stats: RunStats | undefined;
      const r = await runCli(['check', '--jobs', '1', '--file-timeout', '0'], { cwd: repo, cacheKeyDir: keyDir, onStats: (s) => (stats = s) });
      return { ...r, stats: stats! };
    };
    // b.py imports a.py: both take part in the import graph, so both are parsed for the index.
    writeTree(repo, { 'b.py': 'import a\n\n\nasync def g():\n    await a.main()\n' });
    const cold = await run();
    assert.deepEqual(
      [cold.stats.cacheHits, cold.stats.cacheWrites, cold.stats.summaryCacheHits, cold.stats.summaryCacheWrites],
      [0, 2, 0, 2],
      'findings and summaries of a.py and b.py',
    );
    const warm = await run();
    assert.deepEqual([warm.stats.cacheHits, warm.stats.cacheWrites, warm.stats.summaryCacheHits, warm.stats.summaryCacheWrites], [2, 0, 2, 0]);
    assert.equal(warm.stdout, cold.stdout);
    // Tamper with every entry's value (the HMAC no longer matches): all recomputed, same output.
    for (const e of entriesUnder(path.join(repo, CACHE_DIR_NAME))) {
      const j = JSON.parse(fs.readFileSync(e, 'utf8')) as Record<string, unknown>;
      j['value'] = `${j['value'] as string} `;
      fs.writeFileSync(e, JSON.stringify(j));
    }
    const again = await run();
    assert.deepEqual([again.stats.cacheHits, again.stats.summaryCacheHits], [0, 0]);
    assert.equal(again.stdout, cold.stdout);
  });

  it('does not follow or empty a cache folder that is a link to another folder', async () => {
    writeTree(dir, { 'victim/d1/file': 'keep me\n', 'victim/0.0.1-0123456789abcdef/ab/x': 'also mine\n' });
    fs.symlinkSync(path.join(dir, 'victim'), path.join(repo, CACHE_DIR_NAME));
    const before = snapshot(dir);
    const uncached = await check(repo, ['--no-cache']);
    for (let i = 0; i < 2; i++) {
      const r = await check();
      assert.equal(r.stdout, uncached.stdout);
      assert.equal(r.code, 1);
      assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('warning:')).length, 1);
      assert.match(r.stderr, /warning: \.anyio-migrate-cache is a symbolic link; the cache is not used for this run/);
      assert.deepEqual([r.stats.cacheHits, r.stats.cacheMisses, r.stats.cacheWrites], [0, 0, 0]);
    }
    assert.deepEqual(snapshot(dir), before);
  });

  it('does not delete sibling projects when the cache folder is a link to ..', async () => {
    for (let i = 0; i < 6; i++) writeTree(dir, { [`proj${i}/keep/file.py`]: `x = ${i}\n` });
    fs.symlinkSync('..', path.join(repo, CACHE_DIR_NAME));
    const before = snapshot(dir);
    const r = await check();
    assert.match(r.stderr, /is a symbolic link; the cache is not used/);
    assert.equal(r.code, 1);
    assert.deepEqual(snapshot(dir), before);
  });

  it('stops using the cache when a folder, an entry or its .gitignore inside it is a link, and writes nothing through it', async () => {
    writeTree(dir, { 'victim/keep.txt': 'keep\n' });
    const victim = path.join(dir, 'victim');
    await check();
    const cache = path.join(repo, CACHE_DIR_NAME);
    const fingerprint = fs.readdirSync(cache).find((n) => n !== '.gitignore')!;
    const [entry] = entriesUnder(cache);
    assert.ok(entry);
    const uncached = (await check(repo, ['--no-cache'])).stdout;
    const replaceWithLink = (p: string, target: string): void => {
      fs.rmSync(p, { recursive: true, force: true });
      fs.symlinkSync(target, p);
    };
    // An edited file misses, so the run would write a new entry: through none of these links.
    const cases: Array<[string, () => void, RegExp]> = [
      ['fingerprint folder', () => replaceWithLink(path.join(cache, fingerprint), victim), new RegExp(`${fingerprint} is a symbolic link`)],
      [
        '2-hex folders',
        () => {
          // Whatever the new entry's key, its folder is a link.
          for (let i = 0; i < 256; i++) replaceWithLink(path.join(cache, fingerprint, i.toString(16).padStart(2, '0')), victim);
        },
        new RegExp(`${fingerprint}/[0-9a-f]{2} is a symbolic link`),
      ],
      ['.gitignore', () => replaceWithLink(path.join(cache, '.gitignore'), path.join(victim, 'keep.txt')), /\.gitignore is a symbolic link/],
    ];
    for (const [what, breakIt, message] of cases) {
      fs.rmSync(cache, { recursive: true, force: true });
      await check();
      breakIt();
      const before = snapshot(dir);
      fs.appendFileSync(path.join(repo, 'a.py'), '# edited\n');
      const r = await check();
      assert.match(r.stderr, message, what);
      assert.equal(r.stats.cacheWrites, 0, what);
      const after = snapshot(dir);
      delete after['repo/a.py'];
      delete before['repo/a.py'];
      assert.deepEqual(after, before, what);
      fs.writeFileSync(path.join(repo, 'a.py'), EIGHT);
    }
    // An entry that is a link (to a file elsewhere): never read through, never replaced.
    fs.rmSync(cache, { recursive: true, force: true });
    await check();
    const [again] = entriesUnder(cache);
    replaceWithLink(again!, path.join(victim, 'keep.txt'));
    const r = await check();
    assert.match(r.stderr, /a cache entry is a symbolic link/);
    assert.equal(r.stdout, uncached);
    assert.equal(fs.readFileSync(path.join(victim, 'keep.txt'), 'utf8'), 'keep\n');
    assert.ok(fs.lstatSync(again!).isSymbolicLink());
  });

  it('removes only its own old entries: exact fingerprint names, real folders, files named like entries', async () => {
    const cache = path.join(repo, CACHE_DIR_NAME);
    const entry = `${'ab'.padEnd(64, '0')}.json`;
    const entry2 = `${'cd'.padEnd(64, '1')}.json`;
    writeTree(cache, {
      [`0.0.1-0123456789abcdef/ab/${entry}`]: '{}',
      [`0.0.1-0123456789abcdef/ab/${entry}.4242.0a1b2c3d.tmp`]: '{}',
      [`0.0.2-fedcba9876543210/cd/${entry2}`]: '{}',
      '0.0.2-fedcba9876543210/cd/notes.txt': 'not ours\n',
      '0.0.2-fedcba9876543210/README': 'not ours either\n',
      'not-a-fingerprint/ab/x.json': 'left alone\n',
      [`0.0.4-0123456789abcdex/ab/${entry}`]: 'x is not hex: left alone\n',
    });
    writeTree(dir, { [`victim/ab/${entry}`]: 'victim entry\n' });
    fs.symlinkSync(path.join(dir, 'victim'), path.join(cache, '0.0.3-aaaaaaaaaaaaaaaa'));
    await check();
    const names = fs.readdirSync(cache).sort();
    assert.ok(!names.includes('0.0.1-0123456789abcdef'));
    assert.deepEqual(fs.readdirSync(path.join(cache, '0.0.2-fedcba9876543210')).sort(), ['README', 'cd']);
    assert.deepEqual(fs.readdirSync(path.join(cache, '0.0.2-fedcba9876543210', 'cd')), ['notes.txt']);
    assert.equal(fs.readFileSync(path.join(cache, 'not-a-fingerprint/ab/x.json'), 'utf8'), 'left alone\n');
    assert.ok(fs.existsSync(path.join(cache, `0.0.4-0123456789abcdex/ab/${entry}`)));
    assert.ok(fs.lstatSync(path.join(cache, '0.0.3-aaaaaaaaaaaaaaaa')).isSymbolicLink());
    assert.equal(fs.readFileSync(path.join(dir, `victim/ab/${entry}`), 'utf8'), 'victim entry\n');
  });

  describe('an entry we did not write is a miss, never a result', () => {
    const forge = async (edit: (entry: Record<string, unknown>, file: string) => void): Promise<void> => {
      writeTree(repo, { 'b.py': OTHER });
      const uncached = await check(repo, ['--no-cache']);
      assert.match(uncached.stderr, /9 findings in 2 files/);
      const first = await check();
      assert.equal(first.stats.cacheWrites, 2);
      const entries = entriesUnder(path.join(repo, CACHE_DIR_NAME));
      // The entry of a.py is the one whose text hash is a.py's.
      const hashA = createHash('sha256').update(EIGHT, 'utf8').digest('hex');
      const fileA = entries.find((e) => (JSON.parse(fs.readFileSync(e, 'utf8')) as { textHash: string }).textHash === hashA)!;
      const fileB = entries.find((e) => e !== fileA)!;
      const entry = JSON.parse(fs.readFileSync(fileA, 'utf8')) as Record<string, unknown>;
      edit(entry, fileB);
      if (Object.keys(entry).length > 0) fs.writeFileSync(fileA, JSON.stringify(entry));
      const r = await check();
      assert.equal(r.stdout, uncached.stdout);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /9 findings in 2 files/);
      assert.equal(r.stats.cacheRejected, 1);
      assert.equal(r.stats.cacheHits, 1);
    };
    const secret = (): Buffer => {
      const k = loadCacheSecret(keyDir);
      assert.ok('secret' in k);
      return k.secret;
    };
    const sign = (e: Record<string, unknown>, key: Buffer): string =>
      createHmac('sha256', key)
        .update(`${String(e.format)}\0${String(e.fingerprint)}\0${String(e.op)}\0${String(e.options)}\0${String(e.textHash)}\0`)
        .update(String(e.value), 'utf8')
        .digest('hex');

    it('no findings in place of 8, the HMAC left as it was', async () => {
      await forge((e) => {
        e.value = '[]';
      });
    });

    it('no findings in place of 8, with an HMAC made without our secret', async () => {
      await forge((e) => {
        e.value = '[]';
        e.mac = sign(e, Buffer.alloc(32, 7));
      });
    });

    it("another file's genuine entry (valid HMAC) copied under this key: the text hash differs", async () => {
      await forge((e, other) => {
        const copied = JSON.parse(fs.readFileSync(other, 'utf8')) as Record<string, unknown>;
        for (const k of Object.keys(e)) delete e[k];
        Object.assign(e, copied);
      });
    });

    it('signed with our secret but the wrong shape: offsets outside the text, unknown codes, wrong types', async () => {
      const bad = [
        [{ code: 'ASY101', rule: 'r', message: 'm', start: 0, end: 99999, severity: 'warning', deprecated: true }],
        [{ code: 'XYZ', rule: 'r', message: 'm', start: 0, end: 1, severity: 'warning', deprecated: true }],
        [{ code: 'ASY101', rule: 'r', message: 'm', start: '0', end: 1, severity: 'warning', deprecated: true }],
        { not: 'an array' },
      ];
      for (const value of bad) {
        removeDir(path.join(repo, CACHE_DIR_NAME));
        await forge((e) => {
          e.value = JSON.stringify(value);
          e.mac = sign(e, secret());
        });
      }
    });
  });

  it('keeps its secret 0600 outside the project; a key others can read, or a link, turns the cache off', async () => {
    await check();
    const keyFile = path.join(keyDir, 'cache-key');
    assert.equal(fs.statSync(keyFile).mode & 0o777, 0o600);
    assert.match(fs.readFileSync(keyFile, 'utf8'), /^[0-9a-f]{64}\n$/);
    const warm = await check();
    assert.equal(warm.stats.cacheHits, 1);
    fs.chmodSync(keyFile, 0o644);
    const open = await check();
    assert.match(open.stderr, /cache-key is readable or writable by others; the cache is not used/);
    assert.deepEqual([open.stats.cacheHits, open.stats.cacheMisses], [0, 0]);
    fs.chmodSync(keyFile, 0o600);
    const real = path.join(dir, 'elsewhere-key');
    fs.renameSync(keyFile, real);
    fs.symlinkSync(real, keyFile);
    const linked = await check();
    assert.match(linked.stderr, /cache-key is not a regular file; the cache is not used/);
  });
});
