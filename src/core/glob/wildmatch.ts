/**
 * gitignore's pattern language (git's wildmatch.c, FNM_PATHNAME semantics) over UTF-8 bytes:
 * bracket expressions with ranges and `[:class:]`, and the compilation of a pattern to a program
 * of the engine (undefined when git would never match it).
 */
import {
  LIT,
  ANY,
  STAR,
  STARSTAR,
  SLASH,
  type CharClass,
  type Program,
  ProgramBuilder,
  foldUnit,
  BACKSLASH,
  STAR_CH,
  QUESTION,
  LBRACKET,
  RBRACKET,
  COLON,
  DASH,
  BANG,
  CARET,
} from './engine';

export const encoder = new TextEncoder();

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
export function compileWildmatch(b: Uint8Array, fold: boolean, warn: (m: string) => void): Program | undefined {
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
