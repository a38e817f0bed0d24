// FuncEnvironment: everything runtime-specific the function translator needs, as JS
// expression text. ModuleEnvironment is the one implementation: it answers from VMOffsets
// and also writes the module prelude that captures those values once.

import type { FuncType, ModuleIR, ValType, MemoryType, TableType, SubType } from '../ir';
import { SlabKind, VMOffsets } from '../../vmctx';
import { HELPER_NAMES } from '../../vmctx/helpers';
import { NAN_CARRIERS, NAN_HELPER_NAMES } from './nan';
import { CheckPoints, type CheckOptions } from './checks';
import { use } from './bindings';

/**
 * What the generated code is tuned for. 'jit': V8's optimizing compiler (memory views read
 * through a holder object whose fields V8 can fold as constants). 'interpreter': a host
 * without a JIT (V8's Ignition under --jitless), where every property load is a bytecode
 * with an inline-cache lookup, so views are closure variables.
 */
export type CodegenProfile = 'jit' | 'interpreter';

/** How lazily translated 'interpreter' code carries i64 values (TranslateOptions.i64). */
export type I64Lowering = 'pairs' | 'bigint' | 'bigint-always';

/**
 * How 'interpreter' code reaches a memory for plain loads and stores
 * (TranslateOptions.memoryAccess). 'dataview': its DataView's methods (`D0.getInt32(a, 1)`).
 * 'arrays-first': a load reads the Uint8Array or Int32Array view first and the DataView only
 * where that read is undefined (`W0[a / 4] ?? D0.getInt32(a, 1)`), and a store calls a
 * DataView method bound to the memory's DataView (`SW0(a, v, 1)`): no property lookup per
 * access, which V8's interpreter runs faster and JavaScriptCore's slower (the runtime
 * chooses by measuring, runtime/jit-probe.ts).
 */
export type MemoryAccessForm = 'dataview' | 'arrays-first';

/** The DataView methods of plain loads and stores (MemoryNames.call). */
export const DATA_VIEW_ACCESSORS = [
  'getInt32',
  'setInt32',
  'getUint8',
  'setInt8',
  'getInt8',
  'getUint16',
  'getInt16',
  'setInt16',
  'getFloat64',
  'setFloat64',
] as const;
export type DataViewAccessor = (typeof DATA_VIEW_ACCESSORS)[number];

/** The view holder's field holding a bound accessor, before the module's views key:
 *  `V0.gi32_7(a, 1)` calls memory 0's getInt32. */
const ACCESSOR_FIELD: Record<DataViewAccessor, string> = {
  getInt32: 'gi32_',
  setInt32: 'si32_',
  getUint8: 'gu8_',
  setInt8: 'si8_',
  getInt8: 'gi8_',
  getUint16: 'gu16_',
  getInt16: 'gi16_',
  setInt16: 'si16_',
  getFloat64: 'gf64_',
  setFloat64: 'sf64_',
};

export interface MemoryNames {
  /** The VMMemory object. */
  readonly obj: string;
  /** Cached DataView / Uint8Array / byte length (refreshed on growth). */
  readonly dv: string;
  /** The callee of a plain load or store through the DataView: `${dv}.getInt32`, or in the
   *  'jit' profile that method bound to the DataView, a field of the view holder. */
  readonly call: (method: DataViewAccessor) => string;
  readonly u8: string;
  readonly len: string;
  /** Cached Int32Array over the whole memory, for provably aligned in-bounds word
   *  accesses; only in the 'interpreter' profile (under TurboFan the DataView measured
   *  faster on the same accesses, docs/PERFORMANCE.md "Memory"). */
  readonly i32: string | null;
  readonly is64: boolean;
  readonly pageSizeLog2: number;
  /** The declared minimum size in bytes: the memory is never smaller (imports are checked). */
  readonly minBytes: number;
  /** True when the memory can never exceed 2^31 bytes (declared maximum; an import's
   *  maximum is at most the declared one): every address at or above 2^31 is out of
   *  bounds, so an i32 address read as a signed int32 stays a correct DataView offset. */
  readonly below2GiB: boolean;
  /** A shared memory: other agents may grow it and access it concurrently, so its atomic
   *  accesses use Atomics and a failed explicit bounds check first looks for growth. */
  readonly shared: boolean;
  /**
   * 'arrays-first' access (MemoryAccessForm) of an unshared 32-bit memory: the variables
   * holding its DataView's setInt32 and setInt8 bound to that DataView; else null.
   */
  readonly boundSetters: { readonly word: string; readonly byte: string } | null;
}
export interface TableNames {
  /** The VMTable object and its (identity-stable) elements array. */
  readonly obj: string;
  readonly elems: string;
  readonly is64: boolean;
}

