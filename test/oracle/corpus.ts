/**
 * Corpora for the oracle and the fuzzer: the fixture inputs, realistic AnyIO 2 snippets taken from
 * the fixtures, and Debian's Python standard library (`/usr/lib/python3.11/**\/*.py`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadFixtures, type Fixture } from '../support/fixtures';
import type { FixOptions } from '../../src/core/types';

export const STDLIB_ROOT = process.env['ANYIO_MIGRATE_STDLIB'] ?? '/usr/lib/python3.11';

/** Every fixture case, in a stable order (folder, then name). */
export function allFixtures(): Fixture[] {
  return [...loadFixtures().values()].flat();
}

/** Every `.py` file under the standard library root, sorted, `__pycache__` and site-packages excluded. */
export function stdlibFiles(root: string = STDLIB_ROOT): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== '__pycache__' && e.name !== 'site-packages' && e.name !== 'dist-packages') walk(p);
      } else if (e.isFile() && e.name.endsWith('.py')) out.push(p);
    }
  };
  walk(root);
  return out.sort();
}

/** A deterministic sample: every `step`-th file starting at `offset`. */
export function sampleEvery<T>(items: readonly T[], step: number, offset = 0): T[] {
  return items.filter((_, i) => i % step === offset % step);
}

export function readUtf8(file: string): string {
  return fs.readFileSync(file).toString('utf8');
}

/**
 * `import anyio` added to a module, as the oracle and the fuzzer use it: prepended, or right after
 * the module's `from __future__` imports when it has any (which must stay at the top).
 */
export function withAnyioImport(text: string): string {
  let at = 0;
  const future = /^from[ \t]+__future__[ \t]+import[ \t]*(?:\([^)]*\)|[^\n]*)(?:\n|$)/gm;
  for (let m = future.exec(text); m; m = future.exec(text)) at = m.index + m[0].length;
  const sep = at > 0 && !text.slice(0, at).endsWith('\n') ? '\n' : '';
  return `${text.slice(0, at)}${sep}import anyio\n${text.slice(at)}`;
}

/**
 * Realistic AnyIO 2 code: the inputs of fixtures that fix-all changes, minus their directive
 * comments. Left out: files with a BOM or CR (their bytes are the point of those fixtures) and with
 * `from __future__` imports (only legal at the top of a module, so not appendable).
 */
export function anyio2Snippets(fixtures: readonly Fixture[] = allFixtures()): string[] {
  const snippets: string[] = [];
  for (const f of fixtures) {
    if (f.expectedFixed === undefined) continue;
    if (/[\r\uFEFF]/.test(f.input) || f.input.includes('__future__')) continue;
    const body = f.input
      .split('\n')
      .filter((l) => !l.startsWith('# codes:') && !l.startsWith('# anyio-migrate-test:'))
      .join('\n')
      .trim();
    if (body) snippets.push(`${body}\n`);
  }
  return snippets;
}

/** A stdlib module with a snippet appended (separated so that the module's last line stays intact). */
export function appendSnippet(module: string, snippet: string): string {
  const sep = module.endsWith('\n') ? '\n\n' : '\n\n\n';
  return `${module}${sep}${snippet}`;
}

/** The four ways the fixes can be asked for. */
export const FIX_MODES: ReadonlyArray<{ name: string; opts: FixOptions }> = [
  { name: 'safe/anyio3', opts: { unsafeFixes: false, target: 'anyio3' } },
  { name: 'unsafe/anyio3', opts: { unsafeFixes: true, target: 'anyio3' } },
  { name: 'safe/anyio2+3', opts: { unsafeFixes: false, target: 'anyio2+3' } },
  { name: 'unsafe/anyio2+3', opts: { unsafeFixes: true, target: 'anyio2+3' } },
];
