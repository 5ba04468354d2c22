/**
 * `textDocument/codeAction`: the actions the server offers for its diagnostics — the finding's fix
 * (and, when no target is chosen, its AnyIO 2 and 3 form), fix all of one code in the file,
 * disable the code for the line (a `# noqa` comment), show the rule's documentation, each titled
 * "AnyIO Migrate (CODE): …" so the menu names the tool and the rule; "Fix all auto-fixable AnyIO
 * problems" (a quick fix too, so it is in the Ctrl+. menu, when the file has more than one
 * fixable finding) — and the source action "fix all safe problems" (what
 * `editor.codeActionsOnSave` runs). Fix-all actions are computed lazily on resolve
 * (features/resolve.ts) when the client can.
 */
import { CodeActionKind, type CancellationToken, type CodeAction, type CodeActionParams, type Diagnostic, type TextEdit } from 'vscode-languageserver/node';
import { analyze, applyFix } from '../../engine';
import { addSuppression } from '../../core/suppression';
import type { Finding, Fix } from '../../core/types';
import { Commands, DIAGNOSTIC_SOURCE, FIX_ALL_KIND } from '../../shared/protocol';
import { isDiagnosticData } from '../diagnostics';
import { lineEndInString, type DocumentState } from '../documents';
import type { Session } from '../session';
import type { EffectiveConfig } from '../settings';
import { currentFindings } from './diagnostics';
import { findingsOf } from './findings';
import { lazyData, resolveCodeAction } from './resolve';
import { fixContext, workspaceEdit } from './workspaceEdits';
import { errorMessage } from '../errors';

/** Whether an action of `kind` was asked for (`only` is hierarchical: `source` covers `source.fixAll.x`). */
/** The title of a quick fix of `code`: the tool and the rule first, as ruff's and ESLint's do. */
export function actionTitle(code: string, title: string): string {
  return `AnyIO Migrate (${code}): ${title}`;
}

/** The quick fix that fixes every auto-fixable finding of the file (safe ones, unsafe ones too when enabled). */
export const FIX_ALL_AUTO_TITLE = 'Fix all auto-fixable AnyIO problems';

function kindRequested(only: readonly string[] | undefined, kind: string): boolean {
  if (!only || only.length === 0) return true;
  return only.some((o) => kind === o || kind.startsWith(`${o}.`));
}

function sameFix(a: Fix, b: Fix): boolean {
  return JSON.stringify(a.edits) === JSON.stringify(b.edits) && JSON.stringify(a.imports ?? []) === JSON.stringify(b.imports ?? []);
}

/**
 * The title suffix of the compat-form alternative of a fix (offered when no target is chosen): a
 * rule's `anyio2+3` fix titles name the versions in their metadata, so a suffix is only needed when
 * the alternative's title is the very title of the `anyio3` fix next to it (the rule checklist test
 * holds the metadata to that).
 */
function compatSuffix(alt: Fix, fix: Fix): string {
  return alt.title === fix.title ? ' (AnyIO 2 and 3)' : '';
}

export async function codeActions(session: Session, params: CodeActionParams, token: CancellationToken): Promise<CodeAction[]> {
  const state = session.docs.get(params.textDocument.uri);
  if (!state || !state.config || !state.config.enable || state.config.excluded) return [];
  if (state.inWorker && (await currentFindings(session, state, token)) === undefined) return [];
  if (session.docs.get(state.uri) !== state || !state.config) return [];
  const only = params.context.only;
  const actions: CodeAction[] = [];
  if (kindRequested(only, CodeActionKind.QuickFix)) {
    actions.push(...quickFixes(session, state, state.config, params.context.diagnostics));
    const fixAllAuto = fixAllAutoAction(session, state, state.config, params.context.diagnostics);
    if (fixAllAuto) actions.push(fixAllAuto);
  }

  // Source fix-all (also what `editor.codeActionsOnSave` runs): safe fixes only, computed on resolve.
  if (kindRequested(only, FIX_ALL_KIND) && (only !== undefined || session.supports.resolve)) {
    const hasSafeFix = (findingsOf(session, state) ?? []).some((f) => f.fix?.applicability === 'safe');
    if (hasSafeFix) {
      const action: CodeAction = {
        title: 'AnyIO Migrate: fix all safe problems',
        kind: FIX_ALL_KIND,
        data: lazyData(session, state, 'fixAll'),
      };
      if (session.supports.resolve) actions.push(action);
      else {
        const resolved = resolveCodeAction(session, action);
        if (resolved.edit) actions.push(resolved);
      }
    }
  }
  return actions;
}

