// Text module → binary module (spec 6.6 and the binary format 5.x). Two passes over the
// module fields: the first binds every identifier of every index space (so forward
// references resolve), the second encodes. Implicit function types created by inline type
// uses are appended after all explicit types, reusing an existing identical final
// singleton function type when there is one. Instructions are encoded by `instructions.ts`.

import { malformed } from '../errors';
import { type Enc, InstrEncoder, type ModuleScope } from './instructions';
import {
  atPos,
  Atom,
  decodeUtf8,
  headOf,
  idOf,
  isIndex,
  kwOf,
  List,
  malformedAt,
  movePos,
  parseSexprs,
  Sexpr,
  Tok,
  unexpected,
} from './lexer';
import { looksNat, parseNatBig, parseU32 } from './numbers';
import { ByteWriter } from './writer';
import type { TextOptions } from './wast-types';

/** Quoted module text is UTF-8; invalid sequences become U+FFFD, as in any text decoder. */
const utf8Decoder = new TextDecoder('utf-8');

const keyOf = (ts: Enc[]): string => ts.map((t) => t.join(',')).join(';');

/** Custom descriptors' type clauses, in their required order, with their binary prefixes. */
const DESC_CLAUSES: readonly (readonly [string, number])[] = [
  ['describes', 0x4c],
  ['descriptor', 0x4d],
];

const ABSTRACT_HEAP: Record<string, number> = {
  func: 0x70,
  extern: 0x6f,
  any: 0x6e,
  eq: 0x6d,
  i31: 0x6c,
  struct: 0x6b,
  array: 0x6a,
  exn: 0x69,
  none: 0x71,
  nofunc: 0x73,
  noextern: 0x72,
  noexn: 0x74,
};
const REF_SHORTHAND: Record<string, number> = {
  funcref: 0x70,
  externref: 0x6f,
  anyref: 0x6e,
  eqref: 0x6d,
  i31ref: 0x6c,
  structref: 0x6b,
  arrayref: 0x6a,
  exnref: 0x69,
  nullref: 0x71,
  nullfuncref: 0x73,
  nullexternref: 0x72,
  nullexnref: 0x74,
};
const NUM_TYPE: Record<string, number> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b };

/** Binary section ids in their required order, with the names `@custom` placement uses. */
const SECTION_ORDER: [string, number][] = [
  ['type', 1],
  ['import', 2],
  ['func', 3],
  ['table', 4],
  ['memory', 5],
  ['tag', 13],
  ['global', 6],
  ['export', 7],
  ['start', 8],
  ['elem', 9],
  ['datacount', 12],
  ['code', 10],
  ['data', 11],
];

const EXTERN_KIND: Record<string, number> = { func: 0, table: 1, memory: 2, global: 3, tag: 4 };

/** One index space: identifier bindings and the next index. */
class Space {
  readonly names = new Map<string, number>();
  count = 0;
  constructor(
    readonly dupName: string,
    readonly unknownName: string,
  ) {}

  /** Binds `id` (from the token `at`) to the next index; returns that index. */
  bind(id: string | undefined, at?: Sexpr): number {
    if (id !== undefined) {
      if (this.names.has(id)) {
        const message = `duplicate ${this.dupName} $${id}`;
        throw at === undefined ? malformed(message) : malformedAt(at.pos, message);
      }
      this.names.set(id, this.count);
    }
    return this.count++;
  }

  resolve(a: Sexpr | undefined): number {
    if (a instanceof Atom) {
      if (a.kind === Tok.Id) {
        const v = this.names.get(a.text);
        if (v === undefined) throw malformedAt(a.pos, `unknown ${this.unknownName} $${a.text}`);
        return v;
      }
      if (a.kind === Tok.Keyword) {
        const v = parseU32(a.text);
        if (v !== undefined) return v;
      }
    }
    const message = `unexpected token, expected ${this.unknownName} index`;
    throw a === undefined ? malformed(message) : malformedAt(a.pos, message);
  }
}

function stringOf(x: Sexpr | undefined): Uint8Array {
  if (x instanceof Atom && x.kind === Tok.String) return x.bytes!;
  unexpected(x);
}

function nameOf(x: Sexpr | undefined): Uint8Array {
  const b = stringOf(x);
  decodeUtf8(b);
  return b;
}

/** A defined type's shape, kept for implicit-type matching and field names. */
interface TypeEntry {
  /** Encoded subtype (sub/comptype) bytes; filled in the second pass. */
  enc?: Enc;
  /** Eligible for reuse by inline type uses: a final, supertype-free function type alone in its rec group. */
  reusableFunc?: string;
  /** For function types: number of params (locals of functions using it). */
  funcParams?: number;
  /** For function types: key of params and results. */
  funcKey?: string;
  fieldNames?: Map<string, number>;
  node?: List;
  singleton: boolean;
}

interface TypeUse {
  idx: number;
  /** Inline param identifiers (undefined entries for anonymous params); null if params came from (type x). */
  paramIds: (string | undefined)[] | null;
  paramCount: number;
}

interface Limits {
  min: bigint;
  max?: bigint;
  is64: boolean;
  shared: boolean;
  pageLog2?: number;
}

interface CustomSec {
  name: Uint8Array;
  data: Uint8Array;
  slot: number;
}

/** Encodes one text module (its fields) into the binary format. */
export class ModuleEncoder implements ModuleScope {
  readonly types: TypeEntry[] = [];
  /** Rec groups of the explicit types: [first index, count, explicit `rec`]. */
  readonly recGroups: [number, number, boolean][] = [];
  readonly implicitByKey = new Map<string, number>();
  readonly typeSpace = new Space('type', 'type');
  readonly funcs = new Space('func', 'function');
  readonly tables = new Space('table', 'table');
  readonly mems = new Space('memory', 'memory');
  readonly globals = new Space('global', 'global');
  readonly tags = new Space('tag', 'tag');
  readonly elems = new Space('elem', 'elem segment');
  readonly datas = new Space('data', 'data segment');
  /** Address type of each memory / table, by index (true = i64). */
  readonly mem64: boolean[] = [];
  readonly table64: boolean[] = [];

