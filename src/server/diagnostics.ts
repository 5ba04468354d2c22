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
  // A deprecated usage with a known token: the strike-through goes on the token only
  // (`deprecatedTokenDiagnostic`); without one, on the whole range as before.
  if (finding.deprecated && !validToken(finding)) diagnostic.tags = [DiagnosticTag.Deprecated];
  return diagnostic;
}

function validToken(finding: Finding): finding is Finding & { token: { start: number; end: number } } {
  const t = finding.token;
  return !!t && finding.start <= t.start && t.start < t.end && t.end <= finding.end;
}

/**
 * The strike-through of a deprecated finding, on its deprecated token only (`Finding.token`: the
 * `await`, the old name, the `async` of `async with`), published next to the finding's diagnostic.
 *
 * Why a second diagnostic rather than a narrower range: VS Code draws `DiagnosticTag.Deprecated`
 * over a diagnostic's whole range, and a legacy file where every statement is struck through is
 * hard to read (issue 13). Narrowing the finding's own diagnostic to the token would also shrink
 * its squiggle, its hover and where its quick fixes are offered (the cursor anywhere on
 * `await event.set()` must find the fix). So the finding keeps its range without the tag, and this
 * Hint (which VS Code neither lists in the Problems panel nor counts in the status bar) carries the
 * tag on the token. It has no `source`: the server's quick fixes and the tests that count the
 * server's diagnostics (`source === "anyio-migrate"`) see the finding once; its `data` says
 * which finding it marks.
 */
export function deprecatedTokenDiagnostic(doc: TextDocument, finding: Finding, overrides: Readonly<Record<string, SeverityName>>): Diagnostic | undefined {
  if (!finding.deprecated || !validToken(finding) || severityOverride(finding.code, overrides) === 'off') return undefined;
  const token = doc.getText().slice(finding.token.start, finding.token.end);
  return {
    range: { start: doc.positionAt(finding.token.start), end: doc.positionAt(finding.token.end) },
    severity: DiagnosticSeverity.Hint,
    code: finding.code,
    codeDescription: { href: docsUrl(finding.code) },
    message: `\`${token.length > 40 ? `${token.slice(0, 40)}…` : token}\` is deprecated in AnyIO 3`,
    tags: [DiagnosticTag.Deprecated],
    data: { deprecatedToken: { code: finding.code, start: finding.start, end: finding.end } },
  };
}
