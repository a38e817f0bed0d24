// Decoding of a whole module (spec 5.5): header, sections in their required order, and the
// cross-section consistency checks that the binary format (not validation) imposes.

import {
  BodyStream,
  ConstExpr,
  DataSegment,
  ElemSegment,
  Export,
  ExternKind,
  FuncBody,
  Global,
  Import,
  ImportDesc,
  Instr,
  ModuleIR,
  RefType,
  SegmentMode,
  Table,
  ValType,
} from '../ir';
import { InstrDecoder, StreamInstr } from './instructions';
import { LIMITS, limitMessage } from '../limits';
import { decodeNameSection } from './names';
import { Reader } from './reader';
import { globalType, memoryType, refType, refTypeAt, tableType, tagType, typeSection, valType } from './types';

const enum SectionId {
  Custom = 0,
  Type = 1,
  Import = 2,
  Function = 3,
  Table = 4,
  Memory = 5,
  Global = 6,
  Export = 7,
  Start = 8,
  Element = 9,
  Code = 10,
  Data = 11,
  DataCount = 12,
  Tag = 13,
}

/**
 * Position of each non-custom section in the required order. The tag section sits between
 * memory and global; data count between element and code.
 */
const SECTION_RANK: number[] = [];
[
  SectionId.Type,
  SectionId.Import,
  SectionId.Function,
  SectionId.Table,
  SectionId.Memory,
  SectionId.Tag,
  SectionId.Global,
  SectionId.Export,
  SectionId.Start,
  SectionId.Element,
  SectionId.DataCount,
  SectionId.Code,
  SectionId.Data,
].forEach((id, rank) => (SECTION_RANK[id] = rank + 1));

const MAGIC = 0x6d736100;
const VERSION = 1;

export { LIMITS } from '../limits';

/** The limit on a function's locals, parameters included (LIMITS.locals). */
export const MAX_LOCALS = LIMITS.locals;

const EXTERN_KINDS: ExternKind[] = ['func', 'table', 'memory', 'global', 'tag'];
const FUNCREF_NON_NULL: RefType = refType(false, 'func');
const FUNCREF: RefType = refType(true, 'func');
const OP_REF_FUNC = 0xd2;

/** A module with no sections: what decoding `\0asm` and the version alone gives. */
export function emptyModuleIR(): ModuleIR {
  return {
    types: [],
    recGroups: [],
    imports: [],
    funcs: [],
    tables: [],
    memories: [],
    globals: [],
    tags: [],
    exports: [],
    elems: [],
    datas: [],
    codes: [],
    customs: [],
    numImportedFuncs: 0,
    numImportedTables: 0,
    numImportedMemories: 0,
    numImportedGlobals: 0,
    numImportedTags: 0,
    instrOffset: undefined,
  };
}

export interface DecodeOptions {
  /**
   * Leave function bodies as byte ranges: each is decoded into instructions when its `body`
   * is first read, and `ModuleIR.bodyStream` reads one without building a list. Malformed
   * instructions are then found by whoever reads the body first, so only a caller that
   * validates every body (validateModule does) may ask for this.
   */
  readonly lazyBodies?: boolean;
  /**
   * The host runs JavaScript without a JIT: work per byte is then done by the host's native
   * code where it can be (the UTF-8 check of the name section's long names).
   */
  readonly interpreted?: boolean;
  /**
   * false: leave the name section undecoded (no `names`), for a caller that reports nothing
   * by name (a validation worker: the compiling thread reports the module's errors).
   */
  readonly names?: boolean;
}

