// The "name" custom section (spec 7.4.1): module, function and local names. Custom
// section contents are not part of validation, so a name section that does not parse is
// ignored rather than failing the module.
//
// The section is checked whole when the module is decoded (its structure and every name's
// UTF-8), but a name becomes a string only when asked for: large programs carry megabytes
// of names, and a running program asks for a few (the functions it translates, the frames
// of a backtrace).

import { CompileError } from '../errors';
import type { NameMap, NameSection } from '../ir';
import { Reader } from './reader';

const enum NameSubsection {
  Module = 0,
  Function = 1,
  Local = 2,
}

/**
 * A namemap kept as the positions of its names in the section's bytes. Entries are sorted
 * by index and looked up by binary search; a map whose indices are not strictly increasing
 * (which the spec does not allow, but which costs nothing to accept) is made a Map at once,
 * the later of two equal indices winning as in a Map.
 */
class LazyNameMap implements NameMap {
  readonly size: number;
  private readonly indices: Uint32Array;
  private readonly positions: Uint32Array;
  private readonly map: Map<number, string> | undefined;

  constructor(
    private readonly bytes: Uint8Array,
    indices: Uint32Array,
    positions: Uint32Array,
  ) {
    let sorted = true;
    for (let i = 1; i < indices.length; i++) {
      if (indices[i] <= indices[i - 1]) {
        sorted = false;
        break;
      }
    }
    this.indices = indices;
    this.positions = positions;
    if (!sorted) {
      this.map = new Map();
      for (let i = 0; i < indices.length; i++) this.map.set(indices[i], this.nameAt(i));
    }
    this.size = this.map !== undefined ? this.map.size : indices.length;
  }

  private nameAt(i: number): string {
    return new Reader(this.bytes, this.positions[i]).name();
  }

  get(index: number): string | undefined {
    if (this.map !== undefined) return this.map.get(index);
    const ix = this.indices;
    let lo = 0;
    let hi = ix.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = ix[mid];
      if (v === index) return this.nameAt(mid);
      if (v < index) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  has(index: number): boolean {
    return this.get(index) !== undefined;
  }

  *entries(): IterableIterator<[number, string]> {
    if (this.map !== undefined) {
      yield* this.map.entries();
      return;
    }
    for (let i = 0; i < this.indices.length; i++) yield [this.indices[i], this.nameAt(i)];
  }

  [Symbol.iterator](): IterableIterator<[number, string]> {
    return this.entries();
  }
}

/**
 * Without a JIT, names from this length on are checked with one call of the host's decoder:
 * native code beats an interpreted loop over their bytes (mangled names run to hundreds of
 * bytes, and a large program has tens of thousands). With a JIT the loop is faster.
 */
const LONG_NAME = 32;

const EMPTY_MAP = new LazyNameMap(new Uint8Array(0), new Uint32Array(0), new Uint32Array(0));

/**
 * Checks a namemap at `r` and returns it with its names left in the bytes. `longName`: the
 * length from which a name's UTF-8 is checked by the host's decoder (Reader.skipName).
 */
function nameMap(r: Reader, longName: number): NameMap {
  const n = r.len();
  const indices = new Uint32Array(n);
  const positions = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    indices[i] = r.u32();
    positions[i] = r.pos;
    r.skipName(longName);
  }
  return new LazyNameMap(r.bytes, indices, positions);
}

/**
 * Returns the section's names, or undefined if the section is malformed. `interpreted`: the
 * host has no JIT (DecodeOptions), so long names are checked by its native decoder.
 */
export function decodeNameSection(bytes: Uint8Array, interpreted = false): NameSection | undefined {
  const longName = interpreted ? LONG_NAME : Infinity;
  const r = new Reader(bytes);
  let module: string | undefined;
  let funcs: NameMap = EMPTY_MAP;
  let localsAt = -1;
  try {
    while (!r.atEnd()) {
      const id = r.u8();
      const size = r.len();
      const end = r.pos + size;
      switch (id) {
        case NameSubsection.Module:
          module = r.name();
          break;
        case NameSubsection.Function:
          funcs = nameMap(r, longName);
          break;
        case NameSubsection.Local: {
          localsAt = r.pos;
          const n = r.len();
          for (let i = 0; i < n; i++) {
            r.u32();
            nameMap(r, longName);
          }
          break;
        }
        default:
          // Other subsections (labels, types, fields, ...) are skipped.
          r.pos = end;
      }
      if (r.pos !== end) return undefined;
    }
  } catch (e) {
    if (e instanceof CompileError) return undefined;
    throw e;
  }
  let locals: Map<number, NameMap> | undefined;
  return {
    module,
    funcs,
    // Checked above; read again, rarely, when asked for.
    get locals(): Map<number, NameMap> {
      if (locals === undefined) {
        locals = new Map();
        if (localsAt >= 0) {
          const lr = new Reader(bytes, localsAt);
          const n = lr.len();
          for (let i = 0; i < n; i++) {
            const func = lr.u32();
            locals.set(func, nameMap(lr, longName));
          }
        }
      }
      return locals;
    },
  };
}
