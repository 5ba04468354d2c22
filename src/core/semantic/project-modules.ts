/**
 * The modules of a project: module names from file paths, the summaries by path and the paths
 * claiming each module name (two claims make a name ambiguous), the module a dotted name reaches,
 * who imports whom, and the digest of a module's dependencies. Evaluation builds on this
 * (`project-evidence.ts`, `project.ts`).
 */
import { createHash } from 'crypto';
import { longestPrefix } from './select';
import { SUMMARY_VERSION, type ModuleSummary } from './types';

/**
 * Module names for the Python files of a tree, from the files alone: a folder is a package when
 * it holds an `__init__.py` among `paths`; a module's name runs from the first folder above its
 * outermost package (the import root: `src/` in src layouts, the project folder otherwise).
 * `paths` use `/` separators.
 */
export function moduleNames(paths: readonly string[]): Map<string, { module: string; isPackage: boolean }> {
  const inits = new Set<string>();
  for (const p of paths) if (/(^|\/)__init__\.pyi?$/.test(p)) inits.add(p.slice(0, p.lastIndexOf('/') + 1));
  const out = new Map<string, { module: string; isPackage: boolean }>();
  const all = new Set(paths);
  for (const p of paths) {
    if (!/\.pyi?$/.test(p)) continue;
    // A stub next to its module describes the same module: the module's own code is summarised.
    if (p.endsWith('.pyi') && all.has(p.slice(0, -1))) continue;
    const slash = p.lastIndexOf('/');
    const file = p.slice(slash + 1).replace(/\.pyi?$/, '');
    const isPackage = file === '__init__';
    const parts: string[] = isPackage ? [] : [file];
    let dir = p.slice(0, slash + 1);
    while (dir && inits.has(dir)) {
      const d = dir.slice(0, -1);
      const s = d.lastIndexOf('/');
      parts.unshift(d.slice(s + 1));
      dir = d.slice(0, s + 1);
    }
    if (parts.length === 0 || parts.some((x) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(x))) continue;
    out.set(p, { module: parts.join('.'), isPackage });
  }
  return out;
}

/** Summaries by path and by the module name they claim; every change clears the derived caches. */
export class ModuleTable {
  /** Summaries by the path they were computed from. */
  private readonly byPath = new Map<string, ModuleSummary>();
  /**
   * The paths claiming each module name. Two files claiming one name (several roots, a copy under
   * `build/`) make it ambiguous: nothing is proven through it until one of them goes away.
   */
  protected readonly claims = new Map<string, Set<string>>();
  private version = 0;
  private splitMemo = new Map<string, { m: ModuleSummary; rest: string[] } | undefined>();
  private digests = new Map<string, string>();

  get size(): number {
    return this.byPath.size;
  }

  /** The summaries of the modules whose name one file alone claims. */
  protected *unambiguous(): IterableIterator<ModuleSummary> {
    for (const [, paths] of this.claims) if (paths.size === 1) yield this.byPath.get(paths.values().next().value!)!;
  }

  /** Add or replace a module's summary. Returns whether anything changed. */
  set(summary: ModuleSummary): boolean {
    if (summary.v !== SUMMARY_VERSION) return false;
    const old = this.byPath.get(summary.path);
    if (old && old.hash === summary.hash && old.module === summary.module && old.isPackage === summary.isPackage && !!old.shallow === !!summary.shallow) return false;
    if (old && old.module !== summary.module) this.unclaim(old.module, old.path);
    this.byPath.set(summary.path, summary);
    let paths = this.claims.get(summary.module);
    if (!paths) this.claims.set(summary.module, (paths = new Set()));
    paths.add(summary.path);
    this.changed();
    return true;
  }

  private unclaim(module: string, path: string): void {
    const paths = this.claims.get(module);
    paths?.delete(path);
    if (paths?.size === 0) this.claims.delete(module);
  }

  /** Forget the module summarised from `path`. */
  deletePath(path: string): boolean {
    const old = this.byPath.get(path);
    if (!old) return false;
    this.byPath.delete(path);
    this.unclaim(old.module, path);
    this.changed();
    return true;
  }

  get(module: string): ModuleSummary | undefined {
    const paths = this.claims.get(module);
    return paths?.size === 1 ? this.byPath.get(paths.values().next().value!) : undefined;
  }

  moduleOfPath(path: string): string | undefined {
    return this.byPath.get(path)?.module;
  }

  /** The paths summarised. */
  paths(): string[] {
    return [...this.byPath.keys()];
  }

  /** The module name (claimed by one file or several) that the import `q` reaches. */
  protected claimedModuleOf(q: string): string | undefined {
    return longestPrefix(q, (m) => (this.claims.has(m) ? m : undefined))?.value;
  }

  summaries(): ModuleSummary[] {
    return [...this.byPath.values()];
  }

  /** Forget everything derived from the summaries (subclasses clear their own caches too). */
  protected changed(): void {
    this.version++;
    this.splitMemo = new Map();
    this.digests = new Map();
  }

  /** The project module `q` names, and the rest of the dotted name inside it. */
  protected split(q: string): { m: ModuleSummary; rest: string[] } | undefined {
    if (this.splitMemo.has(q)) return this.splitMemo.get(q);
    const r = this.splitUncached(q);
    this.splitMemo.set(q, r);
    return r;
  }

  private splitUncached(q: string): { m: ModuleSummary; rest: string[] } | undefined {
    const hit = longestPrefix(q, (m) => this.get(m));
    return hit && { m: hit.value, rest: hit.rest };
  }

  /** Modules that import `module` (directly). */
  dependents(module: string): string[] {
    const out: string[] = [];
    for (const s of this.unambiguous()) if (s.imports.some((imp) => this.split(imp)?.m.module === module)) out.push(s.module);
    return out;
  }

  /**
   * A digest of everything the analysis of `module` can depend on besides its own text: the
   * summaries of the modules it imports, transitively (for caches keyed by a file's text).
   */
  digest(module: string): string {
    const hit = this.digests.get(module);
    if (hit !== undefined) return hit;
    const d = this.digestUncached(module);
    this.digests.set(module, d);
    return d;
  }

  private digestUncached(module: string): string {
    const seen = new Set<string>([module]);
    const deps = new Set<string>();
    const stack = [module];
    while (stack.length) {
      for (const imp of this.get(stack.pop()!)?.imports ?? []) {
        const t = this.split(imp)?.m.module;
        if (t && !seen.has(t)) {
          seen.add(t);
          deps.add(t);
          stack.push(t);
        }
      }
    }
    // The module's own summary is left out: its text is what the caller keys on already, and an
    // edit to it alone must not look like a change of its dependencies.
    deps.delete(module);
    const h = createHash('sha256');
    for (const m of [...deps].sort()) {
      const s = this.get(m);
      h.update(`${m}\0${s?.hash ?? '-'}${s?.shallow ? ':shallow' : ''}\0`);
    }
    return h.digest('hex');
  }
}
