/**
 * Problems of `pyproject.toml` files as diagnostics on those files, and the configuration in
 * effect in the server's log.
 *
 * The files are those the pyproject lookup loaded (every file that applied to a document, a
 * workspace file or a folder looked up since the last file event) plus each workspace folder's
 * own. Each gets all its problems (src/config/pyproject.ts: invalid TOML as an error, invalid
 * values as warnings, each at the offending text) and the warnings of its `exclude` patterns; a
 * file whose problems are gone, or that no longer applies (deleted, renamed), gets an empty list.
 * Refreshes are coalesced and run after each load of a config file, file event and settings change.
 *
 * For each workspace folder the log says, when it changes, which pyproject.toml applies and the
 * settings in effect with where each came from (editor, pyproject, default).
 */
import * as path from 'path';
import { pathToFileURL } from 'url';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import { GitignoreMatcher } from '../../core/glob';
import type { LoadedPyproject } from '../../config/lookup';
import { readConfigText } from '../../config/pyproject';
import { PyprojectLocator, SECTION_PATH } from '../../config/pyproject-locate';
import { DIAGNOSTIC_SOURCE, type Settings } from '../../shared/protocol';
import { plural } from '../../shared/plural';
import type { Session } from '../session';
import { fsPathOf } from '../settings';

class ConfigDiagnostics {
  /** The diagnostics last sent per pyproject.toml URI (as JSON), to send only changes. */
  private readonly published = new Map<string, string>();
  /** The last log line per folder or config file. */
  private readonly logged = new Map<string, string>();
  private scheduled = false;
  private running = false;
  private again = false;

  constructor(private readonly session: Session) {}

  schedule(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.session.background(this.run(), 'reporting pyproject.toml problems');
    });
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      do {
        this.again = false;
        await this.refresh();
      } while (this.again && !this.session.shutdownReceived);
    } finally {
      this.running = false;
    }
  }

  private async refresh(): Promise<void> {
    const s = this.session;
    const folders: Array<{ dir: string; settings: Settings; py: LoadedPyproject | undefined }> = [];
    for (const uri of s.workspaceFolders) {
      const dir = fsPathOf(uri);
      if (!dir) continue;
      const settings = await s.settingsFor(uri);
      folders.push({ dir, settings, py: settings.usePyproject ? s.pyprojects.lookup(dir) : undefined });
    }
    const used = folders.length === 0 ? s.globalSettings.usePyproject || s.supports.configuration : folders.some((f) => f.settings.usePyproject);
    const files = new Map<string, LoadedPyproject>();
    if (used) for (const py of s.pyprojects.loaded()) files.set(py.file, s.pyprojects.load(py.file));

    const current = new Set<string>();
    for (const py of files.values()) {
      const uri = pathToFileURL(py.file).href;
      const diagnostics = diagnosticsOf(py);
      if (diagnostics.length === 0) continue;
      current.add(uri);
      this.send(uri, diagnostics);
    }
    for (const uri of [...this.published.keys()]) if (!current.has(uri)) this.send(uri, []);

    const folderFiles = new Set<string>();
    for (const f of folders) {
      if (f.py) folderFiles.add(f.py.file);
      this.log(f.dir, `anyio-migrate: configuration of ${f.dir}: ${describeFolder(f.settings, f.py)}`);
    }
    for (const py of files.values()) {
      if (!folderFiles.has(py.file)) this.log(py.file, `anyio-migrate: ${py.file} applies under ${path.dirname(py.file)}: ${describePyproject(py)}`);
    }
  }

  private send(uri: string, diagnostics: Diagnostic[]): void {
    const key = JSON.stringify(diagnostics);
    if ((this.published.get(uri) ?? '[]') === key) return;
    if (diagnostics.length === 0) this.published.delete(uri);
    else this.published.set(uri, key);
    this.session.background(this.session.connection.sendDiagnostics({ uri, diagnostics }), 'publishing pyproject.toml diagnostics');
  }

  private log(key: string, line: string): void {
    if (this.logged.get(key) === line) return;
    this.logged.set(key, line);
    this.session.connection.console.info(line);
  }
}

const instances = new WeakMap<Session, ConfigDiagnostics>();

function of(session: Session): ConfigDiagnostics {
  let c = instances.get(session);
  if (!c) {
    c = new ConfigDiagnostics(session);
    instances.set(session, c);
  }
  return c;
}

