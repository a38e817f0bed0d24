// The WebAssembly facade against the JS API: every behaviour in the shared block is checked
// on the host's native WebAssembly and on jetwasm's facade with identical assertions (so
// the expectations are V8's, not ours); facade-only behaviour follows.

import { parseWat } from '../../compiler/text';
import { WebAssembly as facade } from '../../index';

type WA = typeof globalThis.WebAssembly;
const native = globalThis.WebAssembly;
const ours = facade as unknown as WA;

const ADD = parseWat(`(module
  (func $add (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "add64") (param i64 i64) (result i64) (i64.add (local.get 0) (local.get 1)))
  (func (export "f32id") (param f32) (result f32) (local.get 0))
  (func (export "two") (result i32 i64) (i32.const 7) (i64.const -1))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "recurse") (call 5))
  (func (export "same") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "tableGet") (param i32) (result funcref) (table.get $t (local.get 0)))
  (table $t (export "table") 2 10 funcref)
  (elem (table $t) (i32.const 0) func $add)
  (memory (export "mem") 1 4)
  (global (export "g") (mut i32) (i32.const 42))
  (global (export "g64") i64 (i64.const -5))
  (export "add_again" (func $add))
  (@custom "meta" "hello"))`);

const IMPORTS = parseWat(`(module
  (import "env" "f" (func $f (param i32 i64) (result i32)))
  (import "env" "g" (global $g i32))
  (import "env" "m" (memory 1))
  (import "env" "t" (table 1 funcref))
  (func (export "callF") (param i32 i64) (result i32) (call $f (local.get 0) (local.get 1)))
  (func (export "readG") (result i32) (global.get $g))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))`);

const THROWS = parseWat(`(module
  (import "env" "tag" (tag $t (param i32)))
  (import "env" "host" (func $host))
  (func (export "throw") (param i32) (throw $t (local.get 0)))
  (func (export "catchHost") (result i32)
    (try (result i32)
      (do (call $host) (i32.const -1))
      (catch $t)))
  (func (export "callHost") (call $host)))`);

// Exported functions whose parameters are all i32/f32/f64 (up to six) take the facade's
// direct path; seven parameters take the general one. Both must convert the same way.
const CONVERT = parseWat(`(module
  (func (export "six") (param i32 f32 f64 i32 f64 f32) (result f64)
    (f64.add (f64.add (f64.add (f64.convert_i32_s (local.get 0)) (f64.promote_f32 (local.get 1)))
                      (f64.add (local.get 2) (f64.convert_i32_u (local.get 3))))
             (f64.add (f64.mul (local.get 4) (f64.const 2)) (f64.promote_f32 (local.get 5)))))
  (func (export "seven") (param i32 f32 f64 i32 f64 f32 i32) (result f64)
    (f64.add (call 0 (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4) (local.get 5))
             (f64.convert_i32_s (local.get 6))))
  (func (export "wide") (param i32) (result i64) (i64.mul (i64.extend_i32_s (local.get 0)) (i64.const 0x100000001)))
  (func (export "f32out") (param f64) (result f32) (f32.demote_f64 (local.get 0)))
  (func (export "none") (param i32))
  (func (export "zero") (result i32) (i32.const 9))
  (func (export "two") (param f32 i32) (result f64)
    (f64.add (f64.promote_f32 (local.get 0)) (f64.convert_i32_s (local.get 1))))
  (func (export "three") (param f64 i32 f32) (result f64)
    (f64.add (local.get 0) (f64.add (f64.convert_i32_u (local.get 1)) (f64.promote_f32 (local.get 2)))))
  (func (export "four") (param i32 i32 i32 i32) (result i32)
    (i32.add (i32.add (local.get 0) (i32.mul (local.get 1) (i32.const 10)))
             (i32.add (i32.mul (local.get 2) (i32.const 100)) (i32.mul (local.get 3) (i32.const 1000)))))
  (func (export "five") (param f32 f32 f32 f32 i32) (result f32)
    (f32.add (f32.add (f32.add (local.get 0) (local.get 1)) (f32.add (local.get 2) (local.get 3)))
             (f32.convert_i32_s (local.get 4))))
  (func (export "trap") (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0))))`);

