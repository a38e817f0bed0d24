// Outlining of large functions into nested regions (compiler/translate/outline.ts), forced
// on small functions by lowering the limits: results, traps and exceptions must not change.
import { parseWat } from '../compiler/text';
import { outlineLimits } from '../compiler/translate/outline';
import { Engine, Store, Module, Instance, Func } from './index';

const WAT = `(module
  (memory 1)
  (tag $e (param i32))
  (func $loop (export "loop") (param i32) (result i32) (local i32)
    (block $b (loop $l
      (local.set 1 (i32.add (local.get 1) (local.get 0)))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br_if $b (i32.eqz (local.get 0)))
      (local.set 1 (i32.xor (local.get 1) (i32.const 12345)))
      (local.set 1 (i32.mul (local.get 1) (i32.const 3)))
      (br $l)))
    (local.get 1))
  (func (export "table") (param i32) (result i64)
    (block $d (block $c (block $b (block $a
      (br_table $a $b $c $d (local.get 0)))
      (return (i64.const 10)))
      (i64.store (i32.const 8) (i64.const 0x1234567890))
      (return (i64.load (i32.const 8))))
      (return (i64.mul (i64.extend_i32_u (local.get 0)) (i64.const 0x100000001))))
    (i64.const -1))
  (func (export "trap") (param i32) (result i32)
    (i32.store (i32.const 0) (i32.const 7))
    (drop (i32.load (local.get 0)))
    (i32.load (i32.const 0)))
  (func (export "exn") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (if (local.get 0) (then (throw $e (i32.add (local.get 0) (i32.const 1)))))
        (return (i32.const 100)))
      (unreachable)))
  (func $fact (export "fact") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0)) (then (i64.const 1))
      (else (return_call $acc (local.get 0) (i64.const 1)))))
  (func $acc (param i64 i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0)) (then (local.get 1))
      (else (return_call $acc (i64.sub (local.get 0) (i64.const 1)) (i64.mul (local.get 0) (local.get 1)))))))`;

function run(outline: boolean): unknown[] {
  const saved = { ...outlineLimits };
  if (outline) Object.assign(outlineLimits, { threshold: 0, target: 60, min: 1 });
  try {
    const engine = new Engine({ compilation: 'eager' });
    const m = Module.fromBinary(engine, parseWat(WAT));
    if (outline) expect(m.code.source).toContain('function R0()');
    else expect(m.code.source).not.toContain('function R0()');
    const inst = Instance.instantiate(new Store(engine), m, []);
    const f = (n: string): Func => inst.getExport(n) as Func;
    const r: unknown[] = [];
    for (const n of [1, 5, 1000]) r.push(f('loop').call(n));
    for (const n of [0, 1, 2, 3, 9]) r.push(f('table').call(n));
    r.push(f('trap').call(4));
    try {
      f('trap').call(65535);
      r.push('no trap');
    } catch (e) {
      r.push((e as Error).message);
    }
    r.push(f('exn').call(0), f('exn').call(41));
    r.push(f('fact').call(20n));
    return r;
  } finally {
    Object.assign(outlineLimits, saved);
  }
}

test('outlined functions behave exactly like the original ones', () => {
  const plain = run(false);
  expect(plain).toContain('out of bounds memory access');
  expect(run(true)).toEqual(plain);
});
