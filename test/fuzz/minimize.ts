/**
 * Delta debugging (ddmin) of a failing text: remove chunks of lines, then of characters, for as
 * long as the failure persists, within a time budget. The result is what goes into a reproducer.
 */

async function ddminUnits(units: string[], stillFails: (text: string) => Promise<boolean>, deadline: number): Promise<string[]> {
  let current = units;
  let n = 2;
  while (current.length >= 2 && Date.now() < deadline) {
    const size = Math.ceil(current.length / n);
    let reduced = false;
    for (let start = 0; start < current.length && Date.now() < deadline; start += size) {
      const candidate = [...current.slice(0, start), ...current.slice(start + size)];
      if (candidate.length < current.length && (await stillFails(candidate.join('')))) {
        current = candidate;
        n = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (n >= current.length) break;
      n = Math.min(current.length, n * 2);
    }
  }
  return current;
}

/**
 * The smallest text found (within `budgetMs`) for which `stillFails` holds. `text` itself must fail.
 * Lines are removed first; texts under 5,000 characters are then reduced character by character.
 */
export async function minimize(text: string, stillFails: (text: string) => Promise<boolean>, budgetMs: number): Promise<string> {
  const deadline = Date.now() + budgetMs;
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [text];
  let best = (await ddminUnits(lines, stillFails, deadline)).join('');
  if (best.length <= 5000 && Date.now() < deadline) {
    best = (await ddminUnits(Array.from(best), stillFails, deadline)).join('');
  }
  return best;
}
