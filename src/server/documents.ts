/**
 * Open documents with one tree-sitter tree each, kept up to date incrementally: every content
 * change is applied to the text and to the tree (`editTree`), and the next analysis re-parses with
 * the edited tree so tree-sitter re-uses everything outside the changed ranges. Trees are freed
 * (`tree.delete()`) when replaced and when the document closes.
 */
import { IncrementalAnalysis } from '../core/incremental';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { editTree, parse, type Tree } from '../core/parser';
import type { Finding } from '../core/types';
import type { EffectiveConfig } from './settings';

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
  readonly incremental = new IncrementalAnalysis();
  /** Duration of the last parse + analysis, to decide whether bursts of changes are coalesced. */
  lastAnalysisMs = 0;
  /** Statistics, for tests and logs. */
  parses = { full: 0, incremental: 0 };

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
   * Apply LSP content changes (in order, as sent). Returns false, changing nothing, when `version`
   * is not newer than the current one (a stale or duplicate notification).
   */
  applyChanges(changes: readonly TextDocumentContentChangeEvent[], version: number): boolean {
    if (version <= this.doc.version) return false;
    for (const change of changes) {
      if ('range' in change) {
        const oldText = this.doc.getText();
        const start = this.doc.offsetAt(change.range.start);
        const end = this.doc.offsetAt(change.range.end);
        if (this.tree) {
          editTree(this.tree, oldText, start, end, change.text);
          this.stale = true;
        }
      } else {
        this.dropTree();
      }
      this.doc = TextDocument.update(this.doc, [change], version);
    }
    // TextDocument.update keeps the old version when `changes` is empty.
    if (changes.length === 0) this.doc = TextDocument.update(this.doc, [], version);
    this.findings = undefined;
    return true;
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
  }
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
