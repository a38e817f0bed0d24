// Sandbox guarantees: nothing a module carries (import/export names, name-section function
// and local names, custom sections, data) reaches generated JavaScript except through our
// own positional identifiers, so module bytes cannot inject code; generated code references
// no free identifier outside the helper object and a fixed set of pure intrinsics; and host
// errors and traps cross Wasm frames unchanged and uncaught by catch_all.

import * as acorn from 'acorn';
import { parseWat } from '../../compiler/text';
import { HELPER_NAMES } from '../../compiler/translate';
import { helpers } from '../../runtime/vm/helpers';
import { CompileError, Engine, Func, Global, Linker, Memory, Module, RuntimeError, Store } from '../../runtime';
import { append, customSection, nameBytes, nameSection, section, leb, watString } from './wasm-builder';

const LONG = `${'long'.repeat(25_000)}END`;
const HOSTILE = [
  '*/}); globalThis.pwned=1; ({/*',
  '"); globalThis.pwned=1; ("',
  "'); globalThis.pwned=1; ('",
  '`${globalThis.pwned=1}`',
  '\\u0027; globalThis.pwned=1; //',
  '__proto__',
  'constructor',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'prototype',
  '\u2028globalThis.pwned=1\u2029',
  '</script><script>globalThis.pwned=1</script>',
  '\0\x01\x7f',
  '😀 𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  '',
  LONG,
];
/** Strings distinctive enough that finding them in generated source means they leaked. */
const DISTINCTIVE = HOSTILE.filter((s) => s.includes('pwned') || s === LONG || s.includes('😀'));

declare global {
  // eslint-disable-next-line no-var
  var pwned: unknown;
}

afterEach(() => {
  expect(globalThis.pwned).toBeUndefined();
  expect(({} as Record<string, unknown>).pwned).toBeUndefined();
});

/** A module importing and exporting functions and globals under every hostile name. */
function hostileModule(): Uint8Array {
  const n = HOSTILE.length;
  const parts: string[] = ['(module', '(type $t (func (param i32) (result i32)))'];
  HOSTILE.forEach((s, i) =>
    parts.push(`(import ${watString(s)} ${watString(HOSTILE[(i + 1) % n])} (func $i${i} (type $t)))`),
  );
  parts.push('(memory 1)');
  parts.push(
    `(data (i32.const 0) ${HOSTILE.filter((s) => s !== LONG)
      .map(watString)
      .join(' ')})`,
  );
  HOSTILE.forEach((s, i) => {
    parts.push(
      `(func $f${i} (export ${watString(s)}) (type $t) (i32.add (call $i${i} (local.get 0)) (i32.const ${i})))`,
    );
    parts.push(`(global (export ${watString(`g${s}`)}) i32 (i32.const ${i}))`);
  });
  parts.push(')');
  const base = parseWat(parts.join('\n'));
  const funcNames = [...HOSTILE, ...HOSTILE];
  return append(
    base,
    nameSection(funcNames, funcNames),
    ...HOSTILE.map((s) => customSection(s, [...Buffer.from(s, 'utf8')])),
  );
}

type Compilation = 'lazy' | 'eager';
const MODES: Compilation[] = ['lazy', 'eager'];

function instantiateHostile(compilation: Compilation): {
  module: Module;
  call: (name: string, x: number) => number;
  funcName: (name: string) => string;
} {
  const engine = new Engine({ compilation });
  const store = new Store(engine);
  const module = Module.fromBinary(engine, hostileModule());
  const linker = new Linker(engine);
  const type = { kind: 'func' as const, params: ['i32' as const], results: ['i32' as const] };
  HOSTILE.forEach((s, i) => {
    linker.define(
      s,
      HOSTILE[(i + 1) % HOSTILE.length],
      Func.fromHost(store, type, (x) => (x as number) * 2),
    );
  });
  const instance = linker.instantiate(store, module);
  return {
    module,
    // A lazily translated function's name labels its code (which the stub keys by CC) once
    // it has run; an eagerly translated one's labels the function itself.
    funcName: (name) => {
      const callable = (instance.exports.get(name) as Func).callable as unknown as Record<
        symbol,
        { name: string } | undefined
      > & { name: string };
      return (callable[helpers.CC as symbol] ?? callable).name;
    },
    call: (name, x) => {
      const f = instance.exports.get(name);
      if (!(f instanceof Func)) throw new Error(`export ${JSON.stringify(name).slice(0, 40)} is not a function`);
      return f.call(x)[0] as number;
    },
  };
}

// ---------------------------------------------------------------- generated source analysis

