/**
 * `GitignoreMatcher`: `.gitignore` text and gitignore-style `exclude` lists with git's own
 * semantics (dir.c: the line syntax, negation, directory-only patterns, the basename/pathname
 * split, and a path under an excluded directory staying excluded).
 */
import { SLASH, type Program, foldUnit, Runner, BACKSLASH, STAR_CH, QUESTION, LBRACKET } from './engine';
import { compileWildmatch, encoder } from './wildmatch';
import type { GlobWarning } from '../glob';

const isGlobSpecial = (c: number): boolean => c === STAR_CH || c === QUESTION || c === LBRACKET || c === BACKSLASH;

interface GitPattern {
  negative: boolean;
  mustBeDir: boolean;
  /** No slash in the pattern: matched against the basename at any depth. */
  basename: boolean;
  /** Pattern bytes (leading `/` of a pathname pattern removed, trailing `/` removed). */
  bytes: Uint8Array;
  /** No wildcard at all: plain comparison. */
  literal: boolean;
  /** `*` + literal basename pattern: suffix comparison (git's PATTERN_FLAG_ENDSWITH). */
  endsWith: boolean;
  /** The wildcard program; undefined when the pattern never matches. */
  prog: Program | undefined;
  runner: Runner | undefined;
}

/** git's trim_trailing_spaces: unescaped trailing spaces go; `\ ` keeps one. */
function trimTrailingSpaces(s: string): string {
  let lastSpace = -1;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === ' ') {
      if (lastSpace === -1) lastSpace = i;
    } else if (ch === '\\') {
      i++;
      if (i >= s.length) return s;
      lastSpace = -1;
    } else lastSpace = -1;
  }
  return lastSpace === -1 ? s : s.slice(0, lastSpace);
}

function bytesEqual(a: Uint8Array, aFrom: number, b: Uint8Array, bFrom: number, n: number, fold: boolean): boolean {
  for (let k = 0; k < n; k++) {
    const x = a[aFrom + k]!;
    const y = b[bFrom + k]!;
    if (x !== y && !(fold && foldUnit(x) === foldUnit(y))) return false;
  }
  return true;
}

export interface IgnoreResult {
  /** The last matching pattern (of this level) excludes the path, or a parent directory is excluded. */
  ignored: boolean;
  /** The last matching pattern is a negation (`!pattern`). */
  unignored: boolean;
}

export interface GitignoreOptions {
  /** ASCII case-insensitive matching, as git with `core.ignorecase`. Default false. */
  ignoreCase?: boolean;
}

/**
 * One gitignore pattern list (a `.gitignore` file, or an `exclude` list), relative to its base
 * directory. Same contract as the `ignore` package's `test`/`ignores` that it replaces: paths are
 * `/`-separated and relative, a trailing `/` marks a directory, and a path under an excluded
 * directory is excluded ("it is not possible to re-include a file if a parent directory of that
 * file is excluded").
 */
export class GitignoreMatcher {
  private readonly patterns: GitPattern[] = [];
  private readonly fold: boolean;
  readonly warnings: GlobWarning[] = [];

  constructor(options: GitignoreOptions = {}) {
    this.fold = options.ignoreCase ?? false;
  }

  /**
   * Add the lines of a gitignore file (a string), or a list of patterns (each entry read as a
   * line). Comments, blank lines, trailing spaces, CRLF and a leading BOM are handled as git does.
   */
  add(patterns: string | readonly string[]): this {
    if (typeof patterns === 'string') {
      const text = patterns.charCodeAt(0) === 0xfeff ? patterns.slice(1) : patterns;
      text.split('\n').forEach((line, i) => this.addLine(line, i + 1));
    } else {
      patterns.forEach((p, i) => {
        for (const line of p.split('\n')) this.addLine(line, i + 1);
      });
    }
    return this;
  }

