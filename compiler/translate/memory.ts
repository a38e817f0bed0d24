// Memory access: effective addresses (bounds by the DataView, or provably in-bounds word
// indices), loads and stores of every width, i64 as word pairs.

import type { Instr } from '../ir';
import type { MemoryNames } from './env';
import * as i64 from './i64';
import { opDesc } from './ops';
import {
  LITTLE_ENDIAN_HOST,
  unparen,
  splitTopLevel,
  addrFacts,
  maskedShiftIndex,
  TRAP_MSG,
  isDecimal,
  isIdentOrLiteral,
  entry,
} from './exprs';
import { OperandStack } from './stack';
import { NAN_CARRIERS, f64LoadCarrier, f64StoreCarrier } from './nan';
import { ATOMIC_OPS } from '../../vmctx/helpers';
import { use } from './bindings';

/** The callee of a plain store through memory m's DataView method `method`: its bound setter
 *  where the memory has one (env.ts MemoryAccessForm 'arrays-first'). */
function storeCallee(m: MemoryNames): MemoryNames['call'] {
  const b = m.boundSetters;
  if (b === null) return m.call;
  return (method) => (method === 'setInt32' ? b.word : method === 'setInt8' ? b.byte : m.call(method));
}

export abstract class MemoryAccess extends OperandStack {
  // ------------------------------------------------------------------ memory

  /** Emits the effective-address computation and bounds check; returns the address text. */
  /**
   * The effective address of an access. For a 32-bit memory accessed through its DataView
   * (`viaDataView`), the DataView's own bounds check is the Wasm bounds check: u32 address +
   * u32 offset is below 2^33, and an access beyond the buffer throws a RangeError that every
   * boundary converts into the trap "out of bounds memory access" (runtime/objects.ts
   * toTrapValue), so the address is returned as an expression and nothing is emitted.
   * Otherwise (memory64, SIMD helpers on the Uint8Array) the check is explicit and the address
   * is left in the temporary `a`.
   */
  protected effectiveAddress(
    m: MemoryNames,
    offset: number,
    size: number,
    viaDataView = false,
    twoWords = false,
  ): string {
    let base: string;
    if (m.is64) base = i64.i64ToAddress(this.popPair());
    else {
      const addr = this.pop();
      // No unsigned conversion for an address addrFacts proves to lie in [0, 2^31), nor,
      // without an offset, for a memory that stays below 2 GiB: there a negative int32 is a
      // u32 of at least 2^31, out of bounds either way, and the DataView rejects it with the
      // same RangeError. Not with an offset, nor for a two-word access (whose second word is
      // at address + 4): a negative address plus a few bytes could land in bounds.
      const signedOk = viaDataView && offset === 0 && !twoWords && m.below2GiB;
      base = signedOk || isDecimal(addr) || addrFacts(addr) !== null ? addr : `(${addr} >>> 0)`;
    }
    if (viaDataView && !m.is64) {
      if (offset === 0) return base;
      return isDecimal(base) ? String(Number(base) + offset) : `${base} + ${offset}`;
    }
    this.usesTmp = true;
    const ea = offset === 0 ? base : `${base} + ${offset}`;
    // A shared memory's views end where this agent last saw its end; another agent may
    // have grown it since, so a failed check looks at the buffer before trapping.
    const beyond = m.shared ? ` && ${use('H')}.memBeyond(${m.obj}, a + ${size})` : '';
    this.emit(`a = ${ea}; if (a > ${m.len} - ${size}${beyond}) ${this.trap(TRAP_MSG.oob)}`);
    return 'a';
  }

  /**
   * For a 4-byte access whose address (top of the stack) is provably aligned and, with the
   * offset, inside the memory's declared minimum size (addrFacts): pops it and returns the
   * Int32Array index expression. Such an access cannot trap, so no check is needed. Else
   * null, with the stack untouched.
   */
  protected wordIndex(m: MemoryNames, offset: number): string | null {
    if (m.i32 === null || m.is64 || !LITTLE_ENDIAN_HOST || offset % 4 !== 0) return null;
    const top = this.stack[this.stack.length - 1];
    if (!top) return null;
    const f = addrFacts(top.e);
    if (f === null || f.align < 2 || f.max + offset + 4 > m.minBytes) return null;
    this.pop();
    if (isDecimal(top.e)) return String((Number(top.e) + offset) / 4);
    // `(x << 2)` is non-negative and did not overflow (addrFacts), so its word index is x.
    const inner = unparen(top.e);
    const parts = inner === null ? null : splitTopLevel(inner);
    const index =
      parts === null
        ? `${top.e} >> 2`
        : parts[1] === '<<' && parts[2] === '2'
          ? parts[0]
          : (maskedShiftIndex(parts) ?? `${top.e} >> 2`);
    return offset === 0 ? index : `(${index}) + ${offset / 4}`;
  }