/** Pure intrinsics generated code may name besides its own declarations and helpers. */
const INTRINSICS = new Set([
  'Math',
  'BigInt',
  'Number',
  'NaN',
  'Infinity',
  'undefined',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
  'Uint8Array',
  'DataView',
  'Array',
  'Error',
]);
/** Names that would let generated code escape the sandbox; never referenced. */
const FORBIDDEN = [
  'globalThis',
  'global',
  'self',
  'window',
  'Function',
  'eval',
  'require',
  'process',
  'module',
  'exports',
  'import',
  'Reflect',
  'Proxy',
  'setTimeout',
  'setInterval',
  'queueMicrotask',
  'WebAssembly',
  'Buffer',
];
/** Property names that reach constructors or prototypes. */
const FORBIDDEN_PROPERTIES = [
  'constructor',
  '__proto__',
  'prototype',
  '__defineGetter__',
  '__lookupGetter__',
  'caller',
  'callee',
];

interface SourceFacts {
  declared: Set<string>;
  /** Names bound by destructuring the helper object `H`. */
  helperBindings: Set<string>;
  free: Set<string>;
  strings: string[];
  properties: Set<string>;
  forbiddenSyntax: string[];
}

type AnyNode = acorn.Node & Record<string, unknown>;

/**
 * All the JavaScript a module's generated code consists of: the factory body and, in lazy
 * mode, the source of every function, appended as expression statements: each is compiled
 * over bindings of the factory's scope, so it is checked in that scope.
 */
function generatedSource(module: Module): string {
  const code = module.code;
  const lazy = code.lazySource;
  if (!lazy) return code.source;
  // A lazy body is compiled over the factory's bindings and the function stubs it calls
  // (runtime/vm/helpers.ts lazyCompile): stubs become its parameters, the rest must resolve
  // in the factory.
  return [
    code.source,
    ...module.ir.codes.map((_, i) => {
      const lz = lazy(i);
      const stubs = lz.bindings.filter((b) => /^f\d+$/.test(b));
      return `(function (${stubs.join(', ')}) {\n${lz.body}\n});`;
    }),
  ].join('\n');
}

function analyse(source: string): SourceFacts {
  // The factory's parameters (compiler/translate/index.ts ModuleFactory).
  const ast = acorn.parse(`(function (vm, H, LZ, LIMS) {\n${source}\n})`, {
    ecmaVersion: 2022,
    sourceType: 'script',
  }) as unknown as AnyNode;
  const declared = new Set<string>(['vm', 'H', 'LZ', 'LIMS']);
  const helperBindings = new Set<string>();
  const used: string[] = [];
  const strings: string[] = [];
  const properties = new Set<string>();
  const forbiddenSyntax: string[] = [];
  const declarePattern = (p: AnyNode | null): void => {
    if (!p) return;
    if (p.type === 'Identifier') declared.add(p.name as string);
    else if (p.type === 'ObjectPattern')
      for (const prop of p.properties as AnyNode[]) declarePattern((prop.value ?? prop.argument) as AnyNode);
    else if (p.type === 'ArrayPattern') for (const e of p.elements as (AnyNode | null)[]) declarePattern(e);
    else if (p.type === 'AssignmentPattern') declarePattern(p.left as AnyNode);
    else if (p.type === 'RestElement') declarePattern(p.argument as AnyNode);
  };
  const visit = (node: unknown, parent: AnyNode | null, key: string): void => {
    if (Array.isArray(node)) {
      for (const n of node) visit(n, parent, key);
      return;
    }
    if (!node || typeof node !== 'object' || typeof (node as AnyNode).type !== 'string') return;
    const n = node as AnyNode;
    switch (n.type) {
      case 'VariableDeclarator': {
        const init = n.init as AnyNode | null;
        if (init && init.type === 'Identifier' && init.name === 'H' && (n.id as AnyNode).type === 'ObjectPattern') {
          for (const prop of (n.id as AnyNode).properties as AnyNode[]) {
            const k = prop.key as AnyNode,
              v = prop.value as AnyNode;
            // `{ name }` or `{ name: name }` only: a helper is never bound under another name.
            helperBindings.add(
              k.type === 'Identifier' && v.type === 'Identifier' && k.name === v.name
                ? (k.name as string)
                : '<renamed>',
            );
          }
        }
        declarePattern(n.id as AnyNode);
        break;
      }
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        if (n.id) declarePattern(n.id as AnyNode);
        for (const p of n.params as AnyNode[]) declarePattern(p);
        break;
      case 'CatchClause':
        declarePattern(n.param as AnyNode | null);
        break;
      case 'ClassDeclaration':
        if (n.id) declarePattern(n.id as AnyNode);
        break;
      case 'Literal':
        if (typeof n.value === 'string') strings.push(n.value);
        if (n.regex) forbiddenSyntax.push('regular expression literal');
        break;
      case 'TemplateLiteral':
      case 'TaggedTemplateExpression':
        forbiddenSyntax.push('template literal');
        break;
      case 'ImportExpression':
      case 'MetaProperty':
        forbiddenSyntax.push(n.type);
        break;
      case 'WithStatement':
        forbiddenSyntax.push('with');
        break;
      case 'ThisExpression':
        forbiddenSyntax.push('this');
        break;
      case 'MemberExpression':
        if (!n.computed) properties.add((n.property as AnyNode).name as string);
        break;
      case 'Property':
        if (!n.computed && (n.key as AnyNode).type === 'Identifier') properties.add((n.key as AnyNode).name as string);
        break;
      case 'Identifier': {
        const p = parent;
        const isPropertyName =
          p &&
          ((p.type === 'MemberExpression' && key === 'property' && !p.computed) ||
            (p.type === 'Property' && key === 'key' && !p.computed && !p.shorthand));
        const isLabel =
          p &&
          (p.type === 'LabeledStatement' || p.type === 'BreakStatement' || p.type === 'ContinueStatement') &&
          key === 'label';
        if (!isPropertyName && !isLabel) used.push(n.name as string);
        break;
      }
    }
    for (const k of Object.keys(n)) {
      if (k === 'type' || k === 'start' || k === 'end' || k === 'loc' || k === 'range') continue;
      visit(n[k], n, k);
    }
  };
  visit(ast, null, '');
  const free = new Set(used.filter((u) => !declared.has(u)));
  return { declared, helperBindings, free, strings, properties, forbiddenSyntax };
}

