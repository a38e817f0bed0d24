import {
  constToValue,
  isArithmeticNanF32,
  isArithmeticNanF64,
  isCanonicalNanF32,
  isCanonicalNanF64,
  matchResults,
  matchValue,
  type RefKind,
  type RefOracle,
} from './values';
import { f32FromBits, f32ToBits, f64FromBits, f64ToBits } from '../runtime/vm/values';
import type { LanePattern, WastExpected } from '../compiler/text/wast-types';

// A stand-in for the runtime's reference classification: objects tagged with their kind.
const hosts = new Map<number, object>();
const refs: RefOracle = {
  refKind: (v) => (v === null ? 'null' : ((v as { kind?: RefKind }).kind ?? 'host')),
  hostRef: (n) => {
    let h = hosts.get(n);
    if (!h) hosts.set(n, (h = { host: n }));
    return h;
  },
};
const kinded = (kind: RefKind): object => ({ kind });

const f32 = (bits: number): number => f32FromBits(bits);
const f64 = (bits: bigint): number => f64FromBits(bits);

describe('NaN classification (bit-exact)', () => {
  test('f32 canonical: quiet bit only, either sign', () => {
    expect(isCanonicalNanF32(0x7fc00000)).toBe(true);
    expect(isCanonicalNanF32(0xffc00000 | 0)).toBe(true);
    expect(isCanonicalNanF32(0x7fc00001)).toBe(false);
    expect(isCanonicalNanF32(0x7fa00000)).toBe(false); // signalling
    expect(isCanonicalNanF32(0x7f800000)).toBe(false); // infinity
  });
  test('f32 arithmetic: quiet bit set, any payload', () => {
    expect(isArithmeticNanF32(0x7fc00000)).toBe(true);
    expect(isArithmeticNanF32(0xffc12345 | 0)).toBe(true);
    expect(isArithmeticNanF32(0x7f812345)).toBe(false); // signalling
    expect(isArithmeticNanF32(0x7f800000)).toBe(false);
    expect(isArithmeticNanF32(0x3fc00000)).toBe(false); // exponent not all ones
  });
  test('f64 canonical and arithmetic', () => {
    expect(isCanonicalNanF64(0x7ff8000000000000n)).toBe(true);
    expect(isCanonicalNanF64(0xfff8000000000000n)).toBe(true);
    expect(isCanonicalNanF64(-0x8000000000000n)).toBe(true); // signed form of 0xfff8...
    expect(isCanonicalNanF64(0x7ff8000000000001n)).toBe(false);
    expect(isArithmeticNanF64(0x7ff8000000000001n)).toBe(true);
    expect(isArithmeticNanF64(0x7ff4000000000000n)).toBe(false); // signalling
    expect(isArithmeticNanF64(0x7ff0000000000000n)).toBe(false); // infinity
  });
  test('matchValue uses the carried f32 bits, including signalling NaNs', () => {
    const snan = f32(0x7fa00001);
    expect(f32ToBits(snan) >>> 0).toBe(0x7fa00001);
    expect(matchValue(snan, { type: 'f32', bits: 0x7fa00001 }, refs)).toBe(true);
    expect(matchValue(snan, { type: 'f32', nan: 'arithmetic' }, refs)).toBe(false);
    expect(matchValue(f32(0xffc00000), { type: 'f32', nan: 'canonical' }, refs)).toBe(true);
    expect(matchValue(f32(0x7fc00010), { type: 'f32', nan: 'canonical' }, refs)).toBe(false);
    expect(matchValue(f32(0x7fc00010), { type: 'f32', nan: 'arithmetic' }, refs)).toBe(true);
    expect(matchValue(1.5, { type: 'f32', nan: 'arithmetic' }, refs)).toBe(false);
  });
  test('f64 NaN patterns', () => {
    expect(matchValue(f64(0xfff8000000000000n), { type: 'f64', nan: 'canonical' }, refs)).toBe(true);
    expect(matchValue(f64(0x7ff8000000000123n), { type: 'f64', nan: 'canonical' }, refs)).toBe(false);
    expect(matchValue(f64(0x7ff8000000000123n), { type: 'f64', nan: 'arithmetic' }, refs)).toBe(true);
    expect(matchValue(f64(0x7ff0000000000123n), { type: 'f64', nan: 'arithmetic' }, refs)).toBe(false);
  });
});

