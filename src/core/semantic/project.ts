/**
 * The project index: every summarised module of a project, by module name, and the evaluation of
 * their symbolic types. Plain data in (summaries), answers out; the CLI and the server decide which
 * files to summarise and feed them in (no file system here).
 *
 * This module evaluates (names, calls, attributes, `with`, items, fixtures, the resolver's hook);
 * the modules and their claims are `project-modules.ts`, cross-module evidence `project-evidence.ts`.
 */
import { CLASS_NAMES } from '../anyio-api';
import { isAnyioName } from '../scopes';
import { anyioCallResult, joinTys } from '../resolve';
import { isKnownNotAnyio } from './known';
import { ProjectEvidence } from './project-evidence';
import { absolutizeRelative, type ClassSummary, type FunctionSummary, type ModuleSummary, type ProjectHook, type Step, type STy } from './types';

export { moduleNames } from './project-modules';

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

/** Every summarised module of a project, and the evaluation of their symbolic types. */
export class ProjectIndex extends ProjectEvidence {
  private memo = new Map<string, STy>();

  protected override changed(): void {
    super.changed();
    this.memo = new Map();
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
        return awaited ? UNKNOWN : (anyioCallResult(f.q) ?? UNKNOWN);
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
        for (const [m, awaited] of [
          ['__aenter__', true],
          ['__enter__', false],
        ] as const) {
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
