// The opcode table: every WebAssembly 3.0 instruction as data (name, encoding, immediate
// kind, and for plain operators the stack signature). The text encoder, the decoder, the
// validator and the translator all read this one table; none hard-codes an encoding.

/**
 * Immediate kinds. The comment on each says which `Instr` fields (compiler/ir.ts) the
 * decoder fills for it and the binary layout.
 */
export const enum Imm {
  None,
  /** bt */ Block,
  /** idx = label */ Label,
  /** labels, idx = default label */ BrTable,
  /** idx = funcidx */ Func,
  /** idx = typeidx, idx2 = tableidx  (binary: typeidx tableidx) */ CallIndirect,
  /** idx = typeidx */ Type,
  /** idx = localidx */ Local,
  /** idx = globalidx */ Global,
  /** idx = tableidx */ Table,
  /** memarg */ MemArg,
  /** idx = memidx */ Mem,
  /** idx = dst memidx, idx2 = src memidx */ MemMem,
  /** idx = dataidx, idx2 = memidx  (binary: dataidx memidx) */ DataMem,
  /** idx = dataidx */ Data,
  /** idx = elemidx */ Elem,
  /** idx = elemidx, idx2 = tableidx (binary: elemidx tableidx) */ ElemTable,
  /** idx = dst tableidx, idx2 = src tableidx */ TableTable,
  /** value: number (int32) */ I32,
  /** value: bigint (signed) */ I64,
  /** value: number (uint32 bits) */ F32,
  /** value: bigint (uint64 bits) */ F64,
  /** bytes (16) */ V128,
  /** heap */ HeapType,
  /** types (vec of valtype) */ SelectT,
  /** idx = tagidx */ Tag,
  /** bt, catches */ TryTable,
  /** lane */ Lane,
  /** memarg, lane */ MemArgLane,
  /** bytes (16 lane indices) */ Shuffle,
  /** idx = typeidx, idx2 = fieldidx */ StructField,
  /** idx = typeidx, idx2 = count */ ArrayFixed,
  /** idx = typeidx, idx2 = dataidx */ ArrayData,
  /** idx = typeidx, idx2 = elemidx */ ArrayElem,
  /** idx = dst typeidx, idx2 = src typeidx */ ArrayArray,
  /** heap = target heap type; nullability is in the opcode (types[0] = full reftype) */ RefTest,
  /** idx = label, types = [rt1, rt2] (binary: castflags u8, label, ht1, ht2) */ BrOnCast,
  /** none (binary: one reserved byte that must be 0x00; text: nothing) */ Zero,
}

/**
 * What kind of instruction an opcode is, for the validator's and the translator's dispatch
 * (each switches over these small integers, which V8 compiles to a jump table). Instructions
 * typed by their signature alone are Plain, Mem (memarg), Lane or MemLane; constants and nop
 * have classes of their own because the translator handles them apart. Named after the
 * spec's instructions.
 */
export const enum OpClass {
  Plain,
  Mem,
  Lane,
  MemLane,
  Nop,
  I32Const,
  I64Const,
  F32Const,
  F64Const,
  V128Const,
  LocalGet,
  LocalSet,
  LocalTee,
  GlobalGet,
  GlobalSet,
  Block,
  Loop,
  If,
  Else,
  End,
  Br,
  BrIf,
  BrTable,
  Return,
  Call,
  CallIndirect,
  ReturnCall,
  ReturnCallIndirect,
  CallRef,
  ReturnCallRef,
  Drop,
  Select,
  SelectT,
  Unreachable,
  MemorySize,
  MemoryGrow,
  Shuffle,
  Try,
  Catch,
  CatchAll,
  Delegate,
  Rethrow,
  Throw,
  ThrowRef,
  TryTable,
  TableGet,
  TableSet,
  TableSize,
  TableGrow,
  TableFill,
  TableCopy,
  TableInit,
  ElemDrop,
  MemoryInit,
  DataDrop,
  MemoryCopy,
  MemoryFill,
  RefNull,
  RefIsNull,
  RefFunc,
  RefEq,
  RefAsNonNull,
  BrOnNull,
  BrOnNonNull,
  StructNew,
  StructNewDefault,
  StructGet,
  StructGetPacked,
  StructSet,
  ArrayNew,
  ArrayNewDefault,
  ArrayNewFixed,
  ArrayNewData,
  ArrayNewElem,
  ArrayGet,
  ArrayGetPacked,
  ArraySet,
  ArrayLen,
  ArrayFill,
  ArrayCopy,
  ArrayInitData,
  ArrayInitElem,
  RefTest,
  RefCast,
  BrOnCast,
  BrOnCastFail,
  AnyConvertExtern,
  ExternConvertAny,
  RefI31,
  I31Get,
  StructNewDesc,
  StructNewDefaultDesc,
  RefGetDesc,
  RefCastDescEq,
  BrOnCastDescEq,
  BrOnCastDescEqFail,
  /** No class: an instruction whose typing needs context the table does not describe. */
  Unknown,
}

