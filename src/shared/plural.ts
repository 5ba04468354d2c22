/** `1 file`, `2 files`, `0 fixes` (with `pluralWord`): a count and its noun, for messages of the CLI and the server. */
export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${n} ${n === 1 ? word : pluralWord}`;
}
