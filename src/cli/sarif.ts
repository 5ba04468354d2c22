/**
 * `--format sarif`: the findings of a run as one SARIF 2.1.0 log (one run), for code scanning
 * (GitHub's `upload-sarif`, IDE viewers). The tool's rules come from the engine's registry; each
 * result has its rule, level, message and region (1-based lines and columns, columns in UTF-16
 * code units, SARIF's default `columnKind`), and, when it has a safe fix, that fix as replacements.
 * Paths are relative to the current directory (`%SRCROOT%`); a file outside it gets a `file:` URI.
 */
import * as path from 'path';
import { pathToFileURL } from 'url';
import { applyFix, docsUrl, DOCS_BASE, RULES } from '../engine';
import type { LineIndex } from '../core/text';
import type { Edit, Finding, Fix, Severity } from '../core/types';
import type { FileFindings, FindingWriter } from './formats';
import { ciPath } from './report';
import { packageVersion } from './version';

export const SARIF_VERSION = '2.1.0';
export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
/** The base the relative artifact URIs are resolved against. */
export const SRCROOT = '%SRCROOT%';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

export interface SarifRegion {
  startLine: number;
  startColumn: number;
  endLine: number;
  /** Just past the region's last character. */
  endColumn: number;
}

export interface SarifArtifactLocation {
  uri: string;
  uriBaseId?: string;
}

interface SarifReplacement {
  deletedRegion: SarifRegion;
  insertedContent: { text: string };
}

export interface SarifFix {
  description: { text: string };
  artifactChanges: Array<{ artifactLocation: SarifArtifactLocation; replacements: SarifReplacement[] }>;
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: 'error' | 'warning' | 'note';
  message: { text: string };
  locations: Array<{ physicalLocation: { artifactLocation: SarifArtifactLocation; region: SarifRegion } }>;
  fixes?: SarifFix[];
  properties?: { noFixReason?: string; unsafeFix?: string };
}

function regionOf(index: LineIndex, start: number, end: number): SarifRegion {
  const s = index.lineColumn(start);
  const e = index.lineColumn(end);
  return { startLine: s.line, startColumn: s.column, endLine: e.line, endColumn: e.column };
}

/** Relative to `%SRCROOT%`, each segment percent-encoded (a space is `%20`); outside it, a `file:` URI. */
function artifactLocationOf(cwd: string, display: string): SarifArtifactLocation {
  const rel = ciPath(cwd, display);
  if (rel === '..' || rel.startsWith('../')) return { uri: pathToFileURL(path.resolve(cwd, display)).href };
  return { uri: rel.split('/').map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
}

/**
 * The span of `before` that differs from `after` and its replacement (common prefix and suffix
 * left out, never splitting a surrogate pair).
 */
export function changedSpan(before: string, after: string): Edit {
  let p = 0;
  const max = Math.min(before.length, after.length);
  while (p < max && before.charCodeAt(p) === after.charCodeAt(p)) p++;
  if (p > 0 && isHighSurrogate(before.charCodeAt(p - 1))) p--;
  let s = 0;
  while (s < max - p && before.charCodeAt(before.length - 1 - s) === after.charCodeAt(after.length - 1 - s)) s++;
  if (s > 0 && isLowSurrogate(before.charCodeAt(before.length - s))) s--;
  return { start: p, end: before.length - s, text: after.slice(p, after.length - s) };
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/**
 * A fix as SARIF replacements: its edits as they are; a fix that also adds imports is applied (as
 * a quick fix would be) and given as the one span it changes. Undefined when it cannot be applied.
 */
function sarifFix(f: FileFindings, fix: Fix, artifactLocation: SarifArtifactLocation): SarifFix | undefined {
  let edits: Edit[];
  if (!fix.imports || fix.imports.length === 0) edits = [...fix.edits].sort((a, b) => a.start - b.start || a.end - b.end);
  else {
    const applied = applyFix(f.text, fix);
    if (!('output' in applied)) return undefined;
    edits = [changedSpan(f.text, applied.output)];
  }
  const replacements = edits.map((e) => ({ deletedRegion: regionOf(f.index, e.start, e.end), insertedContent: { text: e.text } }));
  return { description: { text: fix.title }, artifactChanges: [{ artifactLocation, replacements }] };
}

function sarifResult(f: FileFindings, finding: Finding, artifactLocation: SarifArtifactLocation): SarifResult {
  const result: SarifResult = {
    ruleId: finding.code,
    ruleIndex: RULES.findIndex((r) => r.code === finding.code),
    level: LEVEL[finding.severity],
    message: { text: finding.message },
    locations: [{ physicalLocation: { artifactLocation, region: regionOf(f.index, finding.start, finding.end) } }],
  };
  if (finding.fix?.applicability === 'safe') {
    const fix = sarifFix(f, finding.fix, artifactLocation);
    if (fix) result.fixes = [fix];
  } else if (finding.fix) result.properties = { unsafeFix: finding.fix.title };
  else if (finding.noFixReason) result.properties = { noFixReason: finding.noFixReason };
  return result;
}

/** Collects the results of every file, then writes the log in one piece. */
export class SarifWriter implements FindingWriter {
  private readonly results: SarifResult[] = [];

  constructor(
    private readonly out: (text: string) => void,
    private readonly cwd: string,
  ) {}

  file(f: FileFindings): void {
    const artifactLocation = artifactLocationOf(this.cwd, f.display);
    for (const finding of f.findings) this.results.push(sarifResult(f, finding, artifactLocation));
  }

  finish(): void {
    const root = pathToFileURL(this.cwd).href;
    const log = {
      $schema: SARIF_SCHEMA,
      version: SARIF_VERSION,
      runs: [
        {
          tool: {
            driver: {
              name: 'anyio-migrate',
              version: packageVersion(),
              informationUri: DOCS_BASE.replace(/\/blob\/.*$/, ''),
              rules: RULES.map((r) => ({
                id: r.code,
                name: r.name,
                shortDescription: { text: r.summary },
                helpUri: docsUrl(r.code),
                defaultConfiguration: { level: LEVEL[r.defaultSeverity] },
              })),
            },
          },
          originalUriBaseIds: { [SRCROOT]: { uri: root.endsWith('/') ? root : `${root}/` } },
          columnKind: 'utf16CodeUnits',
          results: this.results,
        },
      ],
    };
    this.out(`${JSON.stringify(log, null, 2)}\n`);
  }
}