  // Section bodies.
  private readonly importSec = new ByteWriter();
  private importCount = 0;
  private readonly funcSec = new ByteWriter();
  private funcCount = 0;
  private readonly tableSec = new ByteWriter();
  private tableCount = 0;
  private readonly memSec = new ByteWriter();
  private memCount = 0;
  private readonly tagSec = new ByteWriter();
  private tagCount = 0;
  private readonly globalSec = new ByteWriter();
  private globalCount = 0;
  private readonly exportSec = new ByteWriter();
  private exportCount = 0;
  private start?: number;
  private readonly elemSec = new ByteWriter();
  private elemCount = 0;
  private readonly codeSec = new ByteWriter();
  private codeCount = 0;
  private readonly dataSec = new ByteWriter();
  private dataCount = 0;
  usesDataIndex = false;
  private readonly customs: CustomSec[] = [];

  constructor(
    private readonly fields: List[],
    private readonly options: TextOptions = {},
  ) {}

  encode(moduleAnnots?: List[], checkAnnots = false): Uint8Array {
    if (checkAnnots) this.checkAnnotations(moduleAnnots);
    this.declare();
    this.defineTypes();
    for (const f of this.fields) {
      // Errors without a more precise place are placed at their field.
      try {
        this.defineField(f);
      } catch (e) {
        throw atPos(e, f.pos);
      }
    }
    return this.emit();
  }

  // ---------------------------------------------------------------- annotations

  private checkAnnotations(moduleAnnots: List[] | undefined): void {
    let sawName = false;
    for (const a of moduleAnnots ?? []) {
      if (a.annot === 'custom') this.customs.push(this.parseCustom(a));
      else if (a.annot === 'name') {
        if (sawName) throw malformedAt(a.pos, '@name annotation: multiple module');
        if (a.annotAt !== 0) throw malformedAt(a.pos, 'misplaced @name annotation');
        sawName = true;
      } else if (a.annot!.startsWith('metadata.code.'))
        throw malformedAt(a.pos, `@${a.annot} annotation: not in a function`);
    }
    const walk = (l: List, inStart: boolean): void => {
      const annots = l.annots ?? [];
      for (let i = 0; i < annots.length; i++) {
        const a = annots[i];
        if (a.annot === 'custom') throw malformedAt(a.pos, 'misplaced @custom annotation');
        if (a.annot === 'name' && inStart) throw malformedAt(a.pos, 'misplaced @name annotation');
        if (
          a.annot!.startsWith('metadata.code.') &&
          i > 0 &&
          annots[i - 1].annot === a.annot &&
          annots[i - 1].annotAt === a.annotAt
        ) {
          throw malformedAt(a.pos, `@${a.annot} annotation: duplicate annotation`);
        }
      }
      for (const x of l.items) if (x instanceof List) walk(x, inStart);
    };
    for (const f of this.fields) walk(f, headOf(f) === 'start');
  }

  private parseCustom(a: List): CustomSec {
    const it = a.items;
    const nameTok = it[0];
    if (!(nameTok instanceof Atom) || nameTok.kind !== Tok.String)
      throw malformedAt(a.pos, '@custom annotation: missing section name');
    let name: Uint8Array;
    try {
      name = nameOf(nameTok);
    } catch {
      throw malformedAt(a.pos, '@custom annotation: malformed UTF-8 encoding');
    }
    let k = 1;
    let slot = 1e9; // default: after the last section
    if (it[k] instanceof List) {
      const p = it[k] as List;
      const where = kwOf(p.items[0]);
      const kind = kwOf(p.items[1]);
      if (p.items.length !== 2 || kind === undefined)
        throw malformedAt(a.pos, '@custom annotation: malformed section kind');
      if (where !== 'before' && where !== 'after') throw malformedAt(a.pos, '@custom annotation: malformed placement');
      if (kind === 'first' || kind === 'last') slot = kind === 'first' ? -1 : 1e9;
      else {
        const rank = SECTION_ORDER.findIndex(([n]) => n === kind);
        if (rank < 0) throw malformedAt(a.pos, '@custom annotation: malformed section kind');
        slot = 2 * rank + (where === 'after' ? 1 : 0);
      }
      k++;
    }
    const parts: Uint8Array[] = [];
    for (; k < it.length; k++) {
      const x = it[k];
      if (!(x instanceof Atom) || x.kind !== Tok.String)
        throw malformedAt(a.pos, '@custom annotation: unexpected token');
      parts.push(x.bytes!);
    }
    return { name, data: concatBytes(parts), slot };
  }

  // ---------------------------------------------------------------- pass 1: bind identifiers

  private declare(): void {
    let definedKind: string | undefined;
    const noteImport = (): void => {
      if (definedKind) throw malformed(`import after ${definedKind}`);
    };
    for (const f of this.fields) {
      // Errors without a more precise place are placed at their field.
      try {
        const h = headOf(f);
        const it = f.items;
        switch (h) {
          case 'type':
            this.declareType(f, true, false);
            this.recGroups.push([this.types.length - 1, 1, false]);
            break;
          case 'rec': {
            const first = this.types.length;
            for (let k = 1; k < it.length; k++) {
              if (headOf(it[k]) !== 'type') unexpected(it[k]);
              this.declareType(it[k] as List, false, it.length === 2);
            }
            this.recGroups.push([first, this.types.length - first, true]);
            break;
          }
          case 'import': {
            noteImport();
            const d = it[3];
            const kind = headOf(d);
            if (!(d instanceof List) || kind === undefined || !(kind in EXTERN_KIND)) unexpected(d);
            this.spaceOf(kind).bind(idOf(d.items[1]), d.items[1]);
            break;
          }
          case 'func':
          case 'table':
          case 'memory':
          case 'global':
          case 'tag': {
            const sp = this.spaceOf(h);
            sp.bind(idOf(it[1]), it[1]);
            let k = idOf(it[1]) !== undefined ? 2 : 1;
            while (headOf(it[k]) === 'export') k++;
            if (headOf(it[k]) === 'import') noteImport();
            else {
              definedKind ??= h === 'func' ? 'function' : h;
              if (h === 'table' && it.some((x) => headOf(x) === 'elem')) this.elems.bind(undefined);
              if (h === 'memory' && it.some((x) => headOf(x) === 'data')) this.datas.bind(undefined);
            }
            break;
          }
          case 'elem':
            this.elems.bind(idOf(it[1]), it[1]);
            break;
          case 'data':
            this.datas.bind(idOf(it[1]), it[1]);
            break;
          case 'export':
          case 'start':
            break;
          default:
            unexpected(f);
        }
      } catch (e) {
        throw atPos(e, f.pos);
      }
    }
  }