export function decodeModule(bytes: Uint8Array, options?: DecodeOptions): ModuleIR {
  const lazy = options?.lazyBodies === true;
  const r = new Reader(bytes);
  if (bytes.length > LIMITS.moduleBytes)
    r.fail(`module too large (${bytes.length} bytes; the implementation limit is ${LIMITS.moduleBytes})`, 0);
  r.eofMessage = 'unexpected end';
  if (r.u32le() !== MAGIC) r.fail('magic header not detected');
  if (r.u32le() !== VERSION) r.fail('unknown binary version');
  r.eofMessage = 'unexpected end of section or function';

  const m = emptyModuleIR();
  const d = new InstrDecoder(r);
  let lastRank = 0;
  let sawCode = false;

  while (!r.atEnd()) {
    const id = r.u8();
    if (id > SectionId.Tag) r.fail('malformed section id');
    if (id !== SectionId.Custom) {
      const rank = SECTION_RANK[id];
      if (rank <= lastRank) r.fail('unexpected content after last section');
      lastRank = rank;
    }
    const size = r.len();
    const start = r.pos;
    const end = start + size;
    switch (id as SectionId) {
      case SectionId.Custom: {
        const name = r.name();
        const content = r.view(end - r.pos);
        m.customs.push({ name, bytes: content });
        if (name === 'name' && options?.names !== false) {
          const names = decodeNameSection(content, options?.interpreted === true);
          if (names) m.names = names;
        }
        break;
      }
      case SectionId.Type: {
        // The vector counts recursion groups; a group may hold many types.
        const at = r.pos;
        r.count(LIMITS.recGroups, 'recursion groups');
        r.pos = at;
        const first = m.types.length;
        typeSection(r, m.types, m.recGroups, LIMITS.types);
        checkTypeSizes(r, m, first, at);
        checkSubtypeDepths(r, m, first, at);
        break;
      }
      case SectionId.Import:
        importSection(r, m);
        break;
      case SectionId.Function: {
        const n = r.count(LIMITS.functions, 'functions');
        for (let i = 0; i < n; i++) m.funcs.push(r.u32());
        break;
      }
      case SectionId.Table: {
        const n = countWithImports(r, m.numImportedTables, LIMITS.tables, 'tables');
        for (let i = 0; i < n; i++) m.tables.push(table(r, d));
        break;
      }
      case SectionId.Memory: {
        const n = countWithImports(r, m.numImportedMemories, LIMITS.memories, 'memories');
        for (let i = 0; i < n; i++) m.memories.push(memoryType(r));
        break;
      }
      case SectionId.Tag: {
        const n = r.count(LIMITS.tags, 'tags');
        for (let i = 0; i < n; i++) m.tags.push(tagType(r));
        break;
      }
      case SectionId.Global: {
        const n = r.count(LIMITS.globals, 'globals');
        for (let i = 0; i < n; i++) {
          const type = globalType(r);
          const g: Global = { type, init: constExpr(d) };
          m.globals.push(g);
        }
        break;
      }
      case SectionId.Export: {
        const n = r.count(LIMITS.exports, 'exports');
        for (let i = 0; i < n; i++) m.exports.push(exportEntry(r));
        break;
      }
      case SectionId.Start:
        m.start = r.u32();
        break;
      case SectionId.Element: {
        const n = r.count(LIMITS.elementSegments, 'element segments');
        for (let i = 0; i < n; i++) m.elems.push(elemSegment(r, d));
        break;
      }
      case SectionId.DataCount: {
        const at = r.pos;
        m.dataCount = r.u32();
        if (m.dataCount > LIMITS.dataSegments)
          r.fail(`too many data segments (${m.dataCount}; the implementation limit is ${LIMITS.dataSegments})`, at);
        break;
      }
      case SectionId.Code: {
        sawCode = true;
        const n = r.len();
        if (lazy) {
          const code = new CodeReader(bytes);
          for (let i = 0; i < n; i++) m.codes.push(lazyFuncBody(r, code, localsLimit(m, i)));
          m.bodyStream = (i, values) => code.stream(m.codes[i] as LazyFuncBody, values);
          m.binary = bytes;
          m.codeUsesDataIndex = () => code.decoder.usesDataIndex;
        } else {
          for (let i = 0; i < n; i++) m.codes.push(funcBody(r, d, localsLimit(m, i)));
        }
        break;
      }
      case SectionId.Data: {
        const n = r.count(LIMITS.dataSegments, 'data segments');
        for (let i = 0; i < n; i++) m.datas.push(dataSegment(r, d));
        break;
      }
    }
    if (r.pos !== end) r.fail('section size mismatch');
  }

  if (m.funcs.length !== m.codes.length || (!sawCode && m.funcs.length > 0)) {
    r.fail('function and code section have inconsistent lengths');
  }
  if (m.dataCount !== undefined && m.dataCount !== m.datas.length) {
    r.fail('data count and data section have inconsistent lengths');
  }
  if (m.dataCount === undefined && d.usesDataIndex) r.fail('data count section required');
  m.instrOffset = (codeIndex, index) => instrOffset(bytes, m.codes[codeIndex].pos, index);
  return m;
}

