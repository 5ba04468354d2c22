/**
 * Diagnostics: when an open document (or notebook) is validated — right away, coalesced or
 * debounced by how long its analysis takes — where (main thread or the analysis worker), and what
 * is published (`textDocument/publishDiagnostics` plus the `anyioMigrate/documentStatus`
 * notification). Requests that need the findings of a document being analysed in the worker wait
 * here (`currentFindings`).
 */
import { DiagnosticSeverity, type CancellationToken, type Diagnostic } from 'vscode-languageserver/node';
import { isRuleEnabled, RULES } from '../../engine';
import { analyzeOptionsFor } from '../../config/engine-options';
import type { Finding } from '../../core/types';
import { DIAGNOSTIC_SOURCE, DocumentStatusNotification, type DocumentStatusParams } from '../../shared/protocol';
import { budgetMessage, type WorkerOutcome } from '../analysisWorker';
import { deprecatedTokenDiagnostic, toDiagnostic, type DiagnosticData } from '../diagnostics';
import type { DocumentState } from '../documents';
import type { NotebookState } from '../notebooks';
import { WORKER_MIN_CHARS, type Session } from '../session';
import { findingsOf, notebookAnalysis } from './findings';

/** Analyses slower than this (ms) make the next validation wait COALESCE_MS for queued changes. */
const SLOW_ANALYSIS_MS = 15;
const COALESCE_MS = 5;
/**
 * Documents whose analysis takes longer than this (ms) are analysed when typing pauses (after as
 * long as one analysis takes, capped), so the server keeps answering hovers and code actions.
 * They are also analysed in the worker from then on.
 */
const LARGE_ANALYSIS_MS = 250;
const MAX_DEBOUNCE_MS = 1500;

/**
 * Validate soon: right after this message for cheap documents; for documents whose analysis is
 * slow, a few milliseconds later, so a burst of queued changes (fast typing) is applied first and
 * analysed once instead of once per keystroke.
 */
export function schedule(session: Session, state: DocumentState): void {
  if (session.shutdownReceived) return;
  const nb = session.notebooks.ofCell(state.uri);
  if (nb) {
    scheduleNotebook(session, nb, true);
    return;
  }
  const run = (): void => {
    state.validationScheduled = false;
    state.debounce = undefined;
    session.background(validate(session, state), `validation of ${state.uri}`);
  };
  if (state.lastAnalysisMs > LARGE_ANALYSIS_MS) {
    // A large document: wait for a pause in the changes (each change restarts the wait).
    if (state.debounce) clearTimeout(state.debounce);
    state.validationScheduled = true;
    state.debounce = setTimeout(run, Math.min(MAX_DEBOUNCE_MS, state.lastAnalysisMs));
    if (!state.degradedNoted) {
      state.degradedNoted = true;
      session.connection.console.info(`${state.uri}: analysing this document takes ${Math.round(state.lastAnalysisMs)} ms, so its diagnostics are updated when typing pauses.`);
    }
    return;
  }
  if (state.validationScheduled) return;
  state.validationScheduled = true;
  if (state.lastAnalysisMs > SLOW_ANALYSIS_MS) setTimeout(run, COALESCE_MS);
  else setImmediate(run);
}

async function validate(session: Session, state: DocumentState): Promise<void> {
  await session.engineReady;
  if (session.docs.get(state.uri) !== state) return; // closed meanwhile
  if (!state.config) {
    const generation = session.configGeneration;
    const config = await session.configFor(state.uri);
    if (session.docs.get(state.uri) !== state) return;
    if (generation !== session.configGeneration) return; // settings changed again: that change re-schedules
    state.config = config;
  }
  if (state.desync !== undefined) {
    publishDesynced(session, state);
    return;
  }
  if (usesWorker(session, state)) {
    await validateInWorker(session, state);
    return;
  }
  const version = state.version;
  const findings = findingsOf(session, state);
  if (!findings || state.version !== version) return;
  publish(session, state, findings);
}

/** Whether `state` is analysed in the worker (large, or slow on the main thread); sticky until closed. */
function usesWorker(session: Session, state: DocumentState): boolean {
  if (state.inWorker) return true;
  if (!session.worker.available || session.notebooks.ofCell(state.uri)) return false;
  if (state.text.length >= (session.options.workerMinChars ?? WORKER_MIN_CHARS) || state.lastAnalysisMs > LARGE_ANALYSIS_MS) state.inWorker = true;
  return state.inWorker;
}

