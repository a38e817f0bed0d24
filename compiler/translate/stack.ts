// FuncTranslator: one validated function body -> the source text of one JS function.
//
// Operand-stack slots become JS locals named by depth (`s0`, `s1`, ...); Wasm locals are
// `l0`, `l1`, ... (parameters first). A stack entry is either materialized (its text is
// its slot name) or *pending*: a pure expression (no side effects, cannot trap) over
// constants, locals and its own slot, evaluated where it is consumed. Invariants:
//   - a pending entry at depth d references no slot other than s<d> (so writing any other
//     slot never changes its value);
//   - before local x is written, every pending entry mentioning l<x> is materialized;
//   - at every block boundary and branch target all entries are materialized, and a
//     block's results sit in the slots s<h>..s<h+n-1> where h is its entry height.
// Everything that traps or has an effect (loads, calls, global reads, division) is emitted
// as a statement at its position in the instruction sequence.

//
// This file: the translator's state, the operand stack and its slots, control frames,
// labels and branches (block chains included), and the emission helpers; memory.ts, gc.ts,
// simd.ts and func.ts build on it, one class each.

import type { BlockType, ValType } from '../ir';
import type { FuncEnvironment } from './env';
import * as i64 from './i64';
import { CheckPoints } from './checks';
import {
  entry,
  isIdentOrLiteral,
  namesWhole,
  namesLocal,
  refsOtherSlotOf,
  nameOf,
  MAX_PENDING,
  ConstPool,
  returnSlot,
} from './exprs';
import type { Entry } from './exprs';
import { use } from './bindings';

export type FrameKind = 'func' | 'block' | 'loop' | 'if' | 'try_table' | 'try';

export interface Frame {
  kind: FrameKind;
  label: string;
  /** Stack height below the block's parameters. */
  height: number;
  params: readonly ValType[];
  results: readonly ValType[];
  /** Some branch targets this frame (for non-loops: its end is reachable that way). */
  branched: boolean;
  hasElse: boolean;
  /** Some arm (then/else/try body/catch) reaches the block's end by falling through. */
  armFallsThrough: boolean;
  /** try/try_table: the catch variable ('' otherwise); legacy try: whether a catch clause
   *  has started and whether it has a catch_all. */
  exnVar: string;
  inCatch: boolean;
  hasCatchAll: boolean;
  /** block/loop: index in the output of its opener line (-1 for other frames), blanked at
   *  the end when nothing branches to it (the JS block or loop is then not needed at all). */
  openLine: number;
  /** try_table: its catch clauses' dispatch statements, emitted at its end. */
  handlers: readonly string[];
  /** block: how many blocks, this one included, were opened one directly inside the other
   *  (nothing before each in its parent) up to here. */
  run: number;
  /** block: the block chain it belongs to (index in OperandStack.chains), else -1; and its
   *  case in the chain's switch (1 for the outermost). */
  chain: number;
  chainCase: number;
}

/**
 * Runs of at least this many blocks opened one directly inside the other become one block
 * chain: a loop over a switch instead of nested JS blocks. Compilers emit such runs for a
 * br_table dispatch (one block per target), thousands deep in Go programs, and V8's parser
 * recurses once per nested statement. Shorter runs stay nested blocks: in a chain every
 * branch dispatches twice (its own switch, then the chain's), which a hot interpreter loop
 * over a shorter run (SQLite's VDBE: 280 blocks) pays for on every instruction it runs.
 */
export const CHAIN_MIN = 400;

/** Every frame gets every field at creation: one object shape for all frames. */
export function newFrame(
  kind: FrameKind,
  label: string,
  height: number,
  params: readonly ValType[],
  results: readonly ValType[],
  openLine = -1,
  exnVar = '',
  handlers: readonly string[] = NO_HANDLERS,
): Frame {
  return {
    kind,
    label,
    height,
    params,
    results,
    branched: false,
    hasElse: false,
    armFallsThrough: false,
    exnVar,
    inCatch: false,
    hasCatchAll: false,
    openLine,
    handlers,
    run: 0,
    chain: -1,
    chainCase: 0,
  };
}

