// Differential fuzzing against binaryen's interpreter (`--oracle binaryen`): each generated
// module runs under `wasm-opt --fuzz-exec-before` and on jetwasm (exec-log.ts, in the worker
// child), and the two logs must agree line for line. This covers the features Node's engine
// cannot check (GC, exceptions, memory64, multi-memory, relaxed SIMD, ...).

import * as fs from 'fs';
import * as path from 'path';
import type { ModuleIR } from '../compiler/ir';
import { PREFIX_MISC, PREFIX_SIMD } from '../compiler/opcodes';
import { parseWat } from '../compiler/text';
import {
  ALL_FEATURES,
  FUZZ_FEATURES,
  fuzzExec,
  fuzzExecDeepStack,
  generate,
  loadWasmOpt,
  shrinkByPasses,
  type WasmOpt,
} from './binaryen';
import { compareExecLogs, type ExecComparison, type ExecDifference } from './exec-log';
import { moduleInfo } from './observe';
import { Worker } from './pool';
import { caseSeed, Prng } from './prng';
import { rewriteExports } from './wasm-sections';

export interface BinaryenDiffOptions {
  cases: number;
  first: number;
  seed: number;
  timeoutMs: number;
  /** The wasm-opt feature flags of generation and interpretation. */
  features: readonly string[];
  outDir: string | null;
  reduce: boolean;
  log: (line: string) => void;
}

/** Features counted per case (read from the decoded module's declarations and opcodes). */
export const FEATURE_NAMES = [
  'gc',
  'exceptions',
  'legacy-exceptions',
  'exnref',
  'typed-func-refs',
  'tail-calls',
  'memory64',
  'multi-memory',
  'table64',
  'simd',
  'relaxed-simd',
  'extended-const',
  'wide-arithmetic',
] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

export interface FeatureTally {
  cases: number;
  calls: number;
  traps: number;
}

export interface BinaryenDivergence {
  readonly case: number;
  readonly seed: number;
  readonly difference: ExecDifference;
  readonly bytes: Uint8Array;
  readonly file?: string;
}

export interface BinaryenDiffStats {
  cases: number;
  agreed: number;
  nanOnly: number;
  /** Comparisons cut short at one of binaryen's interpreter limits. */
  hostLimits: number;
  harnessErrors: number;
  callsCompared: number;
  trapsCompared: number;
  exceptionsCompared: number;
  /** Log lines that carried a GC object or i31 reference. */
  gcValuesCompared: number;
  byFeature: Record<FeatureName, FeatureTally>;
  divergences: BinaryenDivergence[];
  seconds: number;
}

/**
 * As diff.ts's, without `--flatten` (and so without `-O4`), which binaryen does not support on
 * GC code (br_on_*), plus GC and closed-world optimisations, whose output has shapes of its
 * own (scalar-replaced allocations, refined and merged types, pruned signatures and fields).
 */
const PIPELINES: readonly string[][] = [
  [],
  [],
  ['-O1'],
  ['-O2'],
  ['-O3'],
  ['-Oz'],
  ['--local-cse', '-O1'],
  ['--simplify-locals', '--merge-blocks', '--remove-unused-brs'],
  ['--inlining', '--precompute', '--code-folding'],
  ['--heap2local', '--optimize-casts', '-O1'],
  ['--gufa', '-O1'],
  ['--closed-world', '--type-ssa', '--type-merging', '-O2'],
  ['--closed-world', '--gto', '--remove-unused-types', '--signature-pruning', '-O1'],
  ['--tuple-optimization', '--optimize-instructions', '--dce', '--rse'],
  ['--closed-world', '-O3', '--cfp', '--gsi'],
];

/**
 * binaryen's generator builds one memory only and no extended constant expressions, so both
 * reach it through initial content (`--initial-fuzz`), which it keeps (exports included) and
 * adds to: three memories, one of them 64-bit, functions that access, copy, fill and grow
 * them, and extended constants in a global and a data segment offset. (binaryen 132
 * cannot copy between memories of different address types, so the copy is 32-bit to 32-bit.)
 */
