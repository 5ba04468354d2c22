/**
 * Shallow summaries: a module's summary from a line scan, without parsing, for the modules the
 * project index holds only because AnyIO-related modules import them.
 */
import { createHash } from 'crypto';
import { FIXTURE_DECORATOR, PROPERTY_DECORATOR } from '../resolve';
import { absolutizeRelative, SUMMARY_VERSION, type ClassSummary, type Export, type FunctionSummary, type ModuleSummary, type STy } from './types';

/**
 * A module's summary from a line scan, without parsing: for the modules the index holds only
 * because AnyIO-related modules import them (a look-alike class, a helper taking arguments). Such a
 * module cannot make an AnyIO object, so what matters is which names are its own classes (with
 * their methods, async or not) and functions, and what it re-exports; every value is unknown.
 */
export function shallowSummary(text: string, module: string, isPackage: boolean, path: string): ModuleSummary {
  const hash = createHash('sha256').update(text).digest('hex');
  const names: Record<string, Export> = {};
  const imports = new Set<string>();
  const unknown: STy = { k: 'unknown' };
  const lines = text.split(/\r\n?|\n/);
  let cls: ClassSummary | undefined;
  /** The indentation of the class body (its first indented line): methods are defs at exactly it. */
  let bodyIndent: number | undefined;
  let decorators: string[] = [];
  const absolute = (m: string) => (m.startsWith('.') ? absolutizeRelative(m, module, isPackage) : m);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/^\ufeff/, '');
    const top = !/^[ \t]/.test(raw);
    const l = raw.trim();
    if (l === '' || l.startsWith('#')) continue;
    const indent = raw.length - raw.trimStart().length;
    if (cls && !top && bodyIndent === undefined) bodyIndent = indent;
    if (l.startsWith('@')) {
      decorators.push(l.slice(1).replace(/\(.*$/, ''));
      continue;
    }
    const def = /^(async\s+)?def\s+(\w+)/.exec(l);
    if (def) {
      const fn: FunctionSummary = { isAsync: !!def[1], returns: unknown, line: i + 1 };
      if (decorators.some((d) => PROPERTY_DECORATOR.test(d))) fn.property = true;
      if (decorators.some((d) => FIXTURE_DECORATOR.test(d))) fn.fixture = true;
      if (top) {
        names[def[2]!] = { kind: 'function', fn };
        cls = undefined;
      } else if (cls && indent === bodyIndent) {
        cls.methods[def[2]!] = fn;
      }
      decorators = [];
      continue;
    }
    decorators = [];
    const c = /^class\s+(\w+)\s*(?:\(([^)]*)\))?\s*:/.exec(l);
    if (c && top) {
      const bases: STy[] = (c[2] ?? '')
        .split(',')
        .map((b) => b.trim())
        .filter((b) => b && !b.includes('='))
        .map((b) => ({ k: 'sym', e: { op: 'name', q: b } }) as STy);
      cls = { bases: [], attrs: {}, methods: {}, line: i + 1 };
      bodyIndent = undefined;
      // Bases written as bare or dotted names of this module's imports are resolved below.
      (cls as ClassSummary & { rawBases?: STy[] }).rawBases = bases;
      names[c[1]!] = { kind: 'class', cls };
      continue;
    }
    if (!top) {
      const attr = /^self\.(\w+)\s*(?::[^=]*)?=[^=]/.exec(l);
      if (cls && attr) cls.attrs[attr[1]!] = unknown;
      continue;
    }
    cls = undefined;
    const from = /^from\s+([.\w]+)\s+import\s+(.*)$/.exec(l);
    if (from) {
      const m = absolute(from[1]!);
      if (!m) continue;
      imports.add(m);
      let items = from[2]!;
      if (items.startsWith('(') && !items.includes(')')) {
        while (i + 1 < lines.length && !items.includes(')')) items += ` ${lines[++i]!}`;
      }
      for (const item of items.replace(/[()\\]/g, ' ').split(',')) {
        const [name, , alias] = item.trim().split(/\s+/);
        if (!name || !/^\w+$/.test(name)) continue;
        const q = `${m}.${name}`;
        imports.add(q);
        names[alias ?? name] = { kind: 'value', ty: { k: 'sym', e: { op: 'name', q } }, line: i + 1 };
      }
      continue;
    }
    const imp = /^import\s+(.*)$/.exec(l);
    if (imp) {
      for (const item of imp[1]!.split(',')) {
        const [name, , alias] = item.trim().split(/\s+/);
        if (!name || !/^[\w.]+$/.test(name)) continue;
        imports.add(name);
        names[alias ?? name.split('.')[0]!] = { kind: 'module', q: alias ? name : name.split('.')[0]! };
      }
      continue;
    }
    const assign = /^(\w+)\s*(?::[^=]*)?=[^=]/.exec(l);
    if (assign) names[assign[1]!] = { kind: 'value', ty: unknown, line: i + 1 };
  }
  // Bases: a class of this module, else what the name is bound to here (an import), else unknown.
  for (const e of Object.values(names)) {
    if (e.kind !== 'class') continue;
    const c = e.cls as ClassSummary & { rawBases?: STy[] };
    c.bases = (c.rawBases ?? []).map((b) => {
      const q = b.k === 'sym' && b.e.op === 'name' ? b.e.q : '';
      const head = q.split('.')[0]!;
      const bound = names[head];
      if (bound?.kind === 'class' && q === head) return { k: 'pclass', q: `${module}.${q}` } as STy;
      if (bound?.kind === 'value' && bound.ty.k === 'sym' && bound.ty.e.op === 'name')
        return { k: 'sym', e: { op: 'name', q: [bound.ty.e.q, ...q.split('.').slice(1)].join('.') } } as STy;
      if (bound?.kind === 'module') return { k: 'sym', e: { op: 'name', q: [bound.q, ...q.split('.').slice(1)].join('.') } } as STy;
      return unknown;
    });
    delete c.rawBases;
  }
  return {
    v: SUMMARY_VERSION,
    module,
    isPackage,
    path,
    hash,
    imports: [...imports].sort(),
    names,
    mentionsAnyio: text.includes('anyio'),
    calls: [],
    escapes: [],
    stars: [],
    shallow: true,
  };
}
