/**
 * The worker pool and the result cache: a parallel run must report exactly what the sequential
 * one does, in the same order, and the cache must answer only for the same engine, options and text.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { analyze, fixAll, initEngine, InputRefused } from '../../src/engine';
import { EnginePool, orderedMap, PoolClosedError, RequestTimeoutError, workerScript } from '../../src/cli/pool';
import { CACHE_DIR_NAME, ResultCache } from '../../src/cli/cache';
import { parseCliArgs, resolveSettings, UsageError } from '../../src/cli/options';
import type { RunStats } from '../../src/cli/run';
import { runCli } from '../support/harness';
import { makeTempDir, removeDir, REPO_ROOT, V2_SAFE, V2_SAFE_FIXED, writeTree } from '../support/helpers';

const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures');

/** The fixture programs that use AnyIO (UTF-8 ones), in a stable order. */
function fixtureTexts(): string[] {
  const out: string[] = [];
  for (const code of fs.readdirSync(FIXTURES).sort()) {
    const dir = path.join(FIXTURES, code);
    if (!fs.statSync(dir).isDirectory()) continue;
    for (const f of fs.readdirSync(dir).sort()) {
      if (!f.endsWith('.py') || f.endsWith('.fixed.py')) continue;
      const bytes = fs.readFileSync(path.join(dir, f));
      const text = bytes.toString('utf8');
      if (!Buffer.from(text, 'utf8').equals(bytes) || !text.includes('anyio') || /coding[:=]/.test(text)) continue;
      out.push(text);
    }
  }
  return out;
}

/** A tree of `n` files: fixture programs (some concatenated), a few without anyio, nested folders. */
function generatedTree(n: number): Record<string, string> {
  const texts = fixtureTexts();
  const files: Record<string, string> = {};
  for (let i = 0; i < n; i++) {
    const dir = ['', 'pkg/', 'pkg/sub/', 'other/deep/er/'][i % 4]!;
    const body = i % 7 === 3 ? `def plain_${i}():\n    return ${i}\n` : [texts[i % texts.length]!, texts[(i * 5 + 1) % texts.length]!].slice(0, 1 + (i % 2)).join('\n\n');
    files[`${dir}mod_${String(i).padStart(3, '0')}.py`] = body;
  }
  return files;
}

function readTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name === CACHE_DIR_NAME) continue;
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else out[path.relative(root, full)] = fs.readFileSync(full, 'utf8');
    }
  };
  walk(root);
  return out;
}

/** `import anyio` then ifs nested 120 levels deep: more than CPython's parser allows (100), refused by the engine. */
const TOO_DEEP = `import anyio\n${Array.from({ length: 120 }, (_, i) => `${' '.repeat(i)}if x:\n`).join('')}${' '.repeat(120)}pass\n`;
const TOO_DEEP_REASON = "too deeply nested for Python's parser (120 levels of indentation; CPython's limit is 100): not analysed";

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('cli/pool: orderedMap', () => {
  it('yields results in input order whatever order they finish in, with at most `window` in flight', async () => {
    const items = Array.from({ length: 40 }, (_, i) => i);
    let inFlight = 0;
    let maxInFlight = 0;
    const seen: number[] = [];
    for await (const [item, result] of orderedMap(items, 5, async (i) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await delay((i * 7) % 5); // later items often finish first
      inFlight--;
      return i * 10;
    })) {
      assert.equal(result, item * 10);
      seen.push(item);
    }
    assert.deepEqual(seen, items);
    assert.equal(maxInFlight, 5);
  });

  it('stops starting work once stop() is true', async () => {
    let started = 0;
    const seen: number[] = [];
    let stop = false;
    for await (const [item] of orderedMap(
      Array.from({ length: 50 }, (_, i) => i),
      3,
      async (i) => {
        started++;
        await delay(1);
        return i;
      },
      () => stop,
    )) {
      seen.push(item);
      if (item === 4) stop = true;
    }
    assert.deepEqual(seen, [0, 1, 2, 3, 4]);
    assert.ok(started <= 8, `started ${started}`);
  });

  it('rethrows a failure at its own position, after the results before it', async () => {
    const seen: number[] = [];
    await assert.rejects(async () => {
      for await (const [item] of orderedMap([0, 1, 2, 3], 4, async (i) => {
        if (i === 2) throw new Error('boom at 2');
        await delay(5);
        return i;
      })) {
        seen.push(item);
      }
    }, /boom at 2/);
    assert.deepEqual(seen, [0, 1]);
  });
});

