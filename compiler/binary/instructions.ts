// Decoding of instruction sequences (function bodies and constant expressions) into flat
// Instr lists. Immediates are read according to the opcode table's `Imm` kind, so adding an
// opcode to compiler/opcodes.ts makes it decodable without touching this file unless it
// introduces a new immediate kind.
//
// Block structure is checked only as far as the binary grammar demands (it is malformed,
// not invalid, for `else` to appear outside an `if`, or for a body to miss its final
// `end`); the flat list keeps block/loop/if/else/try/catch/catch_all/delegate/try_table/end
// markers in order, and the validator rebuilds nesting from them.

import { BlockType, Catch, CatchKind, HeapType, Instr, MemArg, ValType } from '../ir';
import { Imm, OPS, PREFIX_GC, PREFIX_MISC, PREFIX_SIMD, PREFIX_ATOMIC } from '../opcodes';
import { LIMITS, limitMessage } from '../limits';
import { Reader } from './reader';
import { anchorShape } from '../shapes';
import { blockType, heapType, lastHeapExact, refType, valType } from './types';

/** Immediate kind per opcode, -1 where the opcode does not exist: one table per prefix. */
const IMM_SINGLE = new Int8Array(256).fill(-1);
const IMM_GC = new Int8Array(1024).fill(-1);
const IMM_MISC = new Int8Array(1024).fill(-1);
const IMM_SIMD = new Int8Array(1024).fill(-1);
const IMM_ATOMIC = new Int8Array(1024).fill(-1);
for (const op of OPS) {
  const t =
    op.prefix === 0
      ? IMM_SINGLE
      : op.prefix === PREFIX_GC
        ? IMM_GC
        : op.prefix === PREFIX_MISC
          ? IMM_MISC
          : op.prefix === PREFIX_SIMD
            ? IMM_SIMD
            : IMM_ATOMIC;
  t[op.sub] = op.imm;
}

// Opcodes with block-structure significance.
const OP_BLOCK = 0x02;
const OP_LOOP = 0x03;
const OP_IF = 0x04;
const OP_ELSE = 0x05;
const OP_TRY = 0x06;
const OP_CATCH = 0x07;
const OP_END = 0x0b;
const OP_I32_CONST = 0x41;
const OP_DELEGATE = 0x18;
const OP_CATCH_ALL = 0x19;
const OP_TRY_TABLE = 0x1f;

// Instructions whose immediates name a data segment; their presence in the code section
// makes the data count section mandatory (spec 5.5.13).
const OP_MEMORY_INIT = (PREFIX_MISC << 16) | 8;
const OP_DATA_DROP = (PREFIX_MISC << 16) | 9;
const OP_ARRAY_NEW_DATA = (PREFIX_GC << 16) | 9;
const OP_ARRAY_INIT_DATA = (PREFIX_GC << 16) | 18;

/** Kinds of open control frames, for the grammar checks on else/catch/delegate/end. */
const enum Frame {
  Block,
  If,
  Else,
  Try,
  TryCatch,
  TryCatchAll,
}

const MEMARG_CACHE_OFFSETS = 1 << 24;

/** ref.null's `types` when its heap type is not exact (the stream instruction is reused). */
const NO_TYPES: ValType[] = [];

// Shared instructions. Most instructions of a real module are an opcode alone, an opcode
// with a small index or constant, a load or store at a common offset, or a block without a
// result (sql.js's 296,000 instructions decode to 17,000 objects), and decoded instructions
// are never mutated, so such instructions are decoded once per decoder and shared: fewer
// objects to allocate and to keep alive until translation (GC was a third of decoding).
// A shared instruction has no `pos`.
/** Single-byte opcodes with an index immediate below this share their Instr. */
const SHARED_IDX = 256;
/** i32.const values in [SHARED_I32_MIN, SHARED_I32_MAX) share their Instr. */
const SHARED_I32_MIN = -128;
const SHARED_I32_MAX = 1024;

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/**
 * The one mutable instruction `InstrDecoder.next` decodes into. Every field exists from
 * construction, so the object keeps one shape however its contents change.
 */
