/**
 * Migrate's edit of one file: the fix loop's own changes of the input (`FixResult.changes`), each
 * one annotated text edit on the original document, grouped in VS Code's refactor preview by the
 * rule of the fix that made it and by safety. Safety comes from the loop's phases: a change only
 * safe-phase rounds made is what the safe-only run makes (applied without asking); a change an
 * unsafe-phase round took part in needs confirmation unless the user opted in to unsafe fixes.
 * Import-only changes are shown under one "imports" annotation.
 */
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { AnnotatedTextEdit, ChangeAnnotation } from 'vscode-languageserver';
import { ruleByCode } from '../engine';
import { changePhase } from '../core/fix-trace';
import type { AppliedFix, FixChange, FixResult } from '../core/types';

/** The annotation of changes no fix's own edits went into (import bookkeeping only). */
export const IMPORTS_ANNOTATION = 'imports';

/** The change annotations of one Migrate run, one per rule code and safety. */
export class MigrateAnnotations {
  readonly all: Record<string, ChangeAnnotation> = {};

  /**
   * The id of the annotation for changes shown under `code` (a rule code or IMPORTS_ANNOTATION);
   * `owner` is the fix the change is shown under (it says why an unsafe change is unsafe).
   */
  id(code: string, safe: boolean, unsafeOptIn: boolean, owner: AppliedFix | undefined): string {
    const confirm = !safe && !unsafeOptIn;
    const id = `${code}${safe ? '' : confirm ? '/unsafe' : '/unsafe-accepted'}`;
    if (this.all[id]) return id;
    const meta = ruleByCode(code);
    const name = meta ? `${code} ${meta.name}` : 'Imports added or removed by the fixes';
    const annotation: ChangeAnnotation = { label: safe ? name : `${name} (unsafe)` };
    if (meta) annotation.description = meta.fixTitle;
    if (!safe) {
      const why = owner?.applicability === 'unsafe' ? `${meta?.fixSafety ?? 'not proven to keep behaviour'}` : 'not proven to keep behaviour';
      annotation.description = `Unsafe: ${why}`;
      annotation.needsConfirmation = confirm;
    }
    this.all[id] = annotation;
    return id;
  }
}

/**
 * The fix a change is shown under. A safe change: its first fix. A change of the unsafe phase: its
 * first unsafe fix of that phase, else its first fix of that phase (a safe fix an unsafe one made
 * possible); none when only that phase's import bookkeeping made it unsafe.
 */
function ownerOf(change: FixChange, result: FixResult, safe: boolean): AppliedFix | undefined {
  const fixes = change.fixes.map((i) => result.applied[i]!);
  if (safe) return fixes[0];
  const later = fixes.filter((a) => a.round >= result.safeRounds);
  return later.find((a) => a.applicability === 'unsafe') ?? later[0];
}

/**
 * The annotated edits of one file: `result` is the fix loop's result (unsafe fixes included) on
 * `doc`'s text. Changes that leave their range as it was are dropped.
 */
export function migrateEdits(doc: TextDocument, result: FixResult, annotations: MigrateAnnotations, unsafeOptIn: boolean): AnnotatedTextEdit[] {
  const text = doc.getText();
  const edits: AnnotatedTextEdit[] = [];
  for (const change of result.changes) {
    if (text.slice(change.start, change.end) === change.text) continue;
    const safe = changePhase(result, change) === 'safe';
    const owner = ownerOf(change, result, safe);
    edits.push({
      range: { start: doc.positionAt(change.start), end: doc.positionAt(change.end) },
      newText: change.text,
      annotationId: annotations.id(owner?.code ?? IMPORTS_ANNOTATION, safe, unsafeOptIn, owner),
    });
  }
  return edits;
}
