import * as path from 'path';

/**
 * A platform path with `/` separators (unchanged on POSIX): the form ignore and exclude patterns
 * and the project index's module paths are matched against.
 */
export function toPosix(p: string): string {
  return path.sep === '/' ? p : p.split(path.sep).join('/');
}
