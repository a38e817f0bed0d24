// Facade behaviour the JS-API tests (wpt/) do not exercise: stack overflow, JS functions as
// externref values on every path, huge modules, the implementation limits' errors, and the
// names of the classes in the browser bundle.

import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EXTERNREF } from '../../compiler/ir';
import { parseWat } from '../../compiler/text';
import { Engine, Func, Global, Linker, Module, RuntimeError as EngineRuntimeError, Store } from '../../runtime/index';
import { WebAssembly as W } from '../../runtime/jsapi/index';

const ROOT = path.resolve(__dirname, '../..');

/** Unsigned LEB128. */
function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

/** A module of one section `id` holding `count` copies of `entry`. */
function moduleWith(id: number, count: number, entry: number[]): Uint8Array {
  const body = [...leb(count)];
  const bytes = new Uint8Array(8 + 1 + 5 + body.length + count * entry.length);
  bytes.set([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, id]);
  const size = leb(body.length + count * entry.length);
  let p = 9;
  bytes.set(size, p);
  p += size.length;
  bytes.set(body, p);
  p += body.length;
  for (let i = 0; i < count; i++, p += entry.length) bytes.set(entry, p);
  return bytes.subarray(0, p);
}

describe('stack overflow', () => {
  const wat = '(module (func $r (export "recurse") (call $r)))';

  test("is the host's own error through the facade, and a RuntimeError through the embedder API", () => {
    let hostError: unknown;
    const probe = (n: number): number => probe(n + 1) + 1;
    try {
      probe(0);
    } catch (e) {
      hostError = e;
    }

    const exports = new W.Instance(new W.Module(parseWat(wat))).exports as { recurse: () => void };
    let facadeError: unknown;
    try {
      exports.recurse();
    } catch (e) {
      facadeError = e;
    }
    expect(facadeError).toBeInstanceOf(RangeError);
    expect((facadeError as Error).constructor).toBe((hostError as Error).constructor);
    expect((facadeError as Error).message).toBe((hostError as Error).message);
    expect(facadeError).not.toBeInstanceOf(W.RuntimeError);

    const engine = new Engine();
    const store = new Store(engine);
    const inst = new Linker(engine).instantiate(store, Module.fromBinary(engine, parseWat(wat)));
    expect(() => inst.getFunc('recurse')!.call()).toThrow(EngineRuntimeError);
    expect(() => inst.getFunc('recurse')!.call()).toThrow('call stack exhausted');
  });

  test('and traps are not caught by Wasm when they cross a host function', () => {
    const bytes = parseWat(`(module
      (import "env" "host" (func $host))
      (func (export "trap") unreachable)
      (func (export "run") (result i32)
        (block $caught (try_table (catch_all $caught) (call $host)) (return (i32.const 0)))
        (i32.const 1)))`);
    let exports: Record<string, () => number> = {};
    exports = new W.Instance(new W.Module(bytes), { env: { host: () => exports.trap() } }).exports as typeof exports;
    expect(() => exports.run()).toThrow(W.RuntimeError);
  });
});

describe('a JS function is a value in an externref slot', () => {
  const fn = (): number => 42;

  test('passed to an imported function', () => {
    const bytes = parseWat(`(module
      (import "env" "take" (func $take (param externref) (result externref)))
      (func (export "pass") (param externref) (result externref) (call $take (local.get 0))))`);
    let seen: unknown;
    const exports = new W.Instance(new W.Module(bytes), {
      env: {
        take: (v: unknown) => {
          seen = v;
          return v;
        },
      },
    }).exports as {
      pass: (v: unknown) => unknown;
    };
    expect(exports.pass(fn)).toBe(fn);
    expect(seen).toBe(fn);
  });

  test('in globals and tables', () => {
    const g = new W.Global({ value: 'externref', mutable: true }, fn);
    expect(g.value).toBe(fn);
    const t = new W.Table({ element: 'externref', initial: 1 }, fn);
    expect(t.get(0)).toBe(fn);
    const exports = new W.Instance(
      new W.Module(
        parseWat(`(module
      (global (export "g") (mut externref) (ref.null extern))
      (func (export "set") (param externref) (global.set 0 (local.get 0))))`),
      ),
    ).exports as {
      g: { value: unknown };
      set: (v: unknown) => void;
    };
    exports.set(fn);
    expect(exports.g.value).toBe(fn);
  });

  test('through the embedder API, where a Func stored as externref stays a Func', () => {
    const engine = new Engine();
    const store = new Store(engine);
    const linker = new Linker(engine);
    let seen: unknown;
    linker.func('env', 'take', { params: [EXTERNREF], results: [] }, (v: unknown) => {
      seen = v;
    });
    const module = Module.fromBinary(
      engine,
      parseWat(`(module
      (import "env" "take" (func $take (param externref)))
      (func (export "pass") (param externref) (call $take (local.get 0))))`),
    );
    const pass = linker.instantiate(store, module).getFunc('pass')!;
    pass.call(fn);
    expect(seen).toBe(fn);
    pass.call(pass);
    expect(seen).toBe(pass);
    const g = Global.create(store, { type: EXTERNREF, mutable: true }, pass);
    expect(g.get()).toBeInstanceOf(Func);
    g.set(fn);
    expect(g.get()).toBe(fn);
  });
});

