// Differential fuzzing against binaryen's interpreter (`--oracle binaryen`): each generated
// module runs under `wasm-opt --fuzz-exec-before` and on jetwasm (exec-log.ts, in the worker
// child), and the two logs must agree line for line. This covers the features Node's engine
// cannot check (GC, exceptions, memory64, multi-memory, relaxed SIMD, ...).

import * as fs from 'fs';
import * as path from 'path';
import type { ModuleIR } from '../compiler/ir';
import { parseWat } from '../compiler/text';
import { ALL_FEATURES, FUZZ_FEATURES, fuzzExec, fuzzExecDeepStack, generate, loadWasmOpt, optimise, type WasmOpt } from './binaryen';
import { compareExecLogs, renderLine, type ExecComparison, type ExecDifference } from './exec-log';
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

/** Module-level features counted per case (read from the decoded module). */
export const FEATURE_NAMES = ['gc', 'exceptions', 'memory64', 'multi-memory', 'table64', 'simd'] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

export interface FeatureTally { cases: number; calls: number; traps: number }

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

/** As diff.ts's, without `--flatten`, which binaryen does not support on GC code (br_on_*). */
const PIPELINES: readonly string[][] = [
  [], [], ['-O1'], ['-O2'], ['-O3'], ['-Oz'], ['--local-cse', '-O1'],
  ['--simplify-locals', '--merge-blocks', '--remove-unused-brs'], ['--inlining', '--precompute', '--code-folding'],
];

/**
 * binaryen's generator builds one memory only, so multi-memory reaches it through initial
 * content (`--initial-fuzz`), which it keeps (exports included) and adds to: three memories,
 * one of them 64-bit, and functions that access, copy, fill and grow them. (binaryen 132
 * cannot copy between memories of different address types, so the copy is 32-bit to 32-bit.)
 */