export const MULTI_MEMORY_SEED = `(module
  (memory $a 1 2)
  (memory $b i64 1 3)
  (memory $c 1 2)
  (global $base i64 (i64.const 40))
  (global (export "mm_extended_const") i64 (i64.add (global.get $base) (i64.mul (i64.const 3) (i64.const 5))))
  (data (memory $b) (i64.sub (i64.add (global.get $base) (i64.const 16)) (i64.const 40)) "multi-memory seed")
  (data $p "passive segment")
  (func (export "mm_copy") (param i32 i32) (result i32)
    (memory.copy $a $c (local.get 0) (local.get 1) (i32.const 8))
    (i32.load $a (local.get 0)))
  (func (export "mm_grow") (param i32) (result i64)
    (drop (memory.grow $c (local.get 0)))
    (i64.add (memory.grow $b (i64.extend_i32_u (local.get 0))) (i64.extend_i32_u (memory.size $c))))
  (func (export "mm_store") (param i32 i64) (result i64)
    (i64.store $b offset=3 (i64.extend_i32_u (local.get 0)) (local.get 1))
    (i32.store8 $c (local.get 0) (i32.wrap_i64 (local.get 1)))
    (i64.load $b (i64.const 19)))
  (func (export "mm_fill") (param i32) (result i32)
    (memory.fill $b (i64.const 65530) (i32.const 7) (i64.extend_i32_u (local.get 0)))
    (memory.init $c $p (i32.const 0) (i32.const 2) (i32.const 4))
    (i32.add (i32.load8_u $b (i64.const 65535)) (i32.load16_u $c (i32.const 1)))))`;

/** Cases generated on top of MULTI_MEMORY_SEED: one in this many. */
const MULTI_MEMORY_EVERY = 5;

/** Opcodes (compiler/opcodes.ts's codes: prefix << 16 | sub) that mark a feature. */
const FEATURE_OPS: readonly [FeatureName, (op: number) => boolean][] = [
  ['legacy-exceptions', (op) => op === 0x06 || op === 0x07 || op === 0x09 || op === 0x18 || op === 0x19],
  ['exnref', (op) => op === 0x1f || op === 0x0a],
  ['tail-calls', (op) => op === 0x12 || op === 0x13 || op === 0x15],
  ['typed-func-refs', (op) => op === 0x14 || op === 0x15 || op === 0xd4 || op === 0xd5 || op === 0xd6],
  ['simd', (op) => op >>> 16 === PREFIX_SIMD],
  ['relaxed-simd', (op) => op >= ((PREFIX_SIMD << 16) | 0x100) && op <= ((PREFIX_SIMD << 16) | 0x113)],
  ['wide-arithmetic', (op) => op >= ((PREFIX_MISC << 16) | 0x13) && op <= ((PREFIX_MISC << 16) | 0x16)],
];

/** i32/i64 add, sub, mul: in a constant expression, extended constants. */
const EXTENDED_CONST_OPS = new Set([0x6a, 0x6b, 0x6c, 0x7c, 0x7d, 0x7e]);

/** The features a module uses, from its declarations and the opcodes of its bodies. */
export function moduleFeatures(m: ModuleIR): FeatureName[] {
  const seen = new Set<FeatureName>();
  for (const code of m.codes) {
    for (const ins of code.body) for (const [f, test] of FEATURE_OPS) if (!seen.has(f) && test(ins.op)) seen.add(f);
  }
  const consts = [
    ...m.globals.map((g) => g.init),
    ...m.elems.flatMap((e) => [e.offset ?? [], ...e.init]),
    ...m.datas.map((d) => d.offset ?? []),
  ];
  if (consts.some((c) => c.some((ins) => EXTENDED_CONST_OPS.has(ins.op)))) seen.add('extended-const');
  if (m.types.some((t) => t.comp.kind !== 'func')) seen.add('gc');
  if (m.tags.length + m.numImportedTags > 0) seen.add('exceptions');
  const mems = [...m.memories, ...m.imports.flatMap((i) => (i.desc.kind === 'memory' ? [i.desc.type] : []))];
  if (mems.some((x) => x.addr === 'i64')) seen.add('memory64');
  if (mems.length > 1) seen.add('multi-memory');
  if (m.tables.some((t) => t.type.addr === 'i64')) seen.add('table64');
  if (
    m.types.some((t) => t.comp.kind === 'func' && [...t.comp.params, ...t.comp.results].includes('v128')) ||
    m.globals.some((g) => g.type.type === 'v128')
  )
    seen.add('simd');
  return FEATURE_NAMES.filter((f) => seen.has(f));
}

type Verdict =
  | { kind: 'agree'; cmp: ExecComparison; calls: number }
  | { kind: 'differ'; difference: ExecDifference; expected: string[] }
  | { kind: 'harness'; message: string };

