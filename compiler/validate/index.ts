// Whole-module validation (WebAssembly 3.0, spec section 3) of a decoded ModuleIR.
// Every failure is a CompileError of kind 'invalid' carrying the reference interpreter's
// message where practical.

import { CompileError, invalid, malformed } from '../errors';
import type { ConstExpr, Limits, ModuleIR, RefType, TableType, MemoryType, ValType } from '../ir';
import { DEFAULT_FEATURES, type FeatureName, type Features } from '../features';
import { opByName } from '../opcodes';
import { CodeValidator, type ModuleContext } from './func';
import { FastValidator } from './fast';
export { primerModule } from './fast';
import { CompKind, TypeRegistry, VT, asCompileError, encodeType, typeRegistry, type CanonInfo } from './types';

export * from './types';
export { CodeValidator, type ModuleContext } from './func';

const REF_FUNC_OP = opByName.get('ref.func')!.code;

/** At most this many bodies in one call of the fast path (see validateModuleInfo). */
export const BODIES_PER_CALL = 256;

/** At most about this many bytes of bodies in one call of the fast path (a larger body alone). */
export const BODY_BYTES_PER_CALL = 128 * 1024;

/**
 * The fast path's chunks of `m`'s bodies: chunk c is bodies [result[c], result[c + 1]).
 * Chunks are cut by size as well as by count: compilers put a program's largest functions
 * together (swc's first 256 bodies are a quarter of its code), and a chunk is the unit that
 * threads share and between which asynchronous compilation lets the host run.
 */
export function bodyChunks(m: ModuleIR): Int32Array {
  const starts: number[] = [0];
  let bodies = 0;
  let size = 0;
  for (let i = 0; i < m.codes.length; i++) {
    const c = m.codes[i];
    const n = c.end !== undefined && c.start !== undefined ? c.end - c.start : 0;
    if (bodies > 0 && (bodies === BODIES_PER_CALL || size + n > BODY_BYTES_PER_CALL)) {
      starts.push(i);
      bodies = 0;
      size = 0;
    }
    bodies++;
    size += n;
  }
  if (m.codes.length > 0) starts.push(m.codes.length);
  return Int32Array.from(starts);
}

/**
 * Several threads sharing one module's fast-path validation (the runtime's validation
 * helper implements it over shared memory). The bodies are cut into chunks (bodyChunks);
 * every thread decodes the module and validates its module-level parts
 * itself, then takes chunks until none is left. The thread that compiles (`role` 'main')
 * then gathers what the others found, and it alone runs CodeValidator, over every body the
 * fast path left, in index order: errors and their order are those of one thread.
 */
export interface BodyShare {
  readonly role: 'main' | 'helper';
  /** The next chunk for this thread to validate (numbered as bodyChunks numbers them), or
   *  -1 when every chunk is taken. */
  claim(): number;
  /** helper: publishes chunk `c`: the figures of its bodies the fast path decided, and the
   *  bodies it left (`undecided`, ascending). */
  publish(c: number, heights: readonly number[], depths: readonly number[], undecided: readonly number[]): void;
  /** main, after its last claim: waits for the chunks others took (validating any whose
   *  helper does not finish in time itself, with `validate`), copies their figures into
   *  `heights` and `depths`, and returns the bodies they left, ascending. */
  gather(heights: number[], depths: number[], validate: (c: number) => number[]): number[];
}

/** A module's function bodies, validated after everything else (validateOutsideBodies). */
interface BodyValidation {
  /** The number of fast-path chunks; 0 when the fast path does not run (then finish(null)). */
  readonly chunks: number;
  readonly maxStackHeights: number[];
  readonly maxControlDepths: number[];
  /** Runs the fast path over chunk `c`; returns the bodies it left, ascending. */
  validateChunk(c: number): number[];
  /** Runs CodeValidator over `todo` (ascending; null: every body) and ends validation. */
  finish(todo: readonly number[] | null): ValidationResult;
}

/**
 * `fastPath: false` makes CodeValidator check every body (the fast path must agree with it,
 * which the tests check by running both).
 */
export const validationSettings = { fastPath: true };

/** What validation learned about a module that later stages can reuse. */
export interface ValidationResult {
  /** Canonical id of every type index (same as typeRegistry.canonicalize(m)). */
  readonly canon: readonly number[];
  /** Canonical type id of every function (imports first), as funcref values carry it. */
  readonly funcTypeIds: readonly number[];
  /** Canonical type id of every tag's function type (imports first). */
  readonly tagTypeIds: readonly number[];
  /** Highest operand stack depth of each defined function's body. */
  readonly maxStackHeights: readonly number[];
  /** Deepest control-frame nesting of each defined function's body. */
  readonly maxControlDepths: readonly number[];
}