  /**
   * 'arrays-first' loads (env.ts MemoryAccessForm) from memory m: the read of the word at
   * `ea` plus `plus` words, or of the byte at `ea`; null where the memory's loads use its
   * DataView. A typed array reads undefined at an index beyond its view and at a fractional
   * one, so `W0[ea / 4]` is undefined for an address out of bounds or not a multiple of 4 (a
   * negative one included), where the DataView then reads the unaligned word or throws the
   * RangeError that becomes the trap. `ea` appears twice: it is pure (effectiveAddress).
   * Words only for accesses hinted naturally aligned, whose DataView path is the rare one.
   */
  protected arraysFirst(
    m: MemoryNames,
  ): { word: (ea: string, plus?: number) => string; byte: (ea: string) => string } | null {
    if (m.boundSetters === null || m.i32 === null || !LITTLE_ENDIAN_HOST) return null;
    const w = m.i32,
      u = m.u8;
    return {
      word: (ea, plus = 0) =>
        plus === 0
          ? `(${w}[(${ea}) / 4] ?? ${m.call('getInt32')}(${ea}, 1))`
          : `(${w}[(${ea}) / 4 + ${plus}] ?? ${m.call('getInt32')}(${ea} + ${4 * plus}, 1))`,
      byte: (ea) => `(${u}[${ea}] ?? ${m.call('getUint8')}(${ea}))`,
    };
  }

  /** The address of a two-word (i64) access, in the temporary `a`. */
  protected pairAddress(m: MemoryNames, offset: number, size: number): string {
    const ea = this.effectiveAddress(m, offset, size, true, true);
    if (ea === 'a') return ea;
    this.usesTmp = true;
    this.emit(`a = ${ea};`);
    return 'a';
  }

  protected load(ins: Instr, name: string): void {
    const ma = ins.memarg!;
    const m = this.env.memory(ma.mem);
    const desc = opDesc(ins.op)!;
    const ty = desc.ty,
      kind = desc.op;
    const size = desc.size;
    if (ty === 'i64') {
      const pa =
        kind === 'load' ? this.pairAddress(m, ma.offset, size) : this.effectiveAddress(m, ma.offset, size, true);
      const first = ma.align >= 2 ? this.arraysFirst(m) : null;
      if (first !== null && kind === 'load')
        this.pushPairStmt((lo, hi) => `${lo} = ${first.word(pa)}; ${hi} = ${first.word(pa, 1)};`);
      else if (first !== null && (kind === 'load32_s' || kind === 'load32_u'))
        this.pushPairStmt(
          (lo, hi) => `${lo} = ${first.word(pa)}; ${hi} = ${kind === 'load32_s' ? `${lo} >> 31` : '0'};`,
        );
      else this.pushPairStmt((lo, hi) => i64.i64LoadWords(kind, m.call, pa, lo, hi));
      return;
    }
    const w = kind === 'load' && (ty === 'i32' || ty === 'f32') ? this.wordIndex(m, ma.offset) : null;
    if (w !== null) {
      this.push(ty === 'f32' ? `${use('f32FromBits')}(${m.i32}[${w}])` : `${m.i32}[${w}]`, false);
      return;
    }
    const ea = this.effectiveAddress(m, ma.offset, size, ty !== 'v128');
    let e: string;
    if (ty === 'v128') e = `${use('SIMD')}.${kind === 'load' ? 'load' : kind}(${m.u8}, ${ea})`;
    else if (ty === 'f32') e = this.f32Load(m, ea);
    else if (ty === 'f64') e = NAN_CARRIERS ? f64LoadCarrier(m.dv, ea) : `${m.call('getFloat64')}(${ea}, 1)`;
    else {
      const first = this.arraysFirst(m);
      switch (kind) {
        case 'load':
          e = first !== null && ma.align >= 2 ? first.word(ea) : `${m.call('getInt32')}(${ea}, 1)`;
          break;
        case 'load8_s':
          e = `${m.call('getInt8')}(${ea})`;
          break;
        case 'load8_u':
          e = first !== null ? first.byte(ea) : `${m.call('getUint8')}(${ea})`;
          break;
        case 'load16_s':
          e = `${m.call('getInt16')}(${ea}, 1)`;
          break;
        case 'load16_u':
          e = `${m.call('getUint16')}(${ea}, 1)`;
          break;
        default:
          throw new Error(`unknown load ${name}`);
      }
    }
    this.push(e, false);
  }