export const MULTI_MEMORY_SEED = `(module
  (memory $a 1 2)
  (memory $b i64 1 3)
  (memory $c 1 2)
  (data (memory $b) (i64.const 16) "multi-memory seed")
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

/** The features a module uses, from its declarations (cheap; no opcode scan). */
export function moduleFeatures(m: ModuleIR): FeatureName[] {
  const out: FeatureName[] = [];
  if (m.types.some((t) => t.comp.kind !== 'func')) out.push('gc');
  if (m.tags.length + m.numImportedTags > 0) out.push('exceptions');
  const mems = [...m.memories, ...m.imports.flatMap((i) => (i.desc.kind === 'memory' ? [i.desc.type] : []))];
  if (mems.some((x) => x.addr === 'i64')) out.push('memory64');
  if (mems.length > 1) out.push('multi-memory');
  if (m.tables.some((t) => t.type.addr === 'i64')) out.push('table64');
  if (m.types.some((t) => t.comp.kind === 'func' && [...t.comp.params, ...t.comp.results].includes('v128')) || m.globals.some((g) => g.type.type === 'v128')) out.push('simd');
  return out;
}

type Verdict =
  | { kind: 'agree'; cmp: ExecComparison; calls: number }
  | { kind: 'differ'; difference: ExecDifference; expected: string[] }
  | { kind: 'harness'; message: string };

/** Runs `bytes` on both sides and compares the logs. */
export async function checkExec(w: WasmOpt, worker: Worker, bytes: Uint8Array, features: readonly string[]): Promise<Verdict> {
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
    if (expected.some((l) => l.startsWith('[host limit'))) return { kind: 'harness', message: 'host limit and time-out' };
    return { kind: 'differ', difference: { where: 'termination', binaryen: 'finished', jetwasm: 'time limit exceeded or crashed' }, expected };
  }
  if (r.decodeError !== undefined) {
    if (r.decodeError.startsWith('harness:')) return { kind: 'harness', message: r.decodeError };
    return { kind: 'differ', difference: { where: 'decode', binaryen: 'ok', jetwasm: r.decodeError }, expected };
  }
  const cmp = compareExecLogs(expected, r.exec!.lines);
  if (cmp.difference) return { kind: 'differ', difference: cmp.difference, expected };
  return { kind: 'agree', cmp, calls: r.exec!.calls };
}

const signature = (v: Verdict): string => (v.kind === 'differ' ? `${v.difference.binaryen}|${v.difference.jetwasm}` : '');

/** Drops function exports while the same pair of differing lines persists, then optimises. */
async function reduceExec(w: WasmOpt, worker: Worker, bytes: Uint8Array, features: readonly string[], log: (s: string) => void): Promise<Uint8Array> {
  const want = signature(await checkExec(w, worker, bytes, features));
  const diverges = async (b: Uint8Array): Promise<boolean> => want !== '' && signature(await checkExec(w, worker, b, features)) === want;
  let cur = bytes;
  for (let changed = true; changed;) {
    changed = false;
    const names = moduleInfo(cur).exports.map((e) => e.name);
    for (const name of names) {
      const candidate = rewriteExports(cur, (n) => n !== name, []);
      if (await diverges(candidate)) { cur = candidate; changed = true; }
    }
  }
  for (const passes of [['--remove-unused-module-elements'], ['-O1'], ['-Oz'], ['--vacuum', '--remove-unused-module-elements']]) {
    const o = optimise(w, cur, passes, features);
    if (o && o.length < cur.length && (await diverges(o))) cur = o;
  }
  log(`  reduced ${bytes.length} -> ${cur.length} bytes`);
  return cur;
}

const RELOAD_EVERY = 500;

export async function runBinaryenDiff(opts: BinaryenDiffOptions): Promise<BinaryenDiffStats> {
  const t0 = Date.now();
  const w = await loadWasmOpt();
  const worker = new Worker(opts.timeoutMs);
  const byFeature = Object.fromEntries(FEATURE_NAMES.map((f) => [f, { cases: 0, calls: 0, traps: 0 }])) as Record<FeatureName, FeatureTally>;
  const stats: BinaryenDiffStats = {
    cases: 0, agreed: 0, nanOnly: 0, hostLimits: 0, harnessErrors: 0, callsCompared: 0, trapsCompared: 0,
    exceptionsCompared: 0, gcValuesCompared: 0, byFeature, divergences: [], seconds: 0,
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
      const gen = (ent: Uint8Array, extra: string[]): Uint8Array => generate(w, ent, [...initial, ...extra], opts.features);
      if (i > opts.first && (i - opts.first) % RELOAD_EVERY === 0) await w.reload();
      let bytes: Uint8Array;
      try {
        bytes = gen(entropy, pipeline);
      } catch {
        await w.reload();
        try { bytes = gen(entropy, pipeline); } catch (e) {
          stats.harnessErrors++;
          opts.log(`case ${i}: generator failed: ${(e as Error).message}`);
          continue;
        }
      }
      stats.cases++;
      if (stats.cases % 100 === 0) opts.log(`${stats.cases} cases, ${stats.divergences.length} divergent, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
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
        if (v2.kind === 'agree') { stats.nanOnly++; continue; }
        if (v2.kind === 'differ') { bytes = clean; v = v2; }
      }
      if (v.kind === 'harness') { stats.harnessErrors++; opts.log(`case ${i}: ${v.message}`); continue; }
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
      opts.log(`case ${i} (seed ${opts.seed}): DIVERGENCE at ${v.difference.where}: binaryen ${v.difference.binaryen} / jetwasm ${v.difference.jetwasm}`);
      let reduced = bytes;
      if (opts.reduce) reduced = await reduceExec(w, worker, bytes, opts.features, opts.log);
      const final = await checkExec(w, worker, reduced, opts.features);
      const div: BinaryenDivergence = { case: i, seed: opts.seed, difference: final.kind === 'differ' ? final.difference : v.difference, bytes: reduced };
      if (opts.outDir) {
        fs.mkdirSync(opts.outDir, { recursive: true });
        const base = path.join(opts.outDir, `exec-s${opts.seed}-c${i}`);
        fs.writeFileSync(`${base}.wasm`, reduced);
        fs.writeFileSync(`${base}.json`, JSON.stringify({
          source: `npm run fuzz:diff -- --oracle binaryen --features ${opts.features === ALL_FEATURES ? 'all' : 'node'} --seed ${opts.seed} --first ${i} --cases 1`,
          oracle: 'binaryen',
          features: opts.features,
          pipeline,
          difference: div.difference,
          expectedLog: final.kind === 'differ' ? final.expected : fuzzExec(w, reduced, opts.features),
        }, null, 2) + '\n');
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
    .map((f) => `${f} ${s.byFeature[f].cases} cases/${s.byFeature[f].calls} calls/${s.byFeature[f].traps} traps`).join(', ');
  return `fuzz:diff oracle binaryen (features ${features}): ${s.cases} modules, ${s.callsCompared} calls compared, ` +
    `${s.trapsCompared} traps, ${s.exceptionsCompared} exceptions, ${s.gcValuesCompared} GC values; ${s.agreed} agreed, ` +
    `${s.divergences.length} divergent, ${s.nanOnly} NaN-bits-only, ${s.hostLimits} cut at a binaryen host limit, ` +
    `${s.harnessErrors} harness errors; by feature: ${feats || 'none'}; ${s.seconds.toFixed(1)} s`;
}

export { renderLine };
