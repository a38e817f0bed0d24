// The validator's fast path: one function that reads a body's bytes and checks the
// instructions most code consists of (numeric operators, locals, globals, loads and stores,
// calls, blocks without parameters and branches) with its stacks in local variables, no
// instruction objects and no calls per instruction.
//
// It only ever says "valid" or "cannot tell": any instruction outside its set, any block
// type it does not handle, any error and anything unusual in the encoding makes it give up,
// and CodeValidator (func.ts) then validates the body from its start and reports the error
// with its place. So it must accept exactly what CodeValidator accepts for the bodies it
// finishes, and compute the same maximum operand-stack height and control depth (the
// translator sizes its frames by them).

import type { FuncBody, ModuleIR } from '../ir';
import { LIMITS } from '../limits';
import { OPS } from '../opcodes';
import { anchorShape } from '../shapes';
import type { ModuleContext } from './func';
import { HT, REF_BASE, VT, refEnc, type CanonInfo, type TypeRegistry } from './types';

// Constants the loop tests are const enum members (as VT's), which the compiler writes as
// literals: without a JIT a module-scope constant is a context-slot read and a hole check.
const enum K {
  // Frame kinds; a loop's label takes no values (fast-path blocks have no parameters).
  BLOCK = 0,
  LOOP = 1,
  IF = 2,
  ELSE = 3,
  FUNC = 4,
}

const EMPTY: readonly number[] = [];
/** The result list of a block whose type is one numeric or vector value type, by type code. */
const SINGLE: readonly (readonly number[])[] = [EMPTY, [VT.I32], [VT.I64], [VT.F32], [VT.F64], [VT.V128]];

// One table read per instruction: each entry packs what the loop needs (types fit in 3 bits).
// Single-byte numeric operators (0x45..0xc4): result | operand << 3 | 64 if binary (both
// operands have one type); 0 for other opcodes.
const PLAIN = new Uint8Array(256);
// Loads (0x28..0x35) and stores (0x36..0x3e): value type | natural alignment (log2) << 3.
const MEM = new Uint8Array(256);
// 0xfc-prefixed saturating truncations (sub-opcodes 0..7).
const SAT_A = new Uint8Array(8);
const SAT_R = new Uint8Array(8);

const SIG: Record<string, number> = { i: VT.I32, I: VT.I64, f: VT.F32, F: VT.F64 };
const sigType = (c: string, name: string): number => {
  const v = SIG[c];
  if (v === undefined) throw new Error(`fast validator: unexpected type '${c}' in the signature of ${name}`);
  return v;
};
for (const op of OPS) {
  if (op.sig === undefined) continue;
  const [p, r] = op.sig.split('>');
  if (op.prefix === 0 && op.code >= 0x45 && op.code <= 0xc4) {
    if (op.imm !== 0 || p.length < 1 || p.length > 2 || r.length !== 1)
      throw new Error(`fast validator: ${op.name} is not a plain operator`);
    if (p.length === 2 && p[1] !== p[0]) throw new Error(`fast validator: the operands of ${op.name} differ`);
    PLAIN[op.code] = sigType(r, op.name) | (sigType(p[0], op.name) << 3) | (p.length === 2 ? 64 : 0);
  } else if (op.prefix === 0 && op.code >= 0x28 && op.code <= 0x3e) {
    // Loads are `a>T`, stores `aT>`.
    const store = r.length === 0;
    if (store !== op.code >= 0x36) throw new Error(`fast validator: ${op.name} is out of place`);
    MEM[op.code] = sigType(store ? p[1] : r, op.name) | ((op.natAlign ?? 0) << 3);
  } else if (op.prefix === 0xfc && op.sub < 8) {
    SAT_A[op.sub] = sigType(p, op.name);
    SAT_R[op.sub] = sigType(r, op.name);
  }
}

/** Where an LEB128 read ended (set by the slow readers below), or -1 if it was not valid. */
let lebEnd = 0;

/** An unsigned LEB128 of at most 32 bits at `pos`, with Reader.u32's checks; sets lebEnd. */
function readU32(bytes: Uint8Array, pos: number, end: number): number {
  let result = 0;
  for (let i = 0; i < 5; i++) {
    if (pos >= end) break;
    const b = bytes[pos++];
    if (i === 4) {
      if ((b & 0x70) !== 0 || (b & 0x80) !== 0) break;
      lebEnd = pos;
      return (result | (b << 28)) >>> 0;
    }
    result |= (b & 0x7f) << (7 * i);
    if (b <= 0x7f) {
      lebEnd = pos;
      return result >>> 0;
    }
  }
  lebEnd = -1;
  return 0;
}

/** An unsigned LEB128 of at most 64 bits, as a number (only compared with 2^32 - 1). */
function readU64(bytes: Uint8Array, pos: number, end: number): number {
  let result = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) break;
    const b = bytes[pos++];
    if (i === 9) {
      if ((b & 0x7e) !== 0 || (b & 0x80) !== 0) break;
      lebEnd = pos;
      return result + (b & 1) * scale;
    }
    result += (b & 0x7f) * scale;
    scale *= 128;
    if (b <= 0x7f) {
      lebEnd = pos;
      return result;
    }
  }
  lebEnd = -1;
  return 0;
}

