/**
 * `codeAction/resolve`: the lazily computed fix-all actions ("fix all safe problems", "Fix all
 * auto-fixable AnyIO problems", "AnyIO Migrate (CODE): Fix all in this file"). They are offered with only `data` (document, version, code) and
 * their edit is computed here by the engine's fix loop (`fixAll`), the one the CLI runs — refused
 * when the document (or notebook) changed since the action was offered.
 */
import type { CodeAction } from 'vscode-languageserver/node';
import { fixAll } from '../../engine';
import { analyzeOptionsFor } from '../../config/engine-options';
import type { DocumentState } from '../documents';
import type { Session } from '../session';
import { fixContext } from './workspaceEdits';
import { errorMessage } from '../errors';

/** `CodeAction.data` of the lazily computed actions. */
export interface LazyActionData {
  /**
   * `fixAll`: safe fixes only (the source action, what on-save runs); `fixAllAuto`: every fix the
   * settings allow (unsafe ones with `anyioMigrate.unsafeFixes`); `fixAllCode`: the same for `code`.
   */
  kind: 'fixAll' | 'fixAllAuto' | 'fixAllCode';
  uri: string;
  version: number;
  code?: string;
  /** For notebook cells: the notebook generation the action was offered for. */
  generation?: number;
}

function isLazyActionData(v: unknown): v is LazyActionData {
  if (!v || typeof v !== 'object') return false;
  const d = v as Record<string, unknown>;
  return (d['kind'] === 'fixAll' || d['kind'] === 'fixAllAuto' || d['kind'] === 'fixAllCode') && typeof d['uri'] === 'string' && typeof d['version'] === 'number';
}

/** The `data` of a lazy action offered for the current version of `state`. */
export function lazyData(session: Session, state: DocumentState, kind: LazyActionData['kind'], code?: string): LazyActionData {
  const data: LazyActionData = { kind, uri: state.uri, version: state.version };
  if (code !== undefined) data.code = code;
  const nb = session.notebooks.ofCell(state.uri);
  if (nb) data.generation = nb.generation;
  return data;
}

/** The action with its edit, or unchanged (no edit) when it is stale, refused or fixes nothing. */
export function resolveCodeAction(session: Session, action: CodeAction): CodeAction {
  const data = action.data;
  if (!isLazyActionData(data)) return action;
  const log = session.connection.console;
  const state = session.docs.get(data.uri);
  const ctx = state && state.config && state.desync === undefined && state.version === data.version ? fixContext(session, state) : undefined;
  if (!state || !state.config || !ctx || ctx.generation !== data.generation) {
    log.warn(`anyio-migrate: "${action.title}" refused: the document changed since it was offered`);
    return action;
  }
  const config = state.config;
  const options = {
    ...(session.notebooks.ofCell(state.uri) ? analyzeOptionsFor(config) : session.optionsFor(state, config)),
    unsafeFixes: data.kind === 'fixAll' ? false : config.unsafeFixes,
  };
  if (data.kind === 'fixAllCode' && data.code) options.select = [data.code];
  try {
    const result = fixAll(ctx.text, options);
    if (result.refused) log.warn(`anyio-migrate: fix-all refused for ${state.uri}: ${result.refused}`);
    if (result.output !== ctx.text) {
      const edit = ctx.edit(result.output);
      if ('refused' in edit) log.warn(`anyio-migrate: fix-all refused for ${state.uri}: ${edit.refused}`);
      else return { ...action, edit };
    }
  } catch (err) {
    log.error(`anyio-migrate: fix-all failed: ${errorMessage(err)}`);
  }
  return action;
}
