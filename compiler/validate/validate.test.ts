import { CompileError } from '../errors';
import { CatchKind, ref } from '../ir';
import type { FuncType, Instr, ModuleIR, SubType, ValType, CompositeType } from '../ir';
import { opByName } from '../opcodes';
import { decodeModule } from '../binary';
import { parseWat } from '../text';
import { resolveFeatures, type Features } from '../features';
import { uleb } from '../../tests/support/leb';
import {
  TypeRegistry,
  matchGlobalType,
  matchLimits,
  matchTableType,
  matchValType,
  typeRegistry,
  validateModule,
  validateModuleInfo,
} from './index';

const I = (name: string, imm: Partial<Instr> = {}): Instr => {
  const info = opByName.get(name);
  if (!info) throw new Error(`no op ${name}`);
  return { op: info.code, ...imm };
};
const fn = (params: ValType[], results: ValType[]): FuncType => ({ kind: 'func', params, results });
const sub = (comp: CompositeType, supers: number[] = [], final = true): SubType => ({ final, supers, comp });

function mod(p: Partial<ModuleIR> & { bodies?: { locals?: ValType[]; body: Instr[] }[] }): ModuleIR {
  const types = p.types ?? [];
  const bodies = p.bodies ?? [];
  return {
    types,
    recGroups: p.recGroups ?? types.map((_, i) => ({ start: i, count: 1 })),
    imports: p.imports ?? [],
    funcs: p.funcs ?? bodies.map(() => 0),
    tables: p.tables ?? [],
    memories: p.memories ?? [],
    globals: p.globals ?? [],
    tags: p.tags ?? [],
    exports: p.exports ?? [],
    start: p.start,
    elems: p.elems ?? [],
    datas: p.datas ?? [],
    dataCount: p.dataCount,
    codes: p.codes ?? bodies.map((b) => ({ locals: b.locals ?? [], body: b.body, pos: 0 })),
    customs: [],
    numImportedFuncs: p.numImportedFuncs ?? 0,
    numImportedTables: p.numImportedTables ?? 0,
    numImportedMemories: p.numImportedMemories ?? 0,
    numImportedGlobals: p.numImportedGlobals ?? 0,
    numImportedTags: p.numImportedTags ?? 0,
  };
}

/** A module with one function of type `sig` and the given body. */
const func1 = (sig: FuncType, body: Instr[], extra: Partial<ModuleIR> & { locals?: ValType[] } = {}): ModuleIR =>
  mod({ ...extra, types: [sub(sig), ...(extra.types ?? [])], bodies: [{ locals: extra.locals, body }] });

function invalidMsg(m: ModuleIR): string {
  try {
    validateModule(m);
  } catch (e) {
    expect(e).toBeInstanceOf(CompileError);
    expect((e as CompileError).kind).toBe('invalid');
    return (e as CompileError).reason;
  }
  throw new Error('module validated but should not have');
}

const mem1 = { limits: { min: 1 }, shared: false, addr: 'i32' as const, pageSizeLog2: 16 };