  protected store(ins: Instr, name: string): void {
    const ma = ins.memarg!;
    const m = this.env.memory(ma.mem);
    const desc = opDesc(ins.op)!;
    const ty = desc.ty,
      kind = desc.op;
    if (ty === 'i64') {
      const p = this.popPair();
      const size = desc.size;
      const ea64 =
        kind === 'store' ? this.pairAddress(m, ma.offset, size) : this.effectiveAddress(m, ma.offset, size, true);
      this.emit(i64.i64Store(kind, storeCallee(m), ea64, p));
      return;
    }
    const f32Direct = ty === 'f32' && this.env.profile === 'interpreter';
    const v = f32Direct ? this.popSimple() : this.pop();
    const w = kind === 'store' && (ty === 'i32' || ty === 'f32') ? this.wordIndex(m, ma.offset) : null;
    if (w !== null) {
      this.emit(ty === 'f32' ? `${m.i32}[${w}] = ${use('f32ToBits')}(${v});` : `${m.i32}[${w}] = ${v};`);
      return;
    }
    if (f32Direct) {
      this.f32Store(m, v, this.effectiveAddress(m, ma.offset, desc.size, true));
      return;
    }
    const ea = this.effectiveAddress(m, ma.offset, desc.size, ty !== 'v128');
    if (ty === 'v128') this.emit(`${use('SIMD')}.store(${m.u8}, ${ea}, ${v});`);
    else if (ty === 'f32') this.emit(`${m.call('setInt32')}(${ea}, ${use('f32ToBits')}(${v}), 1);`);
    else if (ty === 'f64')
      this.emit(NAN_CARRIERS ? f64StoreCarrier(m.dv, ea, v) : `${m.call('setFloat64')}(${ea}, ${v}, 1);`);
    else if (kind === 'store') this.emit(`${storeCallee(m)('setInt32')}(${ea}, ${v}, 1);`);
    else if (kind === 'store8') this.emit(`${storeCallee(m)('setInt8')}(${ea}, ${v});`);
    else if (kind === 'store16') this.emit(`${m.call('setInt16')}(${ea}, ${v}, 1);`);
    else throw new Error(`unknown store ${name}`);
  }

  /**
   * An f32 load through the DataView. Without a JIT a helper call costs more than the
   * access, so the 'interpreter' profile reads the float directly and takes the bit-exact
   * path (f32FromBits, which keeps a signalling NaN's bits) only when the value read is a
   * NaN; the address is evaluated a second time then, which is why it must be pure (it is:
   * effectiveAddress yields an expression over locals, slots and constants, or `a`).
   */
  private f32Load(m: MemoryNames, ea: string): string {
    if (this.env.profile !== 'interpreter') return `${use('f32FromBits')}(${m.call('getInt32')}(${ea}, 1))`;
    this.usesQ = true;
    return `((q = ${m.dv}.getFloat32(${ea}, 1)) === q ? q : ${use('f32FromBits')}(${m.dv}.getInt32(${ea}, 1)))`;
  }

  /** The 'interpreter' profile's f32 store (see f32Load) of the simple operand `v`:
   *  setFloat32 writes a value that is not a NaN exactly; a NaN goes through f32ToBits. */
  private f32Store(m: MemoryNames, v: string, ea: string): void {
    let at = ea;
    if (!isIdentOrLiteral(at)) {
      this.usesTmp = true;
      this.emit(`a = ${ea};`);
      at = 'a';
    }
    const isNumber = NAN_CARRIERS ? `${v} === +${v}` : `${v} === ${v}`;
    this.emit(
      `if (${isNumber}) ${m.dv}.setFloat32(${at}, ${v}, 1); else ${m.dv}.setInt32(${at}, ${use('f32ToBits')}(${v}), 1);`,
    );
  }

  // ------------------------------------------------------------------ atomics
  //
  // An atomic access checks bounds first, then alignment (trap "unaligned atomic"). On a
  // shared memory, which other agents may access concurrently, it is an Atomics operation
  // (runtime calls H.atomicRmw / H.atomicRmw64). An unshared memory is accessed by one agent
  // only, so there an atomic access is the plain access: read-modify-write reads the old
  // value into the result slot, then stores the new one computed from it; narrow forms read
  // zero-extended and store the low bits. wait and notify are runtime calls (H.atomicWait /
  // H.atomicNotify).