  private addLine(rawLine: string, lineNo: number): void {
    if (rawLine === '' || rawLine[0] === '#') return;
    let line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    line = trimTrailingSpaces(line);
    let body = line;
    const negative = body.startsWith('!');
    if (negative) body = body.slice(1);
    const mustBeDir = body.endsWith('/');
    if (mustBeDir) body = body.slice(0, -1);
    const basename = !body.includes('/');
    if (!basename && body.startsWith('/')) body = body.slice(1);
    const bytes = encoder.encode(body);
    let firstSpecial = bytes.findIndex(isGlobSpecial);
    if (firstSpecial === -1) firstSpecial = bytes.length;
    const literal = firstSpecial === bytes.length;
    const endsWith = basename && bytes.length > 0 && bytes[0] === STAR_CH && bytes.subarray(1).findIndex(isGlobSpecial) === -1;
    const warn = (message: string): void => {
      this.warnings.push({ pattern: line, line: lineNo, message });
    };
    const prog = literal || endsWith ? undefined : compileWildmatch(bytes, this.fold, warn);
    this.patterns.push({ negative, mustBeDir, basename, bytes, literal, endsWith, prog, runner: prog ? new Runner(prog) : undefined });
  }

  /** Whether `path` is excluded (directly or through a parent directory). */
  ignores(path: string): boolean {
    return this.test(path).ignored;
  }

  test(path: string): IgnoreResult {
    const trailingSlash = path.endsWith('/');
    const parts = path.split('/').filter((s) => s !== '');
    const m = parts.length;
    if (m === 0 || this.patterns.length === 0) return { ignored: false, unignored: false };
    const bytes = encoder.encode(parts.join('/'));
    // Component j is bytes[starts[j], ends[j]); the directory `parts[0..j]` is bytes[0, ends[j]).
    const starts = new Int32Array(m);
    const ends = new Int32Array(m);
    for (let j = 0, pos = 0; j < m; j++) {
      starts[j] = pos;
      while (pos < bytes.length && bytes[pos] !== SLASH) pos++;
      ends[j] = pos;
      pos++;
    }
    const pathAccepts: Array<Uint8Array | undefined> = new Array(this.patterns.length);
    for (let j = 0; j < m; j++) {
      const isDir = j < m - 1 || trailingSlash;
      let verdict: GitPattern | undefined;
      for (let k = this.patterns.length - 1; k >= 0; k--) {
        const pat = this.patterns[k]!;
        if (pat.mustBeDir && !isDir) continue;
        let hit: boolean;
        if (pat.basename) hit = this.matchBasename(pat, bytes, starts[j]!, ends[j]!);
        else {
          let acc = pathAccepts[k];
          if (!acc) acc = pathAccepts[k] = this.matchLevels(pat, bytes, ends);
          hit = acc[j] === 1;
        }
        if (hit) {
          verdict = pat;
          break;
        }
      }
      if (j < m - 1) {
        if (verdict && !verdict.negative) return { ignored: true, unignored: false };
      } else if (verdict) {
        return { ignored: !verdict.negative, unignored: verdict.negative };
      }
    }
    return { ignored: false, unignored: false };
  }

  private matchBasename(pat: GitPattern, text: Uint8Array, from: number, to: number): boolean {
    const p = pat.bytes;
    const n = to - from;
    if (pat.literal) return p.length === n && bytesEqual(p, 0, text, from, n, this.fold);
    if (pat.endsWith) return p.length - 1 <= n && bytesEqual(p, 1, text, to - (p.length - 1), p.length - 1, this.fold);
    const r = pat.runner;
    if (!r) return false;
    r.start();
    for (let i = from; i < to; i++) if (!r.step(text[i]!)) return false;
    return r.accepting;
  }

  /** For a pathname pattern: which leading paths `bytes[0, ends[j])` it matches (one pass). */
  private matchLevels(pat: GitPattern, text: Uint8Array, ends: Int32Array): Uint8Array {
    const m = ends.length;
    const out = new Uint8Array(m);
    const p = pat.bytes;
    if (pat.literal) {
      for (let j = 0; j < m; j++) if (ends[j] === p.length && bytesEqual(p, 0, text, 0, p.length, this.fold)) out[j] = 1;
      return out;
    }
    const r = pat.runner;
    if (!r) return out;
    r.start();
    let j = 0;
    const last = ends[m - 1]!;
    for (let i = 0; i <= last; i++) {
      if (i === ends[j]) {
        if (r.accepting) out[j] = 1;
        j++;
        if (j === m) break;
      }
      if (!r.step(text[i]!)) break;
    }
    return out;
  }
}