describe('scalar constants', () => {
  test('i32 and i64 compare exactly and by type', () => {
    expect(matchValue(-1, { type: 'i32', value: -1 }, refs)).toBe(true);
    expect(matchValue(0xffffffff, { type: 'i32', value: -1 }, refs)).toBe(false); // not an int32
    expect(matchValue(-1n, { type: 'i32', value: -1 }, refs)).toBe(false);
    expect(matchValue(-1n, { type: 'i64', value: -1n }, refs)).toBe(true);
    expect(matchValue(-1n, { type: 'i64', value: 0xffffffffffffffffn }, refs)).toBe(true); // unsigned spelling
    expect(matchValue(-1, { type: 'i64', value: -1n }, refs)).toBe(false);
  });
  test('floats compare bits, not values: signed zeros and NaN payloads differ', () => {
    expect(matchValue(-0, { type: 'f64', bits: 0x8000000000000000n }, refs)).toBe(true);
    expect(matchValue(0, { type: 'f64', bits: 0x8000000000000000n }, refs)).toBe(false);
    expect(matchValue(f64(0x7ff8000000000001n), { type: 'f64', bits: 0x7ff8000000000001n }, refs)).toBe(true);
    expect(matchValue(f64(0x7ff8000000000002n), { type: 'f64', bits: 0x7ff8000000000001n }, refs)).toBe(false);
    expect(matchValue(Math.fround(0.1), { type: 'f32', bits: 0x3dcccccd }, refs)).toBe(true);
    expect(matchValue(0.1, { type: 'f32', bits: 0x3dcccccd }, refs)).toBe(false); // not an f32 value
  });
  test('constToValue produces API values', () => {
    expect(constToValue({ type: 'i32', value: 7 }, refs)).toBe(7);
    expect(constToValue({ type: 'i64', value: 0xffffffffffffffffn }, refs)).toBe(-1n);
    expect(f32ToBits(constToValue({ type: 'f32', bits: 0x7f800001 }, refs) as number) >>> 0).toBe(0x7f800001);
    expect(f64ToBits(constToValue({ type: 'f64', bits: 0xfff0000000000001n }, refs) as number)).toBe(
      0xfff0000000000001n,
    );
    expect(constToValue({ type: 'ref.null', heap: 'func' }, refs)).toBeNull();
    expect(constToValue({ type: 'ref.extern', value: 3 }, refs)).toBe(refs.hostRef(3));
  });
});