export const NO_HANDLERS: readonly string[] = [];

/** Thrown by a translator in BigInt mode at an instruction the mode does not cover. */
export const BIGINT_BAILOUT = new Error('BigInt mode does not cover this function');

export abstract class OperandStack {
  protected out: string[] = [];
  protected indent = 1;
  protected stack: Entry[] = [];
  protected frames: Frame[] = [];
  protected reachable = true;
  protected deadDepth = 0;
  protected maxDepth = 0;
  protected labelCounter = 0;
  protected localTypes: ValType[] = [];
  protected usesTmp = false;
  protected usesQ = false;
  protected maxHiDepth = 0;
  protected usesCallee = false;
  protected exnCounter = 0;
  /** Block chains of the function being translated: the state variable its loop switches
   *  on and the loop's label (see extendBlockRun). */
  protected chains: { readonly v: string; readonly label: string }[] = [];
  /** Fuel / interrupt check points (checks.ts); null when the engine asks for none. */
  protected checks: CheckPoints | null = null;
  /** The body contains return_call* (reachable or not): the function is trampolined. */
  protected tailCalls = false;
  /** The body calls a function or grows a memory: views may change while it runs. */
  protected callsOut = false;
  /** The body contains a loop. */
  protected hasLoop = false;
  /** Functions translated from here on may read their views from locals (env.viewCopies):
   *  set only where the source's wrapper declares the variables they are copied from
   *  (lazyFunctionSource), never for code placed in the factory. */
  mayCopyViews = false;
  /** The last translated function reads its views from locals. */
  viewsCopied = false;
  /**
   * 'interpreter' profile: i32 sums whose `| 0` a consumer may drop. Key: a pushed
   * `(${inner} | 0)`; value: inner, an exact JS sum of `terms` int32 operands. The relation
   * is purely textual (every i32 variable always holds an int32), so an entry never goes stale.
   */
  protected sums = new Map<string, { inner: string; terms: number }>();
  /**
   * Index in `out` of the last `sN = expr;` emitted by emitSlotAssign (-1: none), with the
   * line itself, its slot and expr: localSet tests the line by identity and its slot by name
   * rather than rebuilding the text to compare (a string per local.set).
   */
  protected lastSlotAssign = -1;
  protected lastSlotLine = '';
  protected lastSlotName = '';
  protected lastSlotExpr = '';
  /** Split functions above outline.ts's size threshold (see there). */
  outlining = true;
  /**
   * BigInt mode (i64.ts): the function's i64 values are BigInts, its i64 locals `lN` hold
   * BigInts and its i64 parameters are joined into them at entry. Set per function by the
   * caller of translateFunction; an instruction the mode does not cover throws BIGINT_BAILOUT
   * and the caller translates the function again without it.
   */
  big = false;
  /**
   * BigInt mode's balance for the function translated last: what its BigInt operators save
   * over word pairs and what its conversions between the two cost, in rough units of a
   * word-pair operator, in its loops (bigCharge). Only a multiply saves much (func.ts
   * bigNative); where the rest costs more, word pairs are the better translation.
   */
  bigGain = 0;
  bigCost = 0;
  bigMuls = 0;
  /**
   * Word-pair translation that estimates the balance BigInt mode would have (func.ts
   * estimateBig) so that the caller translates the function in BigInt mode only where it
   * pays; bigUncovered: the function uses what the mode does not cover.
   */
  estimatingBig = false;
  bigUncovered = false;
  /** How many loops enclose the instruction being translated. */
  protected loopDepth = 0;
  /**
   * BigInt mode: pending expressions whose value is right modulo 2^64 but not reduced to
   * [0, 2^64) (an unmasked sum, difference, product, left shift or rotate of reduced
   * operands). Operators whose low 64 bits depend only on their operands' low 64 bits take
   * them as they are, which saves a mask (a BigInt operation) per operator; everything else,
   * and every store to a slot or local, reduces them first (bigReduced). Textual, like `sums`:
   * a text always denotes the same computation, so an entry never goes stale.
   */
  protected bigRaw = new Set<string>();

  constructor(
    protected readonly env: FuncEnvironment,
    protected readonly pool: ConstPool,
  ) {}