describe('function bodies', () => {
  test('numeric operators and type mismatches', () => {
    validateModule(
      func1(fn(['i32'], ['i32']), [I('local.get', { idx: 0 }), I('i32.const', { value: 1 }), I('i32.add')]),
    );
    expect(invalidMsg(func1(fn([], ['i32']), [I('i64.const', { value: 1n })]))).toBe('type mismatch');
    expect(invalidMsg(func1(fn([], []), [I('i32.const', { value: 1 })]))).toBe('type mismatch');
    expect(invalidMsg(func1(fn([], ['i32']), [I('i32.add')]))).toBe('type mismatch');
  });

  test('unreachable code is stack-polymorphic', () => {
    validateModule(func1(fn([], ['i32']), [I('unreachable'), I('i32.add')]));
    validateModule(func1(fn([], ['i64']), [I('unreachable'), I('select')]));
    expect(invalidMsg(func1(fn([], ['i32']), [I('unreachable'), I('i64.const', { value: 0n }), I('i32.add')]))).toBe(
      'type mismatch',
    );
  });

  test('blocks, branches, and labels', () => {
    validateModule(
      func1(fn([], ['i32']), [
        I('block', { bt: 'i32' }),
        I('i32.const', { value: 1 }),
        I('i32.const', { value: 0 }),
        I('br_if', { idx: 0 }),
        I('end'),
      ]),
    );
    expect(invalidMsg(func1(fn([], []), [I('br', { idx: 1 })]))).toBe('unknown label');
    validateModule(func1(fn([], []), [I('loop', { bt: null }), I('br', { idx: 0 }), I('end')]));
    // br_table arities must agree
    expect(
      invalidMsg(
        func1(fn([], []), [
          I('block', { bt: null }),
          I('block', { bt: 'i32' }),
          I('unreachable'),
          I('br_table', { labels: [0], idx: 1 }),
          I('end'),
          I('drop'),
          I('end'),
        ]),
      ),
    ).toBe('type mismatch');
    // if without else must have matching params/results
    expect(
      invalidMsg(
        func1(fn([], []), [
          I('i32.const', { value: 1 }),
          I('if', { bt: 'i32' }),
          I('i32.const', { value: 1 }),
          I('end'),
          I('drop'),
        ]),
      ),
    ).toBe('type mismatch');
  });

  test('multi-value block types by type index', () => {
    const m = func1(
      fn([], ['i32', 'i64']),
      [I('i32.const', { value: 1 }), I('block', { bt: 1 }), I('i64.const', { value: 2n }), I('end')],
      { types: [sub(fn(['i32'], ['i32', 'i64']))] },
    );
    validateModule(m);
  });

  test('locals', () => {
    expect(invalidMsg(func1(fn([], []), [I('local.get', { idx: 0 }), I('drop')]))).toBe('unknown local');
    validateModule(func1(fn([], ['i64']), [I('local.get', { idx: 0 })], { locals: ['i64'] }));
  });

  test('non-defaultable locals need initialisation, reset at block end', () => {
    const rf = ref(false, 'func');
    const set = [I('ref.func', { idx: 0 }), I('local.set', { idx: 0 })];
    const decl = { exports: [{ name: 'f', kind: 'func' as const, index: 0 }] };
    validateModule(func1(fn([], []), [...set, I('local.get', { idx: 0 }), I('drop')], { locals: [rf], ...decl }));
    expect(invalidMsg(func1(fn([], []), [I('local.get', { idx: 0 }), I('drop')], { locals: [rf], ...decl }))).toBe(
      'uninitialized local',
    );
    expect(
      invalidMsg(
        func1(fn([], []), [I('block', { bt: null }), ...set, I('end'), I('local.get', { idx: 0 }), I('drop')], {
          locals: [rf],
          ...decl,
        }),
      ),
    ).toBe('uninitialized local');
  });

  test('ref.func requires a declared reference', () => {
    expect(invalidMsg(func1(fn([], []), [I('ref.func', { idx: 0 }), I('drop')]))).toBe('undeclared function reference');
    validateModule(
      func1(fn([], []), [I('ref.func', { idx: 0 }), I('drop')], {
        elems: [{ mode: 'declarative', table: 0, type: ref(false, 'func'), init: [[I('ref.func', { idx: 0 })]] }],
      }),
    );
  });

  test('select', () => {
    const c = [I('i32.const', { value: 1 }), I('i32.const', { value: 2 }), I('i32.const', { value: 0 })];
    validateModule(func1(fn([], ['i32']), [...c, I('select')]));
    const refs = [I('ref.null', { heap: 'func' }), I('ref.null', { heap: 'func' }), I('i32.const', { value: 0 })];
    expect(invalidMsg(func1(fn([], []), [...refs, I('select'), I('drop')]))).toBe('type mismatch');
    validateModule(func1(fn([], []), [...refs, I('select_t', { types: [ref(true, 'func')] }), I('drop')]));
  });

  test('memory instructions', () => {
    const load = (align: number, offset = 0) =>
      func1(fn([], ['i32']), [I('i32.const', { value: 0 }), I('i32.load', { memarg: { align, offset, mem: 0 } })], {
        memories: [mem1],
      });
    validateModule(load(2));
    expect(invalidMsg(load(3))).toBe('alignment must not be larger than natural');
    expect(
      invalidMsg(
        func1(fn([], ['i32']), [
          I('i32.const', { value: 0 }),
          I('i32.load', { memarg: { align: 0, offset: 0, mem: 0 } }),
        ]),
      ),
    ).toBe('unknown memory');
    const m64 = { ...mem1, addr: 'i64' as const };
    validateModule(func1(fn([], ['i64']), [I('memory.size', { idx: 0 })], { memories: [m64] }));
    expect(
      invalidMsg(
        func1(
          fn([], ['i32']),
          [I('i32.const', { value: 0 }), I('i32.load', { memarg: { align: 0, offset: 0, mem: 0 } })],
          { memories: [m64] },
        ),
      ),
    ).toBe('type mismatch');
    expect(
      invalidMsg(
        func1(fn([], []), [I('data.drop', { idx: 0 })], {
          memories: [mem1],
          datas: [{ mode: 'passive', memory: 0, bytes: new Uint8Array() }],
        }),
      ),
    ).toBe('data count section required');
  });

  test('SIMD lane indices', () => {
    const v = I('v128.const', { bytes: new Uint8Array(16) });
    validateModule(func1(fn([], ['i32']), [v, I('i32x4.extract_lane', { lane: 3 })]));
    expect(invalidMsg(func1(fn([], ['i32']), [v, I('i32x4.extract_lane', { lane: 4 })]))).toBe('invalid lane index');
    const bad = new Uint8Array(16);
    bad[3] = 32;
    expect(invalidMsg(func1(fn([], ['v128']), [v, v, I('i8x16.shuffle', { bytes: bad })]))).toBe('invalid lane index');
  });

  test('exceptions: try_table catch clauses and legacy try', () => {
    const types = [sub(fn(['i32'], []))];
    const tags = [{ typeIdx: 1 }];
    validateModule(
      func1(
        fn([], ['i32']),
        [
          I('block', { bt: 'i32' }),
          I('try_table', { bt: null, catches: [{ kind: CatchKind.Catch, tag: 0, label: 0 }] }),
          I('i32.const', { value: 1 }),
          I('throw', { idx: 0 }),
          I('end'),
          I('i32.const', { value: 0 }),
          I('end'),
        ],
        { types, tags },
      ),
    );
    expect(
      invalidMsg(
        func1(
          fn([], []),
          [
            I('block', { bt: null }),
            I('try_table', { bt: null, catches: [{ kind: CatchKind.Catch, tag: 0, label: 0 }] }),
            I('end'),
            I('end'),
          ],
          { types, tags },
        ),
      ),
    ).toBe('type mismatch');
    validateModule(
      func1(
        fn([], []),
        [I('try', { bt: null }), I('catch', { idx: 0 }), I('drop'), I('rethrow', { idx: 0 }), I('catch_all'), I('end')],
        { types, tags },
      ),
    );
    expect(
      invalidMsg(func1(fn([], []), [I('try', { bt: null }), I('rethrow', { idx: 0 }), I('end')], { types, tags })),
    ).toBe('invalid rethrow label');
    expect(invalidMsg(mod({ types: [sub(fn([], ['i32']))], tags: [{ typeIdx: 0 }] }))).toBe(
      'non-empty tag result type',
    );
  });

  test('tail calls check result subtyping', () => {
    const m = mod({
      types: [sub(fn([], ['i32'])), sub(fn([], ['i64']))],
      funcs: [0, 1],
      bodies: [{ body: [I('return_call', { idx: 1 })] }, { body: [I('i64.const', { value: 0n })] }],
    });
    expect(invalidMsg(m)).toBe('type mismatch');
  });
});

