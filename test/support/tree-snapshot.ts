/**
 * A snapshot of a folder tree (names, types, modes, file contents by hash, link targets), to assert
 * that a run changed nothing in a folder it must not touch.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/** `rel -> description` for every entry under `root` (symlinks are described, never followed). */
export function snapshotTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (dir: string): void => {
    for (const name of fs.readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      const rel = path.relative(root, full);
      const st = fs.lstatSync(full);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out[rel] = `link -> ${fs.readlinkSync(full)}`;
      else if (st.isDirectory()) {
        out[rel] = `dir ${mode}`;
        visit(full);
      } else if (st.isFile()) out[rel] = `file ${mode} ${st.size} ${createHash('sha256').update(fs.readFileSync(full)).digest('hex')}`;
      else out[rel] = `special ${st.mode.toString(8)}`;
    }
  };
  visit(root);
  return out;
}