describe('v128', () => {
  const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
  const le32 = (...words: number[]): Uint8Array => {
    const out = new Uint8Array(16);
    const dv = new DataView(out.buffer);
    words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
    return out;
  };
  test('exact bytes', () => {
    const v = bytes(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
    expect(matchValue(v, { type: 'v128', bytes: v.slice() }, refs)).toBe(true);
    const w = v.slice();
    w[15] = 0;
    expect(matchValue(w, { type: 'v128', bytes: v }, refs)).toBe(false);
    expect(matchValue(1, { type: 'v128', bytes: v }, refs)).toBe(false);
  });
  test('integer lanes by shape, little-endian', () => {
    const v = le32(0xffffffff, 1, 0x80000000, 0x00010002);
    expect(matchValue(v, { type: 'v128', shape: 'i32x4', lanes: [0xffffffff, 1, 0x80000000, 0x10002] }, refs)).toBe(
      true,
    );
    expect(matchValue(v, { type: 'v128', shape: 'i32x4', lanes: [0xffffffff, 1, 0x80000000, 0x10003] }, refs)).toBe(
      false,
    );
    expect(matchValue(v, { type: 'v128', shape: 'i16x8', lanes: [0xffff, 0xffff, 1, 0, 0, 0x8000, 2, 1] }, refs)).toBe(
      true,
    );
    expect(matchValue(v, { type: 'v128', shape: 'i64x2', lanes: [0x1ffffffffn, 0x0001000280000000n] }, refs)).toBe(
      true,
    );
  });
  test('float lanes: each lane checked on its own (canonical vs arithmetic vs exact)', () => {
    const v = le32(0x7fc00000, 0xffc00001, 0x3f800000, 0x7fa00000);
    const lanes = (l3: LanePattern): WastExpected => ({
      type: 'v128' as const,
      shape: 'f32x4' as const,
      lanes: [{ nan: 'canonical' as const }, { nan: 'arithmetic' as const }, 0x3f800000, l3],
    });
    expect(matchValue(v, lanes(0x7fa00000), refs)).toBe(true);
    // lane 3 is a signalling NaN: not arithmetic
    expect(matchValue(v, lanes({ nan: 'arithmetic' }), refs)).toBe(false);
    // lane 1 has a payload: not canonical
    expect(
      matchValue(
        v,
        { type: 'v128', shape: 'f32x4', lanes: [{ nan: 'canonical' }, { nan: 'canonical' }, 0x3f800000, 0x7fa00000] },
        refs,
      ),
    ).toBe(false);
    const d = new Uint8Array(16);
    new DataView(d.buffer).setBigUint64(0, 0xfff8000000000000n, true);
    new DataView(d.buffer).setBigUint64(8, 0x4000000000000000n, true);
    expect(
      matchValue(d, { type: 'v128', shape: 'f64x2', lanes: [{ nan: 'canonical' }, 0x4000000000000000n] }, refs),
    ).toBe(true);
    expect(
      matchValue(d, { type: 'v128', shape: 'f64x2', lanes: [{ nan: 'canonical' }, { nan: 'arithmetic' }] }, refs),
    ).toBe(false);
  });
});

describe('references', () => {
  test('ref.null matches any null, whatever heap type is named', () => {
    expect(matchValue(null, { type: 'ref.null', heap: 'func' }, refs)).toBe(true);
    expect(matchValue(null, { type: 'ref.null', heap: '$t' }, refs)).toBe(true);
    expect(matchValue(null, { type: 'ref.null' }, refs)).toBe(true);
    expect(matchValue(kinded('func'), { type: 'ref.null' }, refs)).toBe(false);
    expect(matchValue(undefined, { type: 'ref.null', heap: 'extern' }, refs)).toBe(false);
  });
  test('ref.extern N and ref.host N need identity with hostRef(N)', () => {
    expect(matchValue(refs.hostRef(1), { type: 'ref.extern', value: 1 }, refs)).toBe(true);
    expect(matchValue(refs.hostRef(2), { type: 'ref.extern', value: 1 }, refs)).toBe(false);
    expect(matchValue({ host: 1 }, { type: 'ref.extern', value: 1 }, refs)).toBe(false); // equal, not identical
    expect(matchValue(refs.hostRef(0), { type: 'ref.host', value: 0 }, refs)).toBe(true);
    expect(matchValue(null, { type: 'ref.extern', value: 0 }, refs)).toBe(false);
    expect(matchValue(kinded('i31'), { type: 'ref.extern' }, refs)).toBe(true); // any non-null
    expect(matchValue(null, { type: 'ref.extern' }, refs)).toBe(false);
  });
  test('kind patterns', () => {
    expect(matchValue(kinded('func'), { type: 'ref.func' }, refs)).toBe(true);
    expect(matchValue(kinded('struct'), { type: 'ref.func' }, refs)).toBe(false);
    expect(matchValue(null, { type: 'ref.func' }, refs)).toBe(false);
    expect(matchValue(kinded('struct'), { type: 'ref.struct' }, refs)).toBe(true);
    expect(matchValue(kinded('array'), { type: 'ref.array' }, refs)).toBe(true);
    expect(matchValue(kinded('i31'), { type: 'ref.i31' }, refs)).toBe(true);
    expect(matchValue(kinded('exn'), { type: 'ref.exn' }, refs)).toBe(true);
    for (const k of ['i31', 'struct', 'array'] as const)
      expect(matchValue(kinded(k), { type: 'ref.eq' }, refs)).toBe(true);
    expect(matchValue(kinded('host'), { type: 'ref.eq' }, refs)).toBe(false);
    expect(matchValue(kinded('host'), { type: 'ref.any' }, refs)).toBe(true);
    expect(matchValue(kinded('func'), { type: 'ref.any' }, refs)).toBe(false);
    expect(matchValue(null, { type: 'ref.any' }, refs)).toBe(false);
  });
  test('a refKind that throws is a mismatch, not a crash', () => {
    const throwing: RefOracle = {
      refKind: () => {
        throw new TypeError('not a reference');
      },
      hostRef: refs.hostRef,
    };
    expect(matchValue(5, { type: 'ref.func' }, throwing)).toBe(false);
  });
});

describe('either and result lists', () => {
  const either: WastExpected = {
    type: 'either',
    options: [
      { type: 'i32', value: 1 },
      { type: 'f32', nan: 'canonical' },
    ],
  };
  test('either matches if any option matches', () => {
    expect(matchValue(1, either, refs)).toBe(true);
    expect(matchValue(f32(0x7fc00000), either, refs)).toBe(true);
    expect(matchValue(2, either, refs)).toBe(false);
  });
  test('matchResults reports count mismatches and the first wrong value', () => {
    expect(
      matchResults(
        [1, 2n],
        [
          { type: 'i32', value: 1 },
          { type: 'i64', value: 2n },
        ],
        refs,
      ),
    ).toBeUndefined();
    expect(matchResults([1], [], refs)).toMatch(/expected 0 result\(s\), got 1/);
    const msg = matchResults(
      [1, 3n],
      [
        { type: 'i32', value: 1 },
        { type: 'i64', value: 2n },
      ],
      refs,
    );
    expect(msg).toMatch(/result 1: expected \(i64\.const 2\), got 3n/);
  });
});
