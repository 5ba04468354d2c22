// Generates the benchmark's 1,000-file package for the project index (issue 11): one Python
// package whose modules import each other, where only some use AnyIO. Deterministic (seeded);
// written to a git-ignored folder and regenerated only when missing or made by another version.
//
// Kinds of module (AnyIO 2 code where AnyIO is used):
//   helpers    write `anyio`: an @asynccontextmanager yielding a task group, functions returning
//              an event or a capacity limiter, a class whose __init__ sets AnyIO attributes
//   direct     write `anyio` themselves (task groups, events, timeouts) and import plain modules
//   indirect   never write `anyio`: they use helpers' objects (`async with open_group() as g:
//              await g.spawn(...)`, `await make_event().set()`), imported absolutely, relatively or
//              through a package __init__ that re-exports them
//   plain      no AnyIO at all: classes, dataclasses, functions, importing other plain modules
//              (a few import an indirect module, as a real code base's models sometimes do)
// plus the packages' __init__.py files (some re-export helpers) and a tests/ folder.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rng } from './corpus.mjs';

const GENERATOR_VERSION = 1;

const SUBPACKAGES = ['core', 'api', 'workers', 'storage', 'services', 'util', 'billing', 'catalog', 'orders', 'notify'];
const NOUNS = ['order', 'invoice', 'customer', 'product', 'payment', 'shipment', 'ticket', 'account', 'report', 'session', 'token', 'batch', 'record', 'event', 'job'];
const VERBS = ['load', 'save', 'merge', 'validate', 'render', 'compute', 'sync', 'refresh', 'apply', 'collect', 'resolve', 'export'];

/** A plain function of `n` statements or so (no AnyIO), using the names it is given. */
function plainFunction(rand, name, uses) {
  const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
  const noun = NOUNS[int(0, NOUNS.length - 1)];
  const lines = [`def ${name}(${noun}s, limit=${int(1, 50)}, strict=False):`, `    """${name.replace(/_/g, ' ')}: a generated helper."""`, '    out = []', '    seen = set()'];
  const body = int(2, 6);
  for (let i = 0; i < body; i++) {
    const k = int(0, 3);
    if (k === 0)
      lines.push(`    for item in ${noun}s:`, '        if item in seen:', '            continue', '        seen.add(item)', `        out.append((item, len(out) % ${int(2, 9)}))`);
    else if (k === 1) lines.push('    if strict and len(out) > limit:', `        raise ValueError("too many ${noun}s: %d" % len(out))`);
    else if (k === 2 && uses.length) lines.push(`    out = ${uses[int(0, uses.length - 1)]}(out, limit=limit)`);
    else lines.push(`    total_${i} = sum(x for _, x in out if x > ${int(0, 4)})`, `    if total_${i} > limit:`, `        out = out[: limit // 2 + ${i}]`);
  }
  lines.push('    return out');
  return lines.join('\n');
}

/** A plain class: a dataclass or a class with a few methods, one of them maybe named like an AnyIO method. */
function plainClass(rand, name) {
  const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
  const noun = NOUNS[int(0, NOUNS.length - 1)];
  if (rand() < 0.4) {
    return [
      `@dataclass`,
      `class ${name}:`,
      `    ${noun}_id: int`,
      '    name: str = ""',
      `    tags: list = field(default_factory=list)`,
      '',
      '    def label(self):',
      `        return f"{self.name}#{self.${noun}_id}"`,
    ].join('\n');
  }
  const lines = [`class ${name}:`, `    def __init__(self, ${noun}s=None):`, `        self.${noun}s = list(${noun}s or [])`, '        self.closed = False', ''];
  const methods = int(2, 5);
  for (let i = 0; i < methods; i++) {
    const verb = VERBS[int(0, VERBS.length - 1)];
    if (rand() < 0.15) {
      // The project's own async method named like an AnyIO one: never AnyIO's.
      const m = ['spawn', 'set', 'release', 'cancel'][int(0, 3)];
      lines.push(`    async def ${m}(self, *args):`, `        self.${noun}s.extend(args)`, `        return len(self.${noun}s)`, '');
    } else {
      lines.push(
        `    def ${verb}_${i}(self, value):`,
        '        if self.closed:',
        `            raise RuntimeError("${name} is closed")`,
        `        self.${noun}s.append(value)`,
        `        return [x for x in self.${noun}s if x is not None]`,
        '',
      );
    }
  }
  lines.push('    def close(self):', '        self.closed = True');
  return lines.join('\n');
}

