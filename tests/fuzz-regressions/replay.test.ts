// Every reproducer in this folder is a bug the differential fuzzer found and that is fixed:
// jetwasm must now observe exactly what Node's native engine recorded. Unfixed ones live in
// open/ and are replayed here only to report their state, not asserted.

import * as path from 'path';
import { parseWat } from '../../compiler/text';
import { moduleInfo, observeNative, planCalls } from '../../fuzz/observe';
import { loadReproducers, replay, type Reproducer } from './replay';

const fixed = loadReproducers(__dirname);
const open = loadReproducers(path.join(__dirname, 'open'));

test('fixed reproducers match the recorded native observations', () => {
  const failures = fixed.map((r) => ({ file: r.file, difference: replay(r) })).filter((x) => x.difference !== null);
  expect(failures).toEqual([]);
});

test('each reproducer file is complete', () => {
  for (const r of [...fixed, ...open]) {
    expect(r.bytes.length).toBeGreaterThan(8);
    expect(Number.isInteger(r.planSeed)).toBe(true);
    expect(typeof r.native.instantiate).toBe('string');
  }
});

test('open reproducers are reported, not asserted', () => {
  const stillOpen = open.filter((r) => {
    try { return replay(r) !== null; } catch { return true; }
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
  const altered = { ...native, calls: native.calls.map((c, i) => (i === 0 ? { ...c, logs: [...c.logs, 'log:i32:1'] } : c)) };
  expect(replay({ ...r, native: altered })).not.toBeNull();
  expect(replay({ ...r, native: { ...native, memory: 'none' } })).not.toBeNull();
});
