// Tests for runtime/vm/simd.ts.
//
// 1. The spec testsuite's SIMD scripts (simd_*.wast, relaxed_*.wast), parsed by `parseWast`
//    and run through the runtime under both code generation profiles: every assert_return /
//    assert_trap lane-exactly, including the nan:canonical / nan:arithmetic lane patterns.
// 2. A cross-check against Node's native WebAssembly SIMD: one hand-assembled module with one
//    function per instruction, run on random and boundary inputs, compared bit-exactly
//    (NaN lanes of float arithmetic only need to be NaN with the quiet bit set on our side).

import * as fs from 'fs';
import * as path from 'path';
import { parseSig, Imm, PREFIX_SIMD, OPS, type OpInfo } from '../../compiler/opcodes';
import { testsuiteRoot } from '../../spec-tests/files';
import type { FileResult } from '../../spec-tests/report';
import { runScriptSource } from '../../spec-tests/runner';
import { uleb } from '../../tests/support/leb';
import { f32FromBits, f32ToBits } from './values';
import {
  SIMD,
  v128FromBytes,
  v128ToBytes,
  v128Const,
  load,
  store,
  load8_lane,
  store16_lane,
  i8x16_shuffle,
  i64x2_extract_lane,
  f32x4_extract_lane,
  f32x4_replace_lane,
  f32x4_splat,
  i8x16_add,
  i64x2SplatWords,
  i64x2ReplaceLaneWords,
  type V128,
} from './simd';

const TESTSUITE = testsuiteRoot();

// ------------------------------------------------------------------ testsuite scripts

const wastFiles = fs.existsSync(TESTSUITE)
  ? fs
      .readdirSync(TESTSUITE)
      .filter((f) => /^(simd_|relaxed_).*\.wast$/.test(f))
      .sort()
  : [];

/**
 * Runs one script (parsed by the text format's `parseWast`) through the runtime, with the
 * code generation profile `profile`: the helpers are the same in both, but how generated code
 * reaches them (bindings, NaN handling of lanes) is not.
 */
function runSimdScript(file: string, profile: 'jit' | 'interpreter'): FileResult {
  const saved = process.env.JETWASM_CODEGEN;
  process.env.JETWASM_CODEGEN = profile;
  try {
    return runScriptSource(fs.readFileSync(path.join(TESTSUITE, file), 'utf8'), file);
  } finally {
    if (saved === undefined) delete process.env.JETWASM_CODEGEN;
    else process.env.JETWASM_CODEGEN = saved;
  }
}

describe.each(['jit', 'interpreter'] as const)('spec testsuite SIMD scripts, %s profile', (profile) => {
  let passed = 0;
  test.each(wastFiles)('%s', (file) => {
    const r = runSimdScript(file, profile);
    passed += r.passed;
    expect(r.problems.slice(0, 5)).toEqual([]);
    expect(r.failed).toBe(0);
    expect(r.skipped).toBe(0);
    expect(r.passed).toBeGreaterThan(0);
  });
  test('the testsuite is present and its assertions ran', () => {
    expect(wastFiles.length).toBeGreaterThanOrEqual(60);
    expect(passed).toBeGreaterThanOrEqual(24000);
  });
});

// ------------------------------------------------------------------ native cross-check

/** Calls `fn` with `args` as separate arguments; `{ f64 }` wraps a scalar float argument. */
function callPositional(fn: (...a: unknown[]) => unknown, args: unknown[]): unknown {
  const u = (x: unknown): unknown =>
    x !== null && typeof x === 'object' && 'f64' in x ? (x as { f64: number }).f64 : x;
  switch (args.length) {
    case 0:
      return fn();
    case 1:
      return fn(u(args[0]));
    case 2:
      return fn(u(args[0]), u(args[1]));
    case 3:
      return fn(u(args[0]), u(args[1]), u(args[2]));
    default:
      throw new Error('arity');
  }
}

const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
};
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const nameBytes = (s: string): number[] => [...uleb(s.length), ...Buffer.from(s, 'utf8')];

// The project's lib settings do not declare the WebAssembly namespace; this is the part used.
interface NativeInstance {
  exports: Record<string, unknown>;
}
const NativeWasm = (
  globalThis as unknown as {
    WebAssembly: { Module: new (b: Uint8Array) => object; Instance: new (m: object) => NativeInstance };
  }
).WebAssembly;

