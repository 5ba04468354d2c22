/**
 * What the workspace diagnostics (./workspaceDiagnostics.ts) report beyond the diagnostics: the
 * Migration Overview's sites and counts (`anyioMigrate/overview`, `anyioMigrate/workspaceStatus`)
 * and the progress of a scan (`window/workDoneProgress`).
 */
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { Diagnostic } from 'vscode-languageserver/node';
import { ruleByCode } from '../../engine';
import { toPosix } from '../../shared/paths';
import { plural } from '../../shared/plural';
import { DIAGNOSTIC_SOURCE, type OverviewFile, type OverviewResult, type OverviewSite, type WorkspaceStatusParams } from '../../shared/protocol';
import { isDiagnosticData } from '../diagnostics';
import type { Session } from '../session';

/** One file's findings as the overview lists them. */
export interface SitesOfFile {
  file: string;
  uri: string;
  sites: OverviewSite[];
}

/** Overview sites of published diagnostics: the findings (not notes, nor the hints marking deprecated tokens). */
export function sitesOf(diagnostics: readonly Diagnostic[]): OverviewSite[] {
  const sites: OverviewSite[] = [];
  for (const d of diagnostics) {
    if (d.code === undefined || d.source !== DIAGNOSTIC_SOURCE) continue;
    const fix = isDiagnosticData(d.data) ? d.data.fix : undefined;
    sites.push({
      code: String(d.code),
      line: d.range.start.line,
      character: d.range.start.character,
      endLine: d.range.end.line,
      endCharacter: d.range.end.character,
      message: d.message.split('\n')[0]!,
      safe: fix?.applicability === 'safe',
    });
  }
  return sites;
}

/** Findings, files with findings, and findings with a safe fix. */
export function countSites(files: Iterable<SitesOfFile>): { findings: number; files: number; safe: number } {
  let findings = 0;
  let count = 0;
  let safe = 0;
  for (const { sites } of files) {
    if (sites.length === 0) continue;
    count++;
    findings += sites.length;
    safe += sites.filter((s) => s.safe).length;
  }
  return { findings, files: count, safe };
}

/** The overview of `files` (each in its workspace folder `folderOf`), by path, with the rules found. */
export function overviewOf(entries: Iterable<SitesOfFile>, folderOf: (file: string) => string, status: WorkspaceStatusParams): OverviewResult {
  const files: OverviewFile[] = [];
  const codes = new Set<string>();
  for (const { file, uri, sites } of entries) {
    if (sites.length === 0) continue;
    const folder = folderOf(file);
    files.push({
      uri,
      folder: pathToFileURL(folder).href,
      path: toPosix(path.relative(folder, file)),
      sites: [...sites].sort((a, b) => a.line - b.line || a.character - b.character),
    });
    for (const s of sites) codes.add(s.code);
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const rules = [...codes].sort().map((code) => {
    const meta = ruleByCode(code);
    return { code, name: meta?.name ?? code, summary: meta?.summary ?? '' };
  });
  return { status, files, rules };
}

/** `window/workDoneProgress` for a scan of `files` files (undefined without client support). */
export async function scanProgress(session: Session, files: number): Promise<{ report(done: number, total: number): void; done(): void } | undefined> {
  if (!session.supports.workDoneProgress) return undefined;
  try {
    const reporter = await session.connection.window.createWorkDoneProgress();
    reporter.begin(`AnyIO Migrate: checking ${plural(files, 'file')}`, 0, undefined, false);
    let last = 0;
    return {
      report: (done, total) => {
        const now = Date.now();
        if (now - last < 100 && done !== total) return;
        last = now;
        reporter.report(Math.min(100, Math.round((100 * done) / Math.max(1, total))), `${done}/${total}`);
      },
      done: () => reporter.done(),
    };
  } catch {
    return undefined; // the client refused the token
  }
}

/** `anyioMigrate/overview`: every finding of the workspace (empty without a workspace folder on disk). */
export async function overview(session: Session): Promise<OverviewResult> {
  await session.engineReady;
  const wd = session.workspaceDiagnostics;
  if (wd) return wd.overview();
  const none: WorkspaceStatusParams = { scanning: false, checked: 0, toCheck: 0, scope: 'workspace', findings: 0, files: 0, safe: 0, review: 0 };
  return { status: none, files: [], rules: [] };
}
