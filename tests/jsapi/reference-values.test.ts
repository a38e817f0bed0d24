// Every path by which a JS value reaches a reference-typed slot through the facade, with the
// JS API's ToWebAssemblyValue: externref keeps any value as it is (functions included) and
// gives back the same value; anyref keeps host values and gives them back; funcref takes
// only null or an exported Wasm function (TypeError otherwise).

import { WebAssembly as W, parseWat } from '../../index';

const VALUES: [string, unknown][] = [
  ['a JS function', () => 42],
  ['an arrow with properties', Object.assign(() => 1, { x: 1 })],
  ['an object', { a: 1 }],
  ['an array', [1, 2]],
  ['a number', 3.5],
  ['NaN', NaN],
  ['-0', -0],
  ['a string', 'text'],
  ['a symbol', Symbol('s')],
  ['a bigint', 10n],
  ['true', true],
  ['undefined', undefined],
  ['null', null],
];

function instance(wat: string, imports: Record<string, Record<string, unknown>> = {}): Record<string, unknown> {
  return new W.Instance(new W.Module(parseWat(wat)), imports as never).exports as Record<string, unknown>;
}

describe.each(VALUES)('%s as an externref', (_name, value) => {
  test('parameter and result of an export, and of an import', () => {
    const seen: unknown[] = [];
    const e = instance(
      `(module
      (import "h" "back" (func $back (param externref) (result externref)))
      (func (export "id") (param externref) (result externref) (local.get 0))
      (func (export "viaImport") (param externref) (result externref) (call $back (local.get 0)))
      (func (export "two") (param externref externref) (result externref externref) (local.get 1) (local.get 0)))`,
      {
        h: {
          back: (x: unknown) => {
            seen.push(x);
            return x;
          },
        },
      },
    );
    expect(Object.is((e.id as (x: unknown) => unknown)(value), value)).toBe(true);
    expect(Object.is((e.viaImport as (x: unknown) => unknown)(value), value)).toBe(true);
    expect(Object.is(seen[0], value)).toBe(true);
    const [a, b] = (e.two as (x: unknown, y: unknown) => unknown[])(value, 'other');
    expect(a).toBe('other');
    expect(Object.is(b, value)).toBe(true);
  });

  test('globals: the constructor, value, and a Wasm global.set / global.get', () => {
    const g = new W.Global({ value: 'externref', mutable: true }, value);
    expect(Object.is(g.value, value)).toBe(true);
    const e = instance(
      `(module
      (import "h" "g" (global $g (mut externref)))
      (global $own (export "own") (mut externref) (ref.null extern))
      (func (export "copy") (global.set $own (global.get $g)))
      (func (export "read") (result externref) (global.get $own)))`,
      { h: { g } },
    );
    (e.copy as () => void)();
    expect(Object.is((e.read as () => unknown)(), value)).toBe(true);
    expect(Object.is((e.own as { value: unknown }).value, value)).toBe(true);
  });

  test('tables: Table.set / get, and Wasm table.set / table.get', () => {
    const t = new W.Table({ element: 'externref', initial: 2 });
    t.set(0, value);
    expect(Object.is(t.get(0), value)).toBe(true);
    const e = instance(
      `(module
      (import "h" "t" (table $t 2 externref))
      (func (export "move") (table.set $t (i32.const 1) (table.get $t (i32.const 0))))
      (func (export "get1") (result externref) (table.get $t (i32.const 1))))`,
      { h: { t } },
    );
    (e.move as () => void)();
    expect(Object.is((e.get1 as () => unknown)(), value)).toBe(true);
    expect(Object.is(t.get(1), value)).toBe(true);
  });

  test('exceptions: a payload thrown by Wasm, and one built by the JS API and caught by Wasm', () => {
    const tag = new W.Tag({ parameters: ['externref'] });
    const e = instance(
      `(module
      (import "h" "tag" (tag $e (param externref)))
      (import "h" "raise" (func $raise (param externref)))
      (func (export "throw") (param externref) (throw $e (local.get 0)))
      (func (export "catch") (param externref) (result externref)
        (block $h (result externref)
          (try_table (catch $e $h) (call $raise (local.get 0)))
          (ref.null extern))))`,
      {
        h: {
          tag,
          raise: (x: unknown) => {
            throw new W.Exception(tag, [x]);
          },
        },
      },
    );
    let caught: unknown;
    try {
      (e.throw as (x: unknown) => void)(value);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(W.Exception);
    expect(Object.is((caught as InstanceType<typeof W.Exception>).getArg(tag, 0), value)).toBe(true);
    expect(Object.is((e.catch as (x: unknown) => unknown)(value), value)).toBe(true);
  });

  test('GC: a struct field of type externref, and anyref by any.convert_extern', () => {
    const e = instance(`(module
      (type $box (struct (field (mut externref))))
      (func (export "box") (param externref) (result anyref) (struct.new $box (local.get 0)))
      (func (export "unbox") (param anyref) (result externref)
        (struct.get $box 0 (ref.cast (ref $box) (local.get 0))))
      (func (export "toAny") (param externref) (result anyref) (any.convert_extern (local.get 0)))
      (func (export "fromAny") (param anyref) (result externref) (extern.convert_any (local.get 0)))
      (func (export "idAny") (param anyref) (result anyref) (local.get 0)))`);
    const boxed = (e.box as (x: unknown) => unknown)(value);
    expect(Object.is((e.unbox as (x: unknown) => unknown)(boxed), value)).toBe(true);
    const any = (e.toAny as (x: unknown) => unknown)(value);
    // An integral number in i31 range becomes an i31 in anyref, and -0 comes back as +0.
    expect(Object.is((e.fromAny as (x: unknown) => unknown)(any), Object.is(value, -0) ? 0 : value)).toBe(true);
    expect(Object.is((e.idAny as (x: unknown) => unknown)(value), Object.is(value, -0) ? 0 : value)).toBe(true);
  });
});

describe('funcref slots take only null or exported Wasm functions', () => {
  const e = instance(`(module
    (table $t (export "t") 1 funcref)
    (func $f (export "f") (result i32) (i32.const 7))
    (func (export "id") (param funcref) (result funcref) (local.get 0)))`);
  const id = e.id as (x: unknown) => unknown;

  test('an exported function and null pass, and come back as themselves', () => {
    expect(id(e.f)).toBe(e.f);
    expect(id(null)).toBe(null);
    (e.t as InstanceType<typeof W.Table>).set(0, e.f as never);
    expect((e.t as InstanceType<typeof W.Table>).get(0)).toBe(e.f);
  });

  test.each(VALUES.filter(([, v]) => v !== null))('%s is a TypeError', (_name, value) => {
    expect(() => id(value)).toThrow(TypeError);
    expect(() => (e.t as InstanceType<typeof W.Table>).set(0, value as never)).toThrow(TypeError);
    // (A Global's missing or undefined value is the type's default, null.)
    if (value !== undefined)
      expect(() => new W.Global({ value: 'anyfunc', mutable: true }, value as never)).toThrow(TypeError);
  });
});