  protected atomic(ins: Instr, name: string): void {
    if (name === 'atomic.fence') return;
    const ma = ins.memarg!;
    const m = this.env.memory(ma.mem);
    if (name === 'memory.atomic.notify') {
      const count = this.popSimple();
      const a = this.atomicAddress(m, ma.offset, 4);
      this.pushStatement((r) => `${r} = ${use('H')}.atomicNotify(${m.obj}, ${a}, ${count});`);
      return;
    }
    if (name === 'memory.atomic.wait32' || name === 'memory.atomic.wait64') {
      const timeout = this.popPairSimple();
      const wide = name === 'memory.atomic.wait64';
      const expected = wide ? this.popPairSimple() : { lo: this.popSimple(), hi: '0' };
      const a = this.atomicAddress(m, ma.offset, wide ? 8 : 4);
      this.pushStatement(
        (r) =>
          `${r} = ${use('H')}.atomicWait(${m.obj}, ${a}, ${wide ? 8 : 4}, ${expected.lo}, ${expected.hi}, ${timeout.lo}, ${timeout.hi});`,
      );
      return;
    }
    if (m.shared) {
      this.sharedAtomic(m, ma.offset, name);
      return;
    }
    const p = /^(i32|i64)\.atomic\.(load|store|rmw)(8|16|32)?(?:\.([a-z]+?))?(?:_u)?$/.exec(name);
    if (p === null) throw new Error(`unknown atomic instruction ${name}`);
    const wide = p[1] === 'i64';
    const size = p[3] !== undefined ? Number(p[3]) / 8 : wide ? 8 : 4;
    const access = p[2];
    const rmw = p[4];
    const dv = m.call;
    // Narrow widths read zero-extended; the i64 forms name i64.ts's load/store kinds.
    const loadKind = size === 8 ? 'load' : `load${size * 8}_u`;
    const storeKind = size === 8 ? 'store' : `store${size * 8}`;
    const get32 = (at: string): string =>
      size === 4
        ? `${dv('getInt32')}(${at}, 1)`
        : size === 2
          ? `${dv('getUint16')}(${at}, 1)`
          : `${dv('getUint8')}(${at})`;
    const set32 = (at: string, v: string): string =>
      size === 4
        ? `${dv('setInt32')}(${at}, ${v}, 1);`
        : size === 2
          ? `${dv('setInt16')}(${at}, ${v}, 1);`
          : `${dv('setInt8')}(${at}, ${v});`;
    const mask = size === 2 ? ' & 65535' : size === 1 ? ' & 255' : '';
    if (access === 'load') {
      const a = this.atomicAddress(m, ma.offset, size);
      if (wide) this.pushPairStmt((lo, hi) => i64.i64LoadWords(loadKind, dv, a, lo, hi));
      else this.pushStatement((r) => `${r} = ${get32(a)};`);
      return;
    }
    if (access === 'store') {
      if (wide) {
        const v = this.popPairSimple();
        const a = this.atomicAddress(m, ma.offset, size);
        this.emit(i64.i64Store(storeKind, dv, a, v));
      } else {
        const v = this.popSimple();
        const a = this.atomicAddress(m, ma.offset, size);
        this.emit(set32(a, v));
      }
      return;
    }
    if (rmw === 'cmpxchg') {
      if (wide) {
        const repl = this.popPairSimple();
        const exp = this.popPairSimple();
        const a = this.atomicAddress(m, ma.offset, size);
        // The expected value is compared at the access's width.
        const same = (lo: string, hi: string): string =>
          size === 8
            ? `${lo} === ${exp.lo} && ${hi} === ${exp.hi}`
            : size === 4
              ? `${lo} === ${exp.lo}`
              : `${lo} === (${exp.lo}${mask})`;
        this.pushPairStmt(
          (lo, hi) =>
            `${i64.i64LoadWords(loadKind, dv, a, lo, hi)} if (${same(lo, hi)}) { ${i64.i64Store(storeKind, dv, a, repl)} }`,
        );
      } else {
        const repl = this.popSimple();
        const exp = this.popSimple();
        const a = this.atomicAddress(m, ma.offset, size);
        this.pushStatement((r) => `${r} = ${get32(a)}; if (${r} === (${exp}${mask})) ${set32(a, repl)}`);
      }
      return;
    }
    if (wide) {
      const v = this.popPairSimple();
      const a = this.atomicAddress(m, ma.offset, size);
      this.pushPairStmt((lo, hi) => {
        const old = { lo, hi };
        const nv = rmw === 'xchg' ? v : i64.i64Binary(rmw!, old, v);
        if (nv === null) throw new Error(`unknown atomic operation ${name}`);
        return `${i64.i64LoadWords(loadKind, dv, a, lo, hi)} ${i64.i64Store(storeKind, dv, a, nv)}`;
      });
      return;
    }
    const v = this.popSimple();
    const a = this.atomicAddress(m, ma.offset, size);
    const op = ({ add: '+', sub: '-', and: '&', or: '|', xor: '^' } as Record<string, string>)[rmw!];
    if (rmw !== 'xchg' && op === undefined) throw new Error(`unknown atomic operation ${name}`);
    this.pushStatement((r) => `${r} = ${get32(a)}; ${set32(a, rmw === 'xchg' ? v : `${r} ${op} ${v} | 0`)}`);
  }