  protected head(numParams: number): string {
    const decls: string[] = this.viewsCopied ? this.env.viewCopies() : [];
    for (let i = numParams; i < this.localTypes.length; i++) {
      if (this.localTypes[i] === 'i64') decls.push(this.big ? `l${i} = 0n` : `l${i} = 0, h${i} = 0`);
      else decls.push(`l${i} = ${this.defaultValue(this.localTypes[i])}`);
    }
    for (let d = 0; d < this.maxDepth; d++) decls.push(`s${d}`);
    for (let d = 0; d < this.maxHiDepth; d++) decls.push(`t${d}`);
    if (this.usesTmp) decls.push('a');
    if (this.usesQ) decls.push('q');
    if (this.usesCallee) decls.push('fn');
    for (let i = 0; i < this.exnCounter; i++) decls.push(`x${i}`);
    if (this.exnCounter > 0) decls.push('dg = 0');
    for (const c of this.chains) decls.push(`${c.v} = 0`);
    let joins = '';
    if (this.big) {
      for (let i = 0; i < numParams; i++) {
        if (this.localTypes[i] !== 'i64') continue;
        joins += `l${i} = ${i64.bigOfWords({ lo: `l${i}`, hi: `h${i}` })};\n`;
      }
    }
    return (decls.length ? `let ${decls.join(', ')};\n` : '') + joins;
  }

  // ------------------------------------------------------------------ emission helpers

  /** Starts a fuel/interrupt check region (function body or loop body) here. */
  protected openCheckRegion(): void {
    this.checks?.open(this.out, '');
  }

  protected emit(line: string): void {
    // No indentation: it was a sixth of sql.js's generated source (capped at eight levels),
    // and every character costs V8 parse time. Format the source to read it.
    this.out.push(line);
  }

  protected defaultValue(t: ValType): string {
    switch (t) {
      case 'i32':
      case 'f32':
      case 'f64':
        return '0';
      case 'i64':
        return '0n'; // boxed: only GC defaults use it (locals are word pairs)
      case 'v128':
        return this.pool.add(`${use('V128')}(0, 0, 0, 0)`);
      default:
        return 'null';
    }
  }

  protected trap(msg: string): string {
    return `${use('trap')}(${JSON.stringify(msg)});`;
  }

  protected slot(d: number): string {
    if (d + 1 > this.maxDepth) this.maxDepth = d + 1;
    return nameOf('s', d);
  }

  /** Pushes an expression; `pure` ones may stay pending. */
  protected push(e: string, pure: boolean, cond?: string): void {
    const d = this.stack.length;
    if (pure && e.length <= MAX_PENDING && !this.refsOtherSlot(e, d)) {
      this.stack.push(entry(e, undefined, true, cond));
      if (d + 1 > this.maxDepth) this.maxDepth = d + 1;
      return;
    }
    const s = this.slot(d);
    if (e !== s) this.emitSlotAssign(s, this.bigReduced(e));
    this.stack.push(entry(s, undefined, false, undefined));
  }

  /** Emits `${s} = ${e};` and remembers it for localSet's forwarding. */
  protected emitSlotAssign(s: string, e: string): void {
    const line = `${s} = ${e};`;
    this.emit(line);
    this.lastSlotAssign = this.out.length - 1;
    this.lastSlotLine = line;
    this.lastSlotName = s;
    this.lastSlotExpr = e;
  }

  /** The slot holding the high word of an i64 at depth d. */
  protected hiSlot(d: number): string {
    if (d + 1 > this.maxHiDepth) this.maxHiDepth = d + 1;
    return nameOf('t', d);
  }

  /** Pushes an i64; `pure` ones may stay pending. */
  protected pushPair(p: i64.Pair, pure: boolean): void {
    const d = this.stack.length;
    if (
      pure &&
      p.lo.length + p.hi.length <= MAX_PENDING &&
      !this.refsOtherSlot(p.lo, d) &&
      !this.refsOtherSlot(p.hi, d)
    ) {
      this.stack.push(entry(p.lo, p.hi, true, undefined));
      if (d + 1 > this.maxDepth) this.maxDepth = d + 1;
      return;
    }
    this.assignPair(this.slot(d), this.hiSlot(d), p.lo, p.hi);
    this.stack.push(entry(nameOf('s', d), nameOf('t', d), false, undefined));
  }