/** A module exporting memory "m" and one () -> () function per body, named by index. */
function buildModule(bodies: number[][]): NativeInstance {
  const bytes = [
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec([[0x60, 0x00, 0x00]])),
    ...section(3, vec(bodies.map(() => [0x00]))),
    ...section(5, vec([[0x00, 0x01]])),
    ...section(
      7,
      vec([[...nameBytes('m'), 0x02, 0x00], ...bodies.map((_, i) => [...nameBytes(`f${i}`), 0x00, ...uleb(i)])]),
    ),
    ...section(
      10,
      vec(
        bodies.map((b) => {
          const code = [0x00, ...b, 0x0b];
          return [...uleb(code.length), ...code];
        }),
      ),
    ),
  ];
  return new NativeWasm.Instance(new NativeWasm.Module(Uint8Array.from(bytes)));
}

const simdOp = (op: OpInfo): number[] => [PREFIX_SIMD, ...uleb(op.sub)];
const memarg = (offset = 0): number[] => [0x00, ...uleb(offset)];
const i32c = (n: number): number[] => [0x41, ...sleb(n)];
const V_LOAD = [PREFIX_SIMD, 0x00];
const V_STORE = [PREFIX_SIMD, 0x0b];
// Operand k of type v128 lives at 16k; scalar operands at 64; results are stored at 128.
const OPERAND_LOAD: Record<string, (k: number) => number[]> = {
  v128: (k) => [...i32c(16 * k), ...V_LOAD, ...memarg()],
  i32: () => [...i32c(64), 0x28, ...memarg()],
  i64: () => [...i32c(64), 0x29, ...memarg()],
  f32: () => [...i32c(64), 0x2a, ...memarg()],
  f64: () => [...i32c(64), 0x2b, ...memarg()],
};
const RESULT_STORE: Record<string, number[]> = {
  v128: [...V_STORE, ...memarg()],
  i32: [0x36, ...memarg()],
  i64: [0x37, ...memarg()],
  f32: [0x38, ...memarg()],
  f64: [0x39, ...memarg()],
};
const RES = 128;
const MEM_EA = 256;

interface NativeCase {
  name: string;
  body: number[];
  /** Runs the library on the same memory (inputs at their addresses); returns result bytes. */
  ours: (mem: Uint8Array) => Uint8Array;
  /** Bytes of linear memory the instruction's result occupies natively. */
  resultAt: number;
  resultLen: number;
}

function operandOf(t: string, k: number, mem: Uint8Array): unknown {
  const dv = new DataView(mem.buffer, mem.byteOffset);
  switch (t) {
    case 'v128':
      return v128FromBytes(mem.subarray(16 * k, 16 * k + 16));
    case 'i32':
      return dv.getInt32(64, true);
    case 'i64':
      return dv.getBigInt64(64, true);
    case 'f32':
      return f32FromBits(dv.getInt32(64, true));
    default:
      return { f64: dv.getFloat64(64, true) };
  }
}
function resultBytes(t: string, r: unknown): Uint8Array {
  const out = new Uint8Array(16);
  const dv = new DataView(out.buffer);
  switch (t) {
    case 'v128':
      out.set(v128ToBytes(r as V128));
      break;
    case 'i32':
      dv.setInt32(0, r as number, true);
      break;
    case 'i64':
      dv.setBigInt64(0, r as bigint, true);
      break;
    case 'f32':
      dv.setInt32(0, f32ToBits(r as number), true);
      break;
    default:
      dv.setFloat64(0, r as number, true);
      break;
  }
  return out.subarray(0, t === 'v128' ? 16 : t === 'i64' || t === 'f64' ? 8 : 4);
}

