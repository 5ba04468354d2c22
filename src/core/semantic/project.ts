/**
 * The project index: every summarised module of a project, by module name, and the evaluation of
 * their symbolic types. Plain data in (summaries), answers out; the CLI and the server decide which
 * files to summarise and feed them in (no file system here).
 */
import { createHash } from 'crypto';
import { CLASS_NAMES } from '../anyio-api';
import { isAnyioName } from '../scopes';
import { anyioCallResult, joinTys } from '../resolve';
import { isKnownNotAnyio } from './known';
import { longestPrefix, underConftest } from './select';
import { absolutizeRelative, SUMMARY_VERSION, type CallSite, type ClassSummary, type FunctionSummary, type ModuleSummary, type ProjectHook, type Step, type STy } from './types';

const OTHER: STy = { k: 'other' };
const UNKNOWN: STy = { k: 'unknown' };
const MAX_DEPTH = 24;
const MAX_STEPS = 6;

/** What the engine needs to analyse one file of a project. */
export interface ProjectContext {
  index: ProjectIndex;
  module: string;
  isPackage: boolean;
}

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

export class ProjectIndex {
  /** Summaries by the path they were computed from. */
  private readonly byPath = new Map<string, ModuleSummary>();
  /**
   * The paths claiming each module name. Two files claiming one name (several roots, a copy under
   * `build/`) make it ambiguous: nothing is proven through it until one of them goes away.
   */
  private readonly claims = new Map<string, Set<string>>();
  private version = 0;
  private memo = new Map<string, STy>();
  private carriers?: Set<string>;
  private methodNames?: { all: Set<string>; async: Set<string> };
  private uses?: Map<string, { calls: Array<{ site: CallSite; from: ModuleSummary }>; escaped: boolean }>;
  private splitMemo = new Map<string, { m: ModuleSummary; rest: string[] } | undefined>();
  private digests = new Map<string, string>();

  get size(): number {
    return this.byPath.size;
  }

