/**
 * The record of an explanation: its steps (one per place, at most `MAX_STEPS`), the modules the
 * proof leads into (parsed on demand, at most `MAX_MODULES`), and the steps the project index
 * recorded on a type, each followed into its module. The tracing itself is `explain-trace.ts`.
 */
import type { Node, Tree } from '../parser';
import { InputRefused, parse } from '../parser';
import { buildIndex, type ClassInfo, type FileIndex, type Scope } from '../scopes';
import { Resolver, type Ty } from '../resolve';
import { LineIndex } from '../text';
import type { ExplainStep } from './explain';
import { type Leaf, viaWords } from './explain-words';
import type { ProjectContext, ProjectIndex } from './project';
import type { Step } from './types';
import { findFunction } from './explain-find';

export const MAX_DEPTH = 16;
const MAX_STEPS = 32;
const MAX_MODULES = 8;

/** One parsed module: the explained file, or one the proof leads into. */
export interface View {
  text: string;
  idx: FileIndex;
  res: Resolver;
  lines: LineIndex;
  /** Absent for the explained file. */
  path?: string;
  tree: Tree;
  /** The project's modules, when there is a project. */
  index?: ProjectIndex;
}

/** The steps of one explanation and the modules they lead into; `Explainer` adds the tracing. */
export abstract class StepLog {
  protected readonly steps: ExplainStep[] = [];
  private readonly seenSteps = new Set<string>();
  private readonly views = new Map<string, View | null>();

  constructor(
    protected readonly project: ProjectContext | undefined,
    private readonly readModule: ((path: string) => string | undefined) | undefined,
  ) {}

  /** Steps for what the function `fn` of view `v` gives (yields or returns). */
  protected abstract traceFunctionResult(v: View, fn: Scope, label: string, depth: number): Leaf;

  /** Steps for where an instance of the class `cls` of view `v` gets its attribute `attr`. */
  protected abstract traceClassAttr(v: View, cls: ClassInfo, attr: string, depth: number): Leaf;

  dispose(): void {
    for (const v of this.views.values()) {
      if (!v) continue;
      v.res.dispose();
      v.tree.delete();
    }
    this.views.clear();
  }

  protected line(v: View, node: Node): number {
    return v.lines.position(node.startIndex).line + 1;
  }

  protected step(v: View, node: Node | number, text: string): void {
    if (this.full()) return;
    const line = typeof node === 'number' ? node : this.line(v, node);
    const key = `${v.path ?? ''}\0${line}\0${text}`;
    if (this.seenSteps.has(key)) return;
    this.seenSteps.add(key);
    this.steps.push(v.path === undefined ? { text, line } : { text, path: v.path, line });
  }

  /** Whether no more steps are taken. */
  protected full(): boolean {
    return this.steps.length >= MAX_STEPS;
  }

  // ------------------------------------------------------------------ steps from the project index

  /** The steps the project index recorded on `t`, each followed into its module when it can be read. */
  protected addVia(t: Ty, depth = 0): void {
    const via: Step[] = [];
    if (t.k === 'anyio' || t.k === 'cm') via.push(...(t.via ?? []));
    if (t.k === 'cm' && t.enter.k === 'anyio') via.push(...(t.enter.via ?? []));
    for (const s of via) {
      const key = `${s.module}\0${s.line}\0${s.what}`;
      if (this.seenSteps.has(key)) continue;
      this.seenSteps.add(key);
      if (this.steps.length >= MAX_STEPS) return;
      this.steps.push({ text: viaWords(s.what), path: s.module, line: s.line });
      this.follow(s, depth + 1);
    }
  }

  /** Open the module of step `s` and trace what it names there (the function's yields/returns, the class's attribute). */
  private follow(s: Step, depth: number): void {
    if (!this.readModule || !this.project || depth > MAX_DEPTH) return;
    const v = this.view(s.module);
    if (!v) return;
    let m = /^([\w.]+)\(\) (?:yields|returns)$/.exec(s.what);
    if (m) {
      const parts = m[1]!.split('.');
      const fn = findFunction(v, parts, s.line);
      if (fn) this.traceFunctionResult(v, fn, m[1]!, depth);
      return;
    }
    m = /^(\w+)\.(\w+)(?: \(property\))?$/.exec(s.what);
    if (m) {
      const cls = v.idx.classes.find((c) => c.name === m![1] && (this.line(v, c.node) === s.line || c.methods.get(m![2]!) !== undefined));
      if (cls) this.traceClassAttr(v, cls, m[2]!, depth);
    }
  }

  /** The parsed module at `path` (a summary's path), or null when it cannot be read or analysed. */
  private view(path: string): View | null {
    const cached = this.views.get(path);
    if (cached !== undefined) return cached;
    let v: View | null = null;
    const module = this.project?.index.moduleOfPath(path);
    const summary = module !== undefined ? this.project?.index.get(module) : undefined;
    if (summary && this.views.size < MAX_MODULES) {
      let text: string | undefined;
      try {
        text = this.readModule?.(path);
      } catch {
        text = undefined;
      }
      if (text !== undefined) {
        try {
          const tree = parse(text);
          const idx = buildIndex(tree, text);
          const res = new Resolver(idx, this.project!.index.hookFor(summary.module, summary.isPackage));
          v = { text, idx, res, lines: new LineIndex(text), path, tree, index: this.project!.index };
        } catch (err) {
          if (!(err instanceof InputRefused)) throw err;
        }
      }
    }
    this.views.set(path, v);
    return v;
  }
}
