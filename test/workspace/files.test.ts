import { strict as assert } from 'node:assert';
import * as fs from 'fs';
import * as path from 'path';
import { atomicWriteFile, decodePythonSource, encodePythonSource, encodingForCookie, findCodingCookie, readPythonFile, UTF8, WriteRefused } from '../../src/workspace/files';
import { nodeFileSystem, type FileSystem } from '../../src/workspace/fsys';
import { makeTempDir, removeDir, IS_ROOT } from '../support/helpers';

function decodeOk(bytes: Buffer): { text: string; name: string } {
  const r = decodePythonSource(bytes);
  assert.ok(r.ok, `expected to decode, got: ${r.ok ? '' : r.reason}`);
  return { text: r.text, name: r.encoding.name };
}

describe('workspace/files: decoding Python sources', () => {
  it('keeps a UTF-8 BOM and CRLF line endings, and round-trips byte-exact', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('import anyio\r\nx = "é😀"\r\n', 'utf8')]);
    const { text, name } = decodeOk(bytes);
    assert.equal(name, 'utf-8');
    assert.equal(text, '\uFEFFimport anyio\r\nx = "é😀"\r\n');
    const enc = encodePythonSource(text, UTF8);
    assert.ok(enc.ok);
    assert.ok(enc.bytes.equals(bytes));
  });

  it('rejects files with NUL bytes as binary', () => {
    const r = decodePythonSource(Buffer.from('import anyio\0\n', 'latin1'));
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.reason, /NUL bytes \(binary file\)/);
  });

  it('rejects non-UTF-8 bytes without a coding cookie', () => {
    const r = decodePythonSource(Buffer.from('x = "caf\xe9"\n', 'latin1'));
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.reason, /not valid UTF-8 and no PEP 263 coding cookie/);
  });

  it('honours a latin-1 cookie on line 1 and writes back the same bytes', () => {
    const bytes = Buffer.from('# -*- coding: latin-1 -*-\nx = "caf\xe9 \x80"\n', 'latin1');
    const { text, name } = decodeOk(bytes);
    assert.equal(name, 'latin-1');
    // True ISO-8859-1, not windows-1252: 0x80 is U+0080.
    assert.equal(text, '# -*- coding: latin-1 -*-\nx = "café \u0080"\n');
    const enc = encodePythonSource(text, encodingForCookie('latin-1')!);
    assert.ok(enc.ok && enc.bytes.equals(bytes));
  });

  it('honours a cookie on line 2 only after a comment or blank line 1', () => {
    assert.equal(findCodingCookie(Buffer.from('#!/usr/bin/env python\n# coding=cp1252\n')), 'cp1252');
    assert.equal(findCodingCookie(Buffer.from('\n# vim: set fileencoding=iso-8859-15 :\n')), 'iso-8859-15');
    assert.equal(findCodingCookie(Buffer.from('import os\n# coding: latin-1\n')), undefined);
    assert.equal(findCodingCookie(Buffer.from('import os\n')), undefined);
  });

  it('decodes cp1252 like Python (0x80 is the euro sign; undefined bytes are errors)', () => {
    const ok = Buffer.from('# coding: cp1252\ns = "\x80 \x93q\x94"\n', 'latin1');
    assert.equal(decodeOk(ok).text, '# coding: cp1252\ns = "€ “q”"\n');
    const undefinedByte = Buffer.from('# coding: cp1252\ns = "\x81"\n', 'latin1');
    const r = decodePythonSource(undefinedByte);
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.reason, /not valid cp1252/);
  });

  it('refuses to write text the declared encoding cannot represent', () => {
    const enc = encodingForCookie('latin-1')!;
    const r = encodePythonSource('x = "😀"\n', enc);
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.reason, /cannot be written losslessly in latin-1/);
  });

  it('refuses to encode lone surrogates as UTF-8 (no silent U+FFFD)', () => {
    const r = encodePythonSource('x = "\uD800"\n', UTF8);
    assert.equal(r.ok, false);
  });

  it('reads but will not write multi-byte legacy encodings', () => {
    const bytes = Buffer.concat([Buffer.from('# coding: shift_jis\ns = "'), Buffer.from([0x82, 0xa0]), Buffer.from('"\n')]);
    const { text, name } = decodeOk(bytes);
    assert.equal(name, 'shift_jis');
    assert.equal(text, '# coding: shift_jis\ns = "あ"\n');
    const r = encodePythonSource(text, encodingForCookie('shift_jis')!);
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.reason, /cannot write files in encoding shift_jis/);
  });

  it('reports unknown cookies and BOM/cookie conflicts', () => {
    const unknown = decodePythonSource(Buffer.from('# coding: klingon\nx = 1\n'));
    assert.equal(unknown.ok, false);
    assert.match(unknown.ok ? '' : unknown.reason, /unsupported source encoding 'klingon'/);
    const conflict = decodePythonSource(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('# coding: latin-1\n')]));
    assert.equal(conflict.ok, false);
    assert.match(conflict.ok ? '' : conflict.reason, /BOM conflicts/);
  });

  it('maps Python codec aliases (utf_8, Latin-1, iso8859-15, us-ascii)', () => {
    assert.equal(encodingForCookie('utf_8')?.name, 'utf-8');
    assert.equal(encodingForCookie('Latin-1')?.name, 'latin-1');
    assert.equal(encodingForCookie('iso8859-15')?.name, 'iso8859-15');
    assert.equal(encodingForCookie('us-ascii')?.name, 'ascii');
    // WHATWG's iso-8859-9 is really windows-1254: not the same table as Python's, so refused.
    assert.equal(encodingForCookie('iso-8859-9'), undefined);
    // Python's cp1253 leaves 0xAA undefined (WHATWG maps it to 'ª'): a decode error, as in Python.
    assert.equal(decodePythonSource(Buffer.from('# coding: cp1253\nx = "\xaa"\n', 'latin1')).ok, false);
    assert.equal(decodeOk(Buffer.from('# coding: cp1251\nx = "\xc0"\n', 'latin1')).text, '# coding: cp1251\nx = "А"\n');
  });
});

