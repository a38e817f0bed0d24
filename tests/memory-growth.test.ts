// Memory growth keeps the contents, zeroes the new pages, detaches the old buffer and
// refreshes the views compiled code reads, both where the host moves a buffer's contents
// itself (ES2024 `ArrayBuffer.prototype.transfer`, stood in for here where the host lacks
// it) and where the memory copies them; growth that JS does not look at in between takes
// spare capacity, and `buffer` is exact whenever JS reads it.

import { Engine, Module, Store, Linker, Memory } from '../index';
import { parseWat } from '../compiler/text';

const WAT = `(module
  (memory (export "mem") 1)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  ;; Grows one page at a time, n times, writing the new page's number at its start.
  (func (export "growMany") (param $n i32) (local $p i32)
    (loop $l
      (local.set $p (memory.grow (i32.const 1)))
      (i32.store (i32.shl (local.get $p) (i32.const 16)) (local.get $p))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))))`;

/** An instance of WAT with its memory declared as `memory` (limits): `call` and the memory. */
function instantiate(memory = '1'): { call: (name: string, ...args: number[]) => number; mem: Memory } {
  const engine = new Engine();
  const wat = WAT.replace('(memory (export "mem") 1)', `(memory (export "mem") ${memory})`);
  const inst = new Linker(engine).instantiate(new Store(engine), Module.fromBinary(engine, parseWat(wat)));
  const call = (name: string, ...args: number[]): number => inst.getFunc(name)!.call(...args)[0] as number;
  return { call, mem: inst.getMemory('mem') as Memory };
}

type Proto = { transfer?: (this: ArrayBuffer, n: number) => ArrayBuffer };
const proto = ArrayBuffer.prototype as Proto;
const hostTransfer = proto.transfer;

/** A stand-in with transfer's semantics: contents kept, the rest zero, the old one detached. */
function standIn(calls: number[]): (this: ArrayBuffer, n: number) => ArrayBuffer {
  return function (this: ArrayBuffer, n: number): ArrayBuffer {
    calls.push(n);
    const nb = new ArrayBuffer(n);
    new Uint8Array(nb).set(new Uint8Array(this, 0, Math.min(n, this.byteLength)));
    structuredClone(this, { transfer: [this] });
    return nb;
  };
}

describe.each(['transfer', 'copy'] as const)('memory.grow by %s', (how) => {
  const calls: number[] = [];
  beforeAll(() => {
    if (how === 'transfer') {
      if (hostTransfer === undefined)
        Object.defineProperty(ArrayBuffer.prototype, 'transfer', {
          value: standIn(calls),
          configurable: true,
          writable: true,
        });
    } else if (hostTransfer !== undefined) {
      delete proto.transfer;
    }
  });
  afterAll(() => {
    if (hostTransfer === undefined) delete proto.transfer;
    else
      Object.defineProperty(ArrayBuffer.prototype, 'transfer', {
        value: hostTransfer,
        configurable: true,
        writable: true,
      });
  });

  test('contents kept, new pages zero, old buffer detached, code sees the new size', () => {
    const { call, mem } = instantiate();
    call('store', 65532, 0x12345678);
    const before = mem.buffer;
    expect(call('grow', 2)).toBe(1);
    expect(before.byteLength).toBe(0);
    expect(mem.buffer.byteLength).toBe(3 * 65536);
    expect(call('load', 65532)).toBe(0x12345678);
    expect(call('load', 3 * 65536 - 4)).toBe(0);
    call('store', 3 * 65536 - 4, -1);
    expect(new Int32Array(mem.buffer)[(3 * 65536 - 4) / 4]).toBe(-1);
    expect(mem.grow(1)).toBe(3);
    expect(call('load', 3 * 65536 - 4)).toBe(-1);
    expect(() => call('load', 4 * 65536)).toThrow(/out of bounds/);
    if (how === 'transfer' && hostTransfer === undefined) expect(calls).toEqual([3 * 65536, 4 * 65536]);
  });

  test('growth without JS looking takes spare capacity; buffer is exact when read', () => {
    calls.length = 0;
    const { call, mem } = instantiate();
    call('growMany', 10);
    // 1 -> 11 pages, one page at a time: stores of 3, 6 and 11 pages (the last one exact).
    const buf = mem.buffer;
    expect(buf.byteLength).toBe(11 * 65536);
    if (how === 'transfer' && hostTransfer === undefined) expect(calls).toEqual([3, 6, 11].map((p) => p * 65536));
    const words = new Int32Array(buf);
    for (let p = 1; p < 11; p++) expect(words[p * 16384]).toBe(p);
    expect(call('load', 11 * 65536 - 4)).toBe(0);
    expect(() => call('load', 11 * 65536)).toThrow(/out of bounds/);
    // Read by JS, the buffer is detached by the next growth, and that growth is exact.
    call('growMany', 1);
    expect(buf.byteLength).toBe(0);
    expect(mem.buffer.byteLength).toBe(12 * 65536);
    expect(new Int32Array(mem.buffer)[11 * 16384]).toBe(11);
  });
});

