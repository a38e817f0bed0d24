// Function body and constant expression validation: the spec appendix's algorithm (an
// operand stack of encoded value types and a control stack of frames), one pass per body.
// All stacks are typed arrays or reused arrays grown on demand, so validating an
// instruction allocates nothing in the common case.

import { invalid, malformed } from '../errors';
import { CatchKind } from '../ir';
import type { BlockType, BodyStream, HeapType, Instr, MemArg } from '../ir';
import { opcodeFeature, type FeatureName } from '../features';
import { Imm, OpClass, OPS, opByName, PREFIX_GC, PREFIX_ATOMIC } from '../opcodes';
import { anchorShape } from '../shapes';
import {
  CompKind,
  EXACT_HEAP,
  HT,
  REF_BASE,
  TypeRegistry,
  VT,
  encodeType,
  heapOf,
  inexactHeap,
  isDefaultableEnc,
  isExactHeap,
  isNullableEnc,
  isRefEnc,
  refEnc,
  unpackEnc,
} from './types';

/** Everything about the module a function body may refer to, in encoded form. */
export interface ModuleContext {
  readonly reg: TypeRegistry;
  /** Canonical id of each type index. */
  readonly canon: readonly number[];
  /** Canonical type id of each function (imports first). */
  readonly funcTypes: readonly number[];
  /** 1 for each function whose references are exact: defined ones and exact imports. */
  readonly funcExact: Uint8Array;
  /** Per table: address type (VT.I32/VT.I64) and encoded element type. */
  readonly tableAddr: readonly number[];
  readonly tableElem: readonly number[];
  /** Per memory: address type (VT.I32/VT.I64). */
  readonly memAddr: readonly number[];
  readonly globalTypes: readonly number[];
  readonly globalMutable: readonly boolean[];
  /** Canonical type id of each tag's function type. */
  readonly tagTypes: readonly number[];
  /** Encoded element type of each element segment. */
  readonly elemTypes: readonly number[];
  readonly numDatas: number;
  /** False when the module has no data count section: code must not use data indices. */
  readonly hasDataCount: boolean;
  /** C.refs: functions that ref.func may name inside function bodies. */
  readonly refs: Uint8Array;
  /** Proposals switched off (compiler/features.ts); absent: none. */
  readonly disabled?: ReadonlySet<FeatureName>;
}

// ---------------------------------------------------------------- opcode tables
// Each opcode's class (compiler/opcodes.ts OpClass) and signature, as dense arrays.

/** Opcode → dense table index: single-byte opcodes first, then 1024 slots per prefix 0xFB..0xFE. */
const denseIndex = (op: number): number => {
  if (op < 256) return op;
  const p = (op >>> 16) - PREFIX_GC;
  const sub = op & 0xffff;
  return p >= 0 && p < 4 && sub < 1024 ? 256 + p * 1024 + sub : -1;
};

const ADDR = -1; // placeholder for the memory's address type in signatures
const SIG_CHAR: Record<string, number> = { i: VT.I32, I: VT.I64, f: VT.F32, F: VT.F64, v: VT.V128, a: ADDR };

const OP_KIND = new Uint8Array(256 + 4 * 1024).fill(OpClass.Unknown);
// Tables indexed by dense index are created at full length, filled: writing far past the end
// of an empty array would turn it into a dictionary, slow to build and to read.
const OP_PARAMS = new Array<readonly number[]>(256 + 4 * 1024).fill([]);
const OP_RESULTS = new Array<readonly number[]>(256 + 4 * 1024).fill([]);
const OP_NAT_ALIGN = new Uint8Array(256 + 4 * 1024);
/** 1 for atomic memory accesses (prefix 0xFE), whose alignment must be exactly natural. */
const OP_ATOMIC = new Uint8Array(256 + 4 * 1024);
const OP_LANES = new Uint8Array(256 + 4 * 1024);
/** The proposal each opcode belongs to (compiler/features.ts), '' for none. */
const OP_FEATURE: (FeatureName | '')[] = new Array<FeatureName | ''>(256 + 4 * 1024).fill('');
const OPS_BY_DENSE = new Array<string>(256 + 4 * 1024).fill('');

function laneCount(name: string): number {
  // v128.load8_lane .. v128.store64_lane: 128 bits over the access width; else the shape's count.
  if (name.startsWith('v128.'))
    return 128 / Number(name.slice(name.startsWith('v128.load') ? 9 : 10, name.indexOf('_lane')));
  return Number(name.slice(name.indexOf('x') + 1, name.indexOf('.')));
}

/** Signature strings ('ii>i') parsed, shared by the opcodes that have the same one. */
const SIG_TYPES = new Map<string, readonly number[]>();
function sigTypes(chars: string): readonly number[] {
  let t = SIG_TYPES.get(chars);
  if (t === undefined) {
    const a: number[] = [];
    for (let i = 0; i < chars.length; i++) a.push(SIG_CHAR[chars[i]]);
    SIG_TYPES.set(chars, (t = a));
  }
  return t;
}

for (const info of OPS) {
  const d = denseIndex(info.code);
  if (d < 0) continue;
  OPS_BY_DENSE[d] = info.name;
  OP_FEATURE[d] = opcodeFeature(info) ?? '';
  const k = info.cls;
  if (k === OpClass.Unknown) continue;
  OP_KIND[d] = k;
  const sig = info.sig;
  if (sig !== undefined) {
    const gt = sig.indexOf('>');
    OP_PARAMS[d] = sigTypes(sig.slice(0, gt));
    OP_RESULTS[d] = sigTypes(sig.slice(gt + 1));
  }
  OP_NAT_ALIGN[d] = info.natAlign ?? 0;
  if (info.prefix === PREFIX_ATOMIC && info.imm === Imm.MemArg) OP_ATOMIC[d] = 1;
  if (k === OpClass.Lane || k === OpClass.MemLane) OP_LANES[d] = laneCount(info.name);
}

const OP_REF_FUNC = 0xd2;
/** `funcref` and `(ref func)`, encoded: any ref.func's type is a subtype of both. */
const FUNCREF = refEnc(HT.Func, true);
const FUNCREF_NON_NULL = refEnc(HT.Func, false);