  /** Pushes an i64 produced by a helper/call expression that returns the low word and leaves
   *  the high word in the hi register. */
  protected pushPairCall(call: string): void {
    const d = this.stack.length;
    this.emit(`${this.slot(d)} = ${call}; ${this.hiSlot(d)} = ${i64.hiReg()};`);
    this.stack.push(entry(nameOf('s', d), nameOf('t', d), false, undefined));
  }

  /** Pushes an i64 written by statements `f(lo, hi)` into the slot pair. */
  protected pushPairStmt(f: (lo: string, hi: string) => string): void {
    const d = this.stack.length;
    this.emit(f(this.slot(d), this.hiSlot(d)));
    this.stack.push(entry(nameOf('s', d), nameOf('t', d), false, undefined));
  }

  /** Pushes `n` i64 values written by statements `f(words)` into their slot pairs; `words`
   *  lists the slots' words in stack order (lo0, hi0, lo1, hi1, ...). */
  protected pushPairsStmt(n: number, f: (words: string[]) => string): void {
    const d = this.stack.length;
    const words: string[] = [];
    for (let i = 0; i < n; i++) words.push(this.slot(d + i), this.hiSlot(d + i));
    this.emit(f(words));
    for (let i = 0; i < n; i++) this.stack.push(entry(nameOf('s', d + i), nameOf('t', d + i), false, undefined));
  }

  /** Emits L = lo; H = hi; without either write changing the other's operand. */
  protected assignPair(L: string, H: string, lo: string, hi: string): void {
    const loSame = lo === L,
      hiSame = hi === H;
    if (loSame && hiSame) return;
    if (hiSame) {
      this.emit(`${L} = ${lo};`);
      return;
    }
    if (loSame) {
      this.emit(`${H} = ${hi};`);
      return;
    }
    if (!namesWhole(hi, L)) {
      this.emit(`${L} = ${lo}; ${H} = ${hi};`);
      return;
    }
    if (!namesWhole(lo, H)) {
      this.emit(`${H} = ${hi}; ${L} = ${lo};`);
      return;
    }
    this.usesQ = true;
    this.emit(`q = ${lo}; ${H} = ${hi}; ${L} = q;`);
  }

  /** BigInt mode: `e` reduced to [0, 2^64) where it may not be (bigRaw). */
  protected bigReduced(e: string): string {
    return this.big && this.bigRaw.has(e) ? i64.bigMask(e) : e;
  }

  /** Whether `e` names a slot `sK`/`tK` with K !== d (the matches of `\b[st](\d+)\b`, scanned by
   *  hand: this runs for every pushed expression). */
  protected refsOtherSlot(e: string, d: number): boolean {
    return refsOtherSlotOf(e, d, 's') || refsOtherSlotOf(e, d, 't');
  }

  protected materialize(d: number): void {
    const en = this.stack[d];
    if (!en.pending) return;
    const s = this.slot(d);
    if (en.hi !== undefined) {
      this.assignPair(s, this.hiSlot(d), en.e, en.hi);
      this.stack[d] = entry(s, nameOf('t', d), false, undefined);
      return;
    }
    if (en.e !== s) this.emit(`${s} = ${this.bigReduced(en.e)};`);
    this.stack[d] = entry(s, undefined, false, undefined);
  }

  protected flushAll(): void {
    for (let d = 0; d < this.stack.length; d++) this.materialize(d);
  }

  protected pop(): string {
    const en = this.stack.pop();
    if (!en) throw new Error('operand stack underflow (module not validated?)');
    return en.e;
  }

  protected popEntry(): Entry {
    const en = this.stack.pop();
    if (!en) throw new Error('operand stack underflow (module not validated?)');
    return en;
  }

  /** Pops a value as a boolean JS expression. */
  protected popCond(): string {
    const en = this.popEntry();
    return en.cond ?? en.e;
  }