describe('GC', () => {
  // type 0: (func), type 1: (struct (field (mut i8)) (field i64)), type 2: (array (mut i32))
  const types = [
    sub(fn([], [])),
    sub({
      kind: 'struct',
      fields: [
        { type: 'i8', mutable: true },
        { type: 'i64', mutable: false },
      ],
    }),
    sub({ kind: 'array', field: { type: 'i32', mutable: true } }),
  ];
  const g = (body: Instr[]) => mod({ types, funcs: [0], bodies: [{ body }] });

  test('struct access respects packing and mutability', () => {
    const s = [I('i32.const', { value: 1 }), I('i64.const', { value: 2n }), I('struct.new', { idx: 1 })];
    validateModule(g([...s, I('struct.get_s', { idx: 1, idx2: 0 }), I('drop')]));
    expect(invalidMsg(g([...s, I('struct.get', { idx: 1, idx2: 0 }), I('drop')]))).toBe('field is packed');
    expect(invalidMsg(g([...s, I('i64.const', { value: 0n }), I('struct.set', { idx: 1, idx2: 1 })]))).toBe(
      'immutable field',
    );
    expect(invalidMsg(g([...s, I('struct.get', { idx: 1, idx2: 2 }), I('drop')]))).toBe('unknown field');
  });

  test('arrays, casts, i31', () => {
    validateModule(
      g([
        I('i32.const', { value: 1 }),
        I('i32.const', { value: 2 }),
        I('array.new_fixed', { idx: 2, idx2: 2 }),
        I('ref.cast', { types: [ref(false, 'array')], heap: 'array' }),
        I('array.len'),
        I('ref.i31'),
        I('i31.get_u'),
        I('drop'),
      ]),
    );
    expect(
      invalidMsg(
        g([
          I('ref.null', { heap: 'extern' }),
          I('ref.test', { types: [ref(false, 'struct')], heap: 'struct' }),
          I('drop'),
        ]),
      ),
    ).toBe('type mismatch');
  });

  test('br_on_cast', () => {
    const anyref = ref(true, 'any');
    const m = mod({
      types: [sub(fn([anyref], [anyref])), ...types.slice(1)],
      funcs: [0],
      bodies: [
        {
          body: [
            I('block', { bt: ref(false, 'i31') }),
            I('local.get', { idx: 0 }),
            I('br_on_cast', { idx: 0, types: [anyref, ref(false, 'i31')] }),
            I('return'),
            I('end'),
          ],
        },
      ],
    });
    validateModule(m);
    const bad = mod({
      types: [sub(fn([anyref], [anyref])), ...types.slice(1)],
      funcs: [0],
      bodies: [
        {
          body: [
            I('block', { bt: ref(false, 'i31') }),
            I('local.get', { idx: 0 }),
            I('br_on_cast', { idx: 0, types: [anyref, ref(false, 'struct')] }),
            I('return'),
            I('end'),
          ],
        },
      ],
    });
    expect(invalidMsg(bad)).toBe('type mismatch');
  });
});

