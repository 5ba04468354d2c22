/**
 * Migrate stays inside the workspace: every file it reads, and every document it returns an edit
 * for, must have a real path (symlinks resolved) inside the real path of a workspace folder. A
 * symlink — to a file or through a linked directory — that leads outside is skipped with a reason,
 * never read and never edited (an edit to the link's path would be written through the link).
 *
 * With no workspace folder at all (a single file opened in the editor), a file given explicitly is
 * accepted only when it is not itself a symlink (the editor shows the file at that path).
 */
import * as fsp from 'fs/promises';
import * as path from 'path';
import { isWithin } from '../shared/paths';
import { errorMessage } from './errors';

export type ConfineResult = { ok: true; real: string } | { ok: false; reason: string };

/** The real path of `file`; for a file that does not exist (yet), its folder's real path + name. */
async function realPathOf(file: string): Promise<string> {
  try {
    return await fsp.realpath(file);
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOENT') throw err;
    return path.join(await fsp.realpath(path.dirname(file)), path.basename(file));
  }
}

export class Confinement {
  private constructor(
    /** Real paths of the workspace folders. */
    readonly roots: readonly string[],
  ) {}

  /** The folders' real paths; folders that do not resolve (deleted, unreadable) contain nothing. */
  static async of(folders: readonly string[]): Promise<Confinement> {
    const roots: string[] = [];
    for (const f of folders) {
      try {
        const real = await fsp.realpath(f);
        if (!roots.includes(real)) roots.push(real);
      } catch {
        /* a folder that does not resolve contains nothing */
      }
    }
    return new Confinement(roots);
  }

  /** Whether `file` may be read and edited; its real path when it may. */
  async check(file: string): Promise<ConfineResult> {
    let real: string;
    try {
      real = await realPathOf(path.resolve(file));
    } catch (err) {
      return { ok: false, reason: `cannot resolve its path (${errorMessage(err)})` };
    }
    if (this.roots.length === 0) {
      let link = false;
      try {
        link = (await fsp.lstat(file)).isSymbolicLink();
      } catch {
        /* missing: not a link */
      }
      if (!link) return { ok: true, real };
      return { ok: false, reason: `symlink (-> ${real}); not followed without a workspace folder` };
    }
    if (this.roots.some((r) => isWithin(r, real))) return { ok: true, real };
    return {
      ok: false,
      reason: real === path.resolve(file) ? 'outside the workspace folders' : `symlink to outside the workspace folders (-> ${real}); not followed`,
    };
  }
}
