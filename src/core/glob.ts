/**
 * Glob and gitignore matching in time linear in the path, with no regular expression built from
 * user input and no backtracking.
 *
 * Two front ends share one engine:
 * - `GitignoreMatcher`: `.gitignore` files and gitignore-style `exclude` lists, with git's own
 *   semantics (dir.c for the line syntax and the basename/pathname split, wildmatch.c for the
 *   pattern language), checked against real git in test/core/glob.test.ts. Like git, it works on
 *   the UTF-8 bytes of patterns and paths.
 * - `compileVscodeGlob`: VS Code `files.exclude` globs (`**`, `*`, `?`, `{a,b}`, `[...]`), on the
 *   path's UTF-16 code units.
 *
 * The engine. A pattern compiles to a small program of states 0..n, state n accepting:
 *   LIT c, ANY, CLASS k   consume one unit (never `/` for ANY and CLASS) and go to s+1;
 *   STAR                  consume one unit other than `/` and stay at s; or ε to s+1;
 *   STARSTAR              consume any unit and stay at s; or ε to s+1;
 *   SPLIT t1..tk          ε to each t (brace alternatives, the optional `**` + `/` of `**` `/`).
 * Every ε edge points forward (t > s). Matching is the classic NFA-set simulation: keep the set S
 * of states reachable after the units read so far; for the next unit, each state of S makes its
 * one consuming transition, and the ε-closure of the targets is the new S.
 *
 * Bound (proof sketch). Let n be the number of states, E the number of ε edges and C the total
 * number of items in character classes; all three are O(|pattern|) (each pattern character makes
 * at most two states and, for `{`/`,`, one edge; a class item is at least one pattern character).
 * Per unit of the path: a state is inserted into the new set at most once (a generation mark), so
 * the closure follows each ε edge at most once (a state's edges are expanded only on its first
 * insertion); each state of the old set does O(1) work, or O(its class size) for a class in
 * UTF-16 mode (byte classes are 256-entry tables). Hence one unit costs at most n + E + C = O(|p|)
 * steps and a whole match O(|p| · |path|), whatever the pattern: there is no recursion and no
 * choice point to return to, so `*a*a*a…b` cannot backtrack. `globCounters.steps` counts exactly
 * these state visits, so tests check the bound by counting instead of timing.
 * A gitignore test of `a/b/c` must also decide every leading directory (`a/`, `a/b/`): a pathname
 * pattern is simulated once over the whole path and its acceptance read off at each `/`; a
 * basename pattern is run once per component, and the components partition the path. So a test
 * costs O(Σ|pattern| · |path|) for the whole pattern list.
 */

/** Work counter for the scale tests: state visits of the simulation (see the bound above). */
export const globCounters = { steps: 0 };

/** A pattern that is malformed, or has a part that can never match. Matching never throws. */
export interface GlobWarning {
  /** The pattern as written (the line, for gitignore text). */
  pattern: string;
  /** 1-based line of the text given to `add`, or 1-based index in a pattern list. */
  line: number;
  /** What is wrong and what it means for matching. */
  message: string;
}

/** `line 3: pattern '[z-a]' has an empty range 'z-a' that matches no character` */
export function describeGlobWarning(w: GlobWarning): string {
  return `line ${w.line}: pattern '${w.pattern}' ${w.message}`;
}

// ------------------------------------------------------------------------------------------------
// The engine

const LIT = 0;
const ANY = 1;
const CLASS = 2;
const STAR = 3;
const STARSTAR = 4;
const SPLIT = 5;
const MATCH = 6;

const SLASH = 0x2f;

type CharClass =
  /** Byte mode: membership of every byte value, case folding already applied as git does. */
  | { table: Uint8Array }
  /** UTF-16 mode: inclusive [lo, hi] pairs. */
  | { ranges: number[]; negated: boolean };

interface Program {
  op: number[];
  arg: number[];
  /** ε targets of SPLIT states. */
  targets: Array<number[] | undefined>;
  classes: CharClass[];
  /** ASCII case folding of LIT comparisons (gitignore `ignoreCase`). */
  fold: boolean;
}

