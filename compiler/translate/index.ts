// Entry point of the Wasm -> JS translator. A module's defined functions are translated to
// JS source and compiled together with one `new Function` (strict mode). The resulting
// factory is called once per instance with that instance's VMContext and the runtime's
// helper object; it captures the VMContext views once and returns the function array and
// the memory-view refresher.
//
// Nothing from the module (names, export strings, custom sections) is spliced into the
// generated source: identifiers are positional (f3, l0, s2, ...), and only our own trap
// messages appear as string literals.

import type { BlockType, ModuleIR } from '../ir';
import { CompileError } from '../errors';
import type { VMContext } from '../../vmctx';
import { VMOffsets, LAZY_STUB_NAME } from '../../vmctx';
import { FACTORY_PARAMS } from '../../vmctx/codegen';
import { ModuleEnvironment, type CodegenProfile, type I64Lowering, type MemoryAccessForm } from './env';
import { FuncTranslator } from './func';
import { ConstPool } from './exprs';
import { BIGINT_BAILOUT, CHAIN_MIN } from './stack';
import { recordBindings } from './bindings';
import type { TranslatedHelpers } from '../../vmctx/helpers';
import type { CheckOptions } from './checks';
import { emptyModuleIR } from '../binary/module';
import { anchorShape } from '../shapes';

export { ModuleEnvironment, type FuncEnvironment, type MemoryNames, type TableNames } from './env';
export { FuncTranslator } from './func';
export { ConstPool, returnSlot, numberLiteral } from './exprs';
export { CheckPoints, type CheckOptions } from './checks';
export { HELPER_NAMES, type HelperName, type TranslatedHelpers } from '../../vmctx/helpers';

/** What the factory returns for one instance. */
export interface InstanceCode {
  /** Defined functions, in definition order (function index minus imported count). */
  readonly funcs: ((...args: unknown[]) => unknown)[];
  /** Re-reads every memory's views; registered with each memory the instance uses. */
  readonly refresh: () => void;
}

/** `limits` (LIMS in generated code) is the store's limits state (runtime/limits.ts), read
 *  only by fuel / interrupt checks. */
export type ModuleFactory = (
  vm: VMContext,
  helpers: TranslatedHelpers,
  lazySource?: (i: number) => LazyFunction,
  limits?: unknown,
) => InstanceCode;

/** Lazy mode: what the runtime's `lazyCompile` compiles for one function. */
export interface LazyFunction {
  /** A function body that declares the translated function and returns it. */
  readonly body: string;
  /** The factory bindings `body` reads, recorded while it was emitted (./bindings.ts): each
   *  a name of the factory's `B` object or a function stub `fN`, so these are exactly the
   *  compiled function's parameters. */
  readonly bindings: readonly string[];
  /**
   * `body` already compiled as a function of `bindings` (in that order), e.g. loaded from a
   * serialized module (runtime/cache): `lazyCompile` calls it instead of compiling `body`.
   */
  readonly make?: (...values: unknown[]) => unknown;
  /**
   * The function's name in the name section, which the runtime gives the compiled function
   * for stack traces (never part of `body`).
   */
  readonly name?: string;
}

export interface TranslatedModule {
  readonly source: string;
  readonly factory: ModuleFactory;
  /** Lazy mode: defined function i, translated on first request and cached (shared by all
   *  instances of the module). Passed as the factory's third argument. */
  readonly lazySource?: (i: number) => LazyFunction;
  /** Lazy mode: the functions translated so far, by defined-function index (what a
   *  serialized module carries besides `source`). */
  readonly lazyTranslated?: ReadonlyMap<number, LazyFunction>;
}

