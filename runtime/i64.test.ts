// The i64 lowering (word pairs in generated code) against BigInt reference semantics, on
// edge values and a deterministic pseudo-random sample, through the public Func API.
import { parseWat } from '../compiler/text';
import { Engine, Store, Module, Instance, Func } from './index';

const M64 = (1n << 64n) - 1n;
const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);

const BIN = [
  'add',
  'sub',
  'mul',
  'and',
  'or',
  'xor',
  'shl',
  'shr_s',
  'shr_u',
  'rotl',
  'rotr',
  'div_s',
  'div_u',
  'rem_s',
  'rem_u',
];
const CMP = ['eq', 'ne', 'lt_s', 'lt_u', 'gt_s', 'gt_u', 'le_s', 'le_u', 'ge_s', 'ge_u'];
const SHIFTS = [0, 1, 7, 31, 32, 33, 45, 63, 64, 65];
const CONSTS = ['0', '1', '2', '127', '0x7fffffff', '0x80000000', '0xffffffff', '-1', '0x100000000', '0x1ffffffff'];

function wat(): string {
  const fs: string[] = [];
  for (const op of BIN) {
    fs.push(`(func (export "${op}") (param i64 i64) (result i64) (i64.${op} (local.get 0) (local.get 1)))`);
    if (['shl', 'shr_s', 'shr_u', 'rotl', 'rotr'].includes(op)) {
      for (const k of SHIFTS)
        fs.push(`(func (export "${op}_${k}") (param i64) (result i64) (i64.${op} (local.get 0) (i64.const ${k})))`);
    }
  }
  for (const c of ['0x9E3779B185EBCA87', '0xC2B2AE3D27D4EB4F', '-1', '3', '0x100000000']) {
    fs.push(`(func (export "mulc${c}") (param i64) (result i64) (i64.mul (local.get 0) (i64.const ${c})))`);
  }
  for (const op of CMP)
    fs.push(`(func (export "${op}") (param i64 i64) (result i32) (i64.${op} (local.get 0) (local.get 1)))`);
  // A constant operand on either side: the translator shortens forms whose high word is 0.
  for (const op of [...CMP, 'add', 'sub']) {
    const r = CMP.includes(op) ? 'i32' : 'i64';
    CONSTS.forEach((c, k) => {
      fs.push(`(func (export "${op}_r${k}") (param i64) (result ${r}) (i64.${op} (local.get 0) (i64.const ${c})))`);
      fs.push(`(func (export "${op}_l${k}") (param i64) (result ${r}) (i64.${op} (i64.const ${c}) (local.get 0)))`);
    });
  }
  for (const op of ['clz', 'ctz', 'popcnt', 'extend8_s', 'extend16_s', 'extend32_s'])
    fs.push(`(func (export "${op}") (param i64) (result i64) (i64.${op} (local.get 0)))`);
  fs.push('(func (export "eqz") (param i64) (result i32) (i64.eqz (local.get 0)))');
  fs.push('(func (export "f64s") (param i64) (result f64) (f64.convert_i64_s (local.get 0)))');
  fs.push('(func (export "f64u") (param i64) (result f64) (f64.convert_i64_u (local.get 0)))');
  fs.push('(func (export "f32s") (param i64) (result f32) (f32.convert_i64_s (local.get 0)))');
  fs.push('(func (export "f32u") (param i64) (result f32) (f32.convert_i64_u (local.get 0)))');
  fs.push('(func (export "wrap") (param i64) (result i32) (i32.wrap_i64 (local.get 0)))');
  fs.push('(func (export "ext_s") (param i32) (result i64) (i64.extend_i32_s (local.get 0)))');
  fs.push('(func (export "ext_u") (param i32) (result i64) (i64.extend_i32_u (local.get 0)))');
  // memory, globals, multi-value and calls carry both words
  fs.push('(memory 1) (global $g (mut i64) (i64.const 0))');
  fs.push(
    '(func (export "mem") (param i64) (result i64) (i64.store offset=3 (i32.const 5) (local.get 0)) (i64.load offset=3 (i32.const 5)))',
  );
  fs.push('(func (export "glob") (param i64) (result i64) (global.set $g (local.get 0)) (global.get $g))');
  fs.push('(func $swap (param i64 i64) (result i64 i64) (local.get 1) (local.get 0))');
  fs.push('(func (export "multi") (param i64 i64) (result i64) (call $swap (local.get 0) (local.get 1)) (i64.sub))');
  return `(module ${fs.join('\n')})`;
}