/** Steps over a signed LEB128 of `bits` (32 or 64) with Reader's checks; returns the end or -1. */
function skipSigned(bytes: Uint8Array, pos: number, end: number, bits: number): number {
  const last = bits === 32 ? 4 : 9;
  for (let i = 0; i <= last; i++) {
    if (pos >= end) return -1;
    const b = bytes[pos++];
    if (i === last) {
      if (b & 0x80) return -1;
      const sign = bits === 32 ? b & 0x78 : b & 0x7f;
      const all = bits === 32 ? 0x78 : 0x7f;
      return sign === 0 || sign === all ? pos : -1;
    }
    if (b <= 0x7f) return pos;
  }
  return -1;
}

/** Pops `ts` (the last first), each a subtype of its expectation; the new height or -1. */
function popTypes(
  vals: Int32Array,
  vh: number,
  floor: number,
  unreach: boolean,
  ts: readonly number[],
  reg: TypeRegistry,
): number {
  for (let i = ts.length - 1; i >= 0; i--) {
    if (vh === floor) {
      if (unreach) continue;
      return -1;
    }
    const t = vals[--vh];
    const e = ts[i];
    if (t !== e && !reg.valSub(t, e)) return -1;
  }
  return vh;
}

// ---------------------------------------------------------------- priming
//
// TurboFan compiles the loop with the type feedback gathered so far; an operation that has
// not run yet becomes a deoptimisation exit, and reaching it later throws the optimised
// code away and compiles the loop again. In a fresh process that happens several times
// during the first large module. Running once over a small body that uses every handled
// instruction (and the multi-byte immediates) first gives every operation its feedback.

/** (func (param i32) (result i32) (local i32 x130 i64 f32 f64 v128) ...), instructions only. */
const PRIMER_BODY = [
  0x02,
  0x40,
  0x03,
  0x40, // block, loop
  0x20,
  0x00,
  0x0d,
  0x01, // local.get 0, br_if 1
  0x20,
  0x00,
  0x41,
  0x01,
  0x6b,
  0x21,
  0x00, // local.set 0 (i32.sub (local.get 0) (i32.const 1))
  0x0c,
  0x00,
  0x0b,
  0x0b, // br 0, end, end
  0x20,
  0x00,
  0x04,
  0x7f,
  0x41,
  0x80,
  0x01,
  0x05,
  0x20,
  0x82,
  0x01,
  0x0b, // if (result i32) / else, LEB operands
  0x22,
  0x82,
  0x01,
  0x1a, // local.tee 130, drop
  0x20,
  0x80,
  0x80,
  0x00,
  0x21,
  0x80,
  0x80,
  0x00, // local.get 0, local.set 0: three-byte indices
  0x20,
  0x00,
  0x22,
  0x80,
  0x80,
  0x00,
  0x1a, // local.tee 0 (three bytes), drop
  0x41,
  0x80,
  0x80,
  0x80,
  0x80,
  0x00,
  0x1a,
  0x41,
  0x80,
  0x80,
  0x01,
  0x1a, // i32.const of five and three bytes
  0x41,
  0x80,
  0x80,
  0x80,
  0x00,
  0x1a, // and of four bytes
  0x42,
  0x80,
  0x80,
  0x00,
  0x1a, // i64.const of three bytes
  0x41,
  0x00,
  0x28,
  0x02,
  0x80,
  0x80,
  0x01,
  0x1a, // i32.load offset=16384
  0x20,
  0x00,
  0x10,
  0x80,
  0x00,
  0x1a,
  0x20,
  0x00,
  0x10,
  0x80,
  0x80,
  0x00,
  0x1a, // call 0 (two, three bytes)
  0x02,
  0x40,
  0x20,
  0x00,
  0x0d,
  0x80,
  0x00,
  0x20,
  0x00,
  0x0d,
  0x80,
  0x80,
  0x00, // block, br_if 0 (two, three bytes)
  0x0c,
  0x80,
  0x00,
  0x0b,
  0x02,
  0x40,
  0x0c,
  0x80,
  0x80,
  0x00,
  0x0b, // br 0 (two bytes), end, block, br 0 (three)
  0x20,
  0x00,
  0x04,
  0x40,
  0x01,
  0x0b, // if without else
  0x42,
  0x80,
  0x01,
  0x42,
  0x01,
  0x7c,
  0x21,
  0x83,
  0x01, // i64.add into local 131
  0x43,
  0x00,
  0x00,
  0x80,
  0x3f,
  0x20,
  0x84,
  0x01,
  0x92,
  0x21,
  0x84,
  0x01, // f32.add into local 132
  0x44,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0x20,
  0x85,
  0x01,
  0xa0,
  0xfc,
  0x02,
  0x1a, // f64.add, i32.trunc_sat_f64_s, drop
  0x41,
  0x00,
  0x28,
  0x02,
  0x00, // i32.load
  0x41,
  0x00,
  0x29,
  0x03,
  0x80,
  0x01,
  0xa7,
  0x6a,
  0x21,
  0x01, // i64.load offset=128, i32.wrap_i64, i32.add, local.set 1
  0x41,
  0x00,
  0x20,
  0x01,
  0x36,
  0x02,
  0x04, // i32.store offset=4
  0x3f,
  0x00,
  0x40,
  0x00,
  0x1a, // memory.size, memory.grow, drop
  0x41,
  0x00,
  0x41,
  0x00,
  0x41,
  0x00,
  0xfc,
  0x0b,
  0x00, // memory.fill
  0x41,
  0x00,
  0x41,
  0x00,
  0x41,
  0x00,
  0xfc,
  0x0a,
  0x00,
  0x00, // memory.copy
  0x23,
  0x00,
  0x41,
  0x01,
  0x6a,
  0x24,
  0x00, // global.set 0 (i32.add (global.get 0) (i32.const 1))
  0x20,
  0x00,
  0x10,
  0x00,
  0x1a,
  0x10,
  0x01, // call 0, drop, call 1
  0x20,
  0x00,
  0x41,
  0x00,
  0x11,
  0x00,
  0x00,
  0x1a, // call_indirect (type 0) table 0, drop
  0x41,
  0x01,
  0x41,
  0x02,
  0x20,
  0x00,
  0x1b,
  0x1a, // select, drop
  0x02,
  0x7f,
  0x41,
  0x07,
  0x20,
  0x00,
  0x0e,
  0x01,
  0x00,
  0x00,
  0x0b,
  0x1a, // br_table in a block (result i32)
  0x20,
  0x86,
  0x01,
  0x1a, // local.get 134 (v128), drop
  0x02,
  0x40,
  0x41,
  0x00,
  0x0f,
  0x00,
  0x1a,
  0x0b, // block: return, then unreachable code
  // Operators whose operands are missing (unreachable code): i32.add, drop, i32.eqz, drop,
  // i32.load, i32.store, drop, local.tee 0, drop, then a block in unreachable code.
  0x02,
  0x40,
  0x00,
  0x6a,
  0x1a,
  0x45,
  0x1a,
  0x28,
  0x02,
  0x00,
  0x36,
  0x02,
  0x00,
  0x1a,
  0x22,
  0x00,
  0x1a,
  0x02,
  0x40,
  0x0b,
  0x0b,
  0x42,
  0x00,
  0x42,
  0x00,
  0x51,
  0x45,
  0x1a, // i64.eq, i32.eqz, drop
  0x42,
  0x80,
  0x80,
  0x80,
  0x80,
  0x80,
  0x80,
  0x80,
  0x80,
  0x80,
  0x7f,
  0x1a, // i64.const of ten bytes, drop
  0x02,
  0x7f,
  0x41,
  0x01,
  0x0c,
  0x00,
  0x0b,
  0x1a, // block (result i32): br 0 with a value, drop
  0x02,
  0x7f,
  0x41,
  0x01,
  0x20,
  0x00,
  0x0d,
  0x00,
  0x0b,
  0x1a, // block (result i32): br_if 0 with a value, drop
  0x02,
  0x7f,
  0x00,
  0x0b,
  0x1a, // block (result i32): unreachable, end (its result popped from an empty stack), drop
  0x02,
  0x40,
  0x00,
  0x10,
  0x00,
  0x1a,
  0x0b, // block: unreachable, call 0 (its parameter popped from an empty stack), drop
  0x20,
  0x00,
  0x0b, // local.get 0, end
];

