/**
 * Scoped re-analysis for editors: when an edit only changes the insides of function bodies that
 * bind nothing visible elsewhere, only those bodies are indexed and checked again; every other
 * finding is reused, shifted to its new offsets. Anything else falls back to a full analysis.
 *
 * A body is *opaque* when no line in it can change what the rest of the file means: no import,
 * no `def`/`class` (method names feed the look-alike guard), no `global`/`nonlocal`, no assignment
 * to an attribute of `self`/`cls` (class attribute types). Then the findings inside it depend only
 * on its own text and on the file outside the opaque bodies (the "fingerprint"), and findings
 * outside depend on it only through the rules whose metadata says they look across scopes
 * (`RuleMeta.crossScope`): a finding of one of those forces a full analysis.
 *
 * The result is always what `analyzeTree` would return for the whole text (checked by tests over
 * every fixture and generated edits). It analyses with the engine it is given (its rule registry).
 */
import { parseErrorRanges, type Node, type Tree } from './parser';
import { mayHaveFindings, type Engine } from './engine';
import type { AnalyzeOptions, Edit, Finding } from './types';
import { partitionPoint } from './bisect';

const FILE_WIDE = /\b(?:import|global|nonlocal|def|class)\b|^[ \t]*(?:self|cls)[ \t]*\.[^\n]*=/m;

interface Body {
  start: number;
  end: number;
  text: string;
}

interface State {
  optionsKey: string;
  fingerprint: string;
  bodies: Body[];
  /** Findings inside each body, and outside every body (absolute offsets in the analysed text). */
  inside: Finding[][];
  outside: Finding[];
  /** The tree had parse errors outside the opaque bodies (its structure there may be recovered). */
  errorsOutside: boolean;
}

export interface IncrementalResult {
  findings: Finding[];
  mode: 'full' | 'incremental' | 'unchanged';
  /** Bodies re-analysed in incremental mode. */
  reanalysed: number;
}

function definitionOf(node: Node): Node | null {
  return node.type === 'decorated_definition' ? node.childForFieldName('definition') : node;
}

/** Opaque bodies of module-level functions and of methods of module-level classes, in order. */
function opaqueBodies(tree: Tree, text: string): Body[] {
  const out: Body[] = [];
  const take = (fn: Node | null) => {
    if (fn?.type !== 'function_definition') return;
    const body = fn.childForFieldName('body');
    if (!body || body.type !== 'block') return;
    const t = text.slice(body.startIndex, body.endIndex);
    if (!FILE_WIDE.test(t)) out.push({ start: body.startIndex, end: body.endIndex, text: t });
  };
  for (const child of tree.rootNode.namedChildren) {
    const def = child ? definitionOf(child) : null;
    if (!def) continue;
    if (def.type === 'function_definition') take(def);
    else if (def.type === 'class_definition') {
      for (const member of def.childForFieldName('body')?.namedChildren ?? []) if (member) take(definitionOf(member));
    }
  }
  return out;
}

/** The text outside the opaque bodies: equal fingerprints mean only body insides changed. */
function fingerprintOf(text: string, bodies: readonly Body[]): string {
  let out = '';
  let pos = 0;
  for (const b of bodies) {
    out += text.slice(pos, b.start) + '\u0000';
    pos = b.end;
  }
  return out + text.slice(pos);
}

function partition(findings: readonly Finding[], bodies: readonly Body[]): { inside: Finding[][]; outside: Finding[] } {
  const inside: Finding[][] = bodies.map(() => []);
  const outside: Finding[] = [];
  let k = 0;
  for (const f of findings) {
    while (k < bodies.length && bodies[k]!.end <= f.start) k++;
    const b = bodies[k];
    if (b && f.start >= b.start && f.end <= b.end) inside[k]!.push(f);
    else outside.push(f);
  }
  return { inside, outside };
}

function shiftFinding(f: Finding, map: (o: number) => number): Finding {
  const out: Finding = { ...f, start: map(f.start), end: map(f.end) };
  if (f.token) out.token = { start: map(f.token.start), end: map(f.token.end) };
  if (f.fix) out.fix = { ...f.fix, edits: f.fix.edits.map((e: Edit) => ({ ...e, start: map(e.start), end: map(e.end) })) };
  return out;
}

export class IncrementalAnalysis {
  private state: State | undefined;

  /** `engine`: what analyses the text (its `analyzeTree`), and whose rules say which look across scopes (`ruleByCode`). */
  constructor(private readonly engine: Pick<Engine, 'analyzeTree' | 'ruleByCode'>) {}