  /** An atomic access to a shared memory: one Atomics operation on a view of its buffer. */
  private sharedAtomic(m: MemoryNames, offset: number, name: string): void {
    const p = /^(i32|i64)\.atomic\.(load|store|rmw)(8|16|32)?(?:\.([a-z]+?))?(?:_u)?$/.exec(name);
    if (p === null) throw new Error(`unknown atomic instruction ${name}`);
    const wide = p[1] === 'i64';
    const size = p[3] !== undefined ? Number(p[3]) / 8 : wide ? 8 : 4;
    const opName = p[2] === 'rmw' ? p[4]! : p[2];
    const op = (ATOMIC_OPS as Record<string, number>)[opName];
    if (op === undefined) throw new Error(`unknown atomic operation ${name}`);
    const operands = p[2] === 'load' ? 0 : opName === 'cmpxchg' ? 2 : 1;
    if (size === 8) {
      const x = operands === 2 ? this.popPairSimple() : { lo: '0', hi: '0' };
      const v = operands >= 1 ? this.popPairSimple() : { lo: '0', hi: '0' };
      const a = this.atomicAddress(m, offset, 8);
      const call = `${use('H')}.atomicRmw64(${m.obj}, ${op}, ${a}, ${v.lo}, ${v.hi}, ${x.lo}, ${x.hi})`;
      if (p[2] === 'store') this.emit(`${call};`);
      else this.pushPairCall(call);
      return;
    }
    // The narrow i64 forms use the low word; their result is zero-extended.
    const x = operands === 2 ? (wide ? this.popPairSimple().lo : this.popSimple()) : '0';
    const v = operands >= 1 ? (wide ? this.popPairSimple().lo : this.popSimple()) : '0';
    const a = this.atomicAddress(m, offset, size);
    const call = `${use('H')}.atomicRmw(${m.obj}, ${op}, ${size}, ${a}, ${v}, ${x})`;
    if (p[2] === 'store') this.emit(`${call};`);
    else if (wide) this.pushPairStmt((lo, hi) => `${lo} = ${call}; ${hi} = 0;`);
    else this.pushStatement((r) => `${r} = ${call};`);
  }

  /** Pops an atomic access's address: bounds checked, then alignment; left in `a`. */
  private atomicAddress(m: MemoryNames, offset: number, size: number): string {
    const a = this.effectiveAddress(m, offset, size);
    if (size > 1) this.emit(`if (${a} % ${size} !== 0) ${use('trap')}("unaligned atomic");`);
    return a;
  }

  /** Pushes an i32 written by statements `f(slot)` into its slot. */
  private pushStatement(f: (slot: string) => string): void {
    const d = this.stack.length;
    const s = this.slot(d);
    this.emit(f(s));
    this.stack.push(entry(s, undefined, false, undefined));
  }

  /** An address-typed operand (i32 or i64 per memory/table) as a JS number expression. */
  protected addrOperand(is64: boolean): string {
    if (is64) return i64.i64ToAddress(this.popPair());
    return `(${this.pop()} >>> 0)`;
  }

  /** Pushes a number-valued expression (an address, size or -1) as an address-typed value. */
  protected pushAddress(e: string, is64: boolean): void {
    if (!is64) {
      this.push(e, false);
      return;
    }
    this.usesQ = true;
    this.emit(`q = ${e};`);
    this.pushPairStmt((lo, hi) => i64.addressToI64Words('q', lo, hi));
  }
}