describe('cli/pool: EnginePool', function () {
  this.timeout(60000);
  let pool: EnginePool | undefined;
  before(async () => {
    await initEngine();
  });
  afterEach(async () => {
    await pool?.close();
    pool = undefined;
  });

  it('runs from the compiled file (not a bundle), so workers can start', () => {
    assert.equal(path.basename(workerScript() ?? ''), 'pool.js');
  });

  it('finds exactly what the engine finds in this thread, for every fixture program', async () => {
    pool = EnginePool.create(2);
    assert.ok(pool);
    assert.equal(pool.size, 2);
    const texts = fixtureTexts();
    assert.ok(texts.length > 50);
    const options = { target: 'anyio3' as const };
    const results = await Promise.all(texts.map((t) => pool!.analyze(t, options)));
    let findings = 0;
    texts.forEach((t, i) => {
      assert.deepStrictEqual(results[i], analyze(t, options));
      findings += results[i]!.length;
    });
    assert.ok(findings > 100, `only ${findings} findings`);
  });

  it('fixes exactly as the engine does in this thread, options included', async () => {
    pool = EnginePool.create(2);
    assert.ok(pool);
    const texts = fixtureTexts().slice(0, 40);
    for (const options of [{ unsafeFixes: false }, { unsafeFixes: true, target: 'anyio2+3' as const }, { select: ['ASY1'] }]) {
      const results = await Promise.all(texts.map((t) => pool!.fixAll(t, options)));
      texts.forEach((t, i) => assert.deepStrictEqual(results[i], fixAll(t, options)));
    }
  });

  it('rejects what is still pending when closed, and everything after', async () => {
    pool = EnginePool.create(1);
    assert.ok(pool);
    const big = fixtureTexts().join('\n\n');
    const pending = Array.from({ length: 6 }, () => pool!.analyze(big, {}));
    const closing = pool.close();
    const settled = await Promise.allSettled(pending);
    await closing;
    assert.ok(settled.every((s) => s.status === 'rejected' && s.reason instanceof PoolClosedError));
    await assert.rejects(pool.analyze('import anyio\n', {}), PoolClosedError);
  });

  it('fails a request past the time budget, replaces its worker, and runs the requests queued behind it', async () => {
    // The seam makes a worker block (as a pathological input would) on texts containing STALL.
    pool = EnginePool.create(1, { timeoutMs: 4000, stallOnText: 'STALL', perWorker: 3 });
    assert.ok(pool);
    const good = 'import anyio\n\nasync def f():\n    await anyio.current_time()\n';
    const stalled = pool.analyze(`${good}# STALL\n`, {});
    const behind = [pool.analyze(good, {}), pool.fixAll(good, {})];
    await assert.rejects(stalled, (err: unknown) => err instanceof RequestTimeoutError && err.timeoutMs === 4000 && /took longer than 4 s/.test(err.message));
    const [findings, fixed] = await Promise.all(behind);
    assert.deepStrictEqual(findings, analyze(good, {}));
    assert.deepStrictEqual(fixed, fixAll(good, {}));
    assert.deepEqual(pool.stats, { started: 2, timeouts: 1 });
    assert.equal(pool.size, 1);
    // The replacement keeps serving.
    assert.deepStrictEqual(await pool.analyze(good, { select: ['ASY1'] }), analyze(good, { select: ['ASY1'] }));
  });

  it('answers input the engine refuses (too deeply nested) as data, keeps its type in analyze(), and keeps serving', async () => {
    pool = EnginePool.create(1);
    assert.ok(pool);
    assert.deepStrictEqual(await pool.analyzeOutcome(TOO_DEEP, {}), { refused: TOO_DEEP_REASON });
    await assert.rejects(pool.analyze(TOO_DEEP, {}), (err: unknown) => err instanceof InputRefused && err.message === TOO_DEEP_REASON);
    const fixed = await pool.fixAll(TOO_DEEP, {});
    assert.equal(fixed.refused, TOO_DEEP_REASON);
    assert.equal(fixed.output, TOO_DEEP);
    assert.deepStrictEqual(await pool.analyzeOutcome(V2_SAFE, {}), { findings: analyze(V2_SAFE, {}) });
    assert.equal(pool.stats.started, 1); // no worker crashed or was replaced
  });
});

