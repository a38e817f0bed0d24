// The constant-expression evaluator on ConstOps as both instantiation paths carry them.

import { constOps } from '../module-info';
import { evalConstExpr, type ConstEnv } from './const-expr';
import type { ConstOps } from './module';
import { f32ToBits } from './values';

const f = (): number => 0;
const env: ConstEnv = { funcs: [f], globals: [{ getInternal: () => 40 }, { getInternal: () => 2n }], canon: [] };
const run = (ops: ConstOps): unknown => evalConstExpr(ops, env);

test('numbers: int32 and int64 arithmetic wraps, as extended-const requires', () => {
  expect(run([['i32.const', 0x7fffffff], ['i32.const', 1], ['i32.add']])).toBe(-0x80000000);
  expect(run([['global.get', 0], ['i32.const', 3], ['i32.mul'], ['i32.const', 20], ['i32.sub']])).toBe(100);
  expect(run([['i64.const', 0x7fffffffffffffffn], ['global.get', 1], ['i64.add']])).toBe(-0x7fffffffffffffffn);
  expect(run([['i64.const', -1n], ['i64.const', 3n], ['i64.mul']])).toBe(-3n);
});

test('floats keep their bits; v128 is a fresh Int32Array', () => {
  const snan = 0x7fa00001;
  expect(f32ToBits(run([['f32.const', snan]]) as number)).toBe(snan);
  expect(Object.is(run([['f64.const', 0x8000000000000000n]]), -0)).toBe(true);
  const bytes = Uint8Array.from({ length: 16 }, (_, i) => i);
  const v = run([['v128.const', bytes]]) as Int32Array;
  expect(Array.from(v)).toEqual([0x03020100, 0x07060504, 0x0b0a0908, 0x0f0e0d0c]);
  expect(v.buffer).not.toBe(bytes.buffer);
});

test('references: ref.null, ref.func, ref.i31', () => {
  expect(run([['ref.null']])).toBeNull();
  expect(run([['ref.func', 0]])).toBe(f);
  expect(run([['i32.const', 0x7fffffff], ['ref.i31']])).toBe(-1);
});

test('an unknown instruction is an internal error, not a trap', () => {
  expect(() => run([['nop']])).toThrow('unsupported constant instruction nop');
});

test('one-instruction expressions (segment offsets, element functions) read as the general form', () => {
  // constOps and evalConstExpr take `i32.const n` and `ref.func x` alone without their
  // general loops; with anything after them, the loops run.
  expect(constOps([{ op: 0x41, value: -7 }])).toEqual([['i32.const', -7]]);
  expect(constOps([{ op: 0xd2, idx: 0 }])).toEqual([['ref.func', 0]]);
  expect(constOps([{ op: 0x41, value: 2 }, { op: 0x41, value: 3 }, { op: 0x6a }])).toEqual([
    ['i32.const', 2],
    ['i32.const', 3],
    ['i32.add'],
  ]);
  expect(constOps([{ op: 0x23, idx: 1 }])).toEqual([['global.get', 1]]);
  expect(run(constOps([{ op: 0x41, value: -7 }]))).toBe(-7);
  expect(run(constOps([{ op: 0xd2, idx: 0 }]))).toBe(f);
  expect(run([['i32.const', 5], ['ref.i31']])).toBe(5);
  expect(run(constOps([{ op: 0x23, idx: 0 }]))).toBe(40);
});
