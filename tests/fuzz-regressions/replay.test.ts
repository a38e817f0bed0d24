// Every reproducer in this folder is a bug the differential fuzzer found and that is fixed:
// jetwasm must now observe exactly what the oracle recorded (Node's native engine, or
// binaryen's interpreter log). Unfixed ones live in open/ and are replayed here only to
// report their state, not asserted.

import * as path from 'path';
import { parseWat } from '../../compiler/text';
import { ALL_FEATURES, fuzzExec, loadWasmOpt } from '../../fuzz/binaryen';
import { moduleInfo, observeNative, planCalls } from '../../fuzz/observe';
import { loadReproducers, replay, type Reproducer } from './replay';

const fixed = loadReproducers(__dirname);
const open = loadReproducers(path.join(__dirname, 'open'));

test('fixed reproducers match the recorded oracle observations', () => {
  const failures = fixed.map((r) => ({ file: r.file, difference: replay(r) })).filter((x) => x.difference !== null);
  expect(failures).toEqual([]);
});

test('each reproducer file is complete', () => {
  for (const r of [...fixed, ...open]) {
    expect(r.bytes.length).toBeGreaterThan(8);
    if (r.oracle === 'binaryen') {
      expect(r.expectedLog.length).toBeGreaterThan(0);
      expect(r.expectedLog.every((l) => typeof l === 'string')).toBe(true);
    } else {
      expect(Number.isInteger(r.planSeed)).toBe(true);
      expect(typeof r.native.instantiate).toBe('string');
    }
  }
});

test('open reproducers are reported, not asserted', () => {
  const stillOpen = open.filter((r) => {
    try {
      return replay(r) !== null;
    } catch {
      return true;
    }
  });
  if (stillOpen.length > 0) {
    console.log(`open fuzz reproducers still diverging: ${stillOpen.map((r) => r.file).join(', ')}`);
  }
  expect(stillOpen.length).toBeLessThanOrEqual(open.length);
});

test('replay compares against the recorded observations and notices a difference', () => {
  const bytes = parseWat(`(module
    (import "fuzzing-support" "log-i32" (func $log (param i32)))
    (import "fuzzing-support" "log-f64" (func $logf (param f64)))
    (memory (export "__fuzz_memory") 1)
    (global (export "g") (mut i64) (i64.const 7))
    (func (export "div") (param i32 i32) (result i32)
      (call $log (local.get 0))
      (call $logf (f64.div (f64.const 0) (f64.const 0)))
      (i32.store (i32.const 8) (local.get 1))
      (global.set 0 (i64.extend_i32_s (local.get 1)))
      (i32.div_s (local.get 0) (local.get 1)))
    (func (export "trunc") (param f64) (result i32) (i32.trunc_f64_s (local.get 0))))`);
  const m = moduleInfo(bytes);
  const planSeed = 12345;
  const native = observeNative(bytes, m, planCalls(m, planSeed));
  expect(native.calls.length).toBe(4);
  const r: Reproducer = { file: 'inline', bytes, planSeed, native };
  expect(replay(r)).toBeNull();
  const altered = {
    ...native,
    calls: native.calls.map((c, i) => (i === 0 ? { ...c, logs: [...c.logs, 'log:i32:1'] } : c)),
  };
  expect(replay({ ...r, native: altered })).not.toBeNull();
  expect(replay({ ...r, native: { ...native, memory: 'none' } })).not.toBeNull();
});

test('binaryen-oracle replay compares with the recorded fuzz-exec log', async () => {
  const bytes = parseWat(`(module
    (import "fuzzing-support" "log-i32" (func $log (param i32)))
    (import "fuzzing-support" "log-i64" (func $log64 (param i64)))
    (import "fuzzing-support" "throw" (func $throw (param i32)))
    (import "fuzzing-support" "call-export-catch" (func $catch (param i32) (result i32)))
    (import "fuzzing-support" "wasmtag" (tag $wasmtag (param i32)))
    (tag $t (param f64))
    (global (export "g") i64 (i64.const -5))
    (func (export "f") (result f64 i32)
      (call $log64 (i64.const 0x1234567887654321))
      (call $log (call $catch (i32.const 3)))
      (f64.div (f64.const 1) (f64.const 3)) (i32.const 7))
    (func (export "nan") (result f32) (f32.div (f32.const 0) (f32.const 0)))
    (func (export "trap") (param i64 v128) (i32.div_s (i32.const 1) (i32.const 0)) (drop))
    (func (export "boom") (call $throw (i32.const 9)))
    (func (export "own") (throw $t (f64.const -0.5))))`);
  const w = await loadWasmOpt();
  const expectedLog = fuzzExec(w, bytes, ALL_FEATURES)!;
  expect(expectedLog).toContain('[exception thrown: imported-wasm-tag 9]');
  expect(expectedLog).toContain('[exception thrown: tag$0 -0.5]');
  const r: Reproducer = { oracle: 'binaryen', file: 'inline', bytes, expectedLog };
  expect(replay(r)).toBeNull();
  // The trap messages are each engine's own; a changed value is a difference.
  const altered = expectedLog.map((l) => l.replace('-0.5', '0.5'));
  expect(replay({ ...r, expectedLog: altered })).not.toBeNull();
  expect(replay({ ...r, expectedLog: expectedLog.slice(0, -1) })).not.toBeNull();
}, 60_000);
