/**
 * Where a problem of `[tool.anyio-migrate]` is in the text of `pyproject.toml`. smol-toml gives
 * values without positions, so this is a small scanner over the TOML text that records, for each
 * key of the document, the ranges of its key segments, of its value and of its array elements
 * (table headers `[a.b]`, dotted keys `a.b = 1`, inline tables `a = { b = 1 }`, at any depth).
 * Ranges are 0-based lines and UTF-16 characters of the text without its byte-order mark (as an
 * editor shows it); lines end at `\n` (a `\r` before it is not part of the line).
 *
 * The scanner is lenient (it reads valid TOML; on anything else it stops with what it found) and
 * never throws: a problem it cannot place falls back to the table's header, then to line 0.
 */

export interface TextPosition {
  line: number;
  character: number;
}

export interface TextRange {
  start: TextPosition;
  end: TextPosition;
}

/** What a problem is about, by its key path from the document root (e.g. `['tool', 'anyio-migrate', 'select']`). */
export type ProblemTarget =
  /** smol-toml's error position (1-based line and column, counted over the text as read). */
  | { kind: 'toml'; line: number; column: number }
  /** A key's value, or one element of its array value. */
  | { kind: 'value'; path: readonly string[]; index?: number }
  /** A key itself (an unknown key): its last segment. */
  | { kind: 'key'; path: readonly string[] }
  /** A table: its `[header]`, else the key segment that names it. */
  | { kind: 'table'; path: readonly string[] };

/** The table every target falls back to. */
export const SECTION_PATH: readonly string[] = ['tool', 'anyio-migrate'];

interface Segment {
  name: string;
  start: number;
  end: number;
}

interface Entry {
  /** The path the segments are relative to (the enclosing table; [] for headers). */
  base: readonly string[];
  segments: Segment[];
  /** A table header: the offsets of `[` … `]`. */
  header?: { start: number; end: number };
  /** A key/value: the value's offsets and, for an array, its elements'. */
  value?: { start: number; end: number };
  elements?: Array<{ start: number; end: number }>;
}

const BARE_KEY = /[A-Za-z0-9_-]/;

/** Scans one `pyproject.toml` once; `locate` then places any number of problems. */
export class PyprojectLocator {
  private readonly text: string;
  private readonly bom: boolean;
  private readonly lineStarts: number[] = [0];
  private readonly entries: Entry[] = [];
  private pos = 0;