/** Our own string literals in generated code: trap messages and the strict-mode directive. */
const OWN_STRING = /^[a-z0-9 .,:()_-]*$/i;

function checkSource(source: string): void {
  const facts = analyse(source);
  const helperNames = new Set<string>(HELPER_NAMES);
  for (const name of facts.free) {
    expect(FORBIDDEN).not.toContain(name);
    if (!helperNames.has(name) && !INTRINSICS.has(name))
      throw new Error(`generated code references undeclared ${JSON.stringify(name)}`);
  }
  for (const name of facts.helperBindings) {
    if (!helperNames.has(name)) throw new Error(`generated code binds ${JSON.stringify(name)} from the helper object`);
  }
  // Every other binding is one of the translator's short positional names (f3, l0, s2, ...).
  for (const name of facts.declared) {
    if (!helperNames.has(name) && !/^[A-Za-z_][A-Za-z0-9_]{0,15}$/.test(name))
      throw new Error(`unexpected binding ${JSON.stringify(name.slice(0, 40))}`);
  }
  // Helpers are reached only through destructuring of H, never re-declared from elsewhere.
  for (const name of FORBIDDEN) expect(facts.declared.has(name) && !helperNames.has(name)).toBe(false);
  for (const p of FORBIDDEN_PROPERTIES) expect(facts.properties.has(p)).toBe(false);
  expect(facts.forbiddenSyntax).toEqual([]);
  for (const s of facts.strings) expect(s).toMatch(OWN_STRING);
}

// ---------------------------------------------------------------- tests

