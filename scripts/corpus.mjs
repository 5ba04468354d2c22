#!/usr/bin/env node
// `npm run corpus`: measure the migration on real projects against their maintainers' own migrations.
//
// For each project of the corpus (default ../shared/corpus; each has v2/ and zero or more human-*/
// folders, see its README.md): copy v2/ to a temp dir, run `anyio-migrate fix` on the copy (safe fixes
// only), then compare per file, line by line, v2 → ours with v2 → human. A site is a v2 line (or a
// line inserted between v2 lines) that the human or we changed and that mentions AnyIO or a name the
// migration changes (scripts/corpus-lib.mjs: isRelevant). Classes: same, differs, missed by us, ours
// only. Also: the findings `check` still reports on our result and on the human's, and the fix's wall
// time. The corpus itself is never written to. Exit status 0 whatever the numbers (a measurement, not
// a test); 2 on a usage error.
//
//   node scripts/corpus.mjs [--corpus DIR] [--target anyio3|anyio2+3] [--project NAME] [--human FOLDER]
//                           [--details] [--json FILE]
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareFile, countFindings, countSites, humanOrder, humansForTarget, renderDetails, renderTable } from './corpus-lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'anyio-migrate.js');

const USAGE = `Usage: node scripts/corpus.mjs [OPTIONS]   (npm run corpus -- [OPTIONS])

  --corpus DIR      the corpus (default: ../shared/corpus from the repository root)
  --target TARGET   anyio3 (default; compared with the human-v3* folders) or anyio2+3
                    (compared with human-v2+3 where a project has one)
  --project NAME    only this project
  --human FOLDER    compare with this human folder (e.g. human-v3-2022) instead of the first
                    one the corpus README names
  --details         also print every site that is not the same in both (path:line, v2, human, ours)
  --json FILE       write the raw data (every site of every comparison) to FILE
  -h, --help        this help`;

function parseArgs(argv) {
  const o = { corpus: resolve(root, '..', 'shared', 'corpus'), target: 'anyio3', project: null, human: null, details: false, json: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    if (a === '--corpus') o.corpus = resolve(value());
    else if (a === '--target') o.target = value();
    else if (a === '--project') o.project = value();
    else if (a === '--human') o.human = value();
    else if (a === '--details') o.details = true;
    else if (a === '--json') o.json = resolve(value());
    else if (a === '-h' || a === '--help') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else usage(`unknown argument: ${a}`);
  }
  if (o.target !== 'anyio3' && o.target !== 'anyio2+3') usage(`--target must be anyio3 or anyio2+3, not ${o.target}`);
  return o;
}

function usage(message) {
  process.stderr.write(`corpus: ${message}\n${USAGE}\n`);
  process.exit(2);
}

/** Python files under dir, as sorted posix paths relative to it (hidden folders included: it is a copy of what the project has). */
function pythonFiles(dir) {
  const out = [];
  const walk = (rel) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (e.isFile() && /\.pyi?$/.test(e.name)) out.push(r);
    }
  };
  walk('');
  return out;
}

/** Copy a folder and make the copy writable (the corpus is read-only and cpSync keeps modes). */
function copyWritable(from, to) {
  cpSync(from, to, { recursive: true });
  const fix = (p) => {
    const st = statSync(p);
    chmodSync(p, st.mode | (st.isDirectory() ? 0o700 : 0o600));
    if (st.isDirectory()) for (const e of readdirSync(p)) fix(join(p, e));
  };
  fix(to);
}

function cli(args, cwd, env) {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', seconds, error: r.error };
}

function lastLine(text) {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return lines[lines.length - 1] ?? '';
}

/** `check --format json` on a folder: the counted findings, or an error message. */
function check(dir, common, env) {
  const r = cli(['check', ...common, '--format', 'json', '.'], dir, env);
  if (r.error || (r.status !== 0 && r.status !== 1)) return { error: `check exited ${r.status}: ${lastLine(r.stderr) || r.error?.message}` };
  try {
    const list = JSON.parse(r.stdout);
    return { findings: countFindings(list), list };
  } catch (e) {
    return { error: `check printed no JSON: ${e.message}` };
  }
}

