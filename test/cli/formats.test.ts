import { strict as assert } from 'node:assert';
import * as path from 'path';
import { initEngine, analyze, fixAll, RULES } from '../../src/engine';
import type { Finding } from '../../src/core/types';
import { LineIndex } from '../../src/core/text';
import { escapeGithubData, escapeGithubProperty } from '../../src/cli/formats';
import { changedSpan } from '../../src/cli/sarif';
import { runCli } from '../support/harness';
import { makeTempDir, removeDir, writeTree, readText, V2_SAFE } from '../support/helpers';

/** Findings on a line whose columns count CJK characters and an emoji (two UTF-16 code units). */
const WIDE = ['import anyio', '', '', 'async def main():', '    s = "日本😀"; start = await anyio.current_time()', '    return s, start', ''].join('\n');
const WIDE_COLUMN = 25; // 4 spaces + `s = "` (5) + 日本 (2) + 😀 (2) + `"; ` (3) + `start = ` (8), 1-based

interface Sarif {
  version: string;
  runs: Array<{
    tool: { driver: { name: string; version: string; informationUri: string; rules: Array<{ id: string; name: string; shortDescription: { text: string }; helpUri: string }> } };
    columnKind: string;
    originalUriBaseIds: Record<string, { uri: string }>;
    results: SarifResult[];
  }>;
}
interface Region {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}
interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: Array<{ physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region: Region } }>;
  fixes?: Array<{
    description: { text: string };
    artifactChanges: Array<{ artifactLocation: { uri: string }; replacements: Array<{ deletedRegion: Region; insertedContent: { text: string } }> }>;
  }>;
}
interface GitlabIssue {
  description: string;
  check_name: string;
  fingerprint: string;
  severity: string;
  location: { path: string; lines: { begin: number } };
}