  private spaceOf(kind: string): Space {
    switch (kind) {
      case 'func':
        return this.funcs;
      case 'table':
        return this.tables;
      case 'memory':
        return this.mems;
      case 'global':
        return this.globals;
      case 'tag':
        return this.tags;
    }
    throw malformed(`unexpected token "${kind}"`);
  }

  private declareType(t: List, singleton: boolean, singletonRec: boolean): void {
    const id = idOf(t.items[1]);
    this.typeSpace.bind(id, t.items[1]);
    this.types.push({ node: t, singleton: singleton || singletonRec });
  }

  // ---------------------------------------------------------------- types

  private defineTypes(): void {
    for (const te of this.types) {
      // Errors without a more precise place are placed at their type definition.
      try {
        const t = te.node!;
        const it = t.items;
        const k = idOf(it[1]) !== undefined ? 2 : 1;
        const body = it[k];
        if (!(body instanceof List)) unexpected(body);
        const w: Enc = [];
        let final = true;
        let supers: number[] = [];
        let items = it;
        let j = k;
        if (headOf(body) === 'sub') {
          if (k + 1 !== it.length) unexpected(it[k + 1]);
          items = body.items;
          j = 1;
          final = false;
          if (kwOf(items[j]) === 'final') {
            final = true;
            j++;
          }
          supers = [];
          while (isIndex(items[j])) supers.push(this.typeSpace.resolve(items[j++]));
        }
        if (!final || supers.length > 0) {
          w.push(final ? 0x4f : 0x50);
          pushU32(w, supers.length);
          for (const s of supers) pushU32(w, s);
        }
        // Custom descriptors: `(describes x)? (descriptor y)?` before the composite type.
        for (const [clause, byte] of DESC_CLAUSES) {
          if (headOf(items[j]) !== clause) continue;
          const d = (items[j] as List).items;
          if (d.length !== 2) unexpected(d[2] ?? items[j]);
          w.push(byte);
          pushU32(w, this.typeSpace.resolve(d[1]));
          j++;
        }
        const comp = items[j++];
        if (!(comp instanceof List) || j !== items.length) unexpected(items[j] ?? comp);
        this.compType(comp, w, te);
        te.enc = w;
        if (te.funcKey !== undefined && final && supers.length === 0 && te.singleton) te.reusableFunc = te.funcKey;
      } catch (e) {
        throw atPos(e, te.node!.pos);
      }
    }
    // First matching explicit type wins for inline type uses.
    for (let i = this.types.length - 1; i >= 0; i--) {
      const r = this.types[i].reusableFunc;
      if (r !== undefined) this.implicitByKey.set(r, i);
    }
  }

  private compType(c: List, w: Enc, te: TypeEntry): void {
    const h = headOf(c);
    const it = c.items;
    if (h === 'func') {
      const params: Enc[] = [];
      const results: Enc[] = [];
      let k = 1;
      k = this.paramList(it, k, params, null, true);
      k = this.resultList(it, k, results);
      if (k !== it.length) unexpected(it[k]);
      w.push(0x60);
      pushVecTypes(w, params);
      pushVecTypes(w, results);
      te.funcParams = params.length;
      te.funcKey = keyOf(params) + '>' + keyOf(results);
    } else if (h === 'struct') {
      const fields: Enc[] = [];
      const names = new Map<string, number>();
      for (let k = 1; k < it.length; k++) {
        const f = it[k];
        if (headOf(f) !== 'field') unexpected(f);
        const fi = (f as List).items;
        const id = idOf(fi[1]);
        if (id !== undefined) {
          if (names.has(id)) throw malformed(`duplicate field $${id}`);
          names.set(id, fields.length);
          if (fi.length !== 3) unexpected(fi[3]);
          fields.push(this.fieldType(fi[2]));
        } else for (let j = 1; j < fi.length; j++) fields.push(this.fieldType(fi[j]));
      }
      w.push(0x5f);
      pushU32(w, fields.length);
      for (const f of fields) w.push(...f);
      te.fieldNames = names;
    } else if (h === 'array') {
      let k = 1;
      let f = it[k];
      // `(array (field $x? ft))` is also accepted by the reference parser.
      if (headOf(f) === 'field') {
        const fi = (f as List).items;
        f = fi[idOf(fi[1]) !== undefined ? 2 : 1];
      }
      if (it.length !== 2) unexpected(it[2]);
      w.push(0x5e, ...this.fieldType(f));
      k++;
    } else unexpected(c);
  }

  private fieldType(x: Sexpr | undefined): Enc {
    if (headOf(x) === 'mut') {
      const it = (x as List).items;
      if (it.length !== 2) unexpected(it[2]);
      return [...this.storageType(it[1]), 1];
    }
    return [...this.storageType(x), 0];
  }

  private storageType(x: Sexpr | undefined): Enc {
    const k = kwOf(x);
    if (k === 'i8') return [0x78];
    if (k === 'i16') return [0x77];
    return this.valType(x);
  }

  valType(x: Sexpr | undefined): Enc {
    if (x instanceof Atom) {
      if (x.kind === Tok.Keyword) {
        const n = NUM_TYPE[x.text];
        if (n !== undefined) return [n];
        const r = REF_SHORTHAND[x.text];
        if (r !== undefined) return [r];
      }
      unexpected(x);
    }
    const r = this.refType(x);
    return r.enc;
  }

