/**
 * Loads the rule fixtures in test/fixtures/<CODE>/: `<case>.py` (input, directives in its leading
 * comments), optional `<case>.fixed.py` (exact expected fix-all output) and `<case>.out` (expected
 * stdout of the program). Files are read as bytes and decoded as UTF-8 with the BOM and CRLF kept.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** test/fixtures, from the compiled location out/test/support/ or the source location test/support/. */
export function fixturesRoot(): string {
  const candidates = [path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures'), path.resolve(__dirname, '..', 'fixtures')];
  for (const c of candidates) if (fs.existsSync(c) && fs.statSync(c).isDirectory()) return c;
  throw new Error(`test/fixtures not found (looked in ${candidates.join(', ')})`);
}

export interface FixtureDirectives {
  /** The exact set of codes the engine must report (sorted, deduplicated). */
  codes: string[];
  unsafeFixes: boolean;
  originalFailsOn3: boolean;
  /** `target-anyio2+3`: fix for code that must run on AnyIO 2 and 3. */
  target: 'anyio3' | 'anyio2+3';
  /**
   * The AnyIO the original is written for (`written-for anyio3`; default AnyIO 2): a runnable
   * AnyIO 2 original must print `.out` on AnyIO 2.2.0, an AnyIO 3 one on 3.6.2.
   */
  writtenFor: 'anyio2' | 'anyio3';
}

export interface Fixture {
  /** Folder name: the rule code the fixture is filed under. */
  folder: string;
  /** Case name (file name without `.py`). */
  name: string;
  inputPath: string;
  input: string;
  /** Raw bytes of the input, for running it as-is. */
  inputBytes: Buffer;
  fixedPath?: string;
  expectedFixed?: string;
  expectedOut?: string;
  directives: FixtureDirectives;
}

/** test/support/run_on_backend.py: `python run_on_backend.py BACKEND PROGRAM` runs PROGRAM's `anyio.run()` on BACKEND. */
export const BACKEND_RUNNER: string = path.join(fixturesRoot(), '..', 'support', 'run_on_backend.py');

const CODES_PREFIX = '# codes:';
const FLAG_PREFIX = '# anyio-migrate-test:';
const KNOWN_FLAGS = new Set(['unsafe-fixes', 'original-fails-on-3', 'target-anyio2+3', 'written-for anyio2', 'written-for anyio3']);

export function readText(file: string): string {
  return fs.readFileSync(file).toString('utf8');
}

/** Parse the leading comment lines of a fixture. Throws on a malformed header. */
export function parseDirectives(text: string, where: string): FixtureDirectives {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let codes: string[] | undefined;
  const flags = new Set<string>();
  for (const line of lines) {
    if (!line.startsWith('#')) break;
    if (line.startsWith(CODES_PREFIX)) {
      if (codes) throw new Error(`${where}: more than one "${CODES_PREFIX}" line`);
      codes = line
        .slice(CODES_PREFIX.length)
        .split(/\s+/)
        .filter((c) => c.length > 0);
    } else if (line.startsWith(FLAG_PREFIX)) {
      const flag = line.slice(FLAG_PREFIX.length).trim();
      if (!KNOWN_FLAGS.has(flag)) throw new Error(`${where}: unknown directive "${flag}"`);
      flags.add(flag);
    }
  }
  if (!codes) throw new Error(`${where}: missing the "${CODES_PREFIX}" directive`);
  const writtenFor = flags.has('written-for anyio3') ? 'anyio3' : 'anyio2';
  if (flags.has('written-for anyio2') && writtenFor === 'anyio3') throw new Error(`${where}: written for both anyio2 and anyio3`);
  // Code that must keep running on AnyIO 2 starts from AnyIO 2 code; AnyIO 3 code cannot break on AnyIO 3.
  if (writtenFor === 'anyio3' && flags.has('target-anyio2+3')) throw new Error(`${where}: target-anyio2+3 needs an AnyIO 2 original`);
  if (writtenFor === 'anyio3' && flags.has('original-fails-on-3')) throw new Error(`${where}: an AnyIO 3 original cannot be marked original-fails-on-3`);
  return {
    codes: [...new Set(codes)].sort(),
    unsafeFixes: flags.has('unsafe-fixes'),
    originalFailsOn3: flags.has('original-fails-on-3'),
    target: flags.has('target-anyio2+3') ? 'anyio2+3' : 'anyio3',
    writtenFor,
  };
}

/** Every fixture, grouped by folder, folders and cases in sorted order. */
export function loadFixtures(root: string = fixturesRoot()): Map<string, Fixture[]> {
  const byFolder = new Map<string, Fixture[]>();
  const folders = fs
    .readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  for (const folder of folders) {
    const dir = path.join(root, folder);
    const cases: Fixture[] = [];
    const files = fs.readdirSync(dir).sort();
    for (const file of files) {
      if (!file.endsWith('.py') || file.endsWith('.fixed.py')) continue;
      const name = file.slice(0, -'.py'.length);
      const inputPath = path.join(dir, file);
      const inputBytes = fs.readFileSync(inputPath);
      const input = inputBytes.toString('utf8');
      const fixedPath = path.join(dir, `${name}.fixed.py`);
      const outPath = path.join(dir, `${name}.out`);
      const fixture: Fixture = {
        folder,
        name,
        inputPath,
        input,
        inputBytes,
        directives: parseDirectives(input, path.join(folder, file)),
      };
      if (fs.existsSync(fixedPath)) {
        fixture.fixedPath = fixedPath;
        fixture.expectedFixed = readText(fixedPath);
      }
      if (fs.existsSync(outPath)) fixture.expectedOut = readText(outPath);
      cases.push(fixture);
    }
    // Stray expectation files without an input are mistakes (a renamed case, a typo).
    for (const file of files) {
      const m = /^(.*)\.(fixed\.py|out)$/.exec(file);
      if (m && !files.includes(`${m[1]}.py`)) {
        throw new Error(`${folder}/${file} has no matching ${m[1]}.py`);
      }
    }
    byFolder.set(folder, cases);
  }
  return byFolder;
}