/** Opcodes allowed in constant expressions (spec 3.0 "Constant Expressions", extended-const). */
const CONST_OPS = new Set<string>([
  'i32.const',
  'i64.const',
  'f32.const',
  'f64.const',
  'v128.const',
  'ref.null',
  'ref.func',
  'global.get',
  'i32.add',
  'i32.sub',
  'i32.mul',
  'i64.add',
  'i64.sub',
  'i64.mul',
  'struct.new',
  'struct.new_default',
  'array.new',
  'array.new_default',
  'array.new_fixed',
  'ref.i31',
  'any.convert_extern',
  'extern.convert_any',
  'struct.new_desc',
  'struct.new_default_desc',
]);
const IS_CONST_OP = new Uint8Array(256 + 4 * 1024);
for (const info of OPS) if (CONST_OPS.has(info.name)) IS_CONST_OP[denseIndex(info.code)] = 1;

const EXTENDED_CONST_OPS = new Set(
  ['i32.add', 'i32.sub', 'i32.mul', 'i64.add', 'i64.sub', 'i64.mul'].map((n) => denseIndex(opByName.get(n)!.code)),
);

/** Throws if the instruction at dense index `d` belongs to a proposal in `disabled`. */
function checkFeature(d: number, disabled: ReadonlySet<FeatureName>): void {
  const f = OP_FEATURE[d];
  if (f !== '' && disabled.has(f))
    throw invalid(`${OPS_BY_DENSE[d]} requires the ${f} proposal, which is switched off`);
}

/** Control frame kinds. */
const enum F {
  Block,
  Loop,
  If,
  Else,
  Try,
  Catch,
  CatchAll,
  TryTable,
  Func,
}

const EMPTY: readonly number[] = [];
const EXNREF = refEnc(HT.Exn, true);
/** catch_ref / catch_all_ref deliver a non-null exception reference. */
const EXNREF_NON_NULL = refEnc(HT.Exn, false);
const TM = 'type mismatch';

// ---------------------------------------------------------------- the validator

const isInstrList = (b: readonly Instr[] | BodyStream): b is readonly Instr[] => Array.isArray(b);

/** A decoded instruction list read as a stream (constant expressions, eagerly decoded bodies). */
class InstrListStream implements BodyStream {
  instr: Instr = { op: 0 };
  private list: readonly Instr[] = [];
  private i = 0;

  reset(list: readonly Instr[]): this {
    this.list = list;
    this.i = 0;
    return this;
  }

  next(): boolean {
    if (this.i >= this.list.length) return false;
    this.instr = this.list[this.i++];
    return true;
  }
}

export class CodeValidator {
  private readonly reg: TypeRegistry;
  private vals = new Int32Array(64);
  private vh = 0;
  // Control stack, as parallel arrays.
  private cKind = new Uint8Array(16);
  private cHeight = new Int32Array(16);
  private cUnreach = new Uint8Array(16);
  private cInit = new Int32Array(16);
  private cParams: (readonly number[])[] = [];
  private cResults: (readonly number[])[] = [];
  private ch = 0;
  // Cached top-frame fields.
  private curHeight = 0;
  private curUnreach = false;
  // Locals and their initialisation state (spec 3.0 non-defaultable locals).
  private localTypes = new Int32Array(16);
  private localInit = new Uint8Array(16);
  private numLocals = 0;
  private initStack = new Int32Array(16);
  private initH = 0;
  private scratch = new Int32Array(16);
  private readonly singleResult = new Map<number, readonly number[]>();
  private readonly listStream = new InstrListStream();
  /** Constant-expression mode: number of globals visible, or -1 for function bodies. */
  private constGlobals = -1;
  private maxHeight = 0;
  private maxCtrl = 0;
  /** Index in the body of the instruction that raised the last error (see run). */
  failedAt = -1;

  constructor(private readonly ctx: ModuleContext) {
    this.reg = ctx.reg;
  }

  /** Highest operand stack depth reached by the last validated body. */
  get maxStackHeight(): number {
    return this.maxHeight;
  }

  /** Deepest nesting of control frames (the function's own frame counts 1) in the last body. */
  get maxControlDepth(): number {
    return this.maxCtrl;
  }

  // ------------------------------------------------------------ entry points

  /**
   * Validates one function body of canonical type `typeId` with declared `locals` (encoded):
   * a decoded instruction list, or a stream reading the instructions from the binary.
   */
  validateFunc(typeId: number, locals: readonly number[], body: readonly Instr[] | BodyStream): void {
    this.failedAt = -1;
    const info = this.reg.info(typeId);
    const n = info.params.length + locals.length;
    if (this.localTypes.length < n) {
      this.localTypes = new Int32Array(n * 2);
      this.localInit = new Uint8Array(n * 2);
    }
    this.numLocals = n;
    let i = 0;
    for (const t of info.params) {
      this.localTypes[i] = t;
      this.localInit[i++] = 1;
    }
    for (const t of locals) {
      this.localTypes[i] = t;
      this.localInit[i++] = isDefaultableEnc(t) ? 1 : 0;
    }
    this.constGlobals = -1;
    this.run(isInstrList(body) ? this.listStream.reset(body) : body, info.results);
  }

  /**
   * Validates a constant expression producing `type` (encoded), where only the first
   * `numGlobals` globals are visible.
   */
  validateConst(expr: readonly Instr[], type: number, numGlobals: number): void {
    // The commonest constant expressions, a segment's offset and an element segment's
    // function, decided without the general algorithm (a module can have thousands of
    // each). No feature switch covers these instructions.
    if (expr.length === 1) {
      const op = expr[0].op;
      if (op === 0x41 ? type === VT.I32 : op === 0x42 ? type === VT.I64 : false) return;
      if (op === OP_REF_FUNC && (type === FUNCREF || type === FUNCREF_NON_NULL)) {
        const x = expr[0].idx;
        if (x !== undefined && x < this.ctx.funcTypes.length) return;
      }
    }
    for (const ins of expr) {
      const d = denseIndex(ins.op);
      if (d < 0 || IS_CONST_OP[d] === 0) throw invalid('constant expression required');
      const disabled = this.ctx.disabled;
      if (disabled !== undefined) {
        if (EXTENDED_CONST_OPS.has(d) && disabled.has('extendedConst')) throw invalid('constant expression required');
        checkFeature(d, disabled);
      }
      if (OP_KIND[d] === OpClass.GlobalGet) {
        const g = ins.idx as number;
        if (!(g < numGlobals)) throw invalid('unknown global');
        if (this.ctx.globalMutable[g]) throw invalid('constant expression required');
      }
    }
    this.numLocals = 0;
    this.constGlobals = numGlobals;
    try {
      this.run(this.listStream.reset(expr), this.single(type));
    } finally {
      this.constGlobals = -1;
    }
  }