  /** `(ref null? ht)` or a shorthand. */
  refType(x: Sexpr | undefined): { enc: Enc; nullable: boolean; heap: Enc } {
    if (x instanceof Atom && x.kind === Tok.Keyword) {
      const r = REF_SHORTHAND[x.text];
      if (r !== undefined) return { enc: [r], nullable: true, heap: [r] };
    }
    if (headOf(x) !== 'ref') unexpected(x);
    const it = (x as List).items;
    let k = 1;
    let nullable = false;
    if (kwOf(it[k]) === 'null') {
      nullable = true;
      k++;
    }
    const heap = this.heapType(it[k++]);
    if (k !== it.length) unexpected(it[k]);
    if (nullable && heap.length === 1 && heap[0] >= 0x69 && heap[0] <= 0x74) return { enc: heap, nullable, heap };
    return { enc: [nullable ? 0x63 : 0x64, ...heap], nullable, heap };
  }

  heapType(x: Sexpr | undefined): Enc {
    const k = kwOf(x);
    if (k !== undefined && k in ABSTRACT_HEAP) return [ABSTRACT_HEAP[k]];
    if (headOf(x) === 'exact') {
      // Custom descriptors: `(exact x)` is 0x62 x:u32.
      const it = (x as List).items;
      if (it.length !== 2) unexpected(it[2] ?? x);
      const w: Enc = [0x62];
      pushU32(w, this.typeSpace.resolve(it[1]));
      return w;
    }
    const idx = this.typeSpace.resolve(x);
    const w: Enc = [];
    pushS33(w, idx);
    return w;
  }

  /** `(param $id t)` / `(param t*)` lists from it[k]; returns the next index. */
  private paramList(it: Sexpr[], k: number, out: Enc[], ids: (string | undefined)[] | null, allowIds: boolean): number {
    while (headOf(it[k]) === 'param') {
      const p = (it[k] as List).items;
      const id = idOf(p[1]);
      if (id !== undefined) {
        if (!allowIds) unexpected(p[1]);
        if (p.length !== 3) unexpected(p[3] ?? p[1]);
        out.push(this.valType(p[2]));
        ids?.push(id);
      } else
        for (let j = 1; j < p.length; j++) {
          out.push(this.valType(p[j]));
          ids?.push(undefined);
        }
      k++;
    }
    return k;
  }

  private resultList(it: Sexpr[], k: number, out: Enc[]): number {
    while (headOf(it[k]) === 'result') {
      const p = (it[k] as List).items;
      for (let j = 1; j < p.length; j++) out.push(this.valType(p[j]));
      k++;
    }
    return k;
  }

  /** Finds or creates the function type `params -> results`. */
  private implicitType(params: Enc[], results: Enc[]): number {
    const key = keyOf(params) + '>' + keyOf(results);
    let idx = this.implicitByKey.get(key);
    if (idx !== undefined) return idx;
    const w: Enc = [0x60];
    pushVecTypes(w, params);
    pushVecTypes(w, results);
    idx = this.types.length;
    this.types.push({ enc: w, singleton: true, funcParams: params.length, funcKey: key, reusableFunc: key });
    this.implicitByKey.set(key, idx);
    return idx;
  }

  /**
   * A type use `(type x)? (param ...)* (result ...)*` starting at it[k]. Returns the use
   * and the next index. `block` mode returns -1 as idx for the empty/single-result cases
   * that encode without a type index (handled by the caller via `blockEnc`).
   */
  typeUse(it: Sexpr[], k: number, allowParamIds: boolean): [TypeUse, number, Enc[], Enc[], boolean] {
    let explicit: number | undefined;
    if (headOf(it[k]) === 'type') {
      const t = (it[k] as List).items;
      if (t.length !== 2) unexpected(t[2]);
      explicit = this.typeSpace.resolve(t[1]);
      k++;
    }
    const params: Enc[] = [];
    const results: Enc[] = [];
    const ids: (string | undefined)[] = [];
    k = this.paramList(it, k, params, ids, allowParamIds);
    k = this.resultList(it, k, results);
    const inline = params.length > 0 || results.length > 0;
    if (explicit !== undefined) {
      const te = this.types[explicit];
      if (inline || te === undefined) {
        if (te === undefined) {
          // An out-of-range index is a validation error; keep the index.
          if (inline) throw malformed('inline function type');
        } else if (te.funcKey !== keyOf(params) + '>' + keyOf(results)) throw malformed('inline function type');
      }
      const pc = te?.funcParams ?? 0;
      return [{ idx: explicit, paramIds: inline ? ids : null, paramCount: pc }, k, params, results, true];
    }
    return [{ idx: -1, paramIds: ids, paramCount: params.length }, k, params, results, false];
  }

  /** A type use that must yield a type index (functions, imports, tags, call_indirect). */
  typeUseIdx(it: Sexpr[], k: number, allowParamIds: boolean): [TypeUse, number] {
    const [u, k2, params, results, hasExplicit] = this.typeUse(it, k, allowParamIds);
    if (!hasExplicit) u.idx = this.implicitType(params, results);
    return [u, k2];
  }

  /** A block type: returns its encoding (0x40, a value type, or an s33 type index). */
  blockType(it: Sexpr[], k: number): [Enc, number] {
    const [u, k2, params, results, hasExplicit] = this.typeUse(it, k, false);
    if (hasExplicit) {
      const w: Enc = [];
      pushS33(w, u.idx);
      return [w, k2];
    }
    if (params.length === 0 && results.length === 0) return [[0x40], k2];
    if (params.length === 0 && results.length === 1) return [results[0], k2];
    const w: Enc = [];
    pushS33(w, this.implicitType(params, results));
    return [w, k2];
  }

  // ---------------------------------------------------------------- pass 2: fields