  /** The summaries of the modules whose name one file alone claims. */
  private *unambiguous(): IterableIterator<ModuleSummary> {
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
  private claimedModuleOf(q: string): string | undefined {
    return longestPrefix(q, (m) => (this.claims.has(m) ? m : undefined))?.value;
  }

  summaries(): ModuleSummary[] {
    return [...this.byPath.values()];
  }

  private changed(): void {
    this.version++;
    this.memo = new Map();
    this.carriers = undefined;
    this.methodNames = undefined;
    this.uses = undefined;
    this.splitMemo = new Map();
    this.digests = new Map();
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

  /** The project module `q` names, and the rest of the dotted name inside it. */
  private split(q: string): { m: ModuleSummary; rest: string[] } | undefined {
    if (this.splitMemo.has(q)) return this.splitMemo.get(q);
    const r = this.splitUncached(q);
    this.splitMemo.set(q, r);
    return r;
  }

  private splitUncached(q: string): { m: ModuleSummary; rest: string[] } | undefined {
    const hit = longestPrefix(q, (m) => this.get(m));
    return hit && { m: hit.value, rest: hit.rest };
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
      for (const s of this.byPath.values()) {
        for (const imp of s.imports) {
          const target = this.claimedModuleOf(imp);
          if (!target) continue;
          let l = importers.get(target);
          if (!l) importers.set(target, (l = new Set()));
          l.add(s.module);
        }
      }
      // pytest hands a conftest's fixtures to the test modules below it without an import.
      const all = [...this.byPath.values()];
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
   * What the pytest fixture `name` defined in a `conftest` module of the project gives; unknown
   * when several conftest modules define it differently.
   */
  fixture(name: string): STy | undefined {
    const found: STy[] = [];
    for (const s of this.unambiguous()) {
      if (s.module !== 'conftest' && !s.module.endsWith('.conftest')) continue;
      const e = s.names[name];
      if (e?.kind === 'function' && e.fn.fixture) found.push(withStep(this.eval(e.fn.returns, s, 1), { what: `fixture ${name}`, module: s.path, line: e.fn.line }));
    }
    return found.length ? join(found) : undefined;
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

  /** The resolver hook for a file of this project. */
  hookFor(module: string, isPackage: boolean): ProjectHook {
    return new EvalHook(this, module, isPackage);
  }

  // ------------------------------------------------------------------ evaluation

  /** The type of the value a qualified name denotes, when it is a name of this project. */
  valueOf(q: string, depth = 0): STy | undefined {
    const hit = this.memo.get(q);
    if (hit) return hit;
    const at = this.split(q);
    if (!at) return undefined;
    if (depth > MAX_DEPTH) return UNKNOWN;
    this.memo.set(q, UNKNOWN); // cycle guard (`a.x = b.y`, `b.y = a.x`)
    const t = this.valueIn(at.m, at.rest, depth + 1);
    this.memo.set(q, t);
    return t;
  }

  private valueIn(m: ModuleSummary, rest: string[], depth: number): STy {
    if (rest.length === 0) return OTHER; // a module object
    const [first, ...more] = rest as [string, ...string[]];
    const q = `${m.module}.${first}`;
    const e = m.names[first];
    let t: STy;
    if (!e) t = UNKNOWN;
    else if (e.kind === 'function') t = { k: 'pfunc', q };
    else if (e.kind === 'class') t = { k: 'pclass', q };
    else if (e.kind === 'module') t = this.valueOf(e.q, depth + 1) ?? this.foreign(e.q);
    else t = this.eval(e.ty, m, depth + 1);
    for (const name of more) t = this.attr(t, name, depth + 1);
    return t;
  }

  /** A name outside the project. */
  private foreign(q: string): STy {
    if (isAnyioName(q)) return CLASS_NAMES.has(q) ? { k: 'class', q } : { k: 'aname', q };
    return isKnownNotAnyio(q) ? OTHER : UNKNOWN;
  }

  /** Evaluate a summary type of module `m`. */
  eval(t: STy, m: ModuleSummary, depth: number): STy {
    if (depth > MAX_DEPTH) return UNKNOWN;
    switch (t.k) {
      case 'sym': {
        const e = t.e;
        switch (e.op) {
          case 'name':
            return this.valueOf(e.q, depth + 1) ?? this.foreign(e.q);
          case 'call':
            return this.call(this.eval(e.f, m, depth + 1), e.awaited, depth + 1);
          case 'attr':
            return this.attr(this.eval(e.o, m, depth + 1), e.name, depth + 1);
          case 'enter':
            return this.enter(this.eval(e.o, m, depth + 1), depth + 1);
          case 'item':
            return this.item(this.eval(e.o, m, depth + 1), e.i);
          case 'join':
            return join(e.items.map((i) => this.eval(i, m, depth + 1)));
        }
        return UNKNOWN;
      }
      case 'cm':
        return { ...t, enter: this.eval(t.enter, m, depth + 1) };
      case 'tuple':
        return { k: 'tuple', items: t.items.map((i) => this.eval(i, m, depth + 1)) };
      case 'seq':
        return { k: 'seq', item: this.eval(t.item, m, depth + 1) };
      case 'map':
        return { k: 'map', value: this.eval(t.value, m, depth + 1) };
      default:
        return t;
    }
  }

  /** The summary of a project function or method (`pkg.mod.f`, `pkg.mod.Cls.method`). */
  private functionOf(q: string): { fn: FunctionSummary; m: ModuleSummary; what: string } | undefined {
    const at = this.split(q);
    if (!at || at.rest.length === 0) return undefined;
    const e = at.m.names[at.rest[0]!];
    if (e?.kind === 'function' && at.rest.length === 1) return { fn: e.fn, m: at.m, what: at.rest[0]! };
    if (e?.kind === 'class' && at.rest.length === 2) {
      const fn = e.cls.methods[at.rest[1]!];
      return fn ? { fn, m: at.m, what: at.rest.join('.') } : undefined;
    }
    return undefined;
  }

  private classOf(q: string): { cls: ClassSummary; m: ModuleSummary; name: string } | undefined {
    const at = this.split(q);
    if (!at || at.rest.length === 0) return undefined;
    const e = at.m.names[at.rest[0]!];
    if (at.rest.length !== 1) return undefined;
    if (e?.kind === 'class') return { cls: e.cls, m: at.m, name: at.rest[0]! };
    // A re-export (`from .jobs import Pool` in `__init__.py`) names the class of another module.
    if (e?.kind === 'value') {
      const t = this.eval(e.ty, at.m, 1);
      if (t.k === 'pclass' && t.q !== q) return this.classOf(t.q);
    }
    return undefined;
  }

  call(f: STy, awaited: boolean, depth = 0): STy {
    if (depth > MAX_DEPTH) return UNKNOWN;
    switch (f.k) {
      case 'pfunc': {
        const at = this.functionOf(f.q);
        if (!at) return UNKNOWN;
        const { fn, m } = at;
        let r: STy;
        if (fn.cm) r = awaited ? UNKNOWN : this.eval(fn.returns, m, depth + 1);
        else if (fn.isAsync) r = awaited ? this.eval(fn.returns, m, depth + 1) : OTHER;
        else r = awaited ? UNKNOWN : this.eval(fn.returns, m, depth + 1);
        const verb = fn.cm ? 'yields' : 'returns';
        return withStep(r, { what: `${at.what}() ${verb}`, module: m.path, line: fn.line });
      }
      case 'pclass':
        return awaited ? UNKNOWN : { k: 'pinst', q: f.q };
      case 'class':
      case 'aname':
        return awaited ? UNKNOWN : anyioCallResult(f.q) ?? UNKNOWN;
      case 'sym':
        return UNKNOWN; // never left after evaluation
      case 'other':
      case 'none':
        return OTHER;
      default:
        return UNKNOWN;
    }
  }

  attr(o: STy, name: string, depth = 0): STy {
    if (depth > MAX_DEPTH) return UNKNOWN;
    switch (o.k) {
      case 'pinst':
      case 'pclass':
        return this.classAttr(o.q, name, depth + 1, new Set());
      case 'anyio':
        return name === 'cancel_scope' && o.cls === 'TaskGroup' ? { k: 'anyio', cls: 'CancelScope', ...(o.via ? { via: o.via } : {}) } : UNKNOWN;
      case 'aname': {
        const q = `${o.q}.${name}`;
        return this.foreign(q);
      }
      case 'other':
      case 'none':
        return OTHER;
      default:
        return UNKNOWN;
    }
  }

  private classAttr(q: string, name: string, depth: number, seen: Set<string>): STy {
    if (depth > MAX_DEPTH || seen.has(q)) return UNKNOWN;
    seen.add(q);
    const c = this.classOf(q);
    if (!c) return UNKNOWN;
    const a = c.cls.attrs[name];
    if (a) return withStep(this.eval(a, c.m, depth + 1), { what: `${c.name}.${name}`, module: c.m.path, line: c.cls.line });
    const fn = c.cls.methods[name];
    if (fn) {
      if (fn.property) return withStep(this.eval(fn.returns, c.m, depth + 1), { what: `${c.name}.${name} (property)`, module: c.m.path, line: fn.line });
      return { k: 'pfunc', q: `${q}.${name}` };
    }
    for (const b of c.cls.bases) {
      const bt = this.eval(b, c.m, depth + 1);
      if (bt.k !== 'pclass') continue;
      const t = this.classAttr(bt.q, name, depth + 1, seen);
      if (t.k !== 'unknown') return t;
    }
    return UNKNOWN;
  }

  enter(t: STy, depth = 0): STy {
    switch (t.k) {
      case 'cm':
        // What the `with` binds keeps the proof of the context manager.
        return t.via && (t.enter.k === 'anyio' || t.enter.k === 'cm') ? { ...t.enter, via: [...t.via, ...(t.enter.via ?? [])].slice(0, MAX_STEPS) } : t.enter;
      case 'anyio':
        if (t.cls === 'TaskGroup' || t.cls === 'CancelScope' || t.cls === 'BlockingPortal' || t.cls === 'MemoryObjectSendStream' || t.cls === 'MemoryObjectReceiveStream') return t;
        return OTHER;
      case 'pinst': {
        for (const [m, awaited] of [['__aenter__', true], ['__enter__', false]] as const) {
          const f = this.classAttr(t.q, m, depth + 1, new Set());
          if (f.k === 'pfunc') return this.call(f, awaited && this.functionOf(f.q)?.fn.isAsync === true, depth + 1);
        }
        return UNKNOWN;
      }
      case 'other':
      case 'none':
        return OTHER;
      default:
        return UNKNOWN;
    }
  }

  item(t: STy, i: number): STy {
    if (t.k === 'tuple') return t.items[i] ?? UNKNOWN;
    if (t.k === 'other') return OTHER;
    return UNKNOWN;
  }
}

/** The analysis-time hook: names of other modules answered by the index. */
class EvalHook implements ProjectHook {
  readonly symbolic = false;
  constructor(
    private readonly index: ProjectIndex,
    private readonly module: string,
    private readonly isPackage: boolean,
  ) {}
  absolutize(relative: string): string | undefined {
    return absolutizeRelative(relative, this.module, this.isPackage);
  }
  valueOf(q: string): STy | undefined {
    return this.index.valueOf(q);
  }
  call(f: STy, awaited: boolean): STy {
    return this.index.call(f, awaited);
  }
  attr(o: STy, name: string): STy {
    return this.index.attr(o, name);
  }
  enter(t: STy): STy {
    return this.index.enter(t);
  }
  item(t: STy, i: number): STy {
    return this.index.item(t, i);
  }
  definesMethod(name: string, asyncOnly: boolean): boolean {
    return this.index.definesMethod(name, asyncOnly);
  }
  fixture(name: string): STy | undefined {
    return this.index.fixture(name);
  }
  externalArgs(name: string, index: number, paramName: string): STy[] | undefined {
    return this.index.externalArgs(`${this.module}.${name}`, index, paramName);
  }
}

/** The resolver's join, on plain types. */
const join = (tys: STy[]): STy => joinTys(tys) as STy;

/** `t` with one more step of its proof (for AnyIO objects and context managers). */
function withStep(t: STy, step: Step): STy {
  if (t.k !== 'anyio' && t.k !== 'cm') return t;
  const via = [step, ...(t.via ?? [])].slice(0, MAX_STEPS);
  return { ...t, via };
}
