import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GitignoreMatcher, compileVscodeGlob, globCounters } from '../../src/core/glob';
import { prng } from '../fuzz/mutations';

type Verdict = 'ignored' | 'unignored' | 'none';

interface GitCase {
  /** .gitignore text. */
  gitignore: string;
  /** Files to create, relative to the case's directory (their parents become directories). */
  files: string[];
}

const gitEnv = (home: string): NodeJS.ProcessEnv => ({
  ...process.env,
  HOME: home,
  XDG_CONFIG_HOME: home,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: path.join(home, 'no-global-config'),
});

/**
 * Every file and directory of every case, judged by real git: each case lives in its own
 * directory `cN/` with its own `.gitignore` (patterns are relative to it), and one
 * `git check-ignore --no-index -v -n -z --stdin` call answers for all paths at once.
 */
function judgeWithGit(cases: readonly GitCase[]): Array<Map<string, { verdict: Verdict; isDir: boolean }>> {
  // Thousands of tiny files: a memory file system when there is one (it makes this test 10× faster).
  const base = fs.existsSync('/dev/shm') && fs.statSync('/dev/shm').isDirectory() ? '/dev/shm' : os.tmpdir();
  const root = fs.realpathSync(fs.mkdtempSync(path.join(base, 'anyio-migrate-glob-')));
  try {
    const env = gitEnv(root);
    const repo = path.join(root, 'repo');
    fs.mkdirSync(repo);
    const init = spawnSync('git', ['init', '-q', repo], { env, encoding: 'utf8' });
    assert.equal(init.status, 0, init.stderr);
    const perCase: Array<Map<string, { verdict: Verdict; isDir: boolean }>> = [];
    const queries: string[] = [];
    cases.forEach((c, n) => {
      const dir = path.join(repo, `c${n}`);
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, '.gitignore'), c.gitignore);
      const entries = new Map<string, { verdict: Verdict; isDir: boolean }>();
      for (const f of c.files) {
        const parts = f.split('/');
        for (let i = 1; i < parts.length; i++) entries.set(parts.slice(0, i).join('/'), { verdict: 'none', isDir: true });
        fs.mkdirSync(path.join(dir, ...parts.slice(0, -1)), { recursive: true });
        fs.writeFileSync(path.join(dir, ...parts), '');
        entries.set(f, { verdict: 'none', isDir: false });
      }
      for (const rel of entries.keys()) queries.push(`c${n}/${rel}`);
      perCase.push(entries);
    });
    const r = spawnSync('git', ['-c', 'core.ignorecase=false', '-c', 'core.quotepath=false', 'check-ignore', '--no-index', '-v', '-n', '-z', '--stdin'], {
      cwd: repo,
      env,
      input: queries.join('\0') + '\0',
      maxBuffer: 64 * 1024 * 1024,
    });
    assert.ok(r.status === 0 || r.status === 1, r.stderr.toString());
    const fields = r.stdout.toString('utf8').split('\0');
    for (let i = 0; i + 3 < fields.length; i += 4) {
      const [source, , pattern, pathname] = [fields[i]!, fields[i + 1]!, fields[i + 2]!, fields[i + 3]!];
      const m = /^c(\d+)\/(.*)$/s.exec(pathname);
      assert.ok(m, `unexpected path from git: ${pathname}`);
      const entry = perCase[Number(m[1])]!.get(m[2]!);
      assert.ok(entry, `git answered for a path we did not ask: ${pathname}`);
      if (source !== '') entry.verdict = pattern.startsWith('!') ? 'unignored' : 'ignored';
    }
    return perCase;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

function ours(gitignore: string, rel: string, isDir: boolean): Verdict {
  const r = new GitignoreMatcher().add(gitignore).test(rel + (isDir ? '/' : ''));
  return r.ignored ? 'ignored' : r.unignored ? 'unignored' : 'none';
}

/** Compares every verdict; returns how many git gave of each kind. */
function compareWithGit(cases: readonly GitCase[]): Record<Verdict, number> {
  const judged = judgeWithGit(cases);
  const mismatches: string[] = [];
  let compared = 0;
  const stats: Record<Verdict, number> = { ignored: 0, unignored: 0, none: 0 };
  cases.forEach((c, n) => {
    for (const [rel, { verdict, isDir }] of judged[n]!) {
      compared++;
      stats[verdict]++;
      const got = ours(c.gitignore, rel, isDir);
      if (got !== verdict) mismatches.push(`${JSON.stringify(c.gitignore)} ${JSON.stringify(rel + (isDir ? '/' : ''))}: git ${verdict}, ours ${got}`);
    }
  });
  assert.deepEqual(mismatches.slice(0, 20), [], `${mismatches.length} of ${compared} verdicts differ from git`);
  return stats;
}

