import { parseWat } from '../compiler/text';
import {
  Engine,
  Store,
  Module,
  Instance,
  Func,
  Global,
  Memory,
  Table,
  RuntimeError,
  LinkError,
  WasmException,
  f32FromBits,
  f32ToBits,
  f64FromBits,
  f64ToBits,
  type Extern,
} from './index';
import { I32_SUMS_WAT } from '../tests/support/i32-sums';

const engine = new Engine();

function instantiate(wat: string, imports: Extern[] = [], store = new Store(engine)): Instance {
  return Instance.instantiate(store, Module.fromBinary(engine, parseWat(wat)), imports);
}
function fn(inst: Instance, name: string): Func {
  const f = inst.getExport(name);
  if (!(f instanceof Func)) throw new Error(`no function ${name}`);
  return f;
}
function trapMessage(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(RuntimeError);
    return (e as Error).message;
  }
  throw new Error('expected a trap');
}

describe('integer arithmetic', () => {
  const inst = instantiate(`(module
    (func (export "div_s") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
    (func (export "rem_s") (param i32 i32) (result i32) (i32.rem_s (local.get 0) (local.get 1)))
    (func (export "div_u") (param i32 i32) (result i32) (i32.div_u (local.get 0) (local.get 1)))
    (func (export "rotl") (param i32 i32) (result i32) (i32.rotl (local.get 0) (local.get 1)))
    (func (export "i64.div_s") (param i64 i64) (result i64) (i64.div_s (local.get 0) (local.get 1)))
    (func (export "i64.shr_u") (param i64 i64) (result i64) (i64.shr_u (local.get 0) (local.get 1)))
    (func (export "i64.clz") (param i64) (result i64) (i64.clz (local.get 0)))
    (func (export "i64.mul") (param i64 i64) (result i64) (i64.mul (local.get 0) (local.get 1))))`);

  test('i32 division edge cases', () => {
    expect(fn(inst, 'div_s').call(-7, 2)).toEqual([-3]);
    expect(fn(inst, 'rem_s').call(-7, 2)).toEqual([-1]);
    expect(fn(inst, 'rem_s').call(-2147483648, -1)).toEqual([0]);
    expect(fn(inst, 'div_u').call(-1, 2)).toEqual([0x7fffffff]);
    expect(trapMessage(() => fn(inst, 'div_s').call(1, 0))).toBe('integer divide by zero');
    expect(trapMessage(() => fn(inst, 'div_s').call(-2147483648, -1))).toBe('integer overflow');
  });

  test('rotations and i64 via BigInt', () => {
    expect(fn(inst, 'rotl').call(0x80000001, 1)).toEqual([3]);
    expect(fn(inst, 'rotl').call(0x12345678, 32)).toEqual([0x12345678]);
    expect(fn(inst, 'i64.div_s').call(-9223372036854775807n - 1n, 2n)).toEqual([-4611686018427387904n]);
    expect(trapMessage(() => fn(inst, 'i64.div_s').call(-9223372036854775807n - 1n, -1n))).toBe('integer overflow');
    expect(fn(inst, 'i64.shr_u').call(-1n, 65n)).toEqual([0x7fffffffffffffffn]);
    expect(fn(inst, 'i64.clz').call(1n)).toEqual([63n]);
    expect(fn(inst, 'i64.mul').call(0x100000001n, 0x100000001n)).toEqual([0x200000001n]);
  });
});

