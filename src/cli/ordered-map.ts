/** Ordered concurrency: a window of async calls in flight, their results yielded in input order. */

/**
 * Map `items` through the async `fn` with at most `window` calls in flight, yielding the results
 * in input order (a slow item holds back the ones after it, never reorders them). Stops starting
 * new work once `stop()` is true. Every started promise is observed, so none can be an unhandled
 * rejection.
 */
export async function* orderedMap<T, R>(
  items: readonly T[],
  window: number,
  fn: (item: T, index: number) => Promise<R>,
  stop: () => boolean = () => false,
): AsyncGenerator<[T, R]> {
  const limit = Math.max(1, window);
  const pending: Array<Promise<{ ok: true; value: R } | { ok: false; error: unknown }>> = [];
  let next = 0;
  const fill = (): void => {
    while (next < items.length && pending.length < limit && !stop()) {
      const i = next++;
      let started: Promise<R>;
      try {
        started = fn(items[i]!, i);
      } catch (error) {
        started = Promise.reject(error);
      }
      pending.push(
        started.then(
          (value) => ({ ok: true as const, value }),
          (error: unknown) => ({ ok: false as const, error }),
        ),
      );
    }
  };
  fill();
  for (let i = 0; i < items.length; i++) {
    if (stop()) return;
    const p = pending.shift();
    if (!p) return;
    const settled = await p;
    fill();
    if (!settled.ok) throw settled.error;
    yield [items[i]!, settled.value];
  }
}
