/**
 * Readable failure messages for byte-exact text comparisons: a unified diff in which carriage
 * returns, tabs and a BOM are made visible (they are exactly what such fixtures are about).
 */
import { createTwoFilesPatch } from 'diff';

function visible(text: string): string {
  return text
    .replace(/\uFEFF/g, '<BOM>')
    .replace(/\r/g, '␍')
    .replace(/\t/g, '→   ');
}

export function textDiff(expected: string, actual: string, expectedLabel = 'expected', actualLabel = 'actual'): string {
  const patch = createTwoFilesPatch(expectedLabel, actualLabel, visible(expected), visible(actual), '', '', { context: 2 });
  // Drop the "===" banner line the patch starts with; keep the ---/+++ headers and hunks.
  return patch
    .split('\n')
    .filter((line) => !/^=+$/.test(line))
    .join('\n');
}
