// 'arrays-first' memory access of 'interpreter' code (compiler/translate/env.ts
// MemoryAccessForm): loads read a typed array first and the DataView where that read is
// undefined, stores call setters bound to the memory's DataView. Every Wasm result and trap
// must be what the DataView alone gives.
import { memoryAccessFor } from './optlimit';
import { probePrefersArraysFirst } from './jit-probe';
import { codeSettings, settingsKey } from './cache/settings';
import { Engine, Module, Store, Instance } from './index';
import type { Func, Memory } from './objects';
import { parseWat } from '../compiler/text';
import { withEnv } from '../tests/support/env';

const PAGE = 65536;

const WAT = `(module
  (memory (export "mem") 1 4)
  (memory $sh 1 1 shared)
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "loadOff") (param i32) (result i32) (i32.load offset=8 (local.get 0)))
  (func (export "loadHint1") (param i32) (result i32) (i32.load align=1 (local.get 0)))
  (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "load64") (param i32) (result i64) (i64.load (local.get 0)))
  (func (export "load32u") (param i32) (result i64) (i64.load32_u (local.get 0)))
  (func (export "load32s") (param i32) (result i64) (i64.load32_s (local.get 0)))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "store8") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func (export "store64") (param i32 i64) (i64.store (local.get 0) (local.get 1)))
  (func (export "sharedLoad") (param i32) (result i32) (i32.load $sh (local.get 0)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  ;; A loop that calls nothing reads its views from locals (env.ts viewCopies).
  (func (export "sum") (param i32 i32) (result i32) (local i32)
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get 1)))
      (local.set 2 (i32.add (local.get 2) (i32.load (local.get 0))))
      (i32.store8 (local.get 0) (i32.const 1))
      (local.set 0 (i32.add (local.get 0) (i32.const 4)))
      (local.set 1 (i32.sub (local.get 1) (i32.const 1)))
      (br $next)))
    (local.get 2)))`;

function withMemoryAccess<T>(form: string | undefined, f: () => T): T {
  return withEnv('JETWASM_MEMORY_ACCESS', form, f);
}

function instantiate(compilation: 'lazy' | 'eager'): {
  m: Module;
  call: (n: string, ...a: unknown[]) => unknown;
  mem: Memory;
} {
  return withMemoryAccess('arrays-first', () => {
    const engine = new Engine({ codegen: 'interpreter', compilation });
    const m = Module.fromBinary(engine, parseWat(WAT));
    const inst = Instance.instantiate(new Store(engine), m, []);
    const call = (n: string, ...a: unknown[]): unknown => (inst.getExport(n) as Func).call(...a)[0];
    return { m, call, mem: inst.getExport('mem') as Memory };
  });
}

test('the form is chosen for interpreter code only, and the environment can choose it', () => {
  expect(memoryAccessFor({ codegen: 'jit' })).toBe('dataview');
  withMemoryAccess('arrays-first', () => {
    expect(memoryAccessFor({ codegen: 'jit' })).toBe('dataview');
    expect(memoryAccessFor({ codegen: 'interpreter' })).toBe('arrays-first');
  });
  withMemoryAccess('dataview', () => expect(memoryAccessFor({ codegen: 'interpreter' })).toBe('dataview'));
  // The engine's option wins over the environment.
  withMemoryAccess('dataview', () =>
    expect(memoryAccessFor({ codegen: 'interpreter', memoryAccess: 'arrays-first' })).toBe('arrays-first'),
  );
  withMemoryAccess('arrays-first', () =>
    expect(memoryAccessFor({ codegen: 'interpreter', memoryAccess: 'dataview' })).toBe('dataview'),
  );
  // A host with a JIT (this one) gets interpreter code only when asked, with the DataView.
  withMemoryAccess(undefined, () => expect(memoryAccessFor({ codegen: 'interpreter' })).toBe('dataview'));
  expect(typeof probePrefersArraysFirst(200)).toBe('boolean');
});

test('the form is part of the settings that key compiled code', () => {
  const engine = { config: { codegen: 'interpreter' as const } };
  const a = withMemoryAccess('arrays-first', () => codeSettings(engine));
  const d = withMemoryAccess('dataview', () => codeSettings(engine));
  expect(a.memoryAccess).toBe('arrays-first');
  expect(d.memoryAccess).toBeUndefined();
  expect(settingsKey(a)).not.toBe(settingsKey(d));
});