  /** Forget everything (options or document identity changed). */
  reset(): void {
    this.state = undefined;
  }

  analyze(text: string, tree: Tree, options: AnalyzeOptions = {}): IncrementalResult {
    // Findings also depend on what the project's other modules export: their summaries' digest.
    const p = options.project;
    const optionsKey = JSON.stringify([options.select ?? null, options.ignore ?? null, options.target ?? 'anyio3', p ? `${p.module}:${p.index.digest(p.module)}` : null]);
    if (!mayHaveFindings(text, options)) {
      this.state = undefined;
      return { findings: [], mode: 'full', reanalysed: 0 };
    }
    const bodies = opaqueBodies(tree, text);
    const fingerprint = fingerprintOf(text, bodies);
    const prev = this.state;
    // Parse errors can make tree-sitter's recovery restructure code around them: the previous
    // analysis must have had none outside its bodies, and the new errors must lie in edited bodies.
    const incremental =
      prev && !prev.errorsOutside && prev.optionsKey === optionsKey && prev.fingerprint === fingerprint && prev.bodies.length === bodies.length
        ? this.tryIncremental(prev, text, tree, options, bodies)
        : undefined;
    const errors = parseErrorRanges(tree);
    const within = (rs: readonly Body[]) => errors.every(([s, e]) => rs.some((b) => s >= b.start && e <= b.end));
    const errorsOutside = !within(bodies);
    if (incremental && within(incremental.changedBodies)) {
      this.state = { optionsKey, fingerprint, bodies, errorsOutside, ...partition(incremental.findings, bodies) };
      return { findings: incremental.findings, mode: incremental.mode, reanalysed: incremental.reanalysed };
    }
    const findings = this.engine.analyzeTree(text, tree, options);
    this.state = { optionsKey, fingerprint, bodies, errorsOutside, ...partition(findings, bodies) };
    return { findings, mode: 'full', reanalysed: 0 };
  }

  private tryIncremental(prev: State, text: string, tree: Tree, options: AnalyzeOptions, bodies: Body[]): (IncrementalResult & { changedBodies: Body[] }) | undefined {
    const changed = bodies.map((b, i) => b.text !== prev.bodies[i]!.text);
    const count = changed.filter(Boolean).length;
    const changedBodies = bodies.filter((_, i) => changed[i]);
    if (count === 0) {
      const delta = bodies.map((b, i) => b.start - prev.bodies[i]!.start);
      if (delta.every((d) => d === 0)) return { findings: [...prev.outside, ...prev.inside.flat()].sort(order), mode: 'unchanged', reanalysed: 0, changedBodies };
    }
    if (prev.outside.some((f) => this.engine.ruleByCode(f.code)?.crossScope)) return undefined;
    // Old offset → new offset: the text outside bodies is identical, bodies moved by the growth
    // of the bodies before them.
    const cum: number[] = [0];
    for (let i = 0; i < bodies.length; i++) cum.push(cum[i]! + (bodies[i]!.text.length - prev.bodies[i]!.text.length));
    const old = prev.bodies;
    const map = (o: number): number => {
      const k = partitionPoint(old.length, (i) => old[i]!.start <= o) - 1;
      if (k < 0) return o;
      return o < old[k]!.end ? o + cum[k]! : o + cum[k + 1]!;
    };
    const inChangedOld = (o: number): boolean => old.some((b, i) => changed[i] && o > b.start && o < b.end);
    const kept: Finding[] = [];
    for (const f of prev.outside) {
      if (f.fix?.edits.some((e) => inChangedOld(e.start) || inChangedOld(e.end))) return undefined;
      kept.push(shiftFinding(f, map));
    }
    for (let i = 0; i < old.length; i++) {
      if (changed[i]) continue;
      for (const f of prev.inside[i]!) {
        if (f.fix?.edits.some((e) => e.start < old[i]!.start || e.end > old[i]!.end)) return undefined;
        kept.push(shiftFinding(f, map));
      }
    }
    // Re-index and re-check with every unchanged opaque body skipped; keep what lies in the
    // changed bodies (findings elsewhere come from a partial index, and are reused instead).
    const skip = new Set(bodies.filter((_, i) => !changed[i]).map((b) => b.start));
    const fresh = this.engine.analyzeTree(text, tree, options, skip).filter((f) => bodies.some((b, i) => changed[i] && f.start >= b.start && f.end <= b.end));
    return { findings: [...kept, ...fresh].sort(order), mode: 'incremental', reanalysed: count, changedBodies };
  }
}

function order(a: Finding, b: Finding): number {
  return a.start - b.start || a.end - b.end || a.code.localeCompare(b.code);
}