/** Validates `m`; throws CompileError('invalid', message) on the first error found. */
export function validateModule(m: ModuleIR): void {
  validateModuleInfo(m);
}

/**
 * validateModule, also returning what the translator may reuse. `features`: the proposals the
 * module may use (compiler/features.ts); a module using one switched off is invalid.
 */
export function validateModuleInfo(
  m: ModuleIR,
  reg: TypeRegistry = typeRegistry,
  features: Features = DEFAULT_FEATURES,
  share?: BodyShare,
): ValidationResult {
  try {
    const bodies = validateOutsideBodies(m, reg, features);
    if (bodies.chunks === 0) return bodies.finish(null);
    // The fast path takes a chunk of bodies per call (bodyChunks): optimised code the host finishes
    // while a module is being validated (compiled in the background, as after the runtime's
    // primeValidation) is entered by the next call, where one call for the whole module would
    // run to its end in the code it started in. `todo`: the bodies it left, in order.
    const todo: number[] = [];
    if (share === undefined) {
      for (let c = 0; c < bodies.chunks; c++) for (const i of bodies.validateChunk(c)) todo.push(i);
      return bodies.finish(todo);
    }
    for (let c = share.claim(); c >= 0; c = share.claim()) {
      const left = bodies.validateChunk(c);
      if (share.role === 'helper') share.publish(c, bodies.maxStackHeights, bodies.maxControlDepths, left);
      else for (const i of left) todo.push(i);
    }
    // A helper's part ends here: the compiling thread checks what the fast path left.
    if (share.role === 'helper') return bodies.finish([]);
    for (const i of share.gather(bodies.maxStackHeights, bodies.maxControlDepths, (c) => bodies.validateChunk(c)))
      todo.push(i);
    todo.sort((a, b) => a - b);
    return bodies.finish(todo);
  } catch (e) {
    throw reportedError(m, e);
  }
}

/**
 * Validates `m` as validateModuleInfo does, running the fast path over its bodies `rounds`
 * times (for runtime/module.ts primeValidation: the rounds make the fast path hot; the rest
 * of validation, which the rounds would only repeat, runs once).
 */
export function validateModuleRepeated(m: ModuleIR, reg: TypeRegistry, rounds: number): ValidationResult {
  const bodies = validateOutsideBodies(m, reg, DEFAULT_FEATURES);
  const todo: number[] = [];
  for (let r = 0; r < rounds; r++) {
    todo.length = 0;
    for (let c = 0; c < bodies.chunks; c++) for (const i of bodies.validateChunk(c)) todo.push(i);
  }
  return bodies.finish(bodies.chunks === 0 ? null : todo);
}

/** An asynchronous BodyShare: its thread waits for the others without blocking. */
export interface AsyncBodyShare extends BodyShare {
  readonly role: 'main';
  /** `gather`, waiting for other threads by awaiting `sleep`. */
  gatherAsync(
    heights: number[],
    depths: number[],
    validate: (c: number) => number[],
    sleep: (ms: number) => Promise<void>,
  ): Promise<number[]>;
}

/**
 * validateModuleInfo in slices, for asynchronous compilation: between chunks of the fast
 * path it awaits `pause()` when that returns a promise (the caller decides how long a slice
 * runs), and it waits for other threads through `pause.sleep`. Results and errors are
 * validateModuleInfo's.
 */
export async function validateModuleInfoAsync(
  m: ModuleIR,
  reg: TypeRegistry,
  features: Features,
  share: AsyncBodyShare,
  pause: { (): Promise<void> | undefined; sleep(ms: number): Promise<void> },
): Promise<ValidationResult> {
  try {
    const bodies = validateOutsideBodies(m, reg, features);
    if (bodies.chunks === 0) return bodies.finish(null);
    const todo: number[] = [];
    for (let c = share.claim(); c >= 0; c = share.claim()) {
      for (const i of bodies.validateChunk(c)) todo.push(i);
      const p = pause();
      if (p !== undefined) await p;
    }
    const validate = (c: number): number[] => bodies.validateChunk(c);
    for (const i of await share.gatherAsync(bodies.maxStackHeights, bodies.maxControlDepths, validate, pause.sleep))
      todo.push(i);
    todo.sort((a, b) => a - b);
    return bodies.finish(todo);
  } catch (e) {
    throw reportedError(m, e);
  }
}