describe.each([
  ['native', native],
  ['jetwasm', ours],
] as const)('%s WebAssembly: argument conversion', (_label, W) => {
  const e = new W.Instance(new W.Module(CONVERT), {}).exports as Record<string, any>;

  test('numbers, strings, booleans, undefined and objects convert like ToWebAssemblyValue', () => {
    const args = [2 ** 32 + 5, 0.1, '2.5', -1, true, 1e40];
    const six = e.six(...args);
    expect(six).toBe(5 + Math.fround(0.1) + 2.5 + 4294967295 + 2 + Infinity);
    expect(e.seven(...args, 3.9)).toBe(six + 3);
    expect(e.six(1.5, undefined, null, '0x10', [], {})).toBeNaN();
    expect(e.six(-1.5, 1, 2, 3, 4, 5)).toBe(-1 + 1 + 2 + 3 + 8 + 5);
    // Missing arguments are undefined: NaN, and 0 for i32.
    expect(e.six(7)).toBeNaN();
    expect(e.f32out(0.1)).toBe(Math.fround(0.1));
    expect(e.wide(-3)).toBe(-3n * 0x100000001n);
    expect(e.none(1)).toBeUndefined();
  });

  test('every parameter count converts each argument by its own type', () => {
    expect(e.zero('ignored', 1n)).toBe(9);
    expect(e.two(0.1, 2.9)).toBe(Math.fround(0.1) + 2);
    expect(e.two('1e40', -(2 ** 31) - 1)).toBe(Infinity);
    expect(e.three('0.5', -1, 1 / 3)).toBe(0.5 + 4294967295 + Math.fround(1 / 3));
    expect(e.four(1.9, '2', true, 2 ** 32 + 4)).toBe(1 + 20 + 100 + 4000);
    expect(e.four(1)).toBe(1);
    expect(e.five(0.1, 0.2, 0.3, 0.4, '5')).toBe(
      Math.fround(Math.fround(Math.fround(0.1) + Math.fround(0.2)) + Math.fround(Math.fround(0.3) + Math.fround(0.4))) +
        5,
    );
    expect(e.five(1, 1, 1, 1, 1, 'extra')).toBe(5);
    const log: string[] = [];
    const v = (x: number, tag: string) => ({
      valueOf: () => {
        log.push(tag);
        return x;
      },
    });
    expect(e.three(v(1, 'a'), v(2, 'b'), v(4, 'c'))).toBe(7);
    expect(e.four(v(1, 'd'), v(1, 'e'), v(1, 'f'), v(1, 'g'))).toBe(1111);
    expect(log).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    expect(() => e.two(0, 1n)).toThrow(TypeError);
    expect(() => e.four(0, 0, Symbol('s'), 0)).toThrow(TypeError);
  });

  test('valueOf runs once per argument, in order, before the call', () => {
    const log: number[] = [];
    const v = (x: number) => ({
      valueOf: () => {
        log.push(x);
        return x;
      },
    });
    expect(e.six(v(1), v(2), v(3), v(4), v(5), v(6))).toBe(1 + 2 + 3 + 4 + 10 + 6);
    expect(e.seven(v(1), v(2), v(3), v(4), v(5), v(6), v(7))).toBe(1 + 2 + 3 + 4 + 10 + 6 + 7);
    expect(log).toEqual([1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6, 7]);
  });

  test('a BigInt or Symbol argument is a TypeError; a trap is a RuntimeError', () => {
    expect(() => e.six(1n, 0, 0, 0, 0, 0)).toThrow(TypeError);
    expect(() => e.six(0, Symbol('s'), 0, 0, 0, 0)).toThrow(TypeError);
    expect(() => e.seven(0, 0, 0, 0, 0, 0, 1n)).toThrow(TypeError);
    expect(() => e.trap(0)).toThrow(W.RuntimeError);
    expect(e.trap(1)).toBe(1);
  });
});