/** How a module's functions are translated. */
export interface TranslateOptions {
  /**
   * Translate each function on its first call instead of all up front. The module source
   * then holds only stubs; the factory's third argument (`TranslatedModule.lazySource`)
   * yields a function's source when it is first called, and the runtime's `lazyCompile`
   * compiles it over the values of the prelude bindings it names.
   */
  readonly lazy?: boolean;
  /** Emit fuel / interrupt checks (checks.ts). Without these, generated code has none. */
  readonly checks?: CheckOptions;
  /**
   * Source size (characters) above which a function is split into regions (outline.ts).
   * A host that raised V8's optimized-bytecode-size limit passes a larger value so that
   * big functions stay whole; the default fits V8's default limit.
   */
  readonly outlineThreshold?: number;
  /** What to tune the generated code for (env.ts CodegenProfile); default 'jit'. */
  readonly profile?: CodegenProfile;
  /**
   * How lazily translated 'interpreter' code carries i64 values: 'pairs' (two int32 words,
   * the default) or 'bigint' (one BigInt in the functions the mode covers and where its
   * operators outweigh its conversions; i64.ts "BigInt mode"); 'bigint-always' ignores the
   * balance, to test the mode on every function it covers. The runtime picks the one its
   * host's interpreter runs faster.
   */
  readonly i64?: I64Lowering;
  /**
   * How 'interpreter' code reaches memories for plain loads and stores (env.ts
   * MemoryAccessForm); default 'dataview'. The runtime picks the one its host's interpreter
   * runs faster. Ignored by the 'jit' profile.
   */
  readonly memoryAccess?: MemoryAccessForm;
  /**
   * Lazy mode: the deepest control nesting of each defined function (validation's
   * `maxControlDepths`). Functions nested more deeply than LAZY_MAX_CONTROL_DEPTH are
   * translated up front.
   */
  readonly controlDepths?: readonly number[];
}

/**
 * Control nesting (chainedNesting's, a block chain counting two) above which lazy mode still
 * translates a function at compile time. V8's parser gives up somewhere between 1,000 and
 * 3,000 nested statements (it depends on the stack left), and that limit must surface as a
 * CompileError when the module is compiled.
 * Up to this depth it parses a function even when its first call comes from deep in a call
 * stack (tests/block-chains.test.ts). Large Rust modules have dozens of functions nested
 * a few hundred deep, each a large function that is better translated only if it runs.
 */
const LAZY_MAX_CONTROL_DEPTH = 1000;

/**
 * The control nesting of defined function `i` as translated code nests it: a run of
 * CHAIN_MIN or more blocks, each opened first thing in the one before, becomes a block chain
 * (stack.ts), one loop and one switch however long the run, so it counts two. Only blocks
 * without parameters that directly follow another such block join a run (a block with
 * parameters may emit assignments before it opens); anything else in between ends it.
 * Never below what the translator nests (blocks it leaves out still count).
 */
export function chainedNesting(m: ModuleIR, i: number): number {
  // Per open frame: its nesting, the length of the run of blocks it ends, whether that run
  // became a chain.
  const depth: number[] = [0];
  const run: number[] = [0];
  const chained: boolean[] = [false];
  let max = 0;
  let afterBlock = false;
  const visit = (op: number, bt: BlockType | undefined): void => {
    const top = depth.length - 1;
    if (op === 0x02 && (bt === null || typeof bt === 'string')) {
      if (afterBlock && run[top] > 0) {
        const n = run[top] + 1;
        if (chained[top]) {
          depth.push(depth[top]);
          run.push(n);
          chained.push(true);
        } else if (n >= CHAIN_MIN) {
          // The run's blocks all move into the chain's switch, two levels below its parent.
          const base = depth.length + 1 - CHAIN_MIN;
          const d = depth[base - 1] + 2;
          for (let k = base; k < depth.length; k++) {
            depth[k] = d;
            chained[k] = true;
          }
          depth.push(d);
          run.push(n);
          chained.push(true);
        } else {
          depth.push(depth[top] + 1);
          run.push(n);
          chained.push(false);
        }
      } else {
        if (depth[top] > max) max = depth[top];
        depth.push(depth[top] + 1);
        run.push(1);
        chained.push(false);
      }
      afterBlock = true;
      return;
    }
    afterBlock = false;
    // The nesting of the frames open here is final: no run can extend them any more.
    if (depth[top] > max) max = depth[top];
    if (op === 0x02 || op === 0x03 || op === 0x04 || op === 0x06 || op === 0x1f) {
      depth.push(depth[top] + 1);
      run.push(op === 0x02 ? 1 : 0);
      chained.push(false);
    } else if ((op === 0x0b || op === 0x18) && depth.length > 1) {
      // end, or delegate (which ends a legacy try)
      depth.pop();
      run.pop();
      chained.pop();
    }
  };
  const stream = m.bodyStream?.(i);
  if (stream !== undefined) {
    const ins = stream.instr;
    while (stream.next()) visit(ins.op, ins.bt);
  } else {
    for (const ins of m.codes[i].body) visit(ins.op, ins.bt);
  }
  for (const d of depth) if (d > max) max = d;
  return max;
}

