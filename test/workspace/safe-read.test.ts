import { strict as assert } from 'node:assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { readRegularFile, readRegularFileSync, type SafeReadFs, type SafeReadHandle, type SafeReadFsSync } from '../../src/workspace/safe-read';
import { readPythonFile } from '../../src/workspace/files';
import { type FileSystem, nodeFileSystem } from '../../src/workspace/fsys';
import { runCli } from '../support/harness';
import { makeTempDir, removeDir, writeTree, V2_SAFE } from '../support/helpers';
import { snapshotTree } from '../support/tree-snapshot';

const HAS_DEV_ZERO = fs.existsSync('/dev/zero');

function mkfifo(file: string): boolean {
  const r = spawnSync('mkfifo', [file]);
  return r.status === 0;
}

/** The real file system, counting the bytes asked for and read. */
function countingFs(): { fs: SafeReadFs; requested: number; read: number; opens: number } {
  const counts = { requested: 0, read: 0, opens: 0 };
  const wrapped: SafeReadFs = {
    open: async (file, flags) => {
      counts.opens++;
      const h = await fs.promises.open(file, flags);
      return {
        stat: () => h.stat(),
        read: async (buffer, offset, length, position) => {
          counts.requested += length;
          const r = await h.read(buffer, offset, length, position);
          counts.read += r.bytesRead;
          return r;
        },
        close: () => h.close(),
      };
    },
  };
  return Object.assign(counts, { fs: wrapped });
}