export interface FuncEnvironment {
  readonly module: ModuleIR;
  /** Type of function `f` (imports first). */
  funcType(f: number): FuncType;
  /** The function type at module type index `t`. */
  typeAt(t: number): FuncType;
  /** Canonical type id of module type index `t`. */
  canonicalTypeId(t: number): number;
  /** Expression for function `f`'s callable identity (its funcref value). */
  callee(f: number): string;
  /** Expression to call function `f` directly (its compiled code once translated). */
  directCallee(f: number): string;
  globalType(g: number): ValType;
  globalGet(g: number): string;
  globalSet(g: number, v: string): string;
  /** The two int32 words (assignable expressions) of i64 global g. */
  globalI64Words(g: number): { lo: string; hi: string };
  memory(m: number): MemoryNames;
  table(t: number): TableNames;
  /** Expression reading (re-read on each use) / statement dropping a segment. */
  elemSegment(s: number): string;
  dropElem(s: number): string;
  dataSegment(s: number): string;
  dropData(s: number): string;
  tag(t: number): string;
  /** Fuel / interrupt check points to emit (checks.ts); absent or all false: none. */
  readonly checkOptions?: CheckOptions;
  /** What the code is tuned for; absent: 'jit'. */
  readonly profile?: CodegenProfile;
  /** Functions whose source exceeds this many characters are outlined (outline.ts);
   *  absent: outline.ts's default, which fits V8's default optimization limit. */
  readonly outlineThreshold?: number;
  /** A function that changes no views while it runs may read them from locals (absent: no). */
  readonly localViewsAllowed?: boolean;
  /** Lazily translated functions carry i64 values as BigInts where they can (i64.ts
   *  "BigInt mode"); absent: word pairs everywhere. */
  readonly i64BigInt?: boolean;
  /** The `let` declarations of those locals. */
  viewCopies(): string[];
}

function subFuncType(st: SubType | undefined): FuncType {
  if (!st || st.comp.kind !== 'func') throw new Error('expected a function type');
  return st.comp;
}

/** An Int32Array over all whole words of memory m (its DataView's buffer and length). */
/**
 * Imported functions and globals, reference globals, tables and tags of an index below this
 * get a prelude variable each; the others are read from their `R` slot where used. Variables
 * no function captures are registers of the factory's frame, and a module at the limits
 * (100,000 tables, a million tags or imports) would otherwise need a frame larger than the
 * stack.
 */
const PRELUDE_VARS = 10_000;

const words = (m: number): string => `new Int32Array(M${m}.dv.buffer, 0, M${m}.byteLength >>> 2)`;

let nextViewsKey = 0;
/** One views key per module: a lazy function's environment must name what the prelude did. */
const viewsKeys = new WeakMap<ModuleIR, number>();