/** The classes of instructions that are not typed by signature alone. */
const CLASS_BY_NAME: ReadonlyMap<string, OpClass> = new Map<string, OpClass>([
  ['nop', OpClass.Nop],
  ['i32.const', OpClass.I32Const],
  ['i64.const', OpClass.I64Const],
  ['f32.const', OpClass.F32Const],
  ['f64.const', OpClass.F64Const],
  ['v128.const', OpClass.V128Const],
  ['local.get', OpClass.LocalGet],
  ['local.set', OpClass.LocalSet],
  ['local.tee', OpClass.LocalTee],
  ['global.get', OpClass.GlobalGet],
  ['global.set', OpClass.GlobalSet],
  ['block', OpClass.Block],
  ['loop', OpClass.Loop],
  ['if', OpClass.If],
  ['else', OpClass.Else],
  ['end', OpClass.End],
  ['br', OpClass.Br],
  ['br_if', OpClass.BrIf],
  ['br_table', OpClass.BrTable],
  ['return', OpClass.Return],
  ['call', OpClass.Call],
  ['call_indirect', OpClass.CallIndirect],
  ['return_call', OpClass.ReturnCall],
  ['return_call_indirect', OpClass.ReturnCallIndirect],
  ['call_ref', OpClass.CallRef],
  ['return_call_ref', OpClass.ReturnCallRef],
  ['drop', OpClass.Drop],
  ['select', OpClass.Select],
  ['select_t', OpClass.SelectT],
  ['unreachable', OpClass.Unreachable],
  ['memory.size', OpClass.MemorySize],
  ['memory.grow', OpClass.MemoryGrow],
  ['i8x16.shuffle', OpClass.Shuffle],
  ['try', OpClass.Try],
  ['catch', OpClass.Catch],
  ['catch_all', OpClass.CatchAll],
  ['delegate', OpClass.Delegate],
  ['rethrow', OpClass.Rethrow],
  ['throw', OpClass.Throw],
  ['throw_ref', OpClass.ThrowRef],
  ['try_table', OpClass.TryTable],
  ['table.get', OpClass.TableGet],
  ['table.set', OpClass.TableSet],
  ['table.size', OpClass.TableSize],
  ['table.grow', OpClass.TableGrow],
  ['table.fill', OpClass.TableFill],
  ['table.copy', OpClass.TableCopy],
  ['table.init', OpClass.TableInit],
  ['elem.drop', OpClass.ElemDrop],
  ['memory.init', OpClass.MemoryInit],
  ['data.drop', OpClass.DataDrop],
  ['memory.copy', OpClass.MemoryCopy],
  ['memory.fill', OpClass.MemoryFill],
  ['ref.null', OpClass.RefNull],
  ['ref.is_null', OpClass.RefIsNull],
  ['ref.func', OpClass.RefFunc],
  ['ref.eq', OpClass.RefEq],
  ['ref.as_non_null', OpClass.RefAsNonNull],
  ['br_on_null', OpClass.BrOnNull],
  ['br_on_non_null', OpClass.BrOnNonNull],
  ['struct.new', OpClass.StructNew],
  ['struct.new_default', OpClass.StructNewDefault],
  ['struct.get', OpClass.StructGet],
  ['struct.get_s', OpClass.StructGetPacked],
  ['struct.get_u', OpClass.StructGetPacked],
  ['struct.set', OpClass.StructSet],
  ['array.new', OpClass.ArrayNew],
  ['array.new_default', OpClass.ArrayNewDefault],
  ['array.new_fixed', OpClass.ArrayNewFixed],
  ['array.new_data', OpClass.ArrayNewData],
  ['array.new_elem', OpClass.ArrayNewElem],
  ['array.get', OpClass.ArrayGet],
  ['array.get_s', OpClass.ArrayGetPacked],
  ['array.get_u', OpClass.ArrayGetPacked],
  ['array.set', OpClass.ArraySet],
  ['array.len', OpClass.ArrayLen],
  ['array.fill', OpClass.ArrayFill],
  ['array.copy', OpClass.ArrayCopy],
  ['array.init_data', OpClass.ArrayInitData],
  ['array.init_elem', OpClass.ArrayInitElem],
  ['ref.test', OpClass.RefTest],
  ['ref.test_null', OpClass.RefTest],
  ['ref.cast', OpClass.RefCast],
  ['ref.cast_null', OpClass.RefCast],
  ['br_on_cast', OpClass.BrOnCast],
  ['br_on_cast_fail', OpClass.BrOnCastFail],
  ['any.convert_extern', OpClass.AnyConvertExtern],
  ['extern.convert_any', OpClass.ExternConvertAny],
  ['ref.i31', OpClass.RefI31],
  ['i31.get_s', OpClass.I31Get],
  ['i31.get_u', OpClass.I31Get],
  ['struct.new_desc', OpClass.StructNewDesc],
  ['struct.new_default_desc', OpClass.StructNewDefaultDesc],
  ['ref.get_desc', OpClass.RefGetDesc],
  ['ref.cast_desc_eq', OpClass.RefCastDescEq],
  ['ref.cast_desc_eq_null', OpClass.RefCastDescEq],
  ['br_on_cast_desc_eq', OpClass.BrOnCastDescEq],
  ['br_on_cast_desc_eq_fail', OpClass.BrOnCastDescEqFail],
]);

export interface OpInfo {
  readonly name: string;
  /** (prefix << 16) | sub for prefixed opcodes, else the byte. */
  readonly code: number;
  readonly prefix: number; // 0 for single-byte opcodes
  readonly sub: number;
  readonly imm: Imm;
  /**
   * For plain operators, the signature as "params>results" with i=i32 I=i64 f=f32 F=f64
   * v=v128, e.g. "ii>i". Absent for instructions whose typing needs context.
   */
  readonly sig?: string;
  /** Natural alignment (log2) for memory instructions. */
  readonly natAlign?: number;
  readonly cls: OpClass;
}

export const PREFIX_GC = 0xfb;
export const PREFIX_MISC = 0xfc;
export const PREFIX_SIMD = 0xfd;
export const PREFIX_ATOMIC = 0xfe;

export const OPS: OpInfo[] = [];
export const opByName = new Map<string, OpInfo>();
export const opByCode = new Map<number, OpInfo>();

function def(prefix: number, sub: number, name: string, imm: Imm = Imm.None, sig?: string, natAlign?: number): void {
  const code = prefix ? (prefix << 16) | sub : sub;
  const cls =
    CLASS_BY_NAME.get(name) ??
    (sig === undefined
      ? OpClass.Unknown
      : imm === Imm.MemArg
        ? OpClass.Mem
        : imm === Imm.Lane
          ? OpClass.Lane
          : imm === Imm.MemArgLane
            ? OpClass.MemLane
            : OpClass.Plain);
  const info: OpInfo = { name, code, prefix, sub, imm, sig, natAlign, cls };
  OPS.push(info);
  opByName.set(name, info);
  opByCode.set(code, info);
}