  // ------------------------------------------------------------ stacks

  private single(t: number): readonly number[] {
    let a = this.singleResult.get(t);
    if (a === undefined) {
      a = [t];
      this.singleResult.set(t, a);
    }
    return a;
  }

  private push(t: number): void {
    if (this.vh === this.vals.length) {
      const v = new Int32Array(this.vh * 2);
      v.set(this.vals);
      this.vals = v;
    }
    this.vals[this.vh++] = t;
  }

  private pushAll(ts: readonly number[]): void {
    for (let i = 0; i < ts.length; i++) this.push(ts[i]);
  }

  /** Pops a value that must be a subtype of `expect` (VT.Bot: any value). */
  private pop(expect: number): number {
    if (this.vh === this.curHeight) {
      if (this.curUnreach) return VT.Bot;
      throw invalid(TM);
    }
    const t = this.vals[--this.vh];
    if (t !== expect && expect !== VT.Bot && !this.reg.valSub(t, expect)) throw invalid(TM);
    return t;
  }

  private popAll(ts: readonly number[]): void {
    for (let i = ts.length - 1; i >= 0; i--) this.pop(ts[i]);
  }

  /** Pops a reference; unknown input yields (ref bot). */
  private popRef(): number {
    const t = this.pop(VT.Bot);
    if (t === VT.Bot) return refEnc(HT.Bot, false);
    if (t < REF_BASE) throw invalid(TM);
    return t;
  }

  private pushCtrl(kind: F, params: readonly number[], results: readonly number[]): void {
    const c = this.ch;
    if (c === this.cKind.length) {
      const grow = <T extends Uint8Array | Int32Array>(a: T, mk: (n: number) => T): T => {
        const b = mk(a.length * 2);
        b.set(a);
        return b;
      };
      this.cKind = grow(this.cKind, (n) => new Uint8Array(n));
      this.cHeight = grow(this.cHeight, (n) => new Int32Array(n));
      this.cUnreach = grow(this.cUnreach, (n) => new Uint8Array(n));
      this.cInit = grow(this.cInit, (n) => new Int32Array(n));
    }
    this.cKind[c] = kind;
    this.cHeight[c] = this.vh;
    this.cUnreach[c] = 0;
    this.cInit[c] = this.initH;
    this.cParams[c] = params;
    this.cResults[c] = results;
    this.ch = c + 1;
    if (c + 1 > this.maxCtrl) this.maxCtrl = c + 1;
    this.curHeight = this.vh;
    this.curUnreach = false;
    this.pushAll(params);
  }

  /** Pops the top frame after checking its results; returns its index (its data stays readable). */
  private popCtrl(): number {
    const c = this.ch - 1;
    this.popAll(this.cResults[c]);
    if (this.vh !== this.curHeight) throw invalid(TM);
    // Initialisations made inside the block are forgotten at its end.
    const h = this.cInit[c];
    while (this.initH > h) this.localInit[this.initStack[--this.initH]] = 0;
    this.ch = c;
    if (c > 0) {
      this.curHeight = this.cHeight[c - 1];
      this.curUnreach = this.cUnreach[c - 1] === 1;
    }
    return c;
  }

  private setUnreachable(): void {
    this.vh = this.curHeight;
    this.curUnreach = true;
    this.cUnreach[this.ch - 1] = 1;
  }

  private labelFrame(l: number | undefined): number {
    if (l === undefined || !(l < this.ch) || l < 0) throw invalid('unknown label');
    return this.ch - 1 - l;
  }

  private labelTypes(c: number): readonly number[] {
    return this.cKind[c] === F.Loop ? this.cParams[c] : this.cResults[c];
  }

  /** Pops `ts` and pushes them back as popped (br_table) or as `ts` themselves (br_if and friends). */
  private passThrough(ts: readonly number[], keepActual: boolean): void {
    const n = ts.length;
    if (this.scratch.length < n) this.scratch = new Int32Array(n * 2);
    for (let i = n - 1; i >= 0; i--) this.scratch[i] = this.pop(ts[i]);
    if (keepActual) for (let i = 0; i < n; i++) this.push(this.scratch[i]);
    else this.pushAll(ts);
  }

  private blockType(bt: BlockType | undefined, out: 'params' | 'results'): readonly number[] {
    if (bt === null || bt === undefined) return EMPTY;
    if (typeof bt === 'number') {
      const id = this.ctx.canon[bt];
      if (id === undefined) throw invalid('unknown type');
      const info = this.reg.info(id);
      if (info.kind !== CompKind.Func) throw invalid(TM);
      return out === 'params' ? info.params : info.results;
    }
    return out === 'params' ? EMPTY : this.single(encodeType(bt, this.ctx.canon));
  }

  private typeInfo(x: number | undefined, kind: CompKind) {
    const id = x === undefined ? undefined : this.ctx.canon[x];
    if (id === undefined) throw invalid('unknown type');
    const info = this.reg.info(id);
    if (info.kind !== kind) throw invalid(TM);
    return { id, info };
  }

  private funcType(x: number | undefined) {
    const id = x === undefined ? undefined : this.ctx.funcTypes[x];
    if (id === undefined) throw invalid('unknown function');
    return this.reg.info(id);
  }

