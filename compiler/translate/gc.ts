// GC lowering: struct and array operations, ref.test / ref.cast and the casting branches,
// i31 and the extern/any conversions, as calls of runtime/vm/gc.ts helpers.

import type { ArrayType, CompositeType, HeapType, Instr, RefType, StorageType, StructType, ValType } from '../ir';
import * as i64 from './i64';
import { MemoryAccess } from './memory';
import { use } from './bindings';

export function unpacked(t: StorageType): ValType {
  return t === 'i8' || t === 'i16' ? 'i32' : t;
}

export function elemKindOf(t: StorageType): string {
  return typeof t === 'object' ? 'ref' : t;
}

/** Reads a (possibly packed) field value: packed fields hold an i32 masked on read. */
export function packedRead(e: string, t: StorageType, unsigned: boolean): string {
  if (t === 'i8') return unsigned ? `(${e} & 0xff)` : `(${e} << 24 >> 24)`;
  if (t === 'i16') return unsigned ? `(${e} & 0xffff)` : `(${e} << 16 >> 16)`;
  return e;
}

export abstract class GcLowering extends MemoryAccess {
  // ------------------------------------------------------------------ GC (runtime/vm/gc.ts)

  protected compositeAt(t: number): CompositeType {
    return this.env.module.types[t].comp;
  }

  /** A predicate for one target type, built once per instance (runtime/vm/gc.ts refTestFn). */
  protected refTestFn(h: HeapType, nullable: boolean): string {
    return this.pool.add(`${use('refTestFn')}(${this.heapLiteral(h)}, ${nullable})`);
  }

  /**
   * The predicate for a cast target: exact targets (custom descriptors) have their own, so
   * other targets build the same code as before.
   */
  protected castTestFn(rt: RefType): string {
    if (rt.exact === true)
      return this.pool.add(`${use('H')}.refTestExactFn(${this.heapLiteral(rt.heap)}, ${rt.nullable})`);
    return this.refTestFn(rt.heap, rt.nullable);
  }

  protected heapLiteral(h: HeapType): string {
    return typeof h === 'number' ? String(this.env.canonicalTypeId(h)) : JSON.stringify(h);
  }

  /** Conditional branch keeping the top value on the stack (br_on_cast and friends). */
  protected condBranchKeep(cond: string, depth: number): void {
    const mark = this.out.length;
    this.indent++;
    const stmt = this.branchStatement(depth);
    this.indent--;
    const assigns = this.out.splice(mark);
    this.emit(`if (${cond}) {`);
    this.out.push(...assigns);
    this.emit(`  ${stmt}`);
    this.emit('}');
  }