describe('cli/pool: --jobs in the CLI', function () {
  this.timeout(120000);
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => removeDir(dir));

  it('reports the same findings in the same order with workers as without (text and json)', async () => {
    writeTree(dir, generatedTree(48));
    for (const format of ['text', 'json']) {
      const stats: RunStats[] = [];
      const seq = await runCli(['check', '--no-cache', '--jobs', '1', '--file-timeout', '0', '--format', format], { cwd: dir, onStats: (s) => stats.push(s) });
      const par = await runCli(['check', '--no-cache', '--jobs', '2', '--format', format], { cwd: dir, onStats: (s) => stats.push(s) });
      assert.equal(seq.code, 1);
      assert.equal(par.code, seq.code);
      assert.equal(par.stdout, seq.stdout);
      assert.equal(par.stderr, seq.stderr);
      assert.ok(seq.stdout.split('\n').length > 100);
      assert.equal(stats[0]!.workers, 0);
      assert.equal(stats[1]!.workers, 2);
      assert.equal(stats[1]!.analysed, stats[0]!.analysed);
      assert.ok(stats[1]!.analysed > 30 && stats[1]!.analysed < 48, String(stats[1]!.analysed));
    }
  });

  it('is deterministic: the same output on every parallel run', async () => {
    writeTree(dir, generatedTree(40));
    const outputs = new Set<string>();
    for (let i = 0; i < 3; i++) outputs.add((await runCli(['check', '--no-cache', '--jobs', '3'], { cwd: dir, poolMinFiles: 2 })).stdout);
    assert.equal(outputs.size, 1);
  });

  it('fixes a tree to the same bytes with workers as without', async () => {
    const tree = generatedTree(36);
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    writeTree(a, tree);
    writeTree(b, tree);
    const seq = await runCli(['fix', '--unsafe-fixes', '--jobs', '1'], { cwd: a });
    const par = await runCli(['fix', '--unsafe-fixes', '--jobs', '2'], { cwd: b });
    assert.equal(par.code, seq.code);
    assert.equal(par.stdout, seq.stdout);
    const fixedA = readTree(a);
    assert.deepEqual(readTree(b), fixedA);
    assert.notDeepEqual(fixedA, tree);
  });

  it('without a time budget, stays in this thread for small runs; always with an injected engine', async () => {
    writeTree(dir, generatedTree(5));
    const stats: RunStats[] = [];
    await runCli(['check', '--no-cache', '--jobs', '4', '--file-timeout', '0'], { cwd: dir, onStats: (s) => stats.push(s) });
    writeTree(dir, generatedTree(30));
    await runCli(['check', '--jobs', '4'], { cwd: dir, onStats: (s) => stats.push(s), engine: { analyze, fixAll } });
    assert.deepEqual(
      stats.map((s) => s.workers),
      [0, 0],
    );
  });

  it('with the time budget (the default), even a small or --jobs 1 run analyses in one worker', async () => {
    writeTree(dir, generatedTree(5));
    const stats: RunStats[] = [];
    const inWorker = await runCli(['check', '--no-cache', '--jobs', '4'], { cwd: dir, onStats: (s) => stats.push(s) });
    const one = await runCli(['check', '--no-cache', '--jobs', '1'], { cwd: dir, onStats: (s) => stats.push(s) });
    const inThread = await runCli(['check', '--no-cache', '--file-timeout', '0'], { cwd: dir, onStats: (s) => stats.push(s) });
    assert.deepEqual(
      stats.map((s) => [s.workers, s.workersStarted]),
      [
        [1, 1],
        [1, 1],
        [0, 0],
      ],
    );
    assert.equal(inWorker.stdout, inThread.stdout);
    assert.equal(one.stdout, inThread.stdout);
    assert.equal(inWorker.code, 1);
  });

  for (const jobs of ['1', '2']) {
    it(`--file-timeout: a file past the budget is reported as skipped and the run goes on (--jobs ${jobs})`, async () => {
      const tree = generatedTree(jobs === '1' ? 4 : 20);
      const names = Object.keys(tree).filter((k) => tree[k]!.includes('anyio'));
      const slow = names[1]!;
      tree[slow] = `${tree[slow]}\n# STALL-HERE\n`;
      writeTree(dir, tree);
      let stats: RunStats | undefined;
      const r = await runCli(['check', '--no-cache', '--jobs', jobs, '--file-timeout', '4'], { cwd: dir, stallOnText: 'STALL-HERE', poolMinFiles: 2, onStats: (s) => (stats = s) });
      assert.ok(stats);
      assert.equal(stats.timeouts, 1);
      assert.equal(stats.workersStarted, Number(jobs) + 1); // the stuck worker was replaced
      assert.match(r.stderr, new RegExp(`warning: ${slow.replace(/[.]/g, '\\.')}: took longer than 4 s; skipped`));
      assert.match(r.stderr, /1 skipped/);
      // Every other file is reported exactly as without the stalled one.
      const expected = await runCli(['check', '--no-cache', '--file-timeout', '0'], { cwd: dir });
      const withoutSlow = expected.stdout.split('\n').filter((l) => !l.startsWith(`${slow}:`));
      assert.deepEqual(r.stdout.split('\n'), withoutSlow);
      assert.equal(r.code, 1);
    });
  }

  it('--file-timeout on a file named explicitly, on fix and on stdin: an error (exit 2), the file unchanged', async () => {
    const text = 'import anyio\n\nasync def f():\n    await anyio.current_time()\n# STALL-HERE\n';
    writeTree(dir, { 'slow.py': text, 'ok.py': 'import anyio\n\nasync def g():\n    await anyio.current_time()\n' });
    const fix = await runCli(['fix', '--file-timeout', '4', 'slow.py', 'ok.py'], { cwd: dir, stallOnText: 'STALL-HERE' });
    assert.equal(fix.code, 2);
    assert.match(fix.stderr, /error: slow\.py: took longer than 4 s; skipped/);
    assert.equal(fs.readFileSync(path.join(dir, 'slow.py'), 'utf8'), text);
    assert.doesNotMatch(fs.readFileSync(path.join(dir, 'ok.py'), 'utf8'), /await anyio\.current_time/);
    const stdin = await runCli(['fix', '--file-timeout', '4', '-'], { cwd: dir, stallOnText: 'STALL-HERE', readStdin: async () => Buffer.from(text) });
    assert.equal(stdin.code, 2);
    assert.equal(stdin.stdout, text);
    assert.match(stdin.stderr, /error: -: took longer than 4 s; skipped/);
  });

  it('validates --file-timeout', () => {
    assert.equal(resolveSettings(parseCliArgs(['check']), dir).fileTimeoutMs, 10000);
    assert.equal(resolveSettings(parseCliArgs(['check', '--file-timeout', '2.5']), dir).fileTimeoutMs, 2500);
    assert.equal(resolveSettings(parseCliArgs(['check', '--file-timeout', '0']), dir).fileTimeoutMs, 0);
    for (const bad of ['-1', 'ten', '1e3', '100000']) {
      assert.throws(() => resolveSettings(parseCliArgs(['check', '--file-timeout', bad]), dir), UsageError, bad);
    }
  });

  it('validates --jobs', () => {
    assert.equal(resolveSettings(parseCliArgs(['check', '--jobs', '3']), dir).jobs, 3);
    assert.equal(resolveSettings(parseCliArgs(['check', '-j', '1']), dir).jobs, 1);
    assert.ok(resolveSettings(parseCliArgs(['check']), dir).jobs >= 1);
    for (const bad of ['0', 'two', '-1', '1.5', '1000']) {
      assert.throws(() => resolveSettings(parseCliArgs(['check', '--jobs', bad]), dir), UsageError, bad);
    }
  });
});