/**
 * Offset of instruction `index` of the body whose locals start at `bodyPos`: the body is
 * read again up to it. Only error paths call this.
 */
export function instrOffset(bytes: Uint8Array, bodyPos: number, index: number): number {
  const r = new Reader(bytes, bodyPos);
  const groups = r.len();
  for (let i = 0; i < groups; i++) {
    r.u32();
    valType(r);
  }
  const d = new InstrDecoder(r);
  for (let i = 0; i < index; i++) d.skipInstr();
  return r.pos;
}

function importSection(r: Reader, m: ModuleIR): void {
  const n = r.count(LIMITS.imports, 'imports');
  for (let i = 0; i < n; i++) {
    const module = r.name();
    const name = r.name();
    const kind = r.u8();
    let desc: ImportDesc;
    switch (kind) {
      case 0:
        desc = { kind: 'func', typeIdx: r.u32() };
        m.numImportedFuncs++;
        break;
      case 0x20: // custom descriptors: an exact function import
        desc = { kind: 'func', typeIdx: r.u32(), exact: true };
        m.numImportedFuncs++;
        break;
      case 1:
        desc = { kind: 'table', type: tableType(r) };
        m.numImportedTables++;
        break;
      case 2:
        desc = { kind: 'memory', type: memoryType(r) };
        m.numImportedMemories++;
        break;
      case 3:
        desc = { kind: 'global', type: globalType(r) };
        m.numImportedGlobals++;
        break;
      case 4:
        desc = { kind: 'tag', type: tagType(r) };
        m.numImportedTags++;
        break;
      default:
        return r.fail('malformed import kind');
    }
    const imp: Import = { module, name, desc };
    m.imports.push(imp);
  }
  if (m.numImportedTables > LIMITS.tables)
    r.fail(`too many tables (${m.numImportedTables}; the implementation limit is ${LIMITS.tables})`);
  if (m.numImportedMemories > LIMITS.memories)
    r.fail(`too many memories (${m.numImportedMemories}; the implementation limit is ${LIMITS.memories})`);
}

/** A section's vector length whose items count towards `limit` with `imported` others. */
function countWithImports(r: Reader, imported: number, limit: number, what: string): number {
  const at = r.pos;
  const n = r.len();
  if (imported + n > limit) r.fail(`too many ${what} (${imported + n}; the implementation limit is ${limit})`, at);
  return n;
}

/**
 * The parameter, result and field counts of the types from index `first` on (the ones the
 * type section starting at `at` just defined). A block type is a function type or a single
 * value type, so the function-type limits bound blocks too.
 */
function checkTypeSizes(r: Reader, m: ModuleIR, first: number, at: number): void {
  for (let i = first; i < m.types.length; i++) {
    const c = m.types[i].comp;
    if (c.kind === 'func') {
      if (c.params.length > LIMITS.params)
        r.fail(
          `too many parameters in type ${i} (${c.params.length}; the implementation limit is ${LIMITS.params})`,
          at,
        );
      if (c.results.length > LIMITS.results)
        r.fail(
          `too many results in type ${i} (${c.results.length}; the implementation limit is ${LIMITS.results})`,
          at,
        );
    } else if (c.kind === 'struct' && c.fields.length > LIMITS.structFields) {
      r.fail(
        `too many fields in type ${i} (${c.fields.length}; the implementation limit is ${LIMITS.structFields})`,
        at,
      );
    }
  }
}

/**
 * The subtype chain depths of the types from index `first` on (LIMITS.subtypeDepth). A
 * declared supertype precedes its subtype in valid modules, so one pass in index order
 * computes every depth from the depths before it; a supertype index that does not precede
 * its subtype is left for validation to report (its chain counts as depth 0 here).
 */
function checkSubtypeDepths(r: Reader, m: ModuleIR, first: number, at: number): void {
  const depths = new Int32Array(m.types.length);
  for (let i = first; i < m.types.length; i++) {
    const supers = m.types[i].supers;
    if (supers.length === 0) continue;
    const s = supers[0];
    const depth = s < i ? depths[s] + 1 : 0;
    if (depth > LIMITS.subtypeDepth) {
      r.fail(
        `subtype chain too deep at type ${i} (depth ${depth}; the implementation limit is ${LIMITS.subtypeDepth})`,
        at,
      );
    }
    depths[i] = depth;
  }
}

