// Pure functions of the corpus measurement (scripts/corpus.mjs): a line diff, the mapping of each
// v2 line to what became of it, the AnyIO relevance filter, the per-site classification against a
// human migration, and the markdown rendering. No file system, no processes: test/scripts/corpus.test.ts
// runs them on a synthetic corpus.

// ---- line diff ---------------------------------------------------------------------------------

/** Lines of a text: CRLF/CR become LF, and a final line end does not make an extra empty line. */
export function splitLines(text) {
  const t = text.replace(/\r\n?/g, '\n');
  if (t === '') return [];
  const lines = t.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * Myers' O((N+M)D) diff. Returns the matched pairs [i, j] (a[i] === b[j]) of a shortest edit script,
 * in increasing order. Common prefix and suffix are matched first; the trace keeps only the
 * diagonals reachable at each step, so memory is O(D^2) rather than O((N+M)D).
 */
export function diffMatches(a, b) {
  const ids = new Map();
  const id = (s) => {
    let v = ids.get(s);
    if (v === undefined) {
      v = ids.size;
      ids.set(s, v);
    }
    return v;
  };
  const A = a.map(id);
  const B = b.map(id);
  const matches = [];
  let pre = 0;
  while (pre < A.length && pre < B.length && A[pre] === B[pre]) {
    matches.push([pre, pre]);
    pre++;
  }
  let suf = 0;
  while (suf < A.length - pre && suf < B.length - pre && A[A.length - 1 - suf] === B[B.length - 1 - suf]) suf++;
  const x0 = A.slice(pre, A.length - suf);
  const y0 = B.slice(pre, B.length - suf);
  const middle = myersMiddle(x0, y0);
  for (const [i, j] of middle) matches.push([i + pre, j + pre]);
  for (let s = suf; s > 0; s--) matches.push([A.length - s, B.length - s]);
  return matches;
}

function myersMiddle(a, b) {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return [];
  const max = n + m;
  const off = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace = []; // trace[d][k + d] = v[k] before step d, for k in [-d, d]
  let found = -1;
  for (let d = 0; d <= max && found < 0; d++) {
    trace.push(v.slice(off - d, off + d + 1));
    for (let k = -d; k <= d; k += 2) {
      let x;
      if (k === -d || (k !== d && v[off + k - 1] < v[off + k + 1])) x = v[off + k + 1];
      else x = v[off + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[off + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
  }
  const out = [];
  let x = n;
  let y = m;
  for (let d = found; d >= 0; d--) {
    const vp = trace[d];
    const get = (k) => vp[k + d];
    const k = x - y;
    let prevK;
    if (d === 0) prevK = 0;
    else if (k === -d || (k !== d && get(k - 1) < get(k + 1))) prevK = k + 1;
    else prevK = k - 1;
    const prevX = d === 0 ? 0 : get(prevK);
    const prevY = prevX - prevK;
    const startX = d === 0 ? 0 : prevK === k + 1 ? prevX : prevX + 1;
    const startY = startX - k;
    while (x > startX && y > startY) {
      x--;
      y--;
      out.push([x, y]);
    }
    x = prevX;
    y = prevY;
  }
  return out.reverse();
}

/** Hunks between matched lines: { aStart, aEnd, bStart, bEnd } (half-open), in order. */
export function diffHunks(a, b) {
  const hunks = [];
  let ai = 0;
  let bi = 0;
  for (const [i, j] of [...diffMatches(a, b), [a.length, b.length]]) {
    if (i > ai || j > bi) hunks.push({ aStart: ai, aEnd: i, bStart: bi, bEnd: j });
    ai = i + 1;
    bi = j + 1;
  }
  return hunks;
}

// ---- aligning the lines of one hunk ------------------------------------------------------------

function tokens(line) {
  return line.match(/[A-Za-z_][A-Za-z0-9_]*|\d+|\S/g) ?? [];
}

function lcsLength(a, b) {
  let prev = new Array(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const cur = new Array(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) cur[j] = a[i - 1] === b[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
    prev = cur;
  }
  return prev[b.length];
}

/** Token similarity of two lines in [0, 1]: 2·LCS / (|a| + |b|). */
export function similarity(a, b) {
  const ta = tokens(a);
  const tb = tokens(b);
  if (ta.length + tb.length === 0) return a.trim() === b.trim() ? 1 : 0;
  return (2 * lcsLength(ta, tb)) / (ta.length + tb.length);
}

const GAP = 0.35; // pairing two lines is preferred over deleting one and inserting the other when similarity > 0.3

/**
 * Which new line of a hunk replaces which old line: a global alignment (old lines in order, new
 * lines in order) maximising similarity. Returns, for each new line j, { old: i } (it replaces old
 * line i) or { gap: g } (it is inserted before old line g of the hunk; g = oldLines.length: after
 * the last). A new line that pairs with no old line replaces a deleted old line next to it in the
 * alignment (a rewrite too different to pair by similarity), else it is an insertion: a line added
 * next to a changed one stays an insertion of its own.
 */
export function alignHunk(oldLines, newLines) {
  const n = oldLines.length;
  const m = newLines.length;
  if (n === 0) return newLines.map(() => ({ gap: 0 }));
  const cost = Array.from({ length: n + 1 }, () => new Float64Array(m + 1));
  const move = Array.from({ length: n + 1 }, () => new Uint8Array(m + 1)); // 1 pair, 2 delete old, 3 insert new
  for (let i = 1; i <= n; i++) {
    cost[i][0] = i * GAP;
    move[i][0] = 2;
  }
  for (let j = 1; j <= m; j++) {
    cost[0][j] = j * GAP;
    move[0][j] = 3;
  }
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      const pair = cost[i - 1][j - 1] + (1 - similarity(oldLines[i - 1], newLines[j - 1]));
      const del = cost[i - 1][j] + GAP;
      const ins = cost[i][j - 1] + GAP;
      // ties: pair, then delete, then insert (deterministic)
      if (pair <= del + 1e-12 && pair <= ins + 1e-12) {
        cost[i][j] = pair;
        move[i][j] = 1;
      } else if (del <= ins + 1e-12) {
        cost[i][j] = del;
        move[i][j] = 2;
      } else {
        cost[i][j] = ins;
        move[i][j] = 3;
      }
    }
  }
  const steps = []; // forward order: { kind: 'pair' | 'del' | 'ins', i, j }
  let i = n;
  let j = m;
  while (i > 0 || j > 0) {
    const mv = move[i][j];
    if (mv === 1) steps.push({ kind: 'pair', i: --i, j: --j });
    else if (mv === 2) steps.push({ kind: 'del', i: --i, j: -1 });
    else steps.push({ kind: 'ins', i: -1, j: --j });
  }
  steps.reverse();
  const out = new Array(m);
  // Runs of unpaired steps (between pairs): their inserted lines replace the run's deleted lines,
  // in order (the last deleted line takes any extra ones); with no deleted line they are insertions.
  let k = 0;
  let nextOld = 0; // the old line the next insertion would come before
  while (k < steps.length) {
    if (steps[k].kind === 'pair') {
      out[steps[k].j] = { old: steps[k].i };
      nextOld = steps[k].i + 1;
      k++;
      continue;
    }
    const run = [];
    while (k < steps.length && steps[k].kind !== 'pair') run.push(steps[k++]);
    const dels = run.filter((s) => s.kind === 'del').map((s) => s.i);
    const inss = run.filter((s) => s.kind === 'ins').map((s) => s.j);
    inss.forEach((jj, x) => {
      out[jj] = dels.length > 0 ? { old: dels[Math.min(x, dels.length - 1)] } : { gap: nextOld };
    });
    if (dels.length > 0) nextOld = dels[dels.length - 1] + 1;
  }
  return out;
}

/**
 * What became of each line of `oldLines` in `newLines`: fates[i] is { kind: 'kept' },
 * { kind: 'changed', lines } (the new lines that replace it, in order) or { kind: 'deleted' };
 * inserts are new lines added between old lines ({ gap, line }: before old line `gap`, where
 * gap = oldLines.length means at the end).
 */
export function lineFates(oldLines, newLines) {
  const fates = oldLines.map(() => ({ kind: 'kept' }));
  const inserts = [];
  for (const h of diffHunks(oldLines, newLines)) {
    const olds = oldLines.slice(h.aStart, h.aEnd);
    const news = newLines.slice(h.bStart, h.bEnd);
    const got = olds.map(() => []);
    alignHunk(olds, news).forEach((a, j) => {
      if (a.old !== undefined) got[a.old].push(news[j]);
      else inserts.push({ gap: h.aStart + a.gap, line: news[j] });
    });
    got.forEach((lines, k) => {
      fates[h.aStart + k] = lines.length > 0 ? { kind: 'changed', lines } : { kind: 'deleted' };
    });
  }
  return { fates, inserts };
}

/** For each old line that the diff keeps unchanged, its index in `newLines`; -1 otherwise. */
export function keptIndex(oldLines, newLines) {
  const out = new Array(oldLines.length).fill(-1);
  for (const [i, j] of diffMatches(oldLines, newLines)) out[i] = j;
  return out;
}

// ---- relevance -------------------------------------------------------------------------------

/**
 * Names whose presence makes a line relevant to the AnyIO 2 → 3 migration: every name of the API
 * delta (/work/shared/anyio-api-delta.md, tables A-I and the cross-version forms), matched as whole
 * words, plus generic method names (set, cancel, release, ...) matched only as attributes (`.set`).
 */
export const ANYIO_NAMES = [
  'anyio',
  'curio',
  'anyio_backend',
  'get_all_backends',
  'use_uvloop',
  // A. module-level functions
  'current_time',
  'current_effective_deadline',
  'get_current_task',
  'get_running_tasks',
  'sleep_until',
  'sleep_forever',
  'get_cancelled_exc_class',
  'wait_all_tasks_blocked',
  'TaskInfo',
  // B. synchronization
  'create_event',
  'Event',
  'create_lock',
  'Lock',
  'create_condition',
  'Condition',
  'create_semaphore',
  'Semaphore',
  'create_capacity_limiter',
  'CapacityLimiter',
  'acquire_on_behalf_of_nowait',
  'release_on_behalf_of',
  'set_total_tokens',
  'total_tokens',
  // C. cancellation
  'open_cancel_scope',
  'CancelScope',
  'cancel_scope',
  'fail_after',
  'move_on_after',
  'get_cancelled_exc_class',
  // D. task groups
  'create_task_group',
  'TaskGroup',
  'task_group',
  'spawn',
  'start_soon',
  'TASK_STATUS_IGNORED',
  'TaskStatus',
  'task_status',
  // E. memory object streams
  'create_memory_object_stream',
  'MemoryObjectSendStream',
  'MemoryObjectReceiveStream',
  'send_nowait',
  'receive_nowait',
  // F. threads and portals
  'run_sync_in_worker_thread',
  'current_default_worker_thread_limiter',
  'current_default_thread_limiter',
  'to_thread',
  'from_thread',
  'run_async_from_thread',
  'run_sync_from_thread',
  'create_blocking_portal',
  'BlockingPortal',
  'start_blocking_portal',
  'stop_from_external_thread',
  'spawn_task',
  'start_task_soon',
  // G. signals
  'open_signal_receiver',
  // H. modules, typing, backends
  'SocketStream',
  'UNIXSocketStream',
  'SocketListener',
  'MultiListener',
  'IPSockAddrType',
  'TestRunner',
  // I. compat helpers and cross-version forms
  'maybe_async',
  'maybe_async_cm',
  'DeprecatedAwaitable',
  'DeprecatedAwaitableFloat',
  'DeprecatedAwaitableList',
  'iscoroutine',
  'isawaitable',
];

/** Method names of the delta too generic to count as words (`.set`, `.cancel`, ...). */
export const ANYIO_METHODS = ['set', 'cancel', 'release', 'notify', 'notify_all', 'acquire_nowait', 'aclose'];

const NAMES_RE = new RegExp(`\\b(?:${[...new Set(ANYIO_NAMES)].join('|')})\\b`);
const METHODS_RE = new RegExp(`\\.\\s*(?:${ANYIO_METHODS.join('|')})\\b`);

/** A requirement specifier (`"anyio >= 3"`, `anyio[trio]~=3.0`): a version bump, not a code change. */
const REQUIREMENT_RE = /\banyio\s*(?:\[[^\]]*\]\s*)?(?:[<>=!~]=?|===)\s*[\w.*]+/g;

/** Whether a line (or several, joined) mentions AnyIO or a name the migration changes; version requirements do not count. */
export function isRelevant(text) {
  if (text === null || text === undefined) return false;
  const t = text.replace(REQUIREMENT_RE, '');
  return NAMES_RE.test(t) || METHODS_RE.test(t);
}

// ---- classification ----------------------------------------------------------------------------

/** Normalised line for comparing two results: trailing blanks dropped, inner blank runs collapsed (indentation kept). */
export function normalizeLine(line) {
  const m = /^(\s*)(.*?)\s*$/.exec(line);
  return m[1] + m[2].replace(/\s+/g, ' ');
}

function fateText(v2Line, fate) {
  if (fate.kind === 'kept') return v2Line;
  if (fate.kind === 'deleted') return null;
  return fate.lines.join('\n');
}

function sameText(a, b) {
  if (a === null || b === null) return a === b;
  return a.split('\n').map(normalizeLine).join('\n') === b.split('\n').map(normalizeLine).join('\n');
}

/**
 * Sites of one file. `human` null: no human migration to compare with (the sites are then what we
 * changed, class 'ours'). Each site: { line (1-based v2 line; for an insertion, the v2 line it comes
 * before, or lines+1 at the end), kind: 'line' | 'insert', v2, human, ours (text, null = deleted or
 * not inserted), cls: 'same' | 'differs' | 'missed' | 'ours-only' | 'ours' }.
 * Only sites where the v2 line or a new line is relevant to AnyIO (isRelevant) are returned.
 * `oursFindings` ([{ line, code }], 1-based lines of our result, from `check`): a site whose v2 line
 * we kept gets `findings`, the codes reported on that line of our result (empty: we said nothing).
 */
export function compareFile(v2Text, humanText, oursText, oursFindings = []) {
  const v2 = splitLines(v2Text);
  const oursLines = splitLines(oursText);
  const ours = lineFates(v2, oursLines);
  const human = humanText === null ? null : lineFates(v2, splitLines(humanText));
  const codesAt = new Map();
  for (const f of oursFindings) codesAt.set(f.line, [...(codesAt.get(f.line) ?? []), f.code]);
  const kept = keptIndex(v2, oursLines);
  const sites = [];
  for (let i = 0; i < v2.length; i++) {
    const o = ours.fates[i];
    const h = human ? human.fates[i] : { kind: 'kept' };
    if (o.kind === 'kept' && h.kind === 'kept') continue;
    const ot = fateText(v2[i], o);
    const ht = fateText(v2[i], h);
    if (!isRelevant(v2[i]) && !isRelevant(ot) && !isRelevant(ht)) continue;
    let cls;
    if (!human) cls = 'ours';
    else if (o.kind !== 'kept' && h.kind !== 'kept') cls = sameText(ot, ht) ? 'same' : 'differs';
    else cls = h.kind !== 'kept' ? 'missed' : 'ours-only';
    const site = { line: i + 1, kind: 'line', v2: v2[i], human: human ? ht : null, ours: ot, cls };
    if (o.kind === 'kept') site.findings = kept[i] >= 0 ? [...new Set(codesAt.get(kept[i] + 1) ?? [])].sort() : [];
    sites.push(site);
  }
  // Insertions: the same inserted line anywhere in the file counts as the same site (an import added
  // a few lines apart is the same change); otherwise two insertions at the same gap differ.
  const relevant = (list) => list.filter((x) => isRelevant(x.line));
  const oIns = relevant(ours.inserts).map((x) => ({ ...x, used: false }));
  if (!human) {
    for (const x of oIns) sites.push({ line: x.gap + 1, kind: 'insert', v2: null, human: null, ours: x.line, cls: 'ours' });
  } else {
    const hIns = relevant(human.inserts).map((x) => ({ ...x, used: false }));
    const pairs = [];
    for (const hx of hIns) {
      const candidates = oIns.filter((ox) => !ox.used && sameText(ox.line, hx.line));
      if (candidates.length === 0) continue;
      const ox = candidates.find((c) => c.gap === hx.gap) ?? candidates[0];
      ox.used = hx.used = true;
      pairs.push({ line: hx.gap + 1, kind: 'insert', v2: null, human: hx.line, ours: ox.line, cls: 'same' });
    }
    for (const hx of hIns) {
      if (hx.used) continue;
      const ox = oIns.find((c) => !c.used && c.gap === hx.gap);
      hx.used = true;
      if (ox) {
        ox.used = true;
        pairs.push({ line: hx.gap + 1, kind: 'insert', v2: null, human: hx.line, ours: ox.line, cls: 'differs' });
      } else pairs.push({ line: hx.gap + 1, kind: 'insert', v2: null, human: hx.line, ours: null, cls: 'missed' });
    }
    for (const ox of oIns) if (!ox.used) pairs.push({ line: ox.gap + 1, kind: 'insert', v2: null, human: null, ours: ox.line, cls: 'ours-only' });
    sites.push(...pairs);
  }
  sites.sort((a, b) => a.line - b.line || (a.kind === b.kind ? 0 : a.kind === 'line' ? -1 : 1));
  return sites;
}

/** Counts of a list of sites by class. */
export function countSites(sites) {
  const c = { same: 0, differs: 0, missed: 0, 'ours-only': 0, ours: 0, missedSilent: 0 };
  for (const s of sites) {
    c[s.cls]++;
    if (s.cls === 'missed' && s.kind === 'line' && s.findings.length === 0) c.missedSilent++;
  }
  return c;
}

/** Findings of `check --format json`, counted: total, by applicability and by rule code (sorted). */
export function countFindings(findings) {
  const out = { total: findings.length, safe: 0, unsafe: 0, noFix: 0, byCode: {} };
  for (const f of findings) {
    const a = f.fix?.applicability;
    if (a === 'safe') out.safe++;
    else if (a === 'unsafe') out.unsafe++;
    else out.noFix++;
    const c = (out.byCode[f.code] ??= { total: 0, safe: 0, unsafe: 0, noFix: 0 });
    c.total++;
    if (a === 'safe') c.safe++;
    else if (a === 'unsafe') c.unsafe++;
    else c.noFix++;
  }
  out.byCode = Object.fromEntries(Object.entries(out.byCode).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return out;
}

/**
 * Human migration folders of each project, in the order the corpus README names them (backticked
 * `human-...` in the project's table row), then any other `human-*` folder alphabetically.
 */
export function humanOrder(readme, project, folders) {
  const named = [];
  for (const row of readme.split('\n')) {
    const cells = row.split('|').map((c) => c.trim());
    if (cells.length < 3 || cells[1] !== project) continue;
    for (const m of row.matchAll(/`(human-[^`\s]+)`/g)) if (!named.includes(m[1])) named.push(m[1]);
  }
  const present = new Set(folders.filter((f) => f.startsWith('human-')));
  const ordered = named.filter((f) => present.has(f));
  for (const f of [...present].sort()) if (!ordered.includes(f)) ordered.push(f);
  return ordered;
}

/** The human folders a target is compared with: anyio3 → human-v3*, anyio2+3 → human-v2+3. */
export function humansForTarget(ordered, target) {
  if (target === 'anyio2+3') return ordered.filter((f) => f === 'human-v2+3');
  return ordered.filter((f) => /^human-v3(?:$|-)/.test(f));
}

// ---- rendering ---------------------------------------------------------------------------------

function cell(s) {
  return String(s).replace(/\|/g, '\\|');
}

function findingsCell(f) {
  if (!f) return 'error';
  return `${f.total} (${f.safe}/${f.unsafe}/${f.noFix})`;
}

/**
 * The markdown table: one row per comparison result ({ project, human, files, counts, oursChanged,
 * humanChanged, findings, humanFindings, seconds, error }).
 */
export function renderTable(rows) {
  const head = [
    '| project | human | files | we changed | human changed | same | differs | missed by us (no finding) | ours only | findings left (safe/unsafe/no fix) | left in human | fix time |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  const lines = rows.map((r) => {
    if (r.error) return `| ${cell(r.project)} | ${cell(r.human ?? '–')} | ${r.files ?? '–'} | error: ${cell(r.error)} | | | | | | | | |`;
    const h = r.human !== null;
    const c = r.counts;
    return `| ${cell(r.project)} | ${cell(r.human ?? '–')} | ${r.files} | ${r.oursChanged} | ${h ? r.humanChanged : '–'} | ${h ? c.same : '–'} | ${h ? c.differs : '–'} | ${h ? `${c.missed} (${c.missedSilent})` : '–'} | ${h ? c['ours-only'] : '–'} | ${findingsCell(r.findings)} | ${h ? findingsCell(r.humanFindings) : '–'} | ${r.seconds.toFixed(2)} s |`;
  });
  return [...head, ...lines].join('\n');
}

function quote(text) {
  if (text === null) return '(none)';
  return text
    .split('\n')
    .map((l) => `\`${l.trimEnd().replace(/`/g, "'")}\``)
    .join(' ⏎ ');
}

/** The per-site list of one comparison, for a person to judge each difference. */
export function renderDetails(result) {
  const out = [`### ${result.project}${result.human ? ` vs ${result.human}` : ''} (target ${result.target})`, ''];
  const interesting = result.sites.filter((s) => s.cls !== 'same');
  const same = result.sites.length - interesting.length;
  if (result.sites.length === 0) out.push('No sites.');
  for (const s of interesting) {
    const where = s.kind === 'insert' ? `${s.path}:${s.line} (inserted before)` : `${s.path}:${s.line}`;
    out.push(`- **${s.cls}** ${where}`);
    if (s.kind === 'line') out.push(`  - v2:    ${quote(s.v2)}`);
    if (result.human) out.push(`  - human: ${quote(s.human)}`);
    out.push(`  - ours:  ${quote(s.ours)}${s.findings ? (s.findings.length > 0 ? ` (finding: ${s.findings.join(', ')})` : ' (no finding)') : ''}`);
  }
  if (same > 0) out.push(`- (${same} more site${same === 1 ? '' : 's'} changed the same way by both)`);
  if (result.oneSided.length > 0) out.push(`- files only on one side: ${result.oneSided.map((f) => `${f.path} (${f.side})`).join(', ')}`);
  if (result.findings && result.findings.total > 0) {
    const codes = Object.entries(result.findings.byCode).map(([code, c]) => `${code} ${c.total} (${c.safe}/${c.unsafe}/${c.noFix})`);
    out.push(`- findings left by rule (safe/unsafe/no fix): ${codes.join(', ')}`);
  }
  out.push('');
  return out.join('\n');
}