describe('a memory grown past 1 MiB on a host with WebAssembly of its own', () => {
  // It moves into a host WebAssembly.Memory (runtime/objects.ts): growth in place, `buffer`
  // exact and detached by growth, and not detachable by JS, as a native memory's buffer.
  const native = typeof (globalThis as { WebAssembly?: unknown }).WebAssembly === 'object';
  const MiB = 1024 * 1024;

  (native ? test : test.skip)('moves to a host memory once; contents, views and buffer rules kept', () => {
    const { call, mem } = instantiate();
    call('store', 65532, 0x12345678);
    const small = mem.buffer;
    // 1 -> 15 pages stays a plain buffer (below the threshold): JS may still detach it.
    expect(call('grow', 14)).toBe(1);
    expect(small.byteLength).toBe(0);
    const plain = mem.buffer;
    expect(plain.byteLength).toBe(15 * 65536);
    // 15 -> 200 pages (12.5 MiB): moved, with the contents.
    expect(call('grow', 185)).toBe(15);
    expect(plain.byteLength).toBe(0);
    const moved = mem.buffer;
    expect(moved.byteLength).toBe(200 * 65536);
    expect(moved.byteLength).toBeGreaterThan(MiB);
    expect(call('load', 65532)).toBe(0x12345678);
    expect(call('load', 200 * 65536 - 4)).toBe(0);
    // A host memory's buffer cannot be detached by JS (the JS API's detach key): transferring
    // it throws or clones, and it stays attached (a plain buffer would be detached).
    try {
      structuredClone(moved, { transfer: [moved] });
    } catch {
      /* refused: as good */
    }
    expect(moved.byteLength).toBe(200 * 65536);
    call('store', 200 * 65536 - 4, -7);
    // Growth in place: the old buffer is detached, the new one exact, the contents kept.
    expect(mem.grow(56)).toBe(200);
    expect(moved.byteLength).toBe(0);
    const grown = mem.buffer;
    expect(grown.byteLength).toBe(256 * 65536);
    expect(new Int32Array(grown)[(200 * 65536 - 4) / 4]).toBe(-7);
    expect(call('load', 256 * 65536 - 4)).toBe(0);
    expect(() => call('load', 256 * 65536)).toThrow(/out of bounds/);
    // Growth from compiled code too, one page at a time, without JS looking.
    call('growMany', 10);
    expect(grown.byteLength).toBe(0);
    expect(mem.buffer.byteLength).toBe(266 * 65536);
    expect(call('load', 256 * 65536)).toBe(256);
    // The JS API's grow(0) renews the buffer.
    const before = mem.buffer;
    mem.renewBuffer();
    expect(before.byteLength).toBe(0);
    expect(mem.buffer.byteLength).toBe(266 * 65536);
    expect(call('load', 65532)).toBe(0x12345678);
  });

  (native ? test : test.skip)('growth to exactly 1 MiB moves it; one page less does not', () => {
    // Only a host memory's buffer resists being transferred away by JS.
    const detachable = (b: ArrayBuffer): boolean => {
      try {
        structuredClone(b, { transfer: [b] });
      } catch {
        /* refused */
      }
      return b.byteLength === 0;
    };
    const below = instantiate();
    expect(below.call('grow', 14)).toBe(1);
    expect(detachable(below.mem.buffer)).toBe(true);
    const at = instantiate();
    at.call('store', 0, 42);
    expect(at.call('grow', 15)).toBe(1);
    const moved = at.mem.buffer;
    expect(moved.byteLength).toBe(MiB);
    expect(detachable(moved)).toBe(false);
    expect(at.call('load', 0)).toBe(42);
    expect(at.call('load', MiB - 4)).toBe(0);
  });

  (native ? test : test.skip)('a memory created that large lives in a host memory from the start', () => {
    const { call, mem } = instantiate('128');
    const buf = mem.buffer;
    expect(buf.byteLength).toBe(128 * 65536);
    try {
      structuredClone(buf, { transfer: [buf] });
    } catch {
      /* refused: as good */
    }
    expect(buf.byteLength).toBe(128 * 65536);
    call('store', 128 * 65536 - 4, 99);
    expect(call('grow', 1)).toBe(128);
    expect(buf.byteLength).toBe(0);
    expect(call('load', 128 * 65536 - 4)).toBe(99);
    expect(mem.buffer.byteLength).toBe(129 * 65536);
  });

  test('a declared maximum still bounds growth', () => {
    const { call, mem } = instantiate('1 200');
    expect(call('grow', 180)).toBe(1);
    expect(call('grow', 20)).toBe(-1);
    expect(call('grow', 19)).toBe(181);
    expect(call('grow', 1)).toBe(-1);
    expect(mem.buffer.byteLength).toBe(200 * 65536);
  });
});
