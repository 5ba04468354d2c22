/**
 * The one binary search of the code base. Sorted arrays of offsets (line starts, scopes, import
 * ranges, hidden comments, function bodies) are searched through it rather than by hand.
 */

/**
 * The number of leading indices of [0, length) for which `isBefore` holds, given that it holds for
 * a prefix and fails for the rest (Rust's `partition_point`): the first index where it fails, or
 * `length`. Calls `isBefore` O(log length) times.
 *
 * The last element at or before `x` in ascending `a` is `partitionPoint(a.length, (i) => a[i] <= x) - 1`
 * (-1 when there is none); the first element at or after `x` is `partitionPoint(a.length, (i) => a[i] < x)`.
 */
export function partitionPoint(length: number, isBefore: (index: number) => boolean): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (isBefore(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
