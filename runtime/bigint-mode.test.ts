// BigInt mode (compiler/translate/i64.ts): 'interpreter' code that carries i64 values as
// BigInts must compute exactly what word pairs compute, at every boundary where the two meet
// (parameters, results, calls, globals, memory, blocks), and is chosen per function.
import { parseWat } from '../compiler/text';
import { Engine, Store, Module, Instance, Func, Memory } from './index';
import { codeSettings, settingsKey } from './cache/settings';
import { i64LoweringFor } from './optlimit';
import { hostPrefersBigInt, probePrefersBigInt } from './jit-probe';

const BINARY = ['add', 'sub', 'mul', 'and', 'or', 'xor', 'shl', 'shr_s', 'shr_u', 'rotl', 'rotr', 'div_u', 'rem_s'];
const COMPARE = ['eq', 'ne', 'lt_s', 'lt_u', 'gt_s', 'gt_u', 'le_s', 'le_u', 'ge_s', 'ge_u'];
const UNARY = ['clz', 'ctz', 'popcnt', 'extend8_s', 'extend16_s', 'extend32_s'];
// Constant operands of each shape BigInt mode folds (literal shift counts of 0, 63, 64 + 5).
const CONSTS = ['0', '63', '69', '-1', '0x8000000000000000', '0xffffffff'];

const CHAINS = [
  '(i64.shr_u (i64.sub (local.get 0) (local.get 1)) (i64.const 1))',
  '(i64.extend_i32_u (i64.lt_u (i64.sub (local.get 0) (local.get 1)) (local.get 1)))',
  '(i64.shr_s (i64.add (local.get 0) (local.get 1)) (i64.const 3))',
  '(i64.div_u (i64.mul (local.get 0) (local.get 1)) (i64.or (local.get 1) (i64.const 1)))',
  '(i64.rotr (i64.shl (local.get 0) (local.get 1)) (i64.sub (local.get 0) (local.get 1)))',
  '(i64.extend_i32_s (i64.gt_s (i64.xor (local.get 0) (local.get 1)) (i64.mul (local.get 1) (local.get 1))))',
  // Unreduced results (a sum, product, shift or rotate left for its consumer to reduce) where
  // they meet select, eqz, a block's result, wrap, memory and locals.
  '(select (i64.mul (local.get 0) (local.get 1)) (i64.sub (local.get 0) (local.get 1)) (i32.wrap_i64 (local.get 0)))',
  '(i64.extend_i32_u (i64.eqz (i64.sub (local.get 0) (local.get 0))))',
  `(block (result i64) (br_if 0 (i64.add (local.get 0) (local.get 1)) (i64.lt_u (local.get 0) (local.get 1)))
     (drop) (i64.mul (local.get 0) (local.get 0)))`,
  '(i64.extend_i32_s (i32.wrap_i64 (i64.mul (local.get 0) (i64.shl (local.get 1) (i64.const 7)))))',
  '(i64.mul (i64.mul (i64.mul (local.get 0) (local.get 1)) (local.get 0)) (i64.rotl (local.get 1) (i64.const 13)))',
  '(i64.store (i32.const 0) (i64.sub (local.get 1) (local.get 0))) (i64.load (i32.const 0))',
  '(local.set 1 (i64.add (local.get 0) (local.get 1))) (i64.shr_u (local.get 1) (i64.const 60))',
  '(i64.or (i64.rotr (local.get 0) (i64.const 1)) (i64.and (i64.shl (local.get 1) (i64.const 63)) (local.get 0)))',
];

