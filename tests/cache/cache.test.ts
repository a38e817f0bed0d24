// The in-process compile cache and Module.serialize / Module.deserialize (runtime/cache).

import * as fs from 'fs';
import * as path from 'path';
import {
  Engine,
  Module,
  Store,
  Linker,
  SerializationError,
  parseWat,
  wasmBacktrace,
  WebAssembly as WA,
} from '../../index';
import { serializeArtifact, currentHeader } from '../../runtime/cache/serialize';
import { JETWASM_VERSION } from '../../runtime/cache/version';
import type { Artifact } from '../../runtime/cache/artifact';

const WAT = `(module
  (type $ii (func (param i32) (result i32)))
  (memory (export "mem") 1)
  (global $calls (export "calls") (mut i32) (i32.const 0))
  (table 2 funcref)
  (elem (i32.const 0) $double $fib)
  (func $double (type $ii) (i32.mul (local.get 0) (i32.const 2)))
  (func $fib (export "fib") (type $ii)
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (if (result i32) (i32.lt_s (local.get 0) (i32.const 2)) (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  (func (export "indirect") (param i32 i32) (result i32)
    (call_indirect (type $ii) (local.get 1) (local.get 0)))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func $boom (export "boom") (result i32) (i32.div_s (i32.const 1) (i32.const 0))))`;

const bytes = parseWat(WAT);
const artifactOf = (m: Module): Artifact => (m as unknown as { compiled: Artifact }).compiled;

function instantiate(m: Module) {
  const store = new Store(m.engine);
  if (m.engine.config.consumeFuel) store.setFuel(1e12);
  return new Linker(m.engine).instantiate(store, m);
}

describe('in-process cache', () => {
  test('equal bytes in one engine share the compilation; instances stay independent', () => {
    const engine = new Engine();
    const a = Module.fromBinary(engine, bytes);
    const b = Module.fromBinary(engine, bytes.slice());
    expect(a).not.toBe(b);
    expect(b.ir).toBe(a.ir);
    const ia = instantiate(a);
    expect(ia.getFunc('fib')!.call(10)).toEqual([55]);
    expect(b.code).toBe(a.code); // translated once
    const ib = instantiate(b);
    ia.getFunc('store')!.call(0, 7);
    expect(ib.getFunc('load')!.call(0)).toEqual([0]);
    expect(ib.getGlobal('calls')!.get()).toBe(0);
    expect(ib.vm).not.toBe(ia.vm);
  });

  test('engines with equal settings share, engines with other settings never do', () => {
    const a = Module.fromBinary(new Engine(), bytes);
    expect(Module.fromBinary(new Engine(), bytes).ir).toBe(a.ir);
    for (const config of [
      { consumeFuel: true },
      { epochInterruption: true },
      { compilation: 'eager' as const },
      { codegen: 'interpreter' as const },
      { features: { simd: false } },
    ]) {
      const m = Module.fromBinary(new Engine(config), bytes);
      expect(m.ir).not.toBe(a.ir);
      expect(instantiate(m).getFunc('fib')!.call(12)).toEqual([144]);
    }
  });

  test('different bytes are not shared, and later changes to the input do not matter', () => {
    const engine = new Engine();
    const input = bytes.slice();
    const a = Module.fromBinary(engine, input);
    input.fill(0);
    expect(Module.fromBinary(engine, bytes).ir).toBe(a.ir);
    const other = parseWat(WAT.replace('(i32.const 2)))', '(i32.const 3)))'));
    expect(Module.fromBinary(engine, other).ir).not.toBe(a.ir);
  });

  test('the module copies its bytes unless the caller transfers them', () => {
    // Bytes no other test compiles (an empty custom section named "p" or "q" at the end),
    // so the in-process cache has no earlier compilation of them.
    const mine = new Uint8Array([...bytes, 0, 2, 1, 0x70]);
    expect(artifactOf(Module.fromBinary(new Engine(), mine)).bytes).not.toBe(mine);
    const given = new Uint8Array([...bytes, 0, 2, 1, 0x71]);
    const m = Module.fromBinary(new Engine(), given, { transfer: true });
    expect(artifactOf(m).bytes).toBe(given);
    expect(instantiate(m).getFunc('fib')!.call(10)).toEqual([55]);
  });

  test('large modules that differ only between sampled bytes are not shared', () => {
    // A custom section pads the module far past the sample size; the modules differ in one
    // or two bytes in the middle, which the sample may well leave out.
    const padded = (b: number): Uint8Array => {
      const payload = new Uint8Array(300_000);
      payload[0] = 1; // name length
      payload[1] = 0x78; // 'x'
      payload[150_001] = b;
      payload[150_002] = b;
      const size = payload.length;
      const leb = [(size & 0x7f) | 0x80, ((size >> 7) & 0x7f) | 0x80, size >> 14];
      return new Uint8Array([...bytes, 0, ...leb, ...payload]);
    };
    const engine = new Engine();
    const a = Module.fromBinary(engine, padded(1));
    expect(Module.fromBinary(engine, padded(1)).ir).toBe(a.ir);
    expect(Module.fromBinary(engine, padded(2)).ir).not.toBe(a.ir);
    const p3 = padded(1);
    p3[p3.length - 150_000 + 1] = 3; // one of the two neighbouring bytes only
    expect(Module.fromBinary(engine, p3).ir).not.toBe(a.ir);
  });

  test('the WebAssembly facade compiles equal bytes once', async () => {
    const m1 = await WA.compile(bytes);
    const m2 = new WA.Module(bytes);
    const i1 = new WA.Instance(m1, {});
    const i2 = await WA.instantiate(m2, {});
    expect((i1.exports.fib as (n: number) => number)(15)).toBe(610);
    expect((i2.exports.fib as (n: number) => number)(15)).toBe(610);
    expect(WA.Module.exports(m1)).toEqual(WA.Module.exports(m2));
  });
});

