/**
 * The cache's entry format and what a stored value must look like to be believed: the entry's
 * fields (covered by the HMAC), and the shape checks of findings, fix results and module summaries
 * (offsets inside the text they belong to, codes that exist, the summary of this very text).
 */
import type { AnalyzeOptions, Finding, FixResult } from '../core/types';
import { SUMMARY_VERSION, type ModuleSummary } from '../core/semantic/types';
import { sha256Text } from './cache-key';

export type Op = 'analyze' | 'fixAll' | 'summary';

export interface Entry {
  format: number;
  fingerprint: string;
  op: Op;
  options: string;
  textHash: string;
  /** The value as JSON text: the HMAC covers exactly these characters. */
  value: string;
  mac: string;
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
export const isStr = (v: unknown): v is string => typeof v === 'string';
export const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isApplicability = (v: unknown): boolean => v === 'safe' || v === 'unsafe';
const CODE = /^ASY[0-9]{3}$/;

function validEdit(v: unknown, length: number): boolean {
  return isObj(v) && isInt(v.start) && isInt(v.end) && v.start <= v.end && v.end <= length && isStr(v.text);
}

function validImport(v: unknown): boolean {
  if (!isObj(v) || !isStr(v.module)) return false;
  if (v.name !== undefined && !isStr(v.name)) return false;
  if (v.asName !== undefined && !isStr(v.asName)) return false;
  if (v.fallback !== undefined && !(isObj(v.fallback) && isStr(v.fallback.module) && isStr(v.fallback.name))) return false;
  return true;
}

/** A finding whose offsets (and its fix's edits) lie inside a text of `length` UTF-16 units. */
function validFinding(v: unknown, length: number): boolean {
  if (!isObj(v)) return false;
  if (!isStr(v.code) || !CODE.test(v.code) || !isStr(v.rule) || !isStr(v.message)) return false;
  if (!isInt(v.start) || !isInt(v.end) || v.start > v.end || v.end > length) return false;
  if (v.severity !== 'error' && v.severity !== 'warning' && v.severity !== 'info') return false;
  if (typeof v.deprecated !== 'boolean') return false;
  if (v.noFixReason !== undefined && !isStr(v.noFixReason)) return false;
  if (v.fix !== undefined) {
    const f = v.fix;
    if (!isObj(f) || !isStr(f.title) || !isApplicability(f.applicability) || !Array.isArray(f.edits)) return false;
    if (!f.edits.every((e) => validEdit(e, length))) return false;
    if (f.imports !== undefined && !(Array.isArray(f.imports) && f.imports.every(validImport))) return false;
  }
  return true;
}

/** `analyze`'s value: an array of findings within `text`. */
export function validFindings(v: unknown, text: string): v is Finding[] {
  return Array.isArray(v) && v.every((f) => validFinding(f, text.length));
}

/** `fixAll`'s stored value (output `null` when it equals the input), checked against `text`. */
export function validStoredFix(v: unknown, text: string): v is Omit<FixResult, 'output'> & { output: string | null } {
  if (!isObj(v)) return false;
  if (v.output !== null && !isStr(v.output)) return false;
  const output = v.output ?? text;
  if (!Array.isArray(v.applied) || !v.applied.every((a) => isObj(a) && isStr(a.code) && CODE.test(a.code) && isStr(a.title) && isApplicability(a.applicability))) return false;
  if (!Array.isArray(v.remaining) || !v.remaining.every((f) => validFinding(f, output.length))) return false;
  if (v.refused !== undefined && !isStr(v.refused)) return false;
  if (typeof v.capped !== 'boolean') return false;
  // A refused result leaves the text as it was.
  if (v.refused !== undefined && v.output !== null) return false;
  return true;
}

export function summaryOptions(module: string, isPackage: boolean, file: string): AnalyzeOptions {
  return { module, isPackage, path: file, v: SUMMARY_VERSION } as AnalyzeOptions;
}

/** The shape of a stored summary, and that it is the summary of this very text and module. */
export function validSummary(v: unknown, text: string, module: string, file: string): v is ModuleSummary {
  if (!isObj(v)) return false;
  const s = v as Record<string, unknown>;
  return (
    s['v'] === SUMMARY_VERSION &&
    s['module'] === module &&
    s['path'] === file &&
    s['hash'] === sha256Text(text) &&
    typeof s['isPackage'] === 'boolean' &&
    typeof s['mentionsAnyio'] === 'boolean' &&
    isObj(s['names']) &&
    ['imports', 'calls', 'escapes', 'stars'].every((k) => Array.isArray(s[k]))
  );
}