function nativeCases(): NativeCase[] {
  const cases: NativeCase[] = [];
  const rng = mulberry32(12345);
  for (const op of OPS) {
    if (op.prefix !== PREFIX_SIMD || op.name.includes('relaxed')) continue;
    const fn = SIMD[op.name];
    if (op.imm === Imm.None || op.imm === Imm.Lane || op.imm === Imm.Shuffle) {
      const sig = parseSig(op.sig!);
      const immSets: number[][] =
        op.imm === Imm.Lane
          ? laneRange(op.name).map((l) => [l])
          : op.imm === Imm.Shuffle
            ? Array.from({ length: 6 }, () => Array.from({ length: 16 }, () => Math.floor(rng() * 32)))
            : [[]];
      for (const imm of immSets) {
        const rt = sig.results[0];
        const body = [
          ...i32c(RES),
          ...sig.params.flatMap((t, k) => OPERAND_LOAD[t](k)),
          ...simdOp(op),
          ...imm,
          ...RESULT_STORE[rt],
        ];
        cases.push({
          name: `${op.name}${imm.length ? ' ' + imm.join(',') : ''}`,
          body,
          resultAt: RES,
          resultLen: resultBytes(rt, rt === 'i64' ? 0n : rt === 'v128' ? new Int32Array(4) : 0).length,
          ours: (mem) => {
            const args = sig.params.map((t, k) => operandOf(t, k, mem));
            if (op.imm === Imm.Lane) args.push(imm[0]);
            if (op.imm === Imm.Shuffle) args.push(Uint8Array.from(imm));
            return resultBytes(rt, callPositional(fn as (...a: unknown[]) => unknown, args));
          },
        });
      }
    } else if (op.imm === Imm.MemArg || op.imm === Imm.MemArgLane) {
      const isStore = op.name.includes('store');
      const lanes = op.imm === Imm.MemArgLane ? laneRange(op.name) : [-1];
      for (const lane of lanes) {
        const laneImm = lane >= 0 ? [lane] : [];
        const needsV = isStore || op.imm === Imm.MemArgLane;
        const body = isStore
          ? [...i32c(MEM_EA), ...OPERAND_LOAD.v128(0), ...simdOp(op), ...memarg(), ...laneImm]
          : [
              ...i32c(RES),
              ...i32c(MEM_EA),
              ...(needsV ? OPERAND_LOAD.v128(0) : []),
              ...simdOp(op),
              ...memarg(),
              ...laneImm,
              ...RESULT_STORE.v128,
            ];
        cases.push({
          name: `${op.name}${lane >= 0 ? ' ' + lane : ''}`,
          body,
          resultAt: isStore ? MEM_EA : RES,
          resultLen: 16,
          ours: (mem) => {
            const v = v128FromBytes(mem.subarray(0, 16));
            if (isStore) {
              const copy = Uint8Array.from(mem);
              (fn as (...a: unknown[]) => unknown)(copy, MEM_EA, v, lane);
              return copy.subarray(MEM_EA, MEM_EA + 16);
            }
            const r = needsV ? fn(mem, MEM_EA, v, lane) : fn(mem, MEM_EA);
            return v128ToBytes(r as V128);
          },
        });
      }
    }
  }
  return cases;
}

function laneRange(name: string): number[] {
  const n =
    name.startsWith('i8x16') || name.includes('load8_') || name.includes('store8_')
      ? 16
      : name.startsWith('i16x8') || name.includes('16_lane')
        ? 8
        : name.startsWith('i32x4') || name.startsWith('f32x4') || name.includes('32_lane')
          ? 4
          : 2;
  return Array.from({ length: n }, (_, i) => i);
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const F32_SPECIALS = [
  0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7fa00000,
  0xffa00001, 0x7fc12345, 0x7f7fffff, 0xff7fffff, 0x00000001, 0x80000001, 0x007fffff, 0x3f000000, 0x3fc00000,
  0x40200000, 0xc0200000, 0x4f000000, 0xcf000000, 0x4f800000, 0xbf7fffff, 0x4b000001, 0x4effffff, 0xcf000001,
  0x3effffff, 0x4b7fffff,
];
const F64_SPECIALS: [number, number][] = [
  [0, 0],
  [0, 0x80000000],
  [0, 0x3ff00000],
  [0, 0xbff00000],
  [0, 0x7ff00000],
  [0, 0xfff00000],
  [0, 0x7ff80000],
  [0, 0xfff80000],
  [1, 0x7ff00000],
  [0x12345678, 0x7ff81234],
  [0xffffffff, 0x7fefffff],
  [1, 0],
  [0, 0x3fe00000],
  [0, 0x3ff80000],
  [0, 0x40040000],
  [0, 0xc0040000],
  [0, 0x41e00000],
  [0, 0xc1e00000],
  [0x00200000, 0xc1e00000],
  [0xffc00000, 0x41efffff],
  [0, 0x41f00000],
  [0xe0000000, 0x47efffff],
  [0x20000000, 0x36a00000],
  [0, 0x43300000],
  [1, 0x43300000],
  [0xffffffff, 0x432fffff],
  [0, 0xbfefffff],
];
const INT_BYTES = [0x00, 0x01, 0x7f, 0x80, 0x81, 0xfe, 0xff, 0x40, 0x3f];

function fillInputs(mem: Uint8Array, rng: () => number): void {
  const dv = new DataView(mem.buffer, mem.byteOffset);
  const mode = Math.floor(rng() * 6);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rng() * xs.length)];
  for (let w = 0; w < 80; w += 4) {
    if (mode === 0) dv.setUint32(w, Math.floor(rng() * 2 ** 32), true);
    else if (mode === 1) dv.setUint32(w, rng() < 0.8 ? pick(F32_SPECIALS) : Math.floor(rng() * 2 ** 32), true);
    else if (mode === 2 && w % 8 === 0) {
      const [lo, hi] = pick(F64_SPECIALS);
      dv.setUint32(w, lo, true);
      dv.setUint32(w + 4, hi, true);
    } else if (mode === 3) for (let b = 0; b < 4; b++) mem[w + b] = pick(INT_BYTES);
    else if (mode === 4) dv.setUint32(w, pick(F32_SPECIALS.slice(0, 10)), true);
    else if (mode === 5 && w % 8 === 0) {
      const [lo, hi] = pick(F64_SPECIALS.slice(0, 10));
      dv.setUint32(w, lo, true);
      dv.setUint32(w + 4, hi, true);
    }
  }
  for (let i = MEM_EA; i < MEM_EA + 16; i++) mem[i] = Math.floor(rng() * 256);
}