  private tag(x: number | undefined) {
    const id = x === undefined ? undefined : this.ctx.tagTypes[x];
    if (id === undefined) throw invalid('unknown tag');
    return this.reg.info(id);
  }

  private table(x: number | undefined): number {
    if (x === undefined || !(x < this.ctx.tableAddr.length) || x < 0) throw invalid('unknown table');
    return x;
  }

  private memAddr(x: number | undefined): number {
    const a = x === undefined ? undefined : this.ctx.memAddr[x];
    if (a === undefined) throw invalid('unknown memory');
    return a;
  }

  private elemType(x: number | undefined): number {
    const t = x === undefined ? undefined : this.ctx.elemTypes[x];
    if (t === undefined) throw invalid('unknown elem segment');
    return t;
  }

  private data(x: number | undefined): void {
    if (!this.ctx.hasDataCount) throw invalid('data count section required');
    if (x === undefined || !(x < this.ctx.numDatas) || x < 0) throw invalid('unknown data segment');
  }

  private memarg(m: MemArg | undefined, natAlign: number, atomic = false): number {
    if (m === undefined) throw malformed('missing memarg');
    const a = this.memAddr(m.mem);
    if (m.align > natAlign) throw invalid('alignment must not be larger than natural');
    if (atomic && m.align !== natAlign) throw invalid('atomic alignment must be natural');
    if (a === VT.I32 && m.offset > 0xffffffff) throw invalid('offset out of range');
    return a;
  }

  private local(x: number | undefined): number {
    if (x === undefined || !(x < this.numLocals) || x < 0) throw invalid('unknown local');
    return x;
  }

  private global(x: number | undefined): number {
    const limit = this.constGlobals >= 0 ? this.constGlobals : this.ctx.globalTypes.length;
    if (x === undefined || !(x < limit) || x < 0) throw invalid('unknown global');
    return x;
  }

  /** Checks results of a tail call against the enclosing function's results. */
  private checkReturnResults(results: readonly number[]): void {
    const expected = this.cResults[0];
    if (results.length !== expected.length) throw invalid(TM);
    for (let i = 0; i < results.length; i++) if (!this.reg.valSub(results[i], expected[i])) throw invalid(TM);
  }

  private encodeRef(ins: Instr, i: number): number {
    const t = ins.types?.[i];
    if (t === undefined || typeof t !== 'object') throw malformed('missing reference type immediate');
    return encodeType(t, this.ctx.canon);
  }

  // ------------------------------------------------------------ the main loop