  protected gcOp(name: string, ins: Instr): boolean {
    switch (name) {
      case 'struct.new':
      case 'struct.new_default': {
        const st = this.compositeAt(ins.idx!) as StructType;
        const id = this.env.canonicalTypeId(ins.idx!);
        // The type's own allocator (runtime/vm/gc.ts structLayout), bound once per instance: named
        // parameters straight into the fields (packed ones are wrapped there).
        if (name === 'struct.new_default') {
          this.push(`${this.pool.add(`${use('structLayout')}(${id}).createDefault`)}()`, false);
          return true;
        }
        const args = this.popN(st.fields.length);
        this.push(`${this.pool.add(`${use('structLayout')}(${id}).create`)}(${args.join(', ')})`, false);
        return true;
      }
      case 'struct.new_desc':
      case 'struct.new_default_desc': {
        // The descriptor is the last operand and the allocator's last argument.
        const st = this.compositeAt(ins.idx!) as StructType;
        const id = this.env.canonicalTypeId(ins.idx!);
        if (name === 'struct.new_default_desc') {
          const d = this.pop();
          this.push(`${this.pool.add(`${use('structLayout')}(${id}).createDefault`)}(${d})`, false);
          return true;
        }
        const args = this.popN(st.fields.length + 1);
        this.push(`${this.pool.add(`${use('structLayout')}(${id}).create`)}(${args.join(', ')})`, false);
        return true;
      }
      case 'ref.get_desc':
        this.push(`${use('H')}.refGetDesc(${this.pop()})`, false);
        return true;
      case 'ref.cast_desc_eq':
      case 'ref.cast_desc_eq_null': {
        const d = this.pop();
        const v = this.pop();
        this.push(`${use('H')}.refCastDescEq(${v}, ${d}, ${name.endsWith('_null')})`, false);
        return true;
      }
      case 'br_on_cast_desc_eq':
      case 'br_on_cast_desc_eq_fail': {
        // The reference stays on the stack (it is what the branch carries); the descriptor is
        // consumed by the test, which runs before the branch's result assignments.
        const rt2 = ins.types![1] as RefType;
        const n = this.stack.length;
        this.materialize(n - 2);
        this.materialize(n - 1);
        const d = this.pop();
        const v = this.stack[n - 2].e;
        const test = `${use('H')}.refTestDescEq(${v}, ${d}, ${rt2.nullable})`;
        this.condBranchKeep(name === 'br_on_cast_desc_eq' ? test : `!${test}`, ins.idx!);
        return true;
      }
      case 'struct.get':
      case 'struct.get_s':
      case 'struct.get_u': {
        const st = this.compositeAt(ins.idx!) as StructType;
        const ft = st.fields[ins.idx2!].type;
        const r = this.pop();
        // Field i is the property f<i>; packed fields are stored sign-extended.
        if (ft === 'i64') this.pushPairCall(i64.i64UnboxCall(`${use('structRef')}(${r}).f${ins.idx2}`));
        else this.push(packedRead(`${use('structRef')}(${r}).f${ins.idx2}`, ft, name.endsWith('_u')), false);
        return true;
      }
      case 'struct.set': {
        const st = this.compositeAt(ins.idx!) as StructType;
        const ft = st.fields[ins.idx2!].type;
        const v = this.popBoxed();
        const r = this.pop();
        const packed = ft === 'i8' ? `(${v} << 24 >> 24)` : ft === 'i16' ? `(${v} << 16 >> 16)` : v;
        this.emit(`${use('structRef')}(${r}).f${ins.idx2} = ${packed};`);
        return true;
      }
      case 'array.new':
      case 'array.new_default': {
        const at = this.compositeAt(ins.idx!) as ArrayType;
        const n = this.addrOperand(false);
        const init = name === 'array.new' ? this.popBoxed() : this.defaultValue(unpacked(at.field.type));
        this.push(
          `${use('arrayNew')}(${this.env.canonicalTypeId(ins.idx!)}, ${JSON.stringify(elemKindOf(at.field.type))}, ${init}, ${n})`,
          false,
        );
        return true;
      }
      case 'array.new_fixed': {
        const at = this.compositeAt(ins.idx!) as ArrayType;
        const args = this.popN(ins.idx2!);
        this.push(
          `${use('arrayFixed')}(${[String(this.env.canonicalTypeId(ins.idx!)), JSON.stringify(elemKindOf(at.field.type)), ...args].join(', ')})`,
          false,
        );
        return true;
      }
      case 'array.new_data': {
        const at = this.compositeAt(ins.idx!) as ArrayType;
        const n = this.addrOperand(false);
        const s = this.addrOperand(false);
        this.push(
          `${use('arrayNewData')}(${this.env.canonicalTypeId(ins.idx!)}, ${JSON.stringify(elemKindOf(at.field.type))}, ${this.env.dataSegment(ins.idx2!)}, ${s}, ${n})`,
          false,
        );
        return true;
      }
      case 'array.new_elem': {
        const n = this.addrOperand(false);
        const s = this.addrOperand(false);
        this.push(
          `${use('arrayNewElem')}(${this.env.canonicalTypeId(ins.idx!)}, ${this.env.elemSegment(ins.idx2!)}, ${s}, ${n})`,
          false,
        );
        return true;
      }
      case 'array.get':
      case 'array.get_s':
      case 'array.get_u': {
        const at = this.compositeAt(ins.idx!) as ArrayType;
        const i = this.addrOperand(false);
        const a = this.pop();
        const e = `${use('arrayGet')}(${a}, ${i})`;
        if (at.field.type === 'i64') this.pushPairCall(i64.i64UnboxCall(e));
        else this.push(name === 'array.get_u' ? packedRead(e, at.field.type, true) : e, false);
        return true;
      }
      case 'array.set': {
        const v = this.popBoxed();
        const i = this.addrOperand(false);
        const a = this.pop();
        this.emit(`${use('arraySet')}(${a}, ${i}, ${v});`);
        return true;
      }
      case 'array.len':
        this.push(`${use('arrayLen')}(${this.pop()})`, false);
        return true;
      case 'array.fill': {
        const n = this.addrOperand(false);
        const v = this.popBoxed();
        const i = this.addrOperand(false);
        const a = this.pop();
        this.emit(`${use('arrayFill')}(${a}, ${i}, ${v}, ${n});`);
        return true;
      }
      case 'array.copy': {
        const n = this.addrOperand(false);
        const si = this.addrOperand(false);
        const sa = this.pop();
        const di = this.addrOperand(false);
        const da = this.pop();
        this.emit(`${use('arrayCopy')}(${da}, ${di}, ${sa}, ${si}, ${n});`);
        return true;
      }
      case 'array.init_data': {
        const at = this.compositeAt(ins.idx!) as ArrayType;
        const n = this.addrOperand(false);
        const s = this.addrOperand(false);
        const d = this.addrOperand(false);
        const a = this.pop();
        this.emit(
          `${use('arrayInitData')}(${a}, ${JSON.stringify(elemKindOf(at.field.type))}, ${this.env.dataSegment(ins.idx2!)}, ${d}, ${s}, ${n});`,
        );
        return true;
      }
      case 'array.init_elem': {
        const n = this.addrOperand(false);
        const s = this.addrOperand(false);
        const d = this.addrOperand(false);
        const a = this.pop();
        this.emit(`${use('arrayInitElem')}(${a}, ${this.env.elemSegment(ins.idx2!)}, ${d}, ${s}, ${n});`);
        return true;
      }
      case 'ref.i31':
        this.unary((a) => `(${a} << 1 >> 1)`);
        return true;
      case 'i31.get_s':
        this.push(`${use('i31')}(${this.pop()})`, false);
        return true;
      case 'i31.get_u':
        this.push(`(${use('i31')}(${this.pop()}) & 0x7fffffff)`, false);
        return true;
      case 'any.convert_extern':
        this.push(`${use('internalize')}(${this.pop()})`, false);
        return true;
      case 'extern.convert_any':
        this.push(`${use('externalize')}(${this.pop()})`, false);
        return true;
      case 'ref.test':
      case 'ref.test_null': {
        const v = this.pop();
        const rt = ins.types?.[0] as RefType | undefined;
        const fn = rt?.exact === true ? this.castTestFn(rt) : this.refTestFn(ins.heap!, name.endsWith('_null'));
        this.push(`(${fn}(${v}) ? 1 : 0)`, false);
        return true;
      }
      case 'ref.cast':
      case 'ref.cast_null': {
        const v = this.pop();
        const rt = ins.types?.[0] as RefType | undefined;
        if (rt?.exact === true) this.push(`${use('H')}.refCastBy(${v}, ${this.castTestFn(rt)})`, false);
        else this.push(`${use('refCast')}(${v}, ${this.heapLiteral(ins.heap!)}, ${name.endsWith('_null')})`, false);
        return true;
      }
      case 'br_on_cast':
      case 'br_on_cast_fail': {
        const rt2 = ins.types![1] as RefType;
        const d = this.stack.length - 1;
        this.materialize(d);
        const v = this.stack[d].e;
        const test = `${this.castTestFn(rt2)}(${v})`;
        this.condBranchKeep(name === 'br_on_cast' ? test : `!${test}`, ins.idx!);
        return true;
      }
      default:
        return false;
    }
  }
}