/**
 * Analyse in the worker and publish. One analysis per document at a time: changes meanwhile
 * mark it for re-analysis, and a result for a version that is no longer current is dropped.
 */
async function validateInWorker(session: Session, state: DocumentState): Promise<void> {
  if (state.analysing) {
    state.reanalyse = true;
    return;
  }
  const config = state.config!;
  const version = state.version;
  if (!config.enable || config.excluded) {
    state.findings = [];
    state.findingsVersion = version;
    publish(session, state, []);
    return;
  }
  if (state.findings && state.findingsVersion === version) {
    publish(session, state, state.findings);
    return;
  }
  state.analysing = true;
  state.reanalyse = false;
  let outcome: WorkerOutcome;
  try {
    outcome = await session.worker.analyze(state, session.optionsFor(state, config, true));
  } finally {
    state.analysing = false;
  }
  if (session.docs.get(state.uri) !== state) return; // closed meanwhile
  const current = state.version === version && state.config === config && state.desync === undefined;
  state.notifyWaiters();
  if (current) {
    const log = session.connection.console;
    switch (outcome.kind) {
      case 'done':
        state.findings = outcome.findings;
        state.findingsVersion = version;
        state.stringLineEnds = outcome.stringLineEnds;
        state.lastAnalysisMs = outcome.ms;
        publish(session, state, outcome.findings);
        break;
      case 'timeout':
        state.findings = [];
        state.findingsVersion = version;
        state.budgetExceeded = version;
        state.lastAnalysisMs = outcome.budgetMs;
        log.warn(`anyio-migrate: ${state.uri}: ${budgetMessage(outcome.budgetMs)}`);
        publish(session, state, [], budgetMessage(outcome.budgetMs));
        break;
      case 'failed':
        state.findings = [];
        state.findingsVersion = version;
        if (outcome.refused) log.warn(`anyio-migrate: ${state.uri}: ${outcome.message}`);
        else log.error(`anyio-migrate: analysis of ${state.uri} failed: ${outcome.message}`);
        publish(session, state, []);
        break;
      case 'cancelled':
        break;
    }
  }
  if (!current || state.reanalyse || outcome.kind === 'cancelled') {
    state.reanalyse = false;
    schedule(session, state);
  }
}

/** Validate a notebook's cells together after this message; `changed`: its cells' text or set changed. */
export function scheduleNotebook(session: Session, nb: NotebookState, changed = false): void {
  if (changed) {
    nb.generation++;
    nb.analysis = undefined;
  }
  if (nb.validationScheduled) return;
  nb.validationScheduled = true;
  setImmediate(() => {
    nb.validationScheduled = false;
    session.background(validateNotebook(session, nb), `validation of ${nb.uri}`);
  });
}

async function validateNotebook(session: Session, nb: NotebookState): Promise<void> {
  await session.engineReady;
  if (session.notebooks.get(nb.uri) !== nb) return;
  if (!nb.config) {
    const generation = session.configGeneration;
    const config = await session.configFor(nb.uri);
    if (session.notebooks.get(nb.uri) !== nb || generation !== session.configGeneration) return;
    nb.config = config;
  }
  const desynced = nb.cells.map((c) => session.docs.get(c.document)).filter((s): s is DocumentState => s?.desync !== undefined);
  if (desynced.length > 0) {
    for (const s of desynced) publishDesynced(session, s);
    return;
  }
  const analysis = notebookAnalysis(session, nb);
  if (!analysis) return;
  for (const uri of analysis.cellUris) {
    const state = session.docs.get(uri);
    if (state) publish(session, state, analysis.byCell.get(uri) ?? [], undefined, nb);
  }
}

/** An information diagnostic at the start of the document. */
function noteDiagnostic(message: string): Diagnostic {
  return {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: DiagnosticSeverity.Information,
    source: DIAGNOSTIC_SOURCE,
    message,
  };
}

