import { strict as assert } from 'node:assert';
import { parseAndLocate, type ConfigProblem } from '../../src/config/pyproject';
import { locateInPyproject, type TextRange } from '../../src/config/pyproject-locate';

const FILE = '/proj/pyproject.toml';

/** The text a range covers, as an editor shows the file (no byte-order mark, lines split at \n). */
function covered(text: string, r: TextRange): string {
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  if (r.start.line === r.end.line) return lines[r.start.line]!.slice(r.start.character, r.end.character);
  return [lines[r.start.line]!.slice(r.start.character), ...lines.slice(r.start.line + 1, r.end.line), lines[r.end.line]!.slice(0, r.end.character)].join('\n');
}

/** Each problem as `line:character-endLine:endCharacter severity «covered text» message`. */
function placed(text: string): string[] {
  return parseAndLocate(text, FILE).problems.map(
    (p: ConfigProblem) => `${p.range.start.line}:${p.range.start.character}-${p.range.end.line}:${p.range.end.character} ${p.severity} «${covered(text, p.range)}» ${p.message}`,
  );
}

const EXPECTED = "(expected codes or prefixes such as 'ASY', 'ASY1', 'ASY101')";
const KNOWN = 'known keys: select, ignore, target, unsafe-fixes, exclude';

describe('config/pyproject-locate: where a pyproject.toml problem is', () => {
  it('places each unknown rule code at its own array element, keeping one CLI error string', () => {
    const text = '[project]\nname = "x"\n\n[tool.anyio-migrate]\nselect = ["ASY1", "XYZ9", "ASY999"]\n';
    assert.deepEqual(placed(text), [
      `4:18-4:24 warning «"XYZ9"» [tool.anyio-migrate] select: unknown rule code 'XYZ9' ${EXPECTED}`,
      `4:26-4:34 warning «"ASY999"» [tool.anyio-migrate] select: unknown rule code 'ASY999' ${EXPECTED}`,
    ]);
    assert.deepEqual(parseAndLocate(text, FILE).errors, [`${FILE}: [tool.anyio-migrate] select: unknown rule codes 'XYZ9', 'ASY999' ${EXPECTED}`]);
    // The command line's form (loadConfigFile's errors): at the first unknown code, 1-based.
    assert.deepEqual(parseAndLocate(text, FILE).placedErrors, [`${FILE}:5:19: [tool.anyio-migrate] select: unknown rule codes 'XYZ9', 'ASY999' ${EXPECTED}`]);
  });

  it('places unknown targets, wrong types and empty patterns at the value or element', () => {
    const text = [
      '[tool.anyio-migrate]',
      'select = "ASY1"',
      "ignore = ['ASY101', 3]",
      'target = "anyio4"  # not a target',
      'unsafe-fixes = "yes"',
      'exclude = ["gen/", ""]',
      '',
    ].join('\n');
    assert.deepEqual(placed(text), [
      '1:9-1:15 warning «"ASY1"» [tool.anyio-migrate] select: expected an array of strings, got a string',
      '2:20-2:21 warning «3» [tool.anyio-migrate] ignore[1]: expected a string, got a number',
      `3:9-3:17 warning «"anyio4"» [tool.anyio-migrate] target: unknown target 'anyio4' (expected 'anyio3' or 'anyio2+3')`,
      '4:15-4:20 warning «"yes"» [tool.anyio-migrate] unsafe-fixes: expected true or false, got a string',
      '5:19-5:21 warning «""» [tool.anyio-migrate] exclude[1]: empty pattern',
    ]);
  });

  it('places an unknown key at the key, also as a sub-table header segment', () => {
    const text = '[tool.anyio-migrate]\nunsafe_fixes = true\n"colour" = 1\n\n[tool.anyio-migrate.extra]\nx = 1\n';
    assert.deepEqual(placed(text), [
      `1:0-1:12 warning «unsafe_fixes» [tool.anyio-migrate]: unknown key 'unsafe_fixes' (did you mean 'unsafe-fixes'?); ${KNOWN}`,
      `2:0-2:8 warning «"colour"» [tool.anyio-migrate]: unknown key 'colour'; ${KNOWN}`,
      `4:20-4:25 warning «extra» [tool.anyio-migrate]: unknown key 'extra'; ${KNOWN}`,
    ]);
  });

  it('places a misspelt table name at its header, and a non-table section at its value', () => {
    assert.deepEqual(placed('# settings\n[ tool . anyio_migrate ]\nselect = []\n'), [
      '1:0-1:24 warning «[ tool . anyio_migrate ]» found [tool.anyio_migrate]; the table must be named [tool.anyio-migrate]',
    ]);
    assert.deepEqual(placed('[tool]\nanyio-migrate = 1\n'), ['1:16-1:17 warning «1» [tool.anyio-migrate] must be a table, not a number']);
    assert.deepEqual(placed('tool = "x"\n'), [`0:7-0:10 warning «"x"» 'tool' must be a table`]);
  });

  it('places invalid TOML at smol-toml’s line and column, as an error', () => {
    assert.deepEqual(placed('[tool.anyio-migrate]\ntarget = anyio3\n'), ['1:9-1:15 error «anyio3» invalid TOML (line 2, column 10: Invalid TOML document: invalid value)']);
    // Its own message already says where: the command line prints it as it is.
    assert.deepEqual(parseAndLocate('[tool.anyio-migrate]\ntarget = anyio3\n', FILE).placedErrors, [
      `${FILE}: invalid TOML (line 2, column 10: Invalid TOML document: invalid value)`,
    ]);
    // At the end of the file (an unclosed array): the last line with text, not an empty range.
    assert.deepEqual(placed('[tool.anyio-migrate]\nselect = ["ASY1",  \n\n'), [
      '1:0-1:17 error «select = ["ASY1",» invalid TOML (line 4, column 1: Invalid TOML document: invalid value)',
    ]);
  });

  it('reads dotted keys under [tool] and from the root, and inline tables', () => {
    assert.deepEqual(placed('[tool]\nanyio-migrate.target = "v4"\n'), [
      `1:23-1:27 warning «"v4"» [tool.anyio-migrate] target: unknown target 'v4' (expected 'anyio3' or 'anyio2+3')`,
    ]);
    assert.deepEqual(placed('tool.anyio-migrate.select = ["NOPE"]\n'), [`0:29-0:35 warning «"NOPE"» [tool.anyio-migrate] select: unknown rule code 'NOPE' ${EXPECTED}`]);
    assert.deepEqual(placed('tool . "anyio-migrate" . bogus = 1\n'), [`0:25-0:30 warning «bogus» [tool.anyio-migrate]: unknown key 'bogus'; ${KNOWN}`]);
    assert.deepEqual(placed('[tool]\nanyio-migrate = { target = "anyio3", ignore = ["ASY1", "QQ1"], what = 1 }\n'), [
      `1:63-1:67 warning «what» [tool.anyio-migrate]: unknown key 'what'; ${KNOWN}`,
      `1:55-1:60 warning «"QQ1"» [tool.anyio-migrate] ignore: unknown rule code 'QQ1' ${EXPECTED}`,
    ]);
  });

  it('handles multi-line arrays with comments, quotes and strings that look like syntax', () => {
    const text = [
      '[tool.other]',
      'x = """ [tool.anyio-migrate]',
      'select = ["FAKE"] """',
      "y = '''it's'''",
      '',
      '[tool.anyio-migrate]',
      'select = [',
      '  "ASY1",  # a comment with "quotes", ] and [brackets]',
      '  \'ASY2\', "A\\"B",',
      '  # "XYZ" only a comment',
      '  "BAD7"',
      ']',
    ].join('\n');
    assert.deepEqual(placed(text), [
      `8:10-8:16 warning «"A\\"B"» [tool.anyio-migrate] select: unknown rule code 'A"B' ${EXPECTED}`,
      `10:2-10:8 warning «"BAD7"» [tool.anyio-migrate] select: unknown rule code 'BAD7' ${EXPECTED}`,
    ]);
  });

  it('counts UTF-16 characters after CJK and emoji, and tabs as one character', () => {
    const text = '[tool.anyio-migrate]\n"名前😀" = 1\nexclude = [\t"😀/",\t"" ]\n';
    assert.deepEqual(placed(text), [
      `1:0-1:6 warning «"名前😀"» [tool.anyio-migrate]: unknown key '名前😀'; ${KNOWN}`,
      '2:19-2:21 warning «""» [tool.anyio-migrate] exclude[1]: empty pattern',
    ]);
  });

  it('handles CRLF line ends and a byte-order mark (positions as an editor shows the file)', () => {
    const crlf = '\uFEFF[tool.anyio-migrate]\r\ntarget = "anyio9"\r\nselect = [\r\n  "ZZ1",\r\n]\r\n';
    const problems = parseAndLocate(crlf, FILE).problems;
    assert.deepEqual(
      problems.map((p) => [p.range, covered(crlf.replace(/\r/g, ''), p.range)]),
      [
        [{ start: { line: 3, character: 2 }, end: { line: 3, character: 7 } }, '"ZZ1"'],
        [{ start: { line: 1, character: 9 }, end: { line: 1, character: 17 } }, '"anyio9"'],
      ],
    );
    // smol-toml counts the mark as a column of line 1; the range does not.
    assert.deepEqual(locateInPyproject('\uFEFFa = ?\r\n', { kind: 'toml', line: 1, column: 6 }), { start: { line: 0, character: 4 }, end: { line: 0, character: 5 } });
    // A line's end excludes its \r (the range above ends before it); at the end, its text without blanks.
    assert.deepEqual(locateInPyproject('a = 1 \r\nb = 2\r\n', { kind: 'toml', line: 1, column: 7 }), { start: { line: 0, character: 0 }, end: { line: 0, character: 5 } });
  });

  it('falls back to the table header, then to line 0, when a value cannot be found', () => {
    const text = '\n[tool.anyio-migrate]\nselect = []\n';
    assert.deepEqual(locateInPyproject(text, { kind: 'value', path: ['tool', 'anyio-migrate', 'ignore'], index: 2 }), {
      start: { line: 1, character: 0 },
      end: { line: 1, character: 20 },
    });
    // An index past the array's end: the whole value.
    assert.deepEqual(locateInPyproject(text, { kind: 'value', path: ['tool', 'anyio-migrate', 'select'], index: 5 }), {
      start: { line: 2, character: 9 },
      end: { line: 2, character: 11 },
    });
    assert.deepEqual(locateInPyproject('name = "x"\n', { kind: 'key', path: ['tool', 'anyio-migrate', 'x'] }), {
      start: { line: 0, character: 0 },
      end: { line: 0, character: 10 },
    });
    // Unscannable text never throws.
    assert.deepEqual(locateInPyproject('= = =\n', { kind: 'table', path: ['tool', 'anyio-migrate'] }), { start: { line: 0, character: 0 }, end: { line: 0, character: 5 } });
  });
});