describe('module-level rules', () => {
  test('constant expressions', () => {
    const gi = (init: Instr[], mutable = false) => ({ type: { type: 'i32' as const, mutable }, init });
    validateModule(
      mod({
        globals: [
          gi([I('i32.const', { value: 1 })]),
          gi([I('global.get', { idx: 0 }), I('i32.const', { value: 2 }), I('i32.add')]),
        ],
      }),
    );
    expect(invalidMsg(mod({ globals: [gi([I('i32.const', { value: 1 }), I('i32.eqz')])] }))).toBe(
      'constant expression required',
    );
    expect(invalidMsg(mod({ globals: [gi([I('global.get', { idx: 0 })])] }))).toBe('unknown global');
    expect(
      invalidMsg(mod({ globals: [gi([I('i32.const', { value: 1 })], true), gi([I('global.get', { idx: 0 })])] })),
    ).toBe('constant expression required');
  });

  test('single-instruction offsets and element functions: right and wrong types', () => {
    // validateConst decides these without the general algorithm; each wrong form must still
    // be rejected as the general algorithm rejects it.
    const mem64 = { ...mem1, addr: 'i64' as const };
    const data = (memories: (typeof mem1 | typeof mem64)[], offset: Instr[]): ModuleIR =>
      mod({ memories, datas: [{ mode: 'active', memory: 0, offset, bytes: new Uint8Array(1) }] });
    validateModule(data([mem1], [I('i32.const', { value: 8 })]));
    validateModule(data([mem64], [I('i64.const', { value: 8n })]));
    expect(invalidMsg(data([mem1], [I('i64.const', { value: 8n })]))).toBe('type mismatch');
    expect(invalidMsg(data([mem64], [I('i32.const', { value: 8 })]))).toBe('type mismatch');
    expect(invalidMsg(data([mem1], [I('f32.const', { value: 0 })]))).toBe('type mismatch');
    expect(invalidMsg(data([mem1], [I('i32.eqz')]))).toBe('constant expression required');

    const funcref = ref(true, 'func');
    const table = { type: { limits: { min: 1 }, elem: funcref, addr: 'i32' as const } };
    const elems = (type: typeof funcref, idx: number, t = table): ModuleIR =>
      func1(fn([], []), [], {
        tables: [t],
        elems: [
          { mode: 'active', table: 0, offset: [I('i32.const', { value: 0 })], type, init: [[I('ref.func', { idx })]] },
        ],
      });
    validateModule(elems(funcref, 0));
    validateModule(elems(ref(false, 'func'), 0));
    expect(invalidMsg(elems(funcref, 1))).toBe('unknown function');
    // Not funcref: the general algorithm decides.
    expect(invalidMsg(elems(ref(true, 'extern'), 0, { type: { ...table.type, elem: ref(true, 'extern') } }))).toBe(
      'type mismatch',
    );
  });

  test('limits, start, exports', () => {
    expect(invalidMsg(mod({ memories: [{ ...mem1, limits: { min: 65537 } }] }))).toBe(
      'memory size must be at most 65536 pages (4GiB)',
    );
    expect(invalidMsg(mod({ memories: [{ ...mem1, limits: { min: 2, max: 1 } }] }))).toBe(
      'size minimum must not be greater than maximum',
    );
    validateModule(mod({ memories: [{ ...mem1, addr: 'i64', limits: { min: 65537 } }] }));
    expect(invalidMsg(func1(fn(['i32'], []), [], { start: 0 }))).toBe('start function');
    expect(
      invalidMsg(
        func1(fn([], []), [], {
          exports: [
            { name: 'a', kind: 'func', index: 0 },
            { name: 'a', kind: 'func', index: 0 },
          ],
        }),
      ),
    ).toBe('duplicate export name');
    expect(invalidMsg(mod({ tables: [{ type: { limits: { min: 1 }, elem: ref(false, 'func'), addr: 'i32' } }] }))).toBe(
      'type mismatch',
    );
  });

  test('sub type declarations', () => {
    const s = (fields: number, supers: number[] = [], final = false): SubType =>
      sub(
        { kind: 'struct', fields: Array.from({ length: fields }, () => ({ type: 'i32' as const, mutable: false })) },
        supers,
        final,
      );
    validateModule(mod({ types: [s(1), s(2, [0])] }));
    expect(invalidMsg(mod({ types: [s(2), s(1, [0])] }))).toMatch(/^sub type/);
    expect(invalidMsg(mod({ types: [s(1, [], true), s(1, [0])] }))).toMatch(/^sub type/);
    expect(invalidMsg(mod({ types: [sub({ kind: 'array', field: { type: ref(true, 1), mutable: false } })] }))).toBe(
      'unknown type',
    );
  });
});