/** Produces the JS source of a whole module (the body of the factory). */
export function translateModuleSource(
  m: ModuleIR,
  offsets: VMOffsets,
  canon: readonly number[],
  opts: TranslateOptions = {},
): string {
  const env = new ModuleEnvironment(
    m,
    offsets,
    canon,
    opts.lazy === true,
    opts.checks,
    opts.outlineThreshold,
    opts.profile,
  );
  env.memoryAccess = opts.memoryAccess ?? 'dataview';
  const pool = new ConstPool();
  const t = new FuncTranslator(env, pool);
  if (opts.lazy) return lazyModuleSource(m, env, pool, t, opts.controlDepths);
  const bodies: string[] = [];
  const names: string[] = [];
  for (let i = 0; i < m.codes.length; i++) {
    const f = m.numImportedFuncs + i;
    bodies.push(t.translateFunction(f, m.codes[i]));
    names.push(env.callee(f));
  }
  return [
    '"use strict";',
    env.prelude(),
    ...pool.decls,
    ...bodies,
    `return { funcs: [${names.join(', ')}], refresh };`,
  ].join('\n');
}

/**
 * Lazy mode's factory. Each defined function k has two entries:
 *   FN[k]    its identity (the funcref, the export): a stub made by the maker for its number
 *            of JS parameters, which translates the function on its first call;
 *   CODE[k]  what direct calls call (`CODE[k](...)`, env.directCallee): the stub until the
 *            first call, then the translated function gN itself.
 * The stubs come from a handful of makers rather than a function literal each: V8 parses
 * every function literal of the factory, and one per function was most of the factory's
 * compile time in a large module. A stub's calls share one feedback slot per maker, so the
 * stub is kept off hot paths: direct calls reach CODE, and callIndirect follows a stub to
 * its code (runtime/vm/helpers.ts).
 */
