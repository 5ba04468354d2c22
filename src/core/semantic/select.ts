/**
 * Which modules of a tree the project index summarises — one rule for the CLI and the language
 * server. A module matters when it mentions anyio, imports a module that matters (transitively),
 * is a test module under a `conftest.py` that matters (pytest hands its fixtures over without an
 * import), or is imported by one of those (a look-alike class, a re-export). Everything else is
 * read once and scanned for imports with a regular expression, never parsed.
 */
import { absolutizeRelative } from './types';

const IMPORT_LINE = /^\ufeff?[ \t]*(?:from[ \t]+([.\w]+)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]+)|import[ \t]+([^\n#;]+))/gm;

/** The modules a text imports, by a line scan (a superset is fine: it only widens what is summarised). */
export function scanImports(text: string, module: string, isPackage: boolean): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT_LINE)) {
    if (m[1] !== undefined) {
      const from = m[1].startsWith('.') ? absolutizeRelative(m[1], module, isPackage) : m[1];
      if (!from) continue;
      out.push(from);
      for (const item of m[2]!.replace(/[()\\]/g, ' ').split(',')) {
        const name = item.trim().split(/\s+/)[0];
        if (name && /^\w+$/.test(name)) out.push(`${from}.${name}`);
      }
    } else {
      for (const item of m[3]!.replace(/\\/g, ' ').split(',')) {
        const name = item.trim().split(/\s+/)[0];
        if (name && /^[\w.]+$/.test(name)) out.push(name);
      }
    }
  }
  return out;
}

/**
 * The longest dotted prefix of `q` that `lookup` knows (`pkg.mod` of `pkg.mod.Cls.attr`): what it
 * found, the prefix, and the remaining names. How every import is matched to a module.
 */
export function longestPrefix<T>(q: string, lookup: (prefix: string) => T | undefined): { value: T; prefix: string; rest: string[] } | undefined {
  const parts = q.split('.');
  for (let i = parts.length; i >= 1; i--) {
    const prefix = parts.slice(0, i).join('.');
    const value = lookup(prefix);
    if (value !== undefined) return { value, prefix, rest: parts.slice(i) };
  }
  return undefined;
}

export interface ScannedModule {
  module: string;
  mentionsAnyio: boolean;
  /** What `scanImports` found. */
  imports: readonly string[];
}

/** Whether `module` is a pytest module that receives the fixtures of `conftest` (same package or below). */
function underConftest(module: string, conftest: string): boolean {
  const pkg = conftest === 'conftest' ? '' : conftest.slice(0, -'.conftest'.length);
  const last = module.slice(module.lastIndexOf('.') + 1);
  if (!/^test/.test(last) && last !== 'conftest') return false;
  return pkg === '' || module.startsWith(`${pkg}.`);
}

/**
 * The keys of `modules` to summarise (see the file comment). `full`: the ones that need a parsed
 * summary — they can hand out AnyIO objects (they mention anyio or import a module that does) AND
 * take part in the project's import graph (another module imports them, or they call into another
 * module). The others get a shallow one (names, classes and methods: see `shallowSummary`): a
 * script that imports nothing of the project is analysed on its own text anyway.
 */
export function selectForIndex<K>(modules: ReadonlyMap<K, ScannedModule>): Set<K> {
  return selectModules(modules).all;
}

export function selectModules<K>(modules: ReadonlyMap<K, ScannedModule>): { all: Set<K>; full: Set<K> } {
  const byModule = new Map<string, K>();
  for (const [k, m] of modules) byModule.set(m.module, k);
  const keyOfImport = (q: string): K | undefined => longestPrefix(q, (m) => byModule.get(m))?.value;
  const importers = new Map<K, K[]>();
  const deps = new Map<K, K[]>();
  for (const [k, m] of modules) {
    const targets: K[] = [];
    for (const q of m.imports) {
      const t = keyOfImport(q);
      if (t === undefined || t === k) continue;
      targets.push(t);
      let l = importers.get(t);
      if (!l) importers.set(t, (l = []));
      l.push(k);
    }
    deps.set(k, targets);
  }
  // Test modules receive their conftest's fixtures: an edge as if they imported it.
  const conftests = [...modules].filter(([, m]) => m.module === 'conftest' || m.module.endsWith('.conftest'));
  for (const [ck, c] of conftests) {
    for (const [k, m] of modules) {
      if (k === ck || !underConftest(m.module, c.module)) continue;
      let l = importers.get(ck);
      if (!l) importers.set(ck, (l = []));
      l.push(k);
      deps.get(k)!.push(ck);
    }
  }
  const wanted = new Set<K>();
  const queue: K[] = [];
  for (const [k, m] of modules) if (m.mentionsAnyio) queue.push(k);
  for (const k of queue) wanted.add(k);
  while (queue.length) {
    for (const imp of importers.get(queue.pop()!) ?? []) {
      if (!wanted.has(imp)) {
        wanted.add(imp);
        queue.push(imp);
      }
    }
  }
  const full = new Set([...wanted].filter((k) => (importers.get(k)?.length ?? 0) > 0 || (deps.get(k)?.length ?? 0) > 0));
  const stack = [...wanted];
  while (stack.length) {
    for (const t of deps.get(stack.pop()!) ?? []) {
      if (!wanted.has(t)) {
        wanted.add(t);
        stack.push(t);
      }
    }
  }
  return { all: wanted, full };
}

export { underConftest };
