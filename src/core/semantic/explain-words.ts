/**
 * The words of an explanation: where a traced value comes from (`Leaf`), code quoted for a step,
 * and the verdict, the type and the reasons in plain words; the steps the project index records,
 * in words.
 */
import { NOT_ANYIO_LIBRARIES } from './known';
import type { Ty } from '../resolve';
import type { Verdict } from './explain';

const MAX_CODE = 80;

/** Where the value of the traced expression comes from, as far as the steps got. */
export type Leaf =
  | { kind: 'anyio-api'; q: string }
  | { kind: 'third-party'; q: string; text: string }
  | { kind: 'known-not'; q: string }
  | { kind: 'project'; q: string }
  | { kind: 'module'; q: string }
  | { kind: 'param'; name: string }
  | { kind: 'loop'; name: string }
  | { kind: 'join'; name: string }
  | { kind: 'literal' }
  | { kind: 'def' }
  | { kind: 'builtin'; name: string }
  | { kind: 'none' }
  | { kind: 'other' };

/** `text` shortened for a step, on one line. */
export function code(text: string): string {
  const one = text.replace(/\s*\n\s*/g, ' ');
  return `\`${one.length > MAX_CODE ? `${one.slice(0, MAX_CODE - 1)}…` : one}\``;
}

const article = (cls: string) => `an AnyIO ${cls}`;

/** A step recorded by the project index, in words. */
export function viaWords(what: string): string {
  let m = /^([\w.]+)\(\) yields$/.exec(what);
  if (m) return `\`${m[1]}()\` is defined here: \`with\` binds what it yields`;
  m = /^([\w.]+)\(\) returns$/.exec(what);
  if (m) return `\`${m[1]}()\` is defined here: the call gives what it returns`;
  m = /^(\w+)\.(\w+) \(property\)$/.exec(what);
  if (m) return `\`${m[1]}.${m[2]}\` is a property defined here`;
  m = /^(\w+)\.(\w+)$/.exec(what);
  if (m) return `\`${m[1]}.${m[2]}\` is an attribute of class \`${m[1]}\`, defined here`;
  return `\`${what}\``;
}

/** The verdict and the words for a type, with the origin the steps found as the reason. */
export function describe(ty: Ty, leaf: Leaf, text: string): { verdict: Verdict; words: string } {
  switch (ty.k) {
    case 'anyio':
      return { verdict: 'anyio', words: article(ty.cls) };
    case 'cm': {
      const e = ty.enter;
      if (e.k === 'anyio') return { verdict: 'anyio', words: `a context manager whose \`with\` binds ${article(e.cls)}` };
      if (e.k === 'other' || e.k === 'none') return { verdict: 'not-anyio', words: 'a context manager (not AnyIO)' };
      return { verdict: 'unknown', words: 'unknown: a context manager whose `with` binds something the engine cannot tell' };
    }
    case 'tuple': {
      const items = ty.items.map((i) => describe(i as Ty, { kind: 'other' }, ''));
      const words = `a tuple of (${items.map((i) => i.words).join(', ')})`;
      if (items.some((i) => i.verdict === 'anyio')) return { verdict: 'anyio', words };
      if (items.every((i) => i.verdict === 'not-anyio')) return { verdict: 'not-anyio', words };
      return { verdict: 'unknown', words };
    }
    case 'class':
      return { verdict: 'anyio', words: `the AnyIO class \`${ty.q}\`` };
    case 'aname':
      return { verdict: 'anyio', words: `AnyIO's \`${ty.q}\`` };
    case 'pinst':
      return { verdict: 'not-anyio', words: `an instance of the project's class \`${ty.q}\` (not AnyIO)` };
    case 'pclass':
      return { verdict: 'not-anyio', words: `the project's class \`${ty.q}\` (not AnyIO)` };
    case 'pfunc':
      return { verdict: 'not-anyio', words: `the project's function \`${ty.q}\` (not AnyIO)` };
    case 'local':
      return { verdict: 'not-anyio', words: `an instance of \`${ty.cls.name}\`, a class of this module (not AnyIO)` };
    case 'none':
      return { verdict: 'not-anyio', words: 'None (not AnyIO)' };
    case 'other':
      return { verdict: 'not-anyio', words: `not AnyIO${otherReason(leaf)}` };
    default:
      return { verdict: 'unknown', words: `unknown: ${unknownReason(leaf, text)}` };
  }
}

function otherReason(leaf: Leaf): string {
  switch (leaf.kind) {
    case 'known-not': {
      const root = leaf.q.split('.', 1)[0]!;
      return NOT_ANYIO_LIBRARIES.has(root) ? ` (\`${root}\` is known not to hand out AnyIO objects)` : ' (standard library)';
    }
    case 'module':
      return ' (a module)';
    case 'literal':
      return ' (a literal or an operation on values)';
    case 'def':
      return ' (a function or class of this module)';
    case 'builtin':
      return ` (the builtin \`${leaf.name}\`)`;
    case 'none':
      return ' (None)';
    default:
      return '';
  }
}

function unknownReason(leaf: Leaf, text: string): string {
  switch (leaf.kind) {
    case 'third-party': {
      const root = leaf.q.split('.', 1)[0]!;
      return `${code(leaf.text)} comes from \`${root}\`, a library the engine cannot see`;
    }
    case 'param':
      return `\`${leaf.name}\` is a parameter without an annotation, and the project does not prove what its callers pass`;
    case 'loop':
      return `\`${leaf.name}\` is a loop variable the engine does not type`;
    case 'join':
      return `the values \`${leaf.name}\` can have do not agree on one type`;
    case 'anyio-api':
      return `${code(text)} comes from AnyIO's \`${leaf.q}\`, whose result the engine does not type`;
    case 'project':
      return `the project's \`${leaf.q}\` gives nothing the engine can prove`;
    default:
      return `the engine cannot tell what ${code(text)} is`;
  }
}