function readText(path) {
  return readFileSync(path, 'utf8');
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(opts.corpus)) {
    process.stdout.write(`corpus: no corpus at ${opts.corpus} (it is not part of the repository; pass --corpus DIR). Nothing to measure.\n`);
    return 0;
  }
  if (!existsSync(join(root, 'out', 'src', 'cli', 'main.js'))) {
    process.stderr.write('corpus: the CLI is not built (out/src/cli/main.js is missing): run `npm run compile` first.\n');
    return 2;
  }
  const readmePath = join(opts.corpus, 'README.md');
  const readme = existsSync(readmePath) ? readText(readmePath) : '';
  let projects = readdirSync(opts.corpus)
    .filter((p) => existsSync(join(opts.corpus, p, 'v2')))
    .sort();
  if (opts.project !== null) {
    if (!projects.includes(opts.project)) usage(`no project ${opts.project} in ${opts.corpus} (projects: ${projects.join(', ')})`);
    projects = [opts.project];
  }

  const work = mkdtempSync(join(tmpdir(), 'anyio-migrate-corpus-'));
  const env = { ...process.env, XDG_CACHE_HOME: join(work, 'xdg-cache') };
  mkdirSync(env.XDG_CACHE_HOME);
  // An empty config file: no [tool.anyio-migrate] from any pyproject.toml of a project or above the temp dir.
  const config = join(work, 'empty.toml');
  writeFileSync(config, '');
  const common = ['--no-cache', '--no-progress', '--config', config, '--target', opts.target];

  const results = [];
  try {
    for (const project of projects) {
      const pdir = join(opts.corpus, project);
      const ordered = humanOrder(readme, project, readdirSync(pdir));
      let humans = humansForTarget(ordered, opts.target);
      if (opts.human !== null) humans = ordered.includes(opts.human) ? [opts.human] : [];
      const ours = join(work, project, 'ours');
      copyWritable(join(pdir, 'v2'), ours);
      const fix = cli(['fix', ...common, '.'], ours, env);
      process.stderr.write(`${project}: fix ${fix.seconds.toFixed(2)} s: ${lastLine(fix.stderr)}\n`);
      const files = pythonFiles(join(pdir, 'v2'));
      const base = { project, target: opts.target, files: files.length, seconds: fix.seconds, fixSummary: lastLine(fix.stderr) };
      if (fix.error || (fix.status !== 0 && fix.status !== 1)) {
        results.push({ ...base, human: humans[0] ?? null, primary: true, error: `fix exited ${fix.status}: ${lastLine(fix.stderr) || fix.error?.message}` });
        continue;
      }
      const left = check(ours, common, env);
      const findingsOf = new Map(); // path -> [{ line, code }] of our result
      for (const f of left.list ?? []) {
        const p = f.path.replace(/\\/g, '/').replace(/^\.\//, '');
        findingsOf.set(p, [...(findingsOf.get(p) ?? []), { line: f.line, code: f.code }]);
      }
      const comparisons = humans.length > 0 ? humans : [null];
      comparisons.forEach((human, index) => {
        const hdir = human === null ? null : join(pdir, human);
        const sites = [];
        const oneSided = [];
        for (const f of files) {
          const v2Text = readText(join(pdir, 'v2', f));
          const oursText = readText(join(ours, f));
          if (hdir !== null && !existsSync(join(hdir, f))) {
            const changed = compareFile(v2Text, null, oursText).length; // only what we changed: no findings needed
            oneSided.push({ path: f, side: `v2 only, not in ${human}; ${changed} site${changed === 1 ? '' : 's'} changed by us` });
            continue;
          }
          const humanText = hdir === null ? null : readText(join(hdir, f));
          for (const s of compareFile(v2Text, humanText, oursText, findingsOf.get(f) ?? [])) sites.push({ path: f, ...s });
        }
        if (hdir !== null) {
          const v2Set = new Set(files);
          for (const f of pythonFiles(hdir)) if (!v2Set.has(f)) oneSided.push({ path: f, side: `only in ${human}` });
        }
        let humanFindings = null;
        if (hdir !== null) {
          const hcopy = join(work, project, human);
          copyWritable(hdir, hcopy);
          const hc = check(hcopy, common, env);
          humanFindings = hc.findings ?? null;
        }
        const c = countSites(sites);
        results.push({
          ...base,
          human,
          primary: index === 0,
          counts: c,
          oursChanged: c.same + c.differs + c['ours-only'] + c.ours,
          humanChanged: c.same + c.differs + c.missed,
          findings: left.findings ?? null,
          findingsError: left.error ?? null,
          humanFindings,
          sites,
          oneSided,
        });
      });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const primary = results.filter((r) => r.primary);
  const secondary = results.filter((r) => !r.primary);
  const out = [];
  out.push(`## Corpus: safe fixes (target ${opts.target}) vs the maintainers' migrations`, '');
  out.push(renderTable(primary), '');
  if (secondary.length > 0)
    out.push('Other human migrations of the same projects (same fix result, compared with a later or earlier human state):', '', renderTable(secondary), '');
  out.push(
    'Sites: v2 lines (or inserted lines) changed by the human or by us that mention AnyIO or a name the migration changes. ' +
      '"we changed"/"human changed": such sites changed by each side. Findings: `check` on our result and on the human\'s, ' +
      'same target (safe / unsafe fix / no fix). "missed by us (no finding)": in brackets, the missed v2 lines on which `check` reports nothing ' +
      'after our fix (silent misses). A project without a human migration has only "we changed".',
    '',
  );
  if (opts.details) for (const r of results) if (!r.error) out.push(renderDetails(r));
  process.stdout.write(`${out.join('\n')}\n`);
  if (opts.json) {
    writeFileSync(opts.json, `${JSON.stringify({ corpus: opts.corpus, target: opts.target, results }, null, 2)}\n`);
    process.stderr.write(`corpus: raw data written to ${opts.json}\n`);
  }
  return 0;
}

process.exitCode = main();
