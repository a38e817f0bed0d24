// Differential fuzzing: random valid modules from binaryen's translate-to-fuzz run on Node's
// native engine and on jetwasm; any difference in observations is a jetwasm bug. Divergent
// cases are shrunk and written to tests/fuzz-regressions/new/ for triage.
//
//   node fuzz/run.js diff --cases N [--seed S] [--timeout MS] [--out DIR] [--no-reduce]
//                         [--oracle native|binaryen] [--features node|all]
//
// `--oracle binaryen` compares with binaryen's own interpreter instead (diff-binaryen.ts).

import * as fs from 'fs';
import * as path from 'path';
import { generate, loadWasmOpt, shrinkByPasses, type WasmOpt } from './binaryen';
import { compareObservations, MEMORY_EXPORT, type Difference, type Observation } from './observe';
import { Worker } from './pool';
import { caseSeed, Prng } from './prng';
import { memoryCount, rewriteExports, splitSections, readU32 } from './wasm-sections';

export interface DiffOptions {
  cases: number;
  /** Index of the first case (to replay part of a run). */
  first: number;
  seed: number;
  timeoutMs: number;
  /** Where divergent cases are written; null: not written. */
  outDir: string | null;
  reduce: boolean;
  log: (line: string) => void;
}

export interface Divergence {
  readonly case: number;
  readonly seed: number;
  readonly difference: Difference;
  readonly bytes: Uint8Array;
  readonly native: Observation | null;
  readonly file?: string;
}

export interface DiffStats {
  cases: number;
  agreed: number;
  /** Differences gone on the NaN-free (`--denan`) variant of the module. */
  nanOnly: number;
  /** Both engines exceeded the time limit. */
  bothHung: number;
  /** Modules Node's engine rejects (binaryen emitted a feature Node 20 lacks). */
  nativeRejects: number;
  /** Cases skipped because the harness itself failed (counted separately from bugs). */
  harnessErrors: number;
  callsCompared: number;
  divergences: Divergence[];
  seconds: number;
}

/** Outcome of running one module on both engines. */
type Verdict =
  | { kind: 'agree'; native: Observation; calls: number }
  | { kind: 'differ'; difference: Difference; native: Observation | null }
  | { kind: 'both-hung' }
  | { kind: 'harness'; message: string };

/**
 * Pipelines applied after generation, chosen per case: optimised code has shapes the raw
 * generator rarely produces (folded expressions, br_table, select, merged or flattened
 * locals).
 */
const PIPELINES: readonly string[][] = [
  [],
  [],
  ['-O1'],
  ['-O2'],
  ['-O3'],
  ['-Oz'],
  ['--flatten', '--local-cse', '-O1'],
  ['--simplify-locals', '--merge-blocks', '--remove-unused-brs'],
  ['--inlining', '--precompute', '--code-folding'],
];

export function withMemoryExport(bytes: Uint8Array): Uint8Array {
  if (memoryCount(bytes) === 0) return bytes;
  return rewriteExports(bytes, (n) => n !== MEMORY_EXPORT, [{ name: MEMORY_EXPORT, kind: 2, index: 0 }]);
}

export async function check(worker: Worker, bytes: Uint8Array, planSeed: number): Promise<Verdict> {
  const r = await worker.run({ bytes, planSeed, sides: ['native', 'jetwasm'] });
  if (r === null) {
    const n = await worker.run({ bytes, planSeed, sides: ['native'] });
    if (n === null) return { kind: 'both-hung' };
    if (n.decodeError !== undefined) return decodeVerdict(n.decodeError, n.nativeCompiles);
    return {
      kind: 'differ',
      difference: { where: 'termination', native: 'finished', jetwasm: 'time limit exceeded or crashed' },
      native: n.native ?? null,
    };
  }
  if (r.decodeError !== undefined) return decodeVerdict(r.decodeError, r.nativeCompiles);
  // A module Node's engine cannot compile (a feature it lacks) says nothing about jetwasm.
  if (r.native!.instantiate.startsWith('error:CompileError'))
    return { kind: 'harness', message: `native rejects: ${r.native!.instantiate}` };
  const d = compareObservations(r.native!, r.jetwasm!);
  if (d) return { kind: 'differ', difference: d, native: r.native! };
  return { kind: 'agree', native: r.native!, calls: r.native!.calls.length };
}

function decodeVerdict(message: string, nativeCompiles: boolean | undefined): Verdict {
  if (message.startsWith('harness:')) return { kind: 'harness', message };
  if (!nativeCompiles) return { kind: 'harness', message: `neither engine accepts the module: ${message}` };
  return { kind: 'differ', difference: { where: 'decode', native: 'ok', jetwasm: message }, native: null };
}