describe('TypeRegistry', () => {
  test('iso-recursive canonicalisation across modules', () => {
    const reg = new TypeRegistry();
    const rec = (): SubType[] => [
      sub({ kind: 'struct', fields: [{ type: ref(true, 1), mutable: false }] }),
      sub({ kind: 'struct', fields: [{ type: ref(true, 0), mutable: false }] }),
    ];
    const a = mod({ types: rec(), recGroups: [{ start: 0, count: 2 }] });
    const b = mod({
      types: [
        sub(fn([], [])),
        ...rec().map((t) => ({
          ...t,
          comp: {
            kind: 'struct' as const,
            fields: [
              {
                type: ref(
                  true,
                  (t.comp as unknown as { fields: { type: { heap: number } }[] }).fields[0].type.heap + 1,
                ),
                mutable: false,
              },
            ],
          },
        })),
      ],
      recGroups: [
        { start: 0, count: 1 },
        { start: 1, count: 2 },
      ],
    });
    const ca = reg.canonicalize(a);
    const cb = reg.canonicalize(b);
    expect(cb.slice(1)).toEqual(ca);
    expect(ca[0]).not.toBe(ca[1]);
    // Same structure in separate singleton groups is a different type.
    const c = mod({ types: [sub({ kind: 'struct', fields: [] }), sub({ kind: 'struct', fields: [] })] });
    const cc = reg.canonicalize(c);
    expect(cc[0]).toBe(cc[1]);
    expect(reg.get(ca[0]).comp).toEqual({ kind: 'struct', fields: [{ type: ref(true, ca[1]), mutable: false }] });
  });

  test('declared subtyping and extern matching', () => {
    const m = mod({
      types: [
        sub({ kind: 'struct', fields: [] }, [], false),
        sub({ kind: 'struct', fields: [{ type: 'i32', mutable: false }] }, [0], false),
        sub(
          {
            kind: 'struct',
            fields: [
              { type: 'i32', mutable: false },
              { type: 'i32', mutable: false },
            ],
          },
          [1],
        ),
      ],
    });
    validateModule(m);
    const c = typeRegistry.canonicalize(m);
    expect(typeRegistry.isSubtype(c[2], c[0])).toBe(true);
    expect(typeRegistry.isSubtype(c[0], c[2])).toBe(false);
    expect(matchValType(ref(false, c[2]), ref(true, c[0]))).toBe(true);
    expect(matchValType(ref(true, c[2]), ref(false, c[0]))).toBe(false);
    expect(matchValType(ref(false, c[2]), ref(true, 'eq'))).toBe(true);
    expect(matchValType(ref(false, 'none'), ref(false, c[1]))).toBe(true);
    expect(matchLimits({ min: 2, max: 3 }, { min: 1, max: 4 })).toBe(true);
    expect(matchLimits({ min: 2 }, { min: 1, max: 4 })).toBe(false);
    expect(
      matchGlobalType({ type: ref(false, 'func'), mutable: true }, { type: ref(true, 'func'), mutable: true }),
    ).toBe(false);
    expect(
      matchGlobalType({ type: ref(false, 'func'), mutable: false }, { type: ref(true, 'func'), mutable: false }),
    ).toBe(true);
    expect(
      matchTableType(
        { limits: { min: 1 }, elem: ref(true, 'func'), addr: 'i32' },
        { limits: { min: 1 }, elem: ref(true, 'func'), addr: 'i64' },
      ),
    ).toBe(false);
  });
});