  /** Pops an operand usable several times (identifier or literal), materializing if needed. */
  protected popSimple(): string {
    const d = this.stack.length - 1;
    const en = this.stack[d];
    if (!isIdentOrLiteral(en.e)) this.materialize(d);
    return this.pop();
  }

  /** Pops n values, first-pushed first, i64s boxed as BigInt (for boundaries). */
  protected popN(n: number): string[] {
    const r: string[] = new Array(n);
    for (let i = n - 1; i >= 0; i--) r[i] = this.popBoxed();
    return r;
  }

  /** Pops n call arguments of types `types`, first-pushed first, i64s as two words (lo, hi). */
  protected popArgs(n: number, types: readonly ValType[]): string[] {
    const base = this.stack.length - n;
    if (base < 0) throw new Error('operand stack underflow (module not validated?)');
    if (this.big) for (let i = 0; i < n; i++) if (types[i] === 'i64') this.bigToPairAt(base + i);
    const r: string[] = [];
    for (let i = base; i < this.stack.length; i++) {
      const en = this.stack[i];
      r.push(en.e);
      if (en.hi !== undefined) r.push(en.hi);
    }
    this.stack.length = base;
    return r;
  }

  /** Pops one value; an i64 is boxed as a BigInt. */
  protected popBoxed(): string {
    const en = this.popEntry();
    return en.hi !== undefined ? i64.i64Box({ lo: en.e, hi: en.hi }) : en.e;
  }

  /** BigInt mode: replaces the i64 at depth d by its word pair (pending, over its own slot
   *  or a local or constants), for code that takes pairs. */
  protected bigToPairAt(d: number): void {
    this.bigCharge(2);
    if (!isIdentOrLiteral(this.stack[d].e)) this.materialize(d);
    const w = i64.bigWords(this.stack[d].e);
    this.stack[d] = entry(w.lo, w.hi, true, undefined);
  }

  /** BigInt mode: replaces the word pair at depth d by its BigInt. */
  protected pairToBigAt(d: number): void {
    this.bigCharge(2);
    const en = this.stack[d];
    if (en.hi === undefined) throw new Error('expected an i64 word pair');
    const e = i64.bigOfWords({ lo: en.e, hi: en.hi });
    if (e.length <= MAX_PENDING) {
      this.stack[d] = entry(e, undefined, true, undefined);
      return;
    }
    this.emit(`${this.slot(d)} = ${e};`);
    this.stack[d] = entry(nameOf('s', d), undefined, false, undefined);
  }

  /** BigInt mode's balance (bigGain, bigCost) counts what runs in loops: a function's
   *  entry and exit, and whatever else runs once per call, matter little to its speed. */
  protected bigCharge(n: number): void {
    if (this.loopDepth > 0) this.bigCost += n;
  }

  protected bigCredit(n: number): void {
    if (this.loopDepth > 0) this.bigGain += n;
  }

  /** A multiply, the operator BigInt mode is for: a word-pair product is three imul calls
   *  and double arithmetic. */
  protected bigCreditMul(): void {
    if (this.loopDepth === 0) return;
    this.bigGain += 8;
    this.bigMuls++;
  }

  protected popPair(): i64.Pair {
    const en = this.popEntry();
    if (en.hi === undefined) throw new Error('expected an i64 operand');
    return { lo: en.e, hi: en.hi };
  }

  /** Pops an i64 whose words are identifiers or literals. */
  protected popPairSimple(): i64.Pair {
    const d = this.stack.length - 1;
    const en = this.stack[d];
    if (!isIdentOrLiteral(en.e) || !isIdentOrLiteral(en.hi ?? '')) this.materialize(d);
    return this.popPair();
  }

  protected blockSig(bt: BlockType | undefined): { params: readonly ValType[]; results: readonly ValType[] } {
    if (bt === null || bt === undefined) return { params: [], results: [] };
    if (typeof bt === 'number') {
      const ft = this.env.typeAt(bt);
      return { params: ft.params, results: ft.results };
    }
    return { params: [], results: [bt] };
  }

  protected newLabel(): string {
    return `L${++this.labelCounter}`;
  }