describe('module-provided strings never reach generated code', () => {
  test.each(MODES)(
    'hostile import, export, function, local and custom-section names: compile, link, run (%s)',
    (mode) => {
      const { module, call, funcName } = instantiateHostile(mode);
      HOSTILE.forEach((s, i) => expect(call(s, 5)).toBe(10 + i));
      // The name section was decoded: its names label functions as plain data.
      expect(funcName(HOSTILE[0])).toBe(HOSTILE[0]);
      expect(funcName('constructor')).toBe('constructor');
      const source = generatedSource(module);
      // Every function's code is part of what is checked ($f16 adds 16).
      expect(source).toContain('+ 16 | 0');
      for (const s of DISTINCTIVE) expect(source.includes(s)).toBe(false);
      expect(source.includes('pwned')).toBe(false);
      expect(source.includes('END')).toBe(false);
      checkSource(source);
    },
  );

  test('exports named like Object.prototype members are ordinary entries', () => {
    const engine = new Engine();
    const store = new Store(engine);
    const module = Module.fromBinary(
      engine,
      parseWat(`(module
      (func (export "__proto__") (result i32) i32.const 1)
      (func (export "constructor") (result i32) i32.const 2)
      (global (export "toString") i32 (i32.const 3))
      (memory (export "hasOwnProperty") 1))`),
    );
    const inst = new Linker(engine).instantiate(store, module);
    expect((inst.exports.get('__proto__') as Func).call()).toEqual([1]);
    expect((inst.exports.get('constructor') as Func).call()).toEqual([2]);
    expect((inst.exports.get('toString') as Global).get()).toBe(3);
    expect(inst.exports.get('hasOwnProperty')).toBeInstanceOf(Memory);
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
    expect(typeof ({} as { toString: unknown }).toString).toBe('function');
  });

  test.each(MODES)('data segment and custom section bytes stay data (%s)', (mode) => {
    const payload = '*/}); globalThis.pwned=1; ({/*';
    const bytes = append(
      parseWat(`(module (memory (export "m") 1) (data (i32.const 16) ${watString(payload)})
      (func (export "f") (result i32) (i32.load8_u (i32.const 16))))`),
      customSection('*/ globalThis.pwned=1 /*', [...Buffer.from(payload)]),
    );
    const engine = new Engine({ compilation: mode });
    const module = Module.fromBinary(engine, bytes);
    const inst = new Linker(engine).instantiate(new Store(engine), module);
    expect((inst.exports.get('f') as Func).call()).toEqual(['*'.charCodeAt(0)]);
    const mem = inst.exports.get('m') as Memory;
    expect(Buffer.from(mem.u8.subarray(16, 16 + payload.length)).toString()).toBe(payload);
    expect(generatedSource(module).includes('pwned')).toBe(false);
    checkSource(generatedSource(module));
  });

  test('names that are not valid UTF-8 (lone surrogates, overlong forms) are malformed', () => {
    const loneSurrogate = Uint8Array.from([0xed, 0xa0, 0x80]); // U+D800 encoded as UTF-8
    const overlong = Uint8Array.from([0xc0, 0xaf]); // '/' in two bytes
    for (const bad of [loneSurrogate, overlong, Uint8Array.from([0xff])]) {
      const mod = Uint8Array.from([
        0,
        0x61,
        0x73,
        0x6d,
        1,
        0,
        0,
        0,
        ...section(1, [1, 0x60, 0, 0]),
        ...section(3, [1, 0]),
        ...section(7, [1, ...nameBytes(bad), 0, 0]),
        ...section(10, [1, 2, 0, 0x0b]),
      ]);
      let err: unknown;
      try {
        Module.fromBinary(new Engine(), mod);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CompileError);
      expect((err as CompileError).kind).toBe('malformed');
    }
  });

  test('a malformed name inside the name section does not fail the module and is not used', () => {
    const bytes = append(
      parseWat('(module (func (export "f") (result i32) i32.const 7))'),
      customSection('name', [1, ...leb(4), 1, 0, 1, 0xff]),
    );
    const engine = new Engine();
    const inst = new Linker(engine).instantiate(new Store(engine), Module.fromBinary(engine, bytes));
    expect((inst.exports.get('f') as Func).call()).toEqual([7]);
  });
});

describe('generated code only reaches its helpers', () => {
  const features = `(module
    (type $t (func (param i32) (result i32)))
    (import "h" "f" (func $h (type $t)))
    (memory 1 2) (table $tab 4 funcref) (elem (i32.const 0) $a $b)
    (global $g (mut i64) (i64.const 5)) (tag $e (param i32))
    (data $d "abc") (elem $el func $a)
    (func $a (type $t) (i32.add (local.get 0) (call $h (local.get 0))))
    (func $b (param i32) (result i32)
      (block $out (result i32)
        (try_table (result i32) (catch $e $out)
          (throw $e (local.get 0)))))
    (func (export "run") (param i32 i64 f32 f64 v128) (result i64)
      (drop (call_indirect (type $t) (i32.const 1) (i32.const 0)))
      (memory.init $d (i32.const 0) (i32.const 0) (i32.const 3))
      (drop (memory.grow (i32.const 1)))
      (drop (i32.trunc_sat_f32_s (local.get 2)))
      (drop (i64x2.extract_lane 0 (local.get 4)))
      (i64.add (global.get $g) (i64.rotl (local.get 1) (i64.trunc_f64_s (f64.nearest (local.get 3))))))
    (func (export "tail") (param i32) (result i32) (return_call $a (local.get 0)))
    (type $s (struct (field (mut i32))))
    (func (export "gc") (result i32) (struct.get $s 0 (struct.new $s (i32.const 9)))))`;

  test.each(MODES)('free identifiers are helper names or pure intrinsics; no escape hatches (%s)', (mode) => {
    const module = Module.fromBinary(new Engine({ compilation: mode }), parseWat(features));
    const source = generatedSource(module);
    // Every function's code is part of what is checked.
    expect(source).toContain('i64rotl(');
    checkSource(source);
    // Sanity checks of the analysis itself.
    expect(analyse(source).helperBindings.size).toBeGreaterThan(10);
    expect(() => checkSource('const { trap, process } = H;')).toThrow();
    expect(() => checkSource('const { trap: require } = H;')).toThrow();
    expect(() => checkSource('globalThis.x = 1;')).toThrow();
    expect(() => checkSource('const a = Function;')).toThrow();
    expect(() => checkSource('let q = 1; q.constructor;')).toThrow();
    expect(() => checkSource('const s = "*/x";')).toThrow();
  });

  test.each(['jit', 'interpreter'] as const)(
    'a lazy function lists every factory binding it reads (%s profile)',
    (codegen) => {
      // lazyCompile passes exactly the listed bindings; one missing would be a ReferenceError
      // at the function's first call.
      const module = Module.fromBinary(new Engine({ compilation: 'lazy', codegen }), parseWat(features));
      const lazy = module.code.lazySource!;
      let checked = 0;
      module.ir.codes.forEach((_, i) => {
        const { body, bindings } = lazy(i);
        const free = [...analyse(`(function () {\n${body}\n});`).free].filter((n) => !INTRINSICS.has(n));
        expect(free.length).toBeGreaterThan(0);
        for (const name of free) expect(bindings).toContain(name);
        checked += free.length;
      });
      expect(checked).toBeGreaterThan(20);
    },
  );

  test('the helper allowlist itself holds no escape hatch', () => {
    for (const name of HELPER_NAMES) expect(FORBIDDEN).not.toContain(name);
  });
});