/**
 * The error validation reports for `e`. A module that is malformed is malformed, whatever
 * else is wrong with it: bodies left as bytes have been read only up to the first validation
 * error, so the rest are decoded now, and a malformed one turns this error into its own.
 */
function reportedError(m: ModuleIR, e: unknown): unknown {
  const err = asCompileError(e);
  if (m.bodyStream !== undefined && err instanceof CompileError && err.kind === 'invalid') checkBodiesWellFormed(m);
  return err;
}

/** Decodes every function body (lazily kept ones included); throws if any is malformed. */
function checkBodiesWellFormed(m: ModuleIR): void {
  for (let i = 0; i < m.codes.length; i++) {
    try {
      void m.codes[i].body;
    } catch (e) {
      if (e instanceof CompileError)
        e.locate({ funcIndex: m.numImportedFuncs + i, funcName: m.names?.funcs.get(m.numImportedFuncs + i) });
      throw e;
    }
  }
  checkDataCount(m);
}

/** Bodies that name a data segment need the data count section (a binary-format rule). */
function checkDataCount(m: ModuleIR): void {
  if (m.dataCount === undefined && m.codeUsesDataIndex?.() === true) throw malformed('data count section required');
}

/** The proposals switched off in `f`, or undefined when none is. */
function disabledOf(f: Features): ReadonlySet<FeatureName> | undefined {
  const off = (Object.keys(f) as FeatureName[]).filter((k) => !f[k]);
  return off.length === 0 ? undefined : new Set(off);
}

/**
 * What a module declares of switched-off proposals outside function bodies (instructions are
 * CodeValidator's: the fast path accepts none of a proposal's).
 */
function checkDeclaredFeatures(
  m: ModuleIR,
  off: ReadonlySet<FeatureName>,
  memories: readonly MemoryType[],
  tables: readonly TableType[],
): void {
  if (off.has('multiMemory') && memories.length > 1) throw invalid('multiple memories');
  if (off.has('referenceTypes') && tables.length > 1) throw invalid('multiple tables');
  for (const mt of memories) {
    if (off.has('threads') && mt.shared)
      throw invalid('shared memories require the threads proposal, which is switched off');
    if (off.has('memory64') && mt.addr === 'i64')
      throw invalid('64-bit memories require the memory64 proposal, which is switched off');
    if (off.has('customPageSizes') && mt.pageSizeLog2 !== 16)
      throw invalid('custom page sizes require the custom-page-sizes proposal, which is switched off');
  }
  if (off.has('memory64'))
    for (const t of tables)
      if (t.addr === 'i64') throw invalid('64-bit tables require the memory64 proposal, which is switched off');
  if (off.has('exceptions') && (m.tags.length > 0 || m.imports.some((i) => i.desc.kind === 'tag')))
    throw invalid('tags require the exceptions proposal, which is switched off');
  if (off.has('customDescriptors')) {
    for (const t of m.types)
      if (t.describes !== undefined || t.descriptor !== undefined)
        throw invalid('descriptor clauses require the custom-descriptors proposal, which is switched off');
    for (const i of m.imports)
      if (i.desc.kind === 'func' && i.desc.exact === true)
        throw invalid('exact imports require the custom-descriptors proposal, which is switched off');
  }
}

