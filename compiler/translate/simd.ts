// SIMD lowering: v128 values are Int32Array(4)s, every operation a call of a runtime SIMD
// helper (lane loads and stores, shuffles, extracts and replaces included).

import type { Instr } from '../ir';
import { opByCode } from '../opcodes';
import * as i64 from './i64';
import { GcLowering } from './gc';
import { use } from './bindings';

export function laneAccessSize(kind: string): number {
  return Number(/(8|16|32|64)/.exec(kind)![1]) / 8;
}

export abstract class SimdLowering extends GcLowering {
  // ------------------------------------------------------------------ SIMD (runtime/vm/simd.ts)

  protected simdOp(name: string, ins: Instr): boolean {
    const info = opByCode.get(ins.op)!;
    if (info.prefix !== 0xfd) return false;
    const fn = `${use('SIMD')}.${name.replace(/^v128\./, 'v128_').replace(/\./g, '_')}`;
    if (name.endsWith('_lane') && (name.startsWith('v128.load') || name.startsWith('v128.store'))) {
      // Loads/stores with a lane immediate.
      const m = this.env.memory(ins.memarg!.mem);
      const [, kind] = name.split('.');
      const size = laneAccessSize(kind);
      const v = this.popBoxed();
      const ea = this.effectiveAddress(m, ins.memarg!.offset, size);
      if (kind.startsWith('store')) this.emit(`${use('SIMD')}.${kind}(${m.u8}, ${ea}, ${v}, ${ins.lane});`);
      else this.push(`${use('SIMD')}.${kind}(${m.u8}, ${ea}, ${v}, ${ins.lane})`, false);
      return true;
    }
    if (name === 'i8x16.shuffle') {
      const lanes = this.pool.add(`new Uint8Array([${Array.from(ins.bytes!).join(', ')}])`);
      const b = this.pop();
      const a = this.pop();
      this.push(`${fn}(${a}, ${b}, ${lanes})`, false);
      return true;
    }
    if (!info.sig) return false;
    const n = info.sig.split('>')[0].length;
    const args = this.popN(n);
    if (name.includes('_lane')) args.push(String(ins.lane)); // extract_lane(_s/_u), replace_lane
    // SIMD helpers allocate and may throw on bugs; keep them as statements in order.
    if (name === 'i64x2.extract_lane') this.pushPairCall(i64.i64UnboxCall(`${fn}(${args.join(', ')})`));
    else this.push(`${fn}(${args.join(', ')})`, false);
    return true;
  }
}