/** Hand-picked cases for each rule of gitignore(5) and wildmatch, each judged by git. */
const HAND_CASES: GitCase[] = [
  { gitignore: '# comment\n\n*.pyc\n', files: ['# comment', 'a.pyc', 'd/b.pyc', 'a.py'] },
  { gitignore: '\\#hash\n\\!bang\n', files: ['#hash', '!bang', 'hash', 'bang'] },
  { gitignore: 'trail   \nesc\\ \nesc2\\  \n', files: ['trail', 'trail ', 'esc ', 'esc', 'esc2 ', 'esc2  '] },
  { gitignore: 'crlf\r\nlast-line-no-newline', files: ['crlf', 'crlf\r', 'last-line-no-newline'] },
  { gitignore: '\ufeffbom\n', files: ['bom', '\ufeffbom'] },
  { gitignore: 'build/\n', files: ['build/x.py', 'src/build/y.py', 'other/build'] },
  { gitignore: '/root.py\nsub/mid.py\n', files: ['root.py', 'd/root.py', 'sub/mid.py', 'x/sub/mid.py'] },
  { gitignore: '*.py\n!keep.py\n', files: ['a.py', 'keep.py', 'd/keep.py', 'd/a.py'] },
  { gitignore: 'out/\n!out/keep.py\n', files: ['out/keep.py', 'out/drop.py'] },
  { gitignore: 'out/*\n!out/keep.py\n', files: ['out/keep.py', 'out/drop.py', 'out/sub/x.py'] },
  { gitignore: '**/foo\n', files: ['foo', 'a/foo', 'a/b/foo', 'a/foox', 'xfoo'] },
  { gitignore: '**/foo/bar\n', files: ['foo/bar', 'a/foo/bar', 'foo/x/bar'] },
  { gitignore: 'abc/**\n', files: ['abc/x', 'abc/d/e', 'x/abc/y', 'abcd'] },
  { gitignore: 'abc/**\n', files: ['abc'] },
  { gitignore: 'a/**/b\n', files: ['a/b', 'a/x/b', 'a/x/y/b', 'a/xb', 'ab'] },
  { gitignore: 'a**b\n**x\n***/y\n', files: ['ab', 'aqqb', 'a/q/b', 'x', 'd/x', 'zx', 'y', 'd/e/y'] },
  { gitignore: '**\\/z\n', files: ['z', 'd/z', 'd/e/z'] },
  { gitignore: 'a/*/c\n', files: ['a/b/c', 'a/c', 'a/b/d/c'] },
  { gitignore: 'x/a[!b]c\nx/d?e\nx/f*g\nx/h[/]i\n', files: ['x/a/c', 'x/adc', 'x/d/e', 'x/dxe', 'x/f/g', 'x/fg', 'x/h/i'] },
  { gitignore: '?.py\nd?/\n', files: ['a.py', 'ab.py', 'd1/x', 'dd/y', 'd/z'] },
  { gitignore: '[abc].py\n[!a-b]x\n[^q]y\n', files: ['a.py', 'd.py', 'ax', 'cx', 'qy', 'zy'] },
  { gitignore: '[]a]1\n[a-]2\n[-z]3\n[\\]]4\n', files: [']1', 'a1', 'b1', 'a2', '-2', '-3', 'z3', ']4'] },
  { gitignore: '[[:alpha:]]1\n[[:digit:][:upper:]]2\n[[:punct:]]3\n[[:space:]]4\n', files: ['a1', 'Z1', '51', '52', 'Q2', 'q2', '-3', 'a3', ' 4', 'x4'] },
  { gitignore: '[[:foo:]]\nkept\n', files: ['f', 'kept', 'o'] },
  { gitignore: '[[:alpha]x\n[[:]y\n', files: ['[x', 'ax', ':x', ']x', '[y', ':y'] },
  { gitignore: '[z-a]\n[z-ab]c\n', files: ['z', 'a', 'm', 'bc', 'zc'] },
  { gitignore: '[abc\nx[\nokay\n', files: ['[abc', 'a', 'x[', 'okay'] },
  { gitignore: 'tail\\\nnext\n', files: ['tail', 'tail\\', 'next'] },
  { gitignore: '\\*lit\n\\?q\na\\b\n', files: ['*lit', 'xlit', '?q', 'xq', 'ab'] },
  { gitignore: '*\n!*/\n!*.py\n', files: ['a.py', 'a.txt', 'd/b.py', 'd/b.txt'] },
  { gitignore: 'dir\n!dir/x\n', files: ['dir/x', 'dir/y'] },
  { gitignore: '/\n!\n//a\n', files: ['a', 'b/c'] },
  { gitignore: 'é?\n?x\n[é]y\n', files: ['éa', 'éx', 'ax', 'éy'] },
  { gitignore: `${'*a'.repeat(10)}b\n`, files: [`${'a'.repeat(12)}.py`, `${'a'.repeat(12)}b`, 'aaaaaaaaaab', 'ab'] },
];

