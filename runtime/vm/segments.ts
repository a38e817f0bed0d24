// Instantiation steps 5–6 shared by the runtime (runtime/instance.ts) and the ahead-of-time
// loader (runtime/aot), which must not load the compiler: applying active element and data
// segments. Each caller evaluates constant expressions in its own representation and passes
// an evaluator; both convert what this throws into traps where they call it.

import { RuntimeError } from '../errors';
import { helpers } from './helpers';
import type { Memory, Table } from '../objects';
import { TRAP } from '../../vmctx/traps';

/** An address-typed constant's value (i32 number or i64 bigint) as a table/memory index. */
function toIndex(v: unknown): number {
  return typeof v === 'bigint' ? Number(BigInt.asUintN(64, v)) : (v as number) >>> 0;
}

interface ActiveElem<E> {
  readonly mode: string;
  readonly table: number;
  readonly offset?: E;
}
interface ActiveData<E> {
  readonly mode: string;
  readonly memory: number;
  readonly offset?: E;
  readonly bytes: Uint8Array;
}

/**
 * Copies active element segments (their evaluated `elemValues`) into tables, then active
 * data segments into memories, in order, dropping each applied data segment (its slot in
 * `refs` at `dataSlot(s)`). Throws RuntimeError on the first segment out of bounds; the
 * ones before it stay applied, as the spec requires.
 */
export function applyActiveSegments<E>(
  elems: readonly ActiveElem<E>[],
  elemValues: readonly unknown[][],
  datas: readonly ActiveData<E>[],
  tables: readonly Table[],
  memories: readonly Memory[],
  refs: unknown[],
  dataSlot: (s: number) => number,
  evalOffset: (expr: E, addr: 'i32' | 'i64') => unknown,
): void {
  elems.forEach((e, s) => {
    if (e.mode !== 'active') return;
    const table = tables[e.table];
    const off = toIndex(evalOffset(e.offset!, table.type.addr));
    const vals = elemValues[s];
    if (off + vals.length > table.elements.length) throw new RuntimeError(TRAP.tableOutOfBounds);
    for (let k = 0; k < vals.length; k++) table.elements[off + k] = vals[k];
  });
  datas.forEach((d, s) => {
    if (d.mode !== 'active') return;
    const mem = memories[d.memory];
    const off = toIndex(evalOffset(d.offset!, mem.type.addr));
    if (off + d.bytes.length > mem.byteLength) throw new RuntimeError(TRAP.memoryOutOfBounds);
    mem.u8.set(d.bytes, off);
    refs[dataSlot(s)] = helpers.EMPTY_DATA;
  });
}