/** The one diagnostic of a desynced document. */
function publishDesynced(session: Session, state: DocumentState): void {
  state.notifyWaiters();
  const diagnostic = noteDiagnostic(`AnyIO Migrate lost track of this document's text (${state.desync}); close and reopen it to get diagnostics again.`);
  session.background(session.connection.sendDiagnostics({ uri: state.uri, version: state.version, diagnostics: [diagnostic] }), 'publishing diagnostics');
}

/** Clear the diagnostics of a closed document (or notebook cell). */
export function clearDiagnostics(session: Session, uri: string): void {
  session.background(session.connection.sendDiagnostics({ uri, diagnostics: [] }), 'clearing diagnostics');
  session.workspaceDiagnostics?.documentClosed(uri); // an unopened file's diagnostics come from its disk text
}

function publish(session: Session, state: DocumentState, findings: readonly Finding[], note?: string, nb?: NotebookState): void {
  const config = state.config!;
  const diagnostics: Diagnostic[] = [];
  const strikes: Diagnostic[] = []; // the deprecated tokens' strike-through (src/server/diagnostics.ts)
  if (note) diagnostics.push(noteDiagnostic(`AnyIO Migrate: ${note}`));
  for (const f of findings) {
    const d = toDiagnostic(state.doc, f, config.severityOverrides);
    if (!d) continue;
    if (nb) (d.data as DiagnosticData).notebook = { uri: nb.uri, generation: nb.generation };
    diagnostics.push(d);
    const strike = deprecatedTokenDiagnostic(state.doc, f, config.severityOverrides);
    if (strike) strikes.push(strike);
  }
  session.background(session.connection.sendDiagnostics({ uri: state.uri, version: state.version, diagnostics: [...diagnostics, ...strikes] }), 'publishing diagnostics');
  if (!nb) session.workspaceDiagnostics?.openPublished(state.uri, diagnostics);
  const options = analyzeOptionsFor(config);
  const status: DocumentStatusParams = {
    uri: state.uri,
    version: state.version,
    enabled: config.enable && !config.excluded,
    rulesActive: config.enable ? RULES.filter((r) => isRuleEnabled(r.code, options)).length : 0,
    rulesTotal: RULES.length,
    findings: diagnostics.length,
    target: config.target,
    configErrors: config.errors,
  };
  session.background(session.connection.sendNotification(DocumentStatusNotification, status), 'sending the document status');
}

/**
 * The findings of the current version; for a large document whose analysis in the worker is
 * pending, waits for it (other requests go on meanwhile). Undefined when cancelled or closed.
 */
export async function currentFindings(session: Session, state: DocumentState, token: CancellationToken): Promise<Finding[] | undefined> {
  for (;;) {
    if (session.docs.get(state.uri) !== state || token.isCancellationRequested || state.desync !== undefined) return undefined;
    const findings = findingsOf(session, state);
    if (findings || !state.inWorker) return findings;
    if (!state.validationScheduled && !state.analysing) schedule(session, state);
    let subscription: { dispose(): void } | undefined;
    const cancelled = new Promise<void>((resolve) => (subscription = token.onCancellationRequested(() => resolve())));
    await Promise.race([state.nextNotification(), cancelled]);
    subscription?.dispose();
  }
}

/**
 * The project index changed: re-analyse (and re-publish) the open documents whose analysis
 * depended on what changed: the modules they import, transitively (or that were analysed before
 * the index was ready).
 */
export function revalidateDependents(session: Session): void {
  for (const state of session.docs.all()) {
    if (!state.config || session.notebooks.ofCell(state.uri)) continue;
    const before = session.analysedKey.get(state.uri);
    if (before === undefined || before === session.keyOf(state)) continue;
    state.findings = undefined;
    session.altCache.delete(state.uri);
    schedule(session, state);
  }
}

/** The settings changed: every document and notebook is configured and validated again. */
export function invalidateConfig(session: Session): void {
  session.configGeneration++;
  session.settingsCache.clear();
  session.altCache.clear();
  for (const state of session.docs.all()) {
    state.config = undefined;
    state.findings = undefined;
    if (!session.notebooks.ofCell(state.uri)) schedule(session, state);
  }
  for (const nb of session.notebooks.all()) {
    nb.config = undefined;
    scheduleNotebook(session, nb, true);
  }
  session.workspaceDiagnostics?.configChanged();
}