  constructor(text: string) {
    this.bom = text.charCodeAt(0) === 0xfeff;
    this.text = this.bom ? text.slice(1) : text;
    for (let i = 0; i < this.text.length; i++) if (this.text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    try {
      this.scanDocument();
    } catch {
      /* malformed text: keep the entries found so far */
    }
  }

  locate(target: ProblemTarget): TextRange {
    if (target.kind === 'toml') return this.tomlRange(target.line, target.column);
    const found = this.find(target);
    if (found) return this.range(found.start, found.end);
    if (target.kind !== 'table' || !sameKeys(target.path, SECTION_PATH)) {
      const section = this.find({ kind: 'table', path: SECTION_PATH });
      if (section) return this.range(section.start, section.end);
    }
    return this.range(0, this.lineEnd(0));
  }

  private find(target: Exclude<ProblemTarget, { kind: 'toml' }>): { start: number; end: number } | undefined {
    const path = target.path;
    if (target.kind === 'value') {
      for (const e of this.entries) {
        if (!e.value || !sameKeys([...e.base, ...e.segments.map((s) => s.name)], path)) continue;
        if (target.index === undefined) return e.value;
        return e.elements?.[target.index] ?? e.value;
      }
    }
    if (target.kind === 'table') {
      const header = this.entries.find(
        (e) =>
          e.header &&
          sameKeys(
            e.segments.map((s) => s.name),
            path,
          ),
      );
      if (header) return header.header;
    }
    // The key segment that names `path` (for a value: its key when the value was not found).
    for (const e of this.entries) {
      const i = path.length - e.base.length - 1;
      if (i < 0 || i >= e.segments.length || !sameKeys(e.base, path.slice(0, e.base.length))) continue;
      if (e.segments.slice(0, i + 1).every((s, j) => s.name === path[e.base.length + j])) return e.segments[i];
    }
    return undefined;
  }

  /** smol-toml counts the byte-order mark as a column of line 1. */
  private tomlRange(line: number, column: number): TextRange {
    let l = Math.min(Math.max(line - 1, 0), this.lineStarts.length - 1);
    const end = this.lineEnd(l);
    const start = Math.min(Math.max(this.lineStarts[l]! + column - 1 - (this.bom && l === 0 ? 1 : 0), this.lineStarts[l]!), end);
    if (start < end) return this.range(start, end);
    // At the end of a line (an unclosed array at the end of the file): mark the text of this
    // line, or of the last line before it that has any, instead of an empty range.
    for (; l >= 0; l--) {
      const text = this.text.slice(this.lineStarts[l]!, this.lineEnd(l));
      const first = text.search(/\S/);
      if (first !== -1) return this.range(this.lineStarts[l]! + first, this.lineStarts[l]! + text.trimEnd().length);
    }
    return this.range(start, end);
  }

  private lineEnd(line: number): number {
    let end = line + 1 < this.lineStarts.length ? this.lineStarts[line + 1]! - 1 : this.text.length;
    if (end > this.lineStarts[line]! && this.text.charCodeAt(end - 1) === 13) end--;
    return end;
  }

  private position(offset: number): TextPosition {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - this.lineStarts[lo]! };
  }

  private range(start: number, end: number): TextRange {
    return { start: this.position(start), end: this.position(end) };
  }

  // ------------------------------------------------------------------------------------------
  // Scanning

  private scanDocument(): void {
    let table: string[] = [];
    for (;;) {
      this.skipBlank(true);
      if (this.pos >= this.text.length) return;
      if (this.text[this.pos] === '[') {
        const start = this.pos;
        const double = this.text[this.pos + 1] === '[';
        this.pos += double ? 2 : 1;
        this.skipBlank(false);
        const segments = this.scanKey();
        this.skipBlank(false);
        this.expect(']');
        if (double) this.expect(']');
        this.entries.push({ base: [], segments, header: { start, end: this.pos } });
        table = segments.map((s) => s.name);
      } else {
        this.scanKeyValue(table);
      }
      this.skipLine();
    }
  }

  private scanKeyValue(base: readonly string[]): void {
    const segments = this.scanKey();
    this.skipBlank(false);
    this.expect('=');
    this.skipBlank(false);
    const entry: Entry = { base, segments };
    this.entries.push(entry);
    const path = [...base, ...segments.map((s) => s.name)];
    const start = this.pos;
    entry.elements = this.scanValue(path);
    entry.value = { start, end: this.pos };
    if (entry.elements === undefined) delete entry.elements;
  }

  /** A dotted key: bare, "basic" or 'literal' segments separated by dots. */
  private scanKey(): Segment[] {
    const segments: Segment[] = [];
    for (;;) {
      const start = this.pos;
      const c = this.text[this.pos];
      let name: string;
      if (c === '"' || c === "'") name = decodeString(this.scanQuoted(c));
      else {
        while (this.pos < this.text.length && BARE_KEY.test(this.text[this.pos]!)) this.pos++;
        name = this.text.slice(start, this.pos);
        if (name === '') throw new Error('expected a key');
      }
      segments.push({ name, start, end: this.pos });
      this.skipBlank(false);
      if (this.text[this.pos] !== '.') return segments;
      this.pos++;
      this.skipBlank(false);
    }
  }

