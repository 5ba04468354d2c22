/**
 * Suppression comments, read and written in one place: `# noqa`, `# noqa: ASY101, ASY102`,
 * `# anyio-migrate: ignore`, `# anyio-migrate: ignore[ASY101]`. The engine reads them (a finding
 * on a suppressed line is dropped); the editor's "Disable CODE for this line" writes them.
 */

/** `# noqa` with an optional code list (codes separated by commas and/or spaces, any case). */
const NOQA_SOURCE = String.raw`#\s*noqa(?::\s*([A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?`;
const IGNORE_SOURCE = String.raw`#\s*anyio-migrate:\s*ignore(?:\[([A-Z0-9,\s]+)\])?`;

/** The comment that silences `code` on a line. */
export function suppressionComment(code: string): string {
  return `# noqa: ${code}`;
}

/** The codes of a suppression's code list, upper-cased (`asy101, ASY102` → both). */
function codesOf(list: string): string[] {
  return list
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((c) => c.toUpperCase());
}

/**
 * Every suppression in `text`: its offset, and the codes it names (`null`: every code). The caller
 * decides which offsets are real comments (not `#` inside a string).
 */
export function* suppressionsIn(text: string): Generator<{ offset: number; codes: string[] | null }> {
  if (!/noqa|anyio-migrate/i.test(text)) return;
  for (const source of [NOQA_SOURCE, IGNORE_SOURCE]) {
    const re = new RegExp(source, 'gi');
    for (let m = re.exec(text); m; m = re.exec(text)) yield { offset: m.index, codes: m[1] ? codesOf(m[1]) : null };
  }
}

/**
 * How to silence `code` on a line whose text (without its line break) is `line`: extend its
 * `# noqa: ...` list, or append `# noqa: CODE`. `offset` is where to insert `text` within the line;
 * undefined when the line already silences the code.
 */
export function addSuppression(line: string, code: string): { offset: number; text: string } | undefined {
  const existing = new RegExp(NOQA_SOURCE, 'i').exec(line);
  if (existing) {
    if (!existing[1] || codesOf(existing[1]).includes(code.toUpperCase())) return undefined;
    return { offset: existing.index + existing[0].length, text: `, ${code}` };
  }
  return { offset: line.length, text: `${line.trim() === '' ? '' : '  '}${suppressionComment(code)}` };
}