  private defineField(f: List): void {
    const h = headOf(f)!;
    const it = f.items;
    switch (h) {
      case 'type':
      case 'rec':
        return;
      case 'import': {
        const mod = nameOf(it[1]);
        const nm = nameOf(it[2]);
        if (it.length !== 4) unexpected(it[4]);
        const d = it[3] as List;
        const kind = headOf(d)!;
        const di = d.items;
        const k = idOf(di[1]) !== undefined ? 2 : 1;
        this.importDesc(kind, mod, nm, di, k, true);
        return;
      }
      case 'func':
      case 'table':
      case 'memory':
      case 'global':
      case 'tag': {
        let k = idOf(it[1]) !== undefined ? 2 : 1;
        const index = this.indexOfDefinition(h, f);
        while (headOf(it[k]) === 'export') {
          const e = (it[k] as List).items;
          if (e.length !== 2) unexpected(e[2]);
          this.addExport(nameOf(e[1]), EXTERN_KIND[h], index);
          k++;
        }
        if (headOf(it[k]) === 'import') {
          const im = (it[k] as List).items;
          if (im.length !== 3) unexpected(im[3]);
          this.importDesc(h, nameOf(im[1]), nameOf(im[2]), it, k + 1, false);
          return;
        }
        switch (h) {
          case 'func':
            return this.defineFunc(it, k);
          case 'table':
            return this.defineTable(it, k, index);
          case 'memory':
            return this.defineMemory(it, k, index);
          case 'global':
            return this.defineGlobal(it, k);
          case 'tag':
            return this.defineTag(it, k);
        }
        return;
      }
      case 'export': {
        const nm = nameOf(it[1]);
        const d = it[2];
        const kind = headOf(d);
        if (it.length !== 3 || kind === undefined || !(kind in EXTERN_KIND)) unexpected(it[3] ?? d);
        const di = (d as List).items;
        if (di.length !== 2) unexpected(di[2]);
        this.addExport(nm, EXTERN_KIND[kind], this.spaceOf(kind).resolve(di[1]));
        return;
      }
      case 'start': {
        if (this.start !== undefined) throw malformed('multiple start sections');
        if (it.length !== 2) unexpected(it[2]);
        this.start = this.funcs.resolve(it[1]);
        return;
      }
      case 'elem':
        return this.defineElem(it);
      case 'data':
        return this.defineData(it);
    }
  }

  // Definition indices are assigned in text order, in step with pass 1.
  private defIndex: Record<string, number> = { func: 0, table: 0, memory: 0, global: 0, tag: 0 };
  private indexOfDefinition(kind: string, _f: List): number {
    return this.defIndex[kind]++;
  }

  private addExport(name: Uint8Array, kind: number, index: number): void {
    this.exportSec.vec(name);
    this.exportSec.u8(kind);
    this.exportSec.u32(index);
    this.exportCount++;
  }

  private importDesc(kind: string, mod: Uint8Array, nm: Uint8Array, it: Sexpr[], k: number, standalone: boolean): void {
    const w = this.importSec;
    w.vec(mod);
    w.vec(nm);
    this.importCount++;
    switch (kind) {
      case 'func': {
        // Custom descriptors: `(exact typeuse)` imports a function of exactly that type.
        const exact = headOf(it[k]) === 'exact';
        const ti = exact ? (it[k] as List).items : it;
        const [u, k2] = this.typeUseIdx(ti, exact ? 1 : k, true);
        if (k2 !== ti.length) unexpected(ti[k2]);
        if (exact && k + 1 !== it.length) unexpected(it[k + 1]);
        w.u8(exact ? 0x20 : 0);
        w.u32(u.idx);
        if (standalone) this.defIndex.func++;
        return;
      }
      case 'tag': {
        const [u, k2] = this.typeUseIdx(it, k, false);
        if (k2 !== it.length) unexpected(it[k2]);
        w.u8(4);
        w.u8(0);
        w.u32(u.idx);
        if (standalone) this.defIndex.tag++;
        return;
      }
      case 'table': {
        const [lim, rt, k2] = this.tableType(it, k);
        if (k2 !== it.length) unexpected(it[k2]);
        w.u8(1);
        w.bytes(rt);
        this.limits(w, lim);
        if (standalone) this.table64[this.defIndex.table++] = lim.is64;
        else this.table64[this.defIndex.table - 1] = lim.is64;
        return;
      }
      case 'memory': {
        const [lim, k2] = this.memType(it, k);
        if (k2 !== it.length) unexpected(it[k2]);
        w.u8(2);
        this.limits(w, lim);
        if (standalone) this.mem64[this.defIndex.memory++] = lim.is64;
        else this.mem64[this.defIndex.memory - 1] = lim.is64;
        return;
      }
      case 'global': {
        const [gt, k2] = this.globalType(it, k);
        if (k2 !== it.length) unexpected(it[k2]);
        w.u8(3);
        w.bytes(gt);
        if (standalone) this.defIndex.global++;
        return;
      }
    }
    unexpected(it[k]);
  }

  private limits(w: ByteWriter, l: Limits): void {
    let flags = l.max !== undefined ? 1 : 0;
    if (l.shared) flags |= 2;
    if (l.is64) flags |= 4;
    if (l.pageLog2 !== undefined) flags |= 8;
    w.u8(flags);
    w.u64(l.min);
    if (l.max !== undefined) w.u64(l.max);
    if (l.pageLog2 !== undefined) w.u32(l.pageLog2);
  }

  private addrType(it: Sexpr[], k: number): [boolean, number] {
    const a = kwOf(it[k]);
    if (a === 'i64') return [true, k + 1];
    if (a === 'i32') return [false, k + 1];
    return [false, k];
  }

  private limitNums(it: Sexpr[], k: number, is64: boolean): [bigint, bigint | undefined, number] {
    const num = (x: Sexpr | undefined): bigint => {
      const t = kwOf(x);
      const v = t === undefined ? undefined : parseNatBig(t);
      if (v === undefined) unexpected(x);
      if (v >= 1n << 64n) throw malformed(`i64 constant out of range`);
      if (!is64 && this.options.memory64 === false && v >= 1n << 32n) throw malformed(`i32 constant out of range`);
      return v;
    };
    const min = num(it[k++]);
    let max: bigint | undefined;
    const t = kwOf(it[k]);
    if (t !== undefined && looksNat(t)) max = num(it[k++]);
    return [min, max, k];
  }

