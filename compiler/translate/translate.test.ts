import { parseWat } from '../text';
import { decodeModule } from '../binary';
import { validateModuleInfo } from '../validate';
import { VMOffsets } from '../../vmctx';
import { translateModuleSource, HELPER_NAMES } from './index';

function source(wat: string): string {
  const m = decodeModule(parseWat(wat));
  const { canon } = validateModuleInfo(m);
  return translateModuleSource(m, new VMOffsets(m), canon);
}

describe('FuncTranslator', () => {
  test('generated code is strict mode and parses', () => {
    const src = source(`(module (memory 1) (table 2 funcref) (global (mut f32) (f32.const nan:0x200000))
      (func (param i32) (result i32)
        (block (result i32) (block (result i32)
          (br_table 0 1 1 (local.get 0) (local.get 0)))))
      (func (param i64 i64) (result i64) (i64.rem_u (local.get 0) (local.get 1)))
      (func (param i32) (result f64 i32) (f64.load offset=8 (local.get 0)) (i32.const 2)))`);
    expect(src.startsWith('"use strict";')).toBe(true);
    expect(() => new Function('vm', 'H', src)).not.toThrow();
  });

  test('nothing from the module reaches the source', () => {
    const evil = 'x"); globalThis.pwned = 1; ("';
    const src = source(`(module (func $${'evil_name'} (export ${JSON.stringify(evil)}) (result i32) (i32.const 1))
      (@custom "secret-section" "payload"))`);
    expect(src).not.toContain('pwned');
    expect(src).not.toContain('evil_name');
    expect(src).not.toContain('secret-section');
  });

  test('pure operands are folded into single expressions', () => {
    const src = source(`(module (func (param i32 i32) (result i32)
      (i32.add (i32.mul (local.get 0) (local.get 1)) (i32.const 3))))`);
    expect(src).toContain('return (Math.imul(l0, l1) + 3 | 0);');
  });

  test('a local write forces pending reads of that local first', () => {
    const src = source(`(module (func (param i32) (result i32)
      (local.get 0) (local.set 0 (i32.const 5))))`);
    // The old value must be captured before the write.
    expect(src.indexOf('s0 = l0;')).toBeGreaterThan(-1);
    expect(src.indexOf('s0 = l0;')).toBeLessThan(src.indexOf('l0 = 5;'));
  });

  test('signalling NaN constants go through the constant pool, decoded by helpers', () => {
    const src = source('(module (func (result f64) (f64.const nan:0x4000000000000)))');
    expect(src).toMatch(/var K0 = f64FromBits\(0x7ff4000000000000n\);/);
  });

  test('functions with return_call are trampolined, others are not', () => {
    const src = source(`(module
      (func $a (param i32) (result i32) (return_call $b (local.get 0)))
      (func $b (param i32) (result i32) (local.get 0)))`);
    expect(src).toContain('function f0b(l0)');
    expect(src).toContain('function f0(l0) { return runTail(f0b(l0)); }');
    expect(src).not.toContain('function f1b');
  });

  test('the prelude destructures every helper name', () => {
    const src = source('(module)');
    for (const n of HELPER_NAMES) expect(src).toContain(n);
  });
});