export class StreamInstr {
  op = 0;
  pos = 0;
  idx = 0;
  idx2 = 0;
  readonly memarg = { align: 0, offset: 0, mem: 0 };
  lane = 0;
  bt: BlockType = null;
  labels: number[] = [];
  heap: HeapType = 'func';
  types: ValType[] = [];
  catches: Catch[] = [];
  bytes: Uint8Array | undefined = undefined;
  /** A constant's value as Instr.value has it; only decoded when the stream was begun with
   *  `values` (the translator), except i32.const's, which costs nothing extra. */
  value: number | bigint = 0;
}

export class InstrDecoder {
  /** Set once any decoded body refers to a data segment by index. */
  usesDataIndex = false;
  /** Open control frames of the expression being decoded; reused across expressions. */
  private frames: Frame[] = [];
  /** Immediate kind of the opcode `opcode()` read last. */
  private imm: Imm = Imm.None;
  // The shared-instruction tables are arrays wherever the key is a small integer: a Map
  // lookup per decoded instruction was a measurable part of decoding a body.
  /** Shared MemArg objects for memory 0: their index in sharedMemargs, keyed by
   *  offset * 64 + align. */
  private memargs = new Map<number, number>();
  private sharedMemargs: MemArg[] = [];
  /** Index in sharedMemargs of the MemArg `memarg()` returned last, -1 when not shared. */
  private memargSlot = -1;
  /** Shared loads and stores of sharedMemargs[k], by opcode: memInstrs[k][op]. */
  private memInstrs: (Instr | undefined)[][] = [];
  /** Shared single-byte instructions without immediates, and block/loop/if without a
   *  result, by opcode; prefixed ones in `plainPrefixed`. */
  private plain: (Instr | undefined)[] = new Array<Instr | undefined>(256).fill(undefined);
  private plainPrefixed = new Map<number, Instr>();
  /** Shared single-byte-opcode instructions with an index below SHARED_IDX: indexed[op][idx]
   *  (a row is created at the opcode's first shared occurrence). */
  private indexed: ((Instr | undefined)[] | undefined)[] = new Array<(Instr | undefined)[] | undefined>(256).fill(
    undefined,
  );
  /** Shared i32.const instructions, by value - SHARED_I32_MIN. */
  private i32Consts: (Instr | undefined)[] = new Array<Instr | undefined>(SHARED_I32_MAX - SHARED_I32_MIN);

  constructor(private readonly r: Reader) {}

  /**
   * Decodes instructions up to and including the `end` that closes the expression; that
   * final `end` is consumed but not emitted.
   */
  expr(out: Instr[]): void {
    const r: Reader = this.r;
    this.frames.length = 0;
    // `i32.const n end`, most constant expressions (a module may have thousands of segment
    // offsets), read without opcode()'s block-structure bookkeeping; else from the start.
    const start = r.pos;
    if (start < r.end && r.bytes[start] === OP_I32_CONST) {
      r.pos = start + 1;
      const ins = this.i32Const(OP_I32_CONST, start);
      if (r.pos < r.end && r.bytes[r.pos] === OP_END) {
        r.pos++;
        out.push(ins);
        return;
      }
      r.pos = start;
    }
    for (;;) {
      const pos = r.pos;
      const op = this.opcode();
      if (op < 0) return;
      out.push(this.immediates(op, this.imm, pos));
    }
  }

  /**
   * Starts reading an expression one instruction at a time with `next` (the streaming form
   * of `expr`, for a single pass that decodes and validates without keeping instructions).
   */
  beginStream(values = false): void {
    this.frames.length = 0;
    this.values = values;
  }

  /** Whether `next` decodes the values of i64, f32 and f64 constants (see StreamInstr). */
  private values = false;