/** An unsigned LEB128 (for the primer module's section and vector sizes). */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    const b = n & 0x7f;
    n >>>= 7;
    out.push(n === 0 ? b : b | 0x80);
  } while (n !== 0);
  return out;
}

/**
 * A module whose bodies are `copies` groups of four, with the memory, table, global and types
 * they use: PRIMER_BODY, an empty body, and two the fast path leaves to CodeValidator (a
 * reference-typed local; an instruction outside its set). It is what `primeValidation`
 * (runtime) decodes and validates through the whole pipeline, so that the feedback the fast
 * path gathers is on the objects real modules give it (the decoder's bodies,
 * validateDecoded's context), not on look-alikes, and covers its ways of giving up.
 */
export function primerModule(copies: number): Uint8Array {
  const section = (id: number, payload: number[]): number[] => [id, ...uleb(payload.length), ...payload];
  const localGroups = [0x05, 0x82, 0x01, 0x7f, 0x01, 0x7e, 0x01, 0x7d, 0x01, 0x7c, 0x01, 0x7b];
  const first = [...localGroups, ...PRIMER_BODY];
  const second = [0x00, 0x0b];
  const refLocal = [0x01, 0x01, 0x70, 0x0b]; // (local funcref)
  const refNull = [0x00, 0xd0, 0x70, 0x1a, 0x0b]; // ref.null func, drop
  const funcs: number[] = [];
  const code: number[] = [];
  for (let i = 0; i < copies; i++) {
    funcs.push(0x00, 0x01, 0x01, 0x01);
    for (const body of [first, second, refLocal, refNull]) code.push(...uleb(body.length), ...body);
  }
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    // (type (func (param i32) (result i32))) (type (func))
    ...section(0x01, [0x02, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60, 0x00, 0x00]),
    ...section(0x03, [...uleb(4 * copies), ...funcs]),
    ...section(0x04, [0x01, 0x70, 0x00, 0x02]), // (table 2 funcref)
    ...section(0x05, [0x01, 0x00, 0x01]), // (memory 1)
    ...section(0x06, [0x01, 0x7f, 0x01, 0x41, 0x00, 0x0b]), // (global (mut i32) (i32.const 0))
    ...section(0x0a, [...uleb(4 * copies), ...code]),
  ]);
}

let primed = false;

