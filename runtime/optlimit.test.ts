// The outliner threshold the runtime hands the translator (runtime/optlimit.ts).
import { codegenProfileFor, outlineThresholdFor, RAISED_LIMIT } from './optlimit';
import { outlineLimits } from '../compiler/translate/outline';
import { Engine, Module, Store, Instance } from './index';
import type { Func } from './objects';
import { parseWat } from '../compiler/text';

test('an engine that opts out keeps the default threshold', () => {
  expect(outlineThresholdFor({ raiseOptimizationLimit: false })).toBe(outlineLimits.threshold);
});

test('under Node the threshold is scaled to the raised limit', () => {
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
    const whole = Module.fromBinary(new Engine({ compilation: 'eager' }), parseWat(wat));
    expect(whole.code.source).not.toContain('function R0()');
    const split = Module.fromBinary(new Engine({ raiseOptimizationLimit: false, compilation: 'eager' }), parseWat(wat));
    expect(split.code.source).toContain('function R0()');
  } finally {
    Object.assign(outlineLimits, saved);
  }
});

describe('when the limit is raised', () => {
  // Each case loads the runtime afresh: whether this process raised the limit is module state.
  type Fresh = {
    rt: typeof import('./index');
    opt: typeof import('./optlimit');
    limits: typeof outlineLimits;
  };
  function fresh(): Fresh {
    let f: Fresh | undefined;
    jest.isolateModules(() => {
      f = {
        rt: require('./index') as typeof import('./index'),
        opt: require('./optlimit') as typeof import('./optlimit'),
        limits: (require('../compiler/translate/outline') as typeof import('../compiler/translate/outline'))
          .outlineLimits,
      };
    });
    return f!;
  }
  // Above a 5,000-character default threshold once translated (about 8,000 characters; the
  // module's factory is about 3,000), below its scaled value: kept whole, so it needs the
  // raised limit.
  const big = Array.from({ length: 400 }, (_, i) => `(local.set 0 (i32.add (local.get 0) (i32.const ${i})))`).join(' ');
  const BIG_RESULT = [1 + (399 * 400) / 2];
  const BIG = `(module (func (export "small") (result i32) (i32.const 1))
    (func (export "big") (param i32) (result i32) ${big} (local.get 0)))`;
  const SMALL = `(module (func (export "small") (result i32) (i32.const 1)))`;
  function run(f: Fresh, wat: string, config: ConstructorParameters<typeof Engine>[0], name: string): unknown {
    const engine = new f.rt.Engine(config);
    const inst = f.rt.Instance.instantiate(new f.rt.Store(engine), f.rt.Module.fromBinary(engine, parseWat(wat)), []);
    return name === 'big' ? (inst.getExport(name) as Func).call(1) : (inst.getExport(name) as Func).call();
  }
  const lowered = (f: Fresh) => Object.assign(f.limits, { threshold: 5000, target: 2000, min: 1 });

  test('not for modules without a function above the default threshold', () => {
    const f = fresh();
    expect(f.opt.outlineThresholdFor({})).toBeGreaterThan(f.limits.threshold);
    expect(run(f, SMALL, {}, 'small')).toEqual([1]);
    expect(run(f, SMALL, { compilation: 'eager' }, 'small')).toEqual([1]);
    expect(f.opt.optimizationLimitState()).toBe('untried');
  });

  test('before a lazily translated function above it first runs', () => {
    const f = fresh();
    lowered(f);
    const engine = new f.rt.Engine({});
    const inst = f.rt.Instance.instantiate(new f.rt.Store(engine), f.rt.Module.fromBinary(engine, parseWat(BIG)), []);
    // Translated and run: the small function does not need it.
    expect((inst.getExport('small') as Func).call()).toEqual([1]);
    expect(f.opt.optimizationLimitState()).toBe('untried');
    expect((inst.getExport('big') as Func).call(1)).toEqual(BIG_RESULT);
    expect(f.opt.optimizationLimitState()).toBe('raised');
  });

  test('when eager code holds a function above it', () => {
    const f = fresh();
    lowered(f);
    const engine = new f.rt.Engine({ compilation: 'eager' });
    f.rt.Module.fromBinary(engine, parseWat(BIG)).code;
    expect(f.opt.optimizationLimitState()).toBe('raised');
  });

  test('never for an engine that opts out, nor for interpreter code', () => {
    const f = fresh();
    lowered(f);
    for (const config of [{ raiseOptimizationLimit: false }, { codegen: 'interpreter' as const }]) {
      for (const compilation of ['lazy', 'eager'] as const)
        expect(run(f, BIG, { ...config, compilation }, 'big')).toEqual(BIG_RESULT);
    }
    expect(f.opt.optimizationLimitState()).toBe('untried');
  });

  test('for a serialized module, written or read, whatever its functions', () => {
    const f = fresh();
    const bytes = f.rt.Module.fromBinary(new f.rt.Engine({}), parseWat(SMALL)).serialize();
    expect(f.opt.optimizationLimitState()).toBe('raised');
    const g = fresh();
    const m = g.rt.Module.deserialize(new g.rt.Engine({}), bytes);
    expect(g.opt.optimizationLimitState()).toBe('raised');
    const inst = g.rt.Instance.instantiate(new g.rt.Store(m.engine), m, []);
    expect((inst.getExport('small') as Func).call()).toEqual([1]);
  });
});

