import type { FuncType } from '../../compiler/ir';
import { LinkError, RuntimeError, WasmException } from '../errors';
import {
  Exception, NULL_EXN, catchable, exceptionArg, isWasmException, matchCatch, matchCatchAll, newException, throwException, throwRef,
} from './exceptions';
import { refKind, refTest } from './gc';
import { Tag } from '../objects';
import { f32FromBits, f32ToBits, f64FromBits, f64ToBits } from './values';

const sig = (params: FuncType['params']): FuncType => ({ kind: 'func', params, results: [] });
const tagA = Tag.create(null, sig(['i32', 'f64']));
// Same type, different identity: tags match by identity only.
const tagA2 = Tag.create(null, sig(['i32', 'f64']));
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
    expect(exceptionArg(x, 0)).toBe(7);
    expect(exceptionArg(x, 1)).toBe(2.5);
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

  test('the payload is a copy, not the caller\'s array', () => {
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
  test('throw_ref rethrows the identical exception', () => {
    const x = newException(tagA, [1, 2]);
    expect(caught(() => throwRef(x))).toBe(x);
    // rethrowing again keeps identity
    const again = caught(() => throwRef(caught(() => throwRef(x)) as WasmException));
    expect(again).toBe(x);
  });

  test('throw_ref of null traps', () => {
    const e = caught(() => throwRef(null));
    expect(e).toBeInstanceOf(RuntimeError);
    expect((e as RuntimeError).message).toBe('null exception reference');
    expect(NULL_EXN).toBe('null exception reference');
  });

  test('an exnref is classified as exn and is in the exn hierarchy', () => {
    const x = newException(tagA, [1, 2]);
    expect(refKind(x)).toBe('exn');
    expect(refTest(x, 'exn', false)).toBe(true);
    expect(refTest(x, 'noexn', false)).toBe(false);
    expect(isWasmException(x)).toBe(true);
  });
});

describe('catching', () => {
  const x = newException(tagA, [1, 2]);
  const trap = new RuntimeError('unreachable');
  const hostError = new TypeError('host failure');
  const link = new LinkError('unknown import');

  test('catch tag matches by tag identity only', () => {
    expect(matchCatch(x, tagA)).toBe(true);
    expect(matchCatch(x, tagA2)).toBe(false);
    expect(matchCatch(x, tagF)).toBe(false);
  });

  test('catch_all matches every Wasm exception', () => {
    expect(matchCatchAll(x)).toBe(true);
    expect(matchCatchAll(newException(tagF, [0, 0, 0n, new Int32Array(4)]))).toBe(true);
  });

  test('traps, stack exhaustion, link errors, host errors and thrown non-errors never match', () => {
    const stack = caught(overflow);
    expect(stack).toBeInstanceOf(RangeError);
    for (const e of [trap, hostError, link, stack, 'str', 42, null, undefined, { tag: tagA, payload: [] }]) {
      expect(matchCatch(e, tagA)).toBe(false);
      expect(matchCatchAll(e)).toBe(false);
      expect(isWasmException(e)).toBe(false);
    }
  });

  test('catchable returns Wasm exceptions and rethrows everything else', () => {
    expect(catchable(x)).toBe(x);
    expect(caught(() => catchable(trap))).toBe(trap);
    expect(caught(() => catchable(hostError))).toBe(hostError);
    expect(caught(() => catchable('str'))).toBe('str');
  });

  test('catchable turns stack exhaustion into the trap "call stack exhausted"', () => {
    const stack = caught(overflow);
    const e = caught(() => catchable(stack));
    expect(e).toBeInstanceOf(RuntimeError);
    expect((e as RuntimeError).message).toBe('call stack exhausted');
  });

  test('a generated-code style handler: catch by tag, else catch_all, traps pass through', () => {
    const handler = (body: () => void): string => {
      try {
        body();
        return 'none';
      } catch (e_) {
        const e = catchable(e_);
        if (matchCatch(e, tagA)) return `A:${e.payload[0]}`;
        if (matchCatchAll(e)) return 'all';
        throw e;
      }
    };
    expect(handler(() => throwException(tagA, 5, 0))).toBe('A:5');
    expect(handler(() => throwException(tagA2, 5, 0))).toBe('all');
    expect(handler(() => undefined)).toBe('none');
    expect(caught(() => handler(() => { throw trap; }))).toBe(trap);
    expect((caught(() => handler(overflow)) as Error).message).toBe('call stack exhausted');
  });
});
