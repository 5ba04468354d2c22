/**
 * Rebuilding replaced code without losing text: the comments inside a range (also those the parser
 * hides), CR handling at line ends, and re-indenting continuation lines while leaving the lines
 * inside multi-line strings alone.
 */
import { hiddenComments, type Node } from '../../core/parser';
import { partitionPoint } from '../../core/bisect';
import { workCounters } from '../../core/work';
import type { RuleContext } from '../../core/rule-api';

/**
 * Every comment in [start, end) under `roots` (comment nodes at any depth, and the comments hidden
 * from the parser in long comment runs) that is not inside one of `copied` (nodes whose whole text a
 * fix copies), in source order. Tree-sitter attaches a comment to whichever node is open around it
 * (the comment lines before a block's first statement belong to the compound statement, not to its
 * block), so a fix that replaces [start, end) and rebuilds it from some children must look at all
 * of them to lose none.
 */
export function commentsWithin(ctx: RuleContext, roots: readonly Node[], start: number, end: number, copied: readonly Node[] = []): Node[] {
  const inCopied = (s: number, e: number) => copied.some((c) => s >= c.startIndex && e <= c.endIndex);
  const out: Node[] = [];
  // A plain comment entry: from `#` to the end of the line, without the `\r` of a CRLF line ending
  // (tree-sitter-python's comment nodes include it).
  const add = (s: number, e: number, id: number): void => {
    while (e > s && ctx.text[e - 1] === '\r') e--;
    out.push({ type: 'comment', id, startIndex: s, endIndex: e, text: ctx.text.slice(s, e) } as unknown as Node);
  };
  const visit = (n: Node): void => {
    if (n.endIndex <= start || n.startIndex >= end || inCopied(n.startIndex, n.endIndex)) return;
    if (n.type === 'comment') {
      if (n.startIndex >= start && n.endIndex <= end) add(n.startIndex, n.endIndex, n.id);
      return;
    }
    for (const c of n.namedChildren) if (c) visit(c);
  };
  for (const r of roots) visit(r);
  for (const h of hiddenComments(ctx.idx.tree, start, end)) if (!inCopied(h.start, h.end)) add(h.start, h.end, -1 - h.start);
  return out.sort((a, b) => a.startIndex - b.startIndex);
}

/** `end` moved back over the `\r`s before it: where a node that ends with a CRLF comment ends its line. */
export function beforeCr(text: string, end: number): number {
  while (end > 0 && text[end - 1] === '\r') end--;
  return end;
}

/** Whether code (not only blanks) precedes `offset` on its line: a comment there trails a statement. */
export function trailsCode(text: string, offset: number): boolean {
  let i = offset - 1;
  while (i >= 0 && (text[i] === ' ' || text[i] === '\t' || text[i] === '\f' || text[i] === '\uFEFF')) i--;
  return i >= 0 && text[i] !== '\n' && text[i] !== '\r';
}

/**
 * Tells whether a line starts inside a multi-line string of [start, end), for line starts asked in
 * increasing order: the strings are found by binary search in `ctx.idx.strings` (in source order,
 * the index walks the tree in pre-order) and passed by a moving pointer, so a whole body costs
 * O(lines + strings), not lines × strings.
 */
export function lineInStringCursor(ctx: RuleContext, start: number, end: number): (lineStart: number) => boolean {
  const strings = ctx.idx.strings;
  const lo = partitionPoint(strings.length, (i) => strings[i]!.startIndex < start);
  const ranges: Array<[number, number]> = [];
  for (let k = lo; k < strings.length && strings[k]!.startIndex < end; k++) {
    workCounters.stringRangeChecks++;
    const s = strings[k]!;
    if (s.endIndex <= end && /[\r\n]/.test(ctx.text.slice(s.startIndex, s.endIndex))) ranges.push([s.startIndex, s.endIndex]);
  }
  // Sorted by start; a range nested in another (a string in an f-string) comes after it. Ranges that
  // end at or before a line start cannot hold a later one; the first range left holds the line start
  // if any does (a later range starts at or after it).
  let k = 0;
  return (lineStart) => {
    workCounters.stringRangeChecks++;
    while (k < ranges.length && ranges[k]![1] <= lineStart) {
      k++;
      workCounters.stringRangeChecks++;
    }
    return k < ranges.length && lineStart > ranges[k]![0] && lineStart < ranges[k]![1];
  };
}

/**
 * `node`'s text with its continuation lines re-indented: `add` prefixed, or `remove` stripped where
 * present. Lines that start inside a multi-line string are left alone (their text would change).
 */
export function shiftedText(ctx: RuleContext, node: Node, change: { add?: string; remove?: string }): string {
  const inString = lineInStringCursor(ctx, node.startIndex, node.endIndex);
  const text = node.text;
  let out = '';
  let pos = 0;
  // Line breaks as Python reads them: `\r\n`, a lone `\r`, `\n`.
  const breaks = /\r\n?|\n/g;
  for (let m = breaks.exec(text); m; m = breaks.exec(text)) {
    const lineStart = m.index + m[0].length;
    out += text.slice(pos, lineStart);
    pos = lineStart;
    const abs = node.startIndex + lineStart;
    if (inString(abs)) continue;
    const rest = text.slice(lineStart);
    if (/^[ \t]*(\r|\n|$)/.test(rest)) continue;
    if (change.add) out += change.add;
    else if (change.remove && rest.startsWith(change.remove)) pos += change.remove.length;
  }
  return out + text.slice(pos);
}