describe('serialize / deserialize', () => {
  test.each(['lazy', 'eager'] as const)('round trip (%s) runs the same', (compilation) => {
    const engine = new Engine({ compilation });
    const m = Module.fromBinary(engine, bytes);
    const i = instantiate(m);
    expect(i.getFunc('fib')!.call(20)).toEqual([6765]);
    const data = m.serialize();
    const d = Module.deserialize(new Engine({ compilation }), data);
    const j = instantiate(d);
    expect(j.getFunc('fib')!.call(20)).toEqual([6765]);
    // Functions translated only after deserializing.
    expect(j.getFunc('indirect')!.call(0, 21)).toEqual([42]);
    expect(j.getFunc('indirect')!.call(1, 10)).toEqual([55]);
    j.getFunc('store')!.call(8, 99);
    expect(j.getFunc('load')!.call(8)).toEqual([99]);
    expect(d.exportTypes()).toEqual(m.exportTypes());
    // Serializing again carries the functions translated since.
    if (compilation === 'lazy') {
      expect(artifactOf(d).translatedCount()).toBeGreaterThan(artifactOf(m).translatedCount());
      const again = Module.deserialize(new Engine({ compilation }), d.serialize());
      expect(instantiate(again).getFunc('indirect')!.call(1, 12)).toEqual([144]);
      // Each generation carries every translated body unchanged, however often an entry is
      // loaded and written again.
      const bodies = (x: Module): string[] =>
        [...(artifactOf(x).translated?.lazyTranslated ?? new Map()).entries()]
          .sort((a, b) => a[0] - b[0])
          .map(([, lz]) => lz.body);
      let gen = again;
      for (let k = 0; k < 3; k++) gen = Module.deserialize(new Engine({ compilation }), gen.serialize());
      expect(bodies(gen)).toEqual(bodies(d));
      expect(bodies(gen).length).toBeGreaterThan(2);
      const g = instantiate(gen);
      expect(g.getFunc('fib')!.call(15)).toEqual([610]);
      expect(g.getFunc('indirect')!.call(1, 12)).toEqual([144]);
    }
  });

  test('traps from deserialized code keep their Wasm backtrace', () => {
    const m = Module.fromBinary(new Engine(), bytes);
    const d = Module.deserialize(new Engine(), m.serialize());
    const boom = instantiate(d).getFunc('boom')!;
    let err: unknown;
    try {
      boom.call();
    } catch (e) {
      err = e;
    }
    expect((err as Error).message).toBe('integer divide by zero');
    expect(wasmBacktrace(err, d).map((f) => f.name)).toEqual(['boom']);
    const again = Module.deserialize(new Engine(), d.serialize());
    try {
      instantiate(again).getFunc('boom')!.call();
    } catch (e) {
      err = e;
    }
    expect(wasmBacktrace(err, again).map((f) => f.name)).toEqual(['boom']);
  });

  function fresh(): Uint8Array {
    const m = Module.fromBinary(new Engine(), bytes);
    instantiate(m).getFunc('fib')!.call(5);
    return m.serialize();
  }

  test('a flipped byte anywhere is an error', () => {
    const data = fresh();
    const step = Math.max(1, Math.floor(data.length / 1500));
    const positions = new Set<number>();
    for (let p = 0; p < 256 && p < data.length; p++) positions.add(p);
    for (let p = 0; p < data.length; p += step) positions.add(p);
    positions.add(data.length - 1);
    for (const p of positions) {
      const bad = data.slice();
      bad[p] ^= 0x10;
      expect(() => Module.deserialize(new Engine(), bad)).toThrow(SerializationError);
    }
  });

  test('truncated bytes are an error', () => {
    const data = fresh();
    const step = Math.max(1, Math.floor(data.length / 500));
    for (let n = 0; n < data.length; n += step) {
      expect(() => Module.deserialize(new Engine(), data.subarray(0, n))).toThrow(SerializationError);
    }
    expect(() => Module.deserialize(new Engine(), data.subarray(0, data.length - 1))).toThrow(SerializationError);
  });

  test('another jetwasm or V8 version, or other engine settings, are errors', () => {
    const m = Module.fromBinary(new Engine(), bytes);
    const a = artifactOf(m);
    const here = currentHeader(a.settings);
    expect(() => Module.deserialize(new Engine(), serializeArtifact(a, { ...here, jetwasm: '0.0.1' }))).toThrow(
      /serialized by jetwasm 0\.0\.1; this is jetwasm/,
    );
    expect(() => Module.deserialize(new Engine(), serializeArtifact(a, { ...here, v8: '1.2.3' }))).toThrow(
      /serialized under V8 1\.2\.3/,
    );
    expect(() => Module.deserialize(new Engine(), serializeArtifact(a, { ...here, build: 'f'.repeat(64) }))).toThrow(
      /serialized by another build of jetwasm/,
    );
    const data = m.serialize();
    expect(() => Module.deserialize(new Engine({ consumeFuel: true }), data)).toThrow(
      /other engine settings.*fuel off.*fuel on/,
    );
    expect(() => Module.deserialize(new Engine({ compilation: 'eager' }), data)).toThrow(SerializationError);
    expect(() => Module.deserialize(new Engine(), bytes)).toThrow(/not a serialized jetwasm module/);
  });

  test("the stamped version is package.json's", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as { version: string };
    expect(JETWASM_VERSION).toBe(pkg.version);
  });
});