describe('core/glob: gitignore matching', () => {
  it('agrees with real git on the hand-picked cases', function () {
    this.timeout(120000);
    const stats = compareWithGit(HAND_CASES);
    assert.ok(stats.ignored > 80 && stats.none > 60 && stats.unignored > 5, JSON.stringify(stats));
  });

  it('agrees with real git on seeded random patterns and paths', function () {
    this.timeout(120000);
    const rand = prng(20240610);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const patternTokens = ['a', 'b', 'a', 'b', '/', '/', '*', '*', '?', '[', ']', '!', '**', '-', '\\', '[a-b]', '[!b]', ' ', '\\ ', 'é'];
    const nameChars = ['a', 'b', 'a', 'b', '*', '?', '[', ']', '!', '-', ' ', 'é', '\\'];
    const cases: GitCase[] = [];
    const randomPattern = (): string => {
      let p = '';
      const len = 1 + Math.floor(rand() * 7);
      for (let t = 0; t < len; t++) p += pick(patternTokens);
      return p;
    };
    // A path of the case with some characters turned into wildcards: patterns that often match.
    const derivedPattern = (file: string): string => {
      const parts = file.split('/');
      const keep = parts.slice(0, 1 + Math.floor(rand() * parts.length));
      if (rand() < 0.3) keep.splice(0, 1 + Math.floor(rand() * (keep.length - 1)));
      let p = rand() < 0.3 ? '/' : '';
      for (const ch of keep.join('/')) p += rand() < 0.35 ? pick(['*', '?', '**', '[ab]', '[!b]', '\\' + ch]) : ch;
      return p + (rand() < 0.2 ? '/' : '');
    };
    for (let n = 0; n < 200; n++) {
      const files = new Set<string>();
      const dirs = new Set<string>();
      for (let f = 0; f < 7; f++) {
        const depth = 1 + Math.floor(rand() * 3);
        const parts: string[] = [];
        for (let d = 0; d < depth; d++) {
          let name = '';
          const len = 1 + Math.floor(rand() * 3);
          for (let t = 0; t < len; t++) name += pick(nameChars);
          parts.push(name);
        }
        const file = parts.join('/');
        const prefixes = parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
        if (parts.includes('.gitignore') || dirs.has(file) || prefixes.some((p) => files.has(p))) continue;
        files.add(file);
        for (const p of prefixes) dirs.add(p);
      }
      const lines: string[] = [];
      const count = 1 + Math.floor(rand() * 3);
      for (let k = 0; k < count; k++) {
        const p = rand() < 0.3 ? randomPattern() : derivedPattern(pick([...files]));
        lines.push(k > 0 && rand() < 0.4 ? `!${p}` : p);
      }
      cases.push({ gitignore: lines.join('\n') + '\n', files: [...files] });
    }
    const stats = compareWithGit(cases);
    assert.ok(stats.ignored > 300 && stats.unignored > 100 && stats.none > 1000, JSON.stringify(stats));
  });

  it('keeps the ignore-package contract: trailing slash marks a directory, parents exclude their content', () => {
    const m = new GitignoreMatcher().add('build/\n*.log\n!important.log\n');
    assert.deepEqual(m.test('build/'), { ignored: true, unignored: false });
    assert.deepEqual(m.test('build'), { ignored: false, unignored: false });
    assert.deepEqual(m.test('build/deep/x.py'), { ignored: true, unignored: false });
    assert.deepEqual(m.test('important.log'), { ignored: false, unignored: true });
    assert.deepEqual(m.test('a.log'), { ignored: true, unignored: false });
    assert.equal(m.ignores('src/a.py'), false);
    assert.equal(m.ignores(''), false);
  });

  it('reports invalid patterns as warnings (with their line) and never throws', () => {
    const m = new GitignoreMatcher().add('ok\n[z-a]\n[abc\n[[:nope:]]\ntrail\\\n');
    assert.deepEqual(
      m.warnings.map((w) => [w.line, w.pattern, w.message]),
      [
        [2, '[z-a]', "has a reversed range 'z-a' that adds nothing to 'z'"],
        [3, '[abc', "has an unterminated '[' and never matches"],
        [4, '[[:nope:]]', "uses an unknown character class '[:nope:]' and never matches"],
        [5, 'trail\\', 'ends with an unescaped backslash and never matches'],
      ],
    );
    assert.equal(m.ignores('ok'), true);
    assert.equal(m.ignores('z'), true); // as in git: the `z` before the `-` is a member by itself
    assert.equal(m.ignores('m'), false);
    const list = new GitignoreMatcher().add(['fine/', '[z-a]']);
    assert.deepEqual(
      list.warnings.map((w) => w.line),
      [2],
    );
  });

  it('folds ASCII case only when asked (core.ignorecase)', () => {
    assert.equal(new GitignoreMatcher().add('Build/\n*.PYC\n').ignores('build/x'), false);
    const icase = new GitignoreMatcher({ ignoreCase: true }).add('Build/\n*.PYC\nfoo*BAR\n');
    assert.equal(icase.ignores('build/x'), true);
    assert.equal(icase.ignores('a.pyc'), true);
    assert.equal(icase.ignores('FOOxbar'), true);
  });

  describe('linear time on adversarial input (counted steps, not time)', () => {
    const steps = (fn: () => void): number => {
      globCounters.steps = 0;
      fn();
      return globCounters.steps;
    };

    it('*a*a*a*a*a*a*a*a*a*ab against 40-, 400- and 4000-character names', () => {
      const pattern = `${'*a'.repeat(10)}b`;
      const m = new GitignoreMatcher().add(pattern);
      const counts = [40, 400, 4000].map((n) => {
        const name = `${'a'.repeat(n)}.py`;
        let r;
        const s = steps(() => (r = m.test(name)));
        assert.deepEqual(r, { ignored: false, unignored: false });
        // Direct bound: (states + ε edges) per byte, both at most 2 × pattern length.
        assert.ok(s <= 4 * pattern.length * (name.length + 1), `${s} steps for ${name.length} bytes`);
        return s;
      });
      assert.ok(counts[1]! <= 10 * 1.05 * counts[0]! && counts[2]! <= 10 * 1.05 * counts[1]!, `steps ${counts.join(', ')}`);
      assert.equal(m.ignores(`${'a'.repeat(4000)}b`), true);
    });

    it('the same pattern in a directory path: one pass for all leading directories', () => {
      const pattern = `/${'*a'.repeat(10)}b/`;
      const m = new GitignoreMatcher().add(`${'*a'.repeat(10)}b\n${pattern}\n`);
      const deep = (k: number): string => Array.from({ length: k }, () => 'a'.repeat(50)).join('/') + '/x.py';
      const one = steps(() => m.test(deep(4)));
      const eight = steps(() => m.test(deep(32)));
      assert.ok(eight <= 8 * 1.1 * one, `steps ${one} → ${eight}`);
    });

    it('nested **/**/**/… against deep paths', () => {
      const pattern = `${'**/'.repeat(40)}x`;
      const m = new GitignoreMatcher().add(pattern);
      const deep = (k: number): string => `${'d/'.repeat(k)}y`;
      const one = steps(() => assert.equal(m.ignores(deep(100)), false));
      const eight = steps(() => assert.equal(m.ignores(deep(800)), false));
      assert.ok(eight <= 8 * 1.1 * one, `steps ${one} → ${eight}`);
      assert.equal(m.ignores(`${'d/'.repeat(100)}x`), true);
    });
  });
});

