/**
 * What the engine knows about AnyIO's public names (2.2 and 3.x), as data.
 * Source: ../shared/anyio-api-delta.md (verified against the releases).
 */

/** The AnyIO classes whose instances have methods that changed between 2 and 3. */
export type AnyioClass =
  | 'Event'
  | 'Lock'
  | 'Condition'
  | 'Semaphore'
  | 'CapacityLimiter'
  | 'CancelScope'
  | 'TaskGroup'
  | 'MemoryObjectSendStream'
  | 'MemoryObjectReceiveStream'
  | 'BlockingPortal'
  | 'TaskInfo';

/** Modules a qualified name may continue through (`anyio.abc.X`, `anyio.to_thread.X`). */
export const ANYIO_MODULES = new Set([
  'anyio',
  'anyio.abc',
  'anyio.to_thread',
  'anyio.from_thread',
  'anyio.lowlevel',
  'anyio.streams',
  'anyio.streams.memory',
  'anyio.streams.stapled',
  'anyio.streams.tls',
  'anyio.streams.text',
  'anyio.streams.buffered',
  'anyio.streams.file',
  'anyio.pytest_plugin',
  'anyio.to_process',
  'anyio.abc.resources',
  'anyio.abc.sockets',
  'anyio.abc.streams',
  'anyio.abc.subprocesses',
  'anyio.abc.synchronization',
  'anyio.abc.tasks',
  'anyio.abc.testing',
  'anyio.abc.threads',
]);

/** The eight `anyio.abc` submodules of 2.2 that became private in 3.0 (row H1). */
export const PRIVATE_ABC_SUBMODULES = new Set(['resources', 'sockets', 'streams', 'subprocesses', 'synchronization', 'tasks', 'testing', 'threads']);

/** Names of those submodules that 3.x's `anyio.abc` does not re-export (row H1). */
export const ABC_NOT_REEXPORTED = new Set(['SockAddrType', 'T_SockAddr', 'T_Item', 'T_Stream', 'T_Retval', 'T_co']);

/** Qualified class names (as annotations or constructors) → class. */
export const CLASS_NAMES: ReadonlyMap<string, AnyioClass> = (() => {
  const m = new Map<string, AnyioClass>();
  const add = (cls: AnyioClass, ...names: string[]) => names.forEach((n) => m.set(n, cls));
  for (const c of ['Event', 'Lock', 'Condition', 'Semaphore', 'CapacityLimiter'] as const) {
    add(c, `anyio.${c}`, `anyio.abc.${c}`, `anyio.abc.synchronization.${c}`);
  }
  add('CancelScope', 'anyio.CancelScope', 'anyio.abc.CancelScope', 'anyio.abc.tasks.CancelScope');
  add('TaskGroup', 'anyio.abc.TaskGroup', 'anyio.abc.tasks.TaskGroup', 'anyio.TaskGroup');
  add('MemoryObjectSendStream', 'anyio.streams.memory.MemoryObjectSendStream');
  add('MemoryObjectReceiveStream', 'anyio.streams.memory.MemoryObjectReceiveStream');
  add('BlockingPortal', 'anyio.from_thread.BlockingPortal', 'anyio.abc.BlockingPortal', 'anyio.abc.threads.BlockingPortal');
  add('TaskInfo', 'anyio.TaskInfo');
  return m;
})();

/**
 * Calls whose result type is known: qualified callee → what the call returns (`instance`), and
 * what `with <call> as x` binds (`enter`).
 */
export interface CallResult {
  instance?: AnyioClass | 'memory-stream-pair' | 'portal-cm' | 'cm';
  enter?: AnyioClass;
}

