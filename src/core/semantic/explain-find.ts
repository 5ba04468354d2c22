/**
 * Finding things in a parsed module for the proof: the calls that pass a function's parameter
 * (as the resolver reads them for call-site agreement), the factory of a class-level field, and a
 * function by name and line (where the project index recorded a step).
 */
import type { Node } from '../parser';
import { lookup, unparen, type Scope } from '../scopes';
import type { View } from './explain-steps';

/**
 * The calls of the function `fn` of view `v` that pass its parameter `index`/`name`: direct calls
 * (`f(x)`) and the function handed to another callable (`tg.spawn(f, x)`), as the resolver reads
 * them when it types an unannotated parameter from its call sites.
 */
export function callSites(v: View, fn: Scope, index: number, name: string): Array<{ call: Node; arg: Node }> {
  const out: Array<{ call: Node; arg: Node }> = [];
  const fname = fn.name;
  if (!fname) return out;
  for (const o of v.idx.identifiers.get(fname) ?? []) {
    if (o === fn.nameStart) continue;
    const ref = v.tree.rootNode.descendantForIndex(o, o + fname.length);
    if (!ref || ref.type !== 'identifier') continue;
    if (!lookup(v.idx, fname, ref)?.bindings.some((x) => x.def?.id === fn.node.id)) continue;
    const parent = ref.parent;
    let call: Node | undefined;
    let shift = 0;
    if (parent?.type === 'call' && parent.childForFieldName('function')?.id === ref.id) call = parent;
    else if (parent?.type === 'argument_list' && parent.namedChild(0)?.id === ref.id && parent.parent?.type === 'call') {
      call = parent.parent;
      shift = 1;
    }
    if (!call) continue;
    const args = (call.childForFieldName('arguments')?.namedChildren ?? []).filter((a): a is Node => !!a && a.type !== 'comment');
    const kw = args.find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === name);
    const arg = kw ? kw.childForFieldName('value') : args.filter((a) => a.type !== 'keyword_argument')[index + shift];
    if (arg) out.push({ call, arg });
  }
  return out;
}

/** The factory of a class-level field (`attr.ib(factory=anyio.create_event)`, `field(default_factory=...)`, `attr.Factory(...)`). */
export function factoryOf(v: View, value: Node): Node | undefined {
  const n = unparen(value);
  if (n.type !== 'call') return undefined;
  const fq = v.res.qualifiedOf(n.childForFieldName('function') ?? n);
  const args = n.childForFieldName('arguments');
  if (fq && /^attrs?\.Factory$/.test(fq)) return args?.namedChild(0) ?? undefined;
  for (const a of args?.namedChildren ?? []) {
    if (a?.type !== 'keyword_argument') continue;
    const name = a.childForFieldName('name')?.text;
    const f = a.childForFieldName('value');
    if (!f) continue;
    if (name === 'default_factory' || name === 'factory') return f;
    if (name === 'default') {
      const d = unparen(f);
      const dq = d.type === 'call' ? v.res.qualifiedOf(d.childForFieldName('function') ?? d) : undefined;
      if (dq && /^attrs?\.Factory$/.test(dq)) return d.childForFieldName('arguments')?.namedChild(0) ?? undefined;
    }
  }
  return undefined;
}

/** The function `parts` (`f`, `Cls.method`) of view `v` defined at `line`. */
export function findFunction(v: View, parts: string[], line: number): Scope | undefined {
  const name = parts[parts.length - 1]!;
  for (const sc of v.idx.scopes.values()) {
    if (sc.kind !== 'function' || sc.name !== name) continue;
    if (v.lines.position(sc.start).line + 1 === line) return sc;
  }
  return undefined;
}
