/**
 * The grammar of the differential runtime fuzzer (test/fuzz/runtime-*.ts): small AnyIO 2 programs
 * built from snippets of AnyIO 2 API usage and of look-alikes, each printing a deterministic trace.
 *
 * A program is `async def prog_<k>()` plus its module-level prelude (imports, helper functions,
 * classes). Every name a program defines carries its index `k`, so many programs can share one
 * module (one interpreter start for all of them). Program `k` of a seed is always the same text:
 * its choices come from the fuzzer's PRNG (mulberry32, ./mutations.ts) seeded by (seed, k).
 *
 * What the grammar covers (rows of ../shared/anyio-api-delta.md):
 * - events (B1, B2): create_event, await set(), is_set(), await wait(); a waiter task woken by set;
 * - locks, conditions, semaphores (B3–B10): acquire/release, async with, locked(), value, notify /
 *   notify_all to a waiting task (B7, B8), create_semaphore(value=) (B9);
 * - capacity limiters (B11–B16): tokens, acquire/release (B14), acquire_on_behalf_of_nowait /
 *   release_on_behalf_of, set_total_tokens as a statement and (rarely) with its result used (no
 *   fix: an expected exclusion), acquire_nowait (asyncio only: 2.2's trio backend never took the
 *   token, see the audit);
 * - task groups (D1): spawn with args and name=, spawn through a helper, tg.cancel_scope.cancel();
 * - cancel scopes (C1–C5): open_cancel_scope (+shield), cancel(), move_on_after, fail_after
 *   (TimeoutError, None), deadlines;
 * - now-sync functions (A1–A4), printed as deterministic facts (isinstance, comparisons);
 * - memory object streams (E1, E2): send_nowait, receive_nowait, WouldBlock;
 * - threads and portals (F1–F3, F5, F8, F10): run_sync_in_worker_thread (limiter=, cancellable=),
 *   run_async_from_thread, current_default_worker_thread_limiter, create_blocking_portal +
 *   call / spawn_task from a thread, start_blocking_portal in a worker thread;
 * - AnyIO 2.2 compat code (I1, I2, ASY601–ASY605): maybe_async, maybe_async_cm, the try/except
 *   import of Event as create_event, warnings.catch_warnings around spawn, the isawaitable dance;
 * - spellings: `import anyio`, `import anyio as x`, `from anyio import X [as Y]`, an import inside
 *   the function, module attributes (`anyio.abc.Event` annotations);
 * - receivers reached directly, through a variable, a list, a helper's parameter (annotated with the
 *   AnyIO abc class, or not), an attribute set in `__init__` (annotated on the class, or not);
 * - look-alikes: user classes with their own `async def set/release/spawn/cancel/notify/...`
 *   (including a local class named `Event`, a user task-group-like async CM bound as `tg`, and a
 *   user object's `.cancel_scope.cancel()`), user callbacks awaited through `inspect.isawaitable`,
 *   `await maybe_async(<user coroutine>)`, and functions named like AnyIO's from another module
 *   (`fakeio`, written next to the program; imported inside the function, shadowing AnyIO's).
 *
 * Deliberately avoided (AnyIO 2 and 3 legitimately differ and no rule could know): releasing a Lock
 * from a task that does not hold it (B4), get_all_backends (H5), type names of the values the now-
 * sync functions return in 3.x (DeprecatedAwaitableFloat), task start order (trio randomises it:
 * tasks log into a list printed sorted), several failures in one task group (group types differ).
 */
import { prng } from './mutations';

export interface Rand {
  next(): number;
  int(n: number): number;
  pick<T>(xs: readonly T[]): T;
  chance(p: number): boolean;
}

export function rand(seed: number): Rand {
  const next = prng(seed);
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!,
    chance: (p) => next() < p,
  };
}

