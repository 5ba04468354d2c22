/**
 * Counters of the engine's work that grows with the size of a file: bindings and import ranges
 * looked at, names looked up. Scale tests compare them at 1× and 8× the input (a linear engine
 * does about 8× the work); nothing in the engine reads them. Incrementing a number is all they cost.
 */
export const workCounters = {
  /** Names visited by iterating over a scope's bindings (any code that scans a whole scope). */
  bindingsScanned: 0,
  /** Name lookups (LEGB) from a site. */
  lookups: 0,
  /** Import bindings examined as candidates when spelling a qualified name at a site. */
  boundNameCandidates: 0,
  /** Identifier occurrences checked for being inside an import statement (a binary search each). */
  importRangeChecks: 0,
  /** Multi-line string ranges looked at to tell whether a line starts inside a string (re-indenting fixes). */
  stringRangeChecks: 0,
};

export type WorkCounters = typeof workCounters;

export function resetWorkCounters(): void {
  for (const k of Object.keys(workCounters) as Array<keyof WorkCounters>) workCounters[k] = 0;
}

/** A copy of the counters (to compare two runs). */
export function snapshotWorkCounters(): WorkCounters {
  return { ...workCounters };
}