export const CALL_RESULTS: ReadonlyMap<string, CallResult> = (() => {
  const m = new Map<string, CallResult>();
  const sync: Array<[string, AnyioClass]> = [
    ['create_event', 'Event'],
    ['create_lock', 'Lock'],
    ['create_condition', 'Condition'],
    ['create_semaphore', 'Semaphore'],
    ['create_capacity_limiter', 'CapacityLimiter'],
  ];
  for (const [factory, cls] of sync) {
    m.set(`anyio.${factory}`, { instance: cls });
    m.set(`anyio.${cls}`, { instance: cls });
  }
  for (const q of ['anyio.abc.Event', 'anyio.abc.Lock', 'anyio.abc.Condition', 'anyio.abc.Semaphore', 'anyio.abc.CapacityLimiter']) {
    m.set(q, { instance: CLASS_NAMES.get(q)! });
  }
  for (const q of ['anyio.current_default_worker_thread_limiter', 'anyio.to_thread.current_default_thread_limiter', 'anyio.to_thread.current_default_worker_thread_limiter']) {
    m.set(q, { instance: 'CapacityLimiter' });
  }
  for (const q of ['anyio.open_cancel_scope', 'anyio.CancelScope', 'anyio.abc.CancelScope', 'anyio.move_on_after']) {
    m.set(q, { instance: 'CancelScope', enter: 'CancelScope' });
  }
  m.set('anyio.fail_after', { instance: 'cm', enter: 'CancelScope' });
  m.set('anyio.create_task_group', { instance: 'TaskGroup', enter: 'TaskGroup' });
  m.set('anyio.create_memory_object_stream', { instance: 'memory-stream-pair' });
  for (const q of ['anyio.create_blocking_portal', 'anyio.from_thread.create_blocking_portal', 'anyio.from_thread.BlockingPortal', 'anyio.abc.BlockingPortal']) {
    m.set(q, { instance: 'BlockingPortal', enter: 'BlockingPortal' });
  }
  for (const q of ['anyio.start_blocking_portal', 'anyio.from_thread.start_blocking_portal']) {
    m.set(q, { instance: 'portal-cm', enter: 'BlockingPortal' });
  }
  m.set('anyio.get_current_task', { instance: 'TaskInfo' });
  return m;
})();

/** Awaiting these module functions is deprecated in 3.x (rows A1–A4). */
export const NOW_SYNC_FUNCTIONS = new Set(['anyio.current_time', 'anyio.current_effective_deadline', 'anyio.get_current_task', 'anyio.get_running_tasks']);

/** How awaiting a method of an AnyIO class behaves in 3.x. */
export interface MethodChange {
  classes: readonly AnyioClass[];
  /** `deprecated`: warns, still works. `breaking`: raises in 3.x. */
  kind: 'deprecated' | 'breaking';
  row: string;
}

/** Method name → (class → change). Only methods that were coroutines in 2.x and are plain in 3.x. */
export const NOW_SYNC_METHODS: ReadonlyMap<string, ReadonlyMap<AnyioClass, { kind: 'deprecated' | 'breaking'; row: string }>> = (() => {
  const m = new Map<string, Map<AnyioClass, { kind: 'deprecated' | 'breaking'; row: string }>>();
  const add = (method: string, cls: AnyioClass, kind: 'deprecated' | 'breaking', row: string) => {
    let e = m.get(method);
    if (!e) m.set(method, (e = new Map()));
    e.set(cls, { kind, row });
  };
  add('set', 'Event', 'deprecated', 'B2');
  add('release', 'Lock', 'deprecated', 'B4');
  add('release', 'Condition', 'deprecated', 'B6');
  add('release', 'Semaphore', 'deprecated', 'B10');
  add('release', 'CapacityLimiter', 'breaking', 'B14');
  add('acquire_nowait', 'CapacityLimiter', 'deprecated', 'B12');
  add('acquire_on_behalf_of_nowait', 'CapacityLimiter', 'deprecated', 'B13');
  add('release_on_behalf_of', 'CapacityLimiter', 'breaking', 'B15');
  add('notify', 'Condition', 'breaking', 'B7');
  add('notify_all', 'Condition', 'breaking', 'B8');
  add('cancel', 'CancelScope', 'deprecated', 'C3');
  add('send_nowait', 'MemoryObjectSendStream', 'deprecated', 'E1');
  add('receive_nowait', 'MemoryObjectReceiveStream', 'breaking', 'E2');
  return m;
})();