class ProgramBuilder {
  readonly op: number[] = [];
  readonly arg: number[] = [];
  readonly targets: Array<number[] | undefined> = [];
  readonly classes: CharClass[] = [];

  get next(): number {
    return this.op.length;
  }

  emit(op: number, arg = 0): number {
    this.op.push(op);
    this.arg.push(arg);
    this.targets.push(undefined);
    return this.op.length - 1;
  }

  split(): number {
    const s = this.emit(SPLIT);
    this.targets[s] = [];
    return s;
  }

  cls(c: CharClass): void {
    this.classes.push(c);
    this.emit(CLASS, this.classes.length - 1);
  }

  /** `**` then `/`, or nothing: the `(.*\/)?` of a leading `**\/` or a middle `/**\/`. */
  optionalDirs(): void {
    const s = this.split();
    const star = this.emit(STARSTAR);
    this.emit(LIT, SLASH);
    this.targets[s]!.push(star, this.next);
  }

  finish(fold: boolean): Program {
    this.emit(MATCH);
    return { op: this.op, arg: this.arg, targets: this.targets, classes: this.classes, fold };
  }
}

function inClass(c: CharClass, unit: number): boolean {
  if ('table' in c) return unit < 256 && c.table[unit] === 1;
  const r = c.ranges;
  let hit = false;
  for (let i = 0; i < r.length; i += 2) {
    globCounters.steps++;
    if (unit >= r[i]! && unit <= r[i + 1]!) {
      hit = true;
      break;
    }
  }
  return hit !== c.negated;
}

function foldUnit(u: number): number {
  return u >= 0x41 && u <= 0x5a ? u + 32 : u;
}

/** NFA-set simulation of one program; reusable, not re-entrant. */
class Runner {
  private cur: Int32Array;
  private next: Int32Array;
  private curLen = 0;
  private nextLen = 0;
  private readonly mark: Int32Array;
  private readonly stack: Int32Array;
  private gen = 0;
  private readonly accept: number;

  constructor(private readonly prog: Program) {
    const n = prog.op.length;
    this.cur = new Int32Array(n);
    this.next = new Int32Array(n);
    this.mark = new Int32Array(n);
    this.stack = new Int32Array(n);
    this.accept = n - 1;
  }

  start(): void {
    this.bumpGen();
    this.nextLen = 0;
    this.add(0);
    this.swap();
  }

  /** Read one unit; returns false when no state is left (no extension of the input can match). */
  step(unit: number): boolean {
    const { op, arg, classes, fold } = this.prog;
    const u = fold ? foldUnit(unit) : unit;
    this.bumpGen();
    this.nextLen = 0;
    for (let i = 0; i < this.curLen; i++) {
      const s = this.cur[i]!;
      globCounters.steps++;
      switch (op[s]) {
        case LIT:
          if (arg[s] === u) this.add(s + 1);
          break;
        case ANY:
          if (unit !== SLASH) this.add(s + 1);
          break;
        case CLASS:
          if (unit !== SLASH && inClass(classes[arg[s]!]!, unit)) this.add(s + 1);
          break;
        case STAR:
          if (unit !== SLASH) this.add(s);
          break;
        case STARSTAR:
          this.add(s);
          break;
        default:
          break; // SPLIT and MATCH consume nothing
      }
    }
    this.swap();
    return this.curLen > 0;
  }

  get accepting(): boolean {
    return this.mark[this.accept] === this.gen;
  }

  private bumpGen(): void {
    if (this.gen === 0x7fffffff) {
      this.mark.fill(0);
      this.gen = 0;
    }
    this.gen++;
  }

  private swap(): void {
    const t = this.cur;
    this.cur = this.next;
    this.next = t;
    this.curLen = this.nextLen;
  }

