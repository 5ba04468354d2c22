/**
 * The Migration Overview: a tree view in the Explorer ("AnyIO Migration") and the workspace status
 * bar item (./statusBar.ts) that opens it. It shows the migration of the whole workspace:
 *
 * - progress ("12 of 49 fixed (24%)", with a text bar) against a baseline kept in `workspaceState`:
 *   the most findings a complete scan of the workspace has reported (the first scan's, raised when
 *   new AnyIO 2 code arrives, so a fix always counts and progress never sticks at 0);
 * - what is safe to apply now and what needs review;
 * - per rule and per folder/file, counts, down to each site (a click opens the file there);
 * - inline actions: migrate one rule, or one folder, across the workspace (the server's migrate
 *   request with `codes` or a folder, through the same preview and report as Migrate Workspace).
 *
 * The data is the server's `anyioMigrate/overview` (every finding of the workspace, open documents
 * from their editor text); the status bar follows `anyioMigrate/workspaceStatus`.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { plural } from '../shared/plural';
import {
  OverviewRequest,
  WorkspaceStatusNotification,
  type MigrateFolder,
  type MigrateParams,
  type MigrateResult,
  type OverviewFile,
  type OverviewResult,
  type OverviewSite,
  type WorkspaceStatusParams,
} from '../shared/protocol';
import { progressOf, textBar, WorkspaceStatusBar, type MigrationProgress } from './statusBar';

export const OverviewCommands = {
  show: 'anyioMigrate.showOverview',
  refresh: 'anyioMigrate.overview.refresh',
  migrateRule: 'anyioMigrate.overview.migrateRule',
  migrateFolder: 'anyioMigrate.overview.migrateFolder',
} as const;

export const OVERVIEW_VIEW = 'anyioMigrate.overview';
/** `workspaceState` key: the findings of the first complete scan of this workspace. */
const FIRST_SCAN_KEY = 'anyioMigrate.firstScanFindings'; // the baseline (name kept: existing workspaces have it)

export type OverviewNode =
  | { kind: 'progress' }
  | { kind: 'safety'; safe: boolean; count: number }
  | { kind: 'group'; by: 'rule' | 'folder' }
  | { kind: 'rule'; code: string; name: string; summary: string; sites: number; safe: number }
  | { kind: 'dir'; folder: string; path: string; files: OverviewFile[] }
  | { kind: 'file'; file: OverviewFile; code?: string }
  | { kind: 'site'; file: OverviewFile; site: OverviewSite };

const counts = (sites: readonly OverviewSite[]): string => {
  const safe = sites.filter((s) => s.safe).length;
  return `${sites.length} · ${safe} safe, ${sites.length - safe} review`;
};

/** Sites of a file, for one rule when `code` is given. */
const sitesOf = (file: OverviewFile, code?: string): OverviewSite[] => (code ? file.sites.filter((s) => s.code === code) : file.sites);

export class OverviewProvider implements vscode.TreeDataProvider<OverviewNode> {
  private readonly changed = new vscode.EventEmitter<OverviewNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private data: OverviewResult | undefined;
  private fetching: Promise<OverviewResult> | undefined;
  private stale = true;

  constructor(
    private readonly fetch: () => Promise<OverviewResult>,
    private readonly progress: () => MigrationProgress | undefined,
  ) {}

  /** The server's data changed: the tree is fetched again when next shown. */
  invalidate(): void {
    this.stale = true;
    this.changed.fire(undefined);
  }

  /** The current data (fetched again when stale). */
  async load(): Promise<OverviewResult> {
    if (this.data && !this.stale) return this.data;
    if (!this.fetching) {
      this.stale = false;
      this.fetching = this.fetch().finally(() => (this.fetching = undefined));
    }
    this.data = await this.fetching;
    return this.data;
  }

  async getChildren(node?: OverviewNode): Promise<OverviewNode[]> {
    const data = await this.load();
    if (!node) {
      const st = data.status;
      return [
        { kind: 'progress' },
        { kind: 'safety', safe: true, count: st.safe },
        { kind: 'safety', safe: false, count: st.review },
        { kind: 'group', by: 'rule' },
        { kind: 'group', by: 'folder' },
      ];
    }
    switch (node.kind) {
      case 'group':
        return node.by === 'rule' ? this.rules(data) : this.dirChildren(data.files, '', undefined);
      case 'rule':
        return data.files.filter((f) => f.sites.some((s) => s.code === node.code)).map((file) => ({ kind: 'file', file, code: node.code }));
      case 'dir':
        return this.dirChildren(node.files, node.path, node.folder);
      case 'file':
        return sitesOf(node.file, node.code).map((site) => ({ kind: 'site', file: node.file, site }));
      default:
        return [];
    }
  }

