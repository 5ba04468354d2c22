/**
 * The engine's before/after assertions, shared by the tests: `check(before, after)` fixes
 * `before` to exactly `after` (and fixing again changes nothing), `checkNoChange(src)` leaves
 * `src` alone even with unsafe fixes. Both take indented template literals (`dedent`).
 */
import * as assert from 'node:assert/strict';
import { fixAll } from '../../src/engine';
import type { FixOptions } from '../../src/core/types';

/** A template literal's text without its first newline and its common indentation. */
export function dedent(s: string): string {
  const lines = s.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

/** `before` fixes to exactly `after` (both dedented), and fixing again changes nothing. */
export function check(before: string, after: string, opts: FixOptions = {}): void {
  const r = fixAll(dedent(before), opts);
  assert.equal(r.refused, undefined);
  assert.equal(r.output, dedent(after));
  assert.equal(fixAll(r.output, opts).output, r.output, 'fixing again must change nothing');
}

/** `src` (dedented) is left exactly as it is, unsafe fixes included. */
export function checkNoChange(src: string, opts: FixOptions = {}): void {
  const r = fixAll(dedent(src), { unsafeFixes: true, ...opts });
  assert.equal(r.output, dedent(src));
}