describe('error places', () => {
  test('an error in a body names the function, its name and the instruction offset', () => {
    // Function 1 ($add, after one import) adds an i64 to an i32: i32.add fails.
    const bytes = parseWat(`(module
      (import "env" "f" (func $imported))
      (func $add (param i32) (result i32)
        (i32.add (local.get 0) (i64.const 1))))`);
    const m = decodeModule(bytes);
    let err: unknown;
    try {
      validateModule(m);
    } catch (e) {
      err = e;
    }
    const e = err as CompileError;
    expect(e).toBeInstanceOf(CompileError);
    expect(e.kind).toBe('invalid');
    expect(e.reason).toBe('type mismatch');
    expect(e.funcIndex).toBe(1);
    expect(e.funcName).toBe('add');
    // The body is local.get 0 (20 00), i64.const 1 (42 01), i32.add (6a), end (0b).
    const add = bytes.indexOf(0x6a, m.codes[0].pos);
    expect([...bytes.subarray(add - 4, add + 2)]).toEqual([0x20, 0, 0x42, 1, 0x6a, 0x0b]);
    expect(e.offset).toBe(add);
    expect(e.message).toBe(`type mismatch in function 1 ($add) at offset 0x${add.toString(16)}`);
  });

  test('errors at the final end and in functions without a name', () => {
    const bytes = parseWat('(module (func) (func (result i32)))');
    const m = decodeModule(bytes);
    const e = (() => {
      try {
        validateModule(m);
      } catch (x) {
        return x as CompileError;
      }
      throw new Error('validated');
    })();
    expect(e.funcIndex).toBe(1);
    expect(e.funcName).toBeUndefined();
    expect(e.offset).toBe(bytes.lastIndexOf(0x0b));
    expect(e.message).toBe(`type mismatch in function 1 at offset 0x${e.offset!.toString(16)}`);
  });
});