  private rules(data: OverviewResult): OverviewNode[] {
    return data.rules.map((r) => {
      const sites = data.files.flatMap((f) => f.sites.filter((s) => s.code === r.code));
      return { kind: 'rule', ...r, sites: sites.length, safe: sites.filter((s) => s.safe).length };
    });
  }

  /** The folders and files directly under `dir` (the workspace folders themselves at the top when there are several). */
  private dirChildren(files: readonly OverviewFile[], dir: string, folder: string | undefined): OverviewNode[] {
    if (folder === undefined) {
      const folders = [...new Set(files.map((f) => f.folder))];
      if (folders.length > 1) return folders.map((fo) => ({ kind: 'dir', folder: fo, path: '', files: files.filter((f) => f.folder === fo) }));
      folder = folders[0] ?? '';
    }
    const prefix = dir === '' ? '' : `${dir}/`;
    const dirs = new Map<string, OverviewFile[]>();
    const direct: OverviewNode[] = [];
    for (const f of files) {
      const rest = f.path.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash === -1) direct.push({ kind: 'file', file: f });
      else {
        const sub = `${prefix}${rest.slice(0, slash)}`;
        dirs.set(sub, [...(dirs.get(sub) ?? []), f]);
      }
    }
    const subdirs: OverviewNode[] = [...dirs].map(([p, fs]) => ({ kind: 'dir', folder: folder!, path: p, files: fs }));
    return [...subdirs, ...direct];
  }

  getTreeItem(node: OverviewNode): vscode.TreeItem {
    const C = vscode.TreeItemCollapsibleState;
    switch (node.kind) {
      case 'progress': {
        const left = this.data?.status.findings ?? 0;
        const p = this.progress();
        const item = new vscode.TreeItem('Progress', C.None);
        if (p && p.first > 0) item.description = `${textBar(p.percent)} ${p.fixed} of ${p.first} fixed (${p.percent}%)`;
        else item.description = left === 0 ? 'nothing to migrate' : `${plural(left, 'usage')} left`;
        if (this.data?.status.scanning) item.description += ' · checking…';
        item.tooltip = `AnyIO 2 usages left: ${left}${p ? `\nMost found by a complete scan: ${p.first}` : ''}`;
        item.iconPath = new vscode.ThemeIcon(this.data?.status.scanning ? 'sync~spin' : 'graph');
        return item;
      }
      case 'safety': {
        const item = new vscode.TreeItem(node.safe ? 'Safe to apply now' : 'Needs review', C.None);
        item.description = String(node.count);
        item.tooltip = node.safe
          ? 'Findings with a safe fix: "AnyIO Migrate: Migrate Workspace" applies them without review.'
          : 'Findings without an automatic fix, or whose fix is unsafe (unticked in the preview until you review it).';
        item.iconPath = new vscode.ThemeIcon(node.safe ? 'check' : 'eye');
        return item;
      }
      case 'group': {
        const item = new vscode.TreeItem(node.by === 'rule' ? 'By rule' : 'By folder', C.Expanded);
        item.iconPath = new vscode.ThemeIcon(node.by === 'rule' ? 'list-tree' : 'folder');
        return item;
      }
      case 'rule': {
        const item = new vscode.TreeItem(`${node.code} ${node.name}`, C.Collapsed);
        item.description = `${node.sites} · ${node.safe} safe, ${node.sites - node.safe} review`;
        item.tooltip = node.summary;
        item.contextValue = 'anyioRule';
        item.iconPath = new vscode.ThemeIcon('symbol-rule');
        return item;
      }
      case 'dir': {
        const name = node.path === '' ? vscode.Uri.parse(node.folder).path.split('/').pop()! : node.path.split('/').pop()!;
        const item = new vscode.TreeItem(name, C.Collapsed);
        item.resourceUri = this.dirUri(node);
        item.description = counts(node.files.flatMap((f) => f.sites));
        item.contextValue = 'anyioFolder';
        item.iconPath = vscode.ThemeIcon.Folder;
        return item;
      }
      case 'file': {
        const item = new vscode.TreeItem(vscode.Uri.parse(node.file.uri), C.Collapsed);
        item.description = counts(sitesOf(node.file, node.code));
        item.tooltip = node.file.path;
        item.contextValue = 'anyioFile';
        item.iconPath = vscode.ThemeIcon.File; // a collapsible resource would get a folder icon
        return item;
      }
      case 'site': {
        const s = node.site;
        const item = new vscode.TreeItem(`${s.code} ${s.message}`, C.None);
        item.description = `${s.line + 1}:${s.character + 1}${s.safe ? '' : ' · needs review'}`;
        item.tooltip = `${node.file.path}:${s.line + 1}:${s.character + 1}\n${s.message}\n${s.safe ? 'Safe fix available' : 'Needs review'}`;
        item.iconPath = new vscode.ThemeIcon(s.safe ? 'lightbulb-autofix' : 'warning');
        const selection = new vscode.Range(s.line, s.character, s.endLine, s.endCharacter);
        item.command = { title: 'Open', command: 'vscode.open', arguments: [vscode.Uri.parse(node.file.uri), { selection } satisfies vscode.TextDocumentShowOptions] };
        return item;
      }
    }
  }

  dirUri(node: Extract<OverviewNode, { kind: 'dir' }>): vscode.Uri {
    const base = vscode.Uri.parse(node.folder);
    return node.path === '' ? base : vscode.Uri.joinPath(base, ...node.path.split('/'));
  }
}