  private tableType(it: Sexpr[], k: number): [Limits, Enc, number] {
    let is64: boolean;
    [is64, k] = this.addrType(it, k);
    const [min, max, k2] = this.limitNums(it, k, is64);
    const rt = this.refType(it[k2]);
    return [{ min, max, is64, shared: false }, rt.enc, k2 + 1];
  }

  private memType(it: Sexpr[], k: number): [Limits, number] {
    let is64: boolean;
    [is64, k] = this.addrType(it, k);
    const [min, max, k2] = this.limitNums(it, k, is64);
    k = k2;
    let shared = false;
    if (kwOf(it[k]) === 'shared') {
      shared = true;
      k++;
    } else if (kwOf(it[k]) === 'unshared') k++;
    let pageLog2: number | undefined;
    if (headOf(it[k]) === 'pagesize') {
      pageLog2 = this.pageSize(it[k] as List);
      k++;
    }
    return [{ min, max, is64, shared, pageLog2 }, k];
  }

  private pageSize(p: List): number {
    const t = kwOf(p.items[1]);
    if (p.items.length !== 2 || t === undefined) unexpected(p.items[2] ?? p.items[1]);
    const v = parseNatBig(t);
    if (v === undefined) unexpected(p.items[1]);
    if (v === 0n || (v & (v - 1n)) !== 0n || v > 1n << 32n) throw malformed('invalid custom page size');
    return v.toString(2).length - 1;
  }

  private globalType(it: Sexpr[], k: number): [Enc, number] {
    const x = it[k];
    if (headOf(x) === 'mut') {
      const m = (x as List).items;
      if (m.length !== 2) unexpected(m[2]);
      return [[...this.valType(m[1]), 1], k + 1];
    }
    return [[...this.valType(x), 0], k + 1];
  }

  private defineFunc(it: Sexpr[], k: number): void {
    const [u, k2] = this.typeUseIdx(it, k, true);
    k = k2;
    this.funcSec.u32(u.idx);
    this.funcCount++;
    const localNames = new Map<string, number>();
    let nLocals = 0;
    if (u.paramIds) {
      for (const id of u.paramIds) {
        if (id !== undefined) {
          if (localNames.has(id)) throw malformed(`duplicate local $${id}`);
          localNames.set(id, nLocals);
        }
        nLocals++;
      }
    } else nLocals = u.paramCount;
    const locals: Enc[] = [];
    while (headOf(it[k]) === 'local') {
      const p = (it[k] as List).items;
      const id = idOf(p[1]);
      if (id !== undefined) {
        if (localNames.has(id)) throw malformedAt(p[1].pos, `duplicate local $${id}`);
        localNames.set(id, nLocals);
        if (p.length !== 3) unexpected(p[3] ?? p[1]);
        locals.push(this.valType(p[2]));
        nLocals++;
      } else
        for (let j = 1; j < p.length; j++) {
          locals.push(this.valType(p[j]));
          nLocals++;
        }
      k++;
    }
    const body = new ByteWriter(64);
    // Locals, run-length compressed.
    const runs: [number, Enc][] = [];
    for (const l of locals) {
      const last = runs[runs.length - 1];
      if (last && last[1].length === l.length && last[1].every((b, i) => b === l[i])) last[0]++;
      else runs.push([1, l]);
    }
    body.u32(runs.length);
    for (const [n, t] of runs) {
      body.u32(n);
      body.bytes(t);
    }
    const enc = new InstrEncoder(this, body, localNames);
    enc.seq(it, k, true);
    body.u8(0x0b);
    this.codeSec.u32(body.len);
    this.codeSec.bytes(body.buf.subarray(0, body.len));
    this.codeCount++;
  }

  /** A constant expression it[k..end) followed by `end`. */
  private constExpr(w: ByteWriter, it: Sexpr[], k: number): void {
    const enc = new InstrEncoder(this, w, null);
    enc.seq(it, k, true);
    w.u8(0x0b);
  }

  private defineTable(it: Sexpr[], k: number, index: number): void {
    let is64: boolean;
    [is64, k] = this.addrType(it, k);
    const w = this.tableSec;
    this.table64[index] = is64;
    this.tableCount++;
    // Abbreviation `(table addrtype? reftype (elem ...))`: a table sized to the segment
    // plus an active segment at offset 0, typed with the table's reference type.
    if (headOf(it[k + 1]) === 'elem') {
      const rt = this.refType(it[k]);
      if (k + 2 !== it.length) unexpected(it[k + 2]);
      const ei = (it[k + 1] as List).items;
      const n = ei.length - 1;
      w.bytes(rt.enc);
      this.limits(w, { min: BigInt(n), max: BigInt(n), is64, shared: false });
      const seg = this.elemSec;
      seg.u8(6);
      seg.u32(index);
      this.offsetZero(seg, is64);
      seg.bytes(rt.enc);
      seg.u32(n);
      const exprs = n > 0 && ei[1] instanceof List;
      for (let j = 1; j < ei.length; j++) {
        if (exprs) this.elemItem(seg, ei[j]);
        else {
          seg.u8(0xd2);
          seg.u32(this.funcs.resolve(ei[j]));
          seg.u8(0x0b);
        }
      }
      this.elemCount++;
      return;
    }
    const [min, max, k2] = this.limitNums(it, k, is64);
    const rt = this.refType(it[k2]);
    const lim: Limits = { min, max, is64, shared: false };
    if (k2 + 1 < it.length) {
      w.u8(0x40);
      w.u8(0);
      w.bytes(rt.enc);
      this.limits(w, lim);
      this.constExpr(w, it, k2 + 1);
    } else {
      w.bytes(rt.enc);
      this.limits(w, lim);
    }
  }

  private offsetZero(w: ByteWriter, is64: boolean): void {
    w.u8(is64 ? 0x42 : 0x41);
    w.u8(0);
    w.u8(0x0b);
  }