export class ModuleEnvironment implements FuncEnvironment {
  private readonly funcTypeIdx: number[] = [];
  private readonly globalTypes: ValType[] = [];
  private readonly memTypes: MemoryType[] = [];
  private readonly tableTypes: TableType[] = [];
  private readonly numImportedFuncs: number;
  /** See FuncEnvironment; set by the lazy translator (index.ts) when its options ask for it. */
  i64BigInt = false;
  /**
   * See MemoryAccessForm ('interpreter' profile only); set by index.ts before the prelude or
   * any function is translated, the same for the prelude and every function of a module.
   */
  memoryAccess: MemoryAccessForm = 'dataview';
  /** BigInt mode for every function it covers, whatever its balance (for testing it). */
  i64BigIntAlways = false;
  /**
   * Suffix of the memory-views holder's property names, unique per translated module.
   * Generated code reads a memory's DataView through a holder object (`V0.d7`), not a
   * closure variable: V8 tracks a never-reassigned object field as a constant and folds the
   * DataView (and its bounds) into optimized code, while a reassignable closure variable is
   * loaded and checked at every access (a large share of a table-lookup loop's time). The
   * constness belongs to the holder's hidden class, which object literals with the same
   * property names share; distinct names keep one module's memory growth from turning the
   * field mutable for every other module's code.
   */
  private readonly viewsKey: number;

  /**
   * In lazy mode each defined function `fN` is a stable stub (its identity: funcref, export,
   * TY tag) forwarding to the binding `cN`, which starts as a compile trampoline and is
   * replaced by the translated function on first call; direct calls go through `cN`.
   */
  constructor(
    readonly module: ModuleIR,
    readonly offsets: VMOffsets,
    readonly canon: readonly number[],
    readonly lazy = false,
    readonly checkOptions?: CheckOptions,
    readonly outlineThreshold?: number,
    readonly profile: CodegenProfile = 'jit',
  ) {
    for (const imp of module.imports) {
      const d = imp.desc;
      if (d.kind === 'func') this.funcTypeIdx.push(d.typeIdx);
      else if (d.kind === 'global') this.globalTypes.push(d.type.type);
      else if (d.kind === 'memory') this.memTypes.push(d.type);
      else if (d.kind === 'table') this.tableTypes.push(d.type);
    }
    this.numImportedFuncs = this.funcTypeIdx.length;
    let key = viewsKeys.get(module);
    if (key === undefined) viewsKeys.set(module, (key = nextViewsKey++));
    this.viewsKey = key;
    // Loops, not push(...spread): a spread passes every element as an argument, and a
    // module may define up to a million functions or globals (the JS API's limits).
    for (const t of module.funcs) this.funcTypeIdx.push(t);
    for (const g of module.globals) this.globalTypes.push(g.type.type);
    for (const m of module.memories) this.memTypes.push(m);
    for (const t of module.tables) this.tableTypes.push(t.type);
  }

  /** Whether some memory or table is addressed with i64 (BigInt mode leaves such modules). */
  get has64BitAddresses(): boolean {
    return this.memTypes.some((t) => t.addr === 'i64') || this.tableTypes.some((t) => t.addr === 'i64');
  }

  funcType(f: number): FuncType {
    return subFuncType(this.module.types[this.funcTypeIdx[f]]);
  }
  funcTypeIndex(f: number): number {
    return this.funcTypeIdx[f];
  }
  typeAt(t: number): FuncType {
    return subFuncType(this.module.types[t]);
  }
  canonicalTypeId(t: number): number {
    return this.canon[t];
  }
  callee(f: number): string {
    return f < this.numImportedFuncs ? this.importedFunc(f) : use(`f${f}`);
  }
  directCallee(f: number): string {
    if (f < this.numImportedFuncs) return this.importedFunc(f);
    // Lazy mode: the factory's CODE array (translate/index.ts lazyModuleSource), called
    // without the array as receiver (stack traces would name the frame `Array.fN`).
    return this.lazy ? `(0, ${use('CODE')}[${f - this.numImportedFuncs}])` : use(`f${f}`);
  }
  globalType(g: number): ValType {
    return this.globalTypes[g];
  }

  /** Imported function `f` (a call through the slot has no receiver). */
  private importedFunc(f: number): string {
    return f < PRELUDE_VARS ? use(`F${f}`) : `(0, ${use('R')}[${this.offsets.importedFunc(f)}])`;
  }

