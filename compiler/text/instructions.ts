// Text instructions → binary instructions (spec 6.5 and the binary format 5.4): plain and
// folded instruction sequences of function bodies and constant expressions, with their
// immediates (labels, indices, memargs, block types, constants, lane indices). Identifiers
// are resolved through the module being encoded (`ModuleScope`); locals and labels here.

import { malformed } from '../errors';
import { Imm, opByName, OpInfo } from '../opcodes';
import { atPos, Atom, headOf, idOf, isIndex, kwOf, List, malformedAt, numAt, Sexpr, Tok, unexpected } from './lexer';
import { looksNat, parseF32, parseF64, parseI32, parseI64, parseIntBits, parseNatBig, parseU32 } from './numbers';
import { ByteWriter } from './writer';

/** An encoded value, storage or reference type: its binary bytes. */
export type Enc = number[];

/** One index space of the module: resolves an identifier or a number to its index. */
export interface IndexSpace {
  resolve(a: Sexpr | undefined): number;
}

/**
 * What instruction encoding reads from the module being encoded: its index spaces, field
 * names of its types, and its type encodings. Setting `usesDataIndex` records that the
 * module needs a data count section.
 */
export interface ModuleScope {
  readonly typeSpace: IndexSpace;
  readonly funcs: IndexSpace;
  readonly tables: IndexSpace;
  readonly mems: IndexSpace;
  readonly globals: IndexSpace;
  readonly tags: IndexSpace;
  readonly elems: IndexSpace;
  readonly datas: IndexSpace;
  readonly types: readonly { readonly fieldNames?: Map<string, number> }[];
  usesDataIndex: boolean;
  valType(x: Sexpr | undefined): Enc;
  refType(x: Sexpr | undefined): { enc: Enc; nullable: boolean; heap: Enc };
  heapType(x: Sexpr | undefined): Enc;
  blockType(it: Sexpr[], k: number): [Enc, number];
  typeUseIdx(it: Sexpr[], k: number, allowParamIds: boolean): [{ idx: number }, number];
}

/** Encodes instruction sequences of one function body or constant expression. */
export class InstrEncoder {
  private readonly labels: (string | undefined)[] = [];

  constructor(
    private readonly m: ModuleScope,
    private readonly w: ByteWriter,
    private readonly locals: Map<string, number> | null,
  ) {}

  /**
   * Encodes instructions it[k..]; stops at a block terminator keyword (end, else, catch,
   * catch_all, delegate) and returns its index. `whole` requires reaching the end.
   */
  seq(it: Sexpr[], k: number, whole: boolean): number {
    while (k < it.length) {
      const x = it[k];
      if (x instanceof List) {
        this.folded(x);
        k++;
        continue;
      }
      const name = kwOf(x);
      if (name === undefined) unexpected(x);
      if (name === 'end' || name === 'else' || name === 'catch' || name === 'catch_all' || name === 'delegate') {
        if (whole) unexpected(x);
        return k;
      }
      // Errors without a more precise place are placed at their instruction.
      try {
        k = this.plain(it, k);
      } catch (e) {
        throw atPos(e, x.pos);
      }
    }
    return k;
  }

  private op(info: OpInfo): void {
    if (info.prefix) {
      this.w.u8(info.prefix);
      this.w.u32(info.sub);
    } else this.w.u8(info.code);
  }

  private opNamed(name: string): void {
    this.op(opByName.get(name)!);
  }

  private label(x: Sexpr | undefined): number {
    if (x instanceof Atom) {
      if (x.kind === Tok.Id) {
        for (let i = this.labels.length - 1; i >= 0; i--)
          if (this.labels[i] === x.text) return this.labels.length - 1 - i;
        throw malformedAt(x.pos, `unknown label $${x.text}`);
      }
      if (x.kind === Tok.Keyword) {
        const v = parseU32(x.text);
        if (v !== undefined) return v;
      }
    }
    unexpected(x);
  }