function sample(): bigint[] {
  const v = [
    0n,
    1n,
    -1n,
    2n,
    -2n,
    0x7fffffffn,
    0x80000000n,
    0xffffffffn,
    0x100000000n,
    -0x80000000n,
    0x7fffffffffffffffn,
    -0x8000000000000000n,
    0x1fffffffffffffn,
    0x20000000000000n,
    -0x20000000000000n,
    0x10000000000000n,
    0xfffffffffffffn,
    0x123456789abcdefn,
    -0x123456789abcdefn,
  ];
  let x = 0x243f6a8885a308d3n;
  for (let i = 0; i < 40; i++) {
    x = u64(x * 6364136223846793005n + 1442695040888963407n);
    const shift = BigInt(i % 64);
    v.push(s64(x), s64(x >> shift));
  }
  return v;
}

function refBin(op: string, a: bigint, b: bigint): bigint | 'trap' {
  const k = u64(b) & 63n;
  switch (op) {
    case 'add':
      return s64(a + b);
    case 'sub':
      return s64(a - b);
    case 'mul':
      return s64(a * b);
    case 'and':
      return a & b;
    case 'or':
      return a | b;
    case 'xor':
      return a ^ b;
    case 'shl':
      return s64(a << k);
    case 'shr_s':
      return a >> k;
    case 'shr_u':
      return s64(u64(a) >> k);
    case 'rotl':
      return s64(((u64(a) << k) | (u64(a) >> ((64n - k) & 63n))) & M64);
    case 'rotr':
      return s64(((u64(a) >> k) | (u64(a) << ((64n - k) & 63n))) & M64);
    case 'div_s':
      return b === 0n || (a === -(1n << 63n) && b === -1n) ? 'trap' : a / b;
    case 'div_u':
      return b === 0n ? 'trap' : s64(u64(a) / u64(b));
    case 'rem_s':
      return b === 0n ? 'trap' : a % b;
    case 'rem_u':
      return b === 0n ? 'trap' : s64(u64(a) % u64(b));
  }
  throw new Error(op);
}