describe('cli/cache: results of unchanged files', function () {
  this.timeout(60000);
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => removeDir(dir));

  const check = async (args: string[] = []): Promise<{ stdout: string; code: number; stats: RunStats }> => {
    let stats: RunStats | undefined;
    const r = await runCli(['check', '--jobs', '1', ...args], { cwd: dir, onStats: (s) => (stats = s), cacheKeyDir: path.join(dir, '.cache-key') });
    assert.ok(stats);
    return { stdout: r.stdout, code: r.code, stats };
  };

  it('misses, then hits with the same output; an edited file misses alone', async () => {
    const tree = generatedTree(12);
    writeTree(dir, tree);
    const analysed = Object.values(tree).filter((t) => t.includes('anyio')).length;
    const first = await check();
    assert.equal(first.stats.cacheHits, 0);
    assert.equal(first.stats.cacheMisses, analysed);
    assert.ok(first.stats.cacheWrites > 0);
    const second = await check();
    assert.equal(second.stats.cacheHits, analysed);
    assert.equal(second.stats.cacheMisses, 0);
    assert.equal(second.stdout, first.stdout);
    assert.equal(second.code, first.code);

    // Edit one file so its findings move: that file misses, and its new findings are reported.
    const victim = Object.keys(tree).find((k) => tree[k]!.includes('anyio'))!;
    fs.writeFileSync(path.join(dir, victim), `# a new first line\n${tree[victim]}`);
    const third = await check();
    assert.equal(third.stats.cacheMisses, 1);
    assert.equal(third.stats.cacheHits, analysed - 1);
    assert.equal(third.stdout, (await check(['--no-cache'])).stdout);
    assert.notEqual(third.stdout, first.stdout);
  });

  it('keys on the options: another selection or target is a miss', async () => {
    writeTree(dir, generatedTree(6));
    const all = await check();
    const only = await check(['--ignore', 'ASY101']);
    assert.equal(only.stats.cacheHits, 0);
    assert.ok(only.stats.cacheMisses > 0);
    assert.notEqual(only.stdout, all.stdout);
    assert.equal((await check(['--ignore', 'ASY101'])).stats.cacheMisses, 0);
    assert.equal((await check(['--target', 'anyio2+3'])).stats.cacheHits, 0);
  });

  it('ignores damaged entries and writes nothing with --no-cache', async () => {
    writeTree(dir, generatedTree(6));
    const fresh = await check(['--no-cache']);
    assert.equal(fs.existsSync(path.join(dir, CACHE_DIR_NAME)), false);
    assert.deepEqual([fresh.stats.cacheHits, fresh.stats.cacheMisses, fresh.stats.cacheWrites], [0, 0, 0]);
    const first = await check();
    const entries: string[] = [];
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(d, e.name));
        else if (e.name.endsWith('.json')) entries.push(path.join(d, e.name));
      }
    };
    walk(path.join(dir, CACHE_DIR_NAME));
    assert.ok(entries.length > 0);
    for (const e of entries) fs.writeFileSync(e, '{"key": "not this one", "value": []}');
    const again = await check();
    assert.equal(again.stats.cacheHits, 0);
    assert.equal(again.stdout, first.stdout);
    assert.equal(again.stdout, fresh.stdout);
  });

  it('ignores itself in git, drops other engine versions and is not used by fix', async () => {
    writeTree(dir, generatedTree(4));
    const stale = path.join(dir, CACHE_DIR_NAME, '0.0.0-0123456789abcdef');
    fs.mkdirSync(stale, { recursive: true });
    await check();
    assert.equal(
      fs
        .readFileSync(path.join(dir, CACHE_DIR_NAME, '.gitignore'), 'utf8')
        .split('\n')
        .includes('*'),
      true,
    );
    assert.equal(fs.existsSync(stale), false);
    const fixDir = makeTempDir();
    try {
      writeTree(fixDir, generatedTree(4));
      await runCli(['fix'], { cwd: fixDir });
      assert.equal(fs.existsSync(path.join(fixDir, CACHE_DIR_NAME)), false);
    } finally {
      removeDir(fixDir);
    }
  });

  it('derives one key per (operation, canonical options, text)', () => {
    const cache = ResultCache.open(dir, '1.2.3', { keyDir: path.join(dir, 'key') }).cache;
    assert.ok(cache);
    const k = cache.key('analyze', { select: ['ASY2', 'ASY1'], target: 'anyio3' }, 'import anyio\n');
    assert.match(k, /^[0-9a-f]{64}$/);
    assert.equal(cache.key('analyze', { target: 'anyio3', select: ['ASY1', 'ASY2'] }, 'import anyio\n'), k);
    assert.notEqual(cache.key('fixAll', { select: ['ASY2', 'ASY1'], target: 'anyio3' }, 'import anyio\n'), k);
    assert.notEqual(cache.key('analyze', { select: ['ASY2', 'ASY1'], target: 'anyio3' }, 'import anyio \n'), k);
    assert.notEqual(cache.key('analyze', { select: ['ASY2'], target: 'anyio3' }, 'import anyio\n'), k);
    assert.equal(cache.root, path.join(dir, CACHE_DIR_NAME));
  });
});

