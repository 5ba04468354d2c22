/**
 * Writes that cannot lose edits: the file is compared with what was read after the temp file is
 * fsynced, immediately before the rename (a test seam runs in that window and plays the concurrent
 * editor); a deleted or renamed file is never re-created; links are never written through; our
 * stale temp files are cleaned up, and only ours.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { atomicWriteFile, fileIdentity, removeInFlightTempFiles, removeStaleTempFiles, STALE_TEMP_AGE_MS, TEMP_FILE_PATTERN, WriteRefused } from '../../src/workspace/files';
import type { RunStats } from '../../src/cli/run';
import { runCli } from '../support/harness';
import { makeTempDir, readText, removeDir, V2_SAFE, V2_SAFE_FIXED, writeTree } from '../support/helpers';

function allNames(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      out.push(path.relative(root, full));
      if (e.isDirectory() && !e.isSymbolicLink()) walk(full);
    }
  };
  walk(root);
  return out.sort();
}

/** A pid that is not running: a child that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  assert.ok(r.pid && r.pid > 0);
  return r.pid;
}

describe('cli/writes: the race between reading and replacing a file', function () {
  this.timeout(60000);
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => removeDir(dir));

  const OLD = Buffer.from('old content\n');
  const NEW = Buffer.from('new content\n');

  /** Write `NEW` over a file holding `OLD`, running `meanwhile` in the window before the rename. */
  const writeWith = async (meanwhile: (file: string) => void): Promise<{ file: string; error: unknown }> => {
    const file = path.join(dir, 'a.py');
    fs.writeFileSync(file, OLD);
    const identity = await fileIdentity(file, OLD);
    assert.ok(identity);
    let seamRan = false;
    let error: unknown;
    try {
      await atomicWriteFile(file, NEW, {
        identity,
        beforeCommit: (f, tmp) => {
          seamRan = true;
          assert.equal(f, file);
          assert.match(path.basename(tmp), TEMP_FILE_PATTERN);
          assert.equal(fs.readFileSync(tmp, 'utf8'), NEW.toString()); // written and fsynced by now
          meanwhile(file);
        },
      });
    } catch (err) {
      error = err;
    }
    assert.ok(seamRan);
    return { file, error };
  };
  const refused = (error: unknown, kind: WriteRefused['kind']): void => {
    assert.ok(error instanceof WriteRefused, String(error));
    assert.equal(error.kind, kind, error.message);
  };

  it('an edit in the window survives (refused as changed), even one of the same size', async () => {
    for (const edit of ['OLD CONTENT\n', 'old content\n# more\n']) {
      const { file, error } = await writeWith((f) => fs.writeFileSync(f, edit));
      refused(error, 'changed');
      assert.equal(readText(file), edit);
      assert.deepEqual(allNames(dir), ['a.py']);
    }
  });

  it('a file replaced by another with the same bytes (an editor saving via rename) is not overwritten', async () => {
    const { file, error } = await writeWith((f) => {
      fs.writeFileSync(`${f}.save`, OLD);
      fs.renameSync(`${f}.save`, f);
    });
    refused(error, 'changed');
    assert.equal(readText(file), OLD.toString());
  });

  it('a file deleted in the window is not re-created', async () => {
    const { file, error } = await writeWith((f) => fs.unlinkSync(f));
    refused(error, 'vanished');
    assert.equal(fs.existsSync(file), false);
    assert.deepEqual(allNames(dir), []);
  });

  it('a file renamed in the window does not reappear under its old name', async () => {
    const { file, error } = await writeWith((f) => fs.renameSync(f, path.join(dir, 'b.py')));
    refused(error, 'vanished');
    assert.equal(fs.existsSync(file), false);
    assert.equal(readText(path.join(dir, 'b.py')), OLD.toString());
    assert.deepEqual(allNames(dir), ['b.py']);
  });

  it('a file swapped for a link in the window: the link and its target are left alone', async () => {
    const target = path.join(dir, 'target.py');
    fs.writeFileSync(target, OLD);
    const { file, error } = await writeWith((f) => {
      fs.unlinkSync(f);
      fs.symlinkSync(target, f);
    });
    refused(error, 'symlink');
    assert.equal(fs.readlinkSync(file), target);
    assert.equal(readText(target), OLD.toString());
  });

  it('without a change, the write goes through (the seam alone changes nothing)', async () => {
    const { file, error } = await writeWith(() => undefined);
    assert.equal(error, undefined);
    assert.equal(readText(file), NEW.toString());
    assert.deepEqual(allNames(dir), ['a.py']);
  });

  it('removeInFlightTempFiles (the SIGINT/SIGTERM handlers) removes the temp file of a write in flight', async () => {
    let tempSeen = '';
    const f = path.join(dir, 'c.py');
    fs.writeFileSync(f, OLD);
    await assert.rejects(
      atomicWriteFile(f, NEW, {
        expected: OLD,
        beforeCommit: (_file, tmp) => {
          tempSeen = tmp;
          assert.equal(removeInFlightTempFiles(), 1);
          assert.equal(fs.existsSync(tmp), false);
        },
      }),
      WriteRefused,
    );
    assert.ok(tempSeen !== '');
    assert.equal(readText(f), OLD.toString());
    assert.deepEqual(allNames(dir), ['c.py']);
  });

  it('fix with a concurrent editor: every edit survives, no deleted or renamed file reappears, the rest is fixed', async () => {
    const n = 60;
    const files: Record<string, string> = {};
    for (let i = 0; i < n; i++) files[`pkg${i % 3}/m${String(i).padStart(2, '0')}.py`] = V2_SAFE;
    writeTree(dir, files);
    const action = (rel: string): number => Number(/m(\d+)\.py$/.exec(rel)![1]) % 5;
    const seen: string[] = [];
    let stats: RunStats | undefined;
    const r = await runCli(['fix', '--no-progress', '--jobs', '2'], {
      cwd: dir,
      poolMinFiles: 2,
      onStats: (s) => (stats = s),
      beforeCommit: (file) => {
        const rel = path.relative(dir, file);
        seen.push(rel);
        switch (action(rel)) {
          case 0: // edit in place
            fs.appendFileSync(file, `# user edit of ${rel}\n`);
            break;
          case 1: // delete
            fs.unlinkSync(file);
            break;
          case 2: // rename away
            fs.renameSync(file, `${file}.moved`);
            break;
          case 3: // save via a new file renamed over it
            fs.writeFileSync(`${file}.new`, `${V2_SAFE}# saved by the editor\n`);
            fs.renameSync(`${file}.new`, file);
            break;
          default: // left alone
        }
      },
    });
    assert.ok(stats);
    assert.equal(seen.length, n);
    for (const rel of Object.keys(files)) {
      const full = path.join(dir, rel);
      switch (action(rel)) {
        case 0:
          assert.equal(readText(full), `${V2_SAFE}# user edit of ${rel}\n`, rel);
          break;
        case 1:
          assert.equal(fs.existsSync(full), false, rel);
          break;
        case 2:
          assert.equal(fs.existsSync(full), false, rel);
          assert.equal(readText(`${full}.moved`), V2_SAFE, rel);
          break;
        case 3:
          assert.equal(readText(full), `${V2_SAFE}# saved by the editor\n`, rel);
          break;
        default:
          assert.equal(readText(full), V2_SAFE_FIXED, rel);
      }
    }
    assert.equal(allNames(dir).filter((p) => p.endsWith('.tmp')).length, 0);
    assert.equal((r.stderr.match(/not written: file changed on disk/g) ?? []).length, 24);
    assert.equal((r.stderr.match(/not written: file was deleted or renamed since it was read; not re-creating it/g) ?? []).length, 24);
    assert.match(r.stdout + r.stderr, /12 files changed/);
    assert.equal(r.code, 1); // the files not written still have findings
  });

  it('fix refuses a file that is a symbolic link (when the walk yields one) and leaves its target alone', async () => {
    writeTree(dir, { 'real.py': V2_SAFE });
    fs.symlinkSync(path.join(dir, 'real.py'), path.join(dir, 'link.py'));
    const r = await runCli(['fix', 'link.py'], { cwd: dir });
    assert.equal(readText(path.join(dir, 'real.py')), V2_SAFE);
    assert.ok(fs.lstatSync(path.join(dir, 'link.py')).isSymbolicLink());
    assert.match(r.stderr, /warning: link\.py: not written: is a symbolic link; not rewritten/);
  });
});