function lazyModuleSource(
  m: ModuleIR,
  env: ModuleEnvironment,
  pool: ConstPool,
  t: FuncTranslator,
  controlDepths: readonly number[] | undefined,
): string {
  const n = m.codes.length;
  const imported = m.numImportedFuncs;
  const arity: number[] = new Array<number>(n);
  const deep: string[] = [];
  const deepBindings = new Set<string>();
  for (let i = 0; i < n; i++) {
    const params = env.funcType(imported + i).params;
    let k = params.length;
    for (const p of params) if (p === 'i64') k++;
    arity[i] = k;
    if ((controlDepths?.[i] ?? 0) > LAZY_MAX_CONTROL_DEPTH && chainedNesting(m, i) > LAZY_MAX_CONTROL_DEPTH) {
      // Translated now, so that a nesting too deep for the JS parser is a CompileError at
      // compile time (never a trap at some later first call).
      const f = imported + i;
      const { result, bindings } = recordBindings(() => t.translateFunction(f, m.codes[i], `g${f}`));
      deep.push(result, `CODE[${i}] = g${f};`);
      for (const name of bindings) deepBindings.add(name);
    }
  }
  const makers: string[] = [];
  for (const k of [...new Set(arity)].sort((a, b) => a - b)) {
    const ps = Array.from({ length: k }, (_, j) => `a${j}`).join(', ');
    makers.push(
      `S[${k}] = function (i) { var f = function ${LAZY_STUB_NAME}(${ps}) { var c = CODE[i]; return (c !== f ? c : lzc(i))(${ps}); }; f[CC] = undefined; return f; };`,
    );
  }
  // The stubs that translated-now functions name (ref.func, return_call) as factory bindings.
  const deepText = deep.join('\n');
  const stubRefs = new Set<string>();
  for (const name of deepBindings) {
    if (!/^f\d+$/.test(name)) continue;
    const k = Number(name.slice(1)) - imported;
    if (k >= 0 && k < n) stubRefs.add(`${name} = FN[${k}]`);
  }
  return [
    '"use strict";',
    env.prelude(),
    ...pool.decls,
    // The runtime's `lazyCompile` compiles a function's source over the bindings it names,
    // passed by value from B (the prelude's write-once bindings, CODE among them) and FN (the
    // stubs). Not a direct eval here: an eval anywhere in the factory makes V8 keep every
    // binding of it dynamic, which cost eager-translated code in the same factory a quarter
    // of its speed (docs/PERFORMANCE.md).
    'var FN = [], S = [];',
    `function lzc(i) { var g = lazyCompile(LZ(i), B, FN[i], FN, ${imported}, i); CODE[i] = g; return g; }`,
    ...makers,
    `var AR = [${arity.join(',')}];`,
    'for (var i = 0; i < AR.length; i++) FN.push(S[AR[i]](i));',
    'var CODE = FN.slice();',
    `var B = { ${env.preludeBindings().join(', ')} };`,
    ...(stubRefs.size > 0 ? [`var ${[...stubRefs].join(', ')};`] : []),
    deepText,
    'return { funcs: FN, refresh };',
  ].join('\n');
}

/**
 * The source of defined function `i` (definition order) for lazy mode: a function body that
 * declares what the translated function `gN` needs of its own (view variables, constant
 * pool) and returns it. The runtime compiles the body as one function over the prelude's
 * bindings, so those, the view variables and the constants are all one context away from
 * the code.
 */
/**
 * BigInt mode is tried on bodies up to this size only. The loops it speeds up (hashing,
 * checksums, PRNGs) are small functions; a large function with a multiply in some loop is
 * mostly other code, and translating it a second time costs more than the mode gains.
 */
export const BIGINT_MAX_BODY_BYTES = 8192;

function lazyFunctionSource(m: ModuleIR, env: ModuleEnvironment, i: number): string {
  if (env.i64BigInt && env.i64BigIntAlways) {
    try {
      return lazyFunctionSourceIn(m, env, i, true).source;
    } catch (e) {
      if (e !== BIGINT_BAILOUT) throw e;
    }
    return lazyFunctionSourceIn(m, env, i, false).source;
  }
  // BigInt mode on offer: word pairs first, estimating the mode's balance on the way; a
  // second translation, in the mode, only where the estimate says it pays, and kept only
  // where the mode's own balance agrees.
  const pairs = lazyFunctionSourceIn(m, env, i, false);
  const code = m.codes[i];
  // A body decoded into instructions has no byte range: about two bytes per instruction.
  const size = code.end !== undefined ? code.end - code.pos : 2 * code.body.length;
  if (!pairs.tryBig || size > BIGINT_MAX_BODY_BYTES) return pairs.source;
  try {
    const big = lazyFunctionSourceIn(m, env, i, true);
    if (big.bigMuls > 0 && big.bigGain > big.bigCost) return big.source;
  } catch (e) {
    if (e !== BIGINT_BAILOUT) throw e;
  }
  return pairs.source;
}

/** One translation of lazyFunctionSource, in BigInt mode or with word pairs (estimating the
 *  mode's balance where the environment offers the mode). */
