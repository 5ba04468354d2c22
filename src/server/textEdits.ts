/**
 * Turning "old text → new text" (what the engine returns) into the few small edits an editor should
 * apply, so cursors, markers and undo stay where they belong instead of one giant replacement.
 */
import { diffLines, diffWordsWithSpace, type Change } from 'diff';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextEdit } from 'vscode-languageserver';
import type { Edit } from '../core/types';

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** True when an edit boundary at `offset` would split a surrogate pair or a CRLF. */
function splitsUnit(text: string, offset: number): boolean {
  if (offset <= 0 || offset >= text.length) return false;
  const before = text.charCodeAt(offset - 1);
  const after = text.charCodeAt(offset);
  return (isHighSurrogate(before) && isLowSurrogate(after)) || (before === 0x0d && after === 0x0a);
}

/**
 * Shrink `old.slice(start, end)` → `text` to the differing middle, then widen it where a boundary
 * would split a surrogate pair or a CRLF of the old text (editors cannot place a position there).
 */
function normalizeEdit(old: string, start: number, end: number, text: string): Edit | undefined {
  let s = start;
  let i = 0;
  while (s < end && i < text.length && old.charCodeAt(s) === text.charCodeAt(i)) {
    s++;
    i++;
  }
  let e = end;
  let j = text.length;
  while (e > s && j > i && old.charCodeAt(e - 1) === text.charCodeAt(j - 1)) {
    e--;
    j--;
  }
  let replacement = text.slice(i, j);
  if (s === e && replacement === '') return undefined;
  while (splitsUnit(old, s)) {
    s--;
    replacement = old[s]! + replacement;
  }
  while (splitsUnit(old, e)) {
    replacement += old[e]!;
    e++;
  }
  return { start: s, end: e, text: replacement };
}

/** Split one changed region into word-level edits (so separate fixes on adjacent lines stay separate). */
function refine(old: string, start: number, end: number, text: string, out: Edit[]): void {
  const oldSeg = old.slice(start, end);
  if (oldSeg === '' || text === '' || oldSeg.length + text.length > 20000) {
    push(normalizeEdit(old, start, end, text), out);
    return;
  }
  forEachHunk(diffWordsWithSpace(oldSeg, text), start, (s, e, t) => push(normalizeEdit(old, s, e, t), out));
}

/**
 * Group a diff's changes into hunks of the old text: each maximal run of added/removed parts is
 * reported as (start, end in the old text counted from `base`, inserted text).
 */
function forEachHunk(changes: readonly Change[], base: number, emit: (start: number, end: number, text: string) => void): void {
  let pos = base;
  let hunkStart = -1;
  let hunkEnd = -1;
  let hunkText = '';
  const flush = (): void => {
    if (hunkStart >= 0) emit(hunkStart, hunkEnd, hunkText);
    hunkStart = -1;
    hunkText = '';
  };
  for (const change of changes) {
    if (change.added) {
      if (hunkStart < 0) hunkStart = hunkEnd = pos;
      hunkText += change.value;
    } else if (change.removed) {
      if (hunkStart < 0) hunkStart = hunkEnd = pos;
      pos += change.value.length;
      hunkEnd = pos;
    } else {
      flush();
      pos += change.value.length;
    }
  }
  flush();
}

/** Append `edit`, merging it with the previous one when widening made them overlap. */
function push(edit: Edit | undefined, out: Edit[]): void {
  if (!edit) return;
  const prev = out[out.length - 1];
  if (prev && edit.start < prev.end) {
    // Both contain old.slice(edit.start, prev.end) verbatim (added by widening): keep it once.
    out[out.length - 1] = { start: prev.start, end: Math.max(prev.end, edit.end), text: prev.text + edit.text.slice(prev.end - edit.start) };
    return;
  }
  out.push(edit);
}

/**
 * Minimal, non-overlapping edits (ascending, offsets into `oldText`) that turn `oldText` into
 * `newText`. Applying them back to front (or all at once, as LSP does) gives exactly `newText`.
 */
export function computeEdits(oldText: string, newText: string): Edit[] {
  if (oldText === newText) return [];
  const max = Math.min(oldText.length, newText.length);
  let p = 0;
  while (p < max && oldText.charCodeAt(p) === newText.charCodeAt(p)) p++;
  const lineStart = p === 0 ? 0 : oldText.lastIndexOf('\n', p - 1) + 1;
  let s = 0;
  while (s < max - lineStart && oldText.charCodeAt(oldText.length - 1 - s) === newText.charCodeAt(newText.length - 1 - s)) {
    s++;
  }
  // The common suffix, cut back to a line start so that the line diff sees whole lines.
  const suffixStart = oldText.length - s;
  let oldEnd: number;
  if (suffixStart === oldText.length || (suffixStart > 0 && oldText.charCodeAt(suffixStart - 1) === 0x0a)) {
    oldEnd = suffixStart;
  } else {
    const nl = oldText.indexOf('\n', suffixStart);
    oldEnd = nl === -1 ? oldText.length : nl + 1;
  }
  const newEnd = newText.length - (oldText.length - oldEnd);
  const oldMid = oldText.slice(lineStart, oldEnd);
  const newMid = newText.slice(lineStart, newEnd);

  const edits: Edit[] = [];
  forEachHunk(diffLines(oldMid, newMid), lineStart, (s, e, t) => refine(oldText, s, e, t, edits));
  return edits;
}

export function toTextEdits(doc: TextDocument, edits: readonly Edit[]): TextEdit[] {
  return edits.map((e) => ({
    range: { start: doc.positionAt(e.start), end: doc.positionAt(e.end) },
    newText: e.text,
  }));
}

/** LSP text edits turning the document's text into `newText`. */
export function textEditsTo(doc: TextDocument, newText: string): TextEdit[] {
  return toTextEdits(doc, computeEdits(doc.getText(), newText));
}
