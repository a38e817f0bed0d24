// The wide-arithmetic proposal's instructions (i64.add128, i64.sub128, i64.mul_wide_s,
// i64.mul_wide_u) against BigInt arithmetic, in both code-generation profiles, on operands
// chosen to reach every carry, borrow and sign case: word boundaries, extremes and random
// values. Operands come through locals and through computed expressions, so the translator's
// slots are reused for results in both orders.

import { Engine, Module, Store, Linker } from '../index';
import { parseWat } from '../compiler/text';

const WAT = `(module
  (func (export "add128") (param i64 i64 i64 i64) (result i64 i64)
    (i64.add128 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "sub128") (param i64 i64 i64 i64) (result i64 i64)
    (i64.sub128 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "mul_wide_s") (param i64 i64) (result i64 i64)
    (i64.mul_wide_s (local.get 0) (local.get 1)))
  (func (export "mul_wide_u") (param i64 i64) (result i64 i64)
    (i64.mul_wide_u (local.get 0) (local.get 1)))
  ;; Operands computed in place (xor with 0 keeps them pending expressions), and the
  ;; halves recombined by the caller: hi * 2^64 + lo.
  (func (export "mul_wide_s_expr") (param i64 i64) (result i64 i64)
    (i64.mul_wide_s (i64.xor (local.get 0) (i64.const 0)) (i64.xor (local.get 1) (i64.const 0))))
  (func (export "add128_swap") (param i64 i64 i64 i64) (result i64 i64)
    (local i64)
    (i64.add128 (local.get 2) (local.get 3) (local.get 0) (local.get 1))
    (local.set 4)
    (local.get 4)))`;

const M64 = (1n << 64n) - 1n;
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);
const split = (v: bigint): [bigint, bigint] => [s64(v & M64), s64(v >> 64n)];

function operands(): bigint[] {
  const edges = [
    0n,
    1n,
    2n,
    0x7fffffffn,
    0x80000000n,
    0xffffffffn,
    0x100000000n,
    0x7fffffffffffffffn,
    0x8000000000000000n,
    M64,
    0xffffffff00000000n,
    0x00000000ffffffffn,
  ];
  let seed = 0x2545f491n;
  const rnd = (): bigint => {
    seed = (seed * 6364136223846793005n + 1442695040888963407n) & M64;
    return seed;
  };
  const out = edges.map(s64);
  for (let i = 0; i < 40; i++) out.push(s64(rnd()));
  return out;
}

describe.each(['jit', 'interpreter'] as const)('wide arithmetic, %s profile', (codegen) => {
  const engine = new Engine({ codegen });
  const inst = new Linker(engine).instantiate(new Store(engine), Module.fromBinary(engine, parseWat(WAT)));
  const call = (name: string, ...args: bigint[]): bigint[] => inst.getFunc(name)!.call(...args) as bigint[];
  const xs = operands();

  test('i64.add128 and i64.sub128', () => {
    let checked = 0;
    for (let i = 0; i < xs.length; i++) {
      for (let j = 0; j < xs.length; j += 3) {
        const [al, ah, bl, bh] = [xs[i], xs[j], xs[(i + j) % xs.length], xs[(i * 7 + j) % xs.length]];
        const a = (u64(ah) << 64n) | u64(al);
        const b = (u64(bh) << 64n) | u64(bl);
        const sum = split(BigInt.asUintN(128, a + b));
        const diff = split(BigInt.asUintN(128, a - b));
        expect(call('add128', al, ah, bl, bh)).toEqual(sum);
        expect(call('add128_swap', bl, bh, al, ah)).toEqual(sum);
        expect(call('sub128', al, ah, bl, bh)).toEqual(diff);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(500);
  });

  test('i64.mul_wide_s and i64.mul_wide_u', () => {
    for (const a of xs) {
      for (const b of xs) {
        const signed = split(BigInt.asUintN(128, a * b));
        const unsigned = split(u64(a) * u64(b));
        expect(call('mul_wide_s', a, b)).toEqual(signed);
        expect(call('mul_wide_s_expr', a, b)).toEqual(signed);
        expect(call('mul_wide_u', a, b)).toEqual(unsigned);
      }
    }
  });
});