/**
 * "Fix all auto-fixable AnyIO problems" as a quick fix (in the Ctrl+. menu next to the finding's
 * own fix, as ESLint's "Fix all auto-fixable problems"): offered when the request is about one of
 * the server's diagnostics and the file has more than one fixable finding (with one, the finding's
 * own fix is the same thing). Unsafe fixes count only when `anyioMigrate.unsafeFixes` is on, as
 * for "fix all of one code".
 */
function fixAllAutoAction(session: Session, state: DocumentState, config: EffectiveConfig, diagnostics: readonly Diagnostic[]): CodeAction | undefined {
  const ours = diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE && isDiagnosticData(d.data) && d.data.uri === state.uri && d.data.version === state.version);
  if (ours.length === 0) return undefined;
  const fixable = (findingsOf(session, state) ?? []).filter((f) => f.fix && (f.fix.applicability === 'safe' || config.unsafeFixes));
  if (fixable.length < 2) return undefined;
  const action: CodeAction = {
    title: FIX_ALL_AUTO_TITLE,
    kind: CodeActionKind.QuickFix,
    diagnostics: ours,
    data: lazyData(session, state, 'fixAllAuto'),
  };
  return session.supports.resolve ? action : resolveCodeAction(session, action);
}

/** The quick fixes for the server's diagnostics in the request (the documentation actions last). */
function quickFixes(session: Session, state: DocumentState, config: EffectiveConfig, diagnostics: readonly Diagnostic[]): CodeAction[] {
  const actions: CodeAction[] = [];
  const findings = findingsOf(session, state) ?? [];
  const perCode = new Set<string>();
  const disabled = new Set<string>();
  const documented = new Set<string>();
  const docActions: CodeAction[] = [];
  for (const diag of diagnostics) {
    if (diag.source !== DIAGNOSTIC_SOURCE || !isDiagnosticData(diag.data)) continue;
    const data = diag.data;
    const code = String(diag.code ?? '');
    if (data.uri !== state.uri || data.version !== state.version) continue; // stale: never apply to another text
    if (data.notebook && data.notebook.generation !== session.notebooks.ofCell(state.uri)?.generation) continue;
    // The fix of the *current* analysis (same version, current settings) for this finding: a
    // diagnostic published before a settings change (e.g. the target) still carries its old fix.
    const current = findings.find((f) => f.code === code && f.start === data.start && f.end === data.end);
    if (!current) continue;
    const fix = current.fix;
    if (fix) {
      const action = fixAction(session, state, fix, diag);
      if (action) actions.push(action);
    }
    if (!config.targetChosen && fix) {
      const alt = compatFix(session, state, code, data.start, data.end);
      if (alt && !sameFix(alt, fix)) {
        const action = fixAction(session, state, alt, diag, compatSuffix(alt, fix));
        if (action) actions.push({ ...action, isPreferred: false });
      }
    }
    if (!perCode.has(code)) {
      perCode.add(code);
      const fixable = findings.filter((f) => f.code === code && f.fix && (f.fix.applicability === 'safe' || config.unsafeFixes));
      if (fixable.length > 1) {
        const action: CodeAction = {
          title: actionTitle(code, 'Fix all in this file'),
          kind: CodeActionKind.QuickFix,
          diagnostics: [diag],
          data: lazyData(session, state, 'fixAllCode', code),
        };
        actions.push(session.supports.resolve ? action : resolveCodeAction(session, action));
      }
    }
    const line = state.doc.positionAt(data.start).line;
    if (!disabled.has(`${code}:${line}`)) {
      disabled.add(`${code}:${line}`);
      const disable = disableAction(session, state, diag, code, data.start);
      if (disable) actions.push(disable);
    }
    if (!documented.has(code)) {
      documented.add(code);
      const title = actionTitle(code, 'Show documentation');
      docActions.push({
        title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diag],
        command: { title, command: Commands.showRuleDocumentation, arguments: [code] },
      });
    }
  }
  actions.push(...docActions);
  return actions;
}

