/**
 * The findings of an open document at its current version, computed on the main thread when they
 * are missing: a document's own text (scoped re-analysis, src/core/incremental.ts) or, for a
 * notebook cell, the joined Python cells of its notebook. Large documents analysed in the worker
 * are never analysed here (see features/diagnostics.ts for scheduling and waiting on the worker).
 */
import { analyze, InputRefused } from '../../engine';
import { analyzeOptionsFor } from '../../config/engine-options';
import type { Finding } from '../../core/types';
import type { DocumentState } from '../documents';
import { buildContext, splitFindings, type NotebookAnalysis, type NotebookState } from '../notebooks';
import type { Session } from '../session';
import { errorTrace } from '../errors';

/** The analysis of the notebook's current cells (joined), computing it if needed. */
export function notebookAnalysis(session: Session, nb: NotebookState): NotebookAnalysis | undefined {
  const config = nb.config;
  if (!config) return undefined;
  if (nb.analysis && nb.analysis.generation === nb.generation) return nb.analysis;
  if (nb.cells.some((c) => session.docs.get(c.document)?.desync !== undefined)) return undefined;
  const ctx = buildContext(nb, (uri) => {
    const s = session.docs.get(uri);
    return s && s.languageId === 'python' ? s.text : undefined;
  });
  let findings: Finding[] = [];
  if (config.enable && !config.excluded) {
    try {
      findings = analyze(ctx.text, analyzeOptionsFor(config));
    } catch (err) {
      session.connection.console.error(`anyio-migrate: analysis of ${nb.uri} failed: ${errorTrace(err)}`);
    }
  }
  const analysis: NotebookAnalysis = { ...ctx, byCell: splitFindings(ctx, findings) };
  nb.analysis = analysis;
  for (const uri of ctx.cellUris) {
    const state = session.docs.get(uri);
    if (!state) continue;
    state.config = config;
    state.findings = analysis.byCell.get(uri) ?? [];
    state.findingsVersion = state.version;
  }
  return analysis;
}

/** Current findings (analysing synchronously if the text changed); undefined before settings are known. */
export function findingsOf(session: Session, state: DocumentState): Finding[] | undefined {
  if (state.desync !== undefined) return undefined;
  const nb = session.notebooks.ofCell(state.uri);
  if (nb) return notebookAnalysis(session, nb)?.byCell.get(state.uri) ?? (nb.config ? [] : undefined);
  const config = state.config;
  if (!config) return undefined;
  if (state.findings && state.findingsVersion === state.version) return state.findings;
  // A large document: only what the worker found for this version (never analysed here).
  if (state.inWorker) return undefined;
  let findings: Finding[] = [];
  if (config.enable && !config.excluded) {
    const t0 = performance.now();
    try {
      // Scoped re-analysis: only the function bodies an edit changed are checked again (the
      // result always equals a full analysis; see src/core/incremental.ts).
      findings = state.incremental.analyze(state.text, state.currentTree(), session.optionsFor(state, config, true)).findings;
    } catch (err) {
      state.incremental.reset();
      if (err instanceof InputRefused) session.connection.console.warn(`anyio-migrate: ${state.uri}: ${err.message}`);
      else session.connection.console.error(`anyio-migrate: analysis of ${state.uri} failed: ${errorTrace(err)}`);
      findings = [];
    }
    state.lastAnalysisMs = performance.now() - t0;
  }
  state.findings = findings;
  state.findingsVersion = state.version;
  return findings;
}
