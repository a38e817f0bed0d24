// Asynchronous compilation (Module.fromBinaryAsync, behind WebAssembly.compile and
// instantiate for large modules): validation in slices between which the event loop runs,
// with the results and errors of Module.fromBinary.
import { parseWat } from '../compiler/text';
import { Engine, Instance, Module, Store } from './index';
import { asyncCompileSettings } from './module';

/**
 * `n` functions of varied control depths (`seed` makes the bytes differ between tests, so
 * the in-process cache shares nothing); the functions `bad` are ill-typed.
 */
function moduleBytes(n: number, seed: number, bad: readonly number[] = []): Uint8Array {
  let s = `(module (func (export "seed") (result i32) (i32.const ${seed}))\n`;
  for (let i = 0; i < n; i++) {
    const d = (i % 7) + 1;
    s += bad.includes(i)
      ? '(func (result i32) (i32.add (i64.const 1) (i32.const 2)))\n'
      : `(func (param i32) (result i32) ${'(block (result i32) '.repeat(d)}(local.get 0)${')'.repeat(d)})\n`;
  }
  return parseWat(s + ')');
}

const depths = (m: Module): readonly number[] =>
  (m as unknown as { compiled: { controlDepths: readonly number[] } }).compiled.controlDepths;

async function outcome(f: () => Module | Promise<Module>): Promise<string | readonly number[]> {
  try {
    return depths(await f());
  } catch (e) {
    return `${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
}

describe('asynchronous compilation', () => {
  const saved = asyncCompileSettings.sliceMs;
  afterEach(() => {
    asyncCompileSettings.sliceMs = saved;
  });

  test('results and errors are those of fromBinary', async () => {
    asyncCompileSettings.sliceMs = 0;
    const cases = [
      [moduleBytes(3000, 1), moduleBytes(3000, 2)],
      [moduleBytes(3000, 3, [2000]), moduleBytes(3000, 4, [2000])],
      [moduleBytes(3000, 5, [10, 2900]), moduleBytes(3000, 6, [10, 2900])],
    ];
    for (const [a, b] of cases) {
      const sync = await outcome(() => Module.fromBinary(new Engine(), a));
      const async = await outcome(() => Module.fromBinaryAsync(new Engine(), b));
      expect(async).toEqual(sync);
    }
    expect(await outcome(() => Module.fromBinary(new Engine(), cases[0][0]))).toHaveLength(3001);
    expect(await outcome(() => Module.fromBinary(new Engine(), cases[1][0]))).toMatch(
      /^CompileError: type mismatch in function 2001 /,
    );
    const m = await Module.fromBinaryAsync(new Engine(), moduleBytes(300, 42));
    expect(Instance.instantiate(new Store(m.engine), m, []).getFunc('seed')!.call()).toEqual([42]);
  });

  test('the event loop runs between slices', async () => {
    asyncCompileSettings.sliceMs = 0;
    let turns = 0;
    let done = false;
    const tick = (): void => {
      turns++;
      if (!done) setImmediate(tick);
    };
    setImmediate(tick);
    await Module.fromBinaryAsync(new Engine(), moduleBytes(3000, 7));
    done = true;
    // 3001 bodies make 12 chunks of at most 256.
    expect(turns).toBeGreaterThanOrEqual(10);
  });

  test('exact types read by another compilation meanwhile are not this one’s', async () => {
    asyncCompileSettings.sliceMs = 0;
    const exact = parseWat('(module (type $t (struct)) (func (param (ref null (exact $t)))))');
    const other = new Engine({ features: { customDescriptors: true } });
    let compiledMeanwhile = false;
    setImmediate(() => {
      Module.fromBinary(other, exact);
      compiledMeanwhile = true;
    });
    const m = Module.fromBinaryAsync(new Engine(), moduleBytes(3000, 8));
    await expect(m).resolves.toBeInstanceOf(Module);
    expect(compiledMeanwhile).toBe(true);
    // ... while its own still count.
    await expect(Module.fromBinaryAsync(new Engine(), exact)).rejects.toThrow(
      /exact reference types require the custom-descriptors proposal/,
    );
  });
});
