/**
 * "Migrate Workspace", "Migrate This File" and "Show Migration Report": run the engine's fix loop
 * (`fixAll`, the same one the CLI and fix-all use) over many files and turn the result into ONE
 * workspace edit whose changes are annotated by rule, unsafe ones needing confirmation, so VS Code
 * shows them grouped in its refactor preview. Open documents' unsaved text is used instead of disk.
 *
 * Confined to the workspace (src/server/confine.ts): a file whose real path is outside every
 * workspace folder (reached through a symlink) is skipped with the reason, never read or edited.
 * Files are read only when they are regular files, with a size cap (never a FIFO or `/dev/zero`),
 * and cancellation is checked between files and around every read.
 */
import * as path from 'path';
import { pathToFileURL } from 'url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type {
  AnnotatedTextEdit,
  CancellationToken,
  ChangeAnnotation,
  TextDocumentEdit,
  WorkspaceEdit,
} from 'vscode-languageserver';
import { analyze, fixAll, ruleByCode } from '../engine';
import { analyzeOptionsFor } from '../config/engine-options';
import type { AnalyzeOptions, Edit, Finding, FixResult } from '../core/types';
import { collectPythonFiles } from '../workspace/walk';
import { DEFAULT_MAX_FILE_SIZE, decodePythonSource } from '../workspace/files';
import { readRegularFile } from '../workspace/safe-read';
import type {
  MigrateFileSummary,
  MigrateParams,
  MigrateRemaining,
  MigrateResult,
  MigrateTotals,
} from '../shared/protocol';
import { fsPathOf, type EffectiveConfig } from './settings';
import { computeEdits } from './textEdits';
import { compileGlob } from './glob';
import { Confinement } from './confine';
import { LineIndex, type WorkCounter } from '../core/text';
import type { ProjectContext } from '../core/semantic/project';
import { plural } from '../shared/plural';

export interface MigrateHost {
  /** Text and version of an open document, by URI. */
  openDocument(uri: string): { text: string; version: number } | undefined;
  /** URIs of all open documents (to find unsaved ones by path). */
  openDocumentUris(): string[];
  configFor(uri: string): Promise<EffectiveConfig>;
  /** The workspace folders' URIs (Migrate reads and edits only files inside them). */
  workspaceFolders(): string[];
  /** Why an open document cannot be used (its text is not known to be the editor's), if so. */
  unusable?(uri: string): string | undefined;
  progress(done: number, total: number, file: string): void;
  log(message: string): void;
  /**
   * The project context of a file (a file-system path): the language server's project index, the
   * same one its diagnostics use, so a type proven across modules is fixed here too.
   */
  project?(file: string): ProjectContext | undefined;
}

interface Target {
  uri: string;
  /** Display path (relative to its folder when walked). */
  display: string;
  /** Given explicitly (Migrate This File): exclusions do not apply. */
  explicit: boolean;
}

const UNATTRIBUTED = 'imports';

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}


/** The finding whose fix (or range) produced `hunk`, or one whose imports it adds or removes. */
function attribute(hunk: Edit, findings: readonly Finding[]): Finding | undefined {
  const touches = (s: number, e: number): boolean => s <= hunk.end && hunk.start <= e;
  for (const f of findings) if (f.fix && f.fix.edits.some((e) => touches(e.start, e.end))) return f;
  for (const f of findings) if (f.fix && touches(f.start, f.end)) return f;
  for (const f of findings) {
    for (const imp of f.fix?.imports ?? []) {
      if (hunk.text.includes(imp.name ?? imp.module)) return f;
    }
  }
  return undefined;
}

function key(e: Edit): string {
  return `${e.start}:${e.end}:${e.text}`;
}

interface FileOutcome {
  summary: MigrateFileSummary;
  edit?: TextDocumentEdit;
}

export class Migrator {
  private annotations: Record<string, ChangeAnnotation> = {};
  private confinement: Confinement | undefined;

