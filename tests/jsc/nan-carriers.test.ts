// The NaN-carrier variant (vmctx/nan.ts, compiler/translate/nan.ts, runtime/vm/nan.ts) under
// V8, selected through the environment before any module of the runtime loads: the same
// code paths a host that canonicalises NaNs takes, checked where V8 can observe them. The
// shell itself (tests/jsc/jsc.test.ts) checks that the bits survive JavaScriptCore.

process.env.JETWASM_NAN_CARRIERS = '1';

import * as fs from 'fs';
import * as path from 'path';

/* eslint-disable @typescript-eslint/no-require-imports */
const { NAN_CARRIERS } = require('../../vmctx/nan') as typeof import('../../vmctx/nan');
const values = require('../../runtime/vm/values') as typeof import('../../runtime/vm/values');
const { runScriptSource } = require('../../spec-tests/runner') as typeof import('../../spec-tests/runner');
const { WebAssembly: Facade, parseWat } = require('../../index') as typeof import('../../index');
// Decided when vmctx/nan.ts loaded; nothing later in this file reads the variable.
delete process.env.JETWASM_NAN_CARRIERS;

const root = path.resolve(__dirname, '../..');
const expected = JSON.parse(fs.readFileSync(path.join(root, 'spec-tests/expected.json'), 'utf8')).files as Record<
  string,
  { passed: number; failed: number; skipped: number }
>;

test('the environment selects carriers', () => {
  expect(NAN_CARRIERS).toBe(true);
});

test('only NaNs other than the canonical one are carried, and every bit pattern round-trips', () => {
  expect(typeof values.f64FromBits(0x7ff8000000000000n)).toBe('number');
  expect(typeof values.f64FromBits(0x3ff0000000000000n)).toBe('number');
  for (const b of [0x7ff4000000000001n, 0xfff8000000000000n, 0x7ff0000000000001n, 0xffffffffffffffffn]) {
    const v = values.f64FromBits(b);
    expect(values.isNaNBits(v)).toBe(true);
    expect(values.f64ToBits(v)).toBe(b);
    expect(Number.isNaN(+v)).toBe(true);
  }
  expect(typeof values.f32FromBits(0x7fc00000)).toBe('number');
  for (const b of [0x7fa00001, 0xffc00000, 0x7f800001, 0xffffffff, 0x7fc00001, 0xff800001]) {
    const v = values.f32FromBits(b);
    expect(values.isNaNBits(v)).toBe(true);
    expect(values.f32ToBits(v) >>> 0).toBe(b >>> 0);
  }
  for (const b of [0, 0x80000000, 0x3f800000, 0x7f800000, 0xff800000, 1])
    expect(values.f32ToBits(values.f32FromBits(b)) >>> 0).toBe(b >>> 0);
});

const CARRIED = fs.readFileSync(path.join(__dirname, 'nan-bits.wast'), 'utf8');

test.each(['jit', 'interpreter'])(
  'carried NaNs keep their bits through arrays, exceptions, globals, memory and results (%s)',
  (profile) => {
    process.env.JETWASM_CODEGEN = profile;
    try {
      const r = runScriptSource(CARRIED, 'carried.wast');
      expect(r.problems).toEqual([]);
      expect(r.passed).toBe(13);
    } finally {
      delete process.env.JETWASM_CODEGEN;
    }
  },
);

const FILES = [
  'f32_bitwise.wast',
  'f64_bitwise.wast',
  'float_memory.wast',
  'float_misc.wast',
  'float_literals.wast',
  'select.wast',
  'global.wast',
  'simd_lane.wast',
  'conversions.wast',
];

test.each(FILES)('%s gives the expected counts with carriers', (file) => {
  const src = fs.readFileSync(path.join(root, 'spec-tests/testsuite', file), 'utf8');
  const r = runScriptSource(src, file);
  expect({ passed: r.passed, failed: r.failed, skipped: r.skipped, problems: r.problems.slice(0, 3) }).toEqual({
    ...expected[file],
    problems: [],
  });
});

test('the JS API hands a carried NaN to JS as the Number NaN', async () => {
  const bytes = parseWat(`(module
    (func (export "f") (result f64) (f64.reinterpret_i64 (i64.const 0x7ff4000000000001)))
    (global (export "g") f64 (f64.const -nan:0x1)))`);
  const { instance } = (await Facade.instantiate(bytes)) as unknown as { instance: { exports: unknown } };
  const e = instance.exports as { f: () => unknown; g: { value: unknown } };
  expect(typeof e.f()).toBe('number');
  expect(Number.isNaN(e.f())).toBe(true);
  expect(typeof e.g.value).toBe('number');
});