// Float results the spec lets differ in NaN payload: any NaN lane only needs the quiet bit.
const NAN_FREE =
  /^(f32x4|f64x2)\.(add|sub|mul|div|sqrt|min|max|ceil|floor|trunc|nearest|demote_f64x2_zero|promote_low_f32x4)$/;

function sameResult(name: string, ours: Uint8Array, native: Uint8Array): boolean {
  const opName = name.split(' ')[0];
  if (!NAN_FREE.test(opName)) return Buffer.compare(Buffer.from(ours), Buffer.from(native)) === 0;
  const wide = opName.startsWith('f64x2') || opName === 'f64x2.promote_low_f32x4';
  const size = wide ? 8 : 4;
  const od = new DataView(ours.buffer, ours.byteOffset),
    nd = new DataView(native.buffer, native.byteOffset);
  for (let i = 0; i < ours.length; i += size) {
    const o = size === 8 ? od.getBigUint64(i, true) : BigInt(od.getUint32(i, true));
    const n = size === 8 ? nd.getBigUint64(i, true) : BigInt(nd.getUint32(i, true));
    const expMask = size === 8 ? 0x7ff0000000000000n : 0x7f800000n;
    const manMask = size === 8 ? 0xfffffffffffffn : 0x7fffffn;
    const quiet = size === 8 ? 0x8000000000000n : 0x400000n;
    const isNaN = (x: bigint): boolean => (x & expMask) === expMask && (x & manMask) !== 0n;
    if (isNaN(o) && isNaN(n)) {
      if ((o & quiet) === 0n) return false;
    } else if (o !== n) return false;
  }
  return true;
}

