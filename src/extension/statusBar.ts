/**
 * The workspace status bar item: "AnyIO: 37 left" (a spinner while the workspace is being
 * checked, "AnyIO: ✓" when nothing is left), with the safe / needs-review counts and the progress
 * in its tooltip. Clicking it opens the Migration Overview (./overview.ts).
 * The numbers come from the server's `anyioMigrate/workspaceStatus` notification.
 */
import * as vscode from 'vscode';
import { plural } from '../shared/plural';
import type { WorkspaceStatusParams } from '../shared/protocol';

/** Progress against the baseline: the most findings a complete scan of this workspace reported (kept in `workspaceState`). */
export interface MigrationProgress {
  /** The baseline: the first complete scan's findings, raised when a later scan finds more. */
  first: number;
  /** Fixed since: the baseline minus what is left (never below 0). */
  fixed: number;
  /** `fixed` of `first`, in percent (100 when the baseline is 0). */
  percent: number;
}

export function progressOf(first: number | undefined, left: number): MigrationProgress | undefined {
  if (first === undefined) return undefined;
  const fixed = Math.max(0, first - left);
  return { first, fixed, percent: first > 0 ? Math.round((100 * fixed) / first) : 100 };
}

/** A text bar for `percent` (tree descriptions and tooltips have no graphics): `█████░░░░░`. */
export function textBar(percent: number, width = 10): string {
  const full = Math.max(0, Math.min(width, Math.round((percent / 100) * width)));
  return `${'█'.repeat(full)}${'░'.repeat(width - full)}`;
}

/** The item's text and tooltip for a status (undefined: the server has not reported yet). */
export function statusBarContent(s: WorkspaceStatusParams | undefined, progress: MigrationProgress | undefined): { text: string; tooltip: string } {
  if (!s) return { text: '$(sync~spin) AnyIO', tooltip: 'AnyIO Migrate: checking the workspace…' };
  const where = s.scope === 'openFiles' ? 'in the open files (anyioMigrate.diagnosticsScope is "openFiles")' : 'in the workspace';
  const lines: string[] = [];
  if (s.scanning) lines.push(`Checking the workspace: ${s.checked} of ${s.toCheck} files…`);
  if (s.findings === 0) lines.push(`No AnyIO 2 usage left ${where}.`);
  else {
    lines.push(`${plural(s.findings, 'AnyIO 2 usage')} left in ${plural(s.files, 'file')} ${where}:`);
    lines.push(`  ${s.safe} safe to apply now · ${s.review} need review`);
  }
  if (progress && progress.first > 0) lines.push(`${progress.fixed} of ${progress.first} fixed (${progress.percent}%)`);
  lines.push('Click to open the Migration Overview.');
  const spin = s.scanning ? '$(sync~spin) ' : '';
  const text = s.findings === 0 && !s.scanning ? 'AnyIO: $(check)' : `${spin}AnyIO: ${s.findings} left`;
  return { text, tooltip: lines.join('\n') };
}

export class WorkspaceStatusBar implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;

  constructor(command: string) {
    this.item = vscode.window.createStatusBarItem('anyioMigrate.workspaceStatus', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'AnyIO Migrate: workspace';
    this.item.command = command;
    this.update(undefined, undefined);
    this.item.show();
  }

  update(s: WorkspaceStatusParams | undefined, progress: MigrationProgress | undefined): void {
    const { text, tooltip } = statusBarContent(s, progress);
    this.item.text = text;
    this.item.tooltip = tooltip;
  }

  dispose(): void {
    this.item.dispose();
  }
}