describe('floating point', () => {
  const inst = instantiate(`(module
    (func (export "f32.min") (param f32 f32) (result f32) (f32.min (local.get 0) (local.get 1)))
    (func (export "f64.nearest") (param f64) (result f64) (f64.nearest (local.get 0)))
    (func (export "f32.neg") (param f32) (result f32) (f32.neg (local.get 0)))
    (func (export "f64.neg") (param f64) (result f64) (f64.neg (local.get 0)))
    (func (export "trunc_s") (param f64) (result i32) (i32.trunc_f64_s (local.get 0)))
    (func (export "trunc_u") (param f32) (result i32) (i32.trunc_f32_u (local.get 0)))
    (func (export "sat_u") (param f64) (result i64) (i64.trunc_sat_f64_u (local.get 0)))
    (func (export "cvt") (param i64) (result f32) (f32.convert_i64_s (local.get 0))))`);

  test('min of zeros and NaN propagation', () => {
    const [r] = fn(inst, 'f32.min').call(-0, 0) as number[];
    expect(Object.is(r, -0)).toBe(true);
    expect(Number.isNaN((fn(inst, 'f32.min').call(NaN, 1) as number[])[0])).toBe(true);
  });

  test('nearest rounds ties to even and keeps the sign of zero', () => {
    expect(fn(inst, 'f64.nearest').call(2.5)).toEqual([2]);
    expect(fn(inst, 'f64.nearest').call(3.5)).toEqual([4]);
    expect(Object.is((fn(inst, 'f64.nearest').call(-0.5) as number[])[0], -0)).toBe(true);
  });

  test('neg flips only the sign bit, even of signalling NaNs', () => {
    const s32 = f32FromBits(0x7fa00001);
    expect(f32ToBits((fn(inst, 'f32.neg').call(s32) as number[])[0]) >>> 0).toBe(0xffa00001);
    const s64 = f64FromBits(0x7ff4000000000001n);
    expect(f64ToBits((fn(inst, 'f64.neg').call(s64) as number[])[0])).toBe(0xfff4000000000001n);
  });

  test('truncation traps exactly at the bounds', () => {
    expect(fn(inst, 'trunc_s').call(-2147483648.9)).toEqual([-2147483648]);
    expect(trapMessage(() => fn(inst, 'trunc_s').call(-2147483649))).toBe('integer overflow');
    expect(trapMessage(() => fn(inst, 'trunc_s').call(NaN))).toBe('invalid conversion to integer');
    expect(fn(inst, 'trunc_u').call(-0.9)).toEqual([0]);
    expect(trapMessage(() => fn(inst, 'trunc_u').call(4294967296))).toBe('integer overflow');
    expect(fn(inst, 'sat_u').call(1e30)).toEqual([-1n]);
    expect(fn(inst, 'sat_u').call(-5)).toEqual([0n]);
  });

  test('i64 -> f32 rounds once', () => {
    // 2^60 + 2^36 + 1 lies just above a tie between two f32 values: a double rounding
    // through f64 would round to even (down); a single rounding goes up.
    const v = (1n << 60n) + (1n << 36n) + 1n;
    expect(fn(inst, 'cvt').call(v)).toEqual([Math.fround(2 ** 60 + 2 ** 37)]);
  });
});

describe('memory', () => {
  test('effective address above 2^32 traps instead of wrapping', () => {
    const inst = instantiate(`(module (memory 1)
      (func (export "load") (param i32) (result i32) (i32.load offset=4294967295 (local.get 0))))`);
    expect(trapMessage(() => fn(inst, 'load').call(1))).toBe('out of bounds memory access');
    expect(trapMessage(() => fn(inst, 'load').call(0))).toBe('out of bounds memory access');
  });

  test('growth refreshes the views of every instance sharing the memory', () => {
    const store = new Store(engine);
    const mem = Memory.create(store, { limits: { min: 1, max: 4 }, shared: false, addr: 'i32', pageSizeLog2: 16 });
    const wat = `(module (import "m" "mem" (memory 1))
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
      (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
      (func (export "load") (param i32) (result i32) (i32.load (local.get 0))))`;
    const a = instantiate(wat, [mem], store);
    const b = instantiate(wat, [mem], store);
    expect(trapMessage(() => fn(b, 'load').call(70000))).toBe('out of bounds memory access');
    expect(fn(a, 'grow').call(1)).toEqual([1]);
    fn(b, 'store').call(70000, 1234);
    expect(fn(a, 'load').call(70000)).toEqual([1234]);
    expect(mem.grow(1)).toBe(2);
    fn(a, 'store').call(3 * 65536 - 4, 99);
    expect(fn(b, 'load').call(3 * 65536 - 4)).toEqual([99]);
    expect(new DataView(mem.buffer).getInt32(3 * 65536 - 4, true)).toBe(99);
    expect(fn(a, 'grow').call(2)).toEqual([-1]);
  });

  test('a trapping data segment leaves earlier segments written', () => {
    const store = new Store(engine);
    const mem = Memory.create(store, { limits: { min: 1 }, shared: false, addr: 'i32', pageSizeLog2: 16 });
    const mod = Module.fromBinary(
      engine,
      parseWat(`(module (import "m" "mem" (memory 1))
      (data (i32.const 0) "ab") (data (i32.const 65535) "cd"))`),
    );
    expect(() => Instance.instantiate(store, mod, [mem])).toThrow(RuntimeError);
    expect(new Uint8Array(mem.buffer)[1]).toBe(0x62);
  });
});