/** Runs `bytes` on both sides and compares the logs. */
export async function checkExec(
  w: WasmOpt,
  worker: Worker,
  bytes: Uint8Array,
  features: readonly string[],
): Promise<Verdict> {
  let expected: string[] | null;
  try {
    expected = fuzzExec(w, bytes, features);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    // The in-process wasm-opt may be unusable after unwinding from a stack overflow.
    await w.reload();
    expected = fuzzExecDeepStack(w, bytes, features);
  }
  if (expected === null) return { kind: 'harness', message: 'binaryen fuzz-exec failed' };
  let r = await worker.run({ bytes, planSeed: 0, sides: [], exec: true });
  // A time-out on a loaded machine is not a finding unless it happens again.
  if (r === null) r = await worker.run({ bytes, planSeed: 0, sides: [], exec: true });
  if (r === null) {
    // binaryen stops at its interpreter limits where jetwasm may run on for a long time.
    if (expected.some((l) => l.startsWith('[host limit')))
      return { kind: 'harness', message: 'host limit and time-out' };
    return {
      kind: 'differ',
      difference: { where: 'termination', binaryen: 'finished', jetwasm: 'time limit exceeded or crashed' },
      expected,
    };
  }
  if (r.decodeError !== undefined) {
    if (r.decodeError.startsWith('harness:')) return { kind: 'harness', message: r.decodeError };
    return { kind: 'differ', difference: { where: 'decode', binaryen: 'ok', jetwasm: r.decodeError }, expected };
  }
  const cmp = compareExecLogs(expected, r.exec!.lines);
  if (cmp.difference) return { kind: 'differ', difference: cmp.difference, expected };
  return { kind: 'agree', cmp, calls: r.exec!.calls };
}

const signature = (v: Verdict): string =>
  v.kind === 'differ' ? `${v.difference.binaryen}|${v.difference.jetwasm}` : '';

/** Drops function exports while the same pair of differing lines persists, then optimises. */
export async function reduceExec(
  w: WasmOpt,
  worker: Worker,
  bytes: Uint8Array,
  features: readonly string[],
  log: (s: string) => void,
): Promise<Uint8Array> {
  const want = signature(await checkExec(w, worker, bytes, features));
  const diverges = async (b: Uint8Array): Promise<boolean> =>
    want !== '' && signature(await checkExec(w, worker, b, features)) === want;
  let cur = bytes;
  for (let changed = true; changed;) {
    changed = false;
    const names = moduleInfo(cur).exports.map((e) => e.name);
    for (const name of names) {
      const candidate = rewriteExports(cur, (n) => n !== name, []);
      if (await diverges(candidate)) {
        cur = candidate;
        changed = true;
      }
    }
  }
  cur = await shrinkByPasses(w, cur, diverges, features);
  log(`  reduced ${bytes.length} -> ${cur.length} bytes`);
  return cur;
}

const RELOAD_EVERY = 500;

