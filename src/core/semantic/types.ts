/**
 * The semantic model's plain data: types as far as AnyIO is concerned, and per-module summaries.
 *
 * A module's summary depends on its own text only. Whatever it takes from another module is kept
 * symbolic (`{ k: 'sym', e: { op: 'name', q: 'pkg.helpers.open_group' } }`, "the result of calling
 * it", "its attribute `x`"...) and resolved by the project index when a file is analysed, so a
 * changed module never invalidates the summaries of the modules that import it.
 */
import type { AnyioClass } from '../anyio-api';

/** Where a type was proven, for explanations: "`helpers.open_group` (pkg/helpers.py:12)". */
export interface Step {
  /** What was followed: `helpers.open_group()`, `Worker.ready`. */
  what: string;
  module: string;
  /** 1-based line in that module. */
  line: number;
}

/** A type that can be stored in a summary (plain JSON). */
export type STy =
  | { k: 'anyio'; cls: AnyioClass; via?: Step[] }
  /** A context manager; `enter` is what `with ... as x` binds. */
  | { k: 'cm'; enter: STy; via?: Step[] }
  | { k: 'tuple'; items: STy[] }
  /** An AnyIO class object (`anyio.Event` itself, not an instance). */
  | { k: 'class'; q: string }
  /** An AnyIO function or module object (`anyio.create_event`), reached through a project re-export. */
  | { k: 'aname'; q: string }
  /** A project class object / an instance of it / a project function or method, by qualified name. */
  | { k: 'pclass'; q: string }
  | { k: 'pinst'; q: string }
  | { k: 'pfunc'; q: string }
  /** A list, set or iterable of items of one type; a dict whose values have one type. */
  | { k: 'seq'; item: STy }
  | { k: 'map'; value: STy }
  /** Proven not to be an AnyIO object. */
  | { k: 'other' }
  | { k: 'none' }
  | { k: 'unknown' }
  /** Summary-time only: something that depends on another module. */
  | { k: 'sym'; e: Sym };

export type Sym =
  | { op: 'name'; q: string }
  | { op: 'call'; f: STy; awaited: boolean }
  | { op: 'attr'; o: STy; name: string }
  | { op: 'enter'; o: STy }
  | { op: 'item'; o: STy; i: number }
  | { op: 'join'; items: STy[] };

export interface FunctionSummary {
  isAsync: boolean;
  /** `@asynccontextmanager` / `@contextmanager` generator: calling it gives a context manager. */
  cm?: 'async' | 'sync';
  /** `@property` / `cached_property`: reading the attribute gives `returns`. */
  property?: boolean;
  /** A pytest fixture: `returns` is what a test asking for it gets (what it yields or returns). */
  fixture?: boolean;
  /** What the call gives (for `async def`: what awaiting it gives; for `cm`: what `with` binds). */
  returns: STy;
  line: number;
}

export interface ClassSummary {
  bases: STy[];
  /** Instance and class attributes (`self.x = ...`, annotations, dataclass/attrs/pydantic fields). */
  attrs: Record<string, STy>;
  methods: Record<string, FunctionSummary>;
  line: number;
}

export type Export =
  | { kind: 'value'; ty: STy; line: number }
  | { kind: 'function'; fn: FunctionSummary }
  | { kind: 'class'; cls: ClassSummary }
  /** A submodule bound by `import pkg.sub` or `from . import sub`: resolved by name. */
  | { kind: 'module'; q: string };

export interface ModuleSummary {
  /** Format version: summaries from another version are recomputed. */
  v: number;
  module: string;
  isPackage: boolean;
  /** Project-relative path, for explanations. */
  path: string;
  /** SHA-256 of the text the summary was computed from. */
  hash: string;
  /** Absolute names of the modules this one imports (project or not). */
  imports: string[];
  /** Module-level names. */
  names: Record<string, Export>;
  /** Whether the text mentions anyio at all. */
  mentionsAnyio: boolean;
  /**
   * Calls this module makes of other modules' functions and classes (and the callables it hands
   * to a spawner: `tg.spawn(helpers.worker, evt)`), with the types of what it passes: the evidence
   * for an unannotated parameter's type, gathered over the project.
   */
  calls: CallSite[];
  /** Other modules' names this module uses other than by calling them (stored, passed, returned). */
  escapes: string[];
  /** Modules this one star-imports (`from pkg.mod import *`): their functions' callers are not all in view. */
  stars: string[];
  /**
   * A shallow summary (a module that neither mentions anyio nor imports one that does): names,
   * classes and methods from a line scan, every type unknown, no calls recorded — so a function it
   * imports has callers out of view.
   */
  shallow?: boolean;
}

export interface CallSite {
  /** The callee's qualified name as written here (`pkg.helpers.worker`, a re-export's name...). */
  q: string;
  /** Positional arguments after the callable (a splat makes the call site absent: unknown). */
  args: STy[];
  kw: Record<string, STy>;
  line: number;
}

export const SUMMARY_VERSION = 4;

/**
 * What the resolver of one file asks about names from other modules. While summarising a module
 * the answers are symbolic (`SymbolicHook`); while analysing a file they come from the project
 * index. Every method gets and returns plain types; `undefined` from `valueOf` means "not a name of
 * this project".
 */
export interface ProjectHook {
  /** `.jobs.Pool` (a relative import's source, leading dots kept) → `pkg.jobs.Pool`; undefined if it leaves the package. */
  absolutize(relative: string): string | undefined;
  valueOf(q: string): STy | undefined;
  call(callee: STy, awaited: boolean): STy;
  attr(base: STy, name: string): STy;
  enter(cm: STy): STy;
  item(t: STy, i: number): STy;
  /**
   * The types other modules pass for parameter `index`/`paramName` of this module's function (or
   * class constructor) `name`; undefined when some use of it is not a call in view (an escape, a
   * star import), or in the summary pass.
   */
  externalArgs(name: string, index: number, paramName: string): STy[] | undefined;
  /** Whether a class of another module of the project defines a method `name` (`asyncOnly`: an `async def`). */
  definesMethod(name: string, asyncOnly: boolean): boolean;
  /** What the pytest fixture `name` of a `conftest.py` of the project gives, if there is one. */
  fixture(name: string): STy | undefined;
  /** Whether this is the summary pass (results may be symbolic). */
  readonly symbolic: boolean;
}

/** Resolve a relative import source against a module name (`pkg.sub.mod`, package or not). */
export function absolutizeRelative(relative: string, module: string, isPackage: boolean): string | undefined {
  const m = /^(\.+)(.*)$/.exec(relative);
  if (!m) return relative;
  const dots = m[1]!.length;
  const parts = module.split('.');
  // In `pkg/__init__.py` (module `pkg`), `.` is `pkg` itself; in `pkg/mod.py`, `.` is `pkg`.
  const base = isPackage ? parts : parts.slice(0, -1);
  const up = dots - 1;
  if (base.length - up <= 0) return undefined;
  const pkg = base.slice(0, base.length - up);
  return m[2] ? [...pkg, m[2]].join('.') : pkg.join('.');
}