describe('imports, exports and linking', () => {
  test('host functions, multi-value results and NaN payloads', () => {
    const store = new Store(engine);
    const host = Func.fromHost(store, { kind: 'func', params: ['i32'], results: ['f64'] }, () =>
      f64FromBits(0x7ff4000000000001n),
    );
    const inst = instantiate(
      `(module (import "h" "f" (func $f (param i32) (result f64)))
      (func $pair (param i32) (result f64 i32) (call $f (local.get 0)) (i32.add (local.get 0) (i32.const 1)))
      (func (export "g") (param i32) (result i32 f64) (call $pair (local.get 0)) (call $swap))
      (func $swap (param f64 i32) (result i32 f64) (local.get 1) (local.get 0)))`,
      [host],
      store,
    );
    const [i, d] = fn(inst, 'g').call(41) as [number, number];
    expect(i).toBe(42);
    expect(f64ToBits(d)).toBe(0x7ff4000000000001n);
  });

  test('mutable globals are shared by exporter and importer', () => {
    const store = new Store(engine);
    const a = instantiate(
      `(module (global (export "g") (mut i64) (i64.const 5))
      (func (export "get") (result i64) (global.get 0)))`,
      [],
      store,
    );
    const g = a.getExport('g') as Global;
    const b = instantiate(
      `(module (import "a" "g" (global (mut i64)))
      (func (export "inc") (global.set 0 (i64.add (global.get 0) (i64.const 1)))))`,
      [g],
      store,
    );
    fn(b, 'inc').call();
    expect(fn(a, 'get').call()).toEqual([6n]);
    g.set(100n);
    fn(b, 'inc').call();
    expect(g.get()).toBe(101n);
  });

  test('import type mismatches are LinkErrors', () => {
    const store = new Store(engine);
    const host = Func.fromHost(store, { kind: 'func', params: [], results: [] }, () => undefined);
    const mod = Module.fromBinary(engine, parseWat('(module (import "h" "f" (func (param i32))))'));
    expect(() => Instance.instantiate(store, mod, [host])).toThrow(LinkError);
    expect(() => Instance.instantiate(store, mod, [])).toThrow(LinkError);
  });

  test('call_indirect checks types across modules', () => {
    const store = new Store(engine);
    const table = Table.create(store, {
      limits: { min: 2 },
      elem: { kind: 'ref', nullable: true, heap: 'func' },
      addr: 'i32',
    });
    instantiate(
      `(module (import "t" "t" (table 2 funcref))
      (func $f (result i32) (i32.const 7)) (elem (i32.const 0) $f))`,
      [table],
      store,
    );
    const b = instantiate(
      `(module (import "t" "t" (table 2 funcref)) (type $r (func (result i32)))
      (type $p (func (param i32)))
      (func (export "call") (param i32) (result i32) (call_indirect (type $r) (local.get 0)))
      (func (export "bad") (call_indirect (type $p) (i32.const 0) (i32.const 0))))`,
      [table],
      store,
    );
    expect(fn(b, 'call').call(0)).toEqual([7]);
    expect(trapMessage(() => fn(b, 'call').call(1))).toBe('uninitialized element');
    expect(trapMessage(() => fn(b, 'call').call(2))).toBe('undefined element');
    expect(trapMessage(() => fn(b, 'bad').call())).toBe('indirect call type mismatch');
    expect(table.get(0)).toBeInstanceOf(Func);
  });
});

