/** Engine findings → LSP diagnostics (and back, through `diagnostic.data`). */
import { DiagnosticSeverity, DiagnosticTag, type Diagnostic } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { docsUrl } from '../engine';
import type { Finding, Fix, Severity } from '../core/types';
import { DIAGNOSTIC_SOURCE, type SeverityName } from '../shared/protocol';

/** What each diagnostic carries, so a quick fix never recomputes and never applies to another version. */
export interface DiagnosticData {
  version: number;
  uri: string;
  fix?: Fix;
  /** Offsets of the finding in the text of `version`. */
  start: number;
  end: number;
  /**
   * Notebook cells: the fix's offsets are into the joined text of the notebook's Python cells at
   * this generation (any cell's change makes it stale).
   */
  notebook?: { uri: string; generation: number };
}

export function isDiagnosticData(v: unknown): v is DiagnosticData {
  if (!v || typeof v !== 'object') return false;
  const d = v as Record<string, unknown>;
  return typeof d['version'] === 'number' && typeof d['uri'] === 'string' && typeof d['start'] === 'number' && typeof d['end'] === 'number';
}

const FROM_ENGINE: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

const FROM_SETTING: Record<Exclude<SeverityName, 'off'>, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** The override for `code`: an exact code wins, else the longest matching prefix. */
export function severityOverride(code: string, overrides: Readonly<Record<string, SeverityName>>): SeverityName | undefined {
  let best: string | undefined;
  for (const key of Object.keys(overrides)) {
    if (code === key) return overrides[key];
    if (code.startsWith(key) && (best === undefined || key.length > best.length)) best = key;
  }
  return best === undefined ? undefined : overrides[best];
}

/** Undefined when the user switched the code `off`. */
export function toDiagnostic(doc: TextDocument, finding: Finding, overrides: Readonly<Record<string, SeverityName>>): Diagnostic | undefined {
  const override = severityOverride(finding.code, overrides);
  if (override === 'off') return undefined;
  const data: DiagnosticData = { version: doc.version, uri: doc.uri, start: finding.start, end: finding.end };
  if (finding.fix) data.fix = finding.fix;
  let message = finding.message;
  if (!finding.fix && finding.noFixReason) message += `\nNo automatic fix: ${finding.noFixReason}`;
  const diagnostic: Diagnostic = {
    range: { start: doc.positionAt(finding.start), end: doc.positionAt(finding.end) },
    severity: override ? FROM_SETTING[override] : FROM_ENGINE[finding.severity],
    code: finding.code,
    codeDescription: { href: docsUrl(finding.code) },
    source: DIAGNOSTIC_SOURCE,
    message,
    data,
  };
  if (finding.deprecated) diagnostic.tags = [DiagnosticTag.Deprecated];
  return diagnostic;
}