  private defineMemory(it: Sexpr[], k: number, index: number): void {
    const [is64, kp] = this.addrType(it, k);
    let kd = kp;
    let pageLog2: number | undefined;
    if (headOf(it[kd]) === 'pagesize' && headOf(it[kd + 1]) === 'data') pageLog2 = this.pageSize(it[kd++] as List);
    const w = this.memSec;
    this.memCount++;
    if (headOf(it[kd]) === 'data') {
      const di = (it[kd] as List).items;
      if (kd + 1 !== it.length) unexpected(it[kd + 1]);
      const parts: Uint8Array[] = [];
      for (let j = 1; j < di.length; j++) parts.push(stringOf(di[j]));
      const bytes = concatBytes(parts);
      const pages = BigInt(Math.ceil(bytes.length / 2 ** (pageLog2 ?? 16)));
      this.limits(w, { min: pages, max: pages, is64, shared: false, pageLog2 });
      this.mem64[index] = is64;
      const d = this.dataSec;
      if (index === 0) d.u8(0);
      else {
        d.u8(2);
        d.u32(index);
      }
      this.offsetZero(d, is64);
      d.vec(bytes);
      this.dataCount++;
      return;
    }
    const [lim, k2] = this.memType(it, k);
    if (k2 !== it.length) unexpected(it[k2]);
    this.limits(w, lim);
    this.mem64[index] = lim.is64;
  }

  private defineGlobal(it: Sexpr[], k: number): void {
    const [gt, k2] = this.globalType(it, k);
    this.globalSec.bytes(gt);
    this.constExpr(this.globalSec, it, k2);
    this.globalCount++;
  }

  private defineTag(it: Sexpr[], k: number): void {
    const [u, k2] = this.typeUseIdx(it, k, false);
    if (k2 !== it.length) unexpected(it[k2]);
    this.tagSec.u8(0);
    this.tagSec.u32(u.idx);
    this.tagCount++;
  }

  /** An element expression: `(item instr*)` or a single folded instruction. */
  private elemItem(w: ByteWriter, x: Sexpr): void {
    if (!(x instanceof List)) unexpected(x);
    if (headOf(x) === 'item') this.constExpr(w, x.items, 1);
    else this.constExpr(w, [x], 0);
  }

  /** `(offset instr*)` or a single folded instruction. */
  private offsetExpr(w: ByteWriter, x: Sexpr | undefined): void {
    if (!(x instanceof List)) unexpected(x);
    if (headOf(x) === 'offset') this.constExpr(w, x.items, 1);
    else this.constExpr(w, [x], 0);
  }

  private defineElem(it: Sexpr[]): void {
    let k = idOf(it[1]) !== undefined ? 2 : 1;
    const w = this.elemSec;
    this.elemCount++;
    let mode: 'passive' | 'declare' | 'active' = 'passive';
    let table = 0;
    const offset = new ByteWriter();
    if (kwOf(it[k]) === 'declare') {
      mode = 'declare';
      k++;
    } else if (
      headOf(it[k]) === 'table' ||
      (isIndex(it[k]) && it[k + 1] instanceof List) ||
      (it[k] instanceof List && headOf(it[k]) !== 'item' && !this.isRefTypeList(it[k]))
    ) {
      mode = 'active';
      if (isIndex(it[k])) table = this.tables.resolve(it[k++]);
      else if (headOf(it[k]) === 'table') {
        const t = (it[k] as List).items;
        if (t.length !== 2) unexpected(t[2]);
        table = this.tables.resolve(t[1]);
        k++;
      }
      this.offsetExpr(offset, it[k++]);
    }
    // Element list: `func idx*`, `reftype expr*`, or (active, legacy) bare `idx*`.
    const x = it[k];
    let funcIdx: number[] | null = null;
    let rt: Enc = [0x70];
    const exprs = new ByteWriter();
    let n = 0;
    if (x === undefined || kwOf(x) === 'func' || isIndex(x)) {
      if (kwOf(x) === 'func') k++;
      else if (x !== undefined && mode !== 'active') unexpected(x);
      funcIdx = [];
      for (; k < it.length; k++) funcIdx.push(this.funcs.resolve(it[k]));
    } else {
      rt = this.refType(x).enc;
      k++;
      for (; k < it.length; k++) {
        this.elemItem(exprs, it[k]);
        n++;
      }
    }
    if (funcIdx) {
      const flags = mode === 'passive' ? 1 : mode === 'declare' ? 3 : table === 0 ? 0 : 2;
      w.u8(flags);
      if (flags === 2) w.u32(table);
      if (mode === 'active') w.bytes(offset.finish());
      if (flags !== 0) w.u8(0);
      w.u32(funcIdx.length);
      for (const f of funcIdx) w.u32(f);
      return;
    }
    const isFuncref = rt.length === 1 && rt[0] === 0x70;
    const flags = mode === 'passive' ? 5 : mode === 'declare' ? 7 : table === 0 && isFuncref ? 4 : 6;
    w.u8(flags);
    if (flags === 6) w.u32(table);
    if (mode === 'active') w.bytes(offset.finish());
    if (flags !== 4) w.bytes(rt);
    w.u32(n);
    w.bytes(exprs.finish());
  }

  private isRefTypeList(x: Sexpr | undefined): boolean {
    return headOf(x) === 'ref';
  }

  private defineData(it: Sexpr[]): void {
    let k = idOf(it[1]) !== undefined ? 2 : 1;
    const w = this.dataSec;
    this.dataCount++;
    if (it[k] instanceof List || isIndex(it[k])) {
      let mem = 0;
      if (isIndex(it[k])) mem = this.mems.resolve(it[k++]);
      else if (headOf(it[k]) === 'memory') {
        const t = (it[k] as List).items;
        if (t.length !== 2) unexpected(t[2]);
        mem = this.mems.resolve(t[1]);
        k++;
      }
      if (mem === 0) w.u8(0);
      else {
        w.u8(2);
        w.u32(mem);
      }
      this.offsetExpr(w, it[k++]);
    } else w.u8(1);
    const parts: Uint8Array[] = [];
    for (; k < it.length; k++) parts.push(stringOf(it[k]));
    w.vec(concatBytes(parts));
  }