export async function runBinaryenDiff(opts: BinaryenDiffOptions): Promise<BinaryenDiffStats> {
  const t0 = Date.now();
  const w = await loadWasmOpt();
  const worker = new Worker(opts.timeoutMs);
  const byFeature = Object.fromEntries(FEATURE_NAMES.map((f) => [f, { cases: 0, calls: 0, traps: 0 }])) as Record<
    FeatureName,
    FeatureTally
  >;
  const stats: BinaryenDiffStats = {
    cases: 0,
    agreed: 0,
    nanOnly: 0,
    hostLimits: 0,
    harnessErrors: 0,
    callsCompared: 0,
    trapsCompared: 0,
    exceptionsCompared: 0,
    gcValuesCompared: 0,
    byFeature,
    divergences: [],
    seconds: 0,
  };
  const seedFile = w.scratch('multi-memory-seed.wasm');
  fs.writeFileSync(seedFile, parseWat(MULTI_MEMORY_SEED));
  const multiMemory = opts.features.includes('--enable-multimemory');
  try {
    for (let i = opts.first; i < opts.first + opts.cases; i++) {
      const rng = new Prng(caseSeed(opts.seed, i));
      const entropy = rng.bytes(500 + rng.int(rng.bool() ? 4000 : 24000));
      const pipeline = PIPELINES[rng.int(PIPELINES.length)];
      const initial = multiMemory && rng.int(MULTI_MEMORY_EVERY) === 0 ? [`--initial-fuzz=${seedFile}`] : [];
      const gen = (ent: Uint8Array, extra: string[]): Uint8Array =>
        generate(w, ent, [...initial, ...extra], opts.features);
      if (i > opts.first && (i - opts.first) % RELOAD_EVERY === 0) await w.reload();
      let bytes: Uint8Array;
      try {
        bytes = gen(entropy, pipeline);
      } catch {
        await w.reload();
        try {
          bytes = gen(entropy, pipeline);
        } catch (e) {
          stats.harnessErrors++;
          opts.log(`case ${i}: generator failed: ${(e as Error).message}`);
          continue;
        }
      }
      stats.cases++;
      if (stats.cases % 100 === 0)
        opts.log(
          `${stats.cases} cases, ${stats.divergences.length} divergent, ${((Date.now() - t0) / 1000).toFixed(1)} s`,
        );
      let v: Verdict;
      try {
        v = await checkExec(w, worker, bytes, opts.features);
      } catch (e) {
        await w.reload();
        stats.harnessErrors++;
        opts.log(`case ${i}: ${(e as Error).message}`);
        continue;
      }
      // NaN payloads are nondeterministic and can flow into integers and memory: a
      // difference gone on binaryen's NaN-free variant of the module is not a finding.
      if (v.kind === 'differ' && v.difference.where !== 'decode' && v.difference.where !== 'termination') {
        const clean = gen(entropy, ['--denan', ...pipeline]);
        const v2 = await checkExec(w, worker, clean, opts.features);
        if (v2.kind === 'agree') {
          stats.nanOnly++;
          continue;
        }
        if (v2.kind === 'differ') {
          bytes = clean;
          v = v2;
        }
      }
      if (v.kind === 'harness') {
        stats.harnessErrors++;
        opts.log(`case ${i}: ${v.message}`);
        continue;
      }
      if (v.kind === 'agree') {
        stats.agreed++;
        stats.callsCompared += v.calls;
        stats.trapsCompared += v.cmp.traps;
        stats.exceptionsCompared += v.cmp.exceptions;
        stats.gcValuesCompared += v.cmp.gcValues;
        if (v.cmp.hostLimit) stats.hostLimits++;
        for (const f of moduleFeatures(moduleInfo(bytes))) {
          byFeature[f].cases++;
          byFeature[f].calls += v.calls;
          byFeature[f].traps += v.cmp.traps;
        }
        continue;
      }
      opts.log(
        `case ${i} (seed ${opts.seed}): DIVERGENCE at ${v.difference.where}: binaryen ${v.difference.binaryen} / jetwasm ${v.difference.jetwasm}`,
      );
      let reduced = bytes;
      if (opts.reduce) reduced = await reduceExec(w, worker, bytes, opts.features, opts.log);
      const final = await checkExec(w, worker, reduced, opts.features);
      const div: BinaryenDivergence = {
        case: i,
        seed: opts.seed,
        difference: final.kind === 'differ' ? final.difference : v.difference,
        bytes: reduced,
      };
      if (opts.outDir) {
        fs.mkdirSync(opts.outDir, { recursive: true });
        const base = path.join(opts.outDir, `exec-s${opts.seed}-c${i}`);
        fs.writeFileSync(`${base}.wasm`, reduced);
        fs.writeFileSync(
          `${base}.json`,
          JSON.stringify(
            {
              source: `npm run fuzz:diff -- --oracle binaryen --features ${opts.features === ALL_FEATURES ? 'all' : 'node'} --seed ${opts.seed} --first ${i} --cases 1`,
              oracle: 'binaryen',
              features: opts.features,
              pipeline,
              difference: div.difference,
              expectedLog: final.kind === 'differ' ? final.expected : fuzzExec(w, reduced, opts.features),
            },
            null,
            2,
          ) + '\n',
        );
        (div as { file?: string }).file = `${base}.wasm`;
        opts.log(`  saved ${base}.wasm`);
      }
      stats.divergences.push(div);
    }
  } finally {
    worker.close();
  }
  stats.seconds = (Date.now() - t0) / 1000;
  return stats;
}

export function featureSet(name: string): readonly string[] {
  if (name === 'all') return ALL_FEATURES;
  if (name === 'node') return FUZZ_FEATURES;
  throw new Error(`unknown feature set ${name}`);
}

export function summary(s: BinaryenDiffStats, features: string): string {
  const feats = FEATURE_NAMES.filter((f) => s.byFeature[f].cases > 0)
    .map((f) => `${f} ${s.byFeature[f].cases} cases/${s.byFeature[f].calls} calls/${s.byFeature[f].traps} traps`)
    .join(', ');
  return (
    `fuzz:diff oracle binaryen (features ${features}): ${s.cases} modules, ${s.callsCompared} calls compared, ` +
    `${s.trapsCompared} traps, ${s.exceptionsCompared} exceptions, ${s.gcValuesCompared} GC values; ${s.agreed} agreed, ` +
    `${s.divergences.length} divergent, ${s.nanOnly} NaN-bits-only, ${s.hostLimits} cut at a binaryen host limit, ` +
    `${s.harnessErrors} harness errors; by feature: ${feats || 'none'}; ${s.seconds.toFixed(1)} s`
  );
}
