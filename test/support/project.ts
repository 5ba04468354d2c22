/**
 * Project trees on disk for the language-server tests: a throw-away folder, and a package whose
 * modules use AnyIO through each other (what the project index proves across modules).
 */
import * as path from 'path';
import { pathToFileURL } from 'url';
import { makeTempDir, removeDir, writeFile } from './helpers';

/** The `file:` URI of an absolute path. */
export const uriOf = (file: string): string => pathToFileURL(file).href;

/** Yields a task group from AnyIO. */
export const HELPERS = `import anyio
from contextlib import asynccontextmanager


@asynccontextmanager
async def open_group():
    async with anyio.create_task_group() as g:
        yield g
`;

/** The same helper, no longer yielding a task group. */
export const HELPERS_PLAIN = `from contextlib import asynccontextmanager


@asynccontextmanager
async def open_group():
    yield object()
`;

/** Never writes `anyio`: its task group comes from the helper (found through the project index). */
export const APP = `from . import helpers


async def worker():
    pass


async def main():
    async with helpers.open_group() as group:
        await group.spawn(worker)
`;

/** A module with nothing of AnyIO. */
export const PLAIN = 'import os\n\n\ndef f():\n    return os.sep\n';

export interface TempProject {
  /** The throw-away folder (real path); room for other trees beside `root`. */
  tmp: string;
  /** The project's folder, `tmp/NAME` (not created: write or copy into it). */
  root: string;
  /** Removes `tmp` and everything in it. */
  remove(): void;
}

/** A fresh temp folder (`PREFIX…`) for a project at `tmp/name`. */
export function tempProject(prefix: string, name: string): TempProject {
  const tmp = makeTempDir(prefix);
  return { tmp, root: path.join(tmp, name), remove: () => removeDir(tmp) };
}

/**
 * Writes the package `pkg/` under `root`: `__init__.py`, `helpers.py` (HELPERS), `app.py` (APP) and
 * `plainName` (PLAIN). Returns the URIs of helpers.py and app.py.
 */
export function writeIndexedPackage(root: string, plainName: string): { helpers: string; app: string } {
  writeFile(root, 'pkg/__init__.py', '');
  const helpers = uriOf(writeFile(root, 'pkg/helpers.py', HELPERS));
  const app = uriOf(writeFile(root, 'pkg/app.py', APP));
  writeFile(root, `pkg/${plainName}`, PLAIN);
  return { helpers, app };
}
