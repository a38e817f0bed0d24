import { messageForCloning } from './agents';

/** A stand-in for the facade's objects: instances of Thing become their wire forms. */
class Thing {
  constructor(readonly id: number) {}
}
function counting(): { calls: number; wireFormOf: (v: unknown) => unknown } {
  const c = {
    calls: 0,
    wireFormOf: (v: unknown): unknown => {
      c.calls++;
      return v instanceof Thing ? { wire: v.id } : v;
    },
  };
  return c;
}

describe('messages to other agents', () => {
  test('facade objects are replaced where cloning would lose them; the sender keeps its message', () => {
    const t1 = new Thing(1);
    const t2 = new Thing(2);
    const inner = { module: t1, n: 5 };
    const msg = { cmd: 'load', parts: [inner, 'x'], memory: t2, bytes: new Uint8Array(4) };
    const out = messageForCloning(msg, counting().wireFormOf) as typeof msg;
    expect(out).not.toBe(msg);
    expect(out).toEqual({
      cmd: 'load',
      parts: [{ module: { wire: 1 }, n: 5 }, 'x'],
      memory: { wire: 2 },
      bytes: msg.bytes,
    });
    expect(msg.memory).toBe(t2);
    expect(msg.parts[0]).toBe(inner);
    expect(inner.module).toBe(t1);
    expect(messageForCloning(t1, counting().wireFormOf)).toEqual({ wire: 1 });
  });

  test('a message without facade objects is returned as it is, cycles included', () => {
    const msg: Record<string, unknown> = { a: [1, 2, { b: 'c' }], m: new Map([[1, new Thing(3)]]) };
    msg.self = msg;
    expect(messageForCloning(msg, counting().wireFormOf)).toBe(msg);
    expect(messageForCloning(42, counting().wireFormOf)).toBe(42);
  });

  test('accessors are not called and class instances other than facade objects are not entered', () => {
    let called = 0;
    const msg = {
      get lazy() {
        called++;
        return new Thing(4);
      },
      other: new (class Box {
        thing = new Thing(5);
      })(),
    };
    expect(messageForCloning(msg, counting().wireFormOf)).toBe(msg);
    expect(called).toBe(0);
  });

  test('the walk is bounded: a large data message costs a fixed number of looks', () => {
    const big = Array.from({ length: 100_000 }, (_, i) => ({ i, tags: ['a', 'b'] }));
    const c = counting();
    expect(messageForCloning({ rows: big }, c.wireFormOf)).toEqual({ rows: big });
    expect(c.calls).toBeLessThanOrEqual(256);
    // Deeper than the walk looks: left for cloning as it is.
    const deep = { a: { b: { c: { d: { e: new Thing(6) } } } } };
    expect(messageForCloning(deep, counting().wireFormOf)).toBe(deep);
  });
});