/** The SARIF 2.1.0 properties a consumer requires, checked on every object of the log. */
function assertValidSarif(log: Sarif): void {
  assert.equal(log.version, '2.1.0');
  assert.equal(log.runs.length, 1);
  const run = log.runs[0]!;
  const driver = run.tool.driver;
  assert.equal(driver.name, 'anyio-migrate');
  assert.match(driver.version, /^\d+\.\d+\.\d+/);
  assert.match(driver.informationUri, /^https:\/\//);
  assert.deepEqual(
    driver.rules.map((r) => r.id),
    RULES.map((r) => r.code),
  );
  for (const r of driver.rules) {
    assert.ok(r.name && r.shortDescription.text, r.id);
    assert.match(r.helpUri, /^https:\/\/.*#asy\d+-/);
  }
  assert.equal(run.columnKind, 'utf16CodeUnits');
  assert.match(run.originalUriBaseIds['%SRCROOT%']!.uri, /^file:\/\/.*\/$/);
  const isRegion = (g: Region): void => {
    for (const k of ['startLine', 'startColumn', 'endLine', 'endColumn'] as const) assert.ok(Number.isInteger(g[k]) && g[k] >= 1, `${k}: ${g[k]}`);
    assert.ok(g.endLine > g.startLine || (g.endLine === g.startLine && g.endColumn >= g.startColumn));
  };
  for (const res of run.results) {
    assert.equal(driver.rules[res.ruleIndex]!.id, res.ruleId);
    assert.ok(['error', 'warning', 'note'].includes(res.level));
    assert.ok(res.message.text.length > 0);
    assert.equal(res.locations.length, 1);
    const loc = res.locations[0]!.physicalLocation;
    assert.ok(loc.artifactLocation.uri.length > 0);
    assert.doesNotMatch(loc.artifactLocation.uri, / /);
    isRegion(loc.region);
    for (const fix of res.fixes ?? []) {
      assert.ok(fix.description.text.length > 0);
      assert.ok(fix.artifactChanges.length > 0);
      for (const change of fix.artifactChanges) {
        assert.equal(change.artifactLocation.uri, loc.artifactLocation.uri);
        assert.ok(change.replacements.length > 0);
        for (const rep of change.replacements) {
          isRegion(rep.deletedRegion);
          assert.equal(typeof rep.insertedContent.text, 'string');
        }
      }
    }
  }
}

/** `text` with a SARIF fix's replacements applied (regions read back with the CLI's line index). */
function applySarifFix(text: string, fix: NonNullable<SarifResult['fixes']>[number]): string {
  const index = new LineIndex(text);
  const edits = fix.artifactChanges[0]!.replacements.map((r) => ({
    start: index.offsetOf(r.deletedRegion.startLine, r.deletedRegion.startColumn)!,
    end: index.offsetOf(r.deletedRegion.endLine, r.deletedRegion.endColumn)!,
    text: r.insertedContent.text,
  }));
  let out = text;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

describe('cli: --format github, gitlab and sarif', function () {
  this.timeout(20_000);
  let dir: string;

  before(async () => {
    await initEngine();
  });
  beforeEach(() => {
    dir = makeTempDir();
    writeTree(dir, { 'my dir/a.py': V2_SAFE, 'wide.py': WIDE, 'clean.py': 'import anyio\n' });
  });
  afterEach(() => removeDir(dir));

  it('github: one workflow command per finding, paths relative with /, UTF-16 columns', async () => {
    const r = await runCli(['check', '--no-cache', '--format', 'github'], { cwd: dir });
    assert.equal(r.code, 1);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 3);
    assert.match(
      lines[0]!,
      /^::warning file=my dir\/a\.py,line=5,col=13,endLine=5,endColumn=\d+,title=ASY101::`current_time\(\)` is a plain function[^\n]* \(fix: Remove the `await`\)$/,
    );
    assert.match(lines[1]!, /^::warning file=my dir\/a\.py,line=6,col=\d+,endLine=6,endColumn=\d+,title=ASY201::/);
    assert.match(
      lines[2]!,
      new RegExp(`^::warning file=wide\\.py,line=5,col=${WIDE_COLUMN},endLine=5,endColumn=${WIDE_COLUMN + 'await anyio.current_time()'.length},title=ASY101::`),
    );
    // The summary stays on stderr; the exit status is the text format's.
    assert.match(r.stderr, /3 files scanned: 3 findings in 2 files/);
    const text = await runCli(['check', '--no-cache'], { cwd: dir });
    assert.equal(text.code, r.code);
  });

  it('github: data and property escaping as the workflow-command spec says', async () => {
    assert.equal(escapeGithubData('100% done,: a\r\nb'), '100%25 done,: a%0D%0Ab');
    assert.equal(escapeGithubProperty('a,b:c%d\ne'), 'a%2Cb%3Ac%25d%0Ae');
    // A message with %, comma, colon and a line break (from an engine double), in a file named with a comma and colon.
    writeTree(dir, { 'odd,na:me.py': 'import anyio\n' });
    const finding: Finding = {
      code: 'ASY102',
      rule: 'await-now-sync-method',
      message: '50% of a, b: c\nsecond line',
      start: 7,
      end: 12,
      severity: 'error',
      deprecated: false,
      noFixReason: 'why:\nnot',
    };
    const engine = { analyze: (text: string) => (text.startsWith('import anyio') ? [finding] : []), fixAll };
    const r = await runCli(['check', '--format', 'github', 'odd,na:me.py'], { cwd: dir, engine });
    assert.equal(r.stdout, '::error file=odd%2Cna%3Ame.py,line=1,col=8,endLine=1,endColumn=13,title=ASY102::50%25 of a, b: c%0Asecond line%0Ano automatic fix: why:%0Anot\n');
    assert.equal(r.code, 1);
  });

  it('gitlab: a Code Quality report whose fingerprints survive edits elsewhere in the file', async () => {
    const r = await runCli(['check', '--no-cache', '--format', 'gitlab'], { cwd: dir });
    assert.equal(r.code, 1);
    const issues = JSON.parse(r.stdout) as GitlabIssue[];
    assert.deepEqual(
      issues.map((i) => [i.location.path, i.location.lines.begin, i.check_name, i.severity]),
      [
        ['my dir/a.py', 5, 'ASY101', 'minor'],
        ['my dir/a.py', 6, 'ASY201', 'minor'],
        ['wide.py', 5, 'ASY101', 'minor'],
      ],
    );
    for (const i of issues) {
      assert.deepEqual(Object.keys(i).sort(), ['check_name', 'description', 'fingerprint', 'location', 'severity']);
      assert.match(i.description, new RegExp(`^${i.check_name} `));
      assert.match(i.fingerprint, /^[0-9a-f]{64}$/);
    }
    assert.equal(new Set(issues.map((i) => i.fingerprint)).size, issues.length);
    // Lines added above: the same fingerprints, new line numbers.
    writeTree(dir, { 'my dir/a.py': `# header\n\n${V2_SAFE}` });
    const moved = JSON.parse((await runCli(['check', '--no-cache', '--format', 'gitlab'], { cwd: dir })).stdout) as GitlabIssue[];
    assert.deepEqual(
      moved.map((i) => i.fingerprint),
      issues.map((i) => i.fingerprint),
    );
    assert.deepEqual(
      moved.map((i) => i.location.lines.begin),
      [7, 8, 5],
    );
    // The same finding on two identical lines: two issues, two fingerprints.
    writeTree(dir, { 'my dir/a.py': 'import anyio\n\n\nasync def f():\n    e = anyio.create_event()\n    e = anyio.create_event()\n' });
    const twice = (JSON.parse((await runCli(['check', '--no-cache', '--format', 'gitlab', 'my dir'], { cwd: dir })).stdout) as GitlabIssue[]).map((i) => i.fingerprint);
    assert.equal(twice.length, 2);
    assert.notEqual(twice[0], twice[1]);
  });

  it('gitlab and sarif with no findings: an empty report, exit 0', async () => {
    const g = await runCli(['check', '--no-cache', '--format', 'gitlab', 'clean.py'], { cwd: dir });
    assert.deepEqual([g.code, g.stdout], [0, '[]\n']);
    const s = await runCli(['check', '--no-cache', '--format', 'sarif', 'clean.py'], { cwd: dir });
    assert.equal(s.code, 0);
    const log = JSON.parse(s.stdout) as Sarif;
    assertValidSarif(log);
    assert.deepEqual(log.runs[0]!.results, []);
  });

  it('sarif: a valid log whose regions and fixes match the findings and what fix writes', async () => {
    const r = await runCli(['check', '--no-cache', '--format', 'sarif'], { cwd: dir });
    assert.equal(r.code, 1);
    const log = JSON.parse(r.stdout) as Sarif;
    assertValidSarif(log);
    const results = log.runs[0]!.results;
    assert.deepEqual(
      results.map((x) => [x.locations[0]!.physicalLocation.artifactLocation.uri, x.locations[0]!.physicalLocation.artifactLocation.uriBaseId, x.ruleId]),
      [
        ['my%20dir/a.py', '%SRCROOT%', 'ASY101'],
        ['my%20dir/a.py', '%SRCROOT%', 'ASY201'],
        ['wide.py', '%SRCROOT%', 'ASY101'],
      ],
    );
    const wide = results[2]!;
    assert.deepEqual(wide.locations[0]!.physicalLocation.region, {
      startLine: 5,
      startColumn: WIDE_COLUMN,
      endLine: 5,
      endColumn: WIDE_COLUMN + 'await anyio.current_time()'.length,
    });
    // Each safe fix, applied alone, is what `fix --select <its rule>` writes.
    for (const [file, result] of [
      ['my dir/a.py', results[0]!],
      ['my dir/a.py', results[1]!],
      ['wide.py', wide],
    ] as const) {
      const text = readText(path.join(dir, file));
      assert.equal(result.fixes?.length, 1, result.ruleId);
      assert.equal(applySarifFix(text, result.fixes![0]!), fixAll(text, { select: [result.ruleId] }).output, `${file} ${result.ruleId}`);
    }
  });

  it('sarif: a fix that adds imports (target anyio2+3) is given as the span it changes', async () => {
    const r = await runCli(['check', '--no-cache', '--format', 'sarif', '--target', 'anyio2+3', '--select', 'ASY201', 'my dir'], { cwd: dir });
    const result = (JSON.parse(r.stdout) as Sarif).runs[0]!.results[0]!;
    const text = readText(path.join(dir, 'my dir', 'a.py'));
    const expected = fixAll(text, { target: 'anyio2+3', select: ['ASY201'] }).output;
    assert.match(expected, /except ImportError/);
    assert.equal(applySarifFix(text, result.fixes![0]!), expected);
    assert.deepEqual(changedSpan('a😀b', 'a😁b'), { start: 1, end: 3, text: '😁' });
    assert.deepEqual(changedSpan('abc', 'abc'), { start: 3, end: 3, text: '' });
  });

  it('sarif: unsafe fixes are not offered as fixes; a file outside the current directory gets a file: URI', async () => {
    writeTree(dir, { 'sub/.keep': '', 'u.py': 'import anyio\n\n\nasync def notify(event):\n    await event.set()\n' });
    const r = await runCli(['check', '--no-cache', '--format', 'sarif', '../u.py'], { cwd: path.join(dir, 'sub') });
    const log = JSON.parse(r.stdout) as Sarif;
    assertValidSarif(log);
    const result = log.runs[0]!.results[0]!;
    assert.equal(result.fixes, undefined);
    assert.equal(result.locations[0]!.physicalLocation.artifactLocation.uriBaseId, undefined);
    assert.match(result.locations[0]!.physicalLocation.artifactLocation.uri, /^file:\/\/\/.*\/u\.py$/);
    assert.equal(analyze(readText(path.join(dir, 'u.py')))[0]!.fix?.applicability, 'unsafe');
  });

  it('fix: findings left in the format on stdout, "Fixed" lines on stderr; diff refuses the formats', async () => {
    writeTree(dir, { 'u.py': 'import anyio\n\n\nasync def notify(event):\n    await event.set()\n' });
    const r = await runCli(['fix', '--format', 'github', 'u.py', 'my dir'], { cwd: dir });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^::warning file=u\.py,line=5,col=5,[^\n]*title=ASY102::[^\n]*unsafe fix[^\n]*\n$/);
    assert.match(r.stderr, /Fixed my dir[/\\]a\.py: 2 fixes/);
    for (const format of ['github', 'gitlab', 'sarif']) {
      const d = await runCli(['diff', '--format', format], { cwd: dir });
      assert.equal(d.code, 2);
      assert.match(d.stderr, new RegExp(`--format ${format} is not available for diff`));
    }
  });
});