describe('huge modules and implementation limits', () => {
  test('1,000,000 globals validate and compile', () => {
    const bytes = moduleWith(6, 1_000_000, [0x7f, 0x01, 0x41, 0x00, 0x0b]);
    expect(W.validate(bytes)).toBe(true);
    expect(() => new W.Module(bytes)).not.toThrow();
  }, 120_000);

  test('a count over its limit is a CompileError naming the limit, before the items are read', () => {
    const bytes = moduleWith(6, 1_000_001, [0x7f, 0x01, 0x41, 0x00, 0x0b]);
    expect(W.validate(bytes)).toBe(false);
    expect(() => new W.Module(bytes)).toThrow(W.CompileError);
    expect(() => new W.Module(bytes)).toThrow(/too many globals \(1000001; the implementation limit is 1000000\)/);
    // A data count section declaring more segments than the limit, and no segments.
    const count = leb(100_001);
    expect(() => new W.Module(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 12, count.length, ...count]))).toThrow(
      /too many data segments/,
    );
  }, 120_000);

  test("limits the core spec does not share are the facade's own", () => {
    expect(() => new W.Module(parseWat('(module (memory i64 0 0x2000000000))'))).toThrow(W.CompileError);
    expect(W.validate(parseWat('(module (memory i64 0 0x1fffffffff))'))).toBe(true);
    const engine = new Engine();
    expect(() => Module.fromBinary(engine, parseWat('(module (memory i64 0 0x1_0000_0000_0000))'))).not.toThrow();
  });
});

test('classes keep their names in the browser bundle', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'jetwasm-bundle-names-'));
  const build = spawnSync(process.execPath, [path.join(ROOT, 'browser/build.js'), '--outdir', out, '--minify'], {
    encoding: 'utf8',
  });
  expect(build.status).toBe(0);
  const script = `
    const m = await import(${JSON.stringify(path.join(out, 'jetwasm.mjs'))});
    const W = m.WebAssembly;
    const names = ['Module', 'Instance', 'Memory', 'Table', 'Global', 'Tag', 'Exception', 'CompileError', 'LinkError', 'RuntimeError']
      .map((k) => W[k].name);
    const bytes = m.parseWat('(module (func (export "f") unreachable))');
    let facade, embedder;
    try { new W.Instance(new W.Module(bytes)).exports.f(); } catch (e) { facade = e.constructor.name; }
    const engine = new m.Engine();
    const inst = new m.Linker(engine).instantiate(new m.Store(engine), m.Module.fromBinary(engine, bytes));
    try { inst.getFunc('f').call(); } catch (e) { embedder = e.constructor.name; }
    const classes = ['Engine', 'Store', 'Module', 'Linker', 'Func', 'Memory', 'Table', 'Global', 'Tag'].map((k) => m[k].name);
    console.log(JSON.stringify({ names, facade, embedder, classes }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(JSON.parse(r.stdout)).toEqual({
    names: [
      'Module',
      'Instance',
      'Memory',
      'Table',
      'Global',
      'Tag',
      'Exception',
      'CompileError',
      'LinkError',
      'RuntimeError',
    ],
    facade: 'RuntimeError',
    embedder: 'RuntimeError',
    classes: ['Engine', 'Store', 'Module', 'Linker', 'Func', 'Memory', 'Table', 'Global', 'Tag'],
  });
}, 120_000);