// ---- control (spec 5.4.1)
def(0, 0x00, 'unreachable');
def(0, 0x01, 'nop', Imm.None, '>');
def(0, 0x02, 'block', Imm.Block);
def(0, 0x03, 'loop', Imm.Block);
def(0, 0x04, 'if', Imm.Block);
def(0, 0x05, 'else');
def(0, 0x06, 'try', Imm.Block); // legacy exceptions
def(0, 0x07, 'catch', Imm.Tag); // legacy exceptions
def(0, 0x08, 'throw', Imm.Tag);
def(0, 0x09, 'rethrow', Imm.Label); // legacy exceptions
def(0, 0x0a, 'throw_ref');
def(0, 0x0b, 'end');
def(0, 0x0c, 'br', Imm.Label);
def(0, 0x0d, 'br_if', Imm.Label);
def(0, 0x0e, 'br_table', Imm.BrTable);
def(0, 0x0f, 'return');
def(0, 0x10, 'call', Imm.Func);
def(0, 0x11, 'call_indirect', Imm.CallIndirect);
def(0, 0x12, 'return_call', Imm.Func);
def(0, 0x13, 'return_call_indirect', Imm.CallIndirect);
def(0, 0x14, 'call_ref', Imm.Type);
def(0, 0x15, 'return_call_ref', Imm.Type);
def(0, 0x18, 'delegate', Imm.Label); // legacy exceptions
def(0, 0x19, 'catch_all'); // legacy exceptions
def(0, 0x1a, 'drop');
def(0, 0x1b, 'select');
def(0, 0x1c, 'select_t', Imm.SelectT); // text: `select (result t)*`
def(0, 0x1f, 'try_table', Imm.TryTable);

// ---- variables
def(0, 0x20, 'local.get', Imm.Local);
def(0, 0x21, 'local.set', Imm.Local);
def(0, 0x22, 'local.tee', Imm.Local);
def(0, 0x23, 'global.get', Imm.Global);
def(0, 0x24, 'global.set', Imm.Global);
def(0, 0x25, 'table.get', Imm.Table);
def(0, 0x26, 'table.set', Imm.Table);

// ---- memory: loads/stores. Signatures use 'a' for the address type (i32 or i64 per memory).
const mem: [number, string, string, number][] = [
  [0x28, 'i32.load', 'a>i', 2],
  [0x29, 'i64.load', 'a>I', 3],
  [0x2a, 'f32.load', 'a>f', 2],
  [0x2b, 'f64.load', 'a>F', 3],
  [0x2c, 'i32.load8_s', 'a>i', 0],
  [0x2d, 'i32.load8_u', 'a>i', 0],
  [0x2e, 'i32.load16_s', 'a>i', 1],
  [0x2f, 'i32.load16_u', 'a>i', 1],
  [0x30, 'i64.load8_s', 'a>I', 0],
  [0x31, 'i64.load8_u', 'a>I', 0],
  [0x32, 'i64.load16_s', 'a>I', 1],
  [0x33, 'i64.load16_u', 'a>I', 1],
  [0x34, 'i64.load32_s', 'a>I', 2],
  [0x35, 'i64.load32_u', 'a>I', 2],
  [0x36, 'i32.store', 'ai>', 2],
  [0x37, 'i64.store', 'aI>', 3],
  [0x38, 'f32.store', 'af>', 2],
  [0x39, 'f64.store', 'aF>', 3],
  [0x3a, 'i32.store8', 'ai>', 0],
  [0x3b, 'i32.store16', 'ai>', 1],
  [0x3c, 'i64.store8', 'aI>', 0],
  [0x3d, 'i64.store16', 'aI>', 1],
  [0x3e, 'i64.store32', 'aI>', 2],
];
for (const [c, n, s, a] of mem) def(0, c, n, Imm.MemArg, s, a);
def(0, 0x3f, 'memory.size', Imm.Mem, '>a');
def(0, 0x40, 'memory.grow', Imm.Mem, 'a>a');

// ---- constants
def(0, 0x41, 'i32.const', Imm.I32, '>i');
def(0, 0x42, 'i64.const', Imm.I64, '>I');
def(0, 0x43, 'f32.const', Imm.F32, '>f');
def(0, 0x44, 'f64.const', Imm.F64, '>F');