function lazyFunctionSourceIn(
  m: ModuleIR,
  env: ModuleEnvironment,
  i: number,
  big: boolean,
): { source: string; tryBig: boolean; bigGain: number; bigCost: number; bigMuls: number } {
  const pool = new ConstPool();
  const t = new FuncTranslator(env, pool);
  t.mayCopyViews = true;
  t.big = big;
  t.estimatingBig = !big && env.i64BigInt;
  const f = m.numImportedFuncs + i;
  const fn = t.translateFunction(f, m.codes[i], `g${f}`);
  // Parenthesized (where gN is one function), so that V8 compiles gN together with this body
  // (its heuristic for functions about to be called) instead of pre-parsing it now and
  // parsing it again at the first call, which lazyCompile's caller makes at once.
  const ret = t.trampolined ? `${fn}\nreturn g${f};` : `return (${fn});`;
  return {
    source: [...env.lazyViewsPrologue(t.viewsCopied), ...pool.decls, ret].join('\n'),
    tryBig: t.estimatingBig && !t.bigUncovered && t.bigMuls > 0 && t.bigGain > t.bigCost,
    bigGain: t.bigGain,
    bigCost: t.bigCost,
    bigMuls: t.bigMuls,
  };
}

/**
 * `new Function` over the module source. V8's parser recurses once per nested statement, so
 * control flow nested more deeply than it can parse (a few thousand levels that the
 * translator could not flatten) is an implementation limit: reported as a CompileError,
 * never as the parser's raw RangeError.
 */
function compileFactory(source: string): ModuleFactory {
  try {
    return new Function(...FACTORY_PARAMS, source) as ModuleFactory;
  } catch (e) {
    if (e instanceof RangeError) {
      throw new CompileError(
        'invalid',
        'implementation limit: control flow nested too deeply to compile to JavaScript',
      );
    }
    throw e;
  }
}

/** Translates and compiles a module. The factory is shared by all instances. */
export function translateModule(
  m: ModuleIR,
  offsets: VMOffsets,
  canon: readonly number[],
  opts: TranslateOptions = {},
): TranslatedModule {
  const source = translateModuleSource(m, offsets, canon, opts);
  const factory = compileFactory(source);
  if (!opts.lazy) return { source, factory };
  const { lazySource, translated } = lazyTranslator(m, offsets, canon, opts);
  return { source, factory, lazySource, lazyTranslated: translated };
}

/**
 * Lazy mode's per-function translation: `lazySource(i)` translates defined function `i` on
 * first request and keeps the result in `translated` (shared by all instances of the
 * module). `seed` holds functions translated earlier (a deserialized module's), returned as
 * they are. The translator's environment is built on the first function not in `seed`.
 */
export function lazyTranslator(
  m: ModuleIR,
  offsets: VMOffsets,
  canon: readonly number[],
  opts: TranslateOptions = {},
  seed?: ReadonlyMap<number, LazyFunction>,
): { lazySource: (i: number) => LazyFunction; translated: ReadonlyMap<number, LazyFunction> } {
  const translated = new Map<number, LazyFunction>(seed ?? []);
  let env: ModuleEnvironment | null = null;
  const lazySource = (i: number): LazyFunction => {
    let lz = translated.get(i);
    if (lz === undefined) {
      if (env === null) {
        env = new ModuleEnvironment(m, offsets, canon, true, opts.checks, opts.outlineThreshold, opts.profile);
        env.memoryAccess = opts.memoryAccess ?? 'dataview';
        env.i64BigInt =
          (opts.i64 === 'bigint' || opts.i64 === 'bigint-always') &&
          opts.profile === 'interpreter' &&
          !env.has64BitAddresses;
        env.i64BigIntAlways = opts.i64 === 'bigint-always';
      }
      const e = env;
      const { result: body, bindings } = recordBindings(() => lazyFunctionSource(m, e, i));
      lz = { body, bindings, name: m.names?.funcs.get(m.numImportedFuncs + i) };
      translated.set(i, lz);
    }
    return lz;
  };
  return { lazySource, translated };
}

// Shape anchors for the translator's per-module objects (see ../shapes.ts).
{
  const m = emptyModuleIR();
  m.memories.push({ limits: { min: 0 }, shared: false, addr: 'i32', pageSizeLog2: 16 });
  const offsets = new VMOffsets(m);
  const env = new ModuleEnvironment(m, offsets, []);
  anchorShape(offsets);
  anchorShape(env);
  anchorShape(env.memory(0));
  anchorShape(new FuncTranslator(env, new ConstPool()));
}