test("'interpreter' code keeps big functions whole on any host", () => {
  // No optimizing compiler there to fit: the same bound as V8 with its limit raised.
  expect(outlineLimits.interpreterThreshold).toBe(outlineLimits.threshold * (RAISED_LIMIT / (60 * 1024)));
  expect(outlineThresholdFor({ codegen: 'interpreter' })).toBe(outlineLimits.interpreterThreshold);
  expect(outlineThresholdFor({ codegen: 'interpreter', raiseOptimizationLimit: false })).toBe(
    outlineLimits.interpreterThreshold,
  );
  const body = Array.from({ length: 60 }, (_, i) => `(local.set 0 (i32.add (local.get 0) (i32.const ${i})))`).join(' ');
  const wat = `(module (func (export "f") (param i32) (result i32) ${body} (local.get 0)))`;
  const saved = { ...outlineLimits };
  Object.assign(outlineLimits, { threshold: 500, target: 200, min: 1, interpreterThreshold: 5000 });
  try {
    const engine = new Engine({ codegen: 'interpreter', raiseOptimizationLimit: false, compilation: 'eager' });
    const whole = Module.fromBinary(engine, parseWat(wat));
    expect(whole.code.source).not.toContain('function R0()');
    const inst = Instance.instantiate(new Store(engine), whole, []);
    expect((inst.getExport('f') as Func).call(1)).toEqual([1 + (59 * 60) / 2]);
    Object.assign(outlineLimits, { interpreterThreshold: 500 });
    const split = Module.fromBinary(
      new Engine({ codegen: 'interpreter', raiseOptimizationLimit: false, compilation: 'eager' }),
      parseWat(wat),
    );
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

describe('code-generation profile', () => {
  const WAT = `(module (memory 1)
    (func (export "f") (param i32) (result i32)
      (i32.store (i32.const 8) (local.get 0))
      (drop (memory.grow (i32.const 2)))
      (i32.store (i32.const 131072) (i32.const 5))
      (i32.add (i32.add (i32.load (i32.const 8)) (i32.load (i32.const 131072))) (memory.size))))`;

  test('defaults to jit where the host has native WebAssembly', () => {
    expect(codegenProfileFor({})).toBe('jit');
    expect(codegenProfileFor({ codegen: 'interpreter' })).toBe('interpreter');
  });

  test.each(['jit', 'interpreter'] as const)('%s code reads and grows memory alike', (codegen) => {
    const engine = new Engine({ codegen, compilation: 'eager' });
    const m = Module.fromBinary(engine, parseWat(WAT));
    if (codegen === 'interpreter') expect(m.code.source).toMatch(/D0\.getInt32\(/);
    else expect(m.code.source).toMatch(/V0\.gi32_\d+\(/);
    const inst = Instance.instantiate(new Store(engine), m, []);
    expect((inst.getExport('f') as Func).call(100)).toEqual([108]);
  });
});