  /**
   * Decodes the next instruction of the expression begun by `beginStream` into `s`, which
   * is reused for every instruction: only the fields of the instruction's immediate kind
   * are written, so a reader must not look at the others. Returns false after consuming
   * the `end` that closes the expression. Allocates nothing for all but the rare
   * immediates (type vectors, catch clauses, v128 bytes).
   */
  next(s: StreamInstr): boolean {
    const r: Reader = this.r;
    const pos = r.pos;
    // Most instructions are a one-byte opcode outside the block structure: read here, without
    // opcode()'s call (a cost of its own without a JIT); the others go through it.
    let op = pos < r.end ? r.bytes[pos] : -1;
    let imm: number;
    if (op > OP_TRY_TABLE && op < 0xfb && (imm = IMM_SINGLE[op]) >= 0) r.pos = pos + 1;
    else {
      op = this.opcode();
      if (op < 0) return false;
      imm = this.imm;
    }
    s.op = op;
    s.pos = pos;
    // The commonest kinds before the switch: without a JIT a jump-table switch first spends
    // a dozen bytecodes checking that its tag is a small integer.
    if (imm === Imm.None) return true;
    if (imm === Imm.Local || imm === Imm.Label || imm === Imm.Func) {
      const p = r.pos;
      const b = r.bytes[p];
      if (b < 0x80 && p < r.end) {
        r.pos = p + 1;
        s.idx = b;
      } else s.idx = r.u32();
      return true;
    }
    switch (imm) {
      case Imm.Block:
        s.bt = blockType(r);
        break;
      case Imm.Type:
      case Imm.Global:
      case Imm.Table:
      case Imm.Mem:
      case Imm.Data:
      case Imm.Elem:
      case Imm.Tag:
        s.idx = r.u32();
        break;
      case Imm.CallIndirect:
      case Imm.MemMem:
      case Imm.DataMem:
      case Imm.ElemTable:
      case Imm.TableTable:
      case Imm.StructField:
      case Imm.ArrayData:
      case Imm.ArrayElem:
      case Imm.ArrayArray:
        s.idx = r.u32();
        s.idx2 = r.u32();
        break;
      case Imm.ArrayFixed:
        s.idx = r.u32();
        s.idx2 = this.arrayFixedCount();
        break;
      case Imm.BrTable: {
        const n = this.brTableCount();
        const labels = s.labels;
        labels.length = 0;
        for (let i = 0; i < n; i++) labels.push(r.u32());
        s.idx = r.u32();
        break;
      }
      case Imm.MemArg:
        this.memargInto(s.memarg);
        break;
      case Imm.MemArgLane:
        this.memargInto(s.memarg);
        s.lane = r.u8();
        break;
      case Imm.Lane:
        s.lane = r.u8();
        break;
      case Imm.I32:
        s.value = r.s32();
        break;
      case Imm.I64:
        if (this.values) s.value = r.s64();
        else r.skipS64();
        break;
      case Imm.F32:
        if (this.values) s.value = r.u32le();
        else r.skip(4);
        break;
      case Imm.F64:
        if (this.values) s.value = r.u64le();
        else r.skip(8);
        break;
      case Imm.V128:
      case Imm.Shuffle:
        s.bytes = r.view(16);
        break;
      case Imm.HeapType:
        s.heap = heapType(r);
        // ref.null of an exact heap type also carries its reference type.
        s.types = lastHeapExact ? [refType(true, s.heap, true)] : NO_TYPES;
        break;
      case Imm.SelectT: {
        const n = r.len();
        const types: ValType[] = (s.types = []);
        for (let i = 0; i < n; i++) types.push(valType(r));
        break;
      }
      case Imm.TryTable: {
        s.bt = blockType(r);
        const n = r.len();
        const catches: Catch[] = (s.catches = []);
        for (let i = 0; i < n; i++) catches.push(this.catchClause());
        break;
      }
      case Imm.RefTest: {
        const heap: HeapType = heapType(r);
        s.heap = heap;
        // ref.test/ref.cast (20..23): odd is nullable; ref.cast_desc_eq (35, 36): even is.
        const sub = op & 0xffff;
        s.types = [refType((op & 1) === (sub < 32 ? 1 : 0), heap, lastHeapExact)];
        break;
      }
      case Imm.BrOnCast: {
        const flags = r.u8();
        if ((flags & 0xfc) !== 0) r.fail('malformed br_on_cast flags');
        s.idx = r.u32();
        const h1 = heapType(r);
        const x1 = lastHeapExact;
        const h2 = heapType(r);
        s.types = [refType((flags & 1) !== 0, h1, x1), refType((flags & 2) !== 0, h2, lastHeapExact)];
        break;
      }
      case Imm.Zero:
        if (r.u8() !== 0) r.fail('zero byte expected');
        break;
      default:
        r.fail(`illegal opcode ${hex(op)}`, pos);
    }
    return true;
  }