/** Validates everything outside the function bodies; returns the bodies' validation. */
function validateOutsideBodies(m: ModuleIR, reg: TypeRegistry, features: Features): BodyValidation {
  const disabled = disabledOf(features);
  if (disabled !== undefined) {
    const memories: MemoryType[] = [];
    const tables: TableType[] = [];
    for (const imp of m.imports) {
      if (imp.desc.kind === 'memory') memories.push(imp.desc.type);
      else if (imp.desc.kind === 'table') tables.push(imp.desc.type);
    }
    memories.push(...m.memories);
    for (const t of m.tables) tables.push(t.type);
    checkDeclaredFeatures(m, disabled, memories, tables);
  }
  const canon = validateTypes(m, reg);
  const enc = (t: ValType | RefType): number => encodeType(t, canon);

  const funcType = (x: number): number => {
    const id = canon[x];
    if (id === undefined) throw invalid('unknown type');
    if (reg.info(id).kind !== CompKind.Func) throw invalid('type mismatch');
    return id;
  };

  // ---- index spaces: imports first, then definitions
  const funcTypes: number[] = [];
  // Functions whose references are exact: defined ones and exact imports (custom descriptors).
  const funcExact = new Uint8Array(m.numImportedFuncs + m.funcs.length).fill(1);
  const tableAddr: number[] = [];
  const tableElem: number[] = [];
  const memAddr: number[] = [];
  const globalTypes: number[] = [];
  const globalMutable: boolean[] = [];
  const tagTypes: number[] = [];
  const tagType = (x: number): number => {
    const id = funcType(x);
    if (reg.info(id).results.length !== 0) throw invalid('non-empty tag result type');
    return id;
  };
  for (const imp of m.imports) {
    const d = imp.desc;
    switch (d.kind) {
      case 'func':
        if (d.exact !== true) funcExact[funcTypes.length] = 0;
        funcTypes.push(funcType(d.typeIdx));
        break;
      case 'table':
        checkTableType(d.type);
        tableAddr.push(addrEnc(d.type.addr));
        tableElem.push(enc(d.type.elem));
        break;
      case 'memory':
        checkMemoryType(d.type);
        memAddr.push(addrEnc(d.type.addr));
        break;
      case 'global':
        globalTypes.push(enc(d.type.type));
        globalMutable.push(d.type.mutable);
        break;
      case 'tag':
        tagTypes.push(tagType(d.type.typeIdx));
        break;
    }
  }
  const numImportedGlobals = globalTypes.length;
  for (const x of m.funcs) funcTypes.push(funcType(x));
  for (const t of m.tables) {
    checkTableType(t.type);
    tableAddr.push(addrEnc(t.type.addr));
    tableElem.push(enc(t.type.elem));
  }
  for (const mt of m.memories) {
    checkMemoryType(mt);
    memAddr.push(addrEnc(mt.addr));
  }
  for (const g of m.globals) {
    globalTypes.push(enc(g.type.type));
    globalMutable.push(g.type.mutable);
  }
  for (const t of m.tags) tagTypes.push(tagType(t.typeIdx));
  const elemTypes = m.elems.map((e) => enc(e.type));

  // ---- C.refs: functions referenced outside function bodies
  const refs = new Uint8Array(funcTypes.length);
  const scan = (e: ConstExpr | undefined): void => {
    if (e)
      for (const ins of e)
        if (ins.op === REF_FUNC_OP && ins.idx !== undefined && ins.idx < refs.length) refs[ins.idx] = 1;
  };
  for (const g of m.globals) scan(g.init);
  for (const t of m.tables) scan(t.init);
  for (const e of m.elems) {
    scan(e.offset);
    for (const i of e.init) scan(i);
  }
  for (const d of m.datas) scan(d.offset);
  for (const ex of m.exports) if (ex.kind === 'func' && ex.index < refs.length) refs[ex.index] = 1;

  const ctx: ModuleContext = {
    reg,
    canon,
    funcTypes,
    funcExact,
    tableAddr,
    tableElem,
    memAddr,
    globalTypes,
    globalMutable,
    tagTypes,
    elemTypes,
    numDatas: m.datas.length,
    hasDataCount: m.dataCount !== undefined,
    refs,
    disabled,
  };
  const cv = new CodeValidator(ctx);
  const allGlobals = globalTypes.length;

  // ---- globals: each initialiser sees the imports and the globals defined before it
  m.globals.forEach((g, i) => cv.validateConst(g.init, globalTypes[numImportedGlobals + i], numImportedGlobals + i));

  // ---- tables: a non-nullable element type needs an explicit initialiser, which (tables
  // precede globals) sees only the imported globals
  m.tables.forEach((t, i) => {
    const et = tableElem[tableElem.length - m.tables.length + i];
    if (t.init) cv.validateConst(t.init, et, numImportedGlobals);
    else if (!t.type.elem.nullable) throw invalid('type mismatch');
  });

  // ---- element segments
  m.elems.forEach((e, i) => {
    const et = elemTypes[i];
    for (const init of e.init) cv.validateConst(init, et, allGlobals);
    if (e.mode === 'active') {
      if (!(e.table < tableAddr.length)) throw invalid(`unknown table ${e.table}`);
      if (!e.offset) throw malformed('active element segment without offset');
      cv.validateConst(e.offset, tableAddr[e.table], allGlobals);
      if (!reg.valSub(et, tableElem[e.table])) throw invalid('type mismatch');
    }
  });

  // ---- data segments
  for (const d of m.datas) {
    if (d.mode !== 'active') continue;
    if (!(d.memory < memAddr.length)) throw invalid(`unknown memory ${d.memory}`);
    if (!d.offset) throw malformed('active data segment without offset');
    cv.validateConst(d.offset, memAddr[d.memory], allGlobals);
  }

  // ---- start function
  if (m.start !== undefined) {
    const id = funcTypes[m.start];
    if (id === undefined) throw invalid(`unknown function ${m.start}`);
    const info = reg.info(id);
    if (info.params.length !== 0 || info.results.length !== 0) throw invalid('start function');
  }

  // ---- exports
  const names = new Set<string>();
  for (const ex of m.exports) {
    if (names.has(ex.name)) throw invalid('duplicate export name');
    names.add(ex.name);
    const limit =
      ex.kind === 'func'
        ? funcTypes.length
        : ex.kind === 'table'
          ? tableAddr.length
          : ex.kind === 'memory'
            ? memAddr.length
            : ex.kind === 'global'
              ? globalTypes.length
              : tagTypes.length;
    if (!(ex.index < limit)) throw invalid(`unknown ${ex.kind === 'func' ? 'function' : ex.kind} ${ex.index}`);
  }

  // ---- function bodies
  if (m.codes.length !== m.funcs.length) throw malformed('function and code section have inconsistent lengths');
  const maxStackHeights: number[] = new Array<number>(m.codes.length);
  const maxControlDepths: number[] = new Array<number>(m.codes.length);
  const stream = m.bodyStream;
  // Bodies kept as bytes go through the fast path first; CodeValidator decides the rest, in
  // index order, so the first error is still that of the first invalid body.
  const typeBase = funcTypes.length - m.funcs.length;
  const bin = m.binary;
  const fast = bin !== undefined && validationSettings.fastPath;
  const fv = fast ? new FastValidator(ctx) : null;
  const bounds = fast ? bodyChunks(m) : null;
  return {
    chunks: bounds !== null ? bounds.length - 1 : 0,
    maxStackHeights,
    maxControlDepths,
    validateChunk(c: number): number[] {
      const from = bounds![c];
      const to = bounds![c + 1];
      return fv!.validateBodies(bin!, m.codes, funcTypes, typeBase, maxStackHeights, maxControlDepths, from, to);
    },
    finish(todo: readonly number[] | null): ValidationResult {
      const count = todo !== null ? todo.length : m.codes.length;
      for (let k = 0; k < count; k++) {
        const i = todo !== null ? todo[k] : k;
        const code = m.codes[i];
        const typeId = funcTypes[typeBase + i];
        const locals = code.locals.map(enc);
        try {
          cv.validateFunc(typeId, locals, stream !== undefined ? stream(i) : code.body);
        } catch (e) {
          const err = asCompileError(e);
          if (err instanceof CompileError) locateInBody(err, m, i, cv.failedAt);
          throw err;
        }
        maxStackHeights[i] = cv.maxStackHeight;
        maxControlDepths[i] = cv.maxControlDepth;
      }
      checkDataCount(m);
      return { canon, funcTypeIds: funcTypes, tagTypeIds: tagTypes, maxStackHeights, maxControlDepths };
    },
  };
}