const WAT = `(module
  (memory 1)
  (global $g (mut i64) (i64.const -2))
  ${BINARY.map((op) => `(func (export "${op}") (param i64 i64) (result i64) (i64.${op} (local.get 0) (local.get 1)))`).join('\n')}
  ${BINARY.filter((op) => !op.startsWith('div') && !op.startsWith('rem'))
    .flatMap((op, i) =>
      CONSTS.map(
        (c, j) =>
          `(func (export "${op}_c${i}_${j}") (param i64) (result i64) (i64.${op} (local.get 0) (i64.const ${c})))`,
      ),
    )
    .join('\n')}
  ${COMPARE.map((op) => `(func (export "${op}") (param i64 i64) (result i32) (i64.${op} (local.get 0) (local.get 1)))`).join('\n')}
  ${COMPARE.map((op) => `(func (export "${op}_c") (param i64) (result i32) (i64.${op} (local.get 0) (i64.const -5)))`).join('\n')}
  ${UNARY.map((op) => `(func (export "${op}") (param i64) (result i64) (i64.${op} (local.get 0)))`).join('\n')}
  ;; Chains: a result feeds an operator that reads all 64 bits unsigned or signed.
  ${CHAINS.map((c, i) => `(func (export "chain${i}") (param i64 i64) (result i64) ${c})`).join('\n')}
  (func (export "eqz") (param i64) (result i32) (i64.eqz (local.get 0)))
  (func (export "wrap") (param i64) (result i32) (i32.wrap_i64 (local.get 0)))
  (func (export "extend_s") (param i32) (result i64) (i64.extend_i32_s (local.get 0)))
  (func (export "extend_u") (param i32) (result i64) (i64.extend_i32_u (local.get 0)))
  (func (export "to_f64") (param i64) (result f64) (f64.convert_i64_u (local.get 0)))
  ;; Memory: a full store and load, and the narrower forms through word pairs.
  (func (export "mem") (param i64 i32) (result i64)
    (i64.store offset=8 (local.get 1) (local.get 0))
    (i64.add (i64.load offset=8 (local.get 1)) (i64.load32_s offset=12 (local.get 1))))
  (func (export "mem_oob") (param i64) (i64.store (i32.const 65530) (local.get 0)))
  ;; Globals, select, blocks with i64 results and branches carrying them, local.tee.
  (func (export "mix") (param i64 i64 i32) (result i64) (local i64)
    (global.set $g (i64.mul (global.get $g) (local.get 0)))
    (local.set 3
      (block (result i64)
        (drop (br_if 0 (i64.xor (local.get 1) (i64.const 7)) (i32.eqz (local.get 2))))
        (select (local.get 0) (local.tee 3 (local.get 1)) (local.get 2))))
    (i64.add (local.get 3) (global.get $g)))
  ;; Calls: i64 arguments and results, two i64 results, through a table as well.
  (type $two (func (param i64 i64) (result i64 i64)))
  (func $swap (type $two) (local.get 1) (i64.mul (local.get 0) (i64.const 3)))
  (table 1 funcref) (elem (i32.const 0) $swap)
  (func (export "calls") (param i64 i64) (result i64)
    (call $swap (local.get 0) (local.get 1))
    (call_indirect (type $two) (i32.const 0))
    (i64.sub))
  ;; A loop of multiply-adds, the kind of function the mode is for.
  (func (export "hash") (param i64 i32) (result i64) (local i64)
    (local.set 2 (local.get 0))
    (loop $l
      (local.set 2 (i64.rotl (i64.add (i64.mul (local.get 2) (i64.const 0x9e3779b97f4a7c15)) (local.get 0)) (i64.const 31)))
      (br_if $l (local.tee 1 (i32.sub (local.get 1) (i32.const 1)))))
    (local.get 2))
  (func (export "g") (result i64) (global.get $g)))`;

const VALUES = [
  0n,
  1n,
  -1n,
  5n,
  63n,
  64n,
  -(2n ** 63n),
  2n ** 63n - 1n,
  2n ** 32n,
  0xffffffffn,
  0x8000000000000001n - 2n ** 64n,
  0x123456789abcdefn,
  -0x76543210fedcban,
];

function instance(i64: 'pairs' | 'bigint-always' | undefined, codegen: 'jit' | 'interpreter'): Instance {
  const engine = new Engine({ codegen, i64 });
  return Instance.instantiate(new Store(engine), Module.fromBinary(engine, parseWat(WAT)), []);
}

/** Every export's results on VALUES (or the error it throws), as comparable strings. */
function results(inst: Instance): string[] {
  const out: string[] = [];
  const run = (name: string, ...args: unknown[]): void => {
    try {
      out.push(`${name}(${args.join(',')}) = ${(inst.getExport(name) as Func).call(...args).join(',')}`);
    } catch (e) {
      out.push(`${name}(${args.join(',')}) throws ${(e as Error).message}`);
    }
  };
  for (const a of VALUES) {
    for (const b of VALUES) {
      for (const op of [...BINARY, ...COMPARE]) run(op, a, b);
      run('mix', a, b, 0);
      run('mix', a, b, 1);
      run('calls', a, b);
      for (let i = 0; i < CHAINS.length; i++) run(`chain${i}`, a, b);
    }
    for (let i = 0; i < BINARY.length - 2; i++)
      for (let j = 0; j < CONSTS.length; j++) run(`${BINARY[i]}_c${i}_${j}`, a);
    for (const op of [...UNARY, 'eqz', 'wrap', 'to_f64', ...COMPARE.map((c) => `${c}_c`)]) run(op, a);
    run('mem', a, 100);
    run('mem', a, 65528);
    run('mem_oob', a);
    run('hash', a, 1000);
  }
  for (const x of [0, 1, -1, 0x7fffffff, -0x80000000]) {
    run('extend_s', x);
    run('extend_u', x);
  }
  out.push(`g = ${(inst.getExport('g') as Func).call().join(',')}`);
  return out;
}

