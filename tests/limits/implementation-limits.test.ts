// Every implementation limit of compiler/limits.ts, through the embedder API (Engine,
// Module.fromBinary, Linker, Store) and the JS API facade: a module exactly at the limit
// compiles (and, where that is cheap, instantiates and runs); one just past it is a
// CompileError whose message names the limit. The JS API's table size is a limit of
// instantiation, not of compilation, and the 65536 pages of a 32-bit memory are core
// validation's; both are checked here too.

import { LIMITS } from '../../compiler/limits';
import { EXTERNREF } from '../../compiler/ir';
import { parseWat } from '../../compiler/text';
import {
  CompileError,
  Engine,
  Func,
  Global,
  Linker,
  Module,
  RuntimeError,
  Store,
  type Instance,
} from '../../runtime/index';
import { WebAssembly as W } from '../../runtime/jsapi/index';
import { uleb } from '../support/leb';

// ------------------------------------------------------------------ byte-level helpers

/** A growable byte buffer: modules of millions of items are built without spreading. */
class Bytes {
  private buf = new Uint8Array(1024);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  push(...bs: number[]): this {
    this.room(bs.length);
    for (const b of bs) this.buf[this.length++] = b;
    return this;
  }

  append(bs: Uint8Array | number[]): this {
    this.room(bs.length);
    this.buf.set(bs, this.length);
    this.length += bs.length;
    return this;
  }

  /** `count` copies of `pattern`. */
  repeat(pattern: number[], count: number): this {
    const n = pattern.length * count;
    this.room(n);
    const p = Uint8Array.from(pattern);
    if (p.length === 1) this.buf.fill(p[0], this.length, this.length + n);
    else for (let i = 0; i < count; i++) this.buf.set(p, this.length + i * p.length);
    this.length += n;
    return this;
  }

  uleb(n: number): this {
    return this.push(...uleb(n));
  }

  bytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** A vector: its count, then `count` copies of `entry`. */
function vec(count: number, entry: number[]): Bytes {
  return new Bytes().uleb(count).repeat(entry, count);
}

type Section = [id: number, content: Bytes | number[]];

function wasm(...sections: Section[]): Uint8Array {
  const out = new Bytes().push(0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0);
  for (const [id, content] of sections) {
    const c = content instanceof Bytes ? content.bytes() : Uint8Array.from(content);
    out.push(id).uleb(c.length).append(c);
  }
  return out.bytes();
}

/** A code section of one body: locals groups ([count, type]) and instructions, end added. */
function codeSection(localGroups: [number, number][], instrs: Bytes | number[]): Section {
  const body = new Bytes().uleb(localGroups.length);
  for (const [n, t] of localGroups) body.uleb(n).push(t);
  body.append(instrs instanceof Bytes ? instrs.bytes() : instrs).push(0x0b);
  const b = body.bytes();
  return [10, new Bytes().push(1).uleb(b.length).append(b)];
}

const SECTION = {
  type: 1,
  import: 2,
  func: 3,
  table: 4,
  memory: 5,
  global: 6,
  export: 7,
  elem: 9,
  code: 10,
  data: 11,
  dataCount: 12,
  tag: 13,
};
const I32 = 0x7f;
const FUNC_VOID = [0x60, 0, 0];
/** (func (param i32) (result i32)). */
const FUNC_I32_I32 = [0x60, 1, I32, 1, I32];
/** One function of type 0 exported as "run". */
const RUN_FUNC: Section[] = [
  [SECTION.func, [1, 0]],
  [SECTION.export, [1, 3, 0x72, 0x75, 0x6e, 0, 0]],
];

/** An export entry named `f<k>` of function 0. */
function exportEntry(k: number): number[] {
  const name = [...`f${k}`].map((c) => c.charCodeAt(0));
  return [name.length, ...name, 0, 0];
}

// ------------------------------------------------------------------ the two checks

/** `bytes` compiles through the embedder API; `run` (when given) gets an instance. */
function acceptsEmbedder(bytes: Uint8Array, run?: (i: Instance) => void): void {
  const engine = new Engine();
  const m = Module.fromBinary(engine, bytes);
  if (run) run(new Linker(engine).instantiate(new Store(engine), m));
}

/**
 * `bytes` compiles through both APIs; `run` (when given) gets an embedder instance, and
 * `runFacade` a facade instance's exports.
 */
function accepts(
  bytes: Uint8Array,
  run?: (i: Instance) => void,
  runFacade?: (exports: Record<string, unknown>) => void,
): void {
  acceptsEmbedder(bytes, run);
  const fm = new W.Module(bytes);
  if (runFacade) runFacade(new W.Instance(fm, {}).exports as Record<string, unknown>);
}

/** `bytes` is a CompileError matching `message` through both APIs, and does not validate. */
function rejects(bytes: Uint8Array, message: RegExp): void {
  let err: unknown;
  try {
    Module.fromBinary(new Engine(), bytes);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(CompileError);
  expect((err as Error).message).toMatch(message);
  expect(() => new W.Module(bytes)).toThrow(W.CompileError);
  expect(() => new W.Module(bytes)).toThrow(message);
  expect(W.validate(bytes)).toBe(false);
}

/** The message of a count limit: `too many <what> (<n>; the implementation limit is <limit>)`. */
function tooMany(what: string, n: number, limit: number): RegExp {
  return new RegExp(`too many ${what.replace(/\./g, '\\.')} \\(${n}; the implementation limit is ${limit}\\)`);
}

// ------------------------------------------------------------------ module counts

describe("counts of a module's items", () => {
  test('types and recursion groups: 1,000,000', () => {
    const n = LIMITS.types;
    expect(LIMITS.recGroups).toBe(n);
    accepts(wasm([SECTION.type, vec(n, FUNC_VOID)]));
    rejects(wasm([SECTION.type, vec(n + 1, FUNC_VOID)]), tooMany('recursion groups', n + 1, n));
    // One rec group of n + 1 types: its size is checked before its types are read.
    rejects(
      wasm([
        SECTION.type,
        new Bytes()
          .push(1, 0x4e)
          .uleb(n + 1)
          .repeat(FUNC_VOID, n + 1),
      ]),
      tooMany('types', n + 1, n),
    );
  }, 60_000);

  test('subtype depth: 63', () => {
    // Type 0 is open with no supertype (depth 0); type k is an open subtype of type k - 1.
    const chain = (types: number): Uint8Array => {
      const s = new Bytes().uleb(types).push(0x50, 0, 0x5f, 0);
      for (let k = 1; k < types; k++) s.push(0x50, 1, ...uleb(k - 1), 0x5f, 0);
      return wasm([SECTION.type, s]);
    };
    const d = LIMITS.subtypeDepth;
    expect(d).toBe(63);
    accepts(
      chain(d + 1),
      (i) => expect(i.exports.size).toBe(0),
      (e) => expect(Object.keys(e)).toEqual([]),
    );
    rejects(
      chain(d + 2),
      new RegExp(`subtype chain too deep at type ${d + 1} \\(depth ${d + 1}; the implementation limit is ${d}\\)`),
    );
  });

  test('functions: 1,000,000 (over the limit; limits.test.ts runs one at it)', () => {
    const n = LIMITS.functions;
    rejects(wasm([SECTION.type, [1, ...FUNC_VOID]], [SECTION.func, vec(n + 1, [0])]), tooMany('functions', n + 1, n));
  });

  test('imports: 1,000,000', () => {
    const n = LIMITS.imports;
    // (import "" "" (func (type 0)))
    accepts(wasm([SECTION.type, [1, ...FUNC_VOID]], [SECTION.import, vec(n, [0, 0, 0, 0])]));
    rejects(
      wasm([SECTION.type, [1, ...FUNC_VOID]], [SECTION.import, vec(n + 1, [0, 0, 0, 0])]),
      tooMany('imports', n + 1, n),
    );
  }, 60_000);

  test('exports: 1,000,000', () => {
    const n = LIMITS.exports;
    const exports = (count: number): Bytes => {
      const s = new Bytes().uleb(count);
      for (let k = 0; k < count; k++) s.push(...exportEntry(k));
      return s;
    };
    const module = (count: number): Uint8Array =>
      wasm(
        [SECTION.type, [1, ...FUNC_VOID]],
        [SECTION.func, [1, 0]],
        [SECTION.export, exports(count)],
        codeSection([], []),
      );
    accepts(module(n));
    rejects(module(n + 1), tooMany('exports', n + 1, n));
  }, 60_000);

  test('globals: 1,000,000', () => {
    const n = LIMITS.globals;
    const global = [I32, 1, 0x41, 0, 0x0b]; // (global (mut i32) (i32.const 0))
    accepts(wasm([SECTION.global, vec(n, global)]));
    rejects(wasm([SECTION.global, vec(n + 1, global)]), tooMany('globals', n + 1, n));
  }, 60_000);

  test('tags: 1,000,000', () => {
    const n = LIMITS.tags;
    accepts(wasm([SECTION.type, [1, ...FUNC_VOID]], [SECTION.tag, vec(n, [0, 0])]));
    rejects(wasm([SECTION.type, [1, ...FUNC_VOID]], [SECTION.tag, vec(n + 1, [0, 0])]), tooMany('tags', n + 1, n));
  }, 60_000);

  test('data segments: 100,000, in the data count section and the data section', () => {
    const n = LIMITS.dataSegments;
    const passive = [1, 0]; // passive, no bytes
    accepts(wasm([SECTION.dataCount, uleb(n)], [SECTION.data, vec(n, passive)]), (i) => expect(i.exports.size).toBe(0));
    rejects(
      wasm([SECTION.dataCount, uleb(n + 1)], [SECTION.data, vec(n + 1, passive)]),
      tooMany('data segments', n + 1, n),
    );
    rejects(wasm([SECTION.data, vec(n + 1, passive)]), tooMany('data segments', n + 1, n));
  });

  test('element segments: 10,000,000; entries of one segment: 10,000,000', () => {
    const n = LIMITS.elementSegments;
    const passive = [1, 0, 0]; // passive, elemkind funcref, no entries
    // Ten million items: decoded once (the facade decodes with the same decoder).
    acceptsEmbedder(wasm([SECTION.elem, vec(n, passive)]));
    rejects(wasm([SECTION.elem, vec(n + 1, passive)]), tooMany('element segments', n + 1, n));
    const e = LIMITS.tableInitEntries;
    // One passive segment of e references to function 0.
    const entries = (count: number): Uint8Array =>
      wasm(
        [SECTION.type, [1, ...FUNC_VOID]],
        [SECTION.func, [1, 0]],
        [SECTION.elem, new Bytes().push(1, 1, 0).uleb(count).repeat([0], count)],
        codeSection([], []),
      );
    acceptsEmbedder(entries(e));
    rejects(entries(e + 1), tooMany('element segment entries', e + 1, e));
  }, 60_000);

  test('tables: 100,000, imported and defined', () => {
    const n = LIMITS.tables;
    const table = [0x70, 0, 0]; // funcref, no maximum, 0 elements
    accepts(wasm([SECTION.table, vec(n, table)]), (i) => expect(i.exports.size).toBe(0));
    rejects(wasm([SECTION.table, vec(n + 1, table)]), tooMany('tables', n + 1, n));
    // One imported table and n defined ones.
    rejects(
      wasm([SECTION.import, [1, 0, 0, 1, ...table]], [SECTION.table, vec(n, table)]),
      tooMany('tables', n + 1, n),
    );
  }, 60_000);

  test('memories: 100', () => {
    const n = LIMITS.memories;
    const memory = [0, 0]; // no maximum, 0 pages
    accepts(
      wasm([SECTION.memory, vec(n, memory)]),
      (i) => expect(i.exports.size).toBe(0),
      (e) => expect(e).toEqual({}),
    );
    rejects(wasm([SECTION.memory, vec(n + 1, memory)]), tooMany('memories', n + 1, n));
  });
});

// ------------------------------------------------------------------ types

describe('sizes of types', () => {
  test('parameters: 1,000', () => {
    const n = LIMITS.params;
    // (func (param i32 * n) (result i32) (local.get (n - 1)))
    const module = (count: number): Uint8Array =>
      wasm(
        [SECTION.type, new Bytes().push(1, 0x60).uleb(count).repeat([I32], count).push(1, I32)],
        ...RUN_FUNC,
        codeSection([], [0x20, ...uleb(count - 1)]),
      );
    const args = Array.from({ length: n }, (_, k) => k);
    accepts(
      module(n),
      (i) => expect(i.getFunc('run')!.call(...args)).toEqual([n - 1]),
      (e) => expect((e.run as (...a: number[]) => number)(...args)).toBe(n - 1),
    );
    rejects(
      module(n + 1),
      new RegExp(`too many parameters in type 0 \\(${n + 1}; the implementation limit is ${n}\\)`),
    );
  });

  test('results: 1,000', () => {
    const n = LIMITS.results;
    // (func (result i32 * n) (i32.const 0) ... (i32.const n - 1)): numbers below 64 are one byte.
    const module = (count: number): Uint8Array => {
      const body = new Bytes();
      for (let k = 0; k < count; k++) body.push(0x41, k & 63);
      return wasm(
        [SECTION.type, new Bytes().push(1, 0x60, 0).uleb(count).repeat([I32], count)],
        ...RUN_FUNC,
        codeSection([], body),
      );
    };
    const want = Array.from({ length: n }, (_, k) => k & 63);
    accepts(
      module(n),
      (i) => expect(i.getFunc('run')!.call()).toEqual(want),
      (e) => expect((e.run as () => number[])()).toEqual(want),
    );
    rejects(module(n + 1), new RegExp(`too many results in type 0 \\(${n + 1}; the implementation limit is ${n}\\)`));
  });

  test('struct fields: 10,000', () => {
    const n = LIMITS.structFields;
    const module = (count: number): Uint8Array =>
      wasm([SECTION.type, new Bytes().push(1, 0x5f).uleb(count).repeat([I32, 1], count)]);
    accepts(module(n));
    rejects(module(n + 1), new RegExp(`too many fields in type 0 \\(${n + 1}; the implementation limit is ${n}\\)`));
  });
});

// ------------------------------------------------------------------ function bodies

describe('function bodies', () => {
  /** (type 0) is [i32] -> [i32]: "run" takes and returns an i32. */
  const TYPE_I32_I32: Section = [SECTION.type, [1, ...FUNC_I32_I32]];

  test('body size: 7,654,321 bytes', () => {
    const n = LIMITS.functionBodyBytes;
    // Size n: the locals vector (1 byte), n - 4 nops, local.get 0 (2 bytes), end.
    const module = (size: number): Uint8Array =>
      wasm(TYPE_I32_I32, ...RUN_FUNC, codeSection([], new Bytes().repeat([0x01], size - 4).push(0x20, 0)));
    accepts(module(n), (i) => expect(i.getFunc('run')!.call(5)).toEqual([5]));
    rejects(
      module(n + 1),
      new RegExp(`function body too large \\(${n + 1} bytes; the implementation limit is ${n}\\)`),
    );
  }, 60_000);

  test('locals: 50,000, the parameters included', () => {
    const n = LIMITS.locals;
    // The parameter and count - 1 declared locals; returns the parameter plus the last local.
    const module = (count: number): Uint8Array =>
      wasm(TYPE_I32_I32, ...RUN_FUNC, codeSection([[count - 1, I32]], [0x20, 0, 0x20, ...uleb(count - 1), 0x6a]));
    accepts(
      module(n),
      (i) => expect(i.getFunc('run')!.call(9)).toEqual([9]),
      (e) => expect((e.run as (x: number) => number)(9)).toBe(9),
    );
    rejects(module(n + 1), tooMany('locals', n + 1, n));
  });

  test('br_table targets: 65,520', () => {
    const n = LIMITS.brTableTargets;
    // (block (br_table 0 * count 0 (local.get 0))) (i32.const 7): every target leaves the block.
    const module = (count: number): Uint8Array =>
      wasm(
        TYPE_I32_I32,
        ...RUN_FUNC,
        codeSection(
          [],
          new Bytes().push(0x02, 0x40, 0x20, 0, 0x0e).uleb(count).repeat([0], count).push(0, 0x0b, 0x41, 7),
        ),
      );
    accepts(
      module(n),
      (i) => expect([0, 1, n, -1].map((x) => i.getFunc('run')!.call(x)[0])).toEqual([7, 7, 7, 7]),
      (e) => expect((e.run as (x: number) => number)(3)).toBe(7),
    );
    rejects(module(n + 1), tooMany('br_table targets', n + 1, n));
  }, 60_000);

  test('control nesting: 100,000, through the decoder and through the fast validator', () => {
    const n = LIMITS.nesting;
    // count nested blocks, innermost a br_if out of the outermost; then the parameter.
    const module = (count: number, opener: number[]): Uint8Array =>
      wasm(
        TYPE_I32_I32,
        ...RUN_FUNC,
        codeSection(
          [],
          new Bytes()
            .repeat(opener, count)
            .push(0x20, 0, 0x0d, ...uleb(count - 1))
            .repeat([0x0b], count)
            .push(0x20, 0),
        ),
      );
    const block = [0x02, 0x40];
    accepts(module(n, block), (i) => expect(i.getFunc('run')!.call(4)).toEqual([4]));
    const past = new RegExp(`control constructs nested too deeply \\(${n + 1}; the implementation limit is ${n}\\)`);
    rejects(module(n + 1, block), past);
    // try_table is not on the fast validator's path: the streaming decoder reports it.
    rejects(module(n + 1, [0x1f, 0x40, 0]), past);
  }, 60_000);

  test('array.new_fixed operands: 10,000', () => {
    const n = LIMITS.arrayNewFixed;
    // (type 0 (array (mut i32))) (type 1 (func (result i32)))
    // (func (type 1) (array.len (array.new_fixed 0 count (i32.const 1) * count)))
    const module = (count: number): Uint8Array =>
      wasm(
        [SECTION.type, [2, 0x5e, I32, 1, 0x60, 0, 1, I32]],
        [SECTION.func, [1, 1]],
        [SECTION.export, [1, 3, 0x72, 0x75, 0x6e, 0, 0]],
        codeSection([], new Bytes().repeat([0x41, 1], count).push(0xfb, 0x08, 0).uleb(count).push(0xfb, 0x0f)),
      );
    accepts(
      module(n),
      (i) => expect(i.getFunc('run')!.call()).toEqual([n]),
      (e) => expect((e.run as () => number)()).toBe(n),
    );
    rejects(module(n + 1), tooMany('array.new_fixed operands', n + 1, n));
  });
});

// ------------------------------------------------------------------ sizes at instantiation

describe('table and memory sizes', () => {
  const MAX_TABLE = 10_000_000;

  test('a table of 10,000,000 elements instantiates; one more compiles and fails to instantiate', () => {
    const module = (min: number): Uint8Array =>
      wasm([SECTION.table, [1, 0x70, 0, ...uleb(min)]], [SECTION.export, [1, 1, 0x74, 1, 0]]);
    accepts(
      module(MAX_TABLE),
      (i) => expect(i.getTable('t')!.size()).toBe(MAX_TABLE),
      (e) => expect((e.t as { length: number }).length).toBe(MAX_TABLE),
    );
    const past = module(MAX_TABLE + 1);
    const engine = new Engine();
    const m = Module.fromBinary(engine, past);
    expect(() => new Linker(engine).instantiate(new Store(engine), m)).toThrow(RuntimeError);
    expect(() => new Linker(engine).instantiate(new Store(engine), m)).toThrow(
      /table size exceeds implementation limit/,
    );
    expect(() => new W.Instance(new W.Module(past), {})).toThrow(RangeError);
  }, 60_000);

  test('a 32-bit memory of at most 65,536 pages compiles; 65,537 does not', () => {
    const module = (max: number): Uint8Array => wasm([SECTION.memory, [1, 1, 0, ...uleb(max)]]);
    accepts(module(65_536), (i) => expect(i.exports.size).toBe(0));
    rejects(module(65_537), /65536 pages/);
  });
});

// ------------------------------------------------------------------ regressions

describe('modules with many tables, tags, imports and globals instantiate', () => {
  // The generated factory declares a variable for each of the first items of these kinds
  // and reads the others from their slots (compiler/translate/env.ts PRELUDE_VARS): 100,000
  // tables once overflowed the stack when the factory ran.
  const N = 10_010;
  const last = N - 1;
  const wat = `(module
    ${'(import "m" "f" (func (param i32) (result i32)))\n'.repeat(N)}
    ${'(import "m" "g32" (global i32))\n'.repeat(N - 3)}
    (import "m" "g64" (global $g64 i64)) (import "m" "gref" (global $gref externref)) (import "m" "gmut" (global $gmut (mut i32)))
    ${'(global (mut externref) (ref.null extern))\n'.repeat(N)}
    ${'(table 1 funcref)\n'.repeat(N)}
    ${'(tag (param i32))\n'.repeat(N)}
    (func $id (param i32) (result i32) (local.get 0))
    (elem declare func $id)
    (func (export "run") (param i32) (result i32)
      (table.set ${last} (i32.const 0) (ref.func $id))
      (global.set $gmut (i32.add (global.get $gmut) (i32.const 1)))
      (global.set ${2 * N - 1} (global.get $gref))
      (block $b (result i32)
        (try_table (catch ${last} $b)
          (throw ${last} (i32.add
            (i32.add (call ${last} (local.get 0)) (global.get ${N - 4}))
            (i32.add (i32.wrap_i64 (global.get $g64))
              (call_indirect ${last} (param i32) (result i32) (global.get $gmut) (i32.const 0))))))
        (unreachable))
      (i32.add (ref.is_null (global.get ${2 * N - 1})))))`;

  test.each(['lazy', 'eager'] as const)(
    '%s',
    (compilation) => {
      const bytes = parseWat(wat);
      const engine = new Engine({ compilation });
      const store = new Store(engine);
      const linker = new Linker(engine);
      const m = Module.fromBinary(engine, bytes);
      const f = Func.fromHost(
        store,
        { kind: 'func', params: ['i32'], results: ['i32'] },
        (x: unknown) => (x as number) * 2,
      );
      linker.define('m', 'f', f);
      linker.define('m', 'g32', Global.create(store, { type: 'i32', mutable: false }, 100));
      linker.define('m', 'g64', Global.create(store, { type: 'i64', mutable: false }, 1000n));
      linker.define('m', 'gref', Global.create(store, { type: EXTERNREF, mutable: false }, null));
      const gmut = Global.create(store, { type: 'i32', mutable: true }, 5);
      linker.define('m', 'gmut', gmut);
      const run = linker.instantiate(store, m).getFunc('run')!;
      // 2x + 100 + 1000 + gmut (6 after the increment) + 1 (the copied null).
      expect(run.call(3)).toEqual([6 + 100 + 1000 + 6 + 1]);
      expect(gmut.get()).toBe(6);
    },
    60_000,
  );
});