/**
 * Names the function whose body raised `e` (index in the function index space, and its
 * name-section name) and the failing instruction's byte offset when the module came from
 * the binary decoder.
 */
function locateInBody(e: CompileError, m: ModuleIR, codeIndex: number, pc: number): void {
  const funcIndex = m.numImportedFuncs + codeIndex;
  let offset: number | undefined;
  if (m.instrOffset !== undefined && pc >= 0) {
    try {
      offset = m.instrOffset(codeIndex, pc);
    } catch {
      // The body decoded once; a failure to re-read it only costs the offset.
    }
  }
  e.locate({ funcIndex, funcName: m.names?.funcs.get(funcIndex), offset });
}

// ---------------------------------------------------------------- types

function validateTypes(m: ModuleIR, reg: TypeRegistry): number[] {
  const canon = reg.canonicalize(m);
  for (const g of m.recGroups) {
    for (let i = g.start; i < g.start + g.count; i++) {
      const st = m.types[i];
      if (st.describes !== undefined || st.descriptor !== undefined)
        checkDescriptorClauses(m, g.start, g.start + g.count, i);
    }
  }
  for (let i = 0; i < m.types.length; i++) {
    const st = m.types[i];
    if (st.supers.length > 1) throw invalid('sub type');
    if (st.supers.length === 0) continue;
    const s = st.supers[0];
    const superId = canon[s];
    const superInfo = reg.info(superId);
    if (superInfo.final || !reg.compSub(canon[i], superId))
      throw invalid(`sub type ${i} does not match super type ${s}`);
    const info = reg.info(canon[i]);
    if (info.describes >= 0 || info.descriptor >= 0 || superInfo.describes >= 0 || superInfo.descriptor >= 0) {
      checkDescriptorSubtyping(reg, info, superInfo, i, s);
    }
  }
  return canon;
}