  /**
   * Reads one opcode (a prefixed one as `prefix << 16 | sub`) and checks the block structure
   * the binary grammar demands; leaves its immediate kind in `imm`. Returns -1 after
   * consuming the `end` that closes the expression.
   */
  private opcode(): number {
    const r: Reader = this.r;
    const frames = this.frames;
    // The opcode byte is read here rather than by r.u8(): a call per instruction costs
    // noticeably under an interpreter.
    const pos = r.pos;
    if (pos >= r.end) r.eof();
    let op = r.bytes[pos];
    r.pos = pos + 1;
    let imm: number;
    if (op < 0xfb) {
      imm = IMM_SINGLE[op];
      if (imm === undefined || imm < 0) r.fail(`illegal opcode ${hex(op)}`, pos);
      // Block structure.
      if (op <= OP_TRY_TABLE) {
        switch (op) {
          case OP_END:
            if (frames.length === 0) return -1;
            frames.pop();
            break;
          case OP_BLOCK:
          case OP_LOOP:
          case OP_TRY_TABLE:
            if (frames.length >= LIMITS.nesting) this.tooDeep(pos);
            frames.push(Frame.Block);
            break;
          case OP_IF:
            if (frames.length >= LIMITS.nesting) this.tooDeep(pos);
            frames.push(Frame.If);
            break;
          case OP_TRY:
            if (frames.length >= LIMITS.nesting) this.tooDeep(pos);
            frames.push(Frame.Try);
            break;
          case OP_ELSE:
            if (frames.length === 0 || frames[frames.length - 1] !== Frame.If) r.fail('END opcode expected', pos);
            frames[frames.length - 1] = Frame.Else;
            break;
          case OP_CATCH: {
            const top = frames.length === 0 ? -1 : frames[frames.length - 1];
            if (top !== Frame.Try && top !== Frame.TryCatch) r.fail('END opcode expected', pos);
            frames[frames.length - 1] = Frame.TryCatch;
            break;
          }
          case OP_CATCH_ALL: {
            const top = frames.length === 0 ? -1 : frames[frames.length - 1];
            if (top !== Frame.Try && top !== Frame.TryCatch) r.fail('END opcode expected', pos);
            frames[frames.length - 1] = Frame.TryCatchAll;
            break;
          }
          case OP_DELEGATE:
            if (frames.length === 0 || frames[frames.length - 1] !== Frame.Try) r.fail('END opcode expected', pos);
            frames.pop();
            break;
        }
      }
    } else {
      const sub = r.u32();
      let table: Int8Array;
      if (op === PREFIX_GC) table = IMM_GC;
      else if (op === PREFIX_MISC) table = IMM_MISC;
      else if (op === PREFIX_SIMD) table = IMM_SIMD;
      else if (op === PREFIX_ATOMIC) table = IMM_ATOMIC;
      else r.fail(`illegal opcode ${hex(op)}`, pos);
      imm = sub < table.length ? table[sub] : -1;
      if (imm < 0) r.fail(`illegal opcode ${hex(op)} ${hex(sub)}`, pos);
      op = (op << 16) | sub;
      if (op === OP_MEMORY_INIT || op === OP_DATA_DROP || op === OP_ARRAY_NEW_DATA || op === OP_ARRAY_INIT_DATA) {
        this.usesDataIndex = true;
      }
    }
    this.imm = imm;
    return op;
  }

  /** A construct opened at `pos` with LIMITS.nesting others open. */
  private tooDeep(pos: number): never {
    return this.r.fail(
      `control constructs nested too deeply (${LIMITS.nesting + 1}; the implementation limit is ${LIMITS.nesting})`,
      pos,
    );
  }

  /** A br_table's label count, within LIMITS.brTableTargets. */
  private brTableCount(): number {
    return this.r.count(LIMITS.brTableTargets, 'br_table targets');
  }

  /** An array.new_fixed's operand count (its second immediate), within LIMITS.arrayNewFixed. */
  private arrayFixedCount(): number {
    const r = this.r;
    const at = r.pos;
    const n = r.u32();
    if (n > LIMITS.arrayNewFixed) r.fail(limitMessage('array.new_fixed operands', n, LIMITS.arrayNewFixed), at);
    return n;
  }

