// Writes the fixtures whose exact bytes matter (CRLF line endings, tab indentation, a UTF-8 BOM).
// Run once with `node test/support/generate-encoded-fixtures.mjs`; the generated files are kept
// in the repository. Lines are written with `\n` below and converted when CRLF is wanted.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** @param {string} file @param {string} text @param {{ crlf?: boolean, bom?: boolean }} opts */
function write(file, text, opts = {}) {
  let body = opts.crlf ? text.replace(/\n/g, '\r\n') : text;
  if (opts.bom) body = '\uFEFF' + body;
  writeFileSync(join(fixtures, file), Buffer.from(body, 'utf8'));
}

// ASY102: CRLF + tabs, awaits on sync methods inside class methods.
const crlfInput = [
  '# codes: ASY102',
  '# anyio-migrate-test: written-for anyio3',
  'import anyio',
  '',
  '',
  'class Gate:',
  '\tdef __init__(self):',
  '\t\tself.opened = anyio.Event()',
  '\t\tself.lock = anyio.Lock()',
  '',
  '\tasync def open(self):',
  '\t\tawait self.lock.acquire()',
  '\t\ttry:',
  '\t\t\tawait self.opened.set()',
  '\t\tfinally:',
  '\t\t\tawait self.lock.release()',
  '',
  '',
  'async def main():',
  '\tgate = Gate()',
  '\tawait gate.open()',
  '\tprint("gate open:", gate.opened.is_set(), "locked:", gate.lock.locked())',
  '',
  '',
  'anyio.run(main)',
  '',
].join('\n');
write('ASY102/crlf_tabs.py', crlfInput, { crlf: true });
write('ASY102/crlf_tabs.fixed.py', crlfInput.replace('await self.opened.set()', 'self.opened.set()').replace('await self.lock.release()', 'self.lock.release()'), { crlf: true });
write('ASY102/crlf_tabs.out', 'gate open: True locked: False\n');

// ASY203: CRLF + tabs, a mixed `async with` that must be split (the body is re-indented with a tab).
const splitInput = [
  '# codes: ASY203',
  '# anyio-migrate-test: written-for anyio3',
  'import anyio',
  '',
  '',
  'async def main():',
  '\tlock = anyio.Lock()',
  '\tasync with anyio.move_on_after(5), lock:',
  '\t\tprint("locked:", lock.locked())',
  '\t\tfor n in range(2):',
  '\t\t\tprint("step", n)',
  '\tprint("released:", not lock.locked())',
  '',
  '',
  'anyio.run(main)',
  '',
].join('\n');
const splitFixed = [
  '# codes: ASY203',
  '# anyio-migrate-test: written-for anyio3',
  'import anyio',
  '',
  '',
  'async def main():',
  '\tlock = anyio.Lock()',
  '\twith anyio.move_on_after(5):',
  '\t\tasync with lock:',
  '\t\t\tprint("locked:", lock.locked())',
  '\t\t\tfor n in range(2):',
  '\t\t\t\tprint("step", n)',
  '\tprint("released:", not lock.locked())',
  '',
  '',
  'anyio.run(main)',
  '',
].join('\n');
write('ASY203/crlf_tabs_split.py', splitInput, { crlf: true });
write('ASY203/crlf_tabs_split.fixed.py', splitFixed, { crlf: true });
write('ASY203/crlf_tabs_split.out', 'locked: True\nstep 0\nstep 1\nreleased: True\n');

// ASY201: UTF-8 BOM, `import anyio as aio`, non-ASCII text before the edits on the same line.
const bomInput = [
  '# codes: ASY201',
  '# 文件以 BOM 开头 😀',
  'import anyio as aio',
  '',
  '',
  'async def main():',
  '\tnames = {"锁 🔒": aio.create_lock(), "事件 😀": aio.create_event()}',
  '\tprint(sorted(type(v).__name__ for v in names.values()))',
  '',
  '',
  'aio.run(main)',
  '',
].join('\n');
write('ASY201/bom_alias.py', bomInput, { bom: true });
write('ASY201/bom_alias.fixed.py', bomInput.replace('aio.create_lock()', 'aio.Lock()').replace('aio.create_event()', 'aio.Event()'), { bom: true });
write('ASY201/bom_alias.out', "['Event', 'Lock']\n");

// ASY301: BOM + CRLF together, spaces indentation, emoji before the edit on the same line.
const bomCrlfInput = [
  '# codes: ASY301',
  'import anyio',
  '',
  '',
  'async def job(tag, out):',
  '    out.append(tag)',
  '',
  '',
  'async def main():',
  '    out = []',
  '    async with anyio.create_task_group() as tg:',
  '        tag = "😀😀"; await tg.spawn(job, tag, out)',
  '    print(out)',
  '',
  '',
  'anyio.run(main)',
  '',
].join('\n');
write('ASY301/bom_crlf.py', bomCrlfInput, { bom: true, crlf: true });
write('ASY301/bom_crlf.fixed.py', bomCrlfInput.replace('await tg.spawn(', 'tg.start_soon('), { bom: true, crlf: true });
write('ASY301/bom_crlf.out', "['😀😀']\n");

// ASY402: CRLF; the fix splits a `from anyio import` list and adds a line, which must end in CRLF too.
const splitImportInput = [
  '# codes: ASY402',
  'import anyio',
  'from anyio import sleep, start_blocking_portal',
  '',
  '',
  'async def nap():',
  '    await sleep(0)',
  '    return "rested"',
  '',
  '',
  'with start_blocking_portal() as portal:',
  '    print(portal.call(nap), anyio.__name__)',
  '',
].join('\n');
write('ASY402/crlf_split_import.py', splitImportInput, { crlf: true });
write(
  'ASY402/crlf_split_import.fixed.py',
  splitImportInput.replace('from anyio import sleep, start_blocking_portal\n', 'from anyio import sleep\nfrom anyio.from_thread import start_blocking_portal\n'),
  { crlf: true },
);
write('ASY402/crlf_split_import.out', 'rested anyio\n');

// ASY604, ASY605: the clean-ups that rebuild a block keep every comment, in order, in a CRLF file too
// (the comments_kept cases, with CRLF line endings).
for (const code of ['ASY604', 'ASY605']) {
  for (const ext of ['.py', '.fixed.py']) {
    write(`${code}/comments_kept_crlf${ext}`, readFileSync(join(fixtures, code, `comments_kept${ext}`), 'utf8'), { crlf: true });
  }
  write(`${code}/comments_kept_crlf.out`, readFileSync(join(fixtures, code, 'comments_kept.out'), 'utf8'));
}