describe('bodies kept as bytes (decodeModule lazyBodies) and validated by streaming', () => {
  // (module (func (result i32) <body0>) (func <body1>)) assembled by hand, so bodies can be
  // malformed in ways the text format cannot express.
  const section = (id: number, content: number[]): number[] => [id, ...uleb(content.length), ...content];
  const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
  function moduleWith(
    bodies: number[][],
    opts: { memory?: boolean; data?: boolean; dataCount?: boolean } = {},
  ): Uint8Array {
    const bytes = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0];
    bytes.push(
      ...section(
        1,
        vec([
          [0x60, 0, 1, 0x7f],
          [0x60, 0, 0],
        ]),
      ),
    );
    bytes.push(...section(3, vec(bodies.map((_, i) => [i === 0 ? 0 : 1]))));
    if (opts.memory) bytes.push(...section(5, vec([[0, 1]])));
    if (opts.dataCount) bytes.push(...section(12, [1]));
    bytes.push(...section(10, vec(bodies.map((b) => [...uleb(b.length + 1), 0, ...b]))));
    if (opts.data) bytes.push(...section(11, vec([[1, 0]])));
    return Uint8Array.from(bytes);
  }
  const END = 0x0b;
  const I64_CONST_0 = [0x42, 0];
  const errorOf = (bytes: Uint8Array): CompileError => {
    try {
      validateModule(decodeModule(bytes, { lazyBodies: true }));
    } catch (e) {
      if (e instanceof CompileError) return e;
      throw e;
    }
    throw new Error('accepted');
  };

  test('decoding leaves bodies undecoded; validation reads them and finds a malformed one', () => {
    const bytes = moduleWith([
      [0x41, 0, END],
      [0xff, END],
    ]);
    const m = decodeModule(bytes, { lazyBodies: true });
    expect(m.codes).toHaveLength(2);
    const e = errorOf(bytes);
    expect(e.kind).toBe('malformed');
    expect(e.reason).toBe('illegal opcode ff');
    expect(e.funcIndex).toBe(1);
    expect(e.offset).toBe(bytes.length - 2);
    // Eager decoding finds it at once.
    expect(() => decodeModule(bytes)).toThrow(/illegal opcode ff/);
  });

  test('a malformed body wins over an invalid one before it', () => {
    const e = errorOf(
      moduleWith([
        [...I64_CONST_0, END],
        [0xff, END],
      ]),
    );
    expect(e.kind).toBe('malformed');
    // The same body: invalid instruction, then a malformed one.
    const e2 = errorOf(moduleWith([[...I64_CONST_0, 0xff, END], [END]]));
    expect(e2.kind).toBe('malformed');
    // Only invalid: the invalid error stands, placed at its instruction.
    const e3 = errorOf(moduleWith([[...I64_CONST_0, END], [END]]));
    expect(e3.kind).toBe('invalid');
    expect(e3.funcIndex).toBe(0);
  });

  test('a body naming a data segment without a data count section is malformed, even after an invalid body', () => {
    const dataDrop = [0xfc, 9, 0];
    expect(
      errorOf(
        moduleWith(
          [
            [0x41, 0, END],
            [...dataDrop, END],
          ],
          { memory: true, data: true },
        ),
      ).reason,
    ).toBe('data count section required');
    const e = errorOf(
      moduleWith(
        [
          [...I64_CONST_0, END],
          [...dataDrop, END],
        ],
        { memory: true, data: true },
      ),
    );
    expect(e.kind).toBe('malformed');
    expect(e.reason).toBe('data count section required');
    expect(() =>
      validateModule(
        decodeModule(
          moduleWith(
            [
              [0x41, 0, END],
              [...dataDrop, END],
            ],
            { memory: true, data: true, dataCount: true },
          ),
          { lazyBodies: true },
        ),
      ),
    ).not.toThrow();
  });

  test('a body whose instructions end before its size is malformed', () => {
    // A body of one nop plus end, declared one byte longer: the extra byte is an `end`.
    const bytes = moduleWith([
      [0x41, 0, END],
      [0x01, END, END],
    ]);
    expect(errorOf(bytes).kind).toBe('malformed');
    expect(errorOf(bytes).reason).toBe('section size mismatch');
  });

  test('a lazily kept body decodes on first read to the same instructions as an eager decode', () => {
    const bytes = parseWat(
      '(module (func (param i32) (result i32) (local i64) (i32.add (local.get 0) (i32.const 7))))',
    );
    const lazy = decodeModule(bytes, { lazyBodies: true });
    const eager = decodeModule(bytes);
    expect(lazy.codes[0].locals).toEqual(eager.codes[0].locals);
    expect(lazy.codes[0].body.map((i) => [i.op, i.idx, i.value])).toEqual(
      eager.codes[0].body.map((i) => [i.op, i.idx, i.value]),
    );
    expect(lazy.codes[0].body).toBe(lazy.codes[0].body);
  });
});