test('loads read the arrays first, stores call bound setters, a shared memory keeps its DataView', () => {
  const { m } = instantiate('lazy');
  // The defined functions, in order.
  const funcs = ['load', 'loadOff', 'loadHint1', 'load8', 'load64', 'load32u', 'load32s', 'store', 'store8'];
  const src = (name: string): string => m.code.lazySource!(name === 'sharedLoad' ? 10 : funcs.indexOf(name)).body;
  expect(src('load')).toMatch(/W0\[\(l0\) \/ 4\] \?\? D0\.getInt32\(l0, 1\)/);
  expect(src('load8')).toMatch(/U0\[.*\] \?\? D0\.getUint8\(/);
  expect(src('store')).toMatch(/\bSW0\(/);
  expect(src('store8')).toMatch(/\bSB0\(/);
  // A hint below natural alignment: the DataView alone.
  expect(src('loadHint1')).not.toContain('W0[');
  expect(src('sharedLoad')).toMatch(/D1\.getInt32\(/);
  expect(src('sharedLoad')).not.toContain('W1[');
});

describe.each(['lazy', 'eager'] as const)('%s code with arrays-first access', (compilation) => {
  test('loads: aligned, unaligned, at the end and beyond it', () => {
    const { call, mem } = instantiate(compilation);
    const bytes = new Uint8Array(mem.buffer);
    for (let i = 0; i < 32; i++) bytes[i] = i + 1;
    bytes.set([0xfa, 0xfb, 0xfc, 0xfd], PAGE - 4);
    expect(call('load', 4)).toBe(0x08070605);
    // Not a multiple of 4: the typed array reads undefined, the DataView the unaligned word.
    expect(call('load', 5)).toBe(0x09080706);
    expect(call('loadOff', 1)).toBe(0x0d0c0b0a);
    expect(call('loadHint1', 6)).toBe(0x0a090807);
    expect(call('load', PAGE - 4)).toBe(0xfdfcfbfa | 0);
    expect(() => call('load', PAGE)).toThrow(/out of bounds memory access/);
    expect(() => call('load', PAGE - 2)).toThrow(/out of bounds memory access/);
    expect(() => call('load', -4)).toThrow(/out of bounds memory access/);
    expect(() => call('loadOff', -4)).toThrow(/out of bounds memory access/);
    expect(call('load8', PAGE - 1)).toBe(0xfd);
    expect(() => call('load8', PAGE)).toThrow(/out of bounds memory access/);
    expect(() => call('load8', -1)).toThrow(/out of bounds memory access/);
    expect(call('load64', 8)).toBe(0x100f0e0d0c0b0a09n);
    expect(call('load64', 9)).toBe(0x11100f0e0d0c0b0an);
    expect(call('load32u', PAGE - 4)).toBe(0xfdfcfbfan);
    expect(call('load32s', PAGE - 4)).toBe(BigInt(0xfdfcfbfa | 0));
    // The low word in bounds, the high word beyond: a trap, not half a value.
    expect(() => call('load64', PAGE - 4)).toThrow(/out of bounds memory access/);
    expect(() => call('load32u', PAGE)).toThrow(/out of bounds memory access/);
  });

  test('stores: in bounds, unaligned, and beyond the end without writing', () => {
    const { call, mem } = instantiate(compilation);
    call('store', 16, 0x11223344);
    call('store', 21, 0x55667788);
    call('store8', 30, 0x1ff);
    const dv = new DataView(mem.buffer);
    expect(dv.getInt32(16, true)).toBe(0x11223344);
    expect(dv.getInt32(21, true)).toBe(0x55667788);
    expect(dv.getUint8(30)).toBe(0xff);
    expect(() => call('store', PAGE - 2, 1)).toThrow(/out of bounds memory access/);
    expect(() => call('store8', PAGE, 1)).toThrow(/out of bounds memory access/);
    expect(() => call('store64', PAGE - 4, -1n)).toThrow(/out of bounds memory access/);
    expect(new DataView(mem.buffer).getInt32(PAGE - 4, true)).toBe(0);
    expect(new DataView(mem.buffer).getInt16(PAGE - 2, true)).toBe(0);
  });

  test('after growth, by Wasm code and by the host, accesses reach the new pages', () => {
    const { call, mem } = instantiate(compilation);
    // Compiled (lazy mode) and run while the memory has one page.
    call('store', 8, 7);
    expect(call('load', 8)).toBe(7);
    expect(call('sum', 8, 1)).toBe(7);
    expect(call('grow', 1)).toBe(1);
    call('store', PAGE + 8, 42);
    call('store8', PAGE + 12, 3);
    expect(call('load', PAGE + 8)).toBe(42);
    expect(call('load8', PAGE + 12)).toBe(3);
    expect(new DataView(mem.buffer).getInt32(PAGE + 8, true)).toBe(42);
    expect(call('load', 8)).toBe(1); // the byte sum stored
    expect(call('sum', PAGE + 8, 2)).toBe(45);
    expect(new Uint8Array(mem.buffer)[PAGE + 8]).toBe(1);
    mem.grow(1);
    call('store', 2 * PAGE + 4, 9);
    expect(new DataView(mem.buffer).getInt32(2 * PAGE + 4, true)).toBe(9);
    expect(call('load', 2 * PAGE + 4)).toBe(9);
    expect(call('sum', 2 * PAGE + 4, 1)).toBe(9);
    expect(() => call('load', 3 * PAGE)).toThrow(/out of bounds memory access/);
    expect(() => call('store', 3 * PAGE, 1)).toThrow(/out of bounds memory access/);
  });
});