describe('workspace/files: reading and atomic writes', () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => removeDir(dir));

  it('skips files over the size limit without reading them', async () => {
    const file = path.join(dir, 'big.py');
    fs.writeFileSync(file, 'x = 1\n'.repeat(100));
    let reads = 0;
    const counting: FileSystem = { ...nodeFileSystem, open: (p, flags, mode) => (reads++, nodeFileSystem.open(p, flags, mode)) };
    const r = await readPythonFile(file, { fs: counting, maxFileSize: 100 });
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.reason, /larger than the size limit \(600 bytes > 100 bytes/);
    assert.equal(reads, 0);
  });

  it('reports I/O errors from the file system as I/O errors', async () => {
    const file = path.join(dir, 'a.py');
    fs.writeFileSync(file, 'import anyio\n');
    const denying: FileSystem = {
      ...nodeFileSystem,
      open: async () => {
        throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
      },
    };
    const r = await readPythonFile(file, { fs: denying });
    assert.deepEqual(r, { ok: false, reason: 'permission denied', ioError: true });
  });

  it('replaces the content, keeps the mode, leaves no temp file', async () => {
    const file = path.join(dir, 'script.py');
    fs.writeFileSync(file, 'old\n');
    fs.chmodSync(file, 0o751);
    await atomicWriteFile(file, Buffer.from('new\n'), { expected: Buffer.from('old\n') });
    assert.equal(fs.readFileSync(file, 'utf8'), 'new\n');
    assert.equal(fs.statSync(file).mode & 0o7777, 0o751);
    assert.deepEqual(fs.readdirSync(dir), ['script.py']);
  });

  it('never writes through a symlink: refuses, and the link and its target stay as they were', async () => {
    const target = path.join(dir, 'real.py');
    const link = path.join(dir, 'link.py');
    fs.writeFileSync(target, 'old\n');
    fs.symlinkSync(target, link);
    await assert.rejects(
      atomicWriteFile(link, Buffer.from('new\n'), { expected: Buffer.from('old\n') }),
      (err: unknown) => err instanceof WriteRefused && err.kind === 'symlink' && /is a symbolic link; not rewritten/.test(err.message),
    );
    assert.ok(fs.lstatSync(link).isSymbolicLink());
    assert.equal(fs.readlinkSync(link), target);
    assert.equal(fs.readFileSync(target, 'utf8'), 'old\n');
    assert.deepEqual(fs.readdirSync(dir).sort(), ['link.py', 'real.py']);
  });

  it('refuses when the file changed on disk since it was read', async () => {
    const file = path.join(dir, 'a.py');
    fs.writeFileSync(file, 'edited by someone else\n');
    await assert.rejects(
      atomicWriteFile(file, Buffer.from('fixed\n'), { expected: Buffer.from('what we analysed\n') }),
      (err: unknown) => err instanceof WriteRefused && err.kind === 'changed' && /changed on disk/.test(err.message),
    );
    assert.equal(fs.readFileSync(file, 'utf8'), 'edited by someone else\n');
  });

  it('refuses read-only files (even as root) and leaves them untouched', async () => {
    const file = path.join(dir, 'ro.py');
    fs.writeFileSync(file, 'old\n');
    fs.chmodSync(file, 0o444);
    await assert.rejects(atomicWriteFile(file, Buffer.from('new\n')), (err: unknown) => err instanceof WriteRefused && err.kind === 'read-only');
    assert.equal(fs.readFileSync(file, 'utf8'), 'old\n');
    assert.equal(fs.statSync(file).mode & 0o777, 0o444);
  });

  it('removes its temp file when the rename fails', async () => {
    const file = path.join(dir, 'a.py');
    fs.writeFileSync(file, 'old\n');
    const failingRename: FileSystem = {
      ...nodeFileSystem,
      commit: {
        ...nodeFileSystem.commit,
        renameSync: () => {
          throw Object.assign(new Error('EXDEV: cross-device link not permitted'), { code: 'EXDEV' });
        },
      },
    };
    await assert.rejects(atomicWriteFile(file, Buffer.from('new\n'), { fs: failingRename }), (err: unknown) => err instanceof WriteRefused && err.kind === 'io');
    assert.deepEqual(fs.readdirSync(dir), ['a.py']);
    assert.equal(fs.readFileSync(file, 'utf8'), 'old\n');
  });

  it('refuses to write into a directory it may not write to', async function () {
    if (IS_ROOT) this.skip(); // root ignores directory permissions; covered by the injected-failure test above
    const sub = path.join(dir, 'locked');
    fs.mkdirSync(sub);
    const file = path.join(sub, 'a.py');
    fs.writeFileSync(file, 'old\n');
    fs.chmodSync(sub, 0o555);
    await assert.rejects(atomicWriteFile(file, Buffer.from('new\n')), (err: unknown) => err instanceof WriteRefused && err.kind === 'read-only');
    fs.chmodSync(sub, 0o755);
    assert.equal(fs.readFileSync(file, 'utf8'), 'old\n');
  });
});