/**
 * How many locals code entry `i` may declare: LIMITS.locals less its function's parameters
 * (none known when the function's type index is out of range or not a function type, which
 * validation reports).
 */
function localsLimit(m: ModuleIR, i: number): number {
  const t = i < m.funcs.length ? m.types[m.funcs[i]] : undefined;
  return t !== undefined && t.comp.kind === 'func' ? LIMITS.locals - t.comp.params.length : LIMITS.locals;
}

function exportEntry(r: Reader): Export {
  const name = r.name();
  const k = r.u8();
  if (k >= EXTERN_KINDS.length) r.fail('malformed export kind');
  return { name, kind: EXTERN_KINDS[k], index: r.u32() };
}

function constExpr(d: InstrDecoder): ConstExpr {
  const out: Instr[] = [];
  d.expr(out);
  return out;
}

function table(r: Reader, d: InstrDecoder): Table {
  // 0x40 0x00 introduces a table with an explicit initialiser expression.
  if (r.peek() === 0x40) {
    r.pos++;
    if (r.u8() !== 0) r.fail('malformed reference type');
    const type = tableType(r);
    return { type, init: constExpr(d) };
  }
  return { type: tableType(r) };
}

function funcIndexVec(r: Reader): ConstExpr[] {
  const n = r.count(LIMITS.tableInitEntries, 'element segment entries');
  const init: ConstExpr[] = [];
  for (let i = 0; i < n; i++) {
    const pos = r.pos;
    init.push([{ op: OP_REF_FUNC, pos, idx: r.u32() }]);
  }
  return init;
}

function exprVec(d: InstrDecoder, r: Reader): ConstExpr[] {
  const n = r.count(LIMITS.tableInitEntries, 'element segment entries');
  const init: ConstExpr[] = [];
  for (let i = 0; i < n; i++) init.push(constExpr(d));
  return init;
}

/** elemkind: only 0x00, meaning (ref func). */
function elemKind(r: Reader): RefType {
  if (r.u8() !== 0) r.fail('malformed element kind');
  return FUNCREF_NON_NULL;
}

/**
 * Element segments, flags 0..7: bit 0 = passive/declarative (else active), bit 1 = explicit
 * table index (active) or declarative (non-active), bit 2 = expressions instead of function
 * indices.
 */
function elemSegment(r: Reader, d: InstrDecoder): ElemSegment {
  const flags = r.u32();
  let mode: SegmentMode;
  let tableIdx = 0;
  let offset: ConstExpr | undefined;
  let type: RefType;
  let init: ConstExpr[];
  switch (flags) {
    case 0:
      mode = 'active';
      offset = constExpr(d);
      type = FUNCREF_NON_NULL;
      init = funcIndexVec(r);
      break;
    case 1:
    case 3:
      mode = flags === 1 ? 'passive' : 'declarative';
      type = elemKind(r);
      init = funcIndexVec(r);
      break;
    case 2:
      mode = 'active';
      tableIdx = r.u32();
      offset = constExpr(d);
      type = elemKind(r);
      init = funcIndexVec(r);
      break;
    case 4:
      mode = 'active';
      offset = constExpr(d);
      type = FUNCREF;
      init = exprVec(d, r);
      break;
    case 5:
    case 7:
      mode = flags === 5 ? 'passive' : 'declarative';
      type = refTypeAt(r);
      init = exprVec(d, r);
      break;
    case 6:
      mode = 'active';
      tableIdx = r.u32();
      offset = constExpr(d);
      type = refTypeAt(r);
      init = exprVec(d, r);
      break;
    default:
      return r.fail('malformed elements segment kind');
  }
  return offset === undefined ? { mode, table: tableIdx, type, init } : { mode, table: tableIdx, offset, type, init };
}

function dataSegment(r: Reader, d: InstrDecoder): DataSegment {
  const flags = r.u32();
  switch (flags) {
    case 0: {
      const offset = constExpr(d);
      return { mode: 'active', memory: 0, offset, bytes: r.view(r.len()) };
    }
    case 1:
      return { mode: 'passive', memory: 0, bytes: r.view(r.len()) };
    case 2: {
      const memory = r.u32();
      const offset = constExpr(d);
      return { mode: 'active', memory, offset, bytes: r.view(r.len()) };
    }
  }
  return r.fail('malformed data segment kind');
}

