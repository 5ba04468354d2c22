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
export { globCounters } from './glob/engine';
export { GitignoreMatcher, type GitignoreOptions, type IgnoreResult } from './glob/gitignore';
export { compileVscodeGlob, type GlobMatcher } from './glob/vscode';

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
