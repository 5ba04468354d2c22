/**
 * VS Code globs (`files.exclude`: `**`, `*`, `?`, `{a,b}`, `[...]`) over the path's UTF-16 code
 * units, compiled to a program of the engine.
 */
import { LIT, ANY, STAR, STARSTAR, SLASH, ProgramBuilder, Runner, STAR_CH, QUESTION, LBRACKET } from './engine';

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