  constructor(
    private readonly host: MigrateHost,
    private readonly token: CancellationToken,
  ) {}

  async run(params: MigrateParams): Promise<MigrateResult> {
    const started = Date.now();
    const skipped: MigrateFileSummary[] = [];
    const folderPaths = [...this.host.workspaceFolders(), ...params.folders.map((f) => f.uri)]
      .filter((u) => u.startsWith('file:'))
      .map((u) => fsPathOf(u))
      .filter((p): p is string => p !== undefined);
    this.confinement = await Confinement.of(folderPaths);
    const targets = params.uris
      ? params.uris.map((uri) => ({ uri, display: fsPathOf(uri) ?? uri, explicit: true }))
      : await this.collect(params, skipped);
    const files: MigrateFileSummary[] = [...skipped];
    const edits: TextDocumentEdit[] = [];
    let cancelled = this.token.isCancellationRequested;
    let lastYield = Date.now();
    for (let i = 0; i < targets.length && !cancelled; i++) {
      const t = targets[i]!;
      this.host.progress(i, targets.length, t.display);
      const outcome = await this.migrateOne(t);
      if (this.token.isCancellationRequested) {
        cancelled = true;
        break;
      }
      files.push(outcome.summary);
      if (outcome.edit) edits.push(outcome.edit);
      if (Date.now() - lastYield > 15) {
        await yieldToEventLoop(); // lets $/cancelRequest through
        lastYield = Date.now();
      }
      cancelled = this.token.isCancellationRequested;
    }
    if (!cancelled) this.host.progress(targets.length, targets.length, '');
    const totals = computeTotals(files);
    let edit: WorkspaceEdit | null = null;
    if (!params.dryRun && !cancelled && edits.length > 0) {
      edit = { documentChanges: edits, changeAnnotations: this.annotations };
    }
    const report = formatReport(files, totals, {
      dryRun: params.dryRun,
      cancelled,
      seconds: (Date.now() - started) / 1000,
      scope: params.uris ? 'file' : 'workspace',
    });
    return { edit, files, totals, report, cancelled };
  }

  private async collect(params: MigrateParams, skipped: MigrateFileSummary[]): Promise<Target[]> {
    const targets: Target[] = [];
    const seen = new Set<string>();
    for (const folder of params.folders) {
      const root = fsPathOf(folder.uri);
      if (!root || !folder.uri.startsWith('file:')) {
        skipped.push({ uri: folder.uri, path: folder.uri, status: 'skipped', reason: 'not a folder on disk (virtual workspace)', fixes: [], remaining: [] });
        continue;
      }
      const excludes = folder.exclude.map((g) => compileGlob(g));
      excludes.forEach((g, i) => g.warnings.forEach((w) => this.host.log(`files.exclude glob '${folder.exclude[i]}' ${w}`)));
      const folderConfig = await this.host.configFor(pathToFileURL(path.join(root, '__anyio_migrate__.py')).href);
      const walkOptions: Parameters<typeof collectPythonFiles>[1] = {
        cwd: root,
        onWarning: (file, reason, kind) => {
          this.host.log(kind === 'config' ? `${file}: ${reason}` : `skipped ${file}: ${reason}`);
          // A link leading out of the folder: listed in the result, not only in the log.
          if (kind === 'outside') {
            const rel = path.relative(root, file).split(path.sep).join('/');
            skipped.push({ uri: pathToFileURL(file).href, path: rel, status: 'skipped', reason, fixes: [], remaining: [] });
          }
        },
        shouldStop: () => this.token.isCancellationRequested,
      };
      if (folderConfig.exclude) walkOptions.exclude = folderConfig.exclude;
      const result = await collectPythonFiles([root], walkOptions);
      for (const err of result.errors) {
        skipped.push({ uri: folder.uri, path: err.path, status: 'skipped', reason: err.reason, fixes: [], remaining: [] });
      }
      for (const entry of result.files) {
        const rel = path.relative(root, entry.path).split(path.sep).join('/');
        if (excludes.some((g) => g.matchesPathOrParent(rel))) continue;
        if (seen.has(entry.path)) continue;
        seen.add(entry.path);
        targets.push({ uri: pathToFileURL(entry.path).href, display: rel, explicit: false });
      }
    }
    return targets;
  }

