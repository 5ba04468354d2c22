/**
 * A module's summary: what each of its module-level names is, as far as AnyIO is concerned, from
 * its own text only (see `types.ts`). Built with the same resolver the rules use, in symbolic mode:
 * whatever comes from another module stays a symbolic expression for the project index.
 * Shallow summaries (a line scan, no parse) are `shallow.ts`.
 */
import { createHash } from 'crypto';
import { parse, type Node } from '../parser';
import { LineIndex } from '../text';
import { buildIndex, isAnyioName, unparen, type ClassInfo, type Scope } from '../scopes';
import { CM_DECORATOR, isFixture, PROPERTY_DECORATOR, Resolver, type Ty } from '../resolve';
import { isKnownNotAnyio, SPAWNER } from './known';
import {
  absolutizeRelative,
  SUMMARY_VERSION,
  type CallSite,
  type ClassSummary,
  type Export,
  type FunctionSummary,
  type ModuleSummary,
  type ProjectHook,
  type STy,
  type Sym,
} from './types';

export { shallowSummary } from './shallow';

const OTHER: STy = { k: 'other' };
const UNKNOWN: STy = { k: 'unknown' };

const sym = (e: Sym): STy => ({ k: 'sym', e });

/** Summary-time answers: names of other modules stay names, operations on them stay operations. */
class SymbolicHook implements ProjectHook {
  readonly symbolic = true;
  constructor(
    private readonly module: string,
    private readonly isPackage: boolean,
  ) {}
  absolutize(relative: string): string | undefined {
    return absolutizeRelative(relative, this.module, this.isPackage);
  }
  valueOf(q: string): STy | undefined {
    return isKnownNotAnyio(q) ? undefined : sym({ op: 'name', q });
  }
  private opaque(t: STy): STy | undefined {
    if (t.k === 'other' || t.k === 'none') return OTHER;
    if (t.k === 'unknown') return UNKNOWN;
    return undefined;
  }
  call(f: STy, awaited: boolean): STy {
    return this.opaque(f) ?? sym({ op: 'call', f, awaited });
  }
  attr(o: STy, name: string): STy {
    return this.opaque(o) ?? sym({ op: 'attr', o, name });
  }
  enter(o: STy): STy {
    return this.opaque(o) ?? sym({ op: 'enter', o });
  }
  item(o: STy, i: number): STy {
    if (o.k === 'tuple') return o.items[i] ?? UNKNOWN;
    return this.opaque(o) ?? sym({ op: 'item', o, i });
  }
  definesMethod(): boolean {
    return false;
  }
  fixture(): STy | undefined {
    return undefined;
  }
  externalArgs(): STy[] | undefined {
    return undefined;
  }
}