  private local(x: Sexpr | undefined): number {
    if (x instanceof Atom && x.kind === Tok.Id) {
      const v = this.locals?.get(x.text);
      if (v === undefined) throw malformedAt(x.pos, `unknown local $${x.text}`);
      return v;
    }
    const t = kwOf(x);
    const v = t === undefined ? undefined : parseU32(t);
    if (v === undefined) unexpected(x);
    return v;
  }

  /** Optional block label `$l`: returns it and the next index. */
  private blockLabel(it: Sexpr[], k: number): [string | undefined, number] {
    const id = idOf(it[k]);
    return id !== undefined ? [id, k + 1] : [undefined, k];
  }

  private checkEndLabel(it: Sexpr[], k: number, label: string | undefined): number {
    const id = idOf(it[k]);
    if (id === undefined) return k;
    if (id !== label) throw malformedAt((it[k] as Atom).pos, `mismatching label $${id}`);
    return k + 1;
  }

  private expectKw(it: Sexpr[], k: number, kw: string): void {
    if (kwOf(it[k]) !== kw) unexpected(it[k]);
  }

  /** try_table catch clauses from it[k]; returns the encoded vector and next index. */
  private catches(it: Sexpr[], k: number): [ByteWriter, number] {
    const cw = new ByteWriter();
    let n = 0;
    // Catch labels are resolved outside the try_table's own label.
    for (;;) {
      const h = headOf(it[k]);
      if (h !== 'catch' && h !== 'catch_ref' && h !== 'catch_all' && h !== 'catch_all_ref') break;
      const c = (it[k] as List).items;
      if (h === 'catch' || h === 'catch_ref') {
        if (c.length !== 3) unexpected(c[3]);
        cw.u8(h === 'catch' ? 0 : 1);
        cw.u32(this.m.tags.resolve(c[1]));
        cw.u32(this.label(c[2]));
      } else {
        if (c.length !== 2) unexpected(c[2]);
        cw.u8(h === 'catch_all' ? 2 : 3);
        cw.u32(this.label(c[1]));
      }
      n++;
      k++;
    }
    const out = new ByteWriter();
    out.u32(n);
    out.bytes(cw.finish());
    return [out, k];
  }