  private async migrateOne(t: Target): Promise<FileOutcome> {
    const summary: MigrateFileSummary = { uri: t.uri, path: t.display, status: 'unchanged', fixes: [], remaining: [] };
    const skip = (reason: string): FileOutcome => ({ summary: { ...summary, status: 'skipped', reason } });
    const file = fsPathOf(t.uri);
    // Confinement first: an open document's edit is saved through a link just as a disk file's.
    let real: string | undefined;
    if (file) {
      const confined = await this.confinement!.check(file);
      if (!confined.ok) return skip(confined.reason);
      real = confined.real;
    }
    const open = this.openByPath(t.uri);
    let text: string;
    let version: number | null = null;
    let uri = t.uri;
    if (open) {
      const why = this.host.unusable?.(open.uri);
      if (why) return skip(why);
      ({ text, version, uri } = open);
    } else {
      if (!file || !real) return skip('not open and not a file on disk');
      if (this.token.isCancellationRequested) return skip('cancelled');
      const controller = new AbortController();
      const subscription = this.token.onCancellationRequested(() => controller.abort());
      let read: Awaited<ReturnType<typeof readRegularFile>>;
      try {
        // The resolved path, not following a link swapped in since the check.
        read = await readRegularFile(real, DEFAULT_MAX_FILE_SIZE, { noFollow: true, signal: controller.signal });
      } finally {
        subscription.dispose();
      }
      if (this.token.isCancellationRequested) return skip('cancelled');
      if (!read.ok) return skip(read.reason);
      const decoded = decodePythonSource(read.bytes);
      if (!decoded.ok) return skip(decoded.reason);
      if (decoded.encoding.name !== 'utf-8') {
        return skip(`encoded in ${decoded.encoding.name}: open it in the editor and run "AnyIO: Migrate This File"`);
      }
      // Editors drop the BOM from the text they show; positions are relative to that text.
      text = decoded.text.startsWith('\uFEFF') ? decoded.text.slice(1) : decoded.text;
    }
    const config = await this.host.configFor(uri);
    if (!config.enable) return { summary: { ...summary, status: 'skipped', reason: 'disabled by anyioMigrate.enable' } };
    if (config.excluded && !t.explicit) return { summary: { ...summary, status: 'skipped', reason: `excluded by ${config.pyproject ?? 'pyproject.toml'}` } };
    const options = analyzeOptionsFor(config);
    const project = file ? this.host.project?.(file) : undefined;
    if (project) options.project = project;

    let all: FixResult;
    let safe: FixResult;
    try {
      all = fixAll(text, { ...options, unsafeFixes: true });
      safe = all.applied.some((a) => a.applicability === 'unsafe') ? fixAll(text, { ...options, unsafeFixes: false }) : all;
    } catch (err) {
      return { summary: { ...summary, status: 'refused', reason: `internal error: ${err instanceof Error ? err.message : String(err)}` } };
    }
    summary.remaining = remainingOf(text, all.remaining);
    if (all.capped) summary.capped = true;
    if (all.refused) {
      summary.status = 'refused';
      summary.reason = all.refused;
    }
    if (all.output === text) return { summary };

    const hunks = computeEdits(text, all.output);
    const safeKeys = new Set(computeEdits(text, safe.output).map(key));
    const findings = analyze(text, options);
    const doc = TextDocument.create(uri, 'python', version ?? 0, text);
    const counts = new Map<string, { safe: number; unsafe: number }>();
    const annotated: AnnotatedTextEdit[] = [];
    for (const hunk of hunks) {
      const finding = attribute(hunk, findings);
      const isSafe = safeKeys.has(key(hunk));
      const code = finding?.code ?? UNATTRIBUTED;
      const id = this.annotation(code, isSafe, config.unsafeFixes, finding);
      const c = counts.get(code) ?? { safe: 0, unsafe: 0 };
      if (isSafe) c.safe++;
      else c.unsafe++;
      counts.set(code, c);
      annotated.push({
        range: { start: doc.positionAt(hunk.start), end: doc.positionAt(hunk.end) },
        newText: hunk.text,
        annotationId: id,
      });
    }
    summary.status = 'changed';
    summary.fixes = fixCounts(all, counts);
    return { summary, edit: { textDocument: { uri, version }, edits: annotated } };
  }