function funcExportNames(bytes: Uint8Array): string[] {
  const sec = splitSections(bytes).find((s) => s.id === 7);
  if (!sec) return [];
  const out: string[] = [];
  const b = sec.body;
  let pos = 0;
  const count = readU32(b, pos);
  pos = count.next;
  for (let i = 0; i < count.value; i++) {
    const len = readU32(b, pos);
    const name = Buffer.from(b.subarray(len.next, len.next + len.value)).toString('utf8');
    pos = len.next + len.value;
    const kind = b[pos++];
    pos = readU32(b, pos).next;
    if (kind === 0) out.push(name);
  }
  return out;
}

/**
 * Shrinks a divergent module while it still diverges: drop function exports one at a time
 * (fewer calls), then let wasm-opt remove what became unreachable and try a few
 * simplifying pipelines, keeping each step only if the difference survives.
 */
export async function reduceCase(
  w: WasmOpt,
  worker: Worker,
  bytes: Uint8Array,
  planSeed: number,
  log: (s: string) => void,
): Promise<Uint8Array> {
  const first = await check(worker, bytes, planSeed);
  const signature = (v: Verdict): string =>
    v.kind === 'differ' ? `${v.difference.native}|${v.difference.jetwasm}` : '';
  const want = signature(first);
  // Only steps that keep the same pair of observations count, so shrinking cannot wander
  // off to a different difference.
  const diverges = async (b: Uint8Array): Promise<boolean> =>
    want !== '' && signature(await check(worker, b, planSeed)) === want;
  let cur = bytes;
  const names = funcExportNames(cur);
  for (const name of names) {
    const candidate = rewriteExports(cur, (n, k) => !(k === 0 && n === name), []);
    if (await diverges(candidate)) cur = candidate;
  }
  const globalsDropped = rewriteExports(cur, (_n, k) => k !== 3, []);
  if (await diverges(globalsDropped)) cur = globalsDropped;
  cur = await shrinkByPasses(w, cur, diverges);
  log(`  reduced ${bytes.length} -> ${cur.length} bytes`);
  return cur;
}

const RELOAD_EVERY = 500;