describe('errors crossing Wasm frames', () => {
  const type = { kind: 'func' as const, params: [] as [], results: [] as [] };

  function build(hostFn: () => unknown): { run: Func; runRef: Func; legacy: Func; plain: Func; caught: Global } {
    const engine = new Engine();
    const store = new Store(engine);
    const module = Module.fromBinary(
      engine,
      parseWat(`(module
      (import "host" "f" (func $host))
      (global $caught (export "caught") (mut i32) (i32.const 0))
      (func $inner (call $host))
      (func (export "run")
        (block $h (try_table (catch_all $h) (call $inner)) (return))
        (global.set $caught (i32.const 1)))
      (func (export "runRef")
        (block $h (result exnref) (try_table (catch_all_ref $h) (call $inner)) (return))
        (drop)
        (global.set $caught (i32.const 3)))
      (func (export "legacy")
        (try (do (call $inner)) (catch_all (global.set $caught (i32.const 2)))))
      (func (export "plain") (call $inner)))`),
    );
    const linker = new Linker(engine).define('host', 'f', Func.fromHost(store, type, hostFn));
    const inst = linker.instantiate(store, module);
    return {
      run: inst.exports.get('run') as Func,
      runRef: inst.exports.get('runRef') as Func,
      legacy: inst.exports.get('legacy') as Func,
      plain: inst.exports.get('plain') as Func,
      caught: inst.exports.get('caught') as Global,
    };
  }

  test('a host error passes through Wasm frames as the same object', () => {
    const err = new Error('from the host');
    const m = build(() => {
      throw err;
    });
    let seen: unknown;
    try {
      m.plain.call();
    } catch (e) {
      seen = e;
    }
    expect(seen).toBe(err);
  });

  test('a RuntimeError thrown by host code is a trap: catch_all / catch_all_ref do not catch it', () => {
    const err = new RuntimeError('host trap');
    const m = build(() => {
      throw err;
    });
    for (const f of [m.run, m.runRef, m.legacy]) {
      let seen: unknown;
      try {
        f.call();
      } catch (e) {
        seen = e;
      }
      expect(seen).toBe(err);
    }
    expect(m.caught.get()).toBe(0);
  });

  test('a trap inside a host call (Wasm called back from the host) is not caught by catch_all / catch_all_ref', () => {
    const engine = new Engine();
    const store = new Store(engine);
    const trapper = new Linker(engine).instantiate(
      store,
      Module.fromBinary(engine, parseWat('(module (func (export "t") unreachable))')),
    );
    const t = trapper.exports.get('t') as Func;
    const m = build(() => {
      t.call();
    });
    for (const f of [m.run, m.runRef, m.legacy]) {
      let seen: unknown;
      try {
        f.call();
      } catch (e) {
        seen = e;
      }
      expect(seen).toBeInstanceOf(RuntimeError);
      expect((seen as Error).message).toBe('unreachable');
    }
    expect(m.caught.get()).toBe(0);
  });
});