/** The regex translation src/server/glob.ts used before (reference semantics for plain globs). */
function referenceRegExp(glob: string): RegExp {
  let re = '';
  let i = 0;
  let depth = 0;
  const g = glob.replace(/\\/g, '/').replace(/^\.\//, '');
  while (i < g.length) {
    const c = g[i]!;
    if (c === '*') {
      if (g[i + 1] === '*') {
        if (g[i + 2] === '/') {
          re += '(?:[^/]*/)*';
          i += 3;
        } else {
          re += '.*';
          i += 2;
        }
      } else {
        re += '[^/]*';
        i++;
      }
    } else if (c === '?') {
      re += '[^/]';
      i++;
    } else if (c === '{') {
      re += '(?:';
      depth++;
      i++;
    } else if (c === '}' && depth > 0) {
      re += ')';
      depth--;
      i++;
    } else if (c === ',' && depth > 0) {
      re += '|';
      i++;
    } else if (c === '[') {
      const close = g.indexOf(']', i + 1);
      if (close === -1) {
        re += '\\[';
        i++;
      } else {
        re += `[${g.slice(i + 1, close)}]`;
        i = close + 1;
      }
    } else {
      re += c.replace(/[.+^$()|\\]/g, '\\$&');
      i++;
    }
  }
  while (depth-- > 0) re += ')';
  return new RegExp(`^${re}$`);
}

describe('core/glob: VS Code globs (files.exclude)', () => {
  const cases: Array<[string, string, boolean]> = [
    ['**/.git', '.git', true],
    ['**/.git', 'a/b/.git', true],
    ['**/*.pyc', 'x/y.pyc', true],
    ['**/*.pyc', 'x/y.py', false],
    ['build', 'src/build', false],
    ['**/{dist,out}', 'a/out', true],
    ['**/{dist,out}', 'a/outx', false],
    ['{a,{b,c}x}/y', 'cx/y', true],
    ['{a,{b,c}x}/y', 'c/y', false],
    ['{a,', 'a', true],
    ['a,b}', 'a,b}', true],
    ['src/gen_?.py', 'src/gen_1.py', true],
    ['src/[ab].py', 'src/c.py', false],
    ['[!a]', 'b', true],
    ['[!a]', '/', false],
    ['[^a]x', 'ax', false],
    ['x[', 'x[', true],
    ['.\\src\\*.py', 'src/m.py', true],
  ];
  for (const [glob, p, want] of cases) {
    it(`${glob} ${want ? 'matches' : 'does not match'} ${p}`, () => assert.equal(compileVscodeGlob(glob).matches(p), want));
  }

  it('matches what the former regex translation matched, on seeded random globs and paths', () => {
    const rand = prng(77);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const tokens = ['a', 'b', '/', '*', '**', '**/', '?', '{', '}', ',', '[ab]', '[a-b]', '.', '['];
    let compared = 0;
    for (let n = 0; n < 400; n++) {
      let glob = '';
      const len = 1 + Math.floor(rand() * 6);
      for (let t = 0; t < len; t++) glob += pick(tokens);
      const re = referenceRegExp(glob);
      const m = compileVscodeGlob(glob);
      for (let k = 0; k < 15; k++) {
        let p = '';
        const plen = 1 + Math.floor(rand() * 8);
        for (let t = 0; t < plen; t++) p += pick(['a', 'b', '/', '.', 'ab']);
        assert.equal(m.matches(p), re.test(p), `${glob} on ${p}`);
        compared++;
      }
    }
    assert.equal(compared, 6000);
  });

  it('a folder glob hides everything below it (matchesPathOrParent)', () => {
    const m = compileVscodeGlob('**/gen');
    assert.equal(m.matchesPathOrParent('a/gen/x/y.py'), true);
    assert.equal(m.matchesPathOrParent('a/generated/y.py'), false);
    assert.equal(compileVscodeGlob('a/*.py').matchesPathOrParent('a/x.py'), true);
  });

  it('a reversed range is a warning and matches nothing, instead of throwing', () => {
    const m = compileVscodeGlob('[z-a]');
    assert.deepEqual(m.warnings, ["has a reversed range 'z-a'; it matches nothing"]);
    assert.equal(m.matches('z'), false);
    assert.equal(m.matchesPathOrParent('z/x.py'), false);
  });

  it('many braces stay linear: no expansion into alternatives', () => {
    const steps = (fn: () => void): number => {
      globCounters.steps = 0;
      fn();
      return globCounters.steps;
    };
    const glob = `${'{a,b,*a}'.repeat(30)}c`; // 3^30 alternatives if expanded
    const m = compileVscodeGlob(glob);
    // (the active set fills up over the first few dozen characters, so start past that)
    const one = steps(() => assert.equal(m.matches('ab'.repeat(200)), false));
    const eight = steps(() => assert.equal(m.matches('ab'.repeat(1600)), false));
    assert.ok(eight <= 4 * glob.length * 3200, `${eight} steps`);
    assert.ok(eight <= 8 * 1.1 * one, `steps ${one} → ${eight}`);
    assert.equal(m.matches(`${'a'.repeat(30)}c`), true);
    const star = compileVscodeGlob(`${'*a'.repeat(12)}b`);
    const s1 = steps(() => star.matches('a'.repeat(500)));
    const s8 = steps(() => star.matches('a'.repeat(4000)));
    assert.ok(s8 <= 8 * 1.1 * s1, `steps ${s1} → ${s8}`);
  });
});