describe('cli/pool: a file the engine refuses (nested deeper than 100 levels) is skipped, never an internal error', function () {
  this.timeout(120000);
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => removeDir(dir));

  // In this thread, in one worker (the time budget's), in two workers (a pool for the walk).
  const modes: Array<{ args: string[]; workers: number }> = [
    { args: ['--jobs', '1', '--file-timeout', '0'], workers: 0 },
    { args: ['--jobs', '1'], workers: 1 },
    { args: ['--jobs', '2'], workers: 2 },
  ];
  const exitWhenWalked = { check: 1, diff: 1, fix: 0 } as const; // by ok.py's findings, as for any skipped file

  for (const { args, workers } of modes) {
    for (const command of ['check', 'diff', 'fix'] as const) {
      it(`${command} ${args.join(' ')}: a warning when walked, an error (exit 2) when named or on stdin; the file unchanged`, async () => {
        writeTree(dir, { 'pkg/deep.py': TOO_DEEP, 'pkg/ok.py': V2_SAFE, 'named.py': TOO_DEEP });
        let stats: RunStats | undefined;
        const walked = await runCli([command, '--no-cache', ...args, 'pkg'], { cwd: dir, poolMinFiles: 2, onStats: (s) => (stats = s) });
        assert.equal(stats?.workers, workers);
        assert.doesNotMatch(walked.stderr, /internal error|not fixed/);
        assert.ok(walked.stderr.includes(`warning: pkg/deep.py: skipped: ${TOO_DEEP_REASON}\n`), walked.stderr);
        assert.match(walked.stderr, /^1 file scanned, 1 skipped: /m);
        assert.equal(walked.code, exitWhenWalked[command], walked.stderr);
        assert.equal(fs.readFileSync(path.join(dir, 'pkg/deep.py'), 'utf8'), TOO_DEEP);
        assert.equal(fs.readFileSync(path.join(dir, 'pkg/ok.py'), 'utf8'), command === 'fix' ? V2_SAFE_FIXED : V2_SAFE);

        const named = await runCli([command, '--no-cache', ...args, 'named.py'], { cwd: dir });
        assert.doesNotMatch(named.stderr, /internal error|not fixed/);
        assert.ok(named.stderr.includes(`error: named.py: ${TOO_DEEP_REASON}\n`), named.stderr);
        assert.match(named.stderr, /^0 files scanned, 1 skipped: /m);
        assert.equal(named.stdout, '');
        assert.equal(named.code, 2);
        assert.equal(fs.readFileSync(path.join(dir, 'named.py'), 'utf8'), TOO_DEEP);

        const stdin = await runCli([command, ...args, '-'], { cwd: dir, readStdin: async () => Buffer.from(TOO_DEEP) });
        assert.equal(stdin.stderr, `error: -: ${TOO_DEEP_REASON}\n`);
        assert.equal(stdin.stdout, command === 'fix' ? TOO_DEEP : ''); // fix - passes the input through untouched
        assert.equal(stdin.code, 2);
      });
    }
  }

  it('with the cache: the refusal is never stored, a second check reports the same', async () => {
    writeTree(dir, { 'deep.py': TOO_DEEP, 'ok.py': V2_SAFE });
    const first = await runCli(['check', '--jobs', '1'], { cwd: dir });
    const second = await runCli(['check', '--jobs', '1'], { cwd: dir });
    for (const r of [first, second]) {
      assert.ok(r.stderr.includes(`warning: deep.py: skipped: ${TOO_DEEP_REASON}\n`), r.stderr);
      assert.equal(r.code, 1);
    }
    assert.equal(second.stdout, first.stdout);
  });
});