describe('cross-check against native WebAssembly SIMD', () => {
  const cases = nativeCases();
  const instance = buildModule(cases.map((c) => c.body));
  const mem = new Uint8Array((instance.exports.m as { buffer: ArrayBuffer }).buffer);
  test('covers every non-relaxed SIMD instruction but v128.const', () => {
    const covered = new Set(cases.map((c) => c.name.split(' ')[0]));
    const all = OPS.filter((o) => o.prefix === PREFIX_SIMD && !o.name.includes('relaxed') && o.name !== 'v128.const');
    expect(all.filter((o) => !covered.has(o.name)).map((o) => o.name)).toEqual([]);
  });
  test.each(cases.map((c, i) => [c.name, i] as [string, number]))('%s', (_name, i) => {
    const c = cases[i];
    const run = instance.exports[`f${i}`] as () => void;
    const rng = mulberry32(i + 1);
    const mismatches: string[] = [];
    for (let iter = 0; iter < 300 && mismatches.length < 3; iter++) {
      mem.fill(0, 0, 512);
      fillInputs(mem, rng);
      const ours = c.ours(Uint8Array.from(mem)); // the library sees a copy of the inputs
      run();
      const native = mem.slice(c.resultAt, c.resultAt + c.resultLen);
      if (!sameResult(c.name, ours, native)) {
        const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
        mismatches.push(`inputs ${hex(mem.subarray(0, 80))} ours ${hex(ours)} native ${hex(native)}`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});

// ------------------------------------------------------------------ direct checks

describe('value representation', () => {
  test('bytes round-trip little-endian', () => {
    const bytes = Uint8Array.from({ length: 16 }, (_, i) => i * 17);
    const v = v128Const(bytes);
    expect(v[0]).toBe(0x33221100);
    expect(Array.from(v128ToBytes(v))).toEqual(Array.from(bytes));
  });

  test('f32 signalling NaN bits survive splat, replace_lane and extract_lane', () => {
    const snan = f32FromBits(0x7fa00001);
    const v = f32x4_splat(snan);
    expect(Array.from(v, (x) => x >>> 0)).toEqual([0x7fa00001, 0x7fa00001, 0x7fa00001, 0x7fa00001]);
    const w = f32x4_replace_lane(new Int32Array(4), f32FromBits(0xffa00002), 2);
    expect(w[2] >>> 0).toBe(0xffa00002);
    expect(f32ToBits(f32x4_extract_lane(v, 3)) >>> 0).toBe(0x7fa00001);
  });

  test('i64 lanes from word pairs match the bigint forms', () => {
    expect(Array.from(i64x2SplatWords(-2, 0x7fffffff))).toEqual(
      Array.from(SIMD['i64x2.splat'](0x7ffffffffffffffen) as V128),
    );
    const v = Int32Array.of(1, 2, 3, 4);
    expect(Array.from(i64x2ReplaceLaneWords(v, -1, -1, 1))).toEqual(
      Array.from(SIMD['i64x2.replace_lane'](v, -1n, 1) as V128),
    );
    expect(Array.from(v)).toEqual([1, 2, 3, 4]);
  });

  test('i64 lanes are signed bigints', () => {
    expect(i64x2_extract_lane(Int32Array.of(0, 0, -1, -1), 1)).toBe(-1n);
    expect(i64x2_extract_lane(Int32Array.of(-2, 0x7fffffff, 0, 0), 0)).toBe(0x7ffffffffffffffen);
  });

  test('shuffle indexes the 32 bytes of both operands', () => {
    const a = v128Const(Uint8Array.from({ length: 16 }, (_, i) => i));
    const b = v128Const(Uint8Array.from({ length: 16 }, (_, i) => 100 + i));
    const r = i8x16_shuffle(a, b, Uint8Array.from([31, 0, 16, 15, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22]));
    expect(Array.from(v128ToBytes(r))).toEqual([115, 0, 100, 15, 1, 101, 2, 102, 3, 103, 4, 104, 5, 105, 6, 106]);
  });

  test('memory helpers touch exactly their bytes', () => {
    const mem = new Uint8Array(64);
    const v = v128Const(Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i));
    store(mem, 3, v);
    expect(Array.from(load(mem, 3))).toEqual(Array.from(v));
    expect(mem[2]).toBe(0);
    expect(mem[19]).toBe(0);
    store16_lane(mem, 40, v, 5);
    expect(Array.from(mem.subarray(39, 43))).toEqual([0, 0xaa, 0xab, 0]);
    const before = Array.from(v);
    const r = load8_lane(mem, 41, v, 15);
    expect(Array.from(v)).toEqual(before);
    expect(v128ToBytes(r)[15]).toBe(0xab);
  });

  test('no instruction mutates an operand, and every v128 result is a fresh array', () => {
    const rng = mulberry32(7);
    for (const op of OPS) {
      if (op.prefix !== PREFIX_SIMD || (op.imm !== Imm.None && op.imm !== Imm.Lane)) continue;
      const sig = parseSig(op.sig!);
      const args: unknown[] = sig.params.map((t) =>
        t === 'v128'
          ? Int32Array.from({ length: 4 }, () => (rng() * 2 ** 32) | 0)
          : t === 'i64'
            ? -5n
            : t === 'i32'
              ? 3
              : 1.5,
      );
      const copies = args.map((a) => (a instanceof Int32Array ? Array.from(a) : a));
      if (op.imm === Imm.Lane) args.push(1);
      const r = callPositional(SIMD[op.name] as (...a: unknown[]) => unknown, args);
      args.forEach((a, i) => {
        if (a instanceof Int32Array) expect([op.name, Array.from(a)]).toEqual([op.name, copies[i]]);
      });
      if (sig.results[0] === 'v128') {
        expect(r).toBeInstanceOf(Int32Array);
        expect((r as Int32Array).length).toBe(4);
        expect(args.includes(r)).toBe(false);
      }
    }
  });

  test('SIMD names every SIMD instruction of the opcode table but v128.const', () => {
    const names = OPS.filter((o) => o.prefix === PREFIX_SIMD && o.name !== 'v128.const').map((o) => o.name);
    expect(names.filter((n) => typeof SIMD[n] !== 'function')).toEqual([]);
    expect(Object.keys(SIMD).filter((n) => !names.includes(n))).toEqual([]);
    expect(SIMD['i8x16.add']).toBe(i8x16_add);
  });
});