  /** The prelude binding of imported or reference global `g`, or its value without one. */
  private globalCell(g: number): string {
    if (g < PRELUDE_VARS) return use(`G${g}`);
    const o = this.offsets;
    if (!o.isImportedGlobal(g)) {
      const s = o.definedGlobal(g);
      if (s.kind !== 'ref') throw new Error(`global ${g} is in a slab, not a slot`);
      return `${use('R')}[${s.slot}]`;
    }
    const cell = `${use('R')}[${o.importedGlobal(g)}]`;
    return this.globalTypes[g] === 'i64' ? `new Int32Array(${cell}.buffer, ${cell}.byteOffset, 2)` : cell;
  }

  globalGet(g: number): string {
    const t = this.globalTypes[g];
    if (this.offsets.isImportedGlobal(g)) {
      if (typeof t === 'object' || (NAN_CARRIERS && (t === 'f32' || t === 'f64'))) return `${this.globalCell(g)}.value`;
      return t === 'v128' ? `${this.globalCell(g)}.slice(0, 4)` : `${this.globalCell(g)}[0]`;
    }
    const s = this.offsets.definedGlobal(g);
    if (s.kind === 'ref') return `${this.globalCell(g)}.value`;
    switch (s.slab) {
      case SlabKind.I32:
        return `${use('I32')}[${s.index}]`;
      case SlabKind.I64:
        return `${use('I64')}[${s.index}]`;
      case SlabKind.F64:
        return `${use('F64')}[${s.index}]`;
      case SlabKind.V128:
        return `${use('I32')}.slice(${s.index}, ${s.index + 4})`;
    }
  }

  globalI64Words(g: number): { lo: string; hi: string } {
    if (this.offsets.isImportedGlobal(g)) return { lo: `${this.globalCell(g)}[0]`, hi: `${this.globalCell(g)}[1]` };
    const s = this.offsets.definedGlobal(g);
    if (s.kind !== 'num' || s.slab !== SlabKind.I64) throw new Error('not an i64 global');
    // The I64 slab index k covers int32 words 2k (low) and 2k+1 (high): little-endian.
    return { lo: `${use('I32')}[${2 * s.index}]`, hi: `I32[${2 * s.index + 1}]` };
  }

  globalSet(g: number, v: string): string {
    const t = this.globalTypes[g];
    if (this.offsets.isImportedGlobal(g)) {
      if (typeof t === 'object' || (NAN_CARRIERS && (t === 'f32' || t === 'f64')))
        return `${this.globalCell(g)}.value = ${v};`;
      return t === 'v128' ? `${this.globalCell(g)}.set(${v});` : `${this.globalCell(g)}[0] = ${v};`;
    }
    const s = this.offsets.definedGlobal(g);
    if (s.kind === 'ref') return `${this.globalCell(g)}.value = ${v};`;
    switch (s.slab) {
      case SlabKind.I32:
        return `${use('I32')}[${s.index}] = ${v};`;
      case SlabKind.I64:
        return `${use('I64')}[${s.index}] = ${v};`;
      case SlabKind.F64:
        return `${use('F64')}[${s.index}] = ${v};`;
      case SlabKind.V128:
        return `${use('I32')}.set(${v}, ${s.index});`;
    }
  }

  /** Asked at every load and store: built once per memory. */
  private readonly memoryNames: MemoryNames[] = [];
  /** `V${m}`, built once per memory. */
  private readonly viewHolders: string[] = [];

  memory(m: number): MemoryNames {
    const names = this.memoryNames[m] ?? (this.memoryNames[m] = this.memoryNamesOf(m));
    // The memory object, and its view holder unless views are the function's own variables.
    use(names.obj);
    if (!this.viewsAsVariables) use(this.viewHolders[m]);
    return names;
  }