  /** Insert `s` and its ε-closure into the next set (each state at most once per step). */
  private add(s: number): void {
    const { op, targets } = this.prog;
    const mark = this.mark;
    const gen = this.gen;
    const stack = this.stack;
    let sp = 0;
    if (mark[s] === gen) return;
    mark[s] = gen;
    stack[sp++] = s;
    while (sp > 0) {
      const t = stack[--sp]!;
      globCounters.steps++;
      this.next[this.nextLen++] = t;
      const o = op[t];
      if (o === STAR || o === STARSTAR) {
        if (mark[t + 1] !== gen) {
          mark[t + 1] = gen;
          stack[sp++] = t + 1;
        }
      } else if (o === SPLIT) {
        for (const x of targets[t]!) {
          globCounters.steps++;
          if (mark[x] !== gen) {
            mark[x] = gen;
            stack[sp++] = x;
          }
        }
      }
    }
  }
}

// ------------------------------------------------------------------------------------------------
// gitignore: wildmatch patterns over UTF-8 bytes

const encoder = new TextEncoder();

const BACKSLASH = 0x5c;
const STAR_CH = 0x2a;
const QUESTION = 0x3f;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COLON = 0x3a;
const DASH = 0x2d;
const BANG = 0x21;
const CARET = 0x5e;

const isUpper = (c: number): boolean => c >= 0x41 && c <= 0x5a;
const isLower = (c: number): boolean => c >= 0x61 && c <= 0x7a;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isAlpha = (c: number): boolean => isUpper(c) || isLower(c);
const isPrint = (c: number): boolean => c >= 0x20 && c <= 0x7e;
const isGraph = (c: number): boolean => c > 0x20 && c <= 0x7e;

/** The POSIX classes of wildmatch.c, C locale, ASCII only (as git's ctype). */
const POSIX_CLASSES: Record<string, (c: number, fold: boolean) => boolean> = {
  alnum: (c) => isAlpha(c) || isDigit(c),
  alpha: isAlpha,
  blank: (c) => c === 0x20 || c === 0x09,
  cntrl: (c) => c < 0x20 || c === 0x7f,
  digit: isDigit,
  graph: isGraph,
  lower: isLower,
  print: isPrint,
  punct: (c) => isGraph(c) && !isAlpha(c) && !isDigit(c),
  space: (c) => c === 0x20 || (c >= 0x09 && c <= 0x0d),
  upper: (c, fold) => isUpper(c) || (fold && isLower(c)),
  xdigit: (c) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66),
};

type ClassItem = { kind: 'char'; c: number } | { kind: 'range'; lo: number; hi: number } | { kind: 'posix'; test: (c: number, fold: boolean) => boolean };

/**
 * Parse the bracket expression starting at `b[start] === '['` exactly as wildmatch.c's `dowild`
 * walks it (its walk does not depend on the text), then tabulate its verdict for every byte.
 * Returns the index after the closing `]`, or an error: git then fails the whole pattern.
 */