describe.each(['jit', 'interpreter'] as const)('i64 as word pairs (%s profile)', (codegen) => {
  const engine = new Engine({ codegen });
  const inst = Instance.instantiate(new Store(engine), Module.fromBinary(engine, parseWat(wat())), []);
  const fn = (n: string): Func => inst.getExport(n) as Func;
  const vals = sample();

  test('binary operators match BigInt semantics', () => {
    for (const op of BIN) {
      const f = fn(op);
      for (const a of vals)
        for (const b of vals.slice(0, 30)) {
          const want = refBin(op, a, b);
          if (want === 'trap') expect(() => f.call(a, b)).toThrow();
          else expect([op, a, b, f.call(a, b)[0]]).toEqual([op, a, b, want]);
        }
    }
  });

  test('division fast and slow paths agree on the full sample', () => {
    for (const op of ['div_s', 'div_u', 'rem_s', 'rem_u']) {
      const f = fn(op);
      for (const a of vals)
        for (const b of vals) {
          const want = refBin(op, a, b);
          if (want !== 'trap') expect([op, a, b, f.call(a, b)[0]]).toEqual([op, a, b, want]);
        }
    }
  });

  test('constant shifts, rotates and multipliers', () => {
    for (const op of ['shl', 'shr_s', 'shr_u', 'rotl', 'rotr']) {
      for (const k of SHIFTS) {
        const f = fn(`${op}_${k}`);
        for (const a of vals) expect([op, k, a, f.call(a)[0]]).toEqual([op, k, a, refBin(op, a, BigInt(k))]);
      }
    }
    for (const c of ['0x9E3779B185EBCA87', '0xC2B2AE3D27D4EB4F', '-1', '3', '0x100000000']) {
      const f = fn(`mulc${c}`);
      const cb = s64(BigInt(c.startsWith('-') ? c : c));
      for (const a of vals) expect(f.call(a)[0]).toBe(s64(a * cb));
    }
  });

  test('comparisons and unary operators', () => {
    const rel: Record<string, (a: bigint, b: bigint) => boolean> = {
      eq: (a, b) => a === b,
      ne: (a, b) => a !== b,
      lt_s: (a, b) => a < b,
      gt_s: (a, b) => a > b,
      le_s: (a, b) => a <= b,
      ge_s: (a, b) => a >= b,
      lt_u: (a, b) => u64(a) < u64(b),
      gt_u: (a, b) => u64(a) > u64(b),
      le_u: (a, b) => u64(a) <= u64(b),
      ge_u: (a, b) => u64(a) >= u64(b),
    };
    for (const op of CMP)
      for (const a of vals) for (const b of vals.slice(0, 25)) expect(fn(op).call(a, b)[0]).toBe(rel[op](a, b) ? 1 : 0);
    CONSTS.forEach((c, k) => {
      const v = s64(BigInt(c));
      for (const a of vals) {
        for (const op of CMP) {
          expect([op, a, c, fn(`${op}_r${k}`).call(a)[0]]).toEqual([op, a, c, rel[op](a, v) ? 1 : 0]);
          expect([op, c, a, fn(`${op}_l${k}`).call(a)[0]]).toEqual([op, c, a, rel[op](v, a) ? 1 : 0]);
        }
        for (const op of ['add', 'sub']) {
          expect([op, a, c, fn(`${op}_r${k}`).call(a)[0]]).toEqual([op, a, c, refBin(op, a, v)]);
          expect([op, c, a, fn(`${op}_l${k}`).call(a)[0]]).toEqual([op, c, a, refBin(op, v, a)]);
        }
      }
    });
    for (const a of vals) {
      const u = u64(a);
      const bits = u.toString(2).padStart(64, '0');
      expect(fn('clz').call(a)[0]).toBe(BigInt(u === 0n ? 64 : bits.indexOf('1')));
      expect(fn('ctz').call(a)[0]).toBe(BigInt(u === 0n ? 64 : 63 - bits.lastIndexOf('1')));
      expect(fn('popcnt').call(a)[0]).toBe(BigInt(bits.split('').filter((c) => c === '1').length));
      expect(fn('extend8_s').call(a)[0]).toBe(BigInt.asIntN(8, a));
      expect(fn('extend16_s').call(a)[0]).toBe(BigInt.asIntN(16, a));
      expect(fn('extend32_s').call(a)[0]).toBe(BigInt.asIntN(32, a));
      expect(fn('eqz').call(a)[0]).toBe(a === 0n ? 1 : 0);
      expect(fn('wrap').call(a)[0]).toBe(Number(BigInt.asIntN(32, a)));
    }
    for (const x of [0, 1, -1, 0x7fffffff, -0x80000000, 12345]) {
      expect(fn('ext_s').call(x)[0]).toBe(BigInt(x));
      expect(fn('ext_u').call(x)[0]).toBe(BigInt(x >>> 0));
    }
  });

  test('conversions to floats round once, exactly', () => {
    for (const a of vals) {
      expect(fn('f64s').call(a)[0]).toBe(Number(a));
      expect(fn('f64u').call(a)[0]).toBe(Number(u64(a)));
      // Reference for f32: the correctly rounded value (Number(BigInt) rounds to 53 bits
      // first, so compare against a round-to-odd construction).
      const toF32 = (v: bigint): number => {
        const neg = v < 0n;
        const m = neg ? -v : v;
        const len = m.toString(2).length;
        if (len <= 53) return Math.fround(Number(v));
        const sh = BigInt(len - 53);
        let t = m >> sh;
        if (t << sh !== m) t |= 1n;
        return Math.fround((neg ? -1 : 1) * Number(t) * 2 ** (len - 53));
      };
      expect(fn('f32s').call(a)[0]).toBe(toF32(a));
      expect(fn('f32u').call(a)[0]).toBe(toF32(u64(a)));
    }
  });

  test('memory, globals, multi-value results and calls carry both words', () => {
    for (const a of vals) {
      expect(fn('mem').call(a)[0]).toBe(a);
      expect(fn('glob').call(a)[0]).toBe(a);
      expect(fn('multi').call(a, 5n)[0]).toBe(s64(5n - a));
    }
  });

  test('host functions receive and return BigInt at the boundary', () => {
    const host = Func.fromHost(
      null,
      { kind: 'func', params: ['i64', 'i32'], results: ['i64'] },
      (a, b) => (a as bigint) * 2n + BigInt(b as number),
    );
    const m = Module.fromBinary(
      engine,
      parseWat(`(module (import "h" "f" (func $f (param i64 i32) (result i64)))
      (func (export "g") (param i64) (result i64) (i64.add (call $f (local.get 0) (i32.const 7)) (i64.const 1))))`),
    );
    const g = Instance.instantiate(new Store(engine), m, [host]).getExport('g') as Func;
    for (const a of vals) expect(g.call(a)[0]).toBe(s64(a * 2n + 8n));
  });
});