  /** Flat instruction at it[k]; returns the index after it and its immediates. */
  private plain(it: Sexpr[], k: number): number {
    const name = (it[k] as Atom).text;
    const w = this.w;
    switch (name) {
      case 'block':
      case 'loop':
      case 'if':
      case 'try_table':
      case 'try': {
        let label: string | undefined;
        [label, k] = this.blockLabel(it, k + 1);
        let bt: Enc;
        [bt, k] = this.m.blockType(it, k);
        let catchVec: ByteWriter | undefined;
        if (name === 'try_table') [catchVec, k] = this.catches(it, k);
        this.opNamed(name);
        w.bytes(bt);
        if (catchVec) w.bytes(catchVec.finish());
        this.labels.push(label);
        k = this.seq(it, k, false);
        if (name === 'if' && kwOf(it[k]) === 'else') {
          k = this.checkEndLabel(it, k + 1, label);
          this.opNamed('else');
          k = this.seq(it, k, false);
        }
        if (name === 'try') {
          const sawCatch = kwOf(it[k]) === 'catch' || kwOf(it[k]) === 'catch_all';
          while (kwOf(it[k]) === 'catch') {
            this.opNamed('catch');
            w.u32(this.m.tags.resolve(it[k + 1]));
            k = this.seq(it, k + 2, false);
          }
          if (kwOf(it[k]) === 'catch_all') {
            this.opNamed('catch_all');
            k = this.seq(it, k + 1, false);
          }
          if (kwOf(it[k]) === 'delegate') {
            if (sawCatch) unexpected(it[k]);
            this.labels.pop();
            this.opNamed('delegate');
            w.u32(this.label(it[k + 1]));
            return k + 2;
          }
        }
        this.expectKw(it, k, 'end');
        this.labels.pop();
        w.u8(0x0b);
        return this.checkEndLabel(it, k + 1, label);
      }
      case 'select': {
        k++;
        if (headOf(it[k]) === 'result') {
          const types: Enc[] = [];
          while (headOf(it[k]) === 'result') {
            const r = (it[k] as List).items;
            for (let j = 1; j < r.length; j++) types.push(this.m.valType(r[j]));
            k++;
          }
          this.opNamed('select_t');
          w.u32(types.length);
          for (const t of types) w.bytes(t);
        } else this.opNamed('select');
        return k;
      }
      case 'ref.test':
      case 'ref.cast':
      case 'ref.cast_desc_eq': {
        const rt = this.m.refType(it[k + 1]);
        this.opNamed(rt.nullable ? name + '_null' : name);
        w.bytes(rt.heap);
        return k + 2;
      }
      case 'br_on_cast':
      case 'br_on_cast_fail':
      case 'br_on_cast_desc_eq':
      case 'br_on_cast_desc_eq_fail': {
        const l = this.label(it[k + 1]);
        const r1 = this.m.refType(it[k + 2]);
        const r2 = this.m.refType(it[k + 3]);
        this.opNamed(name);
        w.u8((r1.nullable ? 1 : 0) | (r2.nullable ? 2 : 0));
        w.u32(l);
        w.bytes(r1.heap);
        w.bytes(r2.heap);
        return k + 4;
      }
    }
    const info = opByName.get(name);
    if (info === undefined || INTERNAL_NAMES.has(name)) {
      throw malformedAt((it[k] as Atom).pos, `unknown operator ${name}`);
    }
    k++;
    switch (info.imm) {
      case Imm.None:
        if (name === 'else' || name === 'end' || name === 'catch_all') unexpected(it[k - 1]);
        this.op(info);
        return k;
      case Imm.Zero:
        this.op(info);
        this.w.u8(0);
        return k;
      case Imm.Label:
        this.op(info);
        w.u32(this.label(it[k]));
        return k + 1;
      case Imm.BrTable: {
        const ls: number[] = [];
        while (isIndex(it[k])) ls.push(this.label(it[k++]));
        if (ls.length === 0) unexpected(it[k]);
        this.op(info);
        w.u32(ls.length - 1);
        for (const l of ls) w.u32(l);
        return k;
      }
      case Imm.Func:
        this.op(info);
        w.u32(this.m.funcs.resolve(it[k]));
        return k + 1;
      case Imm.CallIndirect: {
        let table = 0;
        if (isIndex(it[k])) table = this.m.tables.resolve(it[k++]);
        const [u, k2] = this.m.typeUseIdx(it, k, false);
        this.op(info);
        w.u32(u.idx);
        w.u32(table);
        return k2;
      }
      case Imm.Type:
        this.op(info);
        w.u32(this.m.typeSpace.resolve(it[k]));
        return k + 1;
      case Imm.Local:
        this.op(info);
        w.u32(this.local(it[k]));
        return k + 1;
      case Imm.Global:
        this.op(info);
        w.u32(this.m.globals.resolve(it[k]));
        return k + 1;
      case Imm.Table: {
        let t = 0;
        if (isIndex(it[k])) t = this.m.tables.resolve(it[k++]);
        this.op(info);
        w.u32(t);
        return k;
      }
      case Imm.Tag:
        this.op(info);
        w.u32(this.m.tags.resolve(it[k]));
        return k + 1;
      case Imm.MemArg:
      case Imm.MemArgLane: {
        let mem = 0;
        const after = kwOf(it[k + 1]);
        if (
          isIndex(it[k]) &&
          (info.imm === Imm.MemArg ||
            idOf(it[k]) !== undefined ||
            isIndex(it[k + 1]) ||
            (after !== undefined && (after.startsWith('offset=') || after.startsWith('align='))))
        ) {
          mem = this.m.mems.resolve(it[k++]);
        }
        let offset = 0n;
        let align = -1;
        let t = kwOf(it[k]);
        if (t !== undefined && t.startsWith('offset=')) {
          const v = parseNatBig(t.slice(7));
          if (v === undefined) unexpected(it[k]);
          if (v >= 1n << 64n) throw malformedAt((it[k] as Atom).pos, 'offset constant out of range');
          offset = v;
          t = kwOf(it[++k]);
        }
        if (t !== undefined && t.startsWith('align=')) {
          const v = parseNatBig(t.slice(6));
          if (v === undefined) unexpected(it[k]);
          if (v === 0n || (v & (v - 1n)) !== 0n)
            throw malformedAt((it[k] as Atom).pos, 'alignment must be a power of two');
          align = v.toString(2).length - 1;
          k++;
        }
        if (align < 0) align = info.natAlign ?? 0;
        this.op(info);
        if (mem !== 0) {
          w.u32(align | 0x40);
          w.u32(mem);
        } else w.u32(align);
        w.u64(offset);
        if (info.imm === Imm.MemArgLane) {
          w.u8(this.laneIdx(it[k]));
          k++;
        }
        return k;
      }
      case Imm.Mem: {
        let mem = 0;
        if (isIndex(it[k])) mem = this.m.mems.resolve(it[k++]);
        this.op(info);
        w.u32(mem);
        return k;
      }
      case Imm.MemMem: {
        let a = 0;
        let b = 0;
        if (isIndex(it[k])) {
          a = this.m.mems.resolve(it[k++]);
          b = this.m.mems.resolve(it[k++]);
        }
        this.op(info);
        w.u32(a);
        w.u32(b);
        return k;
      }
      case Imm.DataMem: {
        let mem = 0;
        let data: number;
        if (isIndex(it[k + 1])) {
          mem = this.m.mems.resolve(it[k++]);
        }
        data = this.m.datas.resolve(it[k++]);
        this.m.usesDataIndex = true;
        this.op(info);
        w.u32(data);
        w.u32(mem);
        return k;
      }
      case Imm.Data:
        this.m.usesDataIndex = true;
        this.op(info);
        w.u32(this.m.datas.resolve(it[k]));
        return k + 1;
      case Imm.Elem:
        this.op(info);
        w.u32(this.m.elems.resolve(it[k]));
        return k + 1;
      case Imm.ElemTable: {
        let table = 0;
        if (isIndex(it[k + 1])) table = this.m.tables.resolve(it[k++]);
        const elem = this.m.elems.resolve(it[k++]);
        this.op(info);
        w.u32(elem);
        w.u32(table);
        return k;
      }
      case Imm.TableTable: {
        let a = 0;
        let b = 0;
        if (isIndex(it[k])) {
          a = this.m.tables.resolve(it[k++]);
          b = this.m.tables.resolve(it[k++]);
        }
        this.op(info);
        w.u32(a);
        w.u32(b);
        return k;
      }
      case Imm.I32: {
        const v = numAt(it[k], parseI32);
        this.op(info);
        w.s32(v);
        return k + 1;
      }
      case Imm.I64: {
        const v = numAt(it[k], parseI64);
        this.op(info);
        w.s64(v);
        return k + 1;
      }
      case Imm.F32: {
        const v = numAt(it[k], parseF32);
        this.op(info);
        w.f32bits(v);
        return k + 1;
      }
      case Imm.F64: {
        const v = numAt(it[k], parseF64);
        this.op(info);
        w.f64bits(v);
        return k + 1;
      }
      case Imm.V128: {
        const [bytes, k2] = v128Const(it, k);
        this.op(info);
        w.bytes(bytes);
        return k2;
      }
      case Imm.HeapType: {
        const h = this.m.heapType(it[k]);
        this.op(info);
        w.bytes(h);
        return k + 1;
      }
      case Imm.Lane: {
        const l = this.laneIdx(it[k]);
        this.op(info);
        w.u8(l);
        return k + 1;
      }
      case Imm.Shuffle: {
        const lanes: number[] = [];
        for (;;) {
          const t = kwOf(it[k]);
          if (t === undefined || !/^[+-]?[0-9]/.test(t)) break;
          if (lanes.length === 16) throw malformed('invalid lane length');
          lanes.push(this.laneIdx(it[k++]));
        }
        if (lanes.length !== 16) throw malformed('invalid lane length');
        this.op(info);
        w.bytes(lanes);
        return k;
      }
      case Imm.StructField: {
        const t = this.m.typeSpace.resolve(it[k]);
        const fx = it[k + 1];
        let f: number;
        const fid = idOf(fx);
        if (fid !== undefined) {
          const fv = this.m.types[t]?.fieldNames?.get(fid);
          if (fv === undefined) throw malformed(`unknown field $${fid}`);
          f = fv;
        } else {
          const ft = kwOf(fx);
          const v = ft === undefined ? undefined : parseU32(ft);
          if (v === undefined) unexpected(fx);
          f = v;
        }
        this.op(info);
        w.u32(t);
        w.u32(f);
        return k + 2;
      }
      case Imm.ArrayFixed: {
        const t = this.m.typeSpace.resolve(it[k]);
        const nt = kwOf(it[k + 1]);
        const n = nt === undefined ? undefined : parseU32(nt);
        if (n === undefined) unexpected(it[k + 1]);
        this.op(info);
        w.u32(t);
        w.u32(n);
        return k + 2;
      }
      case Imm.ArrayData: {
        const t = this.m.typeSpace.resolve(it[k]);
        const d = this.m.datas.resolve(it[k + 1]);
        this.m.usesDataIndex = true;
        this.op(info);
        w.u32(t);
        w.u32(d);
        return k + 2;
      }
      case Imm.ArrayElem: {
        const t = this.m.typeSpace.resolve(it[k]);
        const e = this.m.elems.resolve(it[k + 1]);
        this.op(info);
        w.u32(t);
        w.u32(e);
        return k + 2;
      }
      case Imm.ArrayArray: {
        const a = this.m.typeSpace.resolve(it[k]);
        const b = this.m.typeSpace.resolve(it[k + 1]);
        this.op(info);
        w.u32(a);
        w.u32(b);
        return k + 2;
      }
      default:
        throw malformed(`unknown operator ${name}`);
    }
  }