function funcBody(r: Reader, d: InstrDecoder, maxLocals: number): FuncBody {
  const size = bodySize(r);
  const pos = r.pos;
  const end = pos + size;
  const locals = localDecls(r, maxLocals);
  const body: Instr[] = [];
  d.expr(body);
  if (r.pos !== end) r.fail('section size mismatch');
  return { locals, body, pos };
}

/**
 * Reads a body's size and locals and steps over its instructions, which stay bytes until
 * read (see CodeReader).
 */
function lazyFuncBody(r: Reader, code: CodeReader, maxLocals: number): LazyFuncBody {
  const size = bodySize(r);
  const pos = r.pos;
  const end = pos + size;
  localGroups(r, maxLocals);
  const start = r.pos;
  if (start > end) r.fail('section size mismatch');
  r.skip(end - start);
  return new LazyFuncBody(pos, start, end, code);
}

/**
 * A function body whose locals and instructions are read from the bytes on first use (the
 * decoder has checked the locals; the validator reads numeric ones from the bytes itself).
 */
class LazyFuncBody implements FuncBody {
  private decoded: Instr[] | undefined = undefined;
  private expanded: ValType[] | undefined = undefined;
  constructor(
    readonly pos: number,
    /** Where the instructions start (after the locals) and where the body ends. */
    readonly start: number,
    readonly end: number,
    private readonly code: CodeReader,
  ) {}

  get locals(): ValType[] {
    return (this.expanded ??= localDecls(new Reader(this.code.r.bytes, this.pos), Infinity));
  }

  get body(): Instr[] {
    return (this.decoded ??= this.code.decode(this));
  }
}

/**
 * Reads lazily kept bodies of one module: decodes one into instructions, or streams one
 * for validation. One reader and one decoder serve every body, so the decoder's shared
 * instructions and its record of data-index uses span the module.
 */
class CodeReader implements BodyStream {
  readonly r: Reader;
  readonly decoder: InstrDecoder;
  readonly instr = new StreamInstr();
  private end = 0;

  constructor(bytes: Uint8Array) {
    this.r = new Reader(bytes);
    this.decoder = new InstrDecoder(this.r);
  }

  decode(body: LazyFuncBody): Instr[] {
    const r = this.r;
    r.pos = body.start;
    const out: Instr[] = [];
    this.decoder.expr(out);
    if (r.pos !== body.end) r.fail('section size mismatch');
    return out;
  }

  stream(body: LazyFuncBody, values = false): BodyStream {
    this.r.pos = body.start;
    this.end = body.end;
    this.decoder.beginStream(values);
    return this;
  }

  next(): boolean {
    if (this.decoder.next(this.instr)) return true;
    if (this.r.pos !== this.end) this.r.fail('section size mismatch');
    return false;
  }
}

/** A function body's size, within LIMITS.functionBodyBytes. */
function bodySize(r: Reader): number {
  const at = r.pos;
  const size = r.len();
  if (size > LIMITS.functionBodyBytes)
    r.fail(`function body too large (${size} bytes; the implementation limit is ${LIMITS.functionBodyBytes})`, at);
  return size;
}

/** Scratch for localDecls: one body's (count, type) groups, read before any is expanded. */
const groupCounts: number[] = [];
const groupTypes: ValType[] = [];

/**
 * Reads a body's (count, type) groups into groupCounts/groupTypes and returns how many there
 * are; the total is checked against `max` (what LIMITS.locals leaves after the parameters)
 * before anything is expanded.
 */
function localGroups(r: Reader, max: number): number {
  const groups = r.len();
  let total = 0;
  for (let i = 0; i < groups; i++) {
    const n = r.u32();
    groupCounts[i] = n;
    groupTypes[i] = valType(r);
    total += n;
  }
  if (total >= 2 ** 32) r.fail('too many locals');
  if (total > max) r.fail(limitMessage('locals', total + LIMITS.locals - max, LIMITS.locals));
  return groups;
}

/** A body's locals, expanded: one entry per local. */
function localDecls(r: Reader, max: number): ValType[] {
  const groups = localGroups(r, max);
  const locals: ValType[] = [];
  for (let i = 0; i < groups; i++) {
    const t = groupTypes[i];
    for (let j = groupCounts[i]; j > 0; j--) locals.push(t);
  }
  return locals;
}