/**
 * Method names that only AnyIO objects have (rows B13, B15, B16, F7, F8): an unknown receiver in a
 * module that imports anyio is taken to be the AnyIO object.
 */
export const ANYIO_UNIQUE_METHODS = new Set(['acquire_on_behalf_of_nowait', 'release_on_behalf_of', 'set_total_tokens', 'spawn_task', 'stop_from_external_thread']);

/** Sync factories that became classes (rows B1, B3, B5, B9, B11). */
export const FACTORY_RENAMES: ReadonlyMap<string, string> = new Map([
  ['anyio.create_event', 'anyio.Event'],
  ['anyio.create_lock', 'anyio.Lock'],
  ['anyio.create_condition', 'anyio.Condition'],
  ['anyio.create_semaphore', 'anyio.Semaphore'],
  ['anyio.create_capacity_limiter', 'anyio.CapacityLimiter'],
]);

/** Thread functions moved to `anyio.to_thread` / `anyio.from_thread` (rows F1–F5). */
export const THREAD_RENAMES: ReadonlyMap<string, { to: string; row: string }> = new Map([
  ['anyio.run_sync_in_worker_thread', { to: 'anyio.to_thread.run_sync', row: 'F1' }],
  ['anyio.to_thread.run_sync_in_worker_thread', { to: 'anyio.to_thread.run_sync', row: 'F1' }],
  ['anyio.current_default_worker_thread_limiter', { to: 'anyio.to_thread.current_default_thread_limiter', row: 'F2' }],
  ['anyio.to_thread.current_default_worker_thread_limiter', { to: 'anyio.to_thread.current_default_thread_limiter', row: 'F2' }],
  ['anyio.run_async_from_thread', { to: 'anyio.from_thread.run', row: 'F3' }],
  ['anyio.from_thread.run_async_from_thread', { to: 'anyio.from_thread.run', row: 'F3' }],
  ['anyio.run_sync_from_thread', { to: 'anyio.from_thread.run_sync', row: 'F4' }],
  ['anyio.from_thread.run_sync_from_thread', { to: 'anyio.from_thread.run_sync', row: 'F4' }],
  ['anyio.create_blocking_portal', { to: 'anyio.from_thread.BlockingPortal', row: 'F5' }],
  ['anyio.from_thread.create_blocking_portal', { to: 'anyio.from_thread.BlockingPortal', row: 'F5' }],
]);

/** Context managers that were async in 2.x and are plain in 3.x (rows C2, C4, C5, G1). */
export const NOW_SYNC_CMS = new Set([
  'anyio.CancelScope',
  'anyio.abc.CancelScope',
  'anyio.open_cancel_scope',
  'anyio.move_on_after',
  'anyio.fail_after',
  'anyio.open_signal_receiver',
]);

/** Generic in 2.x, not subscriptable in 3.x (row H2). */
export const NON_GENERIC_CLASSES = new Set([
  'anyio.abc.SocketStream',
  'anyio.abc.SocketListener',
  'anyio.abc.UNIXSocketStream',
  'anyio.abc.sockets.SocketStream',
  'anyio.abc.sockets.SocketListener',
  'anyio.abc.sockets.UNIXSocketStream',
]);

/** `anyio.abc` aliases of classes that now live elsewhere (rows B18, F11). */
export const ABC_ALIASES: ReadonlyMap<string, { to: string; row: string }> = new Map([
  ['anyio.abc.Event', { to: 'anyio.Event', row: 'B18' }],
  ['anyio.abc.Lock', { to: 'anyio.Lock', row: 'B18' }],
  ['anyio.abc.Condition', { to: 'anyio.Condition', row: 'B18' }],
  ['anyio.abc.Semaphore', { to: 'anyio.Semaphore', row: 'B18' }],
  ['anyio.abc.CapacityLimiter', { to: 'anyio.CapacityLimiter', row: 'B18' }],
  ['anyio.abc.BlockingPortal', { to: 'anyio.from_thread.BlockingPortal', row: 'F11' }],
]);