/**
 * Write the package to `outDir` unless an up-to-date one is there. Returns { files, lines, kinds }.
 */
export function generateProject({ outDir, files: total = 1000, seed = 11 }) {
  const stamp = join(outDir, '.project.json');
  const wanted = { version: GENERATOR_VERSION, files: total, seed };
  if (existsSync(stamp)) {
    try {
      const s = JSON.parse(readFileSync(stamp, 'utf8'));
      if (s.version === wanted.version && s.files === total && s.seed === seed) return s;
    } catch {
      /* regenerate */
    }
  }
  rmSync(outDir, { recursive: true, force: true });
  const rand = rng(seed);
  const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = (arr) => arr[Math.floor(rand() * arr.length)];
  const top = 'shopapp';
  let lines = 0;
  let written = 0;
  const kinds = { init: 0, helpers: 0, direct: 0, indirect: 0, plain: 0, tests: 0 };
  const write = (rel, text, kind) => {
    const full = join(outDir, rel);
    mkdirSync(join(full, '..'), { recursive: true });
    writeFileSync(full, text);
    lines += text.split('\n').length;
    written++;
    kinds[kind]++;
  };

  // Packages: shopapp/<sub>/ and shopapp/<sub>/<sub2>/; the tests folder is its own package.
  const packages = [top];
  for (const s of SUBPACKAGES) {
    packages.push(`${top}/${s}`);
    if (rand() < 0.6) packages.push(`${top}/${s}/${pick(['impl', 'backends', 'models', 'tasks'])}`);
  }
  const dotted = (p) => p.replace(/\//g, '.');
  const slots = total - packages.length - 1 - 1; // the __init__ files, tests/__init__.py, tests/conftest.py
  const nTests = Math.round(slots * 0.06);
  const nHelpers = Math.round(slots * 0.05);
  const nDirect = Math.round(slots * 0.08);
  const nIndirect = Math.round(slots * 0.18);
  const nPlain = slots - nTests - nHelpers - nDirect - nIndirect;

  // Plan every module first (name, package, kind), then write them: imports point at planned modules.
  const plan = [];
  let serial = 0;
  const add = (kind, n) => {
    for (let i = 0; i < n; i++) {
      const pkg = pick(packages);
      const stem = kind === 'helpers' ? `aio_${pick(NOUNS)}_${serial}` : `${pick(NOUNS)}_${pick(VERBS)}_${serial}`;
      serial++;
      plan.push({ kind, pkg, stem, module: `${dotted(pkg)}.${stem}`, file: `${pkg}/${stem}.py`, exports: [] });
    }
  };
  add('helpers', nHelpers);
  add('plain', nPlain);
  add('direct', nDirect);
  add('indirect', nIndirect);
  const helpers = plan.filter((m) => m.kind === 'helpers');
  const plains = plan.filter((m) => m.kind === 'plain');
  const indirects = plan.filter((m) => m.kind === 'indirect');
  for (const h of helpers) {
    const n = h.stem.split('_').pop();
    h.exports = [`open_group_${n}`, `make_event_${n}`, `make_limiter_${n}`, `Gate${n}`];
  }
  plains.forEach((m, i) => {
    m.exports = [`${pick(VERBS)}_${pick(NOUNS)}s_${i}`, `${pick(VERBS)}_all_${i}`];
    m.classes = [`${pick(NOUNS)[0].toUpperCase()}${pick(NOUNS).slice(1)}Model${i}`];
  });
  indirects.forEach((m, i) => (m.exports = [`run_${pick(NOUNS)}_batch_${i}`]));

  // How a module imports another: relative when they share a package and a die says so.
  const importLine = (from, to, names) => {
    if (from.pkg === to.pkg && rand() < 0.5) return `from .${to.stem} import ${names.join(', ')}`;
    const fromParts = from.pkg.split('/');
    const toParts = to.pkg.split('/');
    if (fromParts.length > 1 && toParts.length === fromParts.length && toParts.slice(0, -1).join('/') === fromParts.slice(0, -1).join('/') && rand() < 0.5) {
      return `from ..${toParts[toParts.length - 1]}.${to.stem} import ${names.join(', ')}`;
    }
    return `from ${to.module} import ${names.join(', ')}`;
  };
  // Plain modules import plain modules planned before them (an acyclic import graph).
  const plainImports = (m, at, max) => {
    const out = [];
    const uses = [];
    const n = Math.min(at, int(0, max));
    for (let k = 0; k < n; k++) {
      const t = plains[int(0, at - 1)];
      if (t === m || out.some((o) => o.t === t)) continue;
      const fn = pick(t.exports);
      out.push({ t, line: importLine(m, t, [fn]) });
      uses.push(fn);
    }
    return { lines: out.map((o) => o.line), uses };
  };

  // Re-exports: a few package __init__ files re-export one helper module's names.
  const reexport = new Map(); // package -> helper module
  for (const h of helpers) if (rand() < 0.3 && !reexport.has(h.pkg)) reexport.set(h.pkg, h);

  for (const p of packages) {
    const h = reexport.get(p);
    const text = h
      ? `"""${dotted(p)}: re-exports its AnyIO helpers."""\nfrom .${h.stem} import ${h.exports.join(', ')}\n\n__all__ = [${h.exports.map((e) => `"${e}"`).join(', ')}]\n`
      : `"""${dotted(p)}."""\n`;
    write(`${p}/__init__.py`, text, 'init');
  }

  for (const h of helpers) {
    const [og, me, ml, gate] = h.exports;
    const { lines: imps, uses } = plainImports(h, plains.length, 2);
    write(
      h.file,
      [
        `"""AnyIO helpers of ${dotted(h.pkg)} (AnyIO 2)."""`,
        'from contextlib import asynccontextmanager',
        '',
        'import anyio',
        ...imps,
        '',
        '',
        '@asynccontextmanager',
        `async def ${og}():`,
        '    async with anyio.create_task_group() as tg:',
        '        yield tg',
        '',
        '',
        `def ${me}():`,
        '    return anyio.create_event()',
        '',
        '',
        `def ${ml}(tokens=${int(2, 16)}):`,
        '    return anyio.create_capacity_limiter(tokens)',
        '',
        '',
        `class ${gate}:`,
        '    def __init__(self):',
        '        self.lock = anyio.create_lock()',
        '        self.ready = anyio.create_event()',
        '',
        '    async def open(self):',
        '        await self.ready.set()',
        '',
        '    async def leave(self):',
        '        await self.lock.release()',
        ...(uses.length ? ['', '', `def helper_items_${h.stem}(items):`, `    return ${uses[0]}(items)`] : []),
        '',
      ].join('\n'),
      'helpers',
    );
  }

  plains.forEach((m, i) => {
    const { lines: imps, uses } = plainImports(m, i, 4);
    // A few plain modules import an indirect one (so they become AnyIO-related by import).
    const viaIndirect = rand() < 0.04 ? pick(indirects) : undefined;
    const parts = [`"""${m.module}: plain code, no AnyIO."""`, 'from dataclasses import dataclass, field', 'import logging', ...imps];
    if (viaIndirect) parts.push(importLine(m, viaIndirect, viaIndirect.exports));
    parts.push('', 'log = logging.getLogger(__name__)', '');
    const fns = int(2, 7);
    for (let k = 0; k < fns; k++) parts.push('', plainFunction(rand, k === 0 ? m.exports[0] : k === 1 ? m.exports[1] : `${pick(VERBS)}_${pick(NOUNS)}_${k}`, uses), '');
    parts.push('', plainClass(rand, m.classes[0]), '');
    if (viaIndirect) parts.push('', `async def schedule_${i}(items):`, `    return await ${viaIndirect.exports[0]}(items)`, '');
    write(m.file, parts.join('\n'), 'plain');
  });

  plan
    .filter((m) => m.kind === 'direct')
    .forEach((m, i) => {
      const { lines: imps, uses } = plainImports(m, plains.length, 3);
      const parts = [`"""${m.module}: uses AnyIO 2 directly."""`, 'import anyio', ...imps, '', ''];
      parts.push(
        `async def worker_${i}(item, done):`,
        '    await anyio.sleep(0)',
        ...(uses.length ? [`    item = ${uses[0]}([item])`] : []),
        '    await done.set()',
        '',
        '',
        `async def main_${i}(items):`,
        '    done = anyio.create_event()',
        `    async with anyio.fail_after(${int(1, 30)}):`,
        '        async with anyio.create_task_group() as tg:',
        '            for item in items:',
        `                await tg.spawn(worker_${i}, item, done)`,
        '    await done.wait()',
        `    return await anyio.current_time()`,
        '',
      );
      write(m.file, parts.join('\n'), 'direct');
    });

  indirects.forEach((m, i) => {
    const h = pick(helpers);
    const [og, me, ml, gate] = h.exports;
    const { lines: imps, uses } = plainImports(m, plains.length, 3);
    // Through the package's re-export, or straight from the helper module.
    const via = reexport.get(h.pkg) === h && rand() < 0.5 ? `from ${dotted(h.pkg)} import ${og}, ${me}, ${ml}, ${gate}` : importLine(m, h, [og, me, ml, gate]);
    const parts = [`"""${m.module}: uses AnyIO objects only through project helpers."""`, via, ...imps, '', ''];
    parts.push(
      `async def _step_${i}(item, limiter):`,
      '    async with limiter:',
      `        return ${uses.length ? `${uses[0]}([item])` : 'item'}`,
      '',
      '',
      `async def ${m.exports[0]}(items):`,
      `    finished = ${me}()`,
      `    limiter = ${ml}()`,
      `    gate = ${gate}()`,
      `    async with ${og}() as group:`,
      '        for item in items:',
      `            await group.spawn(_step_${i}, item, limiter)`,
      '    await finished.set()',
      '    await gate.open()',
      '    return len(items)',
      '',
    );
    write(m.file, parts.join('\n'), 'indirect');
  });

  write(`tests/__init__.py`, '', 'tests');
  write(`tests/conftest.py`, 'import pytest\n\n\n@pytest.fixture\ndef anyio_backend():\n    return "asyncio"\n', 'tests');
  for (let i = 0; i < nTests; i++) {
    const t = pick(rand() < 0.5 ? indirects : plains);
    const fn = t.exports[0];
    const body =
      t.kind === 'indirect'
        ? [`@pytest.mark.anyio`, `async def test_${fn}():`, `    assert await ${fn}([1, 2, 3]) == 3`]
        : [`def test_${fn}():`, `    assert ${fn}([1, 2, 2]) is not None`];
    write(`tests/test_${t.stem}_${i}.py`, ['import pytest', '', `from ${t.module} import ${fn}`, '', '', ...body, ''].join('\n'), 'tests');
  }
  const summary = { ...wanted, written, lines, kinds, root: top };
  if (written !== total) throw new Error(`generated ${written} files, wanted ${total}`);
  writeFileSync(stamp, JSON.stringify(summary));
  return summary;
}