/** Summarise a module. Requires `initEngine()`. Input the engine refuses gives an empty summary. */
export function summarizeModule(text: string, module: string, isPackage: boolean, path: string): ModuleSummary {
  const hash = createHash('sha256').update(text).digest('hex');
  const base: ModuleSummary = {
    v: SUMMARY_VERSION,
    module,
    isPackage,
    path,
    hash,
    imports: [],
    names: {},
    mentionsAnyio: text.includes('anyio'),
    calls: [],
    escapes: [],
    stars: [],
  };
  let tree;
  try {
    tree = parse(text);
  } catch {
    return base; // refused input (too deep, too large): nothing is known about its names
  }
  const res0: { res?: Resolver } = {};
  try {
    const idx = buildIndex(tree, text);
    const hook = new SymbolicHook(module, isPackage);
    const res = new Resolver(idx, hook);
    res0.res = res;
    // 1-based line numbers for explanations (every line break: `\n`, `\r\n`, `\r`).
    const lines = new LineIndex(text);
    const line = (offset: number) => lines.position(offset).line + 1;

    /**
     * A class's name in the summary: its own name at module level; `outer$Inner` for a class inside
     * a function or another class (one key, no dots, so the index finds it like any module name).
     */
    const keyOf = (cls: ClassInfo): string | undefined => {
      const chain: string[] = [cls.name];
      for (let sc = cls.scope.parent; sc && sc.kind !== 'module'; sc = sc.parent) {
        if (!sc.name) return undefined; // a lambda
        chain.unshift(sc.name);
      }
      return chain.join('$');
    };
    const qualify = (cls: ClassInfo): string | undefined => {
      const key = keyOf(cls);
      return key ? `${module}.${key}` : undefined;
    };
    /** A resolver type as plain data: this file's classes become `pinst` by qualified name. */
    const plain = (t: Ty, depth = 0): STy => {
      if (depth > 20) return UNKNOWN;
      switch (t.k) {
        case 'local': {
          const q = qualify(t.cls);
          return q ? { k: 'pinst', q } : OTHER;
        }
        case 'cm':
          return { k: 'cm', enter: plain(t.enter as Ty, depth + 1) };
        case 'tuple':
          return { k: 'tuple', items: t.items.map((i) => plain(i as Ty, depth + 1)) };
        case 'seq':
          return { k: 'seq', item: plain(t.item as Ty, depth + 1) };
        case 'map':
          return { k: 'map', value: plain(t.value as Ty, depth + 1) };
        case 'sym':
          return { k: 'sym', e: plainSym(t.e, depth + 1) };
        default:
          return t;
      }
    };
    const plainSym = (e: Sym, depth: number): Sym => {
      switch (e.op) {
        case 'name':
          return e;
        case 'call':
          return { ...e, f: plain(e.f as Ty, depth) };
        case 'attr':
        case 'enter':
        case 'item':
          return { ...e, o: plain(e.o as Ty, depth) } as Sym;
        case 'join':
          return { op: 'join', items: e.items.map((i) => plain(i as Ty, depth)) };
      }
    };

    const fnSummary = (fn: Scope): FunctionSummary => {
      const decos = (fn.decorators ?? []).map((d) => d.text.replace(/\s+/g, ''));
      const cmDeco = decos.find((d) => CM_DECORATOR.test(d));
      const cm = cmDeco ? (/asynccontextmanager$/.test(cmDeco) ? 'async' : 'sync') : undefined;
      const property = decos.some((d) => PROPERTY_DECORATOR.test(d));
      const fixture = isFixture(fn);
      const returns = plain(fixture ? res.fixtureResult(fn, 0) : res.functionResult(fn, !!fn.isAsync && !cm, 0));
      const out: FunctionSummary = { isAsync: !!fn.isAsync, returns, line: line(fn.start) };
      if (cm) out.cm = cm;
      if (property) out.property = true;
      if (fixture) out.fixture = true;
      return out;
    };

    const classSummary = (cls: ClassInfo): ClassSummary => {
      const bases: STy[] = [];
      for (const b of cls.superclasses) {
        if (b.type === 'identifier') {
          const bs = idx.module.bindings.get(b.text);
          const def = bs?.length === 1 && bs[0]!.kind === 'class' ? bs[0]!.def : undefined;
          const local = def ? idx.classes.find((c) => c.node.id === def.id) : undefined;
          const q = local ? qualify(local) : undefined;
          if (q) {
            bases.push({ k: 'pclass', q });
            continue;
          }
        }
        bases.push(plain(res.typeOf(b)));
      }
      const attrs: Record<string, STy> = {};
      for (const name of cls.attrs.keys()) attrs[name] = plain(res.attrTypeOfClass(cls, name, 0));
      const methods: Record<string, FunctionSummary> = {};
      for (const [name, m] of cls.methods) methods[name] = fnSummary(m);
      return { bases, attrs, methods, line: line(cls.scope.start) };
    };

    // Every import of the module, at any level (functions, `if`/`try` blocks), is a dependency.
    const imports = new Set<string>();
    for (const scope of idx.scopes.values()) {
      for (const bs of scope.bindings.values()) {
        for (const b of bs) {
          if (b.kind !== 'import') continue;
          const q = b.imported ?? res.absoluteSource(b);
          if (q) imports.add(q);
        }
      }
    }

    const names: Record<string, Export> = {};
    // Classes inside functions and classes, under their `outer$Inner` key (their instances are
    // returned, yielded, stored: what they hold must be known, not taken for "not AnyIO").
    for (const cls of idx.classes) {
      if (cls.scope.parent?.kind === 'module') continue;
      const key = keyOf(cls);
      if (key) names[key] = { kind: 'class', cls: classSummary(cls) };
    }
    for (const [name, bs] of idx.module.bindings) {
      const last = bs[bs.length - 1]!;
      if (bs.every((b) => b.kind === 'def') && last.def) {
        const sc = idx.scopes.get(last.def.id);
        if (sc) names[name] = { kind: 'function', fn: fnSummary(sc) };
        continue;
      }
      if (bs.every((b) => b.kind === 'class') && last.def) {
        const cls = idx.classes.find((c) => c.node.id === last.def!.id);
        if (cls) names[name] = { kind: 'class', cls: classSummary(cls) };
        continue;
      }
      if (bs.length === 1 && last.kind === 'import') {
        const q = res.absoluteSource(last);
        if (!q) continue;
        // `import a.b` binds `a`; `import a.b as c` binds `a.b`: both are modules.
        if (last.stmt?.type === 'import_statement') names[name] = { kind: 'module', q };
        else names[name] = { kind: 'value', ty: sym({ op: 'name', q }), line: line(last.stmt?.startIndex ?? 0) };
        continue;
      }
      const tys = bs.map((b) => res.typeOfBinding(b, 0));
      const real = tys.filter((t) => t.k !== 'none');
      let ty: STy;
      if (real.length === 0) ty = tys.length ? { k: 'none' } : UNKNOWN;
      else if (real.length === 1) ty = plain(real[0]!);
      else ty = sym({ op: 'join', items: real.map((t) => plain(t)) });
      names[name] = { kind: 'value', ty, line: line(last.node?.startIndex ?? 0) };
    }
    // Calls of other modules' functions and classes, and their other uses (see `ModuleSummary`).
    const isForeign = (q: string | undefined): q is string => !!q && !isAnyioName(q) && !isKnownNotAnyio(q);
    const calls: CallSite[] = [];
    const args = (call: Node, skip: number): { args: STy[]; kw: Record<string, STy> } | undefined => {
      const list = (call.childForFieldName('arguments')?.namedChildren ?? []).filter((a): a is Node => !!a && a.type !== 'comment');
      if (list.some((a) => a.type === 'list_splat' || a.type === 'dictionary_splat')) return undefined;
      const kw: Record<string, STy> = {};
      const pos: STy[] = [];
      for (const a of list.slice(skip)) {
        if (a.type === 'keyword_argument') {
          const n = a.childForFieldName('name')?.text;
          const v = a.childForFieldName('value');
          if (n && v) kw[n] = plain(res.typeOf(v));
        } else pos.push(plain(res.typeOf(a)));
      }
      return { args: pos, kw };
    };
    /** Nodes that are a call's callee or a spawner's first argument (their uses are calls in view). */
    const inCallPosition = new Set<number>();
    for (const call of idx.calls) {
      const fn = call.childForFieldName('function');
      if (!fn) continue;
      inCallPosition.add(unparen(fn).id);
      const q = res.qualifiedOf(fn);
      if (isForeign(q)) {
        const a = args(call, 0);
        calls.push(a ? { q, ...a, line: line(call.startIndex) } : { q, args: [], kw: {}, line: -1 });
      }
      const first = call.childForFieldName('arguments')?.namedChildren.find((a) => a && a.type !== 'comment');
      if (first && (first.type === 'identifier' || first.type === 'attribute') && SPAWNER.test(fn.text.replace(/\s+/g, ''))) {
        inCallPosition.add(first.id);
        const q0 = res.qualifiedOf(first);
        if (isForeign(q0)) {
          const a = args(call, 1);
          calls.push(a ? { q: q0, ...a, line: line(call.startIndex) } : { q: q0, args: [], kw: {}, line: -1 });
        }
      }
    }
    const escapes = new Set<string>();
    // From-imported names used other than in call position.
    for (const scope of idx.scopes.values()) {
      for (const [name, bs] of scope.bindings) {
        const b = bs.find((x) => x.kind === 'import' && x.stmt?.type === 'import_from_statement');
        const q = b ? res.absoluteSource(b) : undefined;
        if (!b || !isForeign(q)) continue;
        for (const o of idx.identifiers.get(name) ?? []) {
          if (b.node && o >= b.stmt!.startIndex && o < b.stmt!.endIndex) continue; // the import itself
          const ref = tree.rootNode.descendantForIndex(o, o + name.length);
          if (!ref || inCallPosition.has(ref.id)) continue;
          const p = ref.parent;
          if (p?.type === 'attribute' && p.childForFieldName('object')?.id === ref.id) continue; // `name.x`: checked as an attribute
          escapes.add(q);
        }
      }
    }
    // Module attributes (`helpers.worker`) used other than in call position.
    for (const a of idx.attributes) {
      if (inCallPosition.has(a.id)) continue;
      const q = res.qualifiedOf(a);
      if (!isForeign(q)) continue;
      const p = a.parent;
      if (p?.type === 'attribute' && p.childForFieldName('object')?.id === a.id) continue;
      escapes.add(q);
    }
    const stars: string[] = [];
    for (const m of text.matchAll(/^[ \t]*from[ \t]+([.\w]+)[ \t]+import[ \t]+\*/gm)) {
      const q = m[1]!.startsWith('.') ? absolutizeRelative(m[1]!, module, isPackage) : m[1];
      if (q) stars.push(q);
    }
    return { ...base, imports: [...imports].sort(), names, calls, escapes: [...escapes].sort(), stars };
  } finally {
    res0.res?.dispose();
    tree.delete();
  }
}