// ---- numeric operators, in opcode order from 0x45
const numeric: [string, string][] = [
  ['i32.eqz', 'i>i'],
  ['i32.eq', 'ii>i'],
  ['i32.ne', 'ii>i'],
  ['i32.lt_s', 'ii>i'],
  ['i32.lt_u', 'ii>i'],
  ['i32.gt_s', 'ii>i'],
  ['i32.gt_u', 'ii>i'],
  ['i32.le_s', 'ii>i'],
  ['i32.le_u', 'ii>i'],
  ['i32.ge_s', 'ii>i'],
  ['i32.ge_u', 'ii>i'],
  ['i64.eqz', 'I>i'],
  ['i64.eq', 'II>i'],
  ['i64.ne', 'II>i'],
  ['i64.lt_s', 'II>i'],
  ['i64.lt_u', 'II>i'],
  ['i64.gt_s', 'II>i'],
  ['i64.gt_u', 'II>i'],
  ['i64.le_s', 'II>i'],
  ['i64.le_u', 'II>i'],
  ['i64.ge_s', 'II>i'],
  ['i64.ge_u', 'II>i'],
  ['f32.eq', 'ff>i'],
  ['f32.ne', 'ff>i'],
  ['f32.lt', 'ff>i'],
  ['f32.gt', 'ff>i'],
  ['f32.le', 'ff>i'],
  ['f32.ge', 'ff>i'],
  ['f64.eq', 'FF>i'],
  ['f64.ne', 'FF>i'],
  ['f64.lt', 'FF>i'],
  ['f64.gt', 'FF>i'],
  ['f64.le', 'FF>i'],
  ['f64.ge', 'FF>i'],
  ['i32.clz', 'i>i'],
  ['i32.ctz', 'i>i'],
  ['i32.popcnt', 'i>i'],
  ['i32.add', 'ii>i'],
  ['i32.sub', 'ii>i'],
  ['i32.mul', 'ii>i'],
  ['i32.div_s', 'ii>i'],
  ['i32.div_u', 'ii>i'],
  ['i32.rem_s', 'ii>i'],
  ['i32.rem_u', 'ii>i'],
  ['i32.and', 'ii>i'],
  ['i32.or', 'ii>i'],
  ['i32.xor', 'ii>i'],
  ['i32.shl', 'ii>i'],
  ['i32.shr_s', 'ii>i'],
  ['i32.shr_u', 'ii>i'],
  ['i32.rotl', 'ii>i'],
  ['i32.rotr', 'ii>i'],
  ['i64.clz', 'I>I'],
  ['i64.ctz', 'I>I'],
  ['i64.popcnt', 'I>I'],
  ['i64.add', 'II>I'],
  ['i64.sub', 'II>I'],
  ['i64.mul', 'II>I'],
  ['i64.div_s', 'II>I'],
  ['i64.div_u', 'II>I'],
  ['i64.rem_s', 'II>I'],
  ['i64.rem_u', 'II>I'],
  ['i64.and', 'II>I'],
  ['i64.or', 'II>I'],
  ['i64.xor', 'II>I'],
  ['i64.shl', 'II>I'],
  ['i64.shr_s', 'II>I'],
  ['i64.shr_u', 'II>I'],
  ['i64.rotl', 'II>I'],
  ['i64.rotr', 'II>I'],
  ['f32.abs', 'f>f'],
  ['f32.neg', 'f>f'],
  ['f32.ceil', 'f>f'],
  ['f32.floor', 'f>f'],
  ['f32.trunc', 'f>f'],
  ['f32.nearest', 'f>f'],
  ['f32.sqrt', 'f>f'],
  ['f32.add', 'ff>f'],
  ['f32.sub', 'ff>f'],
  ['f32.mul', 'ff>f'],
  ['f32.div', 'ff>f'],
  ['f32.min', 'ff>f'],
  ['f32.max', 'ff>f'],
  ['f32.copysign', 'ff>f'],
  ['f64.abs', 'F>F'],
  ['f64.neg', 'F>F'],
  ['f64.ceil', 'F>F'],
  ['f64.floor', 'F>F'],
  ['f64.trunc', 'F>F'],
  ['f64.nearest', 'F>F'],
  ['f64.sqrt', 'F>F'],
  ['f64.add', 'FF>F'],
  ['f64.sub', 'FF>F'],
  ['f64.mul', 'FF>F'],
  ['f64.div', 'FF>F'],
  ['f64.min', 'FF>F'],
  ['f64.max', 'FF>F'],
  ['f64.copysign', 'FF>F'],
  ['i32.wrap_i64', 'I>i'],
  ['i32.trunc_f32_s', 'f>i'],
  ['i32.trunc_f32_u', 'f>i'],
  ['i32.trunc_f64_s', 'F>i'],
  ['i32.trunc_f64_u', 'F>i'],
  ['i64.extend_i32_s', 'i>I'],
  ['i64.extend_i32_u', 'i>I'],
  ['i64.trunc_f32_s', 'f>I'],
  ['i64.trunc_f32_u', 'f>I'],
  ['i64.trunc_f64_s', 'F>I'],
  ['i64.trunc_f64_u', 'F>I'],
  ['f32.convert_i32_s', 'i>f'],
  ['f32.convert_i32_u', 'i>f'],
  ['f32.convert_i64_s', 'I>f'],
  ['f32.convert_i64_u', 'I>f'],
  ['f32.demote_f64', 'F>f'],
  ['f64.convert_i32_s', 'i>F'],
  ['f64.convert_i32_u', 'i>F'],
  ['f64.convert_i64_s', 'I>F'],
  ['f64.convert_i64_u', 'I>F'],
  ['f64.promote_f32', 'f>F'],
  ['i32.reinterpret_f32', 'f>i'],
  ['i64.reinterpret_f64', 'F>I'],
  ['f32.reinterpret_i32', 'i>f'],
  ['f64.reinterpret_i64', 'I>F'],
  ['i32.extend8_s', 'i>i'],
  ['i32.extend16_s', 'i>i'],
  ['i64.extend8_s', 'I>I'],
  ['i64.extend16_s', 'I>I'],
  ['i64.extend32_s', 'I>I'],
];
numeric.forEach(([n, s], i) => def(0, 0x45 + i, n, Imm.None, s));

// ---- references
def(0, 0xd0, 'ref.null', Imm.HeapType);
def(0, 0xd1, 'ref.is_null');
def(0, 0xd2, 'ref.func', Imm.Func);
def(0, 0xd3, 'ref.eq');
def(0, 0xd4, 'ref.as_non_null');
def(0, 0xd5, 'br_on_null', Imm.Label);
def(0, 0xd6, 'br_on_non_null', Imm.Label);