/**
 * Custom descriptors: `describes` and `descriptor` clauses name types of the same rec group
 * and agree with each other; a described type precedes its descriptor, so descriptor chains
 * are acyclic. Both clauses are for struct types only.
 */
function checkDescriptorClauses(m: ModuleIR, start: number, end: number, i: number): void {
  const st = m.types[i];
  if (st.comp.kind !== 'struct') {
    throw invalid(st.descriptor !== undefined ? 'descriptor type must be a struct' : 'described type must be a struct');
  }
  const x = st.describes;
  if (x !== undefined) {
    if (x < start || x >= end) throw invalid('described type is outside rec group');
    if (m.types[x].descriptor !== i) throw invalid('described type is not described by descriptor');
    if (x >= i) throw invalid('forward use of described type');
  }
  const y = st.descriptor;
  if (y !== undefined) {
    if (y < start || y >= end) throw invalid('descriptor type is outside rec group');
    if (m.types[y].describes !== i) throw invalid('type is not described by its descriptor');
  }
}

/**
 * Custom descriptors' rules for a declared supertype: a described (descriptor) type's
 * supertype is also a described (descriptor) type of a supertype of what it describes
 * (of its descriptor type); a type without a descriptor has supertypes without one. The
 * latter keeps ref.get_desc sound; the former keeps descriptor layouts compatible.
 */
function checkDescriptorSubtyping(reg: TypeRegistry, sub: CanonInfo, sup: CanonInfo, i: number, s: number): void {
  const mismatch = (): never => {
    throw invalid(`sub type ${i} does not match super type ${s}`);
  };
  if (sub.describes >= 0 !== sup.describes >= 0) mismatch();
  if (sub.describes >= 0 && !reg.isSubtype(sub.describes, sup.describes))
    throw invalid('described type does not match');
  if (sup.descriptor >= 0) {
    if (sub.descriptor < 0) mismatch();
    if (!reg.isSubtype(sub.descriptor, sup.descriptor)) throw invalid('descriptor type does not match');
  }
}

// ---------------------------------------------------------------- limits

const addrEnc = (a: 'i32' | 'i64'): number => (a === 'i64' ? VT.I64 : VT.I32);

function checkLimits(l: Limits, bound: number, message: string): void {
  if (l.min > bound) throw invalid(message);
  if (l.max !== undefined) {
    if (l.max > bound) throw invalid(message);
    if (l.min > l.max) throw invalid('size minimum must not be greater than maximum');
  }
}

function checkTableType(t: TableType): void {
  if (t.addr === 'i32') checkLimits(t.limits, 0xffffffff, 'table size must be at most 2^32-1');
  else checkLimits(t.limits, 2 ** 64 - 1, 'table size must be at most 2^64-1');
  if (t.elem.kind !== 'ref') throw invalid('type mismatch');
}

function checkMemoryType(mt: MemoryType): void {
  const log2 = mt.pageSizeLog2;
  if (log2 !== 0 && log2 !== 16) throw invalid('invalid custom page size');
  if (mt.addr === 'i32') {
    // 4GiB of address space; with 1-byte pages the largest size is 2^32-1 bytes.
    const bound = log2 === 16 ? 65536 : 0xffffffff;
    checkLimits(
      mt.limits,
      bound,
      log2 === 16 ? 'memory size must be at most 65536 pages (4GiB)' : `memory size must be at most ${bound} pages`,
    );
  } else {
    const bound = log2 === 16 ? 2 ** 48 : 2 ** 64 - 1;
    checkLimits(
      mt.limits,
      bound,
      log2 === 16 ? 'memory size must be at most 2^48 pages (256TiB)' : 'memory size must be at most 2^64-1 bytes',
    );
  }
  if (mt.shared && mt.limits.max === undefined) throw invalid('shared memory must have maximum');
}