  private run(body: BodyStream, results: readonly number[]): void {
    this.vh = 0;
    this.ch = 0;
    this.initH = 0;
    this.maxHeight = 0;
    this.maxCtrl = 0;
    this.pushCtrl(F.Func, EMPTY, results);
    const ctx = this.ctx;
    const reg = this.reg;
    // pc lives outside the try so that an error can report which instruction raised it
    // (the instruction count: the final `end`); the loop itself records nothing per
    // instruction.
    let pc = 0;
    const disabled = ctx.disabled;
    try {
      for (; body.next(); pc++) {
        const ins = body.instr;
        const d = denseIndex(ins.op);
        const k: OpClass = d < 0 ? OpClass.Unknown : OP_KIND[d];
        if (disabled !== undefined && d >= 0) checkFeature(d, disabled);
        switch (k) {
          case OpClass.Plain:
          case OpClass.Nop:
          case OpClass.I32Const:
          case OpClass.I64Const:
          case OpClass.F32Const:
          case OpClass.F64Const:
          case OpClass.V128Const: {
            this.popAll(OP_PARAMS[d]);
            this.pushAll(OP_RESULTS[d]);
            break;
          }
          case OpClass.LocalGet: {
            const x = this.local(ins.idx);
            if (this.localInit[x] === 0) throw invalid('uninitialized local');
            this.push(this.localTypes[x]);
            break;
          }
          case OpClass.LocalSet:
          case OpClass.LocalTee: {
            const x = this.local(ins.idx);
            const t = this.localTypes[x];
            this.pop(t);
            if (this.localInit[x] === 0) {
              this.localInit[x] = 1;
              if (this.initH === this.initStack.length) {
                const s = new Int32Array(this.initH * 2);
                s.set(this.initStack);
                this.initStack = s;
              }
              this.initStack[this.initH++] = x;
            }
            if (k === OpClass.LocalTee) this.push(t);
            break;
          }
          case OpClass.GlobalGet: {
            this.push(ctx.globalTypes[this.global(ins.idx)]);
            break;
          }
          case OpClass.GlobalSet: {
            const g = this.global(ins.idx);
            if (!ctx.globalMutable[g]) throw invalid('immutable global');
            this.pop(ctx.globalTypes[g]);
            break;
          }
          case OpClass.Mem: {
            const a = this.memarg(ins.memarg, OP_NAT_ALIGN[d], OP_ATOMIC[d] === 1);
            const ps = OP_PARAMS[d];
            for (let i = ps.length - 1; i >= 0; i--) this.pop(ps[i] === ADDR ? a : ps[i]);
            this.pushAll(OP_RESULTS[d]);
            break;
          }
          case OpClass.Block:
          case OpClass.Loop:
          case OpClass.If:
          case OpClass.Try: {
            const params = this.blockType(ins.bt, 'params');
            const results = this.blockType(ins.bt, 'results');
            if (k === OpClass.If) this.pop(VT.I32);
            this.popAll(params);
            this.pushCtrl(
              k === OpClass.Block ? F.Block : k === OpClass.Loop ? F.Loop : k === OpClass.If ? F.If : F.Try,
              params,
              results,
            );
            break;
          }
          case OpClass.TryTable: {
            const params = this.blockType(ins.bt, 'params');
            const results = this.blockType(ins.bt, 'results');
            this.popAll(params);
            for (const c of ins.catches ?? []) this.checkCatch(c.kind, c.tag, c.label);
            this.pushCtrl(F.TryTable, params, results);
            break;
          }
          case OpClass.Else: {
            if (this.ch < 2 || this.cKind[this.ch - 1] !== F.If) throw malformed('else without matching if');
            const c = this.popCtrl();
            this.pushCtrl(F.Else, this.cParams[c], this.cResults[c]);
            break;
          }
          case OpClass.End: {
            if (this.ch < 2) throw malformed('unexpected end');
            if (this.cKind[this.ch - 1] === F.If) {
              // An if without else behaves as if its else branch were empty.
              const c0 = this.popCtrl();
              this.pushCtrl(F.Else, this.cParams[c0], this.cResults[c0]);
            }
            const c = this.popCtrl();
            this.pushAll(this.cResults[c]);
            break;
          }
          case OpClass.Br: {
            this.popAll(this.labelTypes(this.labelFrame(ins.idx)));
            this.setUnreachable();
            break;
          }
          case OpClass.BrIf: {
            const c = this.labelFrame(ins.idx);
            this.pop(VT.I32);
            this.passThrough(this.labelTypes(c), false);
            break;
          }
          case OpClass.BrTable: {
            this.pop(VT.I32);
            const m = this.labelTypes(this.labelFrame(ins.idx));
            const arity = m.length;
            const labels = ins.labels ?? [];
            for (let i = 0; i < labels.length; i++) {
              const ts = this.labelTypes(this.labelFrame(labels[i]));
              if (ts.length !== arity) throw invalid(TM);
              this.passThrough(ts, true);
            }
            this.popAll(m);
            this.setUnreachable();
            break;
          }
          case OpClass.Return: {
            this.popAll(this.cResults[0]);
            this.setUnreachable();
            break;
          }
          case OpClass.Call: {
            const f = this.funcType(ins.idx);
            this.popAll(f.params);
            this.pushAll(f.results);
            break;
          }
          case OpClass.ReturnCall: {
            const f = this.funcType(ins.idx);
            this.checkReturnResults(f.results);
            this.popAll(f.params);
            this.setUnreachable();
            break;
          }
          case OpClass.CallIndirect:
          case OpClass.ReturnCallIndirect: {
            const t = this.table(ins.idx2);
            if (!reg.valSub(ctx.tableElem[t], refEnc(HT.Func, true))) throw invalid(TM);
            const { info } = this.typeInfo(ins.idx, CompKind.Func);
            this.pop(ctx.tableAddr[t]);
            if (k === OpClass.ReturnCallIndirect) this.checkReturnResults(info.results);
            this.popAll(info.params);
            if (k === OpClass.ReturnCallIndirect) this.setUnreachable();
            else this.pushAll(info.results);
            break;
          }
          case OpClass.CallRef:
          case OpClass.ReturnCallRef: {
            const { id, info } = this.typeInfo(ins.idx, CompKind.Func);
            this.pop(refEnc(16 + id, true));
            if (k === OpClass.ReturnCallRef) this.checkReturnResults(info.results);
            this.popAll(info.params);
            if (k === OpClass.ReturnCallRef) this.setUnreachable();
            else this.pushAll(info.results);
            break;
          }
          case OpClass.Drop:
            this.pop(VT.Bot);
            break;
          case OpClass.Select: {
            this.pop(VT.I32);
            const t1 = this.pop(VT.Bot);
            const t2 = this.pop(VT.Bot);
            if (t1 >= REF_BASE || t2 >= REF_BASE) throw invalid(TM);
            if (t1 !== t2 && t1 !== VT.Bot && t2 !== VT.Bot) throw invalid(TM);
            this.push(t1 === VT.Bot ? t2 : t1);
            break;
          }
          case OpClass.SelectT: {
            const ts = ins.types ?? [];
            if (ts.length !== 1) throw invalid('invalid result arity');
            const t = encodeType(ts[0], ctx.canon);
            this.pop(VT.I32);
            this.pop(t);
            this.pop(t);
            this.push(t);
            break;
          }
          case OpClass.Unreachable:
            this.setUnreachable();
            break;
          case OpClass.MemorySize: {
            this.push(this.memAddr(ins.idx));
            break;
          }
          case OpClass.MemoryGrow: {
            const a = this.memAddr(ins.idx);
            this.pop(a);
            this.push(a);
            break;
          }
          case OpClass.Lane:
          case OpClass.MemLane: {
            const lane = ins.lane;
            if (lane === undefined || !(lane < OP_LANES[d]) || lane < 0) throw invalid('invalid lane index');
            const a = k === OpClass.MemLane ? this.memarg(ins.memarg, OP_NAT_ALIGN[d]) : VT.I32;
            const ps = OP_PARAMS[d];
            for (let i = ps.length - 1; i >= 0; i--) this.pop(ps[i] === ADDR ? a : ps[i]);
            this.pushAll(OP_RESULTS[d]);
            break;
          }
          case OpClass.Shuffle: {
            const b = ins.bytes;
            if (b === undefined || b.length !== 16) throw malformed('invalid lane length');
            for (let i = 0; i < 16; i++) if (b[i] >= 32) throw invalid('invalid lane index');
            this.pop(VT.V128);
            this.pop(VT.V128);
            this.push(VT.V128);
            break;
          }
          case OpClass.Catch:
          case OpClass.CatchAll: {
            const top = this.ch - 1;
            const fk = this.cKind[top];
            if (this.ch < 2 || (fk !== F.Try && fk !== F.Catch))
              throw invalid(k === OpClass.Catch ? 'catch' : 'catch_all');
            const tagParams = k === OpClass.Catch ? this.tag(ins.idx).params : EMPTY;
            const c = this.popCtrl();
            this.pushCtrl(k === OpClass.Catch ? F.Catch : F.CatchAll, tagParams, this.cResults[c]);
            break;
          }
          case OpClass.Delegate: {
            if (this.ch < 2 || this.cKind[this.ch - 1] !== F.Try) throw invalid('delegate');
            const c = this.popCtrl();
            this.labelFrame(ins.idx);
            this.pushAll(this.cResults[c]);
            break;
          }
          case OpClass.Rethrow: {
            const c = this.labelFrame(ins.idx);
            const fk = this.cKind[c];
            if (fk !== F.Catch && fk !== F.CatchAll) throw invalid('invalid rethrow label');
            this.setUnreachable();
            break;
          }
          case OpClass.Throw: {
            const t = this.tag(ins.idx);
            this.popAll(t.params);
            this.setUnreachable();
            break;
          }
          case OpClass.ThrowRef: {
            this.pop(EXNREF);
            this.setUnreachable();
            break;
          }
          case OpClass.TableGet: {
            const t = this.table(ins.idx);
            this.pop(ctx.tableAddr[t]);
            this.push(ctx.tableElem[t]);
            break;
          }
          case OpClass.TableSet: {
            const t = this.table(ins.idx);
            this.pop(ctx.tableElem[t]);
            this.pop(ctx.tableAddr[t]);
            break;
          }
          case OpClass.TableSize: {
            this.push(ctx.tableAddr[this.table(ins.idx)]);
            break;
          }
          case OpClass.TableGrow: {
            const t = this.table(ins.idx);
            this.pop(ctx.tableAddr[t]);
            this.pop(ctx.tableElem[t]);
            this.push(ctx.tableAddr[t]);
            break;
          }
          case OpClass.TableFill: {
            const t = this.table(ins.idx);
            this.pop(ctx.tableAddr[t]);
            this.pop(ctx.tableElem[t]);
            this.pop(ctx.tableAddr[t]);
            break;
          }
          case OpClass.TableCopy: {
            const dst = this.table(ins.idx);
            const src = this.table(ins.idx2);
            if (!reg.valSub(ctx.tableElem[src], ctx.tableElem[dst])) throw invalid(TM);
            const ad = ctx.tableAddr[dst];
            const as = ctx.tableAddr[src];
            this.pop(ad === VT.I64 && as === VT.I64 ? VT.I64 : VT.I32);
            this.pop(as);
            this.pop(ad);
            break;
          }
          case OpClass.TableInit: {
            const t = this.table(ins.idx2);
            const e = this.elemType(ins.idx);
            if (!reg.valSub(e, ctx.tableElem[t])) throw invalid(TM);
            this.pop(VT.I32);
            this.pop(VT.I32);
            this.pop(ctx.tableAddr[t]);
            break;
          }
          case OpClass.ElemDrop:
            this.elemType(ins.idx);
            break;
          case OpClass.MemoryInit: {
            const a = this.memAddr(ins.idx2);
            this.data(ins.idx);
            this.pop(VT.I32);
            this.pop(VT.I32);
            this.pop(a);
            break;
          }
          case OpClass.DataDrop:
            this.data(ins.idx);
            break;
          case OpClass.MemoryCopy: {
            const ad = this.memAddr(ins.idx);
            const as = this.memAddr(ins.idx2);
            this.pop(ad === VT.I64 && as === VT.I64 ? VT.I64 : VT.I32);
            this.pop(as);
            this.pop(ad);
            break;
          }
          case OpClass.MemoryFill: {
            const a = this.memAddr(ins.idx);
            this.pop(a);
            this.pop(VT.I32);
            this.pop(a);
            break;
          }
          case OpClass.RefNull: {
            if (ins.heap === undefined) throw malformed('missing heap type');
            // An exact heap type comes with its reference type (binary/instructions.ts).
            const ts = ins.types;
            this.push(
              ts !== undefined && ts.length === 1 ? encodeType(ts[0], ctx.canon) : refEnc(this.heap(ins.heap), true),
            );
            break;
          }
          case OpClass.RefIsNull: {
            this.popRef();
            this.push(VT.I32);
            break;
          }
          case OpClass.RefFunc: {
            const x = ins.idx;
            const id = x === undefined ? undefined : ctx.funcTypes[x];
            if (id === undefined) throw invalid('unknown function');
            if (this.constGlobals < 0 && ctx.refs[x as number] !== 1) throw invalid('undeclared function reference');
            // Inexact function imports may be given a function of a subtype.
            this.push(refEnc((ctx.funcExact[x as number] === 1 ? EXACT_HEAP : 0) + 16 + id, false));
            break;
          }
          case OpClass.RefEq: {
            const eq = refEnc(HT.Eq, true);
            this.pop(eq);
            this.pop(eq);
            this.push(VT.I32);
            break;
          }
          case OpClass.RefAsNonNull: {
            const t = this.popRef();
            this.push(refEnc(heapOf(t), false));
            break;
          }
          case OpClass.BrOnNull: {
            const c = this.labelFrame(ins.idx);
            const t = this.popRef();
            this.passThrough(this.labelTypes(c), false);
            this.push(refEnc(heapOf(t), false));
            break;
          }
          case OpClass.BrOnNonNull: {
            const c = this.labelFrame(ins.idx);
            const ls = this.labelTypes(c);
            const n = ls.length;
            if (n === 0 || !isRefEnc(ls[n - 1])) throw invalid(TM);
            const t = this.popRef();
            if (!reg.valSub(refEnc(heapOf(t), false), ls[n - 1])) throw invalid(TM);
            this.passThrough(ls.slice(0, n - 1), false);
            break;
          }
          case OpClass.StructNew:
          case OpClass.StructNewDefault:
          case OpClass.StructNewDesc:
          case OpClass.StructNewDefaultDesc: {
            const { id, info } = this.typeInfo(ins.idx, CompKind.Struct);
            const fs = info.fields;
            const desc = k === OpClass.StructNewDesc || k === OpClass.StructNewDefaultDesc;
            // A type with a descriptor is allocated only with one, exactly of its descriptor type.
            if (desc !== info.descriptor >= 0) {
              throw invalid(
                desc
                  ? 'type without descriptor requires non-descriptor allocation'
                  : 'type with descriptor requires descriptor allocation',
              );
            }
            if (desc) this.pop(refEnc(EXACT_HEAP + 16 + info.descriptor, true));
            if (k === OpClass.StructNew || k === OpClass.StructNewDesc) {
              for (let i = fs.length - 1; i >= 0; i--) this.pop(unpackEnc(fs[i]));
            } else {
              for (let i = 0; i < fs.length; i++)
                if (!isDefaultableEnc(fs[i])) throw invalid('field type is not defaultable');
            }
            this.push(refEnc(EXACT_HEAP + 16 + id, false));
            break;
          }
          case OpClass.RefGetDesc: {
            const { id, info } = this.typeInfo(ins.idx, CompKind.Struct);
            if (info.descriptor < 0) throw invalid(`type without descriptor ${ins.idx}`);
            const t = this.pop(refEnc(16 + id, true));
            // The descriptor of an exact x is exactly x's descriptor type.
            const exact = t === VT.Bot || reg.heapSub(heapOf(t), EXACT_HEAP + 16 + id);
            this.push(refEnc((exact ? EXACT_HEAP : 0) + 16 + info.descriptor, false));
            break;
          }
          case OpClass.RefCastDescEq: {
            const rt = this.castTarget(ins, d);
            this.pop(this.descOperand(rt));
            this.pop(refEnc(reg.topHeap(heapOf(rt)), true));
            this.push(rt);
            break;
          }
          case OpClass.BrOnCastDescEq:
          case OpClass.BrOnCastDescEqFail: {
            // As br_on_cast, but the two types need only share a hierarchy, and the descriptor
            // to compare with is an operand above the reference.
            const c = this.labelFrame(ins.idx);
            const rt1 = this.encodeRef(ins, 0);
            const rt2 = this.encodeRef(ins, 1);
            if (reg.topHeap(heapOf(rt1)) !== reg.topHeap(heapOf(rt2))) throw invalid(TM);
            const ls = this.labelTypes(c);
            const n = ls.length;
            if (n === 0 || !isRefEnc(ls[n - 1])) throw invalid(TM);
            const diff = isNullableEnc(rt2) ? refEnc(heapOf(rt1), false) : rt1;
            const toLabel = k === OpClass.BrOnCastDescEq ? rt2 : diff;
            if (!reg.valSub(toLabel, ls[n - 1])) throw invalid(TM);
            this.pop(this.descOperand(rt2));
            this.pop(rt1);
            this.passThrough(ls.slice(0, n - 1), false);
            this.push(k === OpClass.BrOnCastDescEq ? diff : rt2);
            break;
          }
          case OpClass.StructGet:
          case OpClass.StructGetPacked:
          case OpClass.StructSet: {
            const { id, info } = this.typeInfo(ins.idx, CompKind.Struct);
            const f = ins.idx2;
            if (f === undefined || !(f < info.fields.length) || f < 0) throw invalid('unknown field');
            const ft = info.fields[f];
            const packed = ft === VT.I8 || ft === VT.I16;
            if (k === OpClass.StructSet) {
              if (!info.mutables[f]) throw invalid('immutable field');
              this.pop(unpackEnc(ft));
              this.pop(refEnc(16 + id, true));
            } else {
              if (packed !== (k === OpClass.StructGetPacked))
                throw invalid(packed ? 'field is packed' : 'field is not packed');
              this.pop(refEnc(16 + id, true));
              this.push(unpackEnc(ft));
            }
            break;
          }
          case OpClass.ArrayNew:
          case OpClass.ArrayNewDefault:
          case OpClass.ArrayNewFixed: {
            const { id, info } = this.typeInfo(ins.idx, CompKind.Array);
            const et = unpackEnc(info.fields[0]);
            if (k === OpClass.ArrayNew) {
              this.pop(VT.I32);
              this.pop(et);
            } else if (k === OpClass.ArrayNewDefault) {
              if (!isDefaultableEnc(info.fields[0])) throw invalid('array type is not defaultable');
              this.pop(VT.I32);
            } else {
              const n = ins.idx2 ?? 0;
              const avail = this.vh - this.curHeight;
              if (n > avail && !this.curUnreach) throw invalid(TM);
              // In unreachable code the missing operands are bottom; don't loop over them.
              for (let i = Math.min(n, avail); i > 0; i--) this.pop(et);
            }
            this.push(refEnc(EXACT_HEAP + 16 + id, false));
            break;
          }
          case OpClass.ArrayNewData:
          case OpClass.ArrayInitData: {
            const { id, info } = this.typeInfo(ins.idx, CompKind.Array);
            const et = info.fields[0];
            if (et >= REF_BASE) throw invalid('array type is not numeric or vector');
            if (k === OpClass.ArrayInitData && !info.mutables[0]) throw invalid('immutable array');
            this.data(ins.idx2);
            this.pop(VT.I32);
            this.pop(VT.I32);
            if (k === OpClass.ArrayNewData) {
              this.push(refEnc(EXACT_HEAP + 16 + id, false));
            } else {
              this.pop(VT.I32);
              this.pop(refEnc(16 + id, true));
            }
            break;
          }
          case OpClass.ArrayNewElem:
          case OpClass.ArrayInitElem: {
            const { id, info } = this.typeInfo(ins.idx, CompKind.Array);
            const et = info.fields[0];
            if (k === OpClass.ArrayInitElem && !info.mutables[0]) throw invalid('immutable array');
            const e = this.elemType(ins.idx2);
            if (!reg.valSub(e, et)) throw invalid(TM);
            this.pop(VT.I32);
            this.pop(VT.I32);
            if (k === OpClass.ArrayNewElem) {
              this.push(refEnc(EXACT_HEAP + 16 + id, false));
            } else {
              this.pop(VT.I32);
              this.pop(refEnc(16 + id, true));
            }
            break;
          }
          case OpClass.ArrayGet:
          case OpClass.ArrayGetPacked:
          case OpClass.ArraySet: {
            const { id, info } = this.typeInfo(ins.idx, CompKind.Array);
            const ft = info.fields[0];
            const packed = ft === VT.I8 || ft === VT.I16;
            if (k === OpClass.ArraySet) {
              if (!info.mutables[0]) throw invalid('immutable array');
              this.pop(unpackEnc(ft));
              this.pop(VT.I32);
              this.pop(refEnc(16 + id, true));
            } else {
              if (packed !== (k === OpClass.ArrayGetPacked))
                throw invalid(packed ? 'array is packed' : 'array is not packed');
              this.pop(VT.I32);
              this.pop(refEnc(16 + id, true));
              this.push(unpackEnc(ft));
            }
            break;
          }
          case OpClass.ArrayLen: {
            this.pop(refEnc(HT.Array, true));
            this.push(VT.I32);
            break;
          }
          case OpClass.ArrayFill: {
            const { id, info } = this.typeInfo(ins.idx, CompKind.Array);
            if (!info.mutables[0]) throw invalid('immutable array');
            this.pop(VT.I32);
            this.pop(unpackEnc(info.fields[0]));
            this.pop(VT.I32);
            this.pop(refEnc(16 + id, true));
            break;
          }
          case OpClass.ArrayCopy: {
            const dst = this.typeInfo(ins.idx, CompKind.Array);
            const src = this.typeInfo(ins.idx2, CompKind.Array);
            if (!dst.info.mutables[0]) throw invalid('immutable array');
            const ds = dst.info.fields[0];
            const ss = src.info.fields[0];
            if (!(ds === ss || (ds !== VT.I8 && ds !== VT.I16 && reg.valSub(ss, ds))))
              throw invalid('array types do not match');
            this.pop(VT.I32);
            this.pop(VT.I32);
            this.pop(refEnc(16 + src.id, true));
            this.pop(VT.I32);
            this.pop(refEnc(16 + dst.id, true));
            break;
          }
          case OpClass.RefTest:
          case OpClass.RefCast: {
            const rt = this.castTarget(ins, d);
            this.pop(refEnc(reg.topHeap(heapOf(rt)), true));
            this.push(k === OpClass.RefTest ? VT.I32 : rt);
            break;
          }
          case OpClass.BrOnCast:
          case OpClass.BrOnCastFail: {
            const c = this.labelFrame(ins.idx);
            const rt1 = this.encodeRef(ins, 0);
            const rt2 = this.encodeRef(ins, 1);
            // Custom descriptors relaxes the rule: the two types need only share a hierarchy.
            const related =
              ctx.disabled === undefined || !ctx.disabled.has('customDescriptors')
                ? reg.topHeap(heapOf(rt1)) === reg.topHeap(heapOf(rt2))
                : reg.valSub(rt2, rt1);
            if (!related) throw invalid(TM);
            const ls = this.labelTypes(c);
            const n = ls.length;
            if (n === 0 || !isRefEnc(ls[n - 1])) throw invalid(TM);
            const diff = isNullableEnc(rt2) ? refEnc(heapOf(rt1), false) : rt1;
            const toLabel = k === OpClass.BrOnCast ? rt2 : diff;
            if (!reg.valSub(toLabel, ls[n - 1])) throw invalid(TM);
            this.pop(rt1);
            this.passThrough(ls.slice(0, n - 1), false);
            this.push(k === OpClass.BrOnCast ? diff : rt2);
            break;
          }
          case OpClass.AnyConvertExtern:
          case OpClass.ExternConvertAny: {
            const from = k === OpClass.AnyConvertExtern ? HT.Extern : HT.Any;
            const t = this.popRef();
            if (!reg.heapSub(heapOf(t), from)) throw invalid(TM);
            this.push(refEnc(k === OpClass.AnyConvertExtern ? HT.Any : HT.Extern, isNullableEnc(t)));
            break;
          }
          case OpClass.RefI31: {
            this.pop(VT.I32);
            this.push(refEnc(HT.I31, false));
            break;
          }
          case OpClass.I31Get: {
            this.pop(refEnc(HT.I31, true));
            this.push(VT.I32);
            break;
          }
          default:
            throw malformed(`illegal opcode ${ins.op.toString(16)}`);
        }
        if (this.vh > this.maxHeight) this.maxHeight = this.vh;
      }
      if (this.ch !== 1) throw malformed('unexpected end of function body');
      this.popCtrl();
    } catch (e) {
      this.failedAt = pc;
      throw e;
    }
  }