/** Start reporting: after `initialized`; each config file (re)loaded from then on refreshes the report. */
export function startConfigDiagnostics(session: Session): void {
  const c = of(session);
  session.pyprojects.onLoaded = () => c.schedule();
  c.schedule();
}

/** Settings, config files or workspace folders changed: report again (the lookup was cleared for file events). */
export function configMayHaveChanged(session: Session): void {
  of(session).schedule();
}

/** The diagnostics of one config file: its problems, then its `exclude` patterns' warnings. */
export function diagnosticsOf(py: LoadedPyproject): Diagnostic[] {
  const diagnostics = py.problems.map((p): Diagnostic => ({
    range: p.range,
    severity: p.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    source: DIAGNOSTIC_SOURCE,
    message: p.message,
  }));
  const patterns = py.config.exclude ?? [];
  const warnings = patterns.length > 0 ? new GitignoreMatcher().add(patterns).warnings : [];
  if (warnings.length > 0) {
    const read = readConfigText(py.file);
    const locator = new PyprojectLocator(read.ok ? read.text : '');
    for (const w of warnings) {
      const index = patterns.indexOf(w.pattern);
      diagnostics.push({
        range: locator.locate({ kind: 'value', path: [...SECTION_PATH, 'exclude'], ...(index === -1 ? {} : { index }) }),
        severity: DiagnosticSeverity.Warning,
        source: DIAGNOSTIC_SOURCE,
        message: `[tool.anyio-migrate] exclude pattern '${w.pattern}' ${w.message}`,
      });
    }
  }
  return diagnostics;
}

const list = (xs: readonly string[]): string => xs.join(', ');

/** The settings in effect in a folder and where each comes from (src/server/settings.ts merges them). */
export function describeFolder(settings: Settings, py: LoadedPyproject | undefined): string {
  const pc = py?.config ?? {};
  const parts: string[] = [];
  if (!settings.usePyproject) parts.push('pyproject.toml not used (anyioMigrate.usePyproject is off)');
  else if (!py) parts.push('no pyproject.toml with [tool.anyio-migrate]');
  else parts.push(`${py.file}${py.problems.length > 0 ? ` (${plural(py.problems.length, 'problem')}: the invalid values are ignored)` : ''}`);
  if (!settings.enable) parts.push('disabled (anyioMigrate.enable is off)');
  if (settings.select.length > 0) parts.push(`select ${list(settings.select)} (editor)`);
  else if (pc.select) parts.push(`select ${list(pc.select)} (pyproject)`);
  else parts.push('select all rules (default)');
  const ignore = [...settings.ignore.map((c) => `${c} (editor)`), ...(pc.ignore ?? []).map((c) => `${c} (pyproject)`)];
  parts.push(`ignore ${ignore.length > 0 ? list(ignore) : 'none'}`);
  if (settings.target !== 'auto') parts.push(`target ${settings.target} (editor)`);
  else if (pc.target) parts.push(`target ${pc.target} (pyproject)`);
  else parts.push('target anyio3 (default: not chosen, quick fixes offer both forms)');
  if (settings.unsafeFixes) parts.push('unsafe-fixes on (editor)');
  else if (pc.unsafeFixes) parts.push('unsafe-fixes on (pyproject)');
  else parts.push('unsafe-fixes off');
  parts.push(`exclude ${pc.exclude && pc.exclude.length > 0 ? `${list(pc.exclude)} (pyproject)` : 'none'}`);
  const overrides = Object.entries(settings.severityOverrides);
  if (overrides.length > 0) parts.push(`severity overrides ${list(overrides.map(([c, s]) => `${c}=${s}`))} (editor)`);
  return parts.join('; ');
}

/** The settings a nested pyproject.toml sets (merged with each folder's editor settings). */
export function describePyproject(py: LoadedPyproject): string {
  const pc = py.config;
  const parts: string[] = [];
  if (pc.select) parts.push(`select ${list(pc.select)}`);
  if (pc.ignore) parts.push(`ignore ${list(pc.ignore)}`);
  if (pc.target) parts.push(`target ${pc.target}`);
  if (pc.unsafeFixes !== undefined) parts.push(`unsafe-fixes ${pc.unsafeFixes ? 'on' : 'off'}`);
  if (pc.exclude) parts.push(`exclude ${list(pc.exclude)}`);
  if (parts.length === 0) parts.push('no settings');
  if (py.problems.length > 0) parts.push(plural(py.problems.length, 'problem'));
  return parts.join('; ');
}