// ---- 0xFB: GC
const P = PREFIX_GC;
def(P, 0, 'struct.new', Imm.Type);
def(P, 1, 'struct.new_default', Imm.Type);
def(P, 2, 'struct.get', Imm.StructField);
def(P, 3, 'struct.get_s', Imm.StructField);
def(P, 4, 'struct.get_u', Imm.StructField);
def(P, 5, 'struct.set', Imm.StructField);
def(P, 6, 'array.new', Imm.Type);
def(P, 7, 'array.new_default', Imm.Type);
def(P, 8, 'array.new_fixed', Imm.ArrayFixed);
def(P, 9, 'array.new_data', Imm.ArrayData);
def(P, 10, 'array.new_elem', Imm.ArrayElem);
def(P, 11, 'array.get', Imm.Type);
def(P, 12, 'array.get_s', Imm.Type);
def(P, 13, 'array.get_u', Imm.Type);
def(P, 14, 'array.set', Imm.Type);
def(P, 15, 'array.len');
def(P, 16, 'array.fill', Imm.Type);
def(P, 17, 'array.copy', Imm.ArrayArray);
def(P, 18, 'array.init_data', Imm.ArrayData);
def(P, 19, 'array.init_elem', Imm.ArrayElem);
// ref.test/ref.cast: the text names are the same for both nullabilities; the binary
// opcode chooses. These internal names keep the table one-to-one.
def(P, 20, 'ref.test', Imm.RefTest);
def(P, 21, 'ref.test_null', Imm.RefTest);
def(P, 22, 'ref.cast', Imm.RefTest);
def(P, 23, 'ref.cast_null', Imm.RefTest);
def(P, 24, 'br_on_cast', Imm.BrOnCast);
def(P, 25, 'br_on_cast_fail', Imm.BrOnCast);
def(P, 26, 'any.convert_extern');
def(P, 27, 'extern.convert_any');
def(P, 28, 'ref.i31', Imm.None);
def(P, 29, 'i31.get_s');
def(P, 30, 'i31.get_u');
// Custom descriptors. ref.cast_desc_eq's binary opcode chooses the nullability as ref.cast's
// does, but the non-null form is the odd one (35) here.
def(P, 32, 'struct.new_desc', Imm.Type);
def(P, 33, 'struct.new_default_desc', Imm.Type);
def(P, 34, 'ref.get_desc', Imm.Type);
def(P, 35, 'ref.cast_desc_eq', Imm.RefTest);
def(P, 36, 'ref.cast_desc_eq_null', Imm.RefTest);
def(P, 37, 'br_on_cast_desc_eq', Imm.BrOnCast);
def(P, 38, 'br_on_cast_desc_eq_fail', Imm.BrOnCast);

// ---- 0xFC: saturating truncation, bulk memory and tables
const M = PREFIX_MISC;
def(M, 0, 'i32.trunc_sat_f32_s', Imm.None, 'f>i');
def(M, 1, 'i32.trunc_sat_f32_u', Imm.None, 'f>i');
def(M, 2, 'i32.trunc_sat_f64_s', Imm.None, 'F>i');
def(M, 3, 'i32.trunc_sat_f64_u', Imm.None, 'F>i');
def(M, 4, 'i64.trunc_sat_f32_s', Imm.None, 'f>I');
def(M, 5, 'i64.trunc_sat_f32_u', Imm.None, 'f>I');
def(M, 6, 'i64.trunc_sat_f64_s', Imm.None, 'F>I');
def(M, 7, 'i64.trunc_sat_f64_u', Imm.None, 'F>I');
def(M, 8, 'memory.init', Imm.DataMem);
def(M, 9, 'data.drop', Imm.Data);
def(M, 10, 'memory.copy', Imm.MemMem);
def(M, 11, 'memory.fill', Imm.Mem);
def(M, 12, 'table.init', Imm.ElemTable);
def(M, 13, 'elem.drop', Imm.Elem);
def(M, 14, 'table.copy', Imm.TableTable);
def(M, 15, 'table.grow', Imm.Table);
def(M, 16, 'table.size', Imm.Table);
def(M, 17, 'table.fill', Imm.Table);
// wide-arithmetic proposal
def(M, 19, 'i64.add128', Imm.None, 'IIII>II');
def(M, 20, 'i64.sub128', Imm.None, 'IIII>II');
def(M, 21, 'i64.mul_wide_s', Imm.None, 'II>II');
def(M, 22, 'i64.mul_wide_u', Imm.None, 'II>II');

// ---- 0xFE: threads (atomic memory accesses, wait and notify). An atomic access's memarg
// must give exactly its natural alignment, and a misaligned address traps.
const A = PREFIX_ATOMIC;
def(A, 0x00, 'memory.atomic.notify', Imm.MemArg, 'ai>i', 2);
def(A, 0x01, 'memory.atomic.wait32', Imm.MemArg, 'aiI>i', 2);
def(A, 0x02, 'memory.atomic.wait64', Imm.MemArg, 'aII>i', 3);
def(A, 0x03, 'atomic.fence', Imm.Zero, '>');
const atomicAccess: [number, string, string, number][] = [
  [0x10, 'i32.atomic.load', 'a>i', 2],
  [0x11, 'i64.atomic.load', 'a>I', 3],
  [0x12, 'i32.atomic.load8_u', 'a>i', 0],
  [0x13, 'i32.atomic.load16_u', 'a>i', 1],
  [0x14, 'i64.atomic.load8_u', 'a>I', 0],
  [0x15, 'i64.atomic.load16_u', 'a>I', 1],
  [0x16, 'i64.atomic.load32_u', 'a>I', 2],
  [0x17, 'i32.atomic.store', 'ai>', 2],
  [0x18, 'i64.atomic.store', 'aI>', 3],
  [0x19, 'i32.atomic.store8', 'ai>', 0],
  [0x1a, 'i32.atomic.store16', 'ai>', 1],
  [0x1b, 'i64.atomic.store8', 'aI>', 0],
  [0x1c, 'i64.atomic.store16', 'aI>', 1],
  [0x1d, 'i64.atomic.store32', 'aI>', 2],
];
for (const [c, n, sig, a] of atomicAccess) def(A, c, n, Imm.MemArg, sig, a);
// Read-modify-write: seven opcodes per operation, in this order of type and width.
const rmwForms: [string, string, string, number][] = [
  ['i32', 'rmw', '', 2],
  ['i64', 'rmw', '', 3],
  ['i32', 'rmw8', '_u', 0],
  ['i32', 'rmw16', '_u', 1],
  ['i64', 'rmw8', '_u', 0],
  ['i64', 'rmw16', '_u', 1],
  ['i64', 'rmw32', '_u', 2],
];
(['add', 'sub', 'and', 'or', 'xor', 'xchg', 'cmpxchg'] as const).forEach((rmw, g) => {
  rmwForms.forEach(([t, width, suffix, align], i) => {
    const v = t === 'i32' ? 'i' : 'I';
    const sig = rmw === 'cmpxchg' ? `a${v}${v}>${v}` : `a${v}>${v}`;
    def(A, 0x1e + g * 7 + i, `${t}.atomic.${width}.${rmw}${suffix}`, Imm.MemArg, sig, align);
  });
});

