/**
 * The semantic model's entry points: index a set of files, and the analysis context of one of them.
 *
 *   const index = new ProjectIndex();
 *   updateIndex(index, [{ path: 'src/pkg/helpers.py', text }, ...]);
 *   analyze(text, { project: contextFor(index, 'src/pkg/app.py') });
 */
import { moduleNames, type ProjectIndex, type ProjectContext } from './project';
import { scanImports, selectModules, type ScannedModule } from './select';
import { shallowSummary, summarizeModule } from './summary';

export { ProjectIndex, moduleNames, type ProjectContext } from './project';
export { summarizeModule } from './summary';
export type { ModuleSummary, STy, Step } from './types';

export interface SourceFile {
  /** Path with `/` separators, relative to the workspace or absolute: the same form everywhere. */
  path: string;
  text: string;
}

/**
 * Summarise `files` into `index` (module names from the package layout of `allPaths`, by default
 * these files and the ones the index holds; see `moduleNames`). Files whose text did not change
 * keep their summary. Returns the paths whose summary changed.
 */
export function updateIndex(index: ProjectIndex, files: readonly SourceFile[], allPaths?: readonly string[]): string[] {
  // Module names depend on the whole layout (which folders hold an `__init__.py`): by default the
  // files given plus every file the index already holds.
  const names = moduleNames(allPaths ?? [...new Set([...index.paths(), ...files.map((f) => f.path)])]);
  const changed: string[] = [];
  for (const f of files) {
    const n = names.get(f.path);
    if (!n) continue;
    if (index.set(summarizeModule(f.text, n.module, n.isPackage, f.path))) changed.push(f.path);
  }
  return changed;
}

/**
 * Index `files` the way the CLI and the server do: only the AnyIO-related modules (see
 * `select.ts`), parsed when they can hand out AnyIO objects, scanned when they are only imported
 * by those. Returns the paths summarised.
 */
export function indexSelected(index: ProjectIndex, files: readonly SourceFile[]): string[] {
  const names = moduleNames(files.map((f) => f.path));
  const scanned = new Map<SourceFile, ScannedModule>();
  for (const f of files) {
    const n = names.get(f.path);
    if (n) scanned.set(f, { module: n.module, mentionsAnyio: f.text.includes('anyio'), imports: scanImports(f.text, n.module, n.isPackage) });
  }
  const { all, full: carriers } = selectModules(scanned);
  for (const f of all) {
    const n = names.get(f.path)!;
    index.set(carriers.has(f) ? summarizeModule(f.text, n.module, n.isPackage, f.path) : shallowSummary(f.text, n.module, n.isPackage, f.path));
  }
  return [...all].map((f) => f.path);
}

/** The analysis context of the file at `path`, if the index knows its module. */
export function contextFor(index: ProjectIndex, path: string): ProjectContext | undefined {
  const module = index.moduleOfPath(path);
  const s = module === undefined ? undefined : index.get(module);
  return s ? { index, module: s.module, isPackage: s.isPackage } : undefined;
}