  /** Copies the top `n` entries into the slots of a branch target at height h (no pop). */
  protected assignBranchValues(target: Frame): void {
    const n = target.kind === 'loop' ? target.params.length : target.results.length;
    this.moveTopTo(target.height, n);
  }

  /** Copies the top n entries into slots height.. (no pop). */
  protected moveTopTo(height: number, n: number): void {
    const base = this.stack.length - n;
    for (let i = 0; i < n; i++) {
      const dst = this.slot(height + i);
      const src = this.stack[base + i];
      if (src.hi !== undefined) this.assignPair(dst, this.hiSlot(height + i), src.e, src.hi);
      else if (src.e !== dst) this.emit(`${dst} = ${this.bigReduced(src.e)};`);
    }
  }

  protected branchStatement(depth: number): string {
    const target = this.frames[this.frames.length - 1 - depth];
    if (target.kind === 'func') return this.returnStatement();
    target.branched = true;
    this.assignBranchValues(target);
    if (target.chain >= 0) {
      const c = this.chains[target.chain];
      return `{ ${c.v} = ${target.chainCase}; continue ${c.label}; }`;
    }
    return target.kind === 'loop' ? `continue ${target.label};` : `break ${target.label};`;
  }

  /** Emits the return of the function's results (top of stack) and returns nothing. */
  protected returnStatement(): string {
    const results = this.frames[0].results;
    const n = results.length;
    if (this.big) for (let i = 0; i < n; i++) if (results[i] === 'i64') this.bigToPairAt(this.stack.length - n + i);
    const vals = this.stack.slice(this.stack.length - n);
    if (n === 0) return 'return;';
    for (let i = 1; i < n; i++) {
      const v = vals[i];
      if (v.hi !== undefined) this.emit(`${use('rI32')}[${2 * i}] = ${v.e}; ${use('rI32')}[${2 * i + 1}] = ${v.hi};`);
      else this.emit(`${returnSlot(results[i], i)} = ${v.e};`);
    }
    // An i64 first result returns its low word; the high word goes to the hi register.
    if (vals[0].hi !== undefined) this.emit(`${i64.hiReg()} = ${vals[0].hi};`);
    return `return ${vals[0].e};`;
  }

  /** Tail-call arguments are call arguments: i64s as two words. */
  protected emitTailCall(callee: string, args: string[]): void {
    args.forEach((a, i) => this.emit(`${use('TA')}[${i}] = ${a};`));
    this.emit(`return ${use('tail')}(${callee}, ${args.length});`);
  }

  protected emitReturn(): void {
    this.emit(this.returnStatement());
  }

  protected setUnreachable(): void {
    this.reachable = false;
  }

  protected localSet(x: number, v: Entry): void {
    for (let d = 0; d < this.stack.length; d++) {
      const en = this.stack[d];
      if (en.pending && (namesLocal(en.e, x) || (en.hi !== undefined && namesLocal(en.hi, x)))) this.materialize(d);
    }
    const lx = nameOf('l', x);
    if (v.hi !== undefined) {
      if (this.big) throw new Error('BigInt mode: a word pair reached a local');
      this.assignPair(lx, nameOf('h', x), v.e, v.hi);
    } else if (
      !v.pending &&
      this.lastSlotAssign === this.out.length - 1 &&
      this.lastSlotName === v.e &&
      this.out[this.lastSlotAssign] === this.lastSlotLine
    ) {
      // The value was stored to its (now popped, so dead) slot by the line just emitted:
      // store it to the local there instead (`s0 = load; l3 = s0;` → `l3 = load;`).
      this.out[this.lastSlotAssign] = `${lx} = ${this.lastSlotExpr};`;
      this.lastSlotAssign = -1;
    } else if (v.e !== lx) this.emit(`${lx} = ${this.bigReduced(v.e)};`);
  }

  protected pushLocal(x: number): void {
    if (this.localTypes[x] === 'i64' && !this.big) {
      const d = this.stack.length;
      this.stack.push(entry(nameOf('l', x), nameOf('h', x), true, undefined));
      if (d + 1 > this.maxDepth) this.maxDepth = d + 1;
    } else this.pushPending(nameOf('l', x));
  }