  /**
   * Reads past one instruction without checking block structure (the caller knows the
   * instructions are well-formed: they decoded before). Used only to find instruction
   * offsets after an error, so the decoding loop above records none.
   */
  skipInstr(): void {
    const r: Reader = this.r;
    const pos = r.pos;
    let op = r.u8();
    let imm: number;
    if (op < 0xfb) imm = IMM_SINGLE[op];
    else {
      const sub = r.u32();
      const table =
        op === PREFIX_GC
          ? IMM_GC
          : op === PREFIX_MISC
            ? IMM_MISC
            : op === PREFIX_SIMD
              ? IMM_SIMD
              : op === PREFIX_ATOMIC
                ? IMM_ATOMIC
                : null;
      imm = table !== null && sub < table.length ? table[sub] : -1;
      op = (op << 16) | sub;
    }
    if (imm === undefined || imm < 0) r.fail(`illegal opcode ${hex(op)}`, pos);
    this.immediates(op, imm, pos);
  }

  /** i32.const's instruction (opcode at `pos`, its immediate next): shared for small values. */
  private i32Const(op: number, pos: number): Instr {
    const value = this.r.s32();
    if (value < SHARED_I32_MIN || value >= SHARED_I32_MAX) return { op, pos, value };
    let ins = this.i32Consts[value - SHARED_I32_MIN];
    if (ins === undefined) this.i32Consts[value - SHARED_I32_MIN] = ins = { op, value };
    return ins;
  }

  private immediates(op: number, imm: Imm, pos: number): Instr {
    const r: Reader = this.r;
    switch (imm) {
      case Imm.None: {
        if (op < 0x100) return this.plain[op] ?? (this.plain[op] = { op });
        let ins = this.plainPrefixed.get(op);
        if (ins === undefined) this.plainPrefixed.set(op, (ins = { op }));
        return ins;
      }
      case Imm.Block: {
        // block, loop and if: single-byte opcodes.
        const bt = blockType(r);
        if (bt !== null) return { op, pos, bt };
        return this.plain[op] ?? (this.plain[op] = { op, bt });
      }
      case Imm.Label:
      case Imm.Func:
      case Imm.Type:
      case Imm.Local:
      case Imm.Global:
      case Imm.Table:
      case Imm.Mem:
      case Imm.Data:
      case Imm.Elem:
      case Imm.Tag: {
        const idx = r.u32();
        if (idx >= SHARED_IDX || op >= 0x100) return { op, pos, idx };
        const row = this.indexed[op] ?? (this.indexed[op] = new Array<Instr | undefined>(SHARED_IDX).fill(undefined));
        return row[idx] ?? (row[idx] = { op, idx });
      }
      case Imm.CallIndirect:
      case Imm.MemMem:
      case Imm.DataMem:
      case Imm.ElemTable:
      case Imm.TableTable:
      case Imm.StructField:
      case Imm.ArrayData:
      case Imm.ArrayElem:
      case Imm.ArrayArray: {
        const idx = r.u32();
        return { op, pos, idx, idx2: r.u32() };
      }
      case Imm.ArrayFixed: {
        const idx = r.u32();
        return { op, pos, idx, idx2: this.arrayFixedCount() };
      }
      case Imm.BrTable: {
        const n = this.brTableCount();
        const labels: number[] = [];
        for (let i = 0; i < n; i++) labels.push(r.u32());
        return { op, pos, labels, idx: r.u32() };
      }
      case Imm.MemArg: {
        const memarg = this.memarg();
        const k = this.memargSlot;
        if (op >= 0x100 || k < 0) return { op, pos, memarg };
        const byOp = this.memInstrs[k];
        return byOp[op] ?? (byOp[op] = { op, memarg });
      }
      case Imm.MemArgLane: {
        const memarg = this.memarg();
        return { op, pos, memarg, lane: r.u8() };
      }
      case Imm.Lane:
        return { op, pos, lane: r.u8() };
      case Imm.I32:
        return this.i32Const(op, pos);
      case Imm.I64:
        return { op, pos, value: r.s64() };
      case Imm.F32:
        return { op, pos, value: r.u32le() };
      case Imm.F64:
        return { op, pos, value: r.u64le() };
      case Imm.V128:
      case Imm.Shuffle:
        return { op, pos, bytes: r.view(16).slice() };
      case Imm.HeapType: {
        const heap = heapType(r);
        if (lastHeapExact) return { op, pos, heap, types: [refType(true, heap, true)] };
        return { op, pos, heap };
      }
      case Imm.SelectT: {
        const n = r.len();
        const types: ValType[] = [];
        for (let i = 0; i < n; i++) types.push(valType(r));
        return { op, pos, types };
      }
      case Imm.TryTable: {
        const bt = blockType(r);
        const n = r.len();
        const catches: Catch[] = [];
        for (let i = 0; i < n; i++) catches.push(this.catchClause());
        return { op, pos, bt, catches };
      }
      case Imm.RefTest: {
        const heap: HeapType = heapType(r);
        // Odd sub-opcodes (ref.test_null 21, ref.cast_null 23) are the nullable forms, except
        // for ref.cast_desc_eq (35) and ref.cast_desc_eq_null (36).
        const sub = op & 0xffff;
        return { op, pos, heap, types: [refType((op & 1) === (sub < 32 ? 1 : 0), heap, lastHeapExact)] };
      }
      case Imm.BrOnCast: {
        const flags = r.u8();
        if ((flags & 0xfc) !== 0) r.fail('malformed br_on_cast flags');
        const idx = r.u32();
        const h1 = heapType(r);
        const x1 = lastHeapExact;
        const h2 = heapType(r);
        return {
          op,
          pos,
          idx,
          types: [refType((flags & 1) !== 0, h1, x1), refType((flags & 2) !== 0, h2, lastHeapExact)],
        };
      }
      case Imm.Zero: {
        if (r.u8() !== 0) r.fail('zero byte expected');
        let ins = this.plainPrefixed.get(op);
        if (ins === undefined) this.plainPrefixed.set(op, (ins = { op }));
        return ins;
      }
    }
    return r.fail(`illegal opcode ${hex(op)}`, pos);
  }

