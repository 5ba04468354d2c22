/**
 * The matching engine shared by the gitignore and VS Code front ends: a pattern compiles to a
 * small program of states (`ProgramBuilder`), simulated as an NFA state set (`Runner`) in time
 * linear in the path. The opcodes and the bound are described in `../glob.ts`.
 */

/** Work counter for the scale tests: state visits of the simulation (see the bound above). */
export const globCounters = { steps: 0 };

export const LIT = 0;
export const ANY = 1;
export const CLASS = 2;
export const STAR = 3;
export const STARSTAR = 4;
export const SPLIT = 5;
export const MATCH = 6;

export const SLASH = 0x2f;

export type CharClass =
  /** Byte mode: membership of every byte value, case folding already applied as git does. */
  | { table: Uint8Array }
  /** UTF-16 mode: inclusive [lo, hi] pairs. */
  | { ranges: number[]; negated: boolean };

export interface Program {
  op: number[];
  arg: number[];
  /** ε targets of SPLIT states. */
  targets: Array<number[] | undefined>;
  classes: CharClass[];
  /** ASCII case folding of LIT comparisons (gitignore `ignoreCase`). */
  fold: boolean;
}

export class ProgramBuilder {
  readonly op: number[] = [];
  readonly arg: number[] = [];
  readonly targets: Array<number[] | undefined> = [];
  readonly classes: CharClass[] = [];

  get next(): number {
    return this.op.length;
  }

  emit(op: number, arg = 0): number {
    this.op.push(op);
    this.arg.push(arg);
    this.targets.push(undefined);
    return this.op.length - 1;
  }

  split(): number {
    const s = this.emit(SPLIT);
    this.targets[s] = [];
    return s;
  }

  cls(c: CharClass): void {
    this.classes.push(c);
    this.emit(CLASS, this.classes.length - 1);
  }

  /** `**` then `/`, or nothing: the `(.*\/)?` of a leading `**\/` or a middle `/**\/`. */
  optionalDirs(): void {
    const s = this.split();
    const star = this.emit(STARSTAR);
    this.emit(LIT, SLASH);
    this.targets[s]!.push(star, this.next);
  }

  finish(fold: boolean): Program {
    this.emit(MATCH);
    return { op: this.op, arg: this.arg, targets: this.targets, classes: this.classes, fold };
  }
}

export function inClass(c: CharClass, unit: number): boolean {
  if ('table' in c) return unit < 256 && c.table[unit] === 1;
  const r = c.ranges;
  let hit = false;
  for (let i = 0; i < r.length; i += 2) {
    globCounters.steps++;
    if (unit >= r[i]! && unit <= r[i + 1]!) {
      hit = true;
      break;
    }
  }
  return hit !== c.negated;
}

export function foldUnit(u: number): number {
  return u >= 0x41 && u <= 0x5a ? u + 32 : u;
}

/** NFA-set simulation of one program; reusable, not re-entrant. */
export class Runner {
  private cur: Int32Array;
  private next: Int32Array;
  private curLen = 0;
  private nextLen = 0;
  private readonly mark: Int32Array;
  private readonly stack: Int32Array;
  private gen = 0;
  private readonly accept: number;

  constructor(private readonly prog: Program) {
    const n = prog.op.length;
    this.cur = new Int32Array(n);
    this.next = new Int32Array(n);
    this.mark = new Int32Array(n);
    this.stack = new Int32Array(n);
    this.accept = n - 1;
  }

  start(): void {
    this.bumpGen();
    this.nextLen = 0;
    this.add(0);
    this.swap();
  }

  /** Read one unit; returns false when no state is left (no extension of the input can match). */
  step(unit: number): boolean {
    const { op, arg, classes, fold } = this.prog;
    const u = fold ? foldUnit(unit) : unit;
    this.bumpGen();
    this.nextLen = 0;
    for (let i = 0; i < this.curLen; i++) {
      const s = this.cur[i]!;
      globCounters.steps++;
      switch (op[s]) {
        case LIT:
          if (arg[s] === u) this.add(s + 1);
          break;
        case ANY:
          if (unit !== SLASH) this.add(s + 1);
          break;
        case CLASS:
          if (unit !== SLASH && inClass(classes[arg[s]!]!, unit)) this.add(s + 1);
          break;
        case STAR:
          if (unit !== SLASH) this.add(s);
          break;
        case STARSTAR:
          this.add(s);
          break;
        default:
          break; // SPLIT and MATCH consume nothing
      }
    }
    this.swap();
    return this.curLen > 0;
  }

  get accepting(): boolean {
    return this.mark[this.accept] === this.gen;
  }

  private bumpGen(): void {
    if (this.gen === 0x7fffffff) {
      this.mark.fill(0);
      this.gen = 0;
    }
    this.gen++;
  }

  private swap(): void {
    const t = this.cur;
    this.cur = this.next;
    this.next = t;
    this.curLen = this.nextLen;
  }

  /** Insert `s` and its ε-closure into the next set (each state at most once per step). */
  private add(s: number): void {
    const { op, targets } = this.prog;
    const mark = this.mark;
    const gen = this.gen;
    const stack = this.stack;
    let sp = 0;
    if (mark[s] === gen) return;
    mark[s] = gen;
    stack[sp++] = s;
    while (sp > 0) {
      const t = stack[--sp]!;
      globCounters.steps++;
      this.next[this.nextLen++] = t;
      const o = op[t];
      if (o === STAR || o === STARSTAR) {
        if (mark[t + 1] !== gen) {
          mark[t + 1] = gen;
          stack[sp++] = t + 1;
        }
      } else if (o === SPLIT) {
        for (const x of targets[t]!) {
          globCounters.steps++;
          if (mark[x] !== gen) {
            mark[x] = gen;
            stack[sp++] = x;
          }
        }
      }
    }
  }
}

/** Pattern characters both front ends read. */
export const BACKSLASH = 0x5c;
export const STAR_CH = 0x2a;
export const QUESTION = 0x3f;
export const LBRACKET = 0x5b;
export const RBRACKET = 0x5d;
export const COLON = 0x3a;
export const DASH = 0x2d;
export const BANG = 0x21;
export const CARET = 0x5e;