describe('custom descriptors', () => {
  const valid = (src: string): void => {
    validateModuleInfo(decodeModule(parseWat(src)), typeRegistry, resolveFeatures({ customDescriptors: true }));
  };
  const kindOf = (src: string): string | undefined => {
    try {
      valid(src);
      return undefined;
    } catch (e) {
      return e instanceof CompileError ? e.kind : String(e);
    }
  };
  const pair = '(rec (type $s (sub (descriptor $d) (struct (field i32)))) (type $d (sub (describes $s) (struct))))';

  test('exact references sit below their type and above its bottom only', () => {
    const [t] = typeRegistry.canonicalize(decodeModule(parseWat('(type (sub (struct)))')));
    expect(matchValType(ref(false, t), ref(false, t))).toBe(true);
    expect(matchValType({ kind: 'ref', nullable: false, heap: t, exact: true }, ref(false, t))).toBe(true);
    expect(matchValType(ref(false, t), { kind: 'ref', nullable: false, heap: t, exact: true })).toBe(false);
    expect(matchValType(ref(false, 'none'), { kind: 'ref', nullable: false, heap: t, exact: true })).toBe(true);
  });

  test('allocation and descriptor access', () => {
    expect(
      kindOf(`${pair}
      (func (param (ref null (exact $d))) (result (ref (exact $s)))
        (struct.new_desc $s (i32.const 1) (local.get 0)))
      (func (param (ref $s)) (result (ref $d)) (ref.get_desc $s (local.get 0)))
      (func (param (ref (exact $s))) (result (ref (exact $d))) (ref.get_desc $s (local.get 0)))`),
    ).toBeUndefined();
    // The descriptor operand must be exact; plain struct.new cannot allocate a described type.
    expect(kindOf(`${pair} (func (param (ref null $d)) (drop (struct.new_default_desc $s (local.get 0))))`)).toBe(
      'invalid',
    );
    expect(kindOf(`${pair} (func (drop (struct.new_default $s)))`)).toBe('invalid');
    expect(kindOf(`${pair} (func (param (ref $s)) (result (ref (exact $d))) (ref.get_desc $s (local.get 0)))`)).toBe(
      'invalid',
    );
  });

  test('clauses must agree and stay in their rec group', () => {
    expect(kindOf('(rec (type $a (descriptor $b) (struct)) (type $b (describes $a) (struct)))')).toBeUndefined();
    expect(kindOf('(rec (type $b (describes $a) (struct)) (type $a (descriptor $b) (struct)))')).toBe('invalid');
    expect(kindOf('(rec (type $a (descriptor $b) (struct)) (type $b (struct)))')).toBe('invalid');
    expect(kindOf('(rec (type $a (descriptor $b) (array i8)) (type $b (describes $a) (struct)))')).toBe('invalid');
  });
});

describe('proposal switches', () => {
  const check = (src: string, features: Partial<Features>): string | undefined => {
    try {
      validateModuleInfo(decodeModule(parseWat(src)), typeRegistry, resolveFeatures(features));
      return undefined;
    } catch (e) {
      return e instanceof CompileError ? `${e.kind}: ${e.reason}` : String(e);
    }
  };
  const cases: [string, Partial<Features>, string][] = [
    ['(memory 0) (memory 0)', { multiMemory: false }, 'invalid: multiple memories'],
    ['(table 1 funcref) (table 1 funcref)', { referenceTypes: false }, 'invalid: multiple tables'],
    ['(memory 1 1 shared)', { threads: false }, 'shared memories'],
    ['(memory i64 1)', { memory64: false }, '64-bit memories'],
    ['(table i64 1 funcref)', { memory64: false }, '64-bit tables'],
    ['(memory 1 (pagesize 1))', { customPageSizes: false }, 'custom page sizes'],
    ['(tag)', { exceptions: false }, 'tags require'],
    ['(func (drop (v128.const i64x2 0 0)))', { simd: false }, 'requires the simd proposal'],
    [
      '(func (drop (i32x4.relaxed_trunc_f32x4_s (v128.const i64x2 0 0))))',
      { relaxedSimd: false },
      'requires the relaxedSimd proposal',
    ],
    ['(memory 1 1 shared) (func (drop (i32.atomic.load (i32.const 0))))', { threads: false }, 'shared memories'],
    ['(memory 1) (func (drop (i32.atomic.load (i32.const 0))))', { threads: false }, 'requires the threads proposal'],
    ['(func return_call 0)', { tailCall: false }, 'requires the tailCall proposal'],
    ['(func (block (throw_ref (ref.null exn))))', { exceptions: false }, 'requires the exceptions proposal'],
    ['(type $s (struct)) (func (drop (struct.new $s)))', { gc: false }, 'requires the gc proposal'],
    [
      '(func (drop (i64.mul_wide_s (i64.const 1) (i64.const 2))) (drop))',
      { wideArithmetic: false },
      'requires the wideArithmetic proposal',
    ],
    [
      '(global i32 (i32.add (i32.const 1) (i32.const 2)))',
      { extendedConst: false },
      'invalid: constant expression required',
    ],
  ];
  test.each(cases)('%s with %j', (body, features, message) => {
    expect(check(`(module ${body})`, {})).toBeUndefined();
    expect(check(`(module ${body})`, features)).toContain(message);
  });
  test('custom descriptors are off unless switched on', () => {
    const src = '(module (rec (type $s (sub (descriptor $d) (struct))) (type $d (sub (describes $s) (struct)))))';
    expect(check(src, {})).toContain('descriptor clauses require the custom-descriptors proposal');
    expect(check(src, { customDescriptors: true })).toBeUndefined();
  });
});
