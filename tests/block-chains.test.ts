// Deep runs of nested blocks (compiler/translate/func.ts block chains): a br_table dispatch
// over thousands of blocks, as Go's compiler emits, translates into code V8 parses at the
// default stack size and computes what native WebAssembly computes.

import { Engine, Module, Store, Linker } from '../index';
import { uleb } from './support/leb';

/**
 * `run(x)`: n blocks, each opened first thing in the one before; innermost a br_table over
 * all of them indexed by x; after each block's end a step folding its depth into an
 * accumulator, and every fifth step a br_if (on x's low bit) out of the block two further
 * out, skipping steps. With `typed`, every block yields an i32 that carries the
 * accumulator instead of a local.
 */
function chainModule(n: number, typed: boolean, spaced = false): Uint8Array {
  const body: number[] = [0x01, 0x01, 0x7f]; // one i32 local (the accumulator)
  // spaced: a nop before each inner block, so no two blocks open back to back (no chain).
  for (let k = 0; k < n; k++) body.push(...(spaced && k > 0 ? [0x01] : []), 0x02, typed ? 0x7f : 0x40);
  if (typed) body.push(0x41, ...sleb(1)); // the value the br_table carries
  body.push(0x20, 0x00, 0x0e, ...uleb(n));
  for (let k = 0; k < n; k++) body.push(...uleb(k));
  body.push(...uleb(n - 1));
  for (let k = n; k >= 1; k--) {
    body.push(0x0b); // end of block k (1 is the outermost)
    const step = [0x41, ...sleb(7), 0x6c, 0x41, ...sleb(k), 0x6a]; // acc * 7 + k
    if (typed) body.push(...step);
    else body.push(0x20, 0x01, ...step, 0x21, 0x01);
    // (br_if 2 (i32.and (local.get 0) (i32.const 1))); typed, the accumulator goes along.
    if (k % 5 === 0 && k >= 4) body.push(0x20, 0x00, 0x41, 0x01, 0x71, 0x0d, 0x02);
  }
  if (!typed) body.push(0x20, 0x01);
  body.push(0x0b);
  const code = [0x01, ...uleb(body.length), ...body];
  const exportName = [...'run'].map((c) => c.charCodeAt(0));
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    1,
    0,
    0,
    0,
    0x01,
    0x06,
    0x01,
    0x60,
    0x01,
    0x7f,
    0x01,
    0x7f, // type 0: [i32] -> [i32]
    0x03,
    0x02,
    0x01,
    0x00,
    0x07,
    0x07,
    0x01,
    0x03,
    ...exportName,
    0x00,
    0x00,
    0x0a,
    ...uleb(code.length),
    ...code,
  ]);
}

function sleb(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const native = (globalThis as { WebAssembly?: typeof WebAssembly }).WebAssembly;

function nativeRun(bytes: Uint8Array, xs: number[]): number[] {
  const inst = new native!.Instance(new native!.Module(bytes as BufferSource), {});
  const run = inst.exports.run as (x: number) => number;
  return xs.map((x) => run(x));
}

const CONFIGS = [
  { compilation: 'lazy' as const, codegen: 'jit' as const },
  { compilation: 'eager' as const, codegen: 'jit' as const },
  { compilation: 'lazy' as const, codegen: 'interpreter' as const },
];

describe.each([false, true])('block chains (typed blocks: %s)', (typed) => {
  test.each([15, 16, 399, 400, 1_000, 20_000])('%i nested blocks under a br_table run as native runs them', (n) => {
    const bytes = chainModule(n, typed);
    const xs = [0, 1, 2, 3, 4, 5, 9, 10, 11, n >> 1, (n >> 1) + 1, n - 2, n - 1, n, n + 5, -1];
    const want = native ? nativeRun(bytes, xs) : null;
    for (const config of CONFIGS) {
      const engine = new Engine(config);
      const m = Module.fromBinary(engine, bytes);
      const run = new Linker(engine).instantiate(new Store(engine), m).getFunc('run')!;
      const got = xs.map((x) => run.call(x)[0]);
      if (want) expect(got).toEqual(want);
      // Distinct entries reach distinct code: the dispatch is not collapsed.
      expect(new Set(got).size).toBeGreaterThan(3);
    }
  });
});

test('1,000 nested blocks that form no chain translate on first call, even from deep recursion', () => {
  const n = 1_000;
  const bytes = chainModule(n, false, true);
  const xs = [0, 1, 7, n >> 1, n - 1, n + 3];
  const want = native ? nativeRun(bytes, xs) : null;
  const engine = new Engine({ compilation: 'lazy' });
  const module = Module.fromBinary(engine, bytes);
  const run = new Linker(engine).instantiate(new Store(engine), module).getFunc('run')!;
  // The first call, which translates and parses the function, comes from deep in the JS stack.
  const deep = (d: number): number => (d === 0 ? (run.call(xs[0])[0] as number) : deep(d - 1));
  const first = deep(5_000);
  const got = [first, ...xs.slice(1).map((x) => run.call(x)[0])];
  if (want) expect(got).toEqual(want);
  expect(new Set(got).size).toBeGreaterThan(3);
});