export async function runDiff(opts: DiffOptions): Promise<DiffStats> {
  const t0 = Date.now();
  const w = await loadWasmOpt();
  const worker = new Worker(opts.timeoutMs);
  const stats: DiffStats = {
    cases: 0,
    agreed: 0,
    nanOnly: 0,
    nativeRejects: 0,
    bothHung: 0,
    harnessErrors: 0,
    callsCompared: 0,
    divergences: [],
    seconds: 0,
  };
  try {
    for (let i = opts.first; i < opts.first + opts.cases; i++) {
      const cs = caseSeed(opts.seed, i);
      const rng = new Prng(cs);
      const entropy = rng.bytes(500 + rng.int(rng.bool() ? 4000 : 24000));
      const planSeed = rng.u32();
      const pipeline = PIPELINES[rng.int(PIPELINES.length)];
      let bytes: Uint8Array;
      // wasm-opt's main() is not made to run thousands of times in one instance: its state
      // grows until generation crawls (a run stalled after ~6,400 cases). A fresh instance
      // every RELOAD_EVERY cases keeps it bounded.
      if (i > opts.first && (i - opts.first) % RELOAD_EVERY === 0) await w.reload();
      try {
        bytes = withMemoryExport(generate(w, entropy, pipeline));
      } catch {
        // An abort inside wasm-opt can leave its memory unusable: start a fresh instance.
        await w.reload();
        try {
          bytes = withMemoryExport(generate(w, entropy, pipeline));
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
      let v = await check(worker, bytes, planSeed);
      // A time-out on a loaded machine is not a finding unless it happens again.
      if (v.kind === 'differ' && v.difference.where === 'termination') v = await check(worker, bytes, planSeed);
      // NaN payloads are nondeterministic and can flow into integers (reinterpret) and memory:
      // a difference that disappears on binaryen's NaN-free variant of the same module is not
      // a finding.
      if (v.kind === 'differ' && v.difference.where !== 'decode' && v.difference.where !== 'termination') {
        const clean = withMemoryExport(generate(w, entropy, ['--denan', ...pipeline]));
        const v2 = await check(worker, clean, planSeed);
        if (v2.kind === 'agree') {
          stats.nanOnly++;
          continue;
        }
        if (v2.kind === 'differ') {
          bytes = clean;
          v = v2;
        }
      }
      if (v.kind === 'agree') {
        stats.agreed++;
        stats.callsCompared += v.calls;
        continue;
      }
      if (v.kind === 'both-hung') {
        stats.bothHung++;
        opts.log(`case ${i}: both engines exceeded the time limit`);
        continue;
      }
      if (v.kind === 'harness' && v.message.startsWith('native rejects')) {
        stats.nativeRejects++;
        continue;
      }
      if (v.kind === 'harness') {
        stats.harnessErrors++;
        opts.log(`case ${i}: ${v.message}`);
        continue;
      }
      opts.log(
        `case ${i} (seed ${opts.seed}): DIVERGENCE at ${v.difference.where}: native ${v.difference.native} / jetwasm ${v.difference.jetwasm}`,
      );
      let reduced = bytes;
      if (opts.reduce) reduced = await reduceCase(w, worker, bytes, planSeed, opts.log);
      const final = await check(worker, reduced, planSeed);
      const div: Divergence = {
        case: i,
        seed: opts.seed,
        difference: final.kind === 'differ' ? final.difference : v.difference,
        bytes: reduced,
        native: final.kind === 'differ' ? final.native : v.native,
      };
      if (opts.outDir) {
        fs.mkdirSync(opts.outDir, { recursive: true });
        const base = path.join(opts.outDir, `diff-s${opts.seed}-c${i}`);
        fs.writeFileSync(`${base}.wasm`, reduced);
        fs.writeFileSync(
          `${base}.json`,
          JSON.stringify(
            {
              source: `npm run fuzz:diff -- --seed ${opts.seed} --first ${i} --cases 1`,
              pipeline,
              planSeed,
              difference: div.difference,
              native: div.native,
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

/** A command-line usage error: run.js prints its message alone and exits with 2. */
export class UsageError extends Error {}

/**
 * `--key value`, `--flag` and `--no-flag` options over `defaults`, whose keys are the only
 * options there are: anything else is refused (an option silently ignored would run
 * something other than what was asked for).
 */
export function parseArgs(argv: readonly string[], defaults: Record<string, string>): Record<string, string> {
  const out = { ...defaults };
  const known = (key: string): void => {
    if (!Object.prototype.hasOwnProperty.call(defaults, key)) {
      throw new UsageError(
        `unknown option --${key} (options: ${Object.keys(defaults)
          .map((k) => `--${k}`)
          .join(', ')})`,
      );
    }
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new UsageError(`unexpected argument ${a}`);
    const key = a.slice(2);
    if (key.startsWith('no-')) {
      known(key.slice(3));
      out[key.slice(3)] = 'false';
      continue;
    }
    known(key);
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) {
      out[key] = 'true';
      continue;
    }
    out[key] = v;
    i++;
  }
  return out;
}

export async function main(argv: readonly string[]): Promise<number> {
  const a = parseArgs(argv, {
    first: '0',
    cases: '200',
    seed: String(Date.now() % 1e9),
    timeout: '20000',
    out: 'tests/fuzz-regressions/new',
    reduce: 'true',
    oracle: 'native',
    features: 'node',
  });
  if (a.oracle !== 'native' && a.oracle !== 'binaryen')
    throw new UsageError(`unknown oracle ${a.oracle} (oracles: native, binaryen)`);
  if (a.features !== 'node' && a.features !== 'all')
    throw new UsageError(`unknown feature set ${a.features} (feature sets: node, all)`);
  if (a.oracle === 'native' && a.features !== 'node')
    throw new UsageError('the native oracle runs only what Node runs: --features node');
  if (a.oracle === 'binaryen') {
    const { featureSet, runBinaryenDiff, summary } = await import('./diff-binaryen');
    const cases = Number(a.cases),
      seed = Number(a.seed) >>> 0;
    console.log(`fuzz:diff oracle binaryen (features ${a.features}): ${cases} cases, seed ${seed}`);
    const s = await runBinaryenDiff({
      cases,
      first: Number(a.first),
      seed,
      timeoutMs: Number(a.timeout),
      features: featureSet(a.features),
      outDir: a.out,
      reduce: a.reduce !== 'false',
      log: (line) => console.log(line),
    });
    console.log(summary(s, a.features));
    return s.divergences.length === 0 ? 0 : 1;
  }
  const opts: DiffOptions = {
    cases: Number(a.cases),
    first: Number(a.first),
    seed: Number(a.seed) >>> 0,
    timeoutMs: Number(a.timeout),
    outDir: a.out,
    reduce: a.reduce !== 'false',
    log: (s) => console.log(s),
  };
  console.log(`fuzz:diff: ${opts.cases} cases, seed ${opts.seed}`);
  const s = await runDiff(opts);
  console.log(
    `fuzz:diff oracle native: ${s.cases} modules, ${s.callsCompared} calls compared; ${s.agreed} agreed, ${s.divergences.length} divergent, ` +
      `${s.nanOnly} NaN-bits-only, ${s.nativeRejects} rejected by Node, ${s.bothHung} hung on both, ${s.harnessErrors} harness errors; ${s.seconds.toFixed(1)} s`,
  );
  return s.divergences.length === 0 ? 0 : 1;
}