  private memoryNamesOf(m: number): MemoryNames {
    const t = this.memTypes[m];
    const k = this.viewsKey;
    const is64 = t.addr === 'i64',
      pageSizeLog2 = t.pageSizeLog2;
    const minBytes = t.limits.min * 2 ** pageSizeLog2;
    const below2GiB = !is64 && t.limits.max !== undefined && t.limits.max * 2 ** pageSizeLog2 <= 2 ** 31;
    const shared = t.shared;
    if (this.viewsAsVariables)
      return {
        obj: `M${m}`,
        dv: `D${m}`,
        call: (method) => `D${m}.${method}`,
        u8: `U${m}`,
        len: `L${m}`,
        i32: `W${m}`,
        is64,
        pageSizeLog2,
        minBytes,
        below2GiB,
        shared,
        boundSetters: this.arraysFirst && !is64 && !shared ? { word: `SW${m}`, byte: `SB${m}` } : null,
      };
    this.viewHolders[m] = `V${m}`;
    return {
      obj: `M${m}`,
      dv: `V${m}.d${k}`,
      call: (method) => `V${m}.${ACCESSOR_FIELD[method]}${k}`,
      u8: `V${m}.u${k}`,
      len: `V${m}.l${k}`,
      i32: null,
      is64,
      pageSizeLog2,
      minBytes,
      below2GiB,
      shared,
      boundSetters: null,
    };
  }
  table(t: number): TableNames {
    const is64 = this.tableTypes[t].addr === 'i64';
    if (t < PRELUDE_VARS) return { obj: use(`T${t}`), elems: use(`E${t}`), is64 };
    // A table's elements array is the same for its whole life (it grows in place).
    const slot = `${use('R')}[${this.offsets.table(t)}]`;
    return { obj: slot, elems: `${slot}.elements`, is64 };
  }
  elemSegment(s: number): string {
    return `${use('R')}[${this.offsets.elem(s)}]`;
  }
  dropElem(s: number): string {
    return `${use('R')}[${this.offsets.elem(s)}] = ${use('EMPTY_ELEM')};`;
  }
  dataSegment(s: number): string {
    return `${use('R')}[${this.offsets.data(s)}]`;
  }
  dropData(s: number): string {
    return `${use('R')}[${this.offsets.data(s)}] = ${use('EMPTY_DATA')};`;
  }
  tag(t: number): string {
    return t < PRELUDE_VARS ? use(`X${t}`) : `${use('R')}[${this.offsets.tag(t)}]`;
  }