describe('cli/writes: stale temp files of ours', function () {
  this.timeout(60000);
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => removeDir(dir));

  it('removes only exact-name regular files of dead processes (or very old ones), and only where fix processes files', async () => {
    const dead = deadPid();
    const live = process.ppid;
    const stale = `.a.py.anyio-migrate-${dead}-0123abcd.tmp`;
    const liveFresh = `.a.py.anyio-migrate-${live}-0123abcd.tmp`;
    const liveOld = `.b.py.anyio-migrate-${live}-89abcdef.tmp`;
    const linkLike = `.c.py.anyio-migrate-${dead}-00000000.tmp`;
    const dirLike = `.d.py.anyio-migrate-${dead}-11111111.tmp`;
    const near = [
      `.a.py.anyio-migrate-${dead}-0123abcd.tmp.bak`,
      `a.py.anyio-migrate-${dead}-0123abcd.tmp`,
      `.a.py.anyio-migrate-${dead}-0123ABCD.tmp`,
      `.a.py.anyio-migrate-x${dead}-0123abcd.tmp`,
    ];
    writeTree(dir, {
      'pkg/a.py': V2_SAFE,
      [`pkg/${stale}`]: 'partial',
      [`pkg/${liveFresh}`]: 'in flight elsewhere',
      [`pkg/${liveOld}`]: 'pid reused',
      [`pkg/${dirLike}/inside`]: 'a directory is never ours',
      ...Object.fromEntries(near.map((n) => [`pkg/${n}`, 'not our name'])),
      'elsewhere/notes.txt': 'not processed',
      [`elsewhere/${stale}`]: 'not in a directory fix visits',
    });
    const old = (Date.now() - STALE_TEMP_AGE_MS - 60_000) / 1000;
    fs.utimesSync(path.join(dir, 'pkg', liveOld), old, old);
    fs.writeFileSync(path.join(dir, 'victim.txt'), 'keep\n');
    fs.symlinkSync(path.join(dir, 'victim.txt'), path.join(dir, 'pkg', linkLike));
    let stats: RunStats | undefined;
    const r = await runCli(['fix', 'pkg/a.py'], { cwd: dir, onStats: (s) => (stats = s) });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(stats?.staleTempsRemoved, 2);
    const left = fs.readdirSync(path.join(dir, 'pkg')).sort();
    assert.deepEqual(left, ['a.py', liveFresh, linkLike, dirLike, ...near].sort());
    assert.equal(readText(path.join(dir, 'victim.txt')), 'keep\n');
    assert.ok(fs.existsSync(path.join(dir, 'elsewhere', stale)));
    assert.equal(readText(path.join(dir, 'pkg', 'a.py')), V2_SAFE_FIXED);
  });

  it('check and diff never delete anything', async () => {
    const stale = `.a.py.anyio-migrate-${deadPid()}-0123abcd.tmp`;
    writeTree(dir, { 'a.py': V2_SAFE, [stale]: 'partial' });
    await runCli(['check', '--no-cache'], { cwd: dir });
    await runCli(['diff', '--no-cache'], { cwd: dir });
    assert.ok(fs.existsSync(path.join(dir, stale)));
    assert.deepEqual(await removeStaleTempFiles(dir, { isAlive: () => true, now: Date.now() }), []);
    assert.deepEqual(await removeStaleTempFiles(dir), [path.join(dir, stale)]);
  });
});
