/**
 * `textDocument/hover`: over a finding, a short text (src/server/ruleDocs.ts `findingHover`): this
 * occurrence's rewrite by its fix (`await self.ready.set()` → `self.ready.set()`, from the fix's
 * edits), what changed and why, and, when the engine can say why the receiver is AnyIO, the proof
 * (`explainAt`, the same as `anyio-migrate explain`), then the links to the rule's documentation.
 */
import * as path from 'path';
import { MarkupKind, type CancellationToken, type Hover, type HoverParams } from 'vscode-languageserver/node';
import { ruleByCode } from '../../engine';
import { explainAt } from '../../core/semantic/explain';
import { occurrenceRewrite } from '../../core/docs';
import type { Finding } from '../../core/types';
import type { DocumentState } from '../documents';
import { findingHover } from '../ruleDocs';
import type { Session } from '../session';
import { fsPathOf } from '../settings';
import { currentFindings } from './diagnostics';

export async function hover(session: Session, params: HoverParams, token: CancellationToken): Promise<Hover | null> {
  const state = session.docs.get(params.textDocument.uri);
  if (!state) return null;
  const findings = await currentFindings(session, state, token);
  if (!findings || findings.length === 0) return null;
  const offset = state.doc.offsetAt(params.position);
  const hits = findings.filter((f) => f.start <= offset && (offset < f.end || f.start === f.end));
  if (hits.length === 0) return null;
  const sections: string[] = [];
  for (const f of hits) {
    const meta = ruleByCode(f.code);
    if (!meta) {
      sections.push(`**${f.code}** ${f.message}`);
      continue;
    }
    // Notebook cells: a fix's offsets are into the joined text of the notebook's cells, not this cell's.
    const rewrite = session.notebooks.ofCell(state.uri) ? undefined : occurrenceRewrite(state.text, f);
    const proof = proofMarkdown(session, state, f);
    sections.push(findingHover(meta, { finding: f, rewrite, unsafeFixesEnabled: state.config!.unsafeFixes, ...(proof ? { proof } : {}) }));
  }
  const first = hits[0]!;
  return {
    contents: { kind: MarkupKind.Markdown, value: sections.join('\n\n---\n\n') },
    range: { start: state.doc.positionAt(first.start), end: state.doc.positionAt(first.end) },
  };
}

/**
 * Why the receiver of a finding is (or may be) AnyIO, for the hover: the proof `explainAt` gives,
 * step by step, paths relative to the document's folder. Nothing for large documents (the proof
 * re-parses the text) or when there is nothing to explain.
 */
function proofMarkdown(session: Session, state: DocumentState, f: Finding): string | undefined {
  if (state.text.length > 200_000 || !state.config || session.notebooks.ofCell(state.uri)) return undefined;
  let ex: ReturnType<typeof explainAt>;
  try {
    ex = explainAt(state.text, f.start, session.optionsFor(state, state.config));
  } catch {
    return undefined;
  }
  if (!ex || ex.verdict === 'not-anyio' || ex.steps.length === 0) return undefined;
  const file = state.uri.startsWith('file:') ? fsPathOf(state.uri) : undefined;
  const here = file ? path.dirname(file) : undefined;
  const where = (p: string | undefined, line: number): string => (p ? `${here && path.isAbsolute(p) ? path.relative(here, p) : p}:${line}` : `line ${line}`);
  // Short: the hover must not scroll. The whole proof is `anyio-migrate explain`.
  const steps = ex.steps.slice(0, 3).map((st) => `- ${st.text} (${where(st.path, st.line)})`);
  const more = ex.steps.length > 3 ? `\n- … ${ex.steps.length - 3} more (\`anyio-migrate explain\`)` : '';
  return `**Why:** \`${ex.expression.length > 40 ? ex.expression.slice(0, 40) + '…' : ex.expression}\` is ${ex.type}\n\n${steps.join('\n')}${more}`;
}
