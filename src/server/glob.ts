/**
 * VS Code glob patterns (as in `files.exclude`) over `/`-separated paths relative to the workspace
 * folder: `**`, `*`, `?`, `{a,b}` groups and `[...]` ranges. Matched by the linear-time engine of
 * src/core/glob.ts (no regular expression is built from the setting, so no pattern can make the
 * match backtrack, and a malformed one is a warning rather than an exception).
 */
import { compileVscodeGlob, type GlobMatcher } from '../core/glob';

export type { GlobMatcher };

export function compileGlob(glob: string): GlobMatcher {
  return compileVscodeGlob(glob);
}