function parseGitClass(b: Uint8Array, start: number, fold: boolean, warn: (m: string) => void): { end: number; cls: CharClass } | { error: string } {
  const len = b.length;
  let p = start + 1;
  let negated = false;
  if (p < len && (b[p] === BANG || b[p] === CARET)) {
    negated = true;
    p++;
  }
  const items: ClassItem[] = [];
  let prev = 0;
  for (;;) {
    if (p >= len) return { error: "has an unterminated '[' and never matches" };
    let pc = b[p]!;
    if (pc === BACKSLASH) {
      p++;
      if (p >= len) return { error: "has an unterminated '[' and never matches" };
      pc = b[p]!;
      items.push({ kind: 'char', c: pc });
    } else if (pc === DASH && prev !== 0 && p + 1 < len && b[p + 1] !== RBRACKET) {
      p++;
      pc = b[p]!;
      if (pc === BACKSLASH) {
        p++;
        if (p >= len) return { error: "has an unterminated '[' and never matches" };
        pc = b[p]!;
      }
      // git keeps the reversed range's first character (it was read as a member on its own).
      if (prev > pc) warn(`has a reversed range '${String.fromCharCode(prev)}-${String.fromCharCode(pc)}' that adds nothing to '${String.fromCharCode(prev)}'`);
      items.push({ kind: 'range', lo: prev, hi: pc });
      pc = 0;
    } else if (pc === LBRACKET && b[p + 1] === COLON) {
      const s = p + 2;
      let q = s;
      while (q < len && b[q] !== RBRACKET) q++;
      if (q >= len) return { error: "has an unterminated '[' and never matches" };
      if (q - s - 1 < 0 || b[q - 1] !== COLON) {
        // No ":]": the '[' is an ordinary member and the scan resumes after it.
        items.push({ kind: 'char', c: LBRACKET });
      } else {
        const name = new TextDecoder().decode(b.subarray(s, q - 1));
        const test = Object.prototype.hasOwnProperty.call(POSIX_CLASSES, name) ? POSIX_CLASSES[name] : undefined;
        if (!test) return { error: `uses an unknown character class '[:${name}:]' and never matches` };
        items.push({ kind: 'posix', test });
        p = q;
        pc = 0;
      }
    } else {
      items.push({ kind: 'char', c: pc });
    }
    prev = pc;
    p++;
    if (p < len && b[p] === RBRACKET) break;
  }
  const table = new Uint8Array(256);
  for (let t = 0; t < 256; t++) {
    // wildmatch folds the text byte, not the class members (so `[A]` with ignore-case is git's).
    const tc = fold && isUpper(t) ? t + 32 : t;
    let matched = false;
    for (const it of items) {
      if (it.kind === 'char') matched = tc === it.c;
      else if (it.kind === 'range') matched = (tc >= it.lo && tc <= it.hi) || (fold && isLower(tc) && tc - 32 >= it.lo && tc - 32 <= it.hi);
      else matched = it.test(tc, fold);
      if (matched) break;
    }
    table[t] = matched !== negated ? 1 : 0; // (`/` is refused by the runner, as with FNM_PATHNAME)
  }
  return { end: p + 1, cls: { table } };
}

/**
 * Compile a wildmatch pattern (git's dialect, FNM_PATHNAME semantics) to a program, or undefined
 * when git would never match it (unterminated `[`, unknown `[:class:]`, trailing backslash).
 * Without FNM_PATHNAME (basename patterns) the text has no `/`, where both modes agree.
 */
function compileWildmatch(b: Uint8Array, fold: boolean, warn: (m: string) => void): Program | undefined {
  const pb = new ProgramBuilder();
  const len = b.length;
  let i = 0;
  while (i < len) {
    const c = b[i]!;
    if (c === BACKSLASH) {
      if (i + 1 >= len) {
        warn('ends with an unescaped backslash and never matches');
        return undefined;
      }
      // wildmatch compares an escaped character unfolded with the folded text byte, so under
      // ignore-case an escaped capital never matches: kept as git has it.
      const e = b[i + 1]!;
      pb.emit(LIT, fold && isUpper(e) ? -1 : e);
      i += 2;
    } else if (c === QUESTION) {
      pb.emit(ANY);
      i++;
    } else if (c === STAR_CH) {
      let j = i;
      while (j < len && b[j] === STAR_CH) j++;
      const atBoundary = i === 0 || b[i - 1] === SLASH;
      if (j - i >= 2 && atBoundary && (j === len || b[j] === SLASH || (b[j] === BACKSLASH && b[j + 1] === SLASH))) {
        if (b[j] === SLASH) {
          pb.optionalDirs(); // `**/`: nothing, or anything ending in a slash
          j++;
        } else {
          pb.emit(STARSTAR); // trailing `**`, or `**\/` (git: no empty shortcut there)
        }
      } else {
        pb.emit(STAR); // `*`, and any other run of asterisks
      }
      i = j;
    } else if (c === LBRACKET) {
      const r = parseGitClass(b, i, fold, warn);
      if ('error' in r) {
        warn(r.error);
        return undefined;
      }
      pb.cls(r.cls);
      i = r.end;
    } else {
      pb.emit(LIT, fold ? foldUnit(c) : c);
      i++;
    }
  }
  return pb.finish(fold);
}

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

// ------------------------------------------------------------------------------------------------
// VS Code globs (files.exclude) over UTF-16 code units