  /**
   * The module prelude: captures helpers, slab views and every write-once reference slot,
   * and declares the memory view variables that `refresh` keeps current.
   */
  prelude(): string {
    const o = this.offsets;
    // `var`, not const/let: function declarations (hoisted) that read a let/const binding of
    // the enclosing scope must check it for the temporal dead zone; var needs no check.
    const lines: string[] = [];
    lines.push(`var { ${(NAN_CARRIERS ? [...HELPER_NAMES, ...NAN_HELPER_NAMES] : HELPER_NAMES).join(', ')} } = H;`);
    lines.push('var I32 = vm.i32, I64 = vm.i64, F64 = vm.f64, R = vm.refs;');
    // Math's functions as bindings: under an interpreter each `Math.imul` is a global load,
    // a property load and a method call; a binding is one context load (TurboFan inlines
    // either through the call's feedback).
    lines.push(
      'var imul = Math.imul, clz32 = Math.clz32, fround = Math.fround, sqrt = Math.sqrt, big = BigInt, num = Number;',
    );
    for (let f = 0; f < Math.min(this.numImportedFuncs, PRELUDE_VARS); f++)
      lines.push(`var F${f} = R[${o.importedFunc(f)}];`);
    for (let g = 0; g < Math.min(this.globalTypes.length, PRELUDE_VARS); g++) {
      if (o.isImportedGlobal(g)) {
        const cell = `R[${o.importedGlobal(g)}]`;
        // A numeric import's cell is a typed-array view of the exporter's slot; i64 words
        // are read through an Int32Array view of the same eight bytes.
        if (this.globalTypes[g] === 'i64')
          lines.push(`var G${g} = new Int32Array(${cell}.buffer, ${cell}.byteOffset, 2);`);
        else lines.push(`var G${g} = ${cell};`);
      } else {
        const s = o.definedGlobal(g);
        if (s.kind === 'ref') lines.push(`var G${g} = R[${s.slot}];`);
      }
    }
    for (let t = 0; t < Math.min(this.tableTypes.length, PRELUDE_VARS); t++)
      lines.push(`var T${t} = R[${o.table(t)}], E${t} = T${t}.elements;`);
    const numTags = this.module.numImportedTags + this.module.tags.length;
    for (let t = 0; t < Math.min(numTags, PRELUDE_VARS); t++) lines.push(`var X${t} = R[${o.tag(t)}];`);
    const refresh: string[] = [];
    const k = this.viewsKey;
    for (let m = 0; m < this.memTypes.length; m++) {
      lines.push(`var M${m} = R[${o.memory(m)}];`);
      if (this.viewsAsVariables) {
        lines.push(`var ${this.viewVariablesOf(m).join(', ')};`);
        refresh.push(`D${m} = M${m}.dv; U${m} = M${m}.u8; L${m} = M${m}.byteLength; W${m} = ${words(m)};`);
        if (this.arraysFirst) refresh.push(`SW${m} = D${m}.setInt32.bind(D${m}); SB${m} = D${m}.setInt8.bind(D${m});`);
        continue;
      }
      // The holder's accessors: its DataView's methods for plain loads and stores, bound to it.
      const accessors = (sep: string, holder: string): string =>
        DATA_VIEW_ACCESSORS.map((a) => `${holder}${ACCESSOR_FIELD[a]}${k}${sep}M${m}.dv.${a}.bind(M${m}.dv)`).join(
          sep === ': ' ? ', ' : '; ',
        );
      lines.push(`var V${m} = { d${k}: M${m}.dv, u${k}: M${m}.u8, l${k}: M${m}.byteLength, ${accessors(': ', '')} };`);
      // Stores only on change: re-storing a field that V8 tracks as constant would end that.
      refresh.push(
        `if (V${m}.d${k} !== M${m}.dv) { V${m}.d${k} = M${m}.dv; V${m}.u${k} = M${m}.u8; V${m}.l${k} = M${m}.byteLength; ${accessors(' = ', `V${m}.`)}; }`,
      );
    }
    if (this.checkOptions) lines.push(...new CheckPoints(this.checkOptions).prelude());
    if (this.lazyViews) {
      // Each lazily compiled function keeps its own copies of the views (lazyViewsPrologue)
      // and registers their setter here; refresh passes every setter the new views.
      const args = this.viewVariables().join(', ');
      lines.push('var RF = [];');
      lines.push(`function viewsTo(r) { RF.push(r); r(${args}); }`);
      refresh.push(`for (var i = 0; i < RF.length; i++) RF[i](${args});`);
    }
    lines.push(`function refresh() { ${refresh.join(' ')} }`);
    lines.push('refresh();');
    return lines.join('\n');
  }

  /**
   * Views as closure variables (reassigned by `refresh`) for interpreter-profile code: under
   * Ignition a closure variable is one bytecode, a holder object's field an inline-cache
   * lookup. The 'jit' profile reads the holder (see viewsKey).
   */
  private get viewsAsVariables(): boolean {
    return this.profile === 'interpreter';
  }

  /**
   * Lazily translated interpreter-profile code with memories. Such a function is compiled
   * apart from the factory and receives its bindings' values once (`preludeBindings`), so it
   * cannot see the factory's view variables change; it declares its own and registers a
   * setter for them with the factory's `viewsTo`, which `refresh` calls on every change.
   */
  private get lazyViews(): boolean {
    return this.viewsAsVariables && this.lazy && this.memTypes.length > 0;
  }