/** Runs the fast path once over PRIMER_BODY (see above); throws if it does not finish it. */
function prime(reg: TypeRegistry): void {
  primed = true;
  const i32ToI32 = {
    final: true,
    supers: [],
    comp: { kind: 'func' as const, params: ['i32' as const], results: ['i32' as const] },
  };
  const empty = { final: true, supers: [], comp: { kind: 'func' as const, params: [], results: [] } };
  const m = {
    types: [i32ToI32, empty],
    recGroups: [
      { start: 0, count: 1 },
      { start: 1, count: 1 },
    ],
  } as unknown as ModuleIR;
  const canon = reg.canonicalize(m);
  const ctx: ModuleContext = {
    reg,
    canon,
    funcTypes: [canon[0], canon[1]],
    funcExact: new Uint8Array(2),
    tableAddr: [VT.I32],
    tableElem: [refEnc(HT.Func, true)],
    memAddr: [VT.I32],
    globalTypes: [VT.I32],
    globalMutable: [true],
    tagTypes: [],
    elemTypes: [],
    numDatas: 0,
    hasDataCount: false,
    refs: new Uint8Array(2),
  };
  // Local groups: 130 i32 (a two-byte count), then one each of i64, f32, f64 and v128.
  const localGroups = [0x05, 0x82, 0x01, 0x7f, 0x01, 0x7e, 0x01, 0x7d, 0x01, 0x7c, 0x01, 0x7b];
  const bytes = Uint8Array.from([...localGroups, ...PRIMER_BODY, 0x00, 0x0b]);
  const second = localGroups.length + PRIMER_BODY.length;
  const codes: FuncBody[] = [
    { locals: [], body: [], pos: 0, start: localGroups.length, end: second },
    { locals: [], body: [], pos: second, start: second + 1, end: bytes.length },
  ];
  // V8 gives a function its feedback vector only after a few calls, so one run records nothing.
  const v = new FastValidator(ctx);
  for (let i = 0; i < 16; i++) {
    if (v.validateBodies(bytes, codes, ctx.funcTypes, 0, [], []).length !== 0) {
      throw new Error('fast validator: the primer body was not accepted');
    }
  }
  // Its map is the one optimised code checks `this` against (compiler/shapes.ts).
  anchorShape(v);
}

export class FastValidator {
  private readonly reg: TypeRegistry;
  private vals = new Int32Array(256);
  private cKind = new Uint8Array(64);
  private cHeight = new Int32Array(64);
  /**
   * Per frame below the current one: 1 if it was unreachable when the frame above it
   * opened (the current frame's own state is a local), restored at that frame's end.
   */
  private cUnreach = new Uint8Array(64);
  /** Per open frame: the types its `end` pops (results) and those a branch to it takes. */
  private cRes: (readonly number[])[] = [];
  private cLabel: (readonly number[])[] = [];
  private scratch = new Int32Array(16);
  private localTypes = new Int32Array(64);
  /** Per table: 1 if its elements are function references (call_indirect may use it). */
  private readonly funcTable: Uint8Array;
  /** Per function index: the canonical info of its type (what `call` pops and pushes). */
  private readonly funcInfos: readonly CanonInfo[];

  constructor(private readonly ctx: ModuleContext) {
    this.reg = ctx.reg;
    if (!primed) prime(this.reg);
    this.funcTable = Uint8Array.from(ctx.tableElem, (e) => (this.reg.valSub(e, refEnc(HT.Func, true)) ? 1 : 0));
    const funcInfos: CanonInfo[] = new Array<CanonInfo>(ctx.funcTypes.length);
    for (let i = 0; i < funcInfos.length; i++) funcInfos[i] = this.reg.info(ctx.funcTypes[i]);
    this.funcInfos = funcInfos;
  }