  /** push(e, true) for an `e` known to name no slot and to be short (a local's name, a
   *  number): it stays pending without push's scan of its text. */
  protected pushPending(e: string): void {
    const d = this.stack.length;
    this.stack.push(entry(e, undefined, true, undefined));
    if (d + 1 > this.maxDepth) this.maxDepth = d + 1;
  }

  /** Pushes call results: `call` is the call expression. */
  protected pushCallResults(call: string, results: readonly ValType[]): void {
    this.callsOut = true;
    const d = this.stack.length;
    if (results.length === 0) {
      this.emit(`${call};`);
      return;
    }
    if (results[0] === 'i64' && this.big) {
      this.bigCharge(2);
      const s = this.slot(d);
      this.emit(`${s} = ${call}; ${s} = ${i64.bigOfWords({ lo: s, hi: i64.hiReg() })};`);
      this.stack.push(entry(s, undefined, false, undefined));
    } else if (results[0] === 'i64') this.pushPairCall(call);
    else {
      this.emitSlotAssign(this.slot(d), call);
      this.stack.push(entry(nameOf('s', d), undefined, false, undefined));
    }
    for (let i = 1; i < results.length; i++) {
      const s = this.slot(d + i);
      if (results[i] === 'i64' && this.big) {
        this.bigCharge(2);
        const w = { lo: `${use('rI32')}[${2 * i}]`, hi: `${use('rI32')}[${2 * i + 1}]` };
        this.emit(`${s} = ${i64.bigOfWords(w)};`);
        this.stack.push(entry(s, undefined, false, undefined));
      } else if (results[i] === 'i64') {
        this.emit(`${s} = ${use('rI32')}[${2 * i}]; ${this.hiSlot(d + i)} = ${use('rI32')}[${2 * i + 1}];`);
        this.stack.push(entry(s, `t${d + i}`, false, undefined));
      } else {
        this.emit(`${s} = ${returnSlot(results[i], i)};`);
        this.stack.push(entry(s, undefined, false, undefined));
      }
    }
  }

  /** First statements of every JS catch generated for try/try_table. */
  protected emitCatchPrologue(x: string): void {
    this.emit(`if (dg > 0) { dg--; throw ${x}_; }`);
    this.emit(`${x} = ${use('wrapTrap')}(${x}_);`);
    this.emit(`if (${use('isTrap')}(${x})) throw ${x};`);
  }

  protected tagTypeIdx(tag: number): number {
    const m = this.env.module;
    let k = 0;
    for (const imp of m.imports) {
      if (imp.desc.kind === 'tag') {
        if (k === tag) return imp.desc.type.typeIdx;
        k++;
      }
    }
    return m.tags[tag - k].typeIdx;
  }

  /** At else/catch/end of a block arm: moves the arm's results into the block's slots. */
  protected endOfArm(f: Frame): void {
    if (!this.reachable) return;
    f.armFallsThrough = true;
    this.moveTopTo(f.height, f.results.length);
    if (f.kind === 'try_table' || f.kind === 'try') {
      // Leaving the protected region normally: break out of the whole construct.
      this.emit(`break ${f.label};`);
      f.branched = true;
    }
  }

  protected resetStackTo(height: number, types: readonly ValType[]): void {
    this.stack.length = height;
    for (let i = 0; i < types.length; i++) {
      const s = this.slot(height + i);
      if (types[i] === 'i64' && !this.big) this.stack.push(entry(s, this.hiSlot(height + i), false, undefined));
      else this.stack.push(entry(s, undefined, false, undefined));
    }
  }