  private heap(h: HeapType): number {
    return heapOf(encodeType({ kind: 'ref', nullable: true, heap: h }, this.ctx.canon));
  }

  /**
   * Custom descriptors: the descriptor operand of a descriptor cast to `rt`, (ref null
   * (exact? y)) where y is the descriptor type of rt's heap type, exact if rt's is.
   */
  private descOperand(rt: number): number {
    const h = heapOf(rt);
    const x = inexactHeap(h);
    const y = x >= 16 && x < EXACT_HEAP ? this.reg.info(x - 16).descriptor : -1;
    if (y < 0) throw invalid('type does not have a descriptor');
    return refEnc((isExactHeap(h) ? EXACT_HEAP : 0) + 16 + y, true);
  }

  private castTarget(ins: Instr, d: number): number {
    const t = ins.types?.[0];
    if (t !== undefined && typeof t === 'object') return encodeType(t, this.ctx.canon);
    if (ins.heap === undefined) throw malformed('missing heap type');
    // The opcode says whether the target is nullable (ref.test_null / ref.cast_null).
    const nullable = (d & 1) === 1;
    return refEnc(this.heap(ins.heap), nullable);
  }

  private checkCatch(kind: CatchKind, tag: number | undefined, label: number): void {
    const c = this.labelFrame(label);
    const ls = this.labelTypes(c);
    let ps: readonly number[] = EMPTY;
    if (kind === CatchKind.Catch || kind === CatchKind.CatchRef) ps = this.tag(tag).params;
    const withRef = kind === CatchKind.CatchRef || kind === CatchKind.CatchAllRef;
    const n = ps.length + (withRef ? 1 : 0);
    if (ls.length !== n) throw invalid(TM);
    for (let i = 0; i < ps.length; i++) if (!this.reg.valSub(ps[i], ls[i])) throw invalid(TM);
    if (withRef && !this.reg.valSub(EXNREF_NON_NULL, ls[n - 1])) throw invalid(TM);
  }
}

anchorShape(
  new CodeValidator({
    reg: new TypeRegistry(),
    canon: [],
    funcTypes: [],
    funcExact: new Uint8Array(0),
    tableAddr: [],
    tableElem: [],
    memAddr: [],
    globalTypes: [],
    globalMutable: [],
    tagTypes: [],
    elemTypes: [],
    numDatas: 0,
    hasDataCount: false,
    refs: new Uint8Array(0),
  }),
);