  private memarg(): MemArg {
    const r: Reader = this.r;
    // Flags: bits 0..5 = log2 alignment, bit 6 = an explicit memory index follows.
    const flags = r.u32();
    if (flags >= 0x80) r.fail('malformed memop flags');
    const mem = flags & 0x40 ? r.u32() : 0;
    const offset = r.u64();
    const align = flags & 0x3f;
    // MemArgs are immutable, so the common ones (memory 0, small offsets) are shared:
    // a large module holds millions of loads and stores.
    if (mem === 0 && offset < MEMARG_CACHE_OFFSETS) {
      const key = offset * 64 + align;
      let k = this.memargs.get(key);
      if (k === undefined) {
        k = this.sharedMemargs.length;
        this.sharedMemargs.push({ align, offset, mem });
        this.memInstrs.push(new Array<Instr | undefined>(256).fill(undefined));
        this.memargs.set(key, k);
      }
      this.memargSlot = k;
      return this.sharedMemargs[k];
    }
    this.memargSlot = -1;
    return { align, offset, mem };
  }

  /** Reads a memarg into `m` (streaming form of memarg()). */
  private memargInto(m: { align: number; offset: number; mem: number }): void {
    const r: Reader = this.r;
    const flags = r.u32();
    if (flags >= 0x80) r.fail('malformed memop flags');
    m.mem = flags & 0x40 ? r.u32() : 0;
    m.offset = r.u64();
    m.align = flags & 0x3f;
  }

  private catchClause(): Catch {
    const r: Reader = this.r;
    const kind = r.u8();
    switch (kind) {
      case CatchKind.Catch:
      case CatchKind.CatchRef: {
        const tag = r.u32();
        return { kind, tag, label: r.u32() };
      }
      case CatchKind.CatchAll:
      case CatchKind.CatchAllRef:
        return { kind, label: r.u32() };
    }
    return r.fail('malformed catch clause');
  }
}

anchorShape(new InstrDecoder(new Reader(new Uint8Array(0))));