function fixAction(session: Session, state: DocumentState, fix: Fix, diag: Diagnostic, suffix = ''): CodeAction | undefined {
  const unsafe = fix.applicability === 'unsafe';
  const title = actionTitle(String(diag.code ?? ''), `${fix.title}${suffix}${unsafe ? ' (unsafe)' : ''}`);
  const ctx = fixContext(session, state);
  if (!ctx) return undefined;
  let result: ReturnType<typeof applyFix>;
  try {
    result = applyFix(ctx.text, fix);
  } catch (err) {
    session.connection.console.error(`anyio-migrate: applyFix failed: ${errorMessage(err)}`);
    return undefined;
  }
  const edit = 'refused' in result ? result : ctx.edit(result.output);
  if ('refused' in edit) {
    return { title, kind: CodeActionKind.QuickFix, diagnostics: [diag], disabled: { reason: edit.refused } };
  }
  return { title, kind: CodeActionKind.QuickFix, diagnostics: [diag], isPreferred: !unsafe && suffix === '', edit };
}

/** The `anyio2+3` form of the finding at [start, end), for users who have not chosen a target. */
function compatFix(session: Session, state: DocumentState, code: string, start: number, end: number): Fix | undefined {
  const config = state.config!;
  // Not for large documents: the alternative form would need a second analysis on the main thread.
  if (config.target !== 'anyio3' || session.notebooks.ofCell(state.uri) || state.inWorker) return undefined;
  let cached = session.altCache.get(state.uri);
  if (!cached || cached.version !== state.version || cached.code !== code) {
    let findings: Finding[] = [];
    try {
      findings = analyze(state.text, { ...session.optionsFor(state, config), target: 'anyio2+3', select: [code], ignore: [] });
    } catch {
      findings = [];
    }
    cached = { version: state.version, code, findings };
    session.altCache.set(state.uri, cached);
  }
  return cached.findings.find((f) => f.code === code && f.start === start && f.end === end)?.fix;
}

function disableAction(session: Session, state: DocumentState, diag: Diagnostic, code: string, start: number): CodeAction | undefined {
  const doc = state.doc;
  const line = doc.positionAt(start).line;
  const lineStart = doc.offsetAt({ line, character: 0 });
  const nextLine = doc.offsetAt({ line: line + 1, character: 0 });
  const raw = state.text.slice(lineStart, nextLine);
  const content = raw.replace(/\r?\n$|\r$/, '');
  if (content.endsWith('\\')) return undefined; // a comment would break the line continuation
  // The end of the line inside a (multi-line) string: a comment there would be string content.
  // For a large document the worker found those lines (no parse here).
  try {
    if (state.inWorker ? state.stringLineEnds.has(line) : lineEndInString(state, line)) return undefined;
  } catch {
    /* no tree: offer it anyway */
  }
  const add = addSuppression(content, code);
  if (!add) return undefined;
  const at = doc.positionAt(lineStart + add.offset);
  const edit: TextEdit = { range: { start: at, end: at }, newText: add.text };
  return {
    title: actionTitle(code, 'Disable for this line'),
    kind: CodeActionKind.QuickFix,
    diagnostics: [diag],
    edit: workspaceEdit(session, state, [edit]),
  };
}