describe('workspace/safe-read: reading only regular files, with a cap', () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => removeDir(dir));

  it('reads a regular file exactly, up to and including the cap', async () => {
    writeTree(dir, { 'a.txt': 'hello', 'empty.txt': '' });
    const a = await readRegularFile(path.join(dir, 'a.txt'), 5);
    assert.ok(a.ok);
    assert.equal(a.bytes.toString(), 'hello');
    const e = await readRegularFile(path.join(dir, 'empty.txt'), 5);
    assert.ok(e.ok);
    assert.equal(e.bytes.length, 0);
    const s = readRegularFileSync(path.join(dir, 'a.txt'), 5);
    assert.ok(s.ok);
    assert.equal(s.bytes.toString(), 'hello');
  });

  it('refuses a file one byte over the cap, reading at most cap + 1 bytes', async () => {
    writeTree(dir, { 'big.txt': 'x'.repeat(100_000) });
    const c = countingFs();
    const r = await readRegularFile(path.join(dir, 'big.txt'), 10, { fs: c.fs });
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.kind, 'too-large');
    assert.match(!r.ok ? r.reason : '', /larger than the size limit \(97\.7 KB > 10 bytes\)/);
    assert.equal(c.read, 0, 'the fstat size was enough to refuse');
    const exact = await readRegularFile(path.join(dir, 'big.txt'), 99_999);
    assert.equal(!exact.ok && exact.kind, 'too-large');
    const sync = readRegularFileSync(path.join(dir, 'big.txt'), 10);
    assert.equal(!sync.ok && sync.kind, 'too-large');
  });

  it('applies the cap to what is read, not to the size fstat reports (files that lie, /proc)', async () => {
    // A file whose fstat says 0 bytes and whose content never ends, like a /proc file or one that grows.
    let requested = 0;
    const endless: SafeReadHandle = {
      stat: async () => fs.statSync(path.join(dir, 'small.txt')),
      read: async (buffer, offset, length) => {
        requested += length;
        buffer.fill(0x61, offset, offset + length);
        return { bytesRead: length };
      },
      close: async () => undefined,
    };
    writeTree(dir, { 'small.txt': '' });
    const r = await readRegularFile('/virtual/endless', 1000, { fs: { open: async () => endless } });
    assert.equal(!r.ok && r.kind, 'too-large');
    assert.match(!r.ok ? r.reason : '', /larger than the size limit \(more than 1000 bytes\)/);
    assert.ok(requested <= 1001, `asked for ${requested} bytes, at most 1001 allowed`);

    let syncRequested = 0;
    const endlessSync: SafeReadFsSync = {
      openSync: () => 99,
      fstatSync: () => fs.statSync(path.join(dir, 'small.txt')),
      readSync: (_fd, buffer, offset, length) => {
        syncRequested += length;
        return length;
      },
      closeSync: () => undefined,
    };
    const s = readRegularFileSync('/virtual/endless', 1000, { fs: endlessSync });
    assert.equal(!s.ok && s.kind, 'too-large');
    assert.ok(syncRequested <= 1001);

    if (fs.existsSync('/proc/self/status')) {
      assert.equal(fs.statSync('/proc/self/status').size, 0, 'procfs reports size 0');
      const proc = await readRegularFile('/proc/self/status', 1024 * 1024);
      assert.ok(proc.ok);
      assert.match(proc.bytes.toString(), /^Name:/);
    }
  });

  it('refuses a FIFO without blocking and without reading (no writer, async and sync)', async function () {
    const fifo = path.join(dir, 'pipe.py');
    if (!mkfifo(fifo)) this.skip();
    const c = countingFs();
    const r = await readRegularFile(fifo, 1000, { fs: c.fs });
    assert.deepEqual(r, { ok: false, kind: 'not-regular', reason: 'not a regular file (a FIFO)' });
    assert.equal(c.requested, 0);
    assert.deepEqual(readRegularFileSync(fifo, 1000), { ok: false, kind: 'not-regular', reason: 'not a regular file (a FIFO)' });
  });

  it('refuses /dev/zero, also through a symlink, without reading a byte', async function () {
    if (!HAS_DEV_ZERO) this.skip();
    const link = path.join(dir, 'zero.toml');
    fs.symlinkSync('/dev/zero', link);
    const c = countingFs();
    const r = await readRegularFile(link, 1024 * 1024, { fs: c.fs });
    assert.deepEqual(r, { ok: false, kind: 'not-regular', reason: 'not a regular file (a character device)' });
    assert.equal(c.requested, 0);
    assert.deepEqual(readRegularFileSync(link, 1024 * 1024), r);
  });

  it('refuses a directory and a socket', async function () {
    const d = await readRegularFile(dir, 100);
    assert.deepEqual(d, { ok: false, kind: 'not-regular', reason: 'not a regular file (a directory)' });
    const sock = path.join(dir, 's.sock');
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => server.listen(sock, resolve).on('error', reject));
    try {
      const s = await readRegularFile(sock, 100);
      assert.equal(!s.ok && s.kind, 'not-regular');
      assert.equal(!readRegularFileSync(sock, 100).ok, true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('with noFollow, refuses a symlink as such; missing files are io/ENOENT', async () => {
    writeTree(dir, { 'real.txt': 'x' });
    fs.symlinkSync(path.join(dir, 'real.txt'), path.join(dir, 'link.txt'));
    const r = await readRegularFile(path.join(dir, 'link.txt'), 10, { noFollow: true });
    assert.equal(!r.ok && r.kind, 'symlink');
    assert.equal(!readRegularFileSync(path.join(dir, 'link.txt'), 10, { noFollow: true }).ok && 'refused', 'refused');
    assert.ok((await readRegularFile(path.join(dir, 'link.txt'), 10)).ok, 'followed without noFollow');
    assert.ok((await readRegularFile(path.join(dir, 'real.txt'), 10, { noFollow: true })).ok);
    const missing = await readRegularFile(path.join(dir, 'nope'), 10);
    assert.deepEqual(missing, { ok: false, kind: 'io', reason: 'no such file or directory', code: 'ENOENT' });
  });

  it('stops when the signal is aborted', async () => {
    writeTree(dir, { 'a.txt': 'hello' });
    const ac = new AbortController();
    ac.abort();
    const c = countingFs();
    const r = await readRegularFile(path.join(dir, 'a.txt'), 10, { fs: c.fs, signal: ac.signal });
    assert.equal(!r.ok && r.code, 'ABORT_ERR');
    assert.equal(c.opens, 0);
  });
});

describe('workspace/safe-read: Python sources are read only when regular', () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => removeDir(dir));

  it('readPythonFile skips a FIFO and /dev/zero with a clear reason instead of hanging', async function () {
    const fifo = path.join(dir, 'pipe.py');
    if (!mkfifo(fifo)) this.skip();
    assert.deepEqual(await readPythonFile(fifo), { ok: false, reason: 'not a regular file (a FIFO)', ioError: true });
    if (HAS_DEV_ZERO) {
      fs.symlinkSync('/dev/zero', path.join(dir, 'zero.py'));
      assert.deepEqual(await readPythonFile(path.join(dir, 'zero.py')), { ok: false, reason: 'not a regular file (a character device)', ioError: true });
    }
  });

  it('readPythonFile checks the opened descriptor: a file swapped for a FIFO after its stat is refused', async function () {
    const fifo = path.join(dir, 'swapped.py');
    if (!mkfifo(fifo)) this.skip();
    writeTree(dir, { 'regular.py': 'x = 1\n' });
    // The stat is answered as it was before the swap; the read then meets the FIFO.
    const racing: FileSystem = { ...nodeFileSystem, stat: async () => fs.promises.stat(path.join(dir, 'regular.py')) };
    const r = await readPythonFile(fifo, { fs: racing });
    assert.deepEqual(r, { ok: false, reason: 'not a regular file (a FIFO)', ioError: true });
  });

  it('check: a file swapped for a FIFO between the walk and the read is skipped with a warning; nothing else changes', async function () {
    writeTree(dir, { 'a.py': V2_SAFE, 'swap.py': V2_SAFE });
    if (!mkfifo(path.join(dir, 'probe.fifo'))) this.skip();
    fs.unlinkSync(path.join(dir, 'probe.fifo'));
    const swapped = path.join(dir, 'swap.py');
    let swaps = 0;
    // The walker resolves each file it yields; right after that, swap.py becomes a FIFO.
    const swapping: FileSystem = {
      ...nodeFileSystem,
      realpath: async (p) => {
        const real = await nodeFileSystem.realpath(p);
        if (p === swapped && swaps++ === 0) {
          fs.unlinkSync(swapped);
          assert.ok(mkfifo(swapped));
        }
        return real;
      },
    };
    const before = snapshotTree(dir);
    const r = await runCli(['check', '--no-cache', '--jobs', '1'], { cwd: dir, fs: swapping });
    assert.equal(swaps, 1);
    assert.match(r.stderr, /^warning: swap\.py: skipped: not a regular file \(a FIFO\)$/m);
    assert.match(r.stdout, /^a\.py:5:13: ASY101/m);
    assert.equal(r.code, 1);
    const after = snapshotTree(dir);
    assert.deepEqual(Object.keys(after), Object.keys(before));
    assert.equal(after['a.py'], before['a.py']);
    assert.match(after['swap.py']!, /^special /, 'still the FIFO the test made (the run neither read nor replaced it)');
  });

  it('check: a FIFO named on the command line is an error, one found by the walk is not read', async function () {
    writeTree(dir, { 'a.py': V2_SAFE });
    if (!mkfifo(path.join(dir, 'pipe.py'))) this.skip();
    const before = snapshotTree(dir);
    const named = await runCli(['check', '--no-cache', 'pipe.py', 'a.py'], { cwd: dir });
    assert.equal(named.code, 2);
    assert.match(named.stderr, /^error: pipe\.py: not a regular file/m);
    const walked = await runCli(['check', '--no-cache'], { cwd: dir });
    assert.equal(walked.code, 1);
    assert.match(walked.stdout, /^a\.py:5:13: ASY101/m);
    assert.doesNotMatch(walked.stdout + walked.stderr, /pipe\.py/);
    assert.deepEqual(snapshotTree(dir), before);
  });
});