  private laneIdx(x: Sexpr | undefined): number {
    const t = kwOf(x);
    if (t === undefined || !looksNat(t)) unexpected(x);
    const v = parseNatBig(t);
    if (v === undefined) unexpected(x);
    if (v > 255n) throw malformed('malformed lane index');
    return Number(v);
  }

  /** A folded instruction `(op ...)`; errors without a more precise place are placed at it. */
  private folded(l: List): void {
    try {
      this.foldedAt(l);
    } catch (e) {
      throw atPos(e, l.pos);
    }
  }

  private foldedAt(l: List): void {
    const it = l.items;
    const name = kwOf(it[0]);
    if (name === undefined) unexpected(it[0]);
    const w = this.w;
    switch (name) {
      case 'block':
      case 'loop': {
        let [label, k] = this.blockLabel(it, 1);
        let bt: Enc;
        [bt, k] = this.m.blockType(it, k);
        this.opNamed(name);
        w.bytes(bt);
        this.labels.push(label);
        this.seq(it, k, true);
        this.labels.pop();
        w.u8(0x0b);
        return;
      }
      case 'if': {
        let [label, k] = this.blockLabel(it, 1);
        let bt: Enc;
        [bt, k] = this.m.blockType(it, k);
        while (k < it.length && headOf(it[k]) !== 'then') {
          const c = it[k];
          if (!(c instanceof List)) unexpected(c);
          this.folded(c);
          k++;
        }
        const th = it[k];
        if (headOf(th) !== 'then') unexpected(th);
        this.opNamed('if');
        w.bytes(bt);
        this.labels.push(label);
        this.seq((th as List).items, 1, true);
        k++;
        if (headOf(it[k]) === 'else') {
          this.opNamed('else');
          this.seq((it[k] as List).items, 1, true);
          k++;
        }
        if (k !== it.length) unexpected(it[k]);
        this.labels.pop();
        w.u8(0x0b);
        return;
      }
      case 'try_table': {
        let [label, k] = this.blockLabel(it, 1);
        let bt: Enc;
        [bt, k] = this.m.blockType(it, k);
        let cv: ByteWriter;
        [cv, k] = this.catches(it, k);
        this.opNamed(name);
        w.bytes(bt);
        w.bytes(cv.finish());
        this.labels.push(label);
        this.seq(it, k, true);
        this.labels.pop();
        w.u8(0x0b);
        return;
      }
      case 'try': {
        let [label, k] = this.blockLabel(it, 1);
        let bt: Enc;
        [bt, k] = this.m.blockType(it, k);
        this.opNamed('try');
        w.bytes(bt);
        this.labels.push(label);
        if (headOf(it[k]) !== 'do') unexpected(it[k]);
        this.seq((it[k] as List).items, 1, true);
        k++;
        while (headOf(it[k]) === 'catch') {
          const c = (it[k] as List).items;
          this.opNamed('catch');
          w.u32(this.m.tags.resolve(c[1]));
          this.seq(c, 2, true);
          k++;
        }
        if (headOf(it[k]) === 'catch_all') {
          this.opNamed('catch_all');
          this.seq((it[k] as List).items, 1, true);
          k++;
        }
        if (headOf(it[k]) === 'delegate') {
          if (headOf(it[k - 1]) !== 'do') unexpected(it[k]);
          const d = (it[k] as List).items;
          this.labels.pop();
          this.opNamed('delegate');
          w.u32(this.label(d[1]));
          if (k + 1 !== it.length) unexpected(it[k + 1]);
          return;
        }
        if (k !== it.length) unexpected(it[k]);
        this.labels.pop();
        w.u8(0x0b);
        return;
      }
    }
    // Plain operator with folded operands: operands are encoded first.
    const start = w.len;
    const k = this.plain(it, 0);
    const opBytes = w.slice(start);
    w.len = start;
    for (let j = k; j < it.length; j++) {
      const c = it[j];
      if (!(c instanceof List)) unexpected(c);
      this.folded(c);
    }
    w.bytes(opBytes);
  }
}