export interface GlobMatcher {
  /** The whole path matches. */
  matches(path: string): boolean;
  /** The path or one of its parent folders matches (as `files.exclude` hides a folder's content). */
  matchesPathOrParent(path: string): boolean;
  /** Problems found while compiling (the glob then matches nothing). */
  readonly warnings: readonly string[];
}

const VS_LBRACE = 0x7b;
const VS_RBRACE = 0x7d;
const VS_COMMA = 0x2c;

/**
 * Compile a VS Code glob (`files.exclude` syntax): `**` any number of folders (`**` `/` may match
 * none), `*` and `?` within a path segment, `{a,b}` alternatives (nested; an unclosed `{` runs to
 * the end), `[abc]`, `[a-z]`, `[!a-z]`/`[^a-z]` (an unclosed `[` is literal). Backslashes count
 * as `/`; a leading `./` is dropped. Alternatives become ε branches of one program, never an
 * expansion, so `{a,b}{a,b}…` stays linear in size. A glob VS Code would reject (a reversed
 * range like `[z-a]`) matches nothing and reports a warning instead of throwing.
 */
export function compileVscodeGlob(glob: string): GlobMatcher {
  let g = glob.split('\\').join('/');
  if (g.startsWith('./')) g = g.slice(2);
  const warnings: string[] = [];
  const pb = new ProgramBuilder();
  let i = 0;
  let invalid = false;

  // Sequence of items until the end, or (inside braces) an unnested `,` or `}`.
  const parseSeq = (depth: number): void => {
    while (i < g.length) {
      const c = g.charCodeAt(i);
      if (depth > 0 && (c === VS_COMMA || c === VS_RBRACE)) return;
      if (c === STAR_CH) {
        if (g.charCodeAt(i + 1) === STAR_CH) {
          if (g.charCodeAt(i + 2) === SLASH) {
            pb.optionalDirs();
            i += 3;
          } else {
            pb.emit(STARSTAR);
            i += 2;
          }
        } else {
          pb.emit(STAR);
          i++;
        }
      } else if (c === QUESTION) {
        pb.emit(ANY);
        i++;
      } else if (c === VS_LBRACE) {
        i++;
        const split = pb.split();
        const jumps: number[] = [];
        for (;;) {
          pb.targets[split]!.push(pb.next);
          parseSeq(depth + 1);
          if (i < g.length && g.charCodeAt(i) === VS_COMMA) {
            jumps.push(pb.split());
            i++;
            continue;
          }
          if (i < g.length) i++; // the `}`
          break;
        }
        for (const j of jumps) pb.targets[j]!.push(pb.next);
      } else if (c === LBRACKET && g.indexOf(']', i + 1) !== -1) {
        const close = g.indexOf(']', i + 1);
        let body = g.slice(i + 1, close);
        let negated = false;
        if (body.startsWith('!') || body.startsWith('^')) {
          negated = true;
          body = body.slice(1);
        }
        const ranges: number[] = [];
        for (let k = 0; k < body.length; k++) {
          const lo = body.charCodeAt(k);
          if (body[k + 1] === '-' && k + 2 < body.length) {
            const hi = body.charCodeAt(k + 2);
            if (lo > hi) {
              warnings.push(`has a reversed range '${body[k]}-${body[k + 2]}'; it matches nothing`);
              invalid = true;
            }
            ranges.push(lo, hi);
            k += 2;
          } else ranges.push(lo, lo);
        }
        pb.cls({ ranges, negated });
        i = close + 1;
      } else {
        pb.emit(LIT, c);
        i++;
      }
    }
  };
  parseSeq(0);
  const prog = pb.finish(false);
  const runner = invalid ? undefined : new Runner(prog);

  const run = (path: string, parents: boolean): boolean => {
    if (!runner) return false;
    runner.start();
    for (let k = 0; k < path.length; k++) {
      const u = path.charCodeAt(k);
      if (parents && u === SLASH && runner.accepting) return true;
      if (!runner.step(u)) return false;
    }
    return runner.accepting;
  };
  return {
    matches: (path) => run(path, false),
    matchesPathOrParent: (path) => run(path, true),
    warnings,
  };
}