  /** Skips one value; returns the element ranges of an array. Inline tables record their keys. */
  private scanValue(path: readonly string[]): Array<{ start: number; end: number }> | undefined {
    const t = this.text;
    const c = t[this.pos];
    if (c === '"' || c === "'") {
      this.scanQuoted(c);
      return undefined;
    }
    if (c === '[') {
      this.pos++;
      const elements: Array<{ start: number; end: number }> = [];
      for (;;) {
        this.skipBlank(true);
        if (t[this.pos] === ']') break;
        const start = this.pos;
        this.scanValue([...path, String(elements.length)]);
        elements.push({ start, end: this.pos });
        this.skipBlank(true);
        if (t[this.pos] === ',') this.pos++;
        else if (t[this.pos] !== ']') throw new Error('expected , or ]');
      }
      this.pos++;
      return elements;
    }
    if (c === '{') {
      this.pos++;
      for (;;) {
        this.skipBlank(true);
        if (t[this.pos] === '}') break;
        this.scanKeyValue(path);
        this.skipBlank(true);
        if (t[this.pos] === ',') this.pos++;
        else if (t[this.pos] !== '}') throw new Error('expected , or }');
      }
      this.pos++;
      return undefined;
    }
    // A number, boolean or date: up to a delimiter, without trailing blanks.
    const start = this.pos;
    while (this.pos < t.length && !',]}#\r\n'.includes(t[this.pos]!)) this.pos++;
    while (this.pos > start && (t[this.pos - 1] === ' ' || t[this.pos - 1] === '\t')) this.pos--;
    if (this.pos === start) throw new Error('expected a value');
    return undefined;
  }

  /** A quoted string (single- or multi-line, basic or literal); returns its raw text with quotes. */
  private scanQuoted(quote: string): string {
    const t = this.text;
    const start = this.pos;
    const multi = t.startsWith(quote.repeat(3), this.pos);
    this.pos += multi ? 3 : 1;
    for (;;) {
      if (this.pos >= t.length) throw new Error('unterminated string');
      const ch = t[this.pos]!;
      if (ch === '\\' && quote === '"') this.pos += 2;
      else if (!multi && ch === '\n') throw new Error('unterminated string');
      else if (ch === quote && (!multi || t.startsWith(quote.repeat(3), this.pos))) {
        this.pos += multi ? 3 : 1;
        // Up to two quotes right before the closing delimiter belong to the string.
        if (multi) for (let i = 0; i < 2 && t[this.pos] === quote; i++) this.pos++;
        return t.slice(start, this.pos);
      } else this.pos++;
    }
  }

  /** Spaces, tabs, comments and (when `newlines`) line breaks. */
  private skipBlank(newlines: boolean): void {
    const t = this.text;
    while (this.pos < t.length) {
      const ch = t[this.pos]!;
      if (ch === ' ' || ch === '\t' || (newlines && (ch === '\n' || ch === '\r'))) this.pos++;
      else if (ch === '#') while (this.pos < t.length && t[this.pos] !== '\n') this.pos++;
      else return;
    }
  }

  /** The rest of the line (blanks and a comment) and its line break. */
  private skipLine(): void {
    this.skipBlank(false);
    if (this.text[this.pos] === '\r') this.pos++;
    if (this.pos < this.text.length && this.text[this.pos] !== '\n') throw new Error('expected the end of the line');
    this.pos++;
  }

  private expect(ch: string): void {
    if (this.text[this.pos] !== ch) throw new Error(`expected ${ch}`);
    this.pos++;
  }
}

/** A key written with quotes, as its name (the escapes TOML keys use in practice). */
function decodeString(raw: string): string {
  if (raw.startsWith("'")) return raw.slice(1, -1);
  return raw.slice(1, -1).replace(/\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)/g, (_, e: string) => {
    if (e[0] === 'u' || e[0] === 'U') return String.fromCodePoint(parseInt(e.slice(1), 16));
    return ({ b: '\b', t: '\t', n: '\n', f: '\f', r: '\r' } as Record<string, string>)[e] ?? e;
  });
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Convenience: place one problem in `text`. */
export function locateInPyproject(text: string, target: ProblemTarget): TextRange {
  return new PyprojectLocator(text).locate(target);
}