  /** An open document for this URI, also when the client spells the URI differently. */
  private openByPath(uri: string): { text: string; version: number; uri: string } | undefined {
    const direct = this.host.openDocument(uri);
    if (direct) return { ...direct, uri };
    const file = fsPathOf(uri);
    if (!file) return undefined;
    for (const other of this.host.openDocumentUris()) {
      if (other.startsWith('file:') && fsPathOf(other) === file) {
        const doc = this.host.openDocument(other);
        if (doc) return { ...doc, uri: other };
      }
    }
    return undefined;
  }

  private annotation(code: string, safe: boolean, unsafeOptIn: boolean, finding: Finding | undefined): string {
    const confirm = !safe && !unsafeOptIn;
    const id = `${code}${safe ? '' : confirm ? '/unsafe' : '/unsafe-accepted'}`;
    if (this.annotations[id]) return id;
    const meta = ruleByCode(code);
    const name = meta ? `${code} ${meta.name}` : 'Imports added or removed by the fixes';
    const annotation: ChangeAnnotation = { label: safe ? name : `${name} (unsafe)` };
    if (meta) annotation.description = meta.fixTitle;
    if (!safe) {
      const why = finding?.fix?.applicability === 'unsafe' ? `${meta?.fixSafety ?? 'not proven to keep behaviour'}` : 'not proven to keep behaviour';
      annotation.description = `Unsafe: ${why}`;
      annotation.needsConfirmation = confirm;
    }
    this.annotations[id] = annotation;
    return id;
  }
}

/**
 * What is left for manual work, with line and character: one line index per file, so N findings
 * cost O(text + N log lines), not O(N × text). `counter` measures the work (scale tests).
 */
export function remainingOf(text: string, findings: readonly Finding[], counter?: WorkCounter): MigrateRemaining[] {
  if (findings.length === 0) return [];
  const index = new LineIndex(text, counter);
  return findings.map((f) => {
    let reason: string;
    if (f.fix && f.fix.applicability === 'unsafe') reason = 'unsafe fix, not applied';
    else if (f.fix) reason = 'fix could not be applied (overlap or refused)';
    else reason = f.noFixReason ? `no automatic fix: ${f.noFixReason}` : 'no automatic fix';
    const { line, character } = index.position(f.start);
    return { code: f.code, line, character, message: f.message, reason };
  });
}

/** Applied fixes (not edit hunks) per code and safety; hunk counts when the loop reports none. */
function fixCounts(all: FixResult, hunksByCode: Map<string, { safe: number; unsafe: number }>): MigrateFileSummary['fixes'] {
  const result = new Map<string, { safe: number; unsafe: number }>();
  for (const a of all.applied) {
    const c = result.get(a.code) ?? { safe: 0, unsafe: 0 };
    if (a.applicability === 'safe') c.safe++;
    else c.unsafe++;
    result.set(a.code, c);
  }
  if (result.size === 0) for (const [code, c] of hunksByCode) result.set(code, { ...c });
  return [...result.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([code, c]) => ({ code, ...c }));
}

