/**
 * Cross-module evidence the resolver asks for: which modules carry AnyIO objects (the analysis
 * gate), whether a project class defines a method, and what the other modules pass to a function
 * or class at their call sites (undefined when one of them uses it any other way).
 */
import type { CallSite, ModuleSummary, STy } from './types';
import { underConftest } from './select';
import { ModuleTable } from './project-modules';

/** The project's modules with the evidence derived from all of them; `ProjectIndex` evaluates. */
export abstract class ProjectEvidence extends ModuleTable {
  private carriers?: Set<string>;
  private methodNames?: { all: Set<string>; async: Set<string> };
  private uses?: Map<string, { calls: Array<{ site: CallSite; from: ModuleSummary }>; escaped: boolean }>;

  /** The type the qualified name `q` has, evaluated (see `ProjectIndex`). */
  abstract override valueOf(q: string, depth?: number): STy | undefined;
  /** Evaluate the symbolic type `t` of module `m` (see `ProjectIndex`). */
  abstract eval(t: STy, m: ModuleSummary, depth: number): STy;

  protected override changed(): void {
    super.changed();
    this.carriers = undefined;
    this.methodNames = undefined;
    this.uses = undefined;
  }

  /** Whether a class of the project defines a method `name` (`asyncOnly`: as `async def`). */
  definesMethod(name: string, asyncOnly: boolean): boolean {
    if (!this.methodNames) {
      const all = new Set<string>();
      const async = new Set<string>();
      for (const s of this.unambiguous()) {
        for (const e of Object.values(s.names)) {
          if (e.kind !== 'class') continue;
          for (const [m, fn] of Object.entries(e.cls.methods)) {
            all.add(m);
            if (fn.isAsync) async.add(m);
          }
        }
      }
      this.methodNames = { all, async };
    }
    return (asyncOnly ? this.methodNames.async : this.methodNames.all).has(name);
  }

  /**
   * Modules that carry AnyIO objects: they mention anyio, or import a module that does
   * (transitively). A file that never writes `anyio` is still analysed when it imports one.
   */
  isCarrier(module: string): boolean {
    if (!this.carriers) {
      // Over every summary, ambiguous names included: a module two files claim still connects its
      // importers to AnyIO if either of them does (the gate must stay a superset).
      const importers = new Map<string, Set<string>>();
      for (const s of this.summaries()) {
        for (const imp of s.imports) {
          const target = this.claimedModuleOf(imp);
          if (!target) continue;
          let l = importers.get(target);
          if (!l) importers.set(target, (l = new Set()));
          l.add(s.module);
        }
      }
      // pytest hands a conftest's fixtures to the test modules below it without an import.
      const all = [...this.summaries()];
      for (const c of all) {
        if (c.module !== 'conftest' && !c.module.endsWith('.conftest')) continue;
        for (const t of all) {
          if (t === c || !underConftest(t.module, c.module)) continue;
          let l = importers.get(c.module);
          if (!l) importers.set(c.module, (l = new Set()));
          l.add(t.module);
        }
      }
      const carriers = new Set<string>();
      const queue = all.filter((s) => s.mentionsAnyio).map((s) => s.module);
      for (const q of queue) carriers.add(q);
      while (queue.length) {
        for (const imp of importers.get(queue.pop()!) ?? []) {
          if (!carriers.has(imp)) {
            carriers.add(imp);
            queue.push(imp);
          }
        }
      }
      this.carriers = carriers;
    }
    return this.carriers.has(module);
  }

  /** Whether `module` imports a project module that carries AnyIO objects. */
  importsCarrier(module: string): boolean {
    const s = this.get(module);
    if (!s) return false;
    const viaImport = s.imports.some((imp) => {
      const t = this.claimedModuleOf(imp);
      return t !== undefined && t !== module && this.isCarrier(t);
    });
    if (viaImport) return true;
    for (const c of this.claims.keys()) {
      if ((c === 'conftest' || c.endsWith('.conftest')) && c !== module && underConftest(module, c) && this.isCarrier(c)) return true;
    }
    return false;
  }

  /**
   * What the other modules pass for parameter `index`/`paramName` of the function or class `q`
   * (`pkg.mod.f`): one type per call that passes it. Undefined when some module uses `q` other
   * than by calling it, star-imports its module, or calls it with `*args`/`**kwargs`.
   */
  externalArgs(q: string, index: number, paramName: string): STy[] | undefined {
    const uses = this.usesOf().get(q);
    const module = q.slice(0, q.lastIndexOf('.'));
    for (const s of this.unambiguous()) {
      if (s.stars.some((m) => m === module)) return undefined;
      // A shallow summary records no calls: a module that imports this one may call it anyhow.
      if (s.shallow && s.module !== module && s.imports.some((imp) => imp === q || imp === module || module.startsWith(`${imp}.`))) return undefined;
    }
    if (!uses) return [];
    if (uses.escaped) return undefined;
    const out: STy[] = [];
    for (const { site, from } of uses.calls) {
      if (site.line < 0) return undefined; // a call with a splat
      const a = site.kw[paramName] ?? site.args[index];
      if (a) out.push(this.eval(a, from, 1));
    }
    return out;
  }

  /** Every module's calls and other uses, by the function/class they reach (re-exports followed). */
  private usesOf(): Map<string, { calls: Array<{ site: CallSite; from: ModuleSummary }>; escaped: boolean }> {
    if (this.uses) return this.uses;
    const uses = new Map<string, { calls: Array<{ site: CallSite; from: ModuleSummary }>; escaped: boolean }>();
    const entry = (q: string) => {
      let e = uses.get(q);
      if (!e) uses.set(q, (e = { calls: [], escaped: false }));
      return e;
    };
    const target = (q: string): string | undefined => {
      const t = this.valueOf(q);
      return t && (t.k === 'pfunc' || t.k === 'pclass') ? t.q : undefined;
    };
    for (const s of this.unambiguous()) {
      for (const site of s.calls) {
        const t = target(site.q);
        if (t) entry(t).calls.push({ site, from: s });
      }
      for (const q of s.escapes) {
        const t = target(q);
        if (t) entry(t).escaped = true;
      }
    }
    this.uses = uses;
    return uses;
  }
}
