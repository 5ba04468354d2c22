/**
 * The machine-readable formats of findings: `--format json` (the CLI's own stable shape),
 * `github` (GitHub Actions workflow commands, shown as annotations), `gitlab` (a GitLab Code
 * Quality report) and `sarif` (code scanning, `sarif.ts`). Each is a `FindingWriter` fed the
 * findings of one file at a time, in run order, then finished once; all write to stdout.
 *
 * Paths in the CI formats are relative to the current directory, with `/` (a CI job runs at the
 * repository's root, which is what the annotations and reports are resolved against).
 */
import { createHash } from 'crypto';
import type { Finding, Severity } from '../core/types';
import { lineAt, type LineIndex } from '../core/text';
import type { OutputFormat } from './options';
import { ciPath, toJsonFinding } from './report';
import { SarifWriter } from './sarif';

/** One file's findings, sorted in reading order, with the text their offsets are into. */
export interface FileFindings {
  /** As the text output shows it (relative to the current directory, else absolute; `-`: stdin). */
  display: string;
  text: string;
  index: LineIndex;
  findings: readonly Finding[];
}

export interface FindingWriter {
  file(f: FileFindings): void;
  /** After the last file (also when there were none): close the document. */
  finish(): void;
}

/** The writer of a non-text format; `out` writes to stdout. */
export function findingWriter(format: Exclude<OutputFormat, 'text'>, out: (text: string) => void, cwd: string): FindingWriter {
  switch (format) {
    case 'json':
      return new JsonArrayWriter(out, (f) => f.findings.map((finding) => toJsonFinding(f.display, finding, f.index)));
    case 'gitlab':
      return new JsonArrayWriter(out, (f) => gitlabIssues(ciPath(cwd, f.display), f));
    case 'github':
      return { file: (f) => out(githubCommands(ciPath(cwd, f.display), f)), finish: () => undefined };
    case 'sarif':
      return new SarifWriter(out, cwd);
  }
}

/** A JSON array streamed one item at a time (two-space indent, `[]` when empty). */
class JsonArrayWriter implements FindingWriter {
  private count = 0;

  constructor(
    private readonly out: (text: string) => void,
    private readonly items: (f: FileFindings) => readonly unknown[],
  ) {}

  file(f: FileFindings): void {
    for (const item of this.items(f)) {
      const body = JSON.stringify(item, null, 2).replace(/\n/g, '\n  ');
      this.out(`${this.count === 0 ? '[\n  ' : ',\n  '}${body}`);
      this.count++;
    }
  }

  finish(): void {
    this.out(this.count === 0 ? '[]\n' : '\n]\n');
  }
}

// ---------------------------------------------------------------------------------------- GitHub

/** Workflow command data: `%`, CR and LF escaped (the message after `::`). */
export function escapeGithubData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A workflow command property value: the data escapes, plus `:` and `,`. */
export function escapeGithubProperty(s: string): string {
  return escapeGithubData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

const GITHUB_COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice' };

/**
 * `::warning file=a.py,line=5,col=13,endLine=5,endColumn=40,title=ASY101::message`, one line per
 * finding (columns 1-based, in UTF-16 code units, the end column just past the finding).
 */
function githubCommands(file: string, f: FileFindings): string {
  let out = '';
  for (const finding of f.findings) {
    const j = toJsonFinding(file, finding, f.index);
    const props = [`file=${file}`, `line=${j.line}`, `col=${j.column}`, `endLine=${j.endLine}`, `endColumn=${j.endColumn}`, `title=${j.code}`];
    let message = j.message;
    if (j.fix) message += j.fix.applicability === 'safe' ? ` (fix: ${j.fix.title})` : ` (unsafe fix: ${j.fix.title}; needs --unsafe-fixes)`;
    else if (j.noFixReason) message += `\nno automatic fix: ${j.noFixReason}`;
    out += `::${GITHUB_COMMAND[j.severity]} ${props.map(escapeGithubProperty).join(',')}::${escapeGithubData(message)}\n`;
  }
  return out;
}

// ---------------------------------------------------------------------------------------- GitLab

/** One issue of a GitLab Code Quality report. */
export interface GitlabIssue {
  description: string;
  check_name: string;
  fingerprint: string;
  severity: 'info' | 'minor' | 'major' | 'critical' | 'blocker';
  location: { path: string; lines: { begin: number } };
}

const GITLAB_SEVERITY: Record<Severity, GitlabIssue['severity']> = { error: 'major', warning: 'minor', info: 'info' };

/**
 * The file's issues. The fingerprint is stable across edits elsewhere in the file: a hash of the
 * path, the code and the text of the finding's line (not its number), and which occurrence of
 * that triple it is, so two identical lines are still two issues.
 */
function gitlabIssues(file: string, f: FileFindings): GitlabIssue[] {
  const seen = new Map<string, number>();
  return f.findings.map((finding) => {
    const line = lineAt(f.text, finding.start).text.trim();
    const key = `${file}\0${finding.code}\0${line}`;
    const nth = seen.get(key) ?? 0;
    seen.set(key, nth + 1);
    return {
      description: `${finding.code} ${finding.message}`,
      check_name: finding.code,
      fingerprint: createHash('sha256').update(`${key}\0${nth}`).digest('hex'),
      severity: GITLAB_SEVERITY[finding.severity],
      location: { path: file, lines: { begin: f.index.lineColumn(finding.start).line } },
    };
  });
}
