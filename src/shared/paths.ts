/** Path helpers shared by the CLI and the language server (neither imports the other). */
import * as path from 'path';

/** True when `child` is `parent` or below it (both absolute and resolved). */
export function isWithin(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/**
 * A platform path with `/` separators (unchanged on POSIX): the form ignore and exclude patterns
 * and the project index's module paths are matched against.
 */
export function toPosix(p: string): string {
  return path.sep === '/' ? p : p.split(path.sep).join('/');
}