describe.each([
  ['native', native],
  ['jetwasm', ours],
] as const)('%s WebAssembly', (_label, W) => {
  const module = new W.Module(ADD);
  const exp = new W.Instance(module, {}).exports as Record<string, any>;

  test('Module descriptors and custom sections', () => {
    expect(W.Module.exports(module)).toContainEqual({ name: 'add', kind: 'function' });
    expect(W.Module.exports(module)).toContainEqual({ name: 'mem', kind: 'memory' });
    expect(W.Module.exports(module)).toContainEqual({ name: 'table', kind: 'table' });
    expect(W.Module.exports(module)).toContainEqual({ name: 'g', kind: 'global' });
    expect(W.Module.imports(new W.Module(IMPORTS))).toEqual([
      { module: 'env', name: 'f', kind: 'function' },
      { module: 'env', name: 'g', kind: 'global' },
      { module: 'env', name: 'm', kind: 'memory' },
      { module: 'env', name: 't', kind: 'table' },
    ]);
    const sections = W.Module.customSections(module, 'meta');
    expect(sections).toHaveLength(1);
    expect(Buffer.from(new Uint8Array(sections[0])).toString()).toBe('hello');
    expect(W.Module.customSections(module, 'none')).toEqual([]);
  });

  test('exports object is frozen with a null prototype', () => {
    expect(Object.getPrototypeOf(exp)).toBeNull();
    expect(Object.isFrozen(exp)).toBe(true);
  });

  test('exported functions: name, length, identity, not constructors', () => {
    expect(exp.add.name).toBe('0');
    expect(exp.add.length).toBe(2);
    expect(exp.add_again).toBe(exp.add);
    expect(exp.tableGet(0)).toBe(exp.add);
    expect(exp.same).not.toBe(exp.add);
    expect(() => new exp.add(1, 2)).toThrow(TypeError);
  });

  test('ToWebAssemblyValue / ToJSValue', () => {
    expect(exp.add(2 ** 31 - 1, 1)).toBe(-(2 ** 31));
    expect(exp.add('3', { valueOf: () => 4 })).toBe(7);
    expect(exp.add(1.9, undefined)).toBe(1);
    expect(() => exp.add(1n, 2)).toThrow(TypeError);
    expect(exp.add64(2n ** 63n - 1n, 1n)).toBe(-(2n ** 63n));
    expect(exp.add64('5', true)).toBe(6n);
    expect(() => exp.add64(1, 2)).toThrow(TypeError);
    expect(exp.f32id(0.1)).toBe(Math.fround(0.1));
    expect(exp.two()).toEqual([7, -1n]);
  });

  test('traps are RuntimeErrors', () => {
    expect(() => exp.div(1, 0)).toThrow(W.RuntimeError);
    let err: unknown;
    try {
      exp.div(1, 0);
    } catch (e) {
      err = e;
    }
    expect((err as Error).name).toBe('RuntimeError');
    expect(err).toBeInstanceOf(Error);
  });

  test('Memory: buffer replaced and old one detached on grow', () => {
    const mem = exp.mem as InstanceType<WA['Memory']>;
    const b0 = mem.buffer;
    expect(b0.byteLength).toBe(65536);
    expect(mem.buffer).toBe(b0);
    expect(mem.grow(1)).toBe(1);
    expect(b0.byteLength).toBe(0);
    expect(mem.buffer.byteLength).toBe(2 * 65536);
    const b1 = mem.buffer;
    expect(mem.grow(0)).toBe(2);
    expect(b1.byteLength).toBe(0);
    expect(mem.buffer).not.toBe(b1);
    expect(() => mem.grow(10)).toThrow(RangeError);
    const m = new W.Memory({ initial: 1, maximum: 2 });
    expect(m.buffer.byteLength).toBe(65536);
    expect(() => new W.Memory({ initial: 2, maximum: 1 })).toThrow(RangeError);
    expect(() => new W.Memory({} as { initial: number })).toThrow(TypeError);
  });

  test('Table: get/set/grow/length and element types', () => {
    const t = exp.table as InstanceType<WA['Table']>;
    expect(t.length).toBe(2);
    expect(t.get(0)).toBe(exp.add);
    expect(t.get(1)).toBeNull();
    t.set(1, exp.div);
    expect(t.get(1)).toBe(exp.div);
    expect(() => t.set(0, () => 1)).toThrow(TypeError);
    expect(() => t.get(5)).toThrow(RangeError);
    expect(t.grow(1)).toBe(2);
    expect(t.length).toBe(3);
    const ext = new W.Table({ element: 'externref', initial: 2 });
    expect(ext.get(0)).toBeUndefined();
    const o = {};
    ext.set(1, o);
    expect(ext.get(1)).toBe(o);
    const f = new W.Table({ element: 'anyfunc', initial: 1 });
    expect(f.get(0)).toBeNull();
    expect(() => new W.Table({ element: 'i32' as 'anyfunc', initial: 1 })).toThrow(TypeError);
  });

  test('Global: value, valueOf, mutability, i64 as BigInt', () => {
    const g = exp.g as InstanceType<WA['Global']>;
    expect(g.value).toBe(42);
    g.value = 43;
    expect(g.valueOf()).toBe(43);
    expect((exp.g64 as InstanceType<WA['Global']>).value).toBe(-5n);
    expect(() => {
      (exp.g64 as InstanceType<WA['Global']>).value = 1n;
    }).toThrow(TypeError);
    const h = new W.Global({ value: 'i64', mutable: true }, 7n);
    expect(h.value).toBe(7n);
    expect(new W.Global({ value: 'i32' }).value).toBe(0);
    expect(new W.Global({ value: 'f32' }, 0.1).value).toBe(Math.fround(0.1));
    expect(() => new W.Global({ value: 'i64' }, 1 as never)).toThrow(TypeError);
  });

  test('imports: JS functions, values, memories, tables; errors', () => {
    const im = new W.Module(IMPORTS);
    const mem = new W.Memory({ initial: 1 });
    const table = new W.Table({ element: 'anyfunc', initial: 1 });
    const seen: unknown[] = [];
    const env = {
      f: (a: number, b: bigint) => {
        seen.push(a, b);
        return 10;
      },
      g: 5,
      m: mem,
      t: table,
    };
    const e = new W.Instance(im, { env }).exports as Record<string, any>;
    expect(e.callF(3, 4n)).toBe(10);
    expect(seen).toEqual([3, 4n]);
    expect(e.readG()).toBe(5);
    new Uint32Array(mem.buffer)[1] = 0xdeadbeef;
    expect(e.load(4)).toBe(0xdeadbeef | 0);
    const before = mem.buffer;
    expect(e.grow(1)).toBe(1);
    expect(before.byteLength).toBe(0);
    expect(mem.buffer.byteLength).toBe(2 * 65536);

    expect(() => new W.Instance(im)).toThrow(TypeError);
    expect(() => new W.Instance(im, {})).toThrow(TypeError);
    expect(() => new W.Instance(im, { env: { ...env, f: 1 } })).toThrow(W.LinkError);
    expect(() => new W.Instance(im, { env: { ...env, g: 1n as never } })).toThrow(W.LinkError);
    expect(() => new W.Instance(im, { env: { ...env, m: {} as never } })).toThrow(W.LinkError);
    expect(() => new W.Instance(im, { env: { ...env, t: new W.Table({ element: 'externref', initial: 1 }) } })).toThrow(
      W.LinkError,
    );
    expect(() => new W.Instance(im, { env: { ...env, f: exp.add } })).toThrow(W.LinkError);
  });

  test('JS functions of every plain signature: arguments and results converted', () => {
    const m = new W.Module(
      parseWat(`(module
        (import "h" "z" (func $z (result i32)))
        (import "h" "one" (func $one (param f64) (result f32)))
        (import "h" "two" (func $two (param i32 f32) (result f64)))
        (import "h" "three" (func $three (param f64 i32 i32) (result i32)))
        (import "h" "four" (func $four (param i32 i32 i32 f32)))
        (func (export "z") (result i32) (call $z))
        (func (export "one") (param f64) (result f32) (call $one (local.get 0)))
        (func (export "two") (param i32 f32) (result f64) (call $two (local.get 0) (local.get 1)))
        (func (export "three") (param f64 i32 i32) (result i32)
          (call $three (local.get 0) (local.get 1) (local.get 2)))
        (func (export "four") (param i32 i32 i32 f32) (call $four (local.get 0) (local.get 1) (local.get 2) (local.get 3))))`),
    );
    const seen: unknown[][] = [];
    let thisSeen: unknown = 'unset';
    const h = {
      z(this: unknown, ...a: unknown[]) {
        thisSeen = this;
        seen.push(a);
        return '12.9';
      },
      one: (...a: unknown[]) => (seen.push(a), { valueOf: () => 0.1 }),
      two: (...a: unknown[]) => (seen.push(a), true),
      three: (...a: unknown[]) => (seen.push(a), 2 ** 32 + 7),
      four: (...a: unknown[]) => (seen.push(a), 'ignored'),
    };
    const e = new W.Instance(m, { h }).exports as Record<string, any>;
    expect(e.z()).toBe(12);
    expect(thisSeen).toBeUndefined();
    expect(e.one(-0.5)).toBe(Math.fround(0.1));
    expect(e.two(-1, 0.1)).toBe(1);
    expect(e.three(NaN, -2, 3)).toBe(7);
    expect(e.four(1, 2, 3, 1.5)).toBeUndefined();
    expect(seen).toEqual([[], [-0.5], [-1, Math.fround(0.1)], [NaN, -2, 3], [1, 2, 3, 1.5]]);
    const boom = new Error('boom');
    const bad = new W.Instance(m, {
      h: {
        ...h,
        z: () => {
          throw boom;
        },
        one: () => ({
          valueOf: () => {
            throw boom;
          },
        }),
        two: () => 1n,
      },
    }).exports as Record<string, any>;
    expect(() => bad.z()).toThrow(boom);
    expect(() => bad.one(0)).toThrow(boom);
    expect(() => bad.two(0, 0)).toThrow(TypeError);
  });

  test('host exceptions pass through Wasm frames unchanged', () => {
    const im = new W.Module(IMPORTS);
    const boom = new RangeError('boom');
    const env = {
      f: () => {
        throw boom;
      },
      g: 0,
      m: new W.Memory({ initial: 1 }),
      t: new W.Table({ element: 'anyfunc', initial: 1 }),
    };
    const e = new W.Instance(im, { env }).exports as Record<string, any>;
    let caught: unknown;
    try {
      e.callF(1, 1n);
    } catch (x) {
      caught = x;
    }
    expect(caught).toBe(boom);
  });

  test('Tag and Exception', () => {
    const tag = new W.Tag({ parameters: ['i32'] });
    const other = new W.Tag({ parameters: ['i32'] });
    let hostThrow: unknown = null;
    const m = new W.Module(THROWS);
    const e = new W.Instance(m, {
      env: {
        tag: tag as never,
        host: () => {
          if (hostThrow) throw hostThrow;
        },
      },
    }).exports as Record<string, any>;
    let caught: any;
    try {
      e.throw(9);
    } catch (x) {
      caught = x;
    }
    expect(caught).toBeInstanceOf(W.Exception);
    expect(caught.is(tag)).toBe(true);
    expect(caught.is(other)).toBe(false);
    expect(caught.getArg(tag, 0)).toBe(9);
    expect(() => caught.getArg(other, 0)).toThrow(TypeError);
    expect(() => caught.getArg(tag, 1)).toThrow(RangeError);
    hostThrow = new W.Exception(tag, [77]);
    expect(e.catchHost()).toBe(77);
    hostThrow = new W.Exception(other, [1]);
    let escaped: unknown;
    try {
      e.catchHost();
    } catch (x) {
      escaped = x;
    }
    expect(escaped).toBe(hostThrow);
    expect(new W.Exception(tag, [1]).stack).toBeUndefined();
  });

  test('validate, compile, instantiate', async () => {
    expect(W.validate(ADD)).toBe(true);
    expect(W.validate(new Uint8Array([0, 97, 115, 109, 2, 0, 0, 0]))).toBe(false);
    expect(() => new W.Module(new Uint8Array([1, 2, 3]))).toThrow(W.CompileError);
    await expect(W.compile(new Uint8Array([1, 2, 3]))).rejects.toBeInstanceOf(W.CompileError);
    const m = await W.compile(ADD.buffer.slice(ADD.byteOffset, ADD.byteOffset + ADD.byteLength) as ArrayBuffer);
    expect(m).toBeInstanceOf(W.Module);
    const inst = await W.instantiate(m);
    expect(inst).toBeInstanceOf(W.Instance);
    const both = await W.instantiate(ADD);
    expect(both.module).toBeInstanceOf(W.Module);
    expect((both.instance.exports.add as (a: number, b: number) => number)(2, 3)).toBe(5);
    await expect(W.instantiate(new W.Module(IMPORTS), {})).rejects.toBeInstanceOf(TypeError);
    await expect(W.compile('nope' as unknown as BufferSource)).rejects.toBeInstanceOf(TypeError);
  });
});

