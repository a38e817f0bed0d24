import type { FuncType } from '../../compiler/ir';
import { LinkError, RuntimeError, WasmException } from '../errors';
import { Exception, newException, throwException } from './exceptions';
import { helpers } from './helpers';
import { refKind, refTest } from './gc';
import { Tag } from '../objects';
import { f32FromBits, f32ToBits, f64FromBits, f64ToBits } from './values';

const sig = (params: FuncType['params']): FuncType => ({ kind: 'func', params, results: [] });
const tagA = Tag.create(null, sig(['i32', 'f64']));
const tagF = Tag.create(null, sig(['f32', 'f64', 'i64', 'v128']));

const SNAN64_BITS = 0x7ff0000000012345n;
const SNAN32_BITS = 0x7fa00001;

function caught(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

function overflow(): number {
  return overflow() + 1;
}

describe('throwing', () => {
  test('throwException raises a WasmException with tag and payload', () => {
    const e = caught(() => throwException(tagA, 7, 2.5));
    expect(e).toBeInstanceOf(WasmException);
    expect(e).toBeInstanceOf(Exception);
    const x = e as WasmException;
    expect(x.tag).toBe(tagA);
    expect(x.payload).toEqual([7, 2.5]);
    expect(x.payload[0]).toBe(7);
    expect(x.payload[1]).toBe(2.5);
  });

  test('payload NaN bits survive, including under optimisation', () => {
    const snan64 = f64FromBits(SNAN64_BITS);
    const snan32 = f32FromBits(SNAN32_BITS);
    const v = Int32Array.of(1, 2, 3, 4);
    const check = (x: WasmException): void => {
      expect(f32ToBits(x.payload[0] as number) >>> 0).toBe(SNAN32_BITS);
      expect(f64ToBits(x.payload[1] as number)).toBe(SNAN64_BITS);
      expect(x.payload[2]).toBe(-1n);
      expect(x.payload[3]).toBe(v);
    };
    check(caught(() => throwException(tagF, snan32, snan64, -1n, v)) as WasmException);
    // (An array literal of numbers would already have lost the bits: V8 stores it as raw
    // doubles. Callers hand over generic arrays or typed arrays.)
    const generic: unknown[] = new Array<unknown>(4).fill(null);
    generic[0] = snan32;
    generic[1] = snan64;
    generic[2] = -1n;
    generic[3] = v;
    check(newException(tagF, generic));
    // A payload built from a typed array is read element-wise.
    const f = new Float64Array(1);
    f[0] = snan64;
    expect(f64ToBits(newException(tagA, f).payload[0] as number)).toBe(SNAN64_BITS);
    let last: WasmException | null = null;
    for (let i = 0; i < 20000; i++) {
      try {
        throwException(tagF, i + 0.5, i + 0.25, 0n, v);
      } catch (e) {
        last = e as WasmException;
      }
    }
    expect(last!.payload[0]).toBe(19999.5);
    check(caught(() => throwException(tagF, snan32, snan64, -1n, v)) as WasmException);
  });

  test("the payload is a copy, not the caller's array", () => {
    const values = [1, 2];
    const x = newException(tagA, values);
    values[0] = 9;
    expect(x.payload[0]).toBe(1);
  });

  test('exceptions carry no stack trace and leave the global limit unchanged', () => {
    const before = Error.stackTraceLimit;
    const x = newException(tagA, [1, 2]);
    expect(Error.stackTraceLimit).toBe(before);
    expect(String(x.stack)).not.toMatch(/\n\s+at /);
    expect(x.message).toBe('uncaught wasm exception');
  });
});

describe('exnref', () => {
  test('an exnref is classified as exn and is in the exn hierarchy', () => {
    const x = newException(tagA, [1, 2]);
    expect(refKind(x)).toBe('exn');
    expect(refTest(x, 'exn', false)).toBe(true);
    expect(refTest(x, 'noexn', false)).toBe(false);
  });
});

describe('catching (the helpers a generated catch block calls: wrapTrap, then isTrap)', () => {
  const x = newException(tagA, [1, 2]);
  const trap = new RuntimeError('unreachable');
  const hostError = new TypeError('host failure');
  const link = new LinkError('unknown import');
  const isTrap = helpers.isTrap as (e: unknown) => boolean;
  const wrapTrap = helpers.wrapTrap as (e: unknown) => unknown;

  test('a Wasm exception is caught as itself', () => {
    expect(wrapTrap(x)).toBe(x);
    expect(isTrap(x)).toBe(false);
  });

  test('traps, link errors, host errors and thrown non-errors are never caught', () => {
    for (const e of [trap, hostError, link, 'str', 42, null, undefined, { tag: tagA, payload: [] }]) {
      expect(wrapTrap(e)).toBe(e);
      expect(isTrap(e)).toBe(true);
    }
  });

  test('stack exhaustion becomes the trap "call stack exhausted"', () => {
    const stack = caught(overflow);
    expect(stack).toBeInstanceOf(RangeError);
    const e = wrapTrap(stack);
    expect(e).toBeInstanceOf(RuntimeError);
    expect((e as RuntimeError).message).toBe('call stack exhausted');
    expect(isTrap(e)).toBe(true);
  });
});