  /** The view variables of every memory, in the order `viewsTo` setters receive them. */
  private viewVariables(): string[] {
    const names: string[] = [];
    for (let m = 0; m < this.memTypes.length; m++) names.push(...this.viewVariablesOf(m));
    return names;
  }

  /** Memory m's view variables: its views, and its bound setters in 'arrays-first' access. */
  private viewVariablesOf(m: number): string[] {
    const views = [`D${m}`, `U${m}`, `L${m}`, `W${m}`];
    return this.arraysFirst ? [...views, `SW${m}`, `SB${m}`] : views;
  }

  /** 'arrays-first' access (MemoryAccessForm): only where views are variables. */
  private get arraysFirst(): boolean {
    return this.memoryAccess === 'arrays-first' && this.viewsAsVariables;
  }

  /**
   * Whether a lazily translated interpreter-profile function that cannot change its views
   * while it runs may read them from locals (`viewCopies`): every view changes only in
   * `refresh`, which runs when a memory grows, and such a function grows none and calls
   * nothing (so no other code runs until it returns). A shared memory is left out: another
   * agent's growth reaches it through a refresh in the middle of any function.
   */
  get localViewsAllowed(): boolean {
    return this.lazyViews && !this.memTypes.some((t) => t.shared);
  }

  /** Declarations (for a function's `let`) of local copies of the view variables, read
   *  from the wrapper's variables that lazyViewsPrologue(true) declares. */
  viewCopies(): string[] {
    return this.viewVariables().map((v) => `${v} = ${v}$`);
  }

  /** Lines that start a lazily translated function's source: its view variables and their
   *  setter (see lazyViews); empty when the function reads no views from variables. With
   *  `copied`, the variables are named `D0$`, ... and the function reads its own copies
   *  (viewCopies). */
  lazyViewsPrologue(copied = false): string[] {
    if (!this.lazyViews) return [];
    const vars = this.viewVariables().map((v) => (copied ? `${v}$` : v));
    const params = vars.map((_, i) => `v${i}`);
    return [
      `var ${vars.join(', ')};`,
      `${use('viewsTo')}(function (${params.join(', ')}) { ${vars.map((v, i) => `${v} = ${params[i]};`).join(' ')} });`,
    ];
  }

  /**
   * Every binding the prelude declares that generated functions may read (all of them are
   * assigned once). Lazy mode hands a function exactly these (and the function stubs).
   */
  preludeBindings(): string[] {
    const o = this.offsets;
    const names: string[] = [
      ...HELPER_NAMES,
      ...(NAN_CARRIERS ? NAN_HELPER_NAMES : []),
      'I32',
      'I64',
      'F64',
      'R',
      'imul',
      'clz32',
      'fround',
      'sqrt',
      'big',
      'num',
      'refresh',
      'vm',
      'H',
      'LIMS',
    ];
    for (let f = 0; f < Math.min(this.numImportedFuncs, PRELUDE_VARS); f++) names.push(`F${f}`);
    for (let g = 0; g < Math.min(this.globalTypes.length, PRELUDE_VARS); g++) {
      if (o.isImportedGlobal(g) || o.definedGlobal(g).kind === 'ref') names.push(`G${g}`);
    }
    for (let t = 0; t < Math.min(this.tableTypes.length, PRELUDE_VARS); t++) names.push(`T${t}`, `E${t}`);
    const numTags = this.module.numImportedTags + this.module.tags.length;
    for (let t = 0; t < Math.min(numTags, PRELUDE_VARS); t++) names.push(`X${t}`);
    for (let m = 0; m < this.memTypes.length; m++) {
      names.push(`M${m}`);
      if (!this.viewsAsVariables) names.push(`V${m}`);
    }
    if (this.lazy) names.push('CODE');
    if (this.lazyViews) names.push('viewsTo');
    if (this.checkOptions?.fuel) names.push('FUEL');
    if (this.checkOptions?.interrupt) names.push('ICNT');
    return names;
  }

  /** Memories whose refresher the runtime must register (all of them). */
  get numMemories(): number {
    return this.memTypes.length;
  }
}