  /**
   * Validates the bodies `codes[from, to)` (kept as bytes in `bytes`; body i has canonical
   * type `funcTypes[typeBase + i]`) and returns the indices of those the fast path could not
   * decide, in order: CodeValidator must validate them. For every other body, sets
   * `heights[i]` and `depths[i]` to its maximum operand-stack height and control depth.
   *
   * All bodies go through one loop that runs one instruction per iteration and moves on to
   * the next body when one is decided: it is the function's outermost hot loop, so the
   * optimising compiler enters it without copying an enclosing loop (as on-stack
   * replacement inside a nested loop does).
   */
  validateBodies(
    bytes: Uint8Array,
    codes: readonly FuncBody[],
    funcTypes: readonly number[],
    typeBase: number,
    heights: number[],
    depths: number[],
    from = 0,
    to = codes.length,
  ): number[] {
    const reg = this.reg;
    const ctx = this.ctx;
    // Everything the loop reads is in a local: without a JIT each property or module-scope
    // read is a bytecode of its own (and a module constant also a hole check).
    const globalTypes = ctx.globalTypes;
    const globalMutable = ctx.globalMutable;
    const canon = ctx.canon;
    const tableAddr = ctx.tableAddr;
    const funcTable = this.funcTable;
    const funcInfos = this.funcInfos;
    const memAddr = ctx.memAddr;
    const numMems = memAddr.length;
    const cRes = this.cRes;
    const cLabel = this.cLabel;
    const plain = PLAIN;
    const memTable = MEM;
    const addr0 = numMems > 0 ? memAddr[0] : VT.I32;
    const single = SINGLE;
    const empty = EMPTY;
    const numBodies = to;
    const undecided: number[] = [];
    // ch counts the function's own frame, which the nesting limit does not.
    const nestingLimit = LIMITS.nesting;
    const brTableLimit = LIMITS.brTableTargets;

    let localTypes = this.localTypes;
    let vals = this.vals;
    let cKind = this.cKind;
    let cHeight = this.cHeight;
    let cUnreach = this.cUnreach;
    // The body being validated: index, instructions [pos, end), locals, result types.
    let i = from - 1;
    let accepted = true;
    let pos = 0;
    let end = 0;
    let nl = 0;
    let funcResults: readonly number[] = empty;
    // Its stacks and figures.
    let vh = 0;
    let ch = 1;
    let floor = 0;
    let unreach = false;
    let maxHeight = 0;
    let maxCtrl = 1;
    let t = 0;

    // Reading immediates. The slow LEB readers check against `end`; the fast paths for
    // short ones (up to four bytes) below do not: near `end` they read the first bytes of
    // the next body (or past the array: undefined, which fails every fast-path test).
    // Such a read leaves `pos > end`; one instruction pushes at most one value and one
    // frame whatever it reads (calls check their room), so the stacks stay within their
    // capacity, and the loop test then gives up before the next instruction. No body is
    // accepted that way: `pos` only grows, and only a final `end` read at `pos === end - 1`
    // accepts one.
    //
    // Dispatch: without a JIT a switch over sparse cases is a chain of comparisons, so
    // the instructions are tested one by one, by how common they are in compiled code.
    for (;;) {
      ok: if (pos < end) {
        const op = bytes[pos];
        pos++;
        if (op === 0x20) {
          // local.get
          let x = bytes[pos];
          if (x <= 0x7f) pos++;
          else if ((t = bytes[pos + 1]) <= 0x7f) {
            x = (x & 0x7f) | (t << 7);
            pos += 2;
          } else if (((x = readU32(bytes, pos, end)), (pos = lebEnd) < 0)) break ok;
          if (!(x < nl)) break ok;
          vals[vh] = localTypes[x];
          vh++;
          if (vh > maxHeight) maxHeight = vh;
          continue;
        }
        if (op === 0x41) {
          // i32.const
          if (bytes[pos] <= 0x7f) pos++;
          else if (bytes[pos + 1] <= 0x7f) pos += 2;
          else if (bytes[pos + 2] <= 0x7f)
            pos += 3; // addresses in data
          else if (bytes[pos + 3] <= 0x7f) pos += 4;
          else if ((pos = skipSigned(bytes, pos, end, 32)) < 0) break ok;
          vals[vh] = VT.I32;
          vh++;
          if (vh > maxHeight) maxHeight = vh;
          continue;
        }
        if (op < 0x28) {
          switch (op) {
            case 0x0b: {
              // end
              const c = ch - 1;
              const res = cRes[c];
              const n = res.length;
              if (n === 0) {
                if (vh !== floor) break ok;
              } else {
                // An if without else has an empty else branch, which must produce the results.
                if (cKind[c] === K.IF) break ok;
                if (!(n === 1 && vh === floor + 1 && vals[floor] === res[0])) {
                  if ((vh = popTypes(vals, vh, floor, unreach, res, reg)) < 0 || vh !== floor) break ok;
                }
              }
              if (c === 0) {
                // The function's final `end`: the body must end here.
                if (pos !== end) break ok;
                heights[i] = maxHeight;
                depths[i] = maxCtrl;
                accepted = true;
                break ok;
              }
              // The frame's values are gone (checked above): the height is its floor.
              vh = floor;
              ch = c;
              floor = cHeight[c - 1];
              unreach = cUnreach[c - 1] === 1;
              for (let k = 0; k < n; k++) {
                vals[vh] = res[k];
                vh++;
              }
              if (vh > maxHeight) maxHeight = vh;
              continue;
            }
            case 0x0d: {
              // br_if
              let l = bytes[pos];
              if (l <= 0x7f) pos++;
              else if ((t = bytes[pos + 1]) <= 0x7f) {
                l = (l & 0x7f) | (t << 7);
                pos += 2;
              } else if (((l = readU32(bytes, pos, end)), (pos = lebEnd) < 0)) break ok;
              if (!(l < ch)) break ok;
              if (vh === floor) {
                if (!unreach) break ok;
              } else if ((t = vals[--vh]) !== VT.I32 && t !== VT.Bot) break ok;
              const ts = cLabel[ch - 1 - l];
              if (ts.length !== 0) {
                if ((vh = popTypes(vals, vh, floor, unreach, ts, reg)) < 0) break ok;
                for (let k = 0; k < ts.length; k++) {
                  vals[vh] = ts[k];
                  vh++;
                }
                if (vh > maxHeight) maxHeight = vh;
              }
              continue;
            }
            case 0x21: // local.set
            case 0x22: {
              // local.tee
              let x = bytes[pos];
              if (x <= 0x7f) pos++;
              else if ((t = bytes[pos + 1]) <= 0x7f) {
                x = (x & 0x7f) | (t << 7);
                pos += 2;
              } else if (((x = readU32(bytes, pos, end)), (pos = lebEnd) < 0)) break ok;
              if (!(x < nl)) break ok;
              const lt = localTypes[x];
              // local.tee of a value of the local's own type leaves the stack as it is.
              if (op === 0x22 && vh > floor && vals[vh - 1] === lt) continue;
              if (vh === floor) {
                if (!unreach) break ok;
              } else if ((t = vals[--vh]) !== lt && t !== VT.Bot && !reg.valSub(t, lt)) break ok;
              if (op === 0x22) {
                vals[vh] = lt;
                vh++;
                if (vh > maxHeight) maxHeight = vh;
              }
              continue;
            }
            case 0x02: // block
            case 0x03: // loop
            case 0x04: {
              // if
              const bt = bytes[pos];
              pos++;
              let res: readonly number[];
              if (bt === 0x40) res = empty;
              else if (bt >= 0x7b && bt <= 0x7f) res = single[0x80 - bt];
              else break ok;
              if (op === 0x04) {
                if (vh === floor) {
                  if (!unreach) break ok;
                } else if ((t = vals[--vh]) !== VT.I32 && t !== VT.Bot) break ok;
              }
              // Past the nesting limit the decoder's error is due: CodeValidator reports it.
              if (ch > nestingLimit) break ok;
              cKind[ch] = op === 0x02 ? K.BLOCK : op === 0x03 ? K.LOOP : K.IF;
              cHeight[ch] = vh;
              cUnreach[ch - 1] = unreach ? 1 : 0;
              cRes[ch] = res;
              cLabel[ch] = op === 0x03 ? empty : res;
              ch++;
              if (ch > maxCtrl) maxCtrl = ch;
              floor = vh;
              unreach = false;
              continue;
            }
            case 0x10: {
              // call
              let x = bytes[pos];
              if (x <= 0x7f) pos++;
              else if ((t = bytes[pos + 1]) <= 0x7f) {
                x = (x & 0x7f) | (t << 7);
                pos += 2;
              } else if (((x = readU32(bytes, pos, end)), (pos = lebEnd) < 0)) break ok;
              const fi = funcInfos[x];
              if (fi === undefined) break ok;
              const ps = fi.params;
              let k = ps.length;
              if (vh - k >= floor) {
                while (k > 0) {
                  k--;
                  vh--;
                  if ((t = vals[vh]) !== ps[k] && t !== VT.Bot && !reg.valSub(t, ps[k])) break ok;
                }
              } else if ((vh = popTypes(vals, vh, floor, unreach, ps, reg)) < 0) break ok;
              const rs = fi.results;
              if (vh + rs.length + 16 > vals.length) {
                const v = new Int32Array((vh + rs.length + 16) * 2);
                v.set(vals);
                this.vals = vals = v;
              }
              for (let k = 0; k < rs.length; k++) {
                vals[vh] = rs[k];
                vh++;
              }
              if (vh > maxHeight) maxHeight = vh;
              continue;
            }
            case 0x0c: {
              // br
              let l = bytes[pos];
              if (l <= 0x7f) pos++;
              else if ((t = bytes[pos + 1]) <= 0x7f) {
                l = (l & 0x7f) | (t << 7);
                pos += 2;
              } else if (((l = readU32(bytes, pos, end)), (pos = lebEnd) < 0)) break ok;
              if (!(l < ch)) break ok;
              const ts = cLabel[ch - 1 - l];
              if (ts.length !== 0 && popTypes(vals, vh, floor, unreach, ts, reg) < 0) break ok;
              vh = floor;
              unreach = true;
              continue;
            }
            case 0x00: // unreachable
              vh = floor;
              unreach = true;
              continue;
            case 0x1b: {
              // select
              if (vh === floor) {
                if (!unreach) break ok;
              } else if ((t = vals[--vh]) !== VT.I32 && t !== VT.Bot) break ok;
              const t1 = vh === floor ? (unreach ? VT.Bot : -1) : vals[--vh];
              const t2 = vh === floor ? (unreach ? VT.Bot : -1) : vals[--vh];
              if (t1 < 0 || t2 < 0 || t1 >= REF_BASE || t2 >= REF_BASE) break ok;
              if (t1 !== t2 && t1 !== VT.Bot && t2 !== VT.Bot) break ok;
              vals[vh] = t1 === VT.Bot ? t2 : t1;
              vh++;
              if (vh > maxHeight) maxHeight = vh;
              continue;
            }
            case 0x23: // global.get
            case 0x24: {
              // global.set
              let x = bytes[pos];
              if (x <= 0x7f) pos++;
              else if (((x = readU32(bytes, pos, end)), (pos = lebEnd) < 0)) break ok;
              if (!(x < globalTypes.length)) break ok;
              const gt = globalTypes[x];
              if (op === 0x23) {
                vals[vh] = gt;
                vh++;
                if (vh > maxHeight) maxHeight = vh;
                continue;
              }
              if (!globalMutable[x]) break ok;
              if (vh === floor) {
                if (!unreach) break ok;
              } else if ((t = vals[--vh]) !== gt && t !== VT.Bot && !reg.valSub(t, gt)) break ok;
              continue;
            }
            case 0x0f: // return
              if (popTypes(vals, vh, floor, unreach, funcResults, reg) < 0) break ok;
              vh = floor;
              unreach = true;
              continue;
            case 0x0e: {
              // br_table
              const n = readU32(bytes, pos, end);
              if ((pos = lebEnd) < 0 || n > end - pos || n > brTableLimit) break ok;
              const labelsAt = pos;
              for (let k = 0; k < n; k++) {
                readU32(bytes, pos, end);
                if ((pos = lebEnd) < 0) break ok;
              }
              const dflt = readU32(bytes, pos, end);
              if ((pos = lebEnd) < 0 || !(dflt < ch)) break ok;
              if (vh === floor) {
                if (!unreach) break ok;
              } else if ((t = vals[--vh]) !== VT.I32 && t !== VT.Bot) break ok;
              const m = cLabel[ch - 1 - dflt];
              const arity = m.length;
              if (this.scratch.length < arity) this.scratch = new Int32Array(arity * 2);
              const scratch = this.scratch;
              let p = labelsAt;
              for (let k = 0; k < n; k++) {
                const l = readU32(bytes, p, end);
                p = lebEnd;
                if (!(l < ch)) break ok;
                const ts = cLabel[ch - 1 - l];
                if (ts.length !== arity) break ok;
                // Pop the label's types and push back what was popped (CodeValidator's passThrough).
                let h = vh;
                for (let j = arity - 1; j >= 0; j--) {
                  if (h === floor) {
                    if (!unreach) break ok;
                    scratch[j] = VT.Bot;
                    continue;
                  }
                  const a = vals[--h];
                  if (a !== ts[j] && !reg.valSub(a, ts[j])) break ok;
                  scratch[j] = a;
                }
                for (let j = 0; j < arity; j++) vals[h++] = scratch[j];
                vh = h;
              }
              if (popTypes(vals, vh, floor, unreach, m, reg) < 0) break ok;
              vh = floor;
              unreach = true;
              continue;
            }
            case 0x1a: // drop
              if (vh === floor) {
                if (!unreach) break ok;
              } else vh--;
              continue;
            case 0x05: {
              // else
              if (ch < 2 || cKind[ch - 1] !== K.IF) break ok;
              const c = ch - 1;
              if ((vh = popTypes(vals, vh, floor, unreach, cRes[c], reg)) < 0 || vh !== floor) break ok;
              cKind[c] = K.ELSE;
              unreach = false;
              continue;
            }
            case 0x01: // nop
              continue;
            case 0x11: {
              // call_indirect
              let x = bytes[pos];
              if (x <= 0x7f) pos++;
              else if (((x = readU32(bytes, pos, end)), (pos = lebEnd) < 0)) break ok;
              let tb = bytes[pos];
              if (tb <= 0x7f) pos++;
              else if (((tb = readU32(bytes, pos, end)), (pos = lebEnd) < 0)) break ok;
              if (!(tb < funcTable.length) || funcTable[tb] === 0) break ok;
              const ft = canon[x];
              if (ft === undefined) break ok;
              const fi = reg.info(ft);
              if (fi.kind !== 0) break ok;
              const a = tableAddr[tb];
              if (vh === floor) {
                if (!unreach) break ok;
              } else if ((t = vals[--vh]) !== a && t !== VT.Bot) break ok;
              if ((vh = popTypes(vals, vh, floor, unreach, fi.params, reg)) < 0) break ok;
              const rs = fi.results;
              if (vh + rs.length + 16 > vals.length) {
                const v = new Int32Array((vh + rs.length + 16) * 2);
                v.set(vals);
                this.vals = vals = v;
              }
              for (let k = 0; k < rs.length; k++) {
                vals[vh] = rs[k];
                vh++;
              }
              if (vh > maxHeight) maxHeight = vh;
              continue;
            }
            default:
              break ok;
          }
        }
        if (op >= 0x45) {
          const e = plain[op];
          if (e !== 0) {
            // Plain numeric operators: one or two operands (of one type) and one result.
            const r = e & 7;
            const a = (e >> 3) & 7;
            const h = vh - 1;
            if (e >= 64) {
              if (h > floor && vals[h] === a && vals[h - 1] === a) {
                vh = h;
                if (r !== a) vals[h - 1] = r;
                continue;
              }
              if (vh === floor) {
                if (!unreach) break ok;
              } else if ((t = vals[--vh]) !== a && t !== VT.Bot) break ok;
            } else if (h >= floor && vals[h] === a) {
              if (r !== a) vals[h] = r;
              continue;
            }
            if (vh === floor) {
              if (!unreach) break ok;
            } else if ((t = vals[--vh]) !== a && t !== VT.Bot) break ok;
            // In unreachable code the operands may be missing: the height can grow.
            vals[vh] = r;
            vh++;
            if (vh > maxHeight) maxHeight = vh;
            continue;
          }
          if (op !== 0xfc) break ok;
          const sub = readU32(bytes, pos, end);
          if ((pos = lebEnd) < 0) break ok;
          if (sub < 8) {
            if (vh === floor) {
              if (!unreach) break ok;
            } else if ((t = vals[--vh]) !== SAT_A[sub] && t !== VT.Bot) break ok;
            vals[vh] = SAT_R[sub];
            vh++;
            if (vh > maxHeight) maxHeight = vh;
          } else if (sub === 10 || sub === 11) {
            // memory.copy dst src / memory.fill mem
            const x = readU32(bytes, pos, end);
            if ((pos = lebEnd) < 0 || !(x < numMems)) break ok;
            let y = x;
            if (sub === 10) {
              y = readU32(bytes, pos, end);
              if ((pos = lebEnd) < 0 || !(y < numMems)) break ok;
            }
            // Operands popped last first: memory.copy (dst, src, n), memory.fill (dst, value, n).
            const ad = memAddr[x];
            const as = memAddr[y];
            const w2 = sub === 11 ? ad : ad === VT.I64 && as === VT.I64 ? VT.I64 : VT.I32;
            const w1 = sub === 11 ? VT.I32 : as;
            if (vh === floor) {
              if (!unreach) break ok;
            } else if ((t = vals[--vh]) !== w2 && t !== VT.Bot) break ok;
            if (vh === floor) {
              if (!unreach) break ok;
            } else if ((t = vals[--vh]) !== w1 && t !== VT.Bot) break ok;
            if (vh === floor) {
              if (!unreach) break ok;
            } else if ((t = vals[--vh]) !== ad && t !== VT.Bot) break ok;
          } else break ok;
          continue;
        }
        // 0x28..0x44: loads and stores, memory.size and memory.grow, constants.
        if (op <= 0x3e) {
          // Loads and stores. memarg: flags (alignment, bit 6: a memory index follows),
          // then the offset.
          const e = memTable[op];
          if (e === 0) break ok;
          const v = e & 7;
          let flags = bytes[pos];
          if (flags < 0x40) pos++;
          else {
            flags = readU32(bytes, pos, end);
            if ((pos = lebEnd) < 0 || flags >= 0x80) break ok;
          }
          let a = addr0;
          if (flags >= 0x40) {
            const mem = readU32(bytes, pos, end);
            if ((pos = lebEnd) < 0 || !(mem < numMems)) break ok;
            a = memAddr[mem];
          } else if (numMems === 0) break ok;
          if ((flags & 0x3f) > e >> 3) break ok;
          let offset = bytes[pos];
          if (offset <= 0x7f) pos++;
          else if ((t = bytes[pos + 1]) <= 0x7f) {
            offset = (offset & 0x7f) | (t << 7);
            pos += 2;
          } else {
            offset = readU64(bytes, pos, end);
            if ((pos = lebEnd) < 0) break ok;
          }
          if (a === VT.I32 && offset > 0xffffffff) break ok;
          if (op < 0x36) {
            // load
            if (vh > floor && vals[vh - 1] === a) {
              if (v !== a) vals[vh - 1] = v;
              continue;
            }
            if (vh === floor) {
              if (!unreach) break ok;
            } else if ((t = vals[--vh]) !== a && t !== VT.Bot) break ok;
            vals[vh] = v;
            vh++;
            if (vh > maxHeight) maxHeight = vh;
            continue;
          }
          // store
          if (vh - 2 >= floor && vals[vh - 1] === v && vals[vh - 2] === a) {
            vh -= 2;
            continue;
          }
          if (vh === floor) {
            if (!unreach) break ok;
          } else if ((t = vals[--vh]) !== v && t !== VT.Bot) break ok;
          if (vh === floor) {
            if (!unreach) break ok;
          } else if ((t = vals[--vh]) !== a && t !== VT.Bot) break ok;
          continue;
        }
        if (op === 0x42) {
          // i64.const
          if (bytes[pos] <= 0x7f) pos++;
          else if (bytes[pos + 1] <= 0x7f) pos += 2;
          else if ((pos = skipSigned(bytes, pos, end, 64)) < 0) break ok;
          vals[vh] = VT.I64;
        } else if (op === 0x44) {
          // f64.const
          if ((pos += 8) > end) break ok;
          vals[vh] = VT.F64;
        } else if (op === 0x43) {
          // f32.const
          if ((pos += 4) > end) break ok;
          vals[vh] = VT.F32;
        } else {
          // memory.size, memory.grow
          let x = bytes[pos];
          if (x <= 0x7f) pos++;
          else if (((x = readU32(bytes, pos, end)), (pos = lebEnd) < 0)) break ok;
          if (!(x < numMems)) break ok;
          const a = memAddr[x];
          if (op === 0x40) {
            if (vh === floor) {
              if (!unreach) break ok;
            } else if ((t = vals[--vh]) !== a && t !== VT.Bot) break ok;
          }
          vals[vh] = a;
        }
        vh++;
        if (vh > maxHeight) maxHeight = vh;
        continue;
      }
      // Body i is decided (valid if `accepted`, else left to CodeValidator), or there was
      // none yet: set up the next one.
      if (!accepted) undecided.push(i);
      next: for (;;) {
        i++;
        if (i >= numBodies) {
          this.localTypes = localTypes;
          this.vals = vals;
          this.cKind = cKind;
          this.cHeight = cHeight;
          this.cUnreach = cUnreach;
          return undecided;
        }
        const code = codes[i];
        const start = code.start;
        const bodyEnd = code.end;
        if (start === undefined || bodyEnd === undefined) {
          undecided.push(i);
          continue;
        }
        const info = reg.info(funcTypes[typeBase + i]);
        // Locals: parameters, then declared locals, which must all have a default value (no
        // initialisation tracking here). The declared ones are read from the body's bytes
        // (the decoder has checked them), so no list of them is ever made.
        const params = info.params;
        const np = params.length;
        if (localTypes.length < np) localTypes = new Int32Array(np * 2);
        for (let j = 0; j < np; j++) localTypes[j] = params[j];
        nl = np;
        let lp = code.pos;
        const groups = readU32(bytes, lp, start);
        if ((lp = lebEnd) < 0) {
          undecided.push(i);
          continue;
        }
        for (let g = 0; g < groups; g++) {
          const n = readU32(bytes, lp, start);
          if ((lp = lebEnd) < 0 || lp >= start) {
            undecided.push(i);
            continue next;
          }
          let e: number;
          switch (bytes[lp++]) {
            case 0x7f:
              e = VT.I32;
              break;
            case 0x7e:
              e = VT.I64;
              break;
            case 0x7d:
              e = VT.F32;
              break;
            case 0x7c:
              e = VT.F64;
              break;
            case 0x7b:
              e = VT.V128;
              break;
            default:
              undecided.push(i);
              continue next;
          }
          if (localTypes.length < nl + n) {
            const lt = new Int32Array((nl + n) * 2);
            lt.set(localTypes.subarray(0, nl));
            localTypes = lt;
          }
          localTypes.fill(e, nl, nl + n);
          nl += n;
        }
        if (lp !== start) {
          undecided.push(i);
          continue;
        }
        // Capacity: an instruction pushes at most one value and takes at least one byte,
        // except calls (checked there); a block takes at least two bytes.
        const size = bodyEnd - start;
        if (vals.length < size + 16) vals = new Int32Array(size + 16);
        if (cKind.length < (size >> 1) + 2) {
          const n = (size >> 1) + 2;
          cKind = new Uint8Array(n);
          cHeight = new Int32Array(n);
          cUnreach = new Uint8Array(n);
        }
        funcResults = info.results;
        pos = start;
        end = bodyEnd;
        accepted = false;
        vh = 0;
        ch = 1;
        cKind[0] = K.FUNC;
        cHeight[0] = 0;
        cRes[0] = funcResults;
        cLabel[0] = funcResults;
        floor = 0;
        unreach = false;
        maxHeight = 0;
        maxCtrl = 1;
        break;
      }
    }
  }
}