/** Opcode-table names that are not text instruction names. */
const INTERNAL_NAMES = new Set([
  'select_t',
  'ref.test_null',
  'ref.cast_null',
  'ref.cast_desc_eq_null',
  'catch',
  'delegate',
]);

const SHAPES: Record<string, [number, 'i' | 'f32' | 'f64']> = {
  i8x16: [16, 'i'],
  i16x8: [8, 'i'],
  i32x4: [4, 'i'],
  i64x2: [2, 'i'],
  f32x4: [4, 'f32'],
  f64x2: [2, 'f64'],
};

/** `v128.const shape lane*` at it[k] (the shape); returns the 16 bytes and next index. */
export function v128Const(it: Sexpr[], k: number): [Uint8Array, number] {
  const shape = kwOf(it[k]);
  const sh = shape === undefined ? undefined : SHAPES[shape];
  if (sh === undefined) throw malformed('unexpected token: malformed lane shape');
  const [n, kind] = sh;
  const out = new Uint8Array(16);
  const dv = new DataView(out.buffer);
  const size = 16 / n;
  k++;
  for (let i = 0; i < n; i++, k++) {
    const t = kwOf(it[k]);
    if (t === undefined) throw malformed('wrong number of lane literals');
    try {
      if (kind === 'f32') dv.setUint32(i * 4, parseF32(t), true);
      else if (kind === 'f64') dv.setBigUint64(i * 8, parseF64(t), true);
      else {
        const v = parseIntBits(t, size * 8);
        if (size === 8) dv.setBigUint64(i * 8, v, true);
        else if (size === 4) dv.setUint32(i * 4, Number(v), true);
        else if (size === 2) dv.setUint16(i * 2, Number(v), true);
        else out[i] = Number(v);
      }
    } catch (e) {
      throw atPos(e, (it[k] as Atom).pos);
    }
  }
  const next = kwOf(it[k]);
  if (next !== undefined && /^[+-]?[0-9]|^[+-]?(inf|nan)/.test(next))
    throw malformedAt((it[k] as Atom).pos, 'wrong number of lane literals');
  return [out, k];
}