  /**
   * The block just opened (top frame) continues a run of blocks each opened first thing in
   * the one before. At CHAIN_MIN blocks the run becomes a block chain: their openers are
   * replaced by
   *     kC = 0;  LC: for (;;) {  switch (kC) {  case 0:
   * the end of the chain's block i is `case i:` (so falling out of a block falls into the
   * code after it), a branch to it is `{ kC = i; continue LC; }`, and the end of the
   * outermost closes the switch and leaves the loop. Every block of the chain is then at
   * the switch's top level, however long the chain.
   */
  protected extendBlockRun(): void {
    const n = this.frames.length;
    const f = this.frames[n - 1];
    const prev = this.frames[n - 2];
    f.run = 1;
    if (prev.kind !== 'block' || prev.openLine < 0 || f.openLine !== prev.openLine + 1) return;
    f.run = prev.run + 1;
    if (prev.chain >= 0) {
      f.chain = prev.chain;
      f.chainCase = prev.chainCase + 1;
      this.out[f.openLine] = '';
      return;
    }
    if (f.run < CHAIN_MIN) return;
    const c = this.chains.length;
    const chain = { v: `k${c}`, label: this.newLabel() };
    this.chains.push(chain);
    const base = n - CHAIN_MIN;
    for (let j = 0; j < CHAIN_MIN; j++) {
      const g = this.frames[base + j];
      g.chain = c;
      g.chainCase = j + 1;
      this.out[g.openLine] = '';
    }
    // The run's openers are CHAIN_MIN consecutive lines: room for the chain's four.
    const at = this.frames[base].openLine;
    this.out[at] = `${chain.v} = 0;`;
    this.out[at + 1] = `${chain.label}: for (;;) {`;
    this.out[at + 2] = `switch (${chain.v}) {`;
    this.out[at + 3] = 'case 0:';
  }

  protected endBlock(f: Frame): void {
    if (f.chain >= 0) {
      this.endOfArm(f);
      this.indent--;
      this.emit(`case ${f.chainCase}:`);
      if (f.chainCase === 1) {
        this.emit('}');
        this.emit(`break ${this.chains[f.chain].label};`);
        this.emit('}');
      }
      this.frames.pop();
      this.afterBlock(f);
      return;
    }
    if (f.kind === 'loop') this.checks?.close(this.out);
    this.endOfArm(f);
    if ((f.kind === 'block' || f.kind === 'loop') && !f.branched && f.openLine >= 0) {
      // No branch targets it: its body runs straight through, so it needs no JS block or
      // loop. Besides shorter code, this keeps the JS nesting depth down: V8's parser recurses
      // once per nested statement and overflows its stack at about 2,500 levels.
      this.out[f.openLine] = '';
      this.indent--;
      this.frames.pop();
      this.afterBlock(f);
      return;
    }
    if (f.kind === 'loop' && this.reachable) this.emit(`break ${f.label};`);
    this.indent--;
    if (f.kind === 'try_table') {
      this.emit(`} catch (${f.exnVar}_) {`);
      this.indent++;
      this.emitCatchPrologue(f.exnVar);
      for (const h of f.handlers) this.emit(h);
      this.emit(`throw ${f.exnVar};`);
      this.indent -= 2;
      this.emit('}');
      this.emit('}');
    } else if (f.kind === 'try') {
      if (f.inCatch) {
        this.emit(f.hasCatchAll ? '}' : `} else throw ${f.exnVar};`);
        this.indent--;
        this.emit('}');
      } else {
        // No clauses: still a JS catch, so delegate's handler counting stays exact.
        this.emit(`} catch (${f.exnVar}_) {`);
        this.emit(`  if (dg > 0) { dg--; } throw ${f.exnVar}_;`);
        this.emit('}');
      }
    } else {
      this.emit('}');
    }
    this.frames.pop();
    this.afterBlock(f);
  }

  protected afterBlock(f: Frame): void {
    if (f.kind === 'loop') this.loopDepth--;
    const endReachable =
      this.reachable ||
      f.armFallsThrough ||
      (f.kind !== 'loop' && f.branched) ||
      (f.kind === 'if' && !f.hasElse) ||
      f.kind === 'try' ||
      f.kind === 'try_table';
    this.resetStackTo(f.height, f.results);
    this.reachable = endReachable;
  }

  protected binary(f: (a: string, b: string) => string, cond?: (a: string, b: string) => string): void {
    const b = this.pop();
    const a = this.pop();
    this.push(f(a, b), true, cond?.(a, b));
  }

  protected unary(f: (a: string) => string, cond?: (a: string) => string): void {
    const a = this.pop();
    this.push(f(a), true, cond?.(a));
  }
}