  // ---------------------------------------------------------------- emit

  private emit(): Uint8Array {
    const out = new ByteWriter(1024);
    out.bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    const customsAt = (slot: number): void => {
      for (const c of this.customs) {
        if (c.slot !== slot) continue;
        const b = new ByteWriter();
        b.vec(c.name);
        b.bytes(c.data);
        out.sized(0, b);
      }
    };
    customsAt(-1);
    const vecSection = (id: number, count: number, body: ByteWriter): void => {
      if (count === 0) return;
      const b = new ByteWriter(body.len + 5);
      b.u32(count);
      b.bytes(body.buf.subarray(0, body.len));
      out.sized(id, b);
    };
    SECTION_ORDER.forEach(([name, id], rank) => {
      customsAt(2 * rank);
      switch (id) {
        case 1: {
          if (this.types.length === 0 && this.recGroups.length === 0) break;
          const b = new ByteWriter();
          const implicitStart = this.recGroups.reduce((a, g) => a + g[1], 0);
          b.u32(this.recGroups.length + (this.types.length - implicitStart));
          for (const [first, count, explicitRec] of this.recGroups) {
            if (explicitRec) {
              b.u8(0x4e);
              b.u32(count);
            }
            for (let i = first; i < first + count; i++) b.bytes(this.types[i].enc!);
          }
          for (let i = implicitStart; i < this.types.length; i++) b.bytes(this.types[i].enc!);
          out.sized(1, b);
          break;
        }
        case 2:
          vecSection(2, this.importCount, this.importSec);
          break;
        case 3:
          vecSection(3, this.funcCount, this.funcSec);
          break;
        case 4:
          vecSection(4, this.tableCount, this.tableSec);
          break;
        case 5:
          vecSection(5, this.memCount, this.memSec);
          break;
        case 13:
          vecSection(13, this.tagCount, this.tagSec);
          break;
        case 6:
          vecSection(6, this.globalCount, this.globalSec);
          break;
        case 7:
          vecSection(7, this.exportCount, this.exportSec);
          break;
        case 8:
          if (this.start !== undefined) {
            const b = new ByteWriter();
            b.u32(this.start);
            out.sized(8, b);
          }
          break;
        case 9:
          vecSection(9, this.elemCount, this.elemSec);
          break;
        case 12:
          if (this.dataCount > 0 || this.usesDataIndex) {
            const b = new ByteWriter();
            b.u32(this.dataCount);
            out.sized(12, b);
          }
          break;
        case 10:
          vecSection(10, this.codeCount, this.codeSec);
          break;
        case 11:
          vecSection(11, this.dataCount, this.dataSec);
          break;
      }
      customsAt(2 * rank + 1);
    });
    customsAt(1e9);
    this.nameSection(out);
    return out.finish();
  }

  /** A `name` custom section with the function identifiers, for backtraces. */
  private nameSection(out: ByteWriter): void {
    if (this.funcs.names.size === 0) return;
    const enc = new TextEncoder();
    const sub = new ByteWriter();
    sub.u32(this.funcs.names.size);
    // Bindings were made in index order, so the map iterates in increasing index order.
    for (const [id, idx] of this.funcs.names) {
      sub.u32(idx);
      sub.vec(enc.encode(id));
    }
    const body = new ByteWriter();
    body.vec(enc.encode('name'));
    body.sized(1, sub);
    out.sized(0, body);
  }
}

function pushU32(w: Enc, v: number): void {
  for (;;) {
    const b = v & 0x7f;
    v >>>= 7;
    if (v === 0) {
      w.push(b);
      return;
    }
    w.push(b | 0x80);
  }
}

function pushS33(w: Enc, v: number): void {
  // Non-negative type indices as signed LEB128.
  for (;;) {
    const b = v & 0x7f;
    v = Math.floor(v / 128);
    if (v === 0 && (b & 0x40) === 0) {
      w.push(b);
      return;
    }
    w.push(b | 0x80);
  }
}

function pushVecTypes(w: Enc, ts: Enc[]): void {
  pushU32(w, ts.length);
  for (const t of ts) for (const b of t) w.push(b);
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Parses module text: `(module $id? field*)`, `(module binary ...)`, `(module quote ...)` or bare fields. */
export function encodeModuleText(src: string, options: TextOptions = {}): Uint8Array {
  const r = parseSexprs(src);
  if (r.items.length === 1 && headOf(r.items[0]) === 'module') {
    const l = r.items[0] as List;
    return encodeModuleList(l, r.sawPlacedAnnot, options);
  }
  for (const x of r.items) if (!(x instanceof List)) unexpected(x);
  if (r.items.some((x) => headOf(x) === 'module')) unexpected(r.items.find((x) => headOf(x) === 'module'));
  return new ModuleEncoder(r.items as List[], options).encode(r.annots, r.sawPlacedAnnot);
}

/** Encodes a `(module ...)` list (text, binary or quote form). */
export function encodeModuleList(l: List, checkAnnots: boolean, options: TextOptions = {}): Uint8Array {
  const it = l.items;
  let k = 1;
  if (idOf(it[k]) !== undefined) k++;
  const form = kwOf(it[k]);
  if (form === 'binary' || form === 'quote') {
    const parts: Uint8Array[] = [];
    for (let j = k + 1; j < it.length; j++) parts.push(stringOf(it[j]));
    const bytes = concatBytes(parts);
    if (form === 'binary') return bytes;
    try {
      return encodeModuleText(utf8Decoder.decode(bytes));
    } catch (e) {
      // Offsets in the quoted text are not offsets in this text: place the error at the module.
      throw movePos(e, l.pos);
    }
  }
  const fields: List[] = [];
  for (let j = k; j < it.length; j++) {
    const x = it[j];
    if (!(x instanceof List)) unexpected(x);
    fields.push(x);
  }
  // Annotation positions become relative to the first field.
  if (l.annots) for (const a of l.annots) a.annotAt = Math.max(0, a.annotAt - k);
  return new ModuleEncoder(fields, options).encode(l.annots, checkAnnots);
}
