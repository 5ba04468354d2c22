/**
 * The tiny protocol shared by the VS Code client (src/extension) and the language server
 * (src/server): identifiers, setting names and the custom LSP messages. Plain data only; the one
 * import is type-only, so this module has no runtime dependencies on either side.
 */
import type { WorkspaceEdit } from 'vscode-languageserver-types';

/** `Diagnostic.source` of every finding. */
export const DIAGNOSTIC_SOURCE = 'anyio-migrate';

/** Code action kind of the on-save fix-all (`editor.codeActionsOnSave`). */
export const FIX_ALL_KIND = 'source.fixAll.anyio-migrate';

/** Configuration section of the settings (`anyioMigrate.*`). */
export const CONFIG_SECTION = 'anyioMigrate';

/** Commands contributed by the extension. Code actions refer to `showRuleDocumentation`. */
export const Commands = {
  migrateWorkspace: 'anyioMigrate.migrateWorkspace',
  migrateFile: 'anyioMigrate.migrateFile',
  showMigrationReport: 'anyioMigrate.showMigrationReport',
  showRuleDocumentation: 'anyioMigrate.showRuleDocumentation',
} as const;

export type SeverityName = 'error' | 'warning' | 'information' | 'hint' | 'off';

/** `anyioMigrate.target`: `auto` = pyproject's `target`, else `anyio3` with both quick-fix forms offered. */
export type TargetSetting = 'auto' | 'anyio3' | 'anyio2+3';

/** The `anyioMigrate` settings as VS Code stores them (per workspace folder). */
export interface Settings {
  enable: boolean;
  select: string[];
  ignore: string[];
  severityOverrides: Record<string, SeverityName>;
  unsafeFixes: boolean;
  target: TargetSetting;
  /** Whether `[tool.anyio-migrate]` in the nearest pyproject.toml is honoured. */
  usePyproject: boolean;
  /** `anyioMigrate.diagnosticsScope`: every file of the workspace (default) or open files only. */
  diagnosticsScope?: DiagnosticsScope;
}

export type DiagnosticsScope = 'workspace' | 'openFiles';

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  enable: true,
  select: [],
  ignore: [],
  severityOverrides: {},
  unsafeFixes: false,
  target: 'auto',
  usePyproject: true,
});

// ---------------------------------------------------------------------------------------------
// Migrate workspace / file / report

export interface MigrateFolder {
  /** Workspace folder URI (`file:` only; other schemes are reported as skipped). */
  uri: string;
  /** Glob patterns of `files.exclude` that are switched on for this folder. */
  exclude: string[];
}

export interface MigrateParams {
  /** Folders to scan. Ignored when `uris` is set. */
  folders: MigrateFolder[];
  /** Migrate exactly these documents ("Migrate This File"); open or on disk. */
  uris?: string[];
  /** Compute the report only; `edit` is then null. */
  dryRun: boolean;
  /** Echoed in `MigrateProgressNotification` so the client can route progress. */
  progressId?: string;
  /**
   * The report after Apply: the fixes the client found applied in each of these documents (rows
   * left unticked in the preview are not); the server reports their current text as it is now.
   */
  applied?: MigrateAppliedFile[];
  /** What the report's title names (the report after Apply has no `uris`): by default "file" with `uris`, else "workspace". */
  scope?: 'workspace' | 'file';
  /** Only these rule codes (exact codes or prefixes) are fixed and reported (the Migration Overview's per-rule migrate). */
  codes?: string[];
}

/** The fixes of one document's preview rows that the edit really applied (see `MigrateParams.applied`). */
export interface MigrateAppliedFile {
  uri: string;
  fixes: Array<{ code: string; safe: number; unsafe: number }>;
  /** Preview rows not applied (unticked). */
  notApplied: number;
}

/** One row of the refactor preview: the fixes in the text edit of the same index. */
export interface MigrateRowInfo {
  label: string;
  fixes: Array<{ code: string; unsafe: boolean }>;
}

export interface MigrateRemaining {
  code: string;
  line: number; // 0-based
  character: number; // 0-based, UTF-16
  message: string;
  /** Why it was not fixed: no automatic fix (with the rule's reason) or an unsafe fix not applied. */
  reason: string;
}