function computeTotals(files: readonly MigrateFileSummary[]): MigrateTotals {
  const t: MigrateTotals = { scanned: 0, changed: 0, skipped: 0, refused: 0, safeFixes: 0, unsafeFixes: 0, remaining: 0 };
  for (const f of files) {
    if (f.status === 'skipped') t.skipped++;
    else t.scanned++;
    if (f.status === 'changed') t.changed++;
    if (f.status === 'refused') t.refused++;
    for (const c of f.fixes) {
      t.safeFixes += c.safe;
      t.unsafeFixes += c.unsafe;
    }
    t.remaining += f.remaining.length;
  }
  return t;
}

export function formatReport(
  files: readonly MigrateFileSummary[],
  totals: MigrateTotals,
  info: { dryRun: boolean; cancelled: boolean; seconds: number; scope: 'workspace' | 'file' },
): string {
  const lines: string[] = [];
  const kind = info.dryRun ? 'Migration report (dry run, nothing changed)' : info.scope === 'file' ? 'Migrate this file' : 'Migrate workspace';
  lines.push(`AnyIO Migrate: ${kind}`);
  if (info.cancelled) lines.push(`Cancelled after ${plural(totals.scanned + totals.skipped, 'file')}; nothing was changed.`);
  const would = info.dryRun ? 'would change' : 'changed';
  lines.push(
    `${plural(totals.scanned, 'file')} analysed, ${totals.changed} ${would}, ${totals.skipped} skipped, ${totals.refused} refused (${info.seconds.toFixed(1)} s).`,
  );
  lines.push(
    `Fixes: ${totals.safeFixes} safe, ${totals.unsafeFixes} unsafe${totals.unsafeFixes > 0 ? ' (unticked in the preview unless anyioMigrate.unsafeFixes is on)' : ''}.`,
  );
  lines.push(`Findings left for manual work: ${totals.remaining}.`);

  const byRule = new Map<string, { safe: number; unsafe: number; left: number }>();
  for (const f of files) {
    for (const c of f.fixes) {
      const r = byRule.get(c.code) ?? { safe: 0, unsafe: 0, left: 0 };
      r.safe += c.safe;
      r.unsafe += c.unsafe;
      byRule.set(c.code, r);
    }
    for (const rem of f.remaining) {
      const r = byRule.get(rem.code) ?? { safe: 0, unsafe: 0, left: 0 };
      r.left++;
      byRule.set(rem.code, r);
    }
  }
  if (byRule.size > 0) {
    lines.push('', 'By rule:');
    for (const [code, r] of [...byRule.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const name = ruleByCode(code)?.name ?? '';
      lines.push(`  ${code} ${name}: ${r.safe} safe, ${r.unsafe} unsafe, ${r.left} left`);
    }
  }
  const interesting = files.filter((f) => f.status !== 'unchanged' || f.remaining.length > 0);
  if (interesting.length > 0) {
    lines.push('', 'Files:');
    for (const f of interesting) {
      const fixes = f.fixes.map((c) => `${c.code}×${c.safe + c.unsafe}${c.unsafe ? ` (${c.unsafe} unsafe)` : ''}`).join(', ');
      let head = `  ${f.path}: `;
      if (f.status === 'skipped') head += `skipped: ${f.reason ?? ''}`;
      else if (f.status === 'refused') head += `fixes refused: ${f.reason ?? ''}`;
      else if (f.status === 'changed') head += `${info.dryRun ? 'would apply' : 'fixed'} ${fixes}${f.capped ? ' (fix loop capped; run again)' : ''}`;
      else head += 'no automatic fixes';
      lines.push(head);
      for (const r of f.remaining) lines.push(`    ${r.line + 1}:${r.character + 1} ${r.code} ${r.message.split('\n')[0]} [${r.reason}]`);
    }
  }
  return lines.join('\n') + '\n';
}