describe('jetwasm facade only', () => {
  const exp = new ours.Instance(new ours.Module(ADD), {}).exports as Record<string, any>;

  test('error classes are its own and named', () => {
    expect(ours.RuntimeError).not.toBe(native.RuntimeError);
    expect(new ours.CompileError('x').name).toBe('CompileError');
    expect(new ours.LinkError('x')).toBeInstanceOf(Error);
  });

  test("stack overflow is the host's own error (a RangeError on V8), as the JS API says", () => {
    let err: unknown;
    try {
      exp.recurse();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RangeError);
    expect(err).not.toBeInstanceOf(ours.RuntimeError);
  });

  test('trap messages are the spec text', () => {
    expect(() => exp.div(1, 0)).toThrow('integer divide by zero');
  });

  test('compileStreaming / instantiateStreaming take a Response or a promise of one', async () => {
    const response = (type: string | null, ok = true) => ({
      ok,
      status: ok ? 200 : 404,
      headers: { get: (n: string) => (n.toLowerCase() === 'content-type' ? type : null) },
      arrayBuffer: async () => ADD.slice().buffer,
    });
    const m = await facade.compileStreaming(response('application/wasm'));
    expect(m).toBeInstanceOf(facade.Module);
    const r = await facade.instantiateStreaming(Promise.resolve(response('application/wasm')), {});
    expect((r.instance.exports.add as (a: number, b: number) => number)(1, 1)).toBe(2);
    await expect(facade.compileStreaming(response('text/html'))).rejects.toBeInstanceOf(TypeError);
    await expect(facade.compileStreaming(response('application/wasm', false))).rejects.toBeInstanceOf(TypeError);
    await expect(facade.compileStreaming(Promise.resolve(42 as never))).rejects.toBeInstanceOf(TypeError);
  });

  test('externref globals default to undefined (DefaultValue(externref))', () => {
    expect(new facade.Global({ value: 'externref' }).value).toBeUndefined();
    expect(new facade.Global({ value: 'anyfunc' }).value).toBeNull();
  });

  test('an Exception payload must match the tag', () => {
    const tag = new facade.Tag({ parameters: ['i32', 'i64'] });
    expect(() => new facade.Exception(tag, [1])).toThrow(TypeError);
    const e = new facade.Exception(tag, [1, 2n], { traceStack: true });
    expect(typeof e.stack).toBe('string');
    expect(e.getArg(tag, 1)).toBe(2n);
  });

  test('memory64 and anyref descriptors', () => {
    const m = new facade.Memory({ initial: 1n, maximum: 3n, address: 'i64' } as never);
    expect(m.buffer.byteLength).toBe(65536);
    const t = new facade.Table({ element: 'anyref', initial: 1 }, 5);
    expect(t.get(0)).toBe(5);
  });

  test('the polyfill leaves an existing WebAssembly alone', () => {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('../../polyfill');
    });
    expect(globalThis.WebAssembly).toBe(native);
  });

  test('the polyfill installs the facade where WebAssembly is missing', () => {
    const g = globalThis as { WebAssembly?: unknown };
    const saved = g.WebAssembly;
    delete g.WebAssembly;
    try {
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require('../../polyfill');
      });
      expect(Object.prototype.toString.call(g.WebAssembly)).toBe('[object WebAssembly]');
      expect(g.WebAssembly).not.toBe(native);
    } finally {
      g.WebAssembly = saved;
    }
  });
});