describe('BigInt mode for i64', () => {
  test('computes what word pairs and the JIT profile compute, traps included', () => {
    const expected = results(instance(undefined, 'jit'));
    expect(results(instance('pairs', 'interpreter'))).toEqual(expected);
    expect(results(instance('bigint-always', 'interpreter'))).toEqual(expected);
    expect(expected.some((r) => r.includes('throws') && r.includes('out of bounds'))).toBe(true);
    expect(expected.some((r) => r.includes('throws') && r.includes('divide by zero'))).toBe(true);
  });

  test('is what translates the functions under test', () => {
    const engine = new Engine({ codegen: 'interpreter', i64: 'bigint-always' });
    const m = Module.fromBinary(engine, parseWat(WAT));
    const src = m.code.lazySource!;
    // Defined function 0 is "add": one BigInt sum, masked, from parameters joined at entry.
    expect(src(0).body).toContain('(l0 + l1) & 18446744073709551615n');
    expect(src(0).bindings).toEqual(expect.arrayContaining(['big', 'num']));
  });

  test("'bigint' keeps word pairs where conversions would outweigh BigInt operators", () => {
    const engine = new Engine({ codegen: 'interpreter', i64: 'bigint' });
    const bytes = parseWat(`(module (memory (export "memory") 1)
      (func (export "rounds") (param i32 i32) (result i64) (local i64)
        (loop $l
          (local.set 2 (i64.mul (i64.rotl (i64.add (local.get 2) (i64.mul (i64.load (local.get 0))
            (i64.const 0xc2b2ae3d27d4eb4f))) (i64.const 31)) (i64.const 0x9e3779b185ebca87)))
          (local.set 0 (i32.add (local.get 0) (i32.const 8)))
          (br_if $l (local.tee 1 (i32.sub (local.get 1) (i32.const 1)))))
        (local.get 2))
      (func (export "once") (param i64 i64) (result i64)
        (i64.add (i64.mul (local.get 0) (local.get 1)) (i64.mul (local.get 1) (local.get 1))))
      (func (export "bits") (param i64 i64) (result i64)
        (i64.xor (i64.rotl (local.get 0) (i64.const 7)) (i64.and (local.get 1) (local.get 0))))
      (func (export "thrower") (param i64) (result i64)
        (block $h (try_table (catch_all $h) (throw $e)))
        (i64.mul (local.get 0) (local.get 0)))
      (tag $e))`);
    const m = Module.fromBinary(engine, bytes);
    const src = m.code.lazySource!;
    expect(src(0).body).toContain('getBigUint64');
    // Multiplies that run once per call do not pay for the conversions.
    expect(src(1).body).toContain('imul(');
    expect(src(2).body).not.toContain('18446744073709551615n');
    // Exceptions are outside the mode: that function is word pairs whatever its balance.
    expect(src(3).body).toContain('imul(');
    const inst = Instance.instantiate(new Store(engine), m, []);
    expect((inst.getExport('bits') as Func).call(-1n, 0x0f0fn)).toEqual([-0x0f10n]);
    expect((inst.getExport('once') as Func).call(3n, -2n)).toEqual([-2n]);
    const data = new Uint8Array((inst.getExport('memory') as Memory).buffer);
    data.set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    const viaBigInt = (inst.getExport('rounds') as Func).call(0, 2);
    const pairsEngine = new Engine({ codegen: 'interpreter', i64: 'pairs' });
    const viaPairs = Instance.instantiate(new Store(pairsEngine), Module.fromBinary(pairsEngine, bytes), []);
    new Uint8Array((viaPairs.getExport('memory') as Memory).buffer).set(data.subarray(0, 16));
    expect((viaPairs.getExport('rounds') as Func).call(0, 2)).toEqual(viaBigInt);
    expect((inst.getExport('thrower') as Func).call(3n)).toEqual([9n]);
  });

  test('i64 globals read and written by BigInt-mode code stay word pairs outside', () => {
    const inst = instance('bigint-always', 'interpreter');
    (inst.getExport('mix') as Func).call(3n, 4n, 1);
    expect((inst.getExport('g') as Func).call()).toEqual([-6n]);
  });

  test('is chosen by the engine option, then JETWASM_I64, then the host', () => {
    expect(i64LoweringFor({ codegen: 'jit', i64: 'bigint' })).toBe('pairs');
    expect(i64LoweringFor({ codegen: 'interpreter', i64: 'bigint' })).toBe('bigint');
    expect(i64LoweringFor({ codegen: 'interpreter', i64: 'pairs' })).toBe('pairs');
    const saved = process.env.JETWASM_I64;
    try {
      process.env.JETWASM_I64 = 'bigint-always';
      expect(i64LoweringFor({ codegen: 'interpreter' })).toBe('bigint-always');
      expect(i64LoweringFor({ codegen: 'interpreter', i64: 'pairs' })).toBe('pairs');
      delete process.env.JETWASM_I64;
      // This host has a JIT: the probe is not consulted and word pairs stay.
      expect(i64LoweringFor({ codegen: 'interpreter' })).toBe('pairs');
    } finally {
      if (saved === undefined) delete process.env.JETWASM_I64;
      else process.env.JETWASM_I64 = saved;
    }
  });

  test('is part of the settings that key compiled code', () => {
    const pairs = codeSettings(new Engine({ codegen: 'interpreter', i64: 'pairs' }));
    const big = codeSettings(new Engine({ codegen: 'interpreter', i64: 'bigint' }));
    expect(pairs.i64).toBeUndefined();
    expect(big.i64).toBe('bigint');
    expect(settingsKey(big)).not.toBe(settingsKey(pairs));
  });

  test('the host probe answers once', () => {
    expect(typeof probePrefersBigInt(200)).toBe('boolean');
    expect(hostPrefersBigInt()).toBe(hostPrefersBigInt());
  });
});