/** The PRNG seed of program `index` of `seed` (programs are independent of each other). */
export function programSeed(seed: number, index: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (index + 0x7f4a7c15), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** One statement of a function body or one module-level item: lines without the base indentation. */
export interface Unit {
  lines: string[];
}

export interface Program {
  /** `p<index>`: the marker the driver prints and the suffix of every name the program defines. */
  id: string;
  index: number;
  /** Module-level items (imports, helpers, classes), each removable on its own by the minimiser. */
  prelude: Unit[];
  /** The statements of `async def prog_<index>()`. */
  body: Unit[];
  /** Snippet kinds, for coverage counts. */
  features: string[];
  /** True when the program calls AnyIO-named methods or functions on objects that are not AnyIO's. */
  lookalike: boolean;
}

/** The AnyIO 2 classes a receiver can be, with the annotation that names each in 2.2 and 3.x. */
type Cls =
  'Event' | 'Lock' | 'Condition' | 'Semaphore' | 'CapacityLimiter' | 'TaskGroup' | 'CancelScope' | 'MemoryObjectSendStream' | 'MemoryObjectReceiveStream' | 'BlockingPortal';

const ABC_PATH: Record<Cls, string> = {
  Event: 'abc.Event',
  Lock: 'abc.Lock',
  Condition: 'abc.Condition',
  Semaphore: 'abc.Semaphore',
  CapacityLimiter: 'abc.CapacityLimiter',
  TaskGroup: 'abc.TaskGroup',
  CancelScope: 'abc.CancelScope',
  MemoryObjectSendStream: 'streams.memory.MemoryObjectSendStream',
  MemoryObjectReceiveStream: 'streams.memory.MemoryObjectReceiveStream',
  BlockingPortal: 'abc.BlockingPortal',
};

type Spelling = 'module' | 'alias' | 'from' | 'fromAs' | 'local';

/** Builds one program: fresh names, the spelling of AnyIO names, prelude items, look-alike flag. */
export class Gen {
  readonly prelude: Unit[] = [];
  readonly body: Unit[] = [];
  readonly features: string[] = [];
  lookalike = false;
  /**
   * Reach AnyIO receivers only where their type is proven (bound from a factory, an annotated
   * parameter). Set in programs with look-alikes: a module that defines `async def release` (etc.)
   * makes the engine take an unknown receiver of `.release()` for the user's class and report
   * nothing, by design; that AnyIO receiver would then keep its deprecated call.
   */
  typedOnly = false;
  private counter = 0;
  private readonly preludeKeys = new Set<string>();
  private readonly spelled = new Map<string, string>();
  private readonly spelling: Spelling;
  private readonly alias: string;
  private localImported = false;

  constructor(
    readonly r: Rand,
    readonly k: number,
  ) {
    this.spelling = r.pick<Spelling>(['module', 'module', 'alias', 'from', 'fromAs', 'local']);
    this.alias = r.pick(['aio', 'anyio2', 'a', 'io_lib']) + `_${k}`;
  }

  /** A fresh identifier, unique in the module. */
  fresh(base: string): string {
    return `${base}${++this.counter}_${this.k}`;
  }

  /** A label for print(): unique in the program. */
  label(): string {
    return `s${++this.counter}`;
  }

  addPrelude(lines: string[], key?: string): void {
    if (key !== undefined) {
      if (this.preludeKeys.has(key)) return;
      this.preludeKeys.add(key);
    }
    this.prelude.push({ lines });
  }

  /** `import anyio` at module level; the module spelling for module-level helpers. */
  moduleAnyio(): string {
    this.addPrelude(['import anyio'], 'import anyio');
    return 'anyio';
  }

  /**
   * The expression for `anyio.<name>` in the program's body (`where: 'body'`) or in module-level
   * helpers (`'module'`): one spelling per name and program, chosen when first used.
   */
  any(name: string, where: 'body' | 'module' = 'body'): string {
    const key = `${where}:${name}`;
    const known = this.spelled.get(key);
    if (known) return known;
    let spelling = this.spelling;
    if (where === 'module' && spelling === 'local') spelling = 'module';
    // Vary the spelling between names of one program too.
    if (this.r.chance(0.25)) spelling = this.r.pick<Spelling>(where === 'module' ? ['module', 'alias', 'from', 'fromAs'] : ['module', 'alias', 'from', 'fromAs', 'local']);
    let expr: string;
    if (spelling === 'module') expr = `${this.moduleAnyio()}.${name}`;
    else if (spelling === 'alias') {
      this.addPrelude([`import anyio as ${this.alias}`], `alias`);
      expr = `${this.alias}.${name}`;
    } else if (spelling === 'from') {
      this.addPrelude([`from anyio import ${name}`], `from:${name}`);
      expr = name;
    } else if (spelling === 'fromAs') {
      const as = `${name}_${this.k}`;
      this.addPrelude([`from anyio import ${name} as ${as}`], `fromAs:${name}`);
      expr = as;
    } else {
      if (!this.localImported) {
        this.localImported = true;
        this.body.unshift({ lines: ['import anyio as lio'] });
      }
      expr = `lio.${name}`;
    }
    this.spelled.set(key, expr);
    return expr;
  }

  /** The annotation for an AnyIO class in a module-level helper (2.2 and 3.x both have it). */
  annotation(cls: Cls): string {
    return `${this.moduleAnyio()}.${ABC_PATH[cls]}`;
  }

  stmt(...lines: string[]): Unit {
    return { lines };
  }
}

const indent = (lines: readonly string[], by = '    '): string[] => lines.map((l) => (l ? by + l : l));

/** A block statement: `head:` followed by the indented body lines. */
export function block(head: string, body: readonly string[]): string[] {
  return [`${head}:`, ...indent(body.length ? body : ['pass'])];
}

// -------------------------------------------------------------------------------- receivers

type Path = 'direct' | 'alias' | 'list' | 'helperAnnotated' | 'helperPlain' | 'attrInit' | 'attrAnnotated' | 'attrSet';

/**
 * Statements that apply `use(r)` (statements, no base indentation, using only `r`, print and
 * spelled AnyIO names) to the object held by `variable`, reached along a random path.
 * `annotation` is what to write on a parameter for the object's class (AnyIO abc class or the
 * user class), or undefined when there is none.
 */
export function useReceiver(g: Gen, variable: string, annotation: string | undefined, use: (r: string) => string[]): Unit[] {
  const path = g.r.pick<Path>(
    g.typedOnly ? ['direct', 'helperAnnotated'] : ['direct', 'direct', 'alias', 'list', 'helperAnnotated', 'helperPlain', 'attrInit', 'attrAnnotated', 'attrSet'],
  );
  switch (path) {
    case 'direct':
      return [{ lines: use(variable) }];
    case 'alias': {
      const v = g.fresh('same');
      return [g.stmt(`${v} = ${variable}`), { lines: use(v) }];
    }
    case 'list': {
      const v = g.fresh('box');
      return [g.stmt(`${v} = [${variable}]`), { lines: use(`${v}[0]`) }];
    }
    case 'helperAnnotated':
    case 'helperPlain': {
      const fn = g.fresh('use');
      const ann = path === 'helperAnnotated' && annotation ? `: ${annotation}` : '';
      g.addPrelude(block(`async def ${fn}(obj${ann})`, use('obj')));
      return [g.stmt(`await ${fn}(${variable})`)];
    }
    case 'attrInit':
    case 'attrAnnotated':
    case 'attrSet': {
      const cls = g.fresh('Holder');
      const classBody: string[] = [];
      if (path === 'attrAnnotated' && annotation) classBody.push(`obj: ${annotation}`, '');
      if (path !== 'attrSet') classBody.push(...block('def __init__(self, obj)', ['self.obj = obj']), '');
      classBody.push(...block('async def go(self)', use('self.obj')));
      g.addPrelude(block(`class ${cls}`, classBody));
      if (path === 'attrSet') {
        const h = g.fresh('holder');
        return [g.stmt(`${h} = ${cls}()`), g.stmt(`${h}.obj = ${variable}`), g.stmt(`await ${h}.go()`)];
      }
      return [g.stmt(`await ${cls}(${variable}).go()`)];
    }
  }
}

// -------------------------------------------------------------------------------- snippets

type Snippet = (g: Gen) => Unit[];

/** A module-level `async def` that sleeps a checkpoint and logs `tag`. */
function workerFn(g: Gen): string {
  const fn = g.fresh('worker');
  const sleep = g.any('sleep', 'module');
  g.addPrelude(block(`async def ${fn}(log, tag)`, [`await ${sleep}(0)`, 'log.append(tag)']));
  return fn;
}

function asyncAddFn(g: Gen): string {
  const fn = g.fresh('add');
  const sleep = g.any('sleep', 'module');
  g.addPrelude(block(`async def ${fn}(a, b)`, [`await ${sleep}(0)`, 'return a + b']));
  return fn;
}

const event: Snippet = (g) => {
  const s = g.label();
  const ev = g.fresh('ev');
  const out: Unit[] = [g.stmt(`${ev} = ${g.any('create_event')}()`), g.stmt(`print('${s}', ${ev}.is_set())`)];
  out.push(
    ...useReceiver(g, ev, g.annotation('Event'), (r) => [`await ${r}.set()`, `print('${s} set', ${r}.is_set())`]),
    g.stmt(`await ${ev}.wait()`),
    g.stmt(`print('${s} waited', ${ev}.is_set())`),
  );
  g.features.push('event');
  return out;
};

const eventWaiter: Snippet = (g) => {
  const s = g.label();
  const ev = g.fresh('ev');
  const waiter = g.fresh('waiter');
  const log = g.fresh('log');
  g.addPrelude(block(`async def ${waiter}(event, log)`, ['await event.wait()', "log.append('woken')"]));
  const tg = g.fresh('tg');
  const body = [`await ${tg}.spawn(${waiter}, ${ev}, ${log})`, `await ${g.any('wait_all_tasks_blocked')}()`, `print('${s} before', ${log})`, `await ${ev}.set()`];
  g.features.push('event-waiter', 'spawn');
  return [
    g.stmt(`${ev} = ${g.any('create_event')}()`),
    g.stmt(`${log} = []`),
    g.stmt(...block(`async with ${g.any('create_task_group')}() as ${tg}`, body)),
    g.stmt(`print('${s} after', ${log})`),
  ];
};

const lock: Snippet = (g) => {
  const s = g.label();
  const lk = g.fresh('lock');
  g.features.push('lock');
  return [
    g.stmt(`${lk} = ${g.any('create_lock')}()`),
    g.stmt(...block(`async with ${lk}`, [`print('${s} held', ${lk}.locked())`])),
    ...useReceiver(g, lk, g.annotation('Lock'), (r) => [
      `await ${r}.acquire()`,
      `print('${s} acquired', ${r}.locked())`,
      `await ${r}.release()`,
      `print('${s} released', ${r}.locked())`,
    ]),
  ];
};

const condition: Snippet = (g) => {
  const s = g.label();
  const cond = g.fresh('cond');
  const ready = g.fresh('ready');
  const waiter = g.fresh('cwaiter');
  const log = g.fresh('log');
  const tg = g.fresh('tg');
  const all = g.r.chance(0.5);
  const n = all ? 1 : g.r.pick([1, 2]);
  // The waiter holds the condition's lock from `ready` until wait() releases it: once the notifier
  // holds the lock, the waiter is waiting.
  g.addPrelude(
    block(`async def ${waiter}(cond: ${g.annotation('Condition')}, ready: ${g.annotation('Event')}, log, tag)`, [
      ...block('async with cond', ['await ready.set()', 'await cond.wait()', 'log.append(tag)']),
    ]),
  );
  const notify = all ? 'notify_all()' : `notify(${n === 1 && g.r.chance(0.5) ? '' : n})`;
  g.features.push(all ? 'condition-notify-all' : 'condition-notify', 'spawn');
  return [
    g.stmt(`${cond} = ${g.any('create_condition')}()`),
    g.stmt(`${log} = []`),
    g.stmt(
      ...block(`async with ${g.any('create_task_group')}() as ${tg}`, [
        `${ready} = ${g.any('create_event')}()`,
        `await ${tg}.spawn(${waiter}, ${cond}, ${ready}, ${log}, 'w')`,
        `await ${ready}.wait()`,
        ...block(`async with ${cond}`, [`print('${s} locked', ${cond}.locked())`, `await ${cond}.${notify}`]),
      ]),
    ),
    g.stmt(`print('${s}', ${log})`),
    ...useReceiver(g, cond, g.annotation('Condition'), (r) => [`await ${r}.acquire()`, `await ${r}.release()`, `print('${s} free', ${r}.locked())`]),
  ];
};

const semaphore: Snippet = (g) => {
  const s = g.label();
  const sem = g.fresh('sem');
  const arg = g.r.chance(0.4) ? 'value=2' : '2';
  g.features.push(arg.startsWith('value') ? 'semaphore-value-kw' : 'semaphore');
  return [
    g.stmt(`${sem} = ${g.any('create_semaphore')}(${arg})`),
    g.stmt(...block(`async with ${sem}`, [`print('${s} inside', ${sem}.value)`])),
    ...useReceiver(g, sem, g.annotation('Semaphore'), (r) => [
      `await ${r}.acquire()`,
      `print('${s} acquired', ${r}.value)`,
      `await ${r}.release()`,
      `print('${s} released', ${r}.value)`,
    ]),
  ];
};

const limiter: Snippet = (g) => {
  const s = g.label();
  const lim = g.fresh('lim');
  const out: Unit[] = [g.stmt(`${lim} = ${g.any('create_capacity_limiter')}(${g.r.pick([1, 2, 3])})`), g.stmt(`print('${s}', ${lim}.total_tokens, ${lim}.borrowed_tokens)`)];
  const ops = g.r.pick(['acquire', 'behalf', 'tokens', 'with', 'nowait'] as const);
  g.features.push(`limiter-${ops}`);
  const ann = g.annotation('CapacityLimiter');
  if (ops === 'acquire')
    out.push(
      ...useReceiver(g, lim, ann, (r) => [
        `await ${r}.acquire()`,
        `print('${s} borrowed', ${r}.borrowed_tokens)`,
        `await ${r}.release()`,
        `print('${s} returned', ${r}.borrowed_tokens)`,
      ]),
    );
  else if (ops === 'behalf')
    out.push(
      ...useReceiver(g, lim, ann, (r) => [
        `await ${r}.acquire_on_behalf_of_nowait('b')`,
        `print('${s} borrowed', ${r}.borrowed_tokens)`,
        `await ${r}.release_on_behalf_of('b')`,
        `print('${s} returned', ${r}.borrowed_tokens)`,
      ]),
    );
  else if (ops === 'tokens') {
    if (g.r.chance(0.1)) {
      // Its (None) result used: no fix (ASY104), an expected exclusion.
      out.push(g.stmt(`result = await ${lim}.set_total_tokens(5)`), g.stmt(`print('${s} result', result, ${lim}.total_tokens)`));
      g.features.push('limiter-tokens-result');
    } else out.push(...useReceiver(g, lim, ann, (r) => [`await ${r}.set_total_tokens(5)`, `print('${s} total', ${r}.total_tokens)`]));
  } else if (ops === 'with') out.push(g.stmt(...block(`async with ${lim}`, [`print('${s} inside', ${lim}.borrowed_tokens, ${lim}.available_tokens)`])));
  else {
    // 2.2's trio backend returned an un-awaited coroutine from acquire_nowait (no token taken).
    out.push(
      g.stmt(
        ...block("if BACKEND == 'asyncio'", [
          `await ${lim}.acquire_nowait()`,
          `print('${s} nowait', ${lim}.borrowed_tokens)`,
          `await ${lim}.release()`,
          `print('${s} back', ${lim}.borrowed_tokens)`,
        ]),
      ),
    );
  }
  return out;
};

const taskGroup: Snippet = (g) => {
  const s = g.label();
  const worker = workerFn(g);
  const log = g.fresh('log');
  const tg = g.fresh('tg');
  const spawns: string[] = [];
  const n = 1 + g.r.int(3);
  for (let i = 0; i < n; i++) spawns.push(g.r.chance(0.3) ? `await ${tg}.spawn(${worker}, ${log}, ${i}, name='t${i}')` : `await ${tg}.spawn(${worker}, ${log}, ${i})`);
  const out: Unit[] = [g.stmt(`${log} = []`)];
  const viaHelper = g.r.chance(0.35);
  if (viaHelper) {
    const fn = g.fresh('spawner');
    const ann = g.typedOnly || g.r.chance(0.5) ? `: ${g.annotation('TaskGroup')}` : '';
    g.addPrelude(block(`async def ${fn}(group${ann}, log)`, [`await group.spawn(${worker}, log, 'h')`]));
    spawns.push(`await ${fn}(${tg}, ${log})`);
  }
  out.push(g.stmt(...block(`async with ${g.any('create_task_group')}() as ${tg}`, spawns)), g.stmt(`print('${s}', sorted(map(str, ${log})))`));
  g.features.push('spawn');
  return out;
};

const taskGroupCancel: Snippet = (g) => {
  const s = g.label();
  const tg = g.fresh('tg');
  const sleeper = g.fresh('sleeper');
  g.addPrelude(block(`async def ${sleeper}(log)`, [`await ${g.any('sleep', 'module')}(5)`, "log.append('woke')"]));
  const log = g.fresh('log');
  g.features.push('tg-cancel-scope-cancel');
  return [
    g.stmt(`${log} = []`),
    g.stmt(
      ...block(`async with ${g.any('create_task_group')}() as ${tg}`, [
        `await ${tg}.spawn(${sleeper}, ${log})`,
        `await ${g.any('wait_all_tasks_blocked')}()`,
        `await ${tg}.cancel_scope.cancel()`,
      ]),
    ),
    g.stmt(`print('${s}', ${log}, ${tg}.cancel_scope.cancel_called)`),
  ];
};

const cancelScope: Snippet = (g) => {
  const s = g.label();
  const sc = g.fresh('scope');
  const kind = g.r.pick(['open', 'openShield', 'moveOn', 'failAfter', 'failNone', 'moveOnNone'] as const);
  g.features.push(`scope-${kind}`);
  const sleep = g.any('sleep');
  switch (kind) {
    case 'open':
    case 'openShield': {
      const shield = kind === 'openShield' ? 'shield=True' : '';
      const cancel = useReceiver(g, sc, g.annotation('CancelScope'), (r) => [`await ${r}.cancel()`]);
      return [
        g.stmt(...block(`async with ${g.any('open_cancel_scope')}(${shield}) as ${sc}`, [...cancel.flatMap((u) => u.lines), `await ${sleep}(5)`, `print('${s} not reached')`])),
        g.stmt(`print('${s}', ${sc}.cancel_called, ${sc}.shield)`),
      ];
    }
    case 'moveOn':
    case 'moveOnNone': {
      const delay = kind === 'moveOn' ? '0.01' : 'None';
      const inner = kind === 'moveOn' ? [`await ${sleep}(5)`, `print('${s} not reached')`] : [`await ${sleep}(0)`, `print('${s} inside', ${sc}.deadline == math.inf)`];
      g.addPrelude(['import math'], 'import math');
      return [g.stmt(...block(`async with ${g.any('move_on_after')}(${delay}) as ${sc}`, inner)), g.stmt(`print('${s}', ${sc}.cancel_called)`)];
    }
    case 'failAfter':
      return [g.stmt('try:', ...indent(block(`async with ${g.any('fail_after')}(0.01)`, [`await ${sleep}(5)`])), 'except TimeoutError:', `    print('${s} timed out')`)];
    case 'failNone':
      return [g.stmt(...block(`async with ${g.any('fail_after')}(None) as ${sc}`, [`await ${sleep}(0)`])), g.stmt(`print('${s}', ${sc}.cancel_called)`)];
  }
};

const nowSync: Snippet = (g) => {
  const s = g.label();
  const which = g.r.pick(['time', 'deadline', 'task', 'tasks'] as const);
  g.features.push(`now-${which}`);
  const v = g.fresh('v');
  switch (which) {
    case 'time':
      return [g.stmt(`${v} = await ${g.any('current_time')}()`), g.stmt(`print('${s}', isinstance(${v}, float), ${v} > 0)`)];
    case 'deadline': {
      const t = g.fresh('t');
      g.addPrelude(['import math'], 'import math');
      if (g.r.chance(0.5)) return [g.stmt(`${v} = await ${g.any('current_effective_deadline')}()`), g.stmt(`print('${s}', ${v} == math.inf)`)];
      return [
        g.stmt(
          ...block(`async with ${g.any('move_on_after')}(10)`, [
            `${t} = await ${g.any('current_time')}()`,
            `${v} = await ${g.any('current_effective_deadline')}()`,
            `print('${s}', ${v} > ${t}, ${v} - ${t} <= 10.5)`,
          ]),
        ),
      ];
    }
    case 'task':
      return [g.stmt(`${v} = await ${g.any('get_current_task')}()`), g.stmt(`print('${s}', isinstance(${v}, ${g.any('TaskInfo')}), isinstance(${v}.id, int))`)];
    case 'tasks':
      return [g.stmt(`${v} = await ${g.any('get_running_tasks')}()`), g.stmt(`print('${s}', len(${v}) >= 1, all(isinstance(t, ${g.any('TaskInfo')}) for t in ${v}))`)];
  }
};

const memoryStream: Snippet = (g) => {
  const s = g.label();
  const send = g.fresh('send');
  const recv = g.fresh('recv');
  const wb = g.any('WouldBlock');
  g.features.push('memory-stream');
  return [
    g.stmt(`${send}, ${recv} = ${g.any('create_memory_object_stream')}(${g.r.pick([1, 2, 5])})`),
    ...useReceiver(g, send, g.annotation('MemoryObjectSendStream'), (r) => [`await ${r}.send_nowait('a')`]),
    g.stmt(...block('try', [`await ${send}.send_nowait('b')`]), ...block(`except ${wb}`, [`print('${s} full')`])),
    ...useReceiver(g, recv, g.annotation('MemoryObjectReceiveStream'), (r) => [`print('${s} got', await ${r}.receive_nowait())`]),
    g.stmt(...block('try', [`print('${s} got', await ${recv}.receive_nowait())`]), ...block(`except ${wb}`, [`print('${s} empty')`])),
  ];
};

const threads: Snippet = (g) => {
  const s = g.label();
  const kind = g.r.pick(['sync', 'limiter', 'cancellable', 'fromThread', 'defaultLimiter'] as const);
  g.features.push(`thread-${kind}`);
  const rs = g.any('run_sync_in_worker_thread');
  const double = g.fresh('double');
  g.addPrelude(block(`def ${double}(x)`, ['return x * 2']));
  switch (kind) {
    case 'sync':
      return [g.stmt(`print('${s}', await ${rs}(${double}, 21))`)];
    case 'limiter': {
      const lim = g.fresh('lim');
      return [g.stmt(`${lim} = ${g.any('create_capacity_limiter')}(1)`), g.stmt(`print('${s}', await ${rs}(${double}, 4, limiter=${lim}), ${lim}.borrowed_tokens)`)];
    }
    case 'cancellable':
      return [g.stmt(`print('${s}', await ${rs}(${double}, 5, cancellable=True))`)];
    case 'fromThread': {
      const add = asyncAddFn(g);
      const inThread = g.fresh('in_thread');
      g.addPrelude(block(`def ${inThread}(x)`, [`return ${g.any('run_async_from_thread', 'module')}(${add}, x, 1)`]));
      return [g.stmt(`print('${s}', await ${rs}(${inThread}, 41))`)];
    }
    case 'defaultLimiter':
      return [g.stmt(`print('${s}', ${g.any('current_default_worker_thread_limiter')}().total_tokens)`)];
  }
};

const portal: Snippet = (g) => {
  const s = g.label();
  const add = asyncAddFn(g);
  const rs = g.any('run_sync_in_worker_thread');
  if (g.r.chance(0.35)) {
    g.features.push('start-blocking-portal');
    const fn = g.fresh('with_portal');
    g.addPrelude(block(`def ${fn}()`, block(`with ${g.any('start_blocking_portal', 'module')}() as portal`, [`return portal.call(${add}, 20, 22)`])));
    // 2.2.0 cannot start a portal from a trio worker thread (trio's current_task() raises there).
    return [g.stmt(...block("if BACKEND == 'asyncio'", [`print('${s}', await ${rs}(${fn}))`]))];
  }
  g.features.push('create-blocking-portal');
  const p = g.fresh('portal');
  const fromThread = g.fresh('spawn_from_thread');
  const ann = g.typedOnly || g.r.chance(0.5) ? `: ${g.annotation('BlockingPortal')}` : '';
  g.addPrelude(block(`def ${fromThread}(portal${ann})`, [`future = portal.spawn_task(${add}, 4, 5)`, 'return future.result()']));
  return [
    g.stmt(
      ...block(`async with ${g.any('create_blocking_portal')}() as ${p}`, [
        `print('${s} call', await ${rs}(${p}.call, ${add}, 2, 3))`,
        `print('${s} task', await ${rs}(${fromThread}, ${p}))`,
      ]),
    ),
  ];
};

/** AnyIO 2.2 code that already uses the compat helpers (rows I1, I2; ASY601–ASY605). */
const compat: Snippet = (g) => {
  const s = g.label();
  const kind = g.r.pick(['maybeAsyncSet', 'maybeAsyncTime', 'maybeAsyncCm', 'tryImport', 'catchWarnings', 'isawaitable'] as const);
  g.features.push(`compat-${kind}`);
  switch (kind) {
    case 'maybeAsyncSet': {
      const ev = g.fresh('ev');
      return [g.stmt(`${ev} = ${g.any('create_event')}()`), g.stmt(`await ${g.any('maybe_async')}(${ev}.set())`), g.stmt(`print('${s}', ${ev}.is_set())`)];
    }
    case 'maybeAsyncTime': {
      const v = g.fresh('v');
      return [g.stmt(`${v} = await ${g.any('maybe_async')}(${g.any('current_time')}())`), g.stmt(`print('${s}', isinstance(${v}, float))`)];
    }
    case 'maybeAsyncCm': {
      const sc = g.fresh('scope');
      return [
        g.stmt(...block(`async with ${g.any('maybe_async_cm')}(${g.any('move_on_after')}(0.01)) as ${sc}`, [`await ${g.any('sleep')}(5)`])),
        g.stmt(`print('${s}', ${sc}.cancel_called)`),
      ];
    }
    case 'tryImport': {
      const name = `Ev_${g.k}`;
      g.addPrelude([...block('try', [`from anyio import Event as ${name}`]), ...block('except ImportError', [`from anyio import create_event as ${name}`])], 'tryImport');
      const ev = g.fresh('ev');
      return [g.stmt(`${ev} = ${name}()`), g.stmt(`await ${g.any('maybe_async')}(${ev}.set())`), g.stmt(`print('${s}', ${ev}.is_set())`)];
    }
    case 'catchWarnings': {
      g.addPrelude(['import warnings'], 'import warnings');
      const worker = workerFn(g);
      const tg = g.fresh('tg');
      const log = g.fresh('log');
      return [
        g.stmt(`${log} = []`),
        g.stmt(
          ...block(
            `async with ${g.any('create_task_group')}() as ${tg}`,
            block('with warnings.catch_warnings()', ["warnings.simplefilter('ignore', DeprecationWarning)", `await ${tg}.spawn(${worker}, ${log}, 1)`]),
          ),
        ),
        g.stmt(`print('${s}', ${log})`),
      ];
    }
    case 'isawaitable': {
      g.addPrelude(['import inspect'], 'import inspect');
      const lim = g.fresh('lim');
      const r = g.fresh('result');
      return [
        g.stmt(`${lim} = ${g.any('create_capacity_limiter')}(1)`),
        g.stmt(`await ${lim}.acquire()`),
        g.stmt(`${r} = ${lim}.release()`),
        g.stmt(...block(`if inspect.isawaitable(${r})`, [`await ${r}`])),
        g.stmt(`print('${s}', ${lim}.borrowed_tokens)`),
      ];
    }
  }
};

// -------------------------------------------------------------------------------- look-alikes

const LOOKALIKE_METHODS = [
  'set',
  'release',
  'spawn',
  'cancel',
  'notify',
  'notify_all',
  'acquire_nowait',
  'send_nowait',
  'receive_nowait',
  'set_total_tokens',
  'release_on_behalf_of',
  'acquire_on_behalf_of_nowait',
  'spawn_task',
] as const;

/** A user class whose methods share AnyIO's names; each call logs and returns a value. */
function lookalikeClass(g: Gen, methods: readonly string[], name = g.fresh('Thing')): string[] {
  const lines: string[] = [...block('def __init__(self)', ['self.calls = []']), ''];
  for (const m of methods) lines.push(...block(`async def ${m}(self, *args, **kwargs)`, [`self.calls.append('${m}')`, `return '${m}-done'`]), '');
  return block(`class ${name}`, lines.slice(0, -1));
}

const lookalikeObject: Snippet = (g) => {
  const s = g.label();
  const methods = [...new Set([g.r.pick(LOOKALIKE_METHODS), g.r.pick(LOOKALIKE_METHODS)])];
  const local = g.r.chance(0.2);
  const cls = local ? 'Event' : g.fresh('Thing');
  const obj = g.fresh('thing');
  const out: Unit[] = [];
  if (local) out.push({ lines: lookalikeClass(g, methods, 'Event') });
  else g.addPrelude(lookalikeClass(g, methods, cls));
  out.push(g.stmt(`${obj} = ${cls}()`));
  const calls = (r: string) =>
    methods.map(
      (m) =>
        `print('${s} ${m}', await ${r}.${m}(${m.includes('behalf') ? "'b'" : m === 'spawn' || m === 'spawn_task' ? 'print' : m === 'set_total_tokens' || m === 'send_nowait' || m === 'notify' ? '1' : ''}))`,
    );
  out.push(...useReceiver(g, obj, local ? undefined : cls, (r) => [...calls(r), `print('${s}', ${r}.calls)`]));
  g.features.push(local ? 'lookalike-local-Event' : 'lookalike-object');
  g.lookalike = true;
  return out;
};

const lookalikeGroup: Snippet = (g) => {
  const s = g.label();
  const cls = g.fresh('Group');
  g.addPrelude(
    block(`class ${cls}`, [
      ...block('def __init__(self)', ['self.cancel_scope = self', 'self.started = []']),
      '',
      ...block('async def __aenter__(self)', ['return self']),
      '',
      ...block('async def __aexit__(self, *exc)', ['return False']),
      '',
      ...block('async def spawn(self, fn, *args, name=None)', ['self.started.append(name)', 'await fn(*args)']),
      '',
      ...block('async def cancel(self)', ["self.started.append('cancel')"]),
    ]),
  );
  const tg = g.fresh('tg');
  const worker = workerFn(g);
  const log = g.fresh('log');
  g.features.push('lookalike-group');
  g.lookalike = true;
  return [
    g.stmt(`${log} = []`),
    g.stmt(...block(`async with ${cls}() as ${tg}`, [`await ${tg}.spawn(${worker}, ${log}, 1, name='x')`, `await ${tg}.cancel_scope.cancel()`])),
    g.stmt(`print('${s}', ${log}, ${tg}.started)`),
  ];
};

const lookalikeCallback: Snippet = (g) => {
  const s = g.label();
  g.addPrelude(['import inspect'], 'import inspect');
  const cb = g.fresh('callback');
  const isAsync = g.r.chance(0.6);
  const r = g.fresh('result');
  g.features.push(isAsync ? 'lookalike-callback-async' : 'lookalike-callback-sync');
  g.lookalike = true;
  if (g.r.chance(0.5)) {
    // The AnyIO 2 dance on a user object's release(): not AnyIO, the await must stay.
    const cls = g.fresh('Resource');
    const body = isAsync
      ? block('async def release(self)', ["self.log.append('released')", "return 'released'"])
      : block('def release(self)', ["self.log.append('released now')", "return 'released now'"]);
    g.addPrelude(block(`class ${cls}`, [...block('def __init__(self)', ['self.log = []']), '', ...body]));
    const res = g.fresh('resource');
    if (g.r.chance(0.5)) {
      // The value discarded: the exact shape of the AnyIO 2 dance (ASY605).
      return [
        g.stmt(`${res} = ${cls}()`),
        g.stmt(`${r} = ${res}.release()`),
        g.stmt(...block(`if inspect.isawaitable(${r})`, [`await ${r}`])),
        g.stmt(`print('${s}', ${res}.log)`),
      ];
    }
    return [
      g.stmt(`${res} = ${cls}()`),
      g.stmt(`${r} = ${res}.release()`),
      g.stmt(...block(`if inspect.isawaitable(${r})`, [`${r} = await ${r}`])),
      g.stmt(`print('${s}', ${r}, ${res}.log)`),
    ];
  }
  g.addPrelude(block(`${isAsync ? 'async ' : ''}def ${cb}(x)`, ['return x + 1']));
  return [g.stmt(`${r} = ${cb}(1)`), g.stmt(...block(`if inspect.isawaitable(${r})`, [`${r} = await ${r}`])), g.stmt(`print('${s}', ${r})`)];
};

const lookalikeMaybeAsync: Snippet = (g) => {
  const s = g.label();
  const fn = g.fresh('compute');
  g.addPrelude(block(`async def ${fn}()`, ['return 7']));
  g.features.push('lookalike-maybe-async-coroutine');
  g.lookalike = true;
  return [g.stmt(`print('${s}', await ${g.any('maybe_async')}(${fn}()))`)];
};

/** Functions named like AnyIO's, from another module (fakeio.py, next to the program). */
const lookalikeModule: Snippet = (g) => {
  const s = g.label();
  g.features.push('lookalike-module');
  g.lookalike = true;
  const kind = g.r.pick(['localImport', 'moduleAttr'] as const);
  const names = ['create_event', 'current_time', 'run_sync_in_worker_thread', 'open_cancel_scope', 'create_task_group', 'create_capacity_limiter'] as const;
  const name = g.r.pick(names);
  // A local import binds the name for the whole function: it lives in a function of its own, so
  // the program's other uses of AnyIO's name stay AnyIO's (no UnboundLocalError in the original).
  const ref = kind === 'localImport' ? name : `fk_${g.k}.${name}`;
  if (kind === 'moduleAttr') g.addPrelude([`import fakeio as fk_${g.k}`], 'fakeio');
  const v = g.fresh('fake');
  const units: string[][] = [];
  switch (name) {
    case 'create_event':
      units.push([`${v} = ${ref}()`], [`print('${s}', await ${v}.set(), ${v}.is_set())`]);
      break;
    case 'current_time':
      units.push([`print('${s}', await ${ref}())`]);
      break;
    case 'run_sync_in_worker_thread':
      units.push([`print('${s}', await ${ref}(len, 'abc'))`]);
      break;
    case 'open_cancel_scope':
      units.push(block(`async with ${ref}() as ${v}`, [`print('${s} inside', ${v})`, `await ${v}.cancel()`]), [`print('${s}', ${v})`]);
      break;
    case 'create_task_group':
      units.push(block(`async with ${ref}() as ${v}`, [`await ${v}.spawn(print, '${s} spawned')`]), [`print('${s}', ${v})`]);
      break;
    case 'create_capacity_limiter':
      units.push([`${v} = ${ref}(3)`], [`print('${s}', await ${v}.release(), await ${v}.set_total_tokens(4), await ${v}.acquire_nowait())`]);
      break;
  }
  if (kind === 'moduleAttr') return units.map((u) => g.stmt(...u));
  const local = g.fresh('fakeuse');
  return [g.stmt(...block(`async def ${local}()`, [`from fakeio import ${name}`, ...units.flat()])), g.stmt(`await ${local}()`)];
};

/** The helper module of the look-alikes: AnyIO's names, other behaviour. */
export const FAKEIO = [
  '"""Functions and classes named like AnyIO 2\'s, with other behaviour (differential fuzz look-alikes)."""',
  '',
  '',
  'class FakeEvent:',
  '    def __init__(self):',
  '        self.flag = False',
  '',
  '    async def set(self):',
  '        self.flag = True',
  "        return 'fake-set'",
  '',
  '    def is_set(self):',
  '        return self.flag',
  '',
  '',
  'class FakeScope:',
  '    def __init__(self):',
  '        self.calls = []',
  '',
  '    async def __aenter__(self):',
  "        self.calls.append('enter')",
  '        return self',
  '',
  '    async def __aexit__(self, *exc):',
  "        self.calls.append('exit')",
  '        return False',
  '',
  '    async def cancel(self):',
  "        self.calls.append('cancel')",
  '',
  '    async def spawn(self, fn, *args):',
  "        self.calls.append('spawn')",
  '        fn(*args)',
  '',
  '    def __repr__(self):',
  "        return 'FakeScope(%s)' % ','.join(self.calls)",
  '',
  '',
  'class FakeLimiter:',
  '    def __init__(self, n):',
  '        self.n = n',
  '',
  '    async def release(self):',
  "        return 'fake-release'",
  '',
  '    async def set_total_tokens(self, n):',
  '        self.n = n',
  '        return n',
  '',
  '    async def acquire_nowait(self):',
  '        return self.n',
  '',
  '',
  'def create_event():',
  '    return FakeEvent()',
  '',
  '',
  'async def current_time():',
  '    return 42.0',
  '',
  '',
  'async def run_sync_in_worker_thread(fn, *args):',
  '    return fn(*args)',
  '',
  '',
  'def open_cancel_scope():',
  '    return FakeScope()',
  '',
  '',
  'def create_task_group():',
  '    return FakeScope()',
  '',
  '',
  'def create_capacity_limiter(n):',
  '    return FakeLimiter(n)',
  '',
].join('\n');

/** The snippet kinds with their weights. */
const SNIPPETS: ReadonlyArray<[Snippet, number]> = [
  [event, 3],
  [eventWaiter, 2],
  [lock, 2],
  [condition, 2],
  [semaphore, 2],
  [limiter, 3],
  [taskGroup, 3],
  [taskGroupCancel, 1],
  [cancelScope, 3],
  [nowSync, 3],
  [memoryStream, 2],
  [threads, 2],
  [portal, 1],
  [compat, 2],
];

const LOOKALIKES: ReadonlyArray<[Snippet, number]> = [
  [lookalikeObject, 4],
  [lookalikeGroup, 1],
  [lookalikeCallback, 2],
  [lookalikeMaybeAsync, 1],
  [lookalikeModule, 2],
];

function weighted(r: Rand, table: ReadonlyArray<[Snippet, number]>): Snippet {
  const total = table.reduce((a, [, w]) => a + w, 0);
  let x = r.next() * total;
  for (const [s, w] of table) {
    x -= w;
    if (x < 0) return s;
  }
  return table[table.length - 1]![0];
}

/**
 * Program `index` of `seed`: 2–5 snippets of AnyIO 2 usage, and in 40% of programs 1–2 look-alikes.
 * A program with a feature in `avoid` (e.g. one that shows a known, open engine bug in every run) is
 * drawn again from a derived seed.
 */
export function generateProgram(seed: number, index: number, avoid: ReadonlySet<string> = new Set()): Program {
  for (let attempt = 0; ; attempt++) {
    const p = draw(attempt === 0 ? programSeed(seed, index) : programSeed(programSeed(seed, index), attempt), index);
    if (attempt >= 1000 || !p.features.some((f) => avoid.has(f))) return p;
  }
}

function draw(programSeedValue: number, index: number): Program {
  const r = rand(programSeedValue);
  const g = new Gen(r, index);
  const snippets: Snippet[] = [];
  const n = 2 + r.int(4);
  const m = r.chance(0.4) ? 1 + r.int(2) : 0;
  g.typedOnly = m > 0;
  for (let i = 0; i < n; i++) snippets.push(weighted(r, SNIPPETS));
  for (let i = 0; i < m; i++) snippets.splice(r.int(snippets.length + 1), 0, weighted(r, LOOKALIKES));
  for (const snippet of snippets) g.body.push(...snippet(g));
  return { id: `p${index}`, index, prelude: g.prelude, body: g.body, features: g.features, lookalike: g.lookalike };
}

export function generatePrograms(seed: number, from: number, count: number, avoid?: ReadonlySet<string>): Program[] {
  return Array.from({ length: count }, (_, i) => generateProgram(seed, from + i, avoid));
}

/** The marker comment that starts program `id` in the module (and in the engine's output). */
export const programMarker = (id: string): string => `# ---- program ${id}`;
export const DRIVER_MARKER = '# ---- driver';

/** One program's text: marker, prelude items, then `async def prog_<k>()`. */
export function renderProgram(p: Program): string {
  const lines = [programMarker(p.id)];
  for (const u of p.prelude) lines.push(...u.lines, '');
  lines.push(
    ...block(
      `async def prog_${p.index}()`,
      p.body.flatMap((u) => u.lines),
    ),
  );
  return `${lines.join('\n')}\n`;
}

/**
 * The module: every program, then a driver that runs each on asyncio and trio (names given on the
 * command line are skipped, `<id>@<backend>`), printing `=== <id> <backend>` before each run and
 * `raised <type>` for an exception that escapes it (exception groups as their sorted leaf types).
 * A run that takes more than 2 s prints `!!! hang` and ends the process.
 */
export function renderModule(programs: readonly Program[]): string {
  const head = ['"""Generated by the differential runtime fuzzer (test/fuzz/runtime-grammar.ts)."""', "BACKEND = 'asyncio'", ''];
  const driver = [
    DRIVER_MARKER,
    'import os as _os',
    'import signal as _signal',
    'import sys as _sys',
    'import anyio as _anyio_driver',
    '',
    '',
    'def _describe(e):',
    "    subs = getattr(e, 'exceptions', None)",
    '    if isinstance(subs, (list, tuple)) and subs:',
    "        return 'group[' + ', '.join(sorted(_describe(x) for x in subs)) + ']'",
    '    return type(e).__name__',
    '',
    '',
    'def _on_alarm(signum, frame):',
    "    print('!!! hang', flush=True)",
    '    _os._exit(3)',
    '',
    '',
    '_signal.signal(_signal.SIGALRM, _on_alarm)',
    `_PROGRAMS = [${programs.map((p) => `('${p.id}', prog_${p.index})`).join(', ')}]`,
    '_skip = set(_sys.argv[1:])',
    "for BACKEND in ('asyncio', 'trio'):",
    '    for _name, _fn in _PROGRAMS:',
    "        if _name + '@' + BACKEND in _skip:",
    '            continue',
    "        print('===', _name, BACKEND, flush=True)",
    '        _signal.setitimer(_signal.ITIMER_REAL, 2)',
    '        try:',
    '            _anyio_driver.run(_fn, backend=BACKEND)',
    '        except BaseException as _e:',
    "            print('raised', _describe(_e))",
    '        finally:',
    '            _signal.setitimer(_signal.ITIMER_REAL, 0)',
    '_sys.stdout.flush()',
    '_os._exit(0)',
    '',
  ];
  return [...head, ...programs.map(renderProgram), driver.join('\n')].join('\n');
}