// ---- 0xFD: SIMD
const S = PREFIX_SIMD;
const simdMem: [number, string, string, number][] = [
  [0x00, 'v128.load', 'a>v', 4],
  [0x01, 'v128.load8x8_s', 'a>v', 3],
  [0x02, 'v128.load8x8_u', 'a>v', 3],
  [0x03, 'v128.load16x4_s', 'a>v', 3],
  [0x04, 'v128.load16x4_u', 'a>v', 3],
  [0x05, 'v128.load32x2_s', 'a>v', 3],
  [0x06, 'v128.load32x2_u', 'a>v', 3],
  [0x07, 'v128.load8_splat', 'a>v', 0],
  [0x08, 'v128.load16_splat', 'a>v', 1],
  [0x09, 'v128.load32_splat', 'a>v', 2],
  [0x0a, 'v128.load64_splat', 'a>v', 3],
  [0x0b, 'v128.store', 'av>', 4],
  [0x5c, 'v128.load32_zero', 'a>v', 2],
  [0x5d, 'v128.load64_zero', 'a>v', 3],
];
for (const [c, n, s, a] of simdMem) def(S, c, n, Imm.MemArg, s, a);
def(S, 0x0c, 'v128.const', Imm.V128, '>v');
def(S, 0x0d, 'i8x16.shuffle', Imm.Shuffle, 'vv>v');
const laneOps: [number, string, string][] = [
  [0x15, 'i8x16.extract_lane_s', 'v>i'],
  [0x16, 'i8x16.extract_lane_u', 'v>i'],
  [0x17, 'i8x16.replace_lane', 'vi>v'],
  [0x18, 'i16x8.extract_lane_s', 'v>i'],
  [0x19, 'i16x8.extract_lane_u', 'v>i'],
  [0x1a, 'i16x8.replace_lane', 'vi>v'],
  [0x1b, 'i32x4.extract_lane', 'v>i'],
  [0x1c, 'i32x4.replace_lane', 'vi>v'],
  [0x1d, 'i64x2.extract_lane', 'v>I'],
  [0x1e, 'i64x2.replace_lane', 'vI>v'],
  [0x1f, 'f32x4.extract_lane', 'v>f'],
  [0x20, 'f32x4.replace_lane', 'vf>v'],
  [0x21, 'f64x2.extract_lane', 'v>F'],
  [0x22, 'f64x2.replace_lane', 'vF>v'],
];
for (const [c, n, s] of laneOps) def(S, c, n, Imm.Lane, s);
const laneMem: [number, string, string, number][] = [
  [0x54, 'v128.load8_lane', 'av>v', 0],
  [0x55, 'v128.load16_lane', 'av>v', 1],
  [0x56, 'v128.load32_lane', 'av>v', 2],
  [0x57, 'v128.load64_lane', 'av>v', 3],
  [0x58, 'v128.store8_lane', 'av>', 0],
  [0x59, 'v128.store16_lane', 'av>', 1],
  [0x5a, 'v128.store32_lane', 'av>', 2],
  [0x5b, 'v128.store64_lane', 'av>', 3],
];
for (const [c, n, s, a] of laneMem) def(S, c, n, Imm.MemArgLane, s, a);
const simdPlain: [number, string, string][] = [
  [0x0e, 'i8x16.swizzle', 'vv>v'],
  [0x0f, 'i8x16.splat', 'i>v'],
  [0x10, 'i16x8.splat', 'i>v'],
  [0x11, 'i32x4.splat', 'i>v'],
  [0x12, 'i64x2.splat', 'I>v'],
  [0x13, 'f32x4.splat', 'f>v'],
  [0x14, 'f64x2.splat', 'F>v'],
  [0x4d, 'v128.not', 'v>v'],
  [0x4e, 'v128.and', 'vv>v'],
  [0x4f, 'v128.andnot', 'vv>v'],
  [0x50, 'v128.or', 'vv>v'],
  [0x51, 'v128.xor', 'vv>v'],
  [0x52, 'v128.bitselect', 'vvv>v'],
  [0x53, 'v128.any_true', 'v>i'],
  [0x5e, 'f32x4.demote_f64x2_zero', 'v>v'],
  [0x5f, 'f64x2.promote_low_f32x4', 'v>v'],
  [0x60, 'i8x16.abs', 'v>v'],
  [0x61, 'i8x16.neg', 'v>v'],
  [0x62, 'i8x16.popcnt', 'v>v'],
  [0x63, 'i8x16.all_true', 'v>i'],
  [0x64, 'i8x16.bitmask', 'v>i'],
  [0x65, 'i8x16.narrow_i16x8_s', 'vv>v'],
  [0x66, 'i8x16.narrow_i16x8_u', 'vv>v'],
  [0x67, 'f32x4.ceil', 'v>v'],
  [0x68, 'f32x4.floor', 'v>v'],
  [0x69, 'f32x4.trunc', 'v>v'],
  [0x6a, 'f32x4.nearest', 'v>v'],
  [0x6b, 'i8x16.shl', 'vi>v'],
  [0x6c, 'i8x16.shr_s', 'vi>v'],
  [0x6d, 'i8x16.shr_u', 'vi>v'],
  [0x6e, 'i8x16.add', 'vv>v'],
  [0x6f, 'i8x16.add_sat_s', 'vv>v'],
  [0x70, 'i8x16.add_sat_u', 'vv>v'],
  [0x71, 'i8x16.sub', 'vv>v'],
  [0x72, 'i8x16.sub_sat_s', 'vv>v'],
  [0x73, 'i8x16.sub_sat_u', 'vv>v'],
  [0x74, 'f64x2.ceil', 'v>v'],
  [0x75, 'f64x2.floor', 'v>v'],
  [0x76, 'i8x16.min_s', 'vv>v'],
  [0x77, 'i8x16.min_u', 'vv>v'],
  [0x78, 'i8x16.max_s', 'vv>v'],
  [0x79, 'i8x16.max_u', 'vv>v'],
  [0x7a, 'f64x2.trunc', 'v>v'],
  [0x7b, 'i8x16.avgr_u', 'vv>v'],
  [0x7c, 'i16x8.extadd_pairwise_i8x16_s', 'v>v'],
  [0x7d, 'i16x8.extadd_pairwise_i8x16_u', 'v>v'],
  [0x7e, 'i32x4.extadd_pairwise_i16x8_s', 'v>v'],
  [0x7f, 'i32x4.extadd_pairwise_i16x8_u', 'v>v'],
  [0x80, 'i16x8.abs', 'v>v'],
  [0x81, 'i16x8.neg', 'v>v'],
  [0x82, 'i16x8.q15mulr_sat_s', 'vv>v'],
  [0x83, 'i16x8.all_true', 'v>i'],
  [0x84, 'i16x8.bitmask', 'v>i'],
  [0x85, 'i16x8.narrow_i32x4_s', 'vv>v'],
  [0x86, 'i16x8.narrow_i32x4_u', 'vv>v'],
  [0x87, 'i16x8.extend_low_i8x16_s', 'v>v'],
  [0x88, 'i16x8.extend_high_i8x16_s', 'v>v'],
  [0x89, 'i16x8.extend_low_i8x16_u', 'v>v'],
  [0x8a, 'i16x8.extend_high_i8x16_u', 'v>v'],
  [0x8b, 'i16x8.shl', 'vi>v'],
  [0x8c, 'i16x8.shr_s', 'vi>v'],
  [0x8d, 'i16x8.shr_u', 'vi>v'],
  [0x8e, 'i16x8.add', 'vv>v'],
  [0x8f, 'i16x8.add_sat_s', 'vv>v'],
  [0x90, 'i16x8.add_sat_u', 'vv>v'],
  [0x91, 'i16x8.sub', 'vv>v'],
  [0x92, 'i16x8.sub_sat_s', 'vv>v'],
  [0x93, 'i16x8.sub_sat_u', 'vv>v'],
  [0x94, 'f64x2.nearest', 'v>v'],
  [0x95, 'i16x8.mul', 'vv>v'],
  [0x96, 'i16x8.min_s', 'vv>v'],
  [0x97, 'i16x8.min_u', 'vv>v'],
  [0x98, 'i16x8.max_s', 'vv>v'],
  [0x99, 'i16x8.max_u', 'vv>v'],
  [0x9b, 'i16x8.avgr_u', 'vv>v'],
  [0x9c, 'i16x8.extmul_low_i8x16_s', 'vv>v'],
  [0x9d, 'i16x8.extmul_high_i8x16_s', 'vv>v'],
  [0x9e, 'i16x8.extmul_low_i8x16_u', 'vv>v'],
  [0x9f, 'i16x8.extmul_high_i8x16_u', 'vv>v'],
  [0xa0, 'i32x4.abs', 'v>v'],
  [0xa1, 'i32x4.neg', 'v>v'],
  [0xa3, 'i32x4.all_true', 'v>i'],
  [0xa4, 'i32x4.bitmask', 'v>i'],
  [0xa7, 'i32x4.extend_low_i16x8_s', 'v>v'],
  [0xa8, 'i32x4.extend_high_i16x8_s', 'v>v'],
  [0xa9, 'i32x4.extend_low_i16x8_u', 'v>v'],
  [0xaa, 'i32x4.extend_high_i16x8_u', 'v>v'],
  [0xab, 'i32x4.shl', 'vi>v'],
  [0xac, 'i32x4.shr_s', 'vi>v'],
  [0xad, 'i32x4.shr_u', 'vi>v'],
  [0xae, 'i32x4.add', 'vv>v'],
  [0xb1, 'i32x4.sub', 'vv>v'],
  [0xb5, 'i32x4.mul', 'vv>v'],
  [0xb6, 'i32x4.min_s', 'vv>v'],
  [0xb7, 'i32x4.min_u', 'vv>v'],
  [0xb8, 'i32x4.max_s', 'vv>v'],
  [0xb9, 'i32x4.max_u', 'vv>v'],
  [0xba, 'i32x4.dot_i16x8_s', 'vv>v'],
  [0xbc, 'i32x4.extmul_low_i16x8_s', 'vv>v'],
  [0xbd, 'i32x4.extmul_high_i16x8_s', 'vv>v'],
  [0xbe, 'i32x4.extmul_low_i16x8_u', 'vv>v'],
  [0xbf, 'i32x4.extmul_high_i16x8_u', 'vv>v'],
  [0xc0, 'i64x2.abs', 'v>v'],
  [0xc1, 'i64x2.neg', 'v>v'],
  [0xc3, 'i64x2.all_true', 'v>i'],
  [0xc4, 'i64x2.bitmask', 'v>i'],
  [0xc7, 'i64x2.extend_low_i32x4_s', 'v>v'],
  [0xc8, 'i64x2.extend_high_i32x4_s', 'v>v'],
  [0xc9, 'i64x2.extend_low_i32x4_u', 'v>v'],
  [0xca, 'i64x2.extend_high_i32x4_u', 'v>v'],
  [0xcb, 'i64x2.shl', 'vi>v'],
  [0xcc, 'i64x2.shr_s', 'vi>v'],
  [0xcd, 'i64x2.shr_u', 'vi>v'],
  [0xce, 'i64x2.add', 'vv>v'],
  [0xd1, 'i64x2.sub', 'vv>v'],
  [0xd5, 'i64x2.mul', 'vv>v'],
  [0xd6, 'i64x2.eq', 'vv>v'],
  [0xd7, 'i64x2.ne', 'vv>v'],
  [0xd8, 'i64x2.lt_s', 'vv>v'],
  [0xd9, 'i64x2.gt_s', 'vv>v'],
  [0xda, 'i64x2.le_s', 'vv>v'],
  [0xdb, 'i64x2.ge_s', 'vv>v'],
  [0xdc, 'i64x2.extmul_low_i32x4_s', 'vv>v'],
  [0xdd, 'i64x2.extmul_high_i32x4_s', 'vv>v'],
  [0xde, 'i64x2.extmul_low_i32x4_u', 'vv>v'],
  [0xdf, 'i64x2.extmul_high_i32x4_u', 'vv>v'],
  [0xe0, 'f32x4.abs', 'v>v'],
  [0xe1, 'f32x4.neg', 'v>v'],
  [0xe3, 'f32x4.sqrt', 'v>v'],
  [0xe4, 'f32x4.add', 'vv>v'],
  [0xe5, 'f32x4.sub', 'vv>v'],
  [0xe6, 'f32x4.mul', 'vv>v'],
  [0xe7, 'f32x4.div', 'vv>v'],
  [0xe8, 'f32x4.min', 'vv>v'],
  [0xe9, 'f32x4.max', 'vv>v'],
  [0xea, 'f32x4.pmin', 'vv>v'],
  [0xeb, 'f32x4.pmax', 'vv>v'],
  [0xec, 'f64x2.abs', 'v>v'],
  [0xed, 'f64x2.neg', 'v>v'],
  [0xef, 'f64x2.sqrt', 'v>v'],
  [0xf0, 'f64x2.add', 'vv>v'],
  [0xf1, 'f64x2.sub', 'vv>v'],
  [0xf2, 'f64x2.mul', 'vv>v'],
  [0xf3, 'f64x2.div', 'vv>v'],
  [0xf4, 'f64x2.min', 'vv>v'],
  [0xf5, 'f64x2.max', 'vv>v'],
  [0xf6, 'f64x2.pmin', 'vv>v'],
  [0xf7, 'f64x2.pmax', 'vv>v'],
  [0xf8, 'i32x4.trunc_sat_f32x4_s', 'v>v'],
  [0xf9, 'i32x4.trunc_sat_f32x4_u', 'v>v'],
  [0xfa, 'f32x4.convert_i32x4_s', 'v>v'],
  [0xfb, 'f32x4.convert_i32x4_u', 'v>v'],
  [0xfc, 'i32x4.trunc_sat_f64x2_s_zero', 'v>v'],
  [0xfd, 'i32x4.trunc_sat_f64x2_u_zero', 'v>v'],
  [0xfe, 'f64x2.convert_low_i32x4_s', 'v>v'],
  [0xff, 'f64x2.convert_low_i32x4_u', 'v>v'],
  // relaxed SIMD
  [0x100, 'i8x16.relaxed_swizzle', 'vv>v'],
  [0x101, 'i32x4.relaxed_trunc_f32x4_s', 'v>v'],
  [0x102, 'i32x4.relaxed_trunc_f32x4_u', 'v>v'],
  [0x103, 'i32x4.relaxed_trunc_f64x2_s_zero', 'v>v'],
  [0x104, 'i32x4.relaxed_trunc_f64x2_u_zero', 'v>v'],
  [0x105, 'f32x4.relaxed_madd', 'vvv>v'],
  [0x106, 'f32x4.relaxed_nmadd', 'vvv>v'],
  [0x107, 'f64x2.relaxed_madd', 'vvv>v'],
  [0x108, 'f64x2.relaxed_nmadd', 'vvv>v'],
  [0x109, 'i8x16.relaxed_laneselect', 'vvv>v'],
  [0x10a, 'i16x8.relaxed_laneselect', 'vvv>v'],
  [0x10b, 'i32x4.relaxed_laneselect', 'vvv>v'],
  [0x10c, 'i64x2.relaxed_laneselect', 'vvv>v'],
  [0x10d, 'f32x4.relaxed_min', 'vv>v'],
  [0x10e, 'f32x4.relaxed_max', 'vv>v'],
  [0x10f, 'f64x2.relaxed_min', 'vv>v'],
  [0x110, 'f64x2.relaxed_max', 'vv>v'],
  [0x111, 'i16x8.relaxed_q15mulr_s', 'vv>v'],
  [0x112, 'i16x8.relaxed_dot_i8x16_i7x16_s', 'vv>v'],
  [0x113, 'i32x4.relaxed_dot_i8x16_i7x16_add_s', 'vvv>v'],
];
for (const [c, n, s] of simdPlain) def(S, c, n, Imm.None, s);
// SIMD comparisons, in opcode order from 0x23
const cmp = (shape: string, names: string[]) => names.map((n) => `${shape}.${n}`);
[
  ...cmp('i8x16', ['eq', 'ne', 'lt_s', 'lt_u', 'gt_s', 'gt_u', 'le_s', 'le_u', 'ge_s', 'ge_u']),
  ...cmp('i16x8', ['eq', 'ne', 'lt_s', 'lt_u', 'gt_s', 'gt_u', 'le_s', 'le_u', 'ge_s', 'ge_u']),
  ...cmp('i32x4', ['eq', 'ne', 'lt_s', 'lt_u', 'gt_s', 'gt_u', 'le_s', 'le_u', 'ge_s', 'ge_u']),
  ...cmp('f32x4', ['eq', 'ne', 'lt', 'gt', 'le', 'ge']),
  ...cmp('f64x2', ['eq', 'ne', 'lt', 'gt', 'le', 'ge']),
].forEach((n, i) => def(S, 0x23 + i, n, Imm.None, 'vv>v'));

/** Parses a "params>results" signature string into value type names. */
export function parseSig(sig: string): { params: string[]; results: string[] } {
  const [p, r] = sig.split('>');
  const m: Record<string, string> = { i: 'i32', I: 'i64', f: 'f32', F: 'f64', v: 'v128', a: 'addr' };
  return { params: [...p].map((c) => m[c]), results: [...r].map((c) => m[c]) };
}