export interface MigrateFileSummary {
  uri: string;
  /** Path relative to its workspace folder (or the fs path). */
  path: string;
  status: 'changed' | 'unchanged' | 'skipped' | 'refused';
  /** Why a file was skipped or its fixes refused. */
  reason?: string;
  /** Fixes in the edit by code, split by safety. */
  fixes: Array<{ code: string; safe: number; unsafe: number }>;
  remaining: MigrateRemaining[];
  /** Fix loop hit its iteration cap. */
  capped?: boolean;
  /** The preview rows of this file's edit, in the order of its text edits (not on a dry run). */
  rows?: MigrateRowInfo[];
  /** Preview rows left unticked (the report after Apply). */
  notApplied?: number;
}

export interface MigrateTotals {
  scanned: number;
  changed: number;
  skipped: number;
  refused: number;
  safeFixes: number;
  unsafeFixes: number;
  remaining: number;
}

export interface MigrateResult {
  /** One edit for everything, change annotations grouped by rule; null on dry run or no change. */
  edit: WorkspaceEdit | null;
  files: MigrateFileSummary[];
  totals: MigrateTotals;
  /** Human-readable summary for the output channel. */
  report: string;
  cancelled: boolean;
}

export const MigrateRequest = 'anyioMigrate/migrate';

export interface MigrateProgressParams {
  progressId: string;
  done: number;
  total: number;
  /** The file being processed. */
  path?: string;
}

export const MigrateProgressNotification = 'anyioMigrate/migrateProgress';

// ---------------------------------------------------------------------------------------------
// Status and rule docs

export interface DocumentStatusParams {
  uri: string;
  version: number | null;
  enabled: boolean;
  rulesActive: number;
  rulesTotal: number;
  findings: number;
  target: 'anyio3' | 'anyio2+3';
  /** Problems reading pyproject.toml, if any. */
  configErrors: string[];
}

/** Sent by the server after each validation of a document. */
export const DocumentStatusNotification = 'anyioMigrate/documentStatus';

export interface RuleInfo {
  code: string;
  name: string;
  summary: string;
  docsUrl: string;
}

export const RulesRequest = 'anyioMigrate/rules';

export interface RuleDocsParams {
  code: string;
}

export interface RuleDocsResult {
  code: string;
  /** Markdown built from the rule's metadata (same text as the hover, without the occurrence). */
  markdown: string;
  url: string;
}

/** Returns null for an unknown code. */
export const RuleDocsRequest = 'anyioMigrate/ruleDocs';

// ---------------------------------------------------------------------------------------------
// Workspace diagnostics: the status bar item and the Migration Overview

/** The migration of the whole workspace in numbers (sent when it changes, at most a few times a second). */
export interface WorkspaceStatusParams {
  /** Files are still being checked (the first scan, or files changed on disk). */
  scanning: boolean;
  /** Files checked and files to check in the current scan. */
  checked: number;
  toCheck: number;
  /** `anyioMigrate.diagnosticsScope` of the first folder (`openFiles`: counts cover open files only). */
  scope: DiagnosticsScope;
  /** AnyIO 2 usages left, the files holding them, and how many have a safe fix (the rest need review). */
  findings: number;
  files: number;
  safe: number;
  review: number;
}

export const WorkspaceStatusNotification = 'anyioMigrate/workspaceStatus';

/** One finding of the Migration Overview (0-based positions, UTF-16). */
export interface OverviewSite {
  code: string;
  line: number;
  character: number;
  endLine: number;
  endCharacter: number;
  /** The message's first line. */
  message: string;
  /** It has a safe fix (applied by Migrate Workspace without review). */
  safe: boolean;
}

export interface OverviewFile {
  uri: string;
  /** Its workspace folder's URI, and its path relative to it (`/` separators). */
  folder: string;
  path: string;
  sites: OverviewSite[];
}

export interface OverviewResult {
  status: WorkspaceStatusParams;
  /** Files with findings, by path. */
  files: OverviewFile[];
  /** Name and summary of each rule that has findings. */
  rules: Array<{ code: string; name: string; summary: string }>;
}

/** The Migration Overview's data: every finding of the workspace (open documents from the editor's text). */
export const OverviewRequest = 'anyioMigrate/overview';
