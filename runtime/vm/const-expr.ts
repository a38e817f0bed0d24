// The constant-expression evaluator: global initialisers, table initialisers, element
// segment items and segment offsets, for every way of instantiating (runtime/vm/instance.ts).
// Expressions are validated, so each leaves exactly one value on the stack.

import { typeRegistry } from '../../types';
import * as GC from './gc';
import type { ConstOps } from './module';
import { f32FromBits, f64FromBits } from './values';

/** What a constant expression may read: functions and globals defined so far. */
export interface ConstEnv {
  readonly funcs: readonly unknown[];
  readonly globals: readonly { getInternal(): unknown }[];
  /** Canonical type id of every type index. */
  readonly canon: readonly number[];
}

/** Evaluates a validated constant expression to an internal value. */
export function evalConstExpr(expr: ConstOps, env: ConstEnv): unknown {
  // A segment's offset and an element segment's function, without the stack.
  if (expr.length === 1) {
    const op = expr[0];
    if (op[0] === 'i32.const') return op[1] as number;
    if (op[0] === 'ref.func') return env.funcs[op[1] as number];
  }
  const st: unknown[] = [];
  for (const [name, a, b] of expr) {
    switch (name) {
      case 'i32.const':
        st.push(a as number);
        break;
      case 'i64.const':
        st.push(BigInt.asIntN(64, a as bigint));
        break;
      case 'f32.const':
        st.push(f32FromBits(a as number));
        break;
      case 'f64.const':
        st.push(f64FromBits(a as bigint));
        break;
      case 'v128.const': {
        const u = a as Uint8Array;
        st.push(new Int32Array(u.buffer.slice(u.byteOffset, u.byteOffset + 16)));
        break;
      }
      case 'ref.null':
        st.push(null);
        break;
      case 'ref.func':
        st.push(env.funcs[a as number]);
        break;
      case 'global.get':
        st.push(env.globals[a as number].getInternal());
        break;
      case 'i32.add': {
        const y = st.pop() as number;
        st.push(((st.pop() as number) + y) | 0);
        break;
      }
      case 'i32.sub': {
        const y = st.pop() as number;
        st.push(((st.pop() as number) - y) | 0);
        break;
      }
      case 'i32.mul': {
        const y = st.pop() as number;
        st.push(Math.imul(st.pop() as number, y));
        break;
      }
      case 'i64.add': {
        const y = st.pop() as bigint;
        st.push(BigInt.asIntN(64, (st.pop() as bigint) + y));
        break;
      }
      case 'i64.sub': {
        const y = st.pop() as bigint;
        st.push(BigInt.asIntN(64, (st.pop() as bigint) - y));
        break;
      }
      case 'i64.mul': {
        const y = st.pop() as bigint;
        st.push(BigInt.asIntN(64, (st.pop() as bigint) * y));
        break;
      }
      case 'any.convert_extern':
        st.push(GC.internalize(st.pop()));
        break;
      case 'extern.convert_any':
        st.push(GC.externalize(st.pop()));
        break;
      case 'ref.i31':
        st.push(((st.pop() as number) << 1) >> 1);
        break;
      case 'struct.new':
      case 'struct.new_default':
      case 'struct.new_desc':
      case 'struct.new_default_desc': {
        const id = env.canon[a as number];
        const comp = typeRegistry.get(id).comp;
        if (comp.kind !== 'struct') throw new Error('struct.new of a non-struct type');
        // The _desc forms take the descriptor above the fields; structNew takes it last.
        const desc = name === 'struct.new_desc' || name === 'struct.new_default_desc' ? [st.pop()] : [];
        const n = comp.fields.length;
        const explicit = name === 'struct.new' || name === 'struct.new_desc';
        const vals = explicit ? st.splice(st.length - n, n) : comp.fields.map((f) => GC.defaultOf(f.type));
        st.push(GC.structNew(id, ...vals, ...desc));
        break;
      }
      case 'array.new':
      case 'array.new_default':
      case 'array.new_fixed': {
        const id = env.canon[a as number];
        const comp = typeRegistry.get(id).comp;
        if (comp.kind !== 'array') throw new Error('array.new of a non-array type');
        const kind = GC.elemKind(comp.field.type);
        if (name === 'array.new_fixed')
          st.push(GC.arrayFixed(id, kind, ...st.splice(st.length - (b as number), b as number)));
        else {
          const n = (st.pop() as number) >>> 0;
          const init = name === 'array.new' ? st.pop() : GC.defaultOf(comp.field.type);
          st.push(GC.arrayNew(id, kind, init, n));
        }
        break;
      }
      default:
        throw new Error(`unsupported constant instruction ${name}`);
    }
  }
  return st.pop();
}
