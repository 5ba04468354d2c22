/**
 * Open documents with one tree-sitter tree each, kept up to date incrementally: every content
 * change is applied to the text and to the tree (`editTree`), and the next analysis re-parses with
 * the edited tree so tree-sitter re-uses everything outside the changed ranges. Trees are freed
 * (`tree.delete()`) when replaced and when the document closes.
 *
 * Every change is validated before anything is applied (`normalizeRange`). A range that cannot be
 * what the client applied — reversed (start after end), a line past the end, a negative or
 * non-integer position, or an end inside a surrogate pair — is not applied: the document becomes
 * *desynced* (its text is no longer known to be the editor's), nothing is reported for it, and the
 * next full-text change (or close and reopen) replaces text, tree and scoped-analysis state
 * cleanly. A character past the end of its line is clamped to the line's length, as LSP says.
 */
import { IncrementalAnalysis } from '../core/incremental';
import { engine } from '../engine';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Position, Range, TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { editTree, parse, type Node, type Tree } from '../core/parser';
import type { Finding } from '../core/types';
import type { EffectiveConfig } from './settings';

/** A validated content change: offsets into the text before it, and the range normalised. */
export interface CheckedChange {
  start: number;
  end: number;
  range: Range;
  text: string;
}

function isPosition(v: unknown): v is Position {
  if (!v || typeof v !== 'object') return false;
  const p = v as Record<string, unknown>;
  return Number.isSafeInteger(p['line']) && Number.isSafeInteger(p['character']) && (p['line'] as number) >= 0 && (p['character'] as number) >= 0;
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/**
 * The offset of `p` in `doc`, or why it is not a position in it. A character past the end of its
 * line is the line's end (LSP); `{line: lineCount, character: 0}` is the end of the text.
 */
function offsetOf(doc: TextDocument, text: string, p: Position, which: string): number | string {
  if (p.line >= doc.lineCount) {
    if (p.line === doc.lineCount && p.character === 0) return text.length;
    return `${which} line ${p.line} is past the end of the document (${doc.lineCount} lines)`;
  }
  const lineStart = doc.offsetAt({ line: p.line, character: 0 });
  const lineEnd = doc.offsetAt({ line: p.line, character: Number.MAX_SAFE_INTEGER }); // before the line break
  const offset = Math.min(lineStart + p.character, lineEnd);
  if (offset > 0 && isHighSurrogate(text.charCodeAt(offset - 1)) && isLowSurrogate(text.charCodeAt(offset))) {
    return `${which} ${p.line}:${p.character} is inside a surrogate pair`;
  }
  return offset;
}

/** Validate one LSP content change against `doc`: the change to apply, or why it cannot be. */
export function checkChange(doc: TextDocument, change: unknown): CheckedChange | { full: string } | { invalid: string } {
  if (!change || typeof change !== 'object') return { invalid: 'not a content change' };
  const c = change as Record<string, unknown>;
  if (typeof c['text'] !== 'string') return { invalid: 'change without text' };
  const text = c['text'];
  if (c['range'] === undefined) return { full: text };
  const range = c['range'] as Record<string, unknown> | null;
  if (!range || typeof range !== 'object' || !isPosition(range['start']) || !isPosition(range['end'])) {
    return { invalid: `malformed range ${JSON.stringify(c['range'])} (positions must be non-negative integers)` };
  }
  const current = doc.getText();
  const start = offsetOf(doc, current, range['start'], 'start');
  if (typeof start === 'string') return { invalid: start };
  const end = offsetOf(doc, current, range['end'], 'end');
  if (typeof end === 'string') return { invalid: end };
  if (start > end) {
    const r = range as unknown as Range;
    return { invalid: `reversed range ${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character} (start after end)` };
  }
  return { start, end, range: { start: doc.positionAt(start), end: doc.positionAt(end) }, text };
}

export type ApplyResult =
  /** Applied (the document may have become desynced by this batch: see `desync`). */
  | { kind: 'applied' }
  /** Not newer than the current version: nothing changed. */
  | { kind: 'stale' };

export class DocumentState {
  doc: TextDocument;
  /** Tree of the last parse; after `applyChanges` it is edited but not yet re-parsed (`stale`). */
  private tree: Tree | undefined;
  private stale = false;
  /** Findings of `findingsVersion` (undefined until the first analysis). */
  findings: Finding[] | undefined;
  findingsVersion = -1;
  config: EffectiveConfig | undefined;
  validationScheduled = false;
  /** Pending debounced validation of a large document. */
  debounce: ReturnType<typeof setTimeout> | undefined;
  /** The "large document" note was logged. */
  degradedNoted = false;
  /** Scoped re-analysis state (reset when the text cannot be parsed). */
  readonly incremental = new IncrementalAnalysis(engine);
  /** Duration of the last parse + analysis, to decide whether bursts of changes are coalesced. */
  lastAnalysisMs = 0;
  /** Statistics, for tests and logs. */
  parses = { full: 0, incremental: 0 };
  /**
   * Why the text is no longer known to be the editor's (a change could not be applied), until a
   * full-text change replaces it. Nothing is reported or fixed for a desynced document.
   */
  desync: string | undefined;
  /** Changes dropped while desynced (logged once per desync). */
  droppedWhileDesynced = 0;
  /** Analysed in the analysis worker (a large document): see src/server/analysisWorker.ts. */
  inWorker = false;
  /** A worker analysis is running; `reanalyse`: the text changed meanwhile. */
  analysing = false;
  reanalyse = false;
  /** Lines whose end lies inside a string (no suppression comment there), from the worker. */
  stringLineEnds: ReadonlySet<number> = new Set();
  /** The version whose analysis exceeded the time budget (reported once, skipped). */
  budgetExceeded: number | undefined;
  /** Requests waiting for the worker's findings of the current version. */
  private waiters: Array<() => void> = [];
  /** Edits since `forwarded.base`, for the worker's copy; undefined: it needs the full text. */
  private forwarded: { base: number; changes: Array<{ range: Range; text: string }> } | undefined;

  constructor(
    readonly uri: string,
    readonly languageId: string,
    version: number,
    text: string,
  ) {
    this.doc = TextDocument.create(uri, languageId, version, text);
  }

  get version(): number {
    return this.doc.version;
  }

  get text(): string {
    return this.doc.getText();
  }

  /**
   * Apply LSP content changes (in order, as sent), each validated first (`checkChange`). `stale`,
   * changing nothing, when `version` is not newer than the current one (a stale or duplicate
   * notification). An invalid change is not applied and desyncs the document (`desync` says why);
   * later range changes are dropped until a full-text change resyncs it. The version is taken in
   * any case, so the resync that follows is accepted.
   */
  applyChanges(changes: readonly TextDocumentContentChangeEvent[], version: number): ApplyResult {
    if (!Number.isSafeInteger(version) || version <= this.doc.version) return { kind: 'stale' };
    for (const change of changes as readonly unknown[]) {
      const checked = this.desync === undefined ? checkChange(this.doc, change) : undefined;
      if (checked === undefined) {
        // Desynced: only a full text can be used.
        const c = change as Record<string, unknown> | null;
        if (c && typeof c === 'object' && c['range'] === undefined && typeof c['text'] === 'string') this.resync(c['text'], version);
        else this.droppedWhileDesynced++;
      } else if ('full' in checked) {
        if (this.desync !== undefined) this.resync(checked.full, version);
        else {
          this.dropTree();
          this.forwarded = undefined;
          this.doc = TextDocument.update(this.doc, [{ text: checked.full }], version);
        }
      } else if ('invalid' in checked) {
        this.desync = checked.invalid;
        this.droppedWhileDesynced = 0;
        this.forwarded = undefined;
        this.dropTree();
        this.incremental.reset();
      } else {
        if (this.tree) {
          editTree(this.tree, this.doc.getText(), checked.start, checked.end, checked.text);
          this.stale = true;
        }
        this.doc = TextDocument.update(this.doc, [{ range: checked.range, text: checked.text }], version);
        this.forwarded?.changes.push({ range: checked.range, text: checked.text });
      }
    }
    // TextDocument.update keeps the old version when no change was applied.
    if (this.doc.version !== version) this.doc = TextDocument.update(this.doc, [], version);
    this.findings = undefined;
    return { kind: 'applied' };
  }

  /** Replace everything with the editor's full text: text, tree and scoped-analysis state. */
  private resync(text: string, version: number): void {
    this.desync = undefined;
    this.droppedWhileDesynced = 0;
    this.forwarded = undefined;
    this.dropTree();
    this.incremental.reset();
    this.doc = TextDocument.create(this.uri, this.languageId, version, text);
  }

  /** Resolves at the next `notifyWaiters` (a worker analysis ended, the document closed or desynced). */
  nextNotification(): Promise<void> {
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  notifyWaiters(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** The edits recorded since the last `startForwarding` (undefined: send the full text). */
  takeForwarded(): { base: number; changes: Array<{ range: Range; text: string }> } | undefined {
    const f = this.forwarded;
    this.forwarded = undefined;
    return f;
  }

  /** Record edits from now on (the worker holds the current version). */
  startForwarding(): void {
    this.forwarded = { base: this.doc.version, changes: [] };
  }

  /** The tree of the current text, parsing (incrementally when possible) if needed. */
  currentTree(): Tree {
    const text = this.doc.getText();
    if (!this.tree) {
      this.tree = parse(text);
      this.parses.full++;
      this.stale = false;
    } else if (this.stale) {
      const next = parse(text, this.tree);
      this.tree.delete();
      this.tree = next;
      this.parses.incremental++;
      this.stale = false;
    }
    return this.tree;
  }

  private dropTree(): void {
    this.tree?.delete();
    this.tree = undefined;
    this.stale = false;
  }

  dispose(): void {
    this.dropTree();
    this.findings = undefined;
    this.notifyWaiters();
  }
}

/**
 * Whether the end of `line` lies inside a (multi-line) string, where a `# noqa` comment would be
 * string content.
 */
export function lineEndInString(state: DocumentState, line: number): boolean {
  const doc = state.doc;
  const lineStart = doc.offsetAt({ line, character: 0 });
  const lineEnd = doc.offsetAt({ line, character: Number.MAX_SAFE_INTEGER });
  if (lineEnd === lineStart) return false;
  const tree = state.currentTree();
  for (let n: Node | null = tree.rootNode.descendantForIndex(lineEnd - 1, lineEnd - 1); n; n = n.parent) {
    if ((n.type === 'string' || n.type === 'string_content') && n.endIndex > lineEnd) return true;
  }
  return false;
}

export class DocumentStore {
  private docs = new Map<string, DocumentState>();

  open(uri: string, languageId: string, version: number, text: string): DocumentState {
    this.docs.get(uri)?.dispose();
    const state = new DocumentState(uri, languageId, version, text);
    this.docs.set(uri, state);
    return state;
  }

  get(uri: string): DocumentState | undefined {
    return this.docs.get(uri);
  }

  close(uri: string): void {
    this.docs.get(uri)?.dispose();
    this.docs.delete(uri);
  }

  all(): DocumentState[] {
    return [...this.docs.values()];
  }

  dispose(): void {
    for (const d of this.docs.values()) d.dispose();
    this.docs.clear();
  }
}