/** What the extension-host tests read. */
export interface OverviewApi {
  provider: OverviewProvider;
  statusBar: vscode.StatusBarItem;
  /** The last workspace status the server sent. */
  status(): WorkspaceStatusParams | undefined;
  progress(): MigrationProgress | undefined;
}

export interface OverviewHost {
  client: LanguageClient;
  /** Resolves once the server runs. */
  ready: Promise<void>;
  /** Runs a migration like "Migrate Workspace" (preview, report). */
  migrate(params: Omit<MigrateParams, 'progressId'>, title: string): Promise<MigrateResult | undefined>;
  /** The workspace folders with their `files.exclude`. */
  folders(): MigrateFolder[];
}

export function registerOverview(context: vscode.ExtensionContext, host: OverviewHost): OverviewApi {
  let status: WorkspaceStatusParams | undefined;
  const progress = (): MigrationProgress | undefined => progressOf(context.workspaceState.get<number>(FIRST_SCAN_KEY), status?.findings ?? 0);
  const provider = new OverviewProvider(async () => {
    await host.ready;
    return host.client.sendRequest<OverviewResult>(OverviewRequest);
  }, progress);
  const bar = new WorkspaceStatusBar(OverviewCommands.show);
  const view = vscode.window.createTreeView(OVERVIEW_VIEW, { treeDataProvider: provider, showCollapseAll: true });
  void vscode.commands.executeCommand('setContext', 'anyioMigrate.pythonWorkspace', true);

  let timer: ReturnType<typeof setTimeout> | undefined;
  const onStatus = (s: WorkspaceStatusParams): void => {
    status = s;
    // The baseline of the progress: the most findings a complete scan of the whole workspace reported.
    const baseline = context.workspaceState.get<number>(FIRST_SCAN_KEY);
    if (!s.scanning && s.scope === 'workspace' && (baseline === undefined || s.findings > baseline)) {
      void context.workspaceState.update(FIRST_SCAN_KEY, s.findings);
    }
    bar.update(s, progress());
    // The tree follows at most every 300 ms (a scan sends many statuses).
    if (!timer) {
      timer = setTimeout(() => {
        timer = undefined;
        provider.invalidate();
      }, 300);
    }
  };

  const dirParams = (node: Extract<OverviewNode, { kind: 'dir' }>): MigrateFolder => {
    const ws = host.folders().find((f) => f.uri === node.folder || vscode.Uri.parse(f.uri).toString() === vscode.Uri.parse(node.folder).toString());
    return { uri: host.client.code2ProtocolConverter.asUri(provider.dirUri(node)), exclude: ws?.exclude ?? [] };
  };

  context.subscriptions.push(
    bar,
    view,
    vscode.commands.registerCommand(OverviewCommands.show, async () => {
      provider.invalidate();
      await vscode.commands.executeCommand(`${OVERVIEW_VIEW}.focus`);
    }),
    vscode.commands.registerCommand(OverviewCommands.refresh, () => provider.invalidate()),
    vscode.commands.registerCommand(OverviewCommands.migrateRule, (node?: OverviewNode) => {
      if (node?.kind !== 'rule') return undefined;
      return host.migrate({ folders: host.folders(), codes: [node.code], dryRun: false }, `AnyIO Migrate: migrating ${node.code} across the workspace`);
    }),
    vscode.commands.registerCommand(OverviewCommands.migrateFolder, (node?: OverviewNode) => {
      if (node?.kind !== 'dir') return undefined;
      return host.migrate({ folders: [dirParams(node)], dryRun: false }, `AnyIO Migrate: migrating ${node.path || 'the folder'}`);
    }),
    { dispose: () => timer && clearTimeout(timer) },
  );
  void host.ready.then(
    () => context.subscriptions.push(host.client.onNotification(WorkspaceStatusNotification, onStatus)),
    () => undefined,
  );
  return { provider, statusBar: bar.item, status: () => status, progress };
}
