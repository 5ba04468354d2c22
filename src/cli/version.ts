/** The package version the CLI reports (`--version`) and keys its cache with. */
import * as fs from 'fs';
import * as path from 'path';

/** The package version, from the nearest package.json named anyio-migrate above this file. */
export function packageVersion(): string {
  let dir = __dirname;
  for (;;) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'anyio-migrate' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      /* keep looking */
    }
    const parent = path.dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}
