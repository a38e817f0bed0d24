// The outliner threshold the runtime hands the translator (runtime/optlimit.ts).
import { outlineThresholdFor, RAISED_LIMIT } from './optlimit';
import { outlineLimits } from '../compiler/translate/outline';
import { Engine, Module } from './instance';
import { parseWat } from '../compiler/text';

test('an engine that opts out keeps the default threshold', () => {
  expect(outlineThresholdFor({ raiseOptimizationLimit: false })).toBe(outlineLimits.threshold);
});

test('under Node the limit is raised and the threshold scaled with it', () => {
  const t = outlineThresholdFor({});
  expect(t).toBe(outlineLimits.threshold * (RAISED_LIMIT / (60 * 1024)));
});

test('a function between the two thresholds stays whole unless the engine opts out', () => {
  // About 2,000 characters of generated source: above a 500-character default threshold,
  // below its scaled value.
  const body = Array.from({ length: 60 }, (_, i) => `(local.set 0 (i32.add (local.get 0) (i32.const ${i})))`).join(' ');
  const wat = `(module (func (export "f") (param i32) (result i32) ${body} (local.get 0)))`;
  const saved = { ...outlineLimits };
  Object.assign(outlineLimits, { threshold: 500, target: 200, min: 1 });
  try {
    const whole = Module.fromBinary(new Engine(), parseWat(wat));
    expect(whole.code.source).not.toContain('function R0()');
    const split = Module.fromBinary(new Engine({ raiseOptimizationLimit: false }), parseWat(wat));
    expect(split.code.source).toContain('function R0()');
  } finally {
    Object.assign(outlineLimits, saved);
  }
});

test('the environment variable opts out as well', () => {
  const saved = process.env.JETWASM_RAISE_OPT_LIMIT;
  process.env.JETWASM_RAISE_OPT_LIMIT = '0';
  try {
    expect(outlineThresholdFor({})).toBe(outlineLimits.threshold);
  } finally {
    if (saved === undefined) delete process.env.JETWASM_RAISE_OPT_LIMIT;
    else process.env.JETWASM_RAISE_OPT_LIMIT = saved;
  }
});