describe('stack and control', () => {
  test('stack exhaustion becomes a trap and the host stays usable', () => {
    const inst = instantiate(`(module
      (func $loop (export "loop") (param i32) (result i32) (call $loop (i32.add (local.get 0) (i32.const 1))))
      (func (export "ok") (result i32) (i32.const 3)))`);
    expect(trapMessage(() => fn(inst, 'loop').call(0))).toBe('call stack exhausted');
    expect(fn(inst, 'ok').call()).toEqual([3]);
  });

  test('tail calls run in constant stack depth', () => {
    const inst = instantiate(`(module
      (func $even (export "even") (param i64) (result i32)
        (if (result i32) (i64.eqz (local.get 0)) (then (i32.const 1))
          (else (return_call $odd (i64.sub (local.get 0) (i64.const 1))))))
      (func $odd (param i64) (result i32)
        (if (result i32) (i64.eqz (local.get 0)) (then (i32.const 0))
          (else (return_call $even (i64.sub (local.get 0) (i64.const 1)))))))`);
    expect(fn(inst, 'even').call(1_000_001n)).toEqual([0]);
  });

  test('wasm exceptions are caught by tag; traps are never caught', () => {
    const inst = instantiate(`(module (tag $e (param i32))
      (func (export "catch") (param i32) (result i32)
        (block $h (result i32)
          (try_table (catch $e $h) (throw $e (local.get 0)))
          (i32.const -1)))
      (func (export "trap") (result i32)
        (block $h
          (try_table (catch_all $h) (unreachable)))
        (i32.const 5))
      (func (export "escape") (throw $e (i32.const 9))))`);
    expect(fn(inst, 'catch').call(12)).toEqual([12]);
    expect(trapMessage(() => fn(inst, 'trap').call())).toBe('unreachable');
    let caught: unknown;
    try {
      fn(inst, 'escape').call();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(WasmException);
    expect((caught as WasmException).payload).toEqual([9]);
  });
});

describe('i32 addresses at or above 2^31', () => {
  // The translator passes offset-0 addresses of memories capped below 2 GiB to the DataView
  // as signed int32 (compiler/translate/func.ts effectiveAddress); these must still trap.
  const accesses = (mem: string): string => `(module (memory ${mem})
    (func (export "load0") (param i32) (result i32) (i32.load (local.get 0)))
    (func (export "load8") (param i32) (result i32) (i32.load offset=8 (local.get 0)))
    (func (export "store32") (param i32) (i32.store (local.get 0) (i32.const -1)))
    (func (export "store64") (param i32) (i64.store (local.get 0) (i64.const -1)))
    (func (export "word0") (result i32) (i32.load (i32.const 0))))`;

  test.each(['1 32768', '1', '1 1'])('trap and never write, memory (%s)', (mem) => {
    const inst = instantiate(accesses(mem));
    const call = (n: string, ...a: unknown[]): unknown[] => fn(inst, n).call(...a);
    for (const addr of [-4, -1, 0x80000000 | 0, -8]) {
      expect(trapMessage(() => call('load0', addr))).toBe('out of bounds memory access');
      // Read as signed, -8 + 8 would be address 0.
      expect(trapMessage(() => call('load8', addr))).toBe('out of bounds memory access');
      expect(trapMessage(() => call('store32', addr))).toBe('out of bounds memory access');
      // The high word of an i64 store at -4 would land on address 0.
      expect(trapMessage(() => call('store64', addr))).toBe('out of bounds memory access');
      expect(call('word0')).toEqual([0]);
    }
    expect(call('load0', 65532)).toEqual([0]);
    expect(trapMessage(() => call('load0', 65533))).toBe('out of bounds memory access');
  });
});

describe("i32 sums under the 'interpreter' profile (one truncation per chain)", () => {
  const wat = I32_SUMS_WAT;
  const wrap = (x: bigint): number => Number(BigInt.asIntN(32, x));
  const values = [0, 1, -1, 5, 0x7fffffff, -0x80000000, 0x40000000, 123456789, -987654321];

  for (const codegen of ['interpreter', 'jit'] as const) {
    test(`${codegen}: results wrap exactly like i32 arithmetic`, () => {
      const eng = new Engine({ codegen, compilation: 'eager' });
      const inst = Instance.instantiate(new Store(eng), Module.fromBinary(eng, parseWat(wat)), []);
      const call = (name: string, ...args: number[]): unknown => (fn(inst, name).call(...args) as unknown[])[0];
      for (const a of values) {
        for (const b of values) {
          const A = BigInt(a),
            B = BigInt(b);
          expect(call('sum', a, b, a ^ b, (b - 7) | 0)).toBe(wrap(A + B + BigInt(a ^ b) - (BigInt((b - 7) | 0) + A)));
          expect(call('mix', a, b)).toBe(wrap(BigInt.asIntN(32, A + B) ^ (BigInt.asUintN(32, A) >> 3n)));
          expect(call('shift', a, b)).toBe(wrap(A << (BigInt.asUintN(32, B + B) & 31n)));
        }
        expect(call('chain', a)).toBe(wrap(BigInt(a) + 100n * 0x7fffffffn));
      }
    });
  }
});

describe('byte-indexed table lookups read the right words in both profiles', () => {
  const wat = `(module (memory 1)
    (func (export "init") (local i32)
      (loop $l
        (i32.store offset=1024 (i32.shl (local.get 0) (i32.const 2)) (i32.mul (local.get 0) (i32.const 7919)))
        (br_if $l (i32.lt_u (local.tee 0 (i32.add (local.get 0) (i32.const 1))) (i32.const 1024)))))
    (func (export "look") (param i32) (result i32)
      (i32.xor
        (i32.load offset=1024 (i32.and (i32.shr_u (local.get 0) (i32.const 14)) (i32.const 1020)))
        (i32.add
          (i32.load offset=1024 (i32.and (i32.shr_u (local.get 0) (i32.const 22)) (i32.const 1020)))
          (i32.load offset=1024 (i32.and (i32.shr_u (local.get 0) (i32.const 4)) (i32.const 4092)))))))`;
  const word = (i: number): number => Math.imul(i, 7919);
  const expected = (x: number): number =>
    word(((x >>> 14) & 1020) / 4) ^ ((word(((x >>> 22) & 1020) / 4) + word(((x >>> 4) & 4092) / 4)) | 0);
  for (const codegen of ['interpreter', 'jit'] as const) {
    test(codegen, () => {
      const eng = new Engine({ codegen, compilation: 'eager' });
      const inst = Instance.instantiate(new Store(eng), Module.fromBinary(eng, parseWat(wat)), []);
      fn(inst, 'init').call();
      for (const x of [0, 1, -1, 0x12345678, -0x80000000, 0x7fffffff, 0xdeadbeef | 0]) {
        expect((fn(inst, 'look').call(x) as unknown[])[0]).toBe(expected(x));
      }
    });
  }
});
