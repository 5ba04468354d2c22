/**
 * Test-only switch for the cheap text and name prefilters (the engine's "no `anyio` in the text"
 * gate and each rule family's early exits). A prefilter must never change the findings, only skip
 * work: every one must accept a superset of what its rule reports. `test/core/prefilters.test.ts`
 * checks that by analysing fixtures and fuzz inputs with the prefilters on and off. Production code
 * never turns them off.
 */
let enabled = true;

/** Whether prefilters may skip work (always true outside that test). */
export function prefiltersEnabled(): boolean {
  return enabled;
}

/** Test-only: turn the prefilters off (`false`) or back on (`true`). */
export function setPrefiltersEnabled(on: boolean): void {
  enabled = on;
}
