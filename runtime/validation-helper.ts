// Worker threads that validate part of a large module's function bodies while the compiling
// thread validates the rest (Node only). Bodies validate independently (compiler/validate
// BodyShare), so each thread added divides the fast path's time; it pays where that time
// dwarfs a worker's start-up and the decode of the module each worker repeats: on hosts
// without a JIT and modules of megabytes. Under a JIT the fast path takes less time than a
// worker needs to load the runtime, so the compiling thread does it alone.
//
// Invariants:
//   - Correctness never depends on a worker. The compiling thread runs CodeValidator over
//     every body the fast path left, whichever thread ran the fast path, in index order, and
//     it takes back any chunk a worker has not published in time (or gave up on) and
//     validates it itself. A worker that never starts, fails to load or dies only costs time.
//   - A compilation never waits for a worker to start: a worker joins a job when it gets to
//     it, by claiming chunks from the shared counter; those no worker claims are the
//     compiling thread's.
//   - A worker learns nothing from the module but its bytes and the engine's features, and
//     tells the compiling thread only figures (stack heights, control depths) and which bodies
//     its fast path left undecided.

import { decodeModule } from '../compiler/binary';
import type { Features } from '../compiler/features';
import {
  type AsyncBodyShare,
  bodyChunks,
  type BodyShare,
  typeRegistry,
  validateModuleInfo,
  validationSettings,
} from '../compiler/validate';
import type { ModuleIR } from '../compiler/ir';
import { hostEnv } from './host-env';
import { hostHasJit } from './jit-probe';

/** Smaller modules validate on the compiling thread alone (see the file comment). */
export const HELPER_MIN_BYTES = 2 * 1024 * 1024;

/**
 * The least time the compiling thread waits for a chunk a worker is validating before it
 * takes the chunk back; it also waits up to four of its own chunk times.
 */
export const HELPER_MIN_PATIENCE_MS = 100;

/** The most the compiling thread waits for one chunk (its own chunk times may include pauses). */
export const HELPER_MAX_PATIENCE_MS = 1000;

/** How often an asynchronous compilation looks at the chunks it waits for. */
const ASYNC_POLL_MS = 2;

// A chunk's state in ValidationJob.state. A worker claims a chunk in state WORKING and
// moves it to PUBLISHED or ABANDONED; the compiling thread moves a WORKING chunk to
// TAKEN_BACK. Each move is a compare-and-exchange from WORKING, so exactly one side decides.
const WORKING = 0;
const PUBLISHED = 1;
const ABANDONED = 2;
const TAKEN_BACK = 3;

/** One module's shared validation state, posted to each worker (structured clone shares the buffers). */
export interface ValidationJob {
  /** The module's bytes, over a SharedArrayBuffer. */
  readonly bytes: Uint8Array;
  readonly features: Features;
  /** [0]: the next chunk to claim; [1]: the number of chunks. */
  readonly ctrl: Int32Array;
  /** bodyChunks of the module, as the compiling thread decoded it (chunk c: bodies [bounds[c], bounds[c + 1])). */
  readonly bounds: Int32Array;
  /** Per chunk: WORKING, PUBLISHED, ABANDONED or TAKEN_BACK. */
  readonly state: Int32Array;
  /** Per body, written by the workers for the chunks it publishes. */
  readonly heights: Int32Array;
  readonly depths: Int32Array;
  /** Per body: 1 where a worker's fast path left the body to CodeValidator. */
  readonly undecided: Uint8Array;
}

function shared(bytes: number): SharedArrayBuffer {
  return new SharedArrayBuffer(bytes);
}

/** A job for the module `ir` decoded from `bytes`. */
export function newValidationJob(bytes: Uint8Array, features: Features, ir: ModuleIR): ValidationJob {
  const copy = new Uint8Array(shared(bytes.length));
  copy.set(bytes);
  const bounds = bodyChunks(ir);
  const bodies = ir.codes.length;
  const chunks = Math.max(0, bounds.length - 1);
  const ctrl = new Int32Array(shared(8));
  ctrl[1] = chunks;
  return {
    bytes: copy,
    features,
    ctrl,
    bounds,
    state: new Int32Array(shared(4 * chunks)),
    heights: new Int32Array(shared(4 * bodies)),
    depths: new Int32Array(shared(4 * bodies)),
    undecided: new Uint8Array(shared(bodies)),
  };
}

function claimFrom(job: ValidationJob): number {
  const c = Atomics.add(job.ctrl, 0, 1);
  return c < job.ctrl[1] ? c : -1;
}

function bodyRange(job: ValidationJob, c: number): [number, number] {
  return [job.bounds[c], job.bounds[c + 1]];
}

/** The compiling thread's side of a job. */
export class MainShare implements AsyncBodyShare {
  readonly role = 'main';
  private readonly mine: Uint8Array;
  private started = -1;
  private claimed = 0;
  /** Chunks workers published, and chunks taken back from them (known after `gather`). */
  helped = 0;
  takenBack = 0;

  constructor(
    readonly job: ValidationJob,
    private readonly patienceFloorMs = HELPER_MIN_PATIENCE_MS,
  ) {
    this.mine = new Uint8Array(job.ctrl[1]);
  }

  claim(): number {
    if (this.started < 0) this.started = performance.now();
    const c = claimFrom(this.job);
    if (c >= 0) {
      this.mine[c] = 1;
      this.claimed++;
    }
    return c;
  }

  publish(): void {
    throw new Error('the compiling thread does not publish');
  }

  gather(heights: number[], depths: number[], validate: (c: number) => number[]): number[] {
    const left: number[] = [];
    for (const [c, deadline] of this.othersChunks()) {
      for (let wait = deadline - performance.now(); wait > 0 && this.working(c); wait = deadline - performance.now())
        Atomics.wait(this.job.state, c, WORKING, wait);
      this.take(c, heights, depths, validate, left);
    }
    return left;
  }

  async gatherAsync(
    heights: number[],
    depths: number[],
    validate: (c: number) => number[],
    sleep: (ms: number) => Promise<void>,
  ): Promise<number[]> {
    const left: number[] = [];
    for (const [c, deadline] of this.othersChunks()) {
      while (this.working(c) && performance.now() < deadline) await sleep(ASYNC_POLL_MS);
      this.take(c, heights, depths, validate, left);
    }
    return left;
  }

  /** The chunks workers took, each with the time until which to wait for it. */
  private *othersChunks(): Generator<[number, number]> {
    const patience = this.patience();
    for (let c = 0; c < this.mine.length; c++) if (this.mine[c] !== 1) yield [c, performance.now() + patience];
  }

  private working(c: number): boolean {
    return Atomics.load(this.job.state, c) === WORKING;
  }

  /** How long to wait for a chunk a worker holds: up to four of this thread's chunk times. */
  private patience(): number {
    const own = this.claimed > 0 ? (performance.now() - this.started) / this.claimed : 0;
    return Math.min(HELPER_MAX_PATIENCE_MS, Math.max(this.patienceFloorMs, 4 * own));
  }

  /** Takes a worker's chunk `c` after the wait: its published figures, or validates it here. */
  private take(
    c: number,
    heights: number[],
    depths: number[],
    validate: (c: number) => number[],
    left: number[],
  ): void {
    const job = this.job;
    let s = Atomics.compareExchange(job.state, c, WORKING, TAKEN_BACK);
    if (s === WORKING) s = TAKEN_BACK;
    if (s === PUBLISHED) {
      this.helped++;
      const [from, to] = bodyRange(job, c);
      for (let i = from; i < to; i++) {
        heights[i] = job.heights[i];
        depths[i] = job.depths[i];
        if (job.undecided[i] === 1) left.push(i);
      }
    } else {
      this.takenBack++;
      for (const i of validate(c)) left.push(i);
    }
  }

  /** Ends the job: workers claim nothing more of it. */
  close(): void {
    Atomics.store(this.job.ctrl, 0, this.job.ctrl[1]);
  }
}

/** An asynchronous compilation's share where no worker helps: every chunk is this thread's. */
export class SoloShare implements AsyncBodyShare {
  readonly role = 'main';
  private next = 0;

  constructor(private readonly chunks: number) {}

  claim(): number {
    return this.next < this.chunks ? this.next++ : -1;
  }

  publish(): void {
    throw new Error('the compiling thread does not publish');
  }

  gather(): number[] {
    return [];
  }

  gatherAsync(): Promise<number[]> {
    return Promise.resolve([]);
  }

  close(): void {
    this.next = this.chunks;
  }
}

/** The worker's side of a job. */
export class HelperShare implements BodyShare {
  readonly role = 'helper';
  private current = -1;

  constructor(readonly job: ValidationJob) {}

  claim(): number {
    this.current = claimFrom(this.job);
    return this.current;
  }

  publish(c: number, heights: readonly number[], depths: readonly number[], undecided: readonly number[]): void {
    const job = this.job;
    const [from, to] = bodyRange(job, c);
    for (let i = from; i < to; i++) {
      job.heights[i] = heights[i];
      job.depths[i] = depths[i];
      job.undecided[i] = 0;
    }
    for (const i of undecided) job.undecided[i] = 1;
    this.settle(c, PUBLISHED);
  }

  gather(): number[] {
    throw new Error('the worker does not gather');
  }

  /** Gives back the chunk in hand, if any, for the compiling thread to validate at once. */
  abandon(): void {
    if (this.current >= 0) this.settle(this.current, ABANDONED);
  }

  private settle(c: number, to: number): void {
    this.current = -1;
    if (Atomics.compareExchange(this.job.state, c, WORKING, to) === WORKING) Atomics.notify(this.job.state, c);
  }
}

/** Does the worker's part of `job`: decodes the module, validates it, publishes chunks. */
export function helpValidate(job: ValidationJob): void {
  // A job the compiling thread finished (or closed) before this worker got to it.
  if (Atomics.load(job.ctrl, 0) >= job.ctrl[1]) return;
  const share = new HelperShare(job);
  try {
    const ir = decodeModule(job.bytes, { lazyBodies: true, interpreted: !hostHasJit(), names: false });
    // The chunks are the compiling thread's; a worker that cut them otherwise claims none.
    const bounds = bodyChunks(ir);
    if (bounds.length !== job.bounds.length || bounds.some((b, i) => b !== job.bounds[i])) return;
    validateModuleInfo(ir, typeRegistry, job.features, share);
  } catch {
    // The compiling thread reports the module's errors.
  } finally {
    share.abandon();
  }
}

interface WorkerLike {
  postMessage(job: ValidationJob): void;
  unref(): void;
  on(event: string, f: () => void): void;
}

type Require = (id: string) => unknown;

function nodeRequire(): Require | null {
  // A plain `require` would make bundlers pull in (or fail on) node:worker_threads; the
  // lookup through `module` keeps this a run-time question, as in runtime/optlimit.ts.
  return typeof module !== 'undefined' && typeof module.require === 'function' ? module.require.bind(module) : null;
}

/**
 * The worker's script: node/validation-worker.ts of the built package, which loads the
 * package's bundle. Undefined where this code is not a built package (tests run the
 * TypeScript sources, whose worker would load another build).
 */
function workerScript(req: Require): string | undefined {
  // `module.filename` rather than Node's `__filename`, which the browser bundle must not name.
  const file = typeof module !== 'undefined' ? (module as { filename?: unknown }).filename : undefined;
  if (typeof file !== 'string' || !file.endsWith('.js')) return undefined;
  const path = req('path') as typeof import('path');
  const dir = path.dirname(file);
  // The bundle lives in dist/node; this file unbundled in dist/runtime.
  return path.join(path.basename(file) === 'bundle.js' ? dir : path.join(dir, '..', 'node'), 'validation-worker.js');
}

/** At most this many workers help, one fewer than the host's cores. */
export const MAX_HELPER_WORKERS = 3;

let workers: WorkerLike[] = [];
let workerState: 'none' | 'started' | 'failed' = 'none';

function helperCount(req: Require): number {
  const os = req('os') as { availableParallelism?: () => number; cpus(): unknown[] };
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  // One core has no room for a helper, unless JETWASM_VALIDATION_WORKER=1 asks for one.
  const n = Math.min(MAX_HELPER_WORKERS, cores - 1);
  return hostEnv('JETWASM_VALIDATION_WORKER') === '1' ? Math.max(1, n) : Math.max(0, n);
}

function helperWorkers(): readonly WorkerLike[] {
  if (workerState !== 'none') return workers;
  workerState = 'failed';
  try {
    const req = nodeRequire();
    const script = req !== null ? workerScript(req) : undefined;
    if (req === null || script === undefined) return workers;
    const { Worker } = req('worker_threads') as { Worker: new (file: string) => WorkerLike };
    for (let k = helperCount(req); k > 0; k--) {
      const w = new Worker(script);
      // A worker never keeps the process alive; its death only takes it out of the jobs.
      w.unref();
      const off = (): void => {
        workers = workers.filter((x) => x !== w);
      };
      w.on('error', off);
      w.on('exit', off);
      workers.push(w);
    }
    workerState = 'started';
  } catch {
    // Those started stay in; none is needed.
  }
  return workers;
}

/** A worker's part (node/validation-worker.ts runs it): takes jobs until the process ends. */
export function runValidationWorker(): void {
  const req = nodeRequire();
  const port = req !== null ? (req('worker_threads') as { parentPort: WorkerLike | null }).parentPort : null;
  if (port === null) return;
  port.on('message', ((job: ValidationJob) => helpValidate(job)) as () => void);
}

/**
 * JETWASM_VALIDATION_WORKER: '0' never uses workers, '1' uses them for every module with
 * function bodies (JIT or not, any size); unset, the rule of the file comment.
 */
export function helpersWanted(
  size: number,
  env = hostEnv('JETWASM_VALIDATION_WORKER'),
  jit: () => boolean = hostHasJit,
): boolean {
  if (env === '0' || !validationSettings.fastPath) return false;
  return env === '1' || (size >= HELPER_MIN_BYTES && !jit());
}

/**
 * Starts the workers, if `bytes` will want them, before the module is decoded: their start-up then
 * overlaps the decode.
 */
export function warmValidationHelper(bytes: Uint8Array): void {
  if (helpersWanted(bytes.length)) helperWorkers();
}

/** The share of an asynchronous compilation of `ir`: with workers where they are wanted, else solo. */
export function asyncValidationShare(bytes: Uint8Array, ir: ModuleIR, features: Features): MainShare | SoloShare {
  return validationShare(bytes, ir, features) ?? new SoloShare(Math.max(0, bodyChunks(ir).length - 1));
}

/**
 * A share of `ir`'s validation for the compiling thread, with the workers' part posted to
 * them; undefined when workers are not wanted or not available. The caller closes the share
 * when validation ends, however it ends.
 */
export function validationShare(bytes: Uint8Array, ir: ModuleIR, features: Features): MainShare | undefined {
  if (ir.binary === undefined || ir.codes.length === 0 || !helpersWanted(bytes.length)) return undefined;
  const ws = helperWorkers();
  if (ws.length === 0) return undefined;
  const job = newValidationJob(bytes, features, ir);
  if (hostEnv('JETWASM_VALIDATION_WORKER') !== '1' && job.ctrl[1] < 2) return undefined;
  let posted = 0;
  for (const w of ws) {
    try {
      w.postMessage(job);
      posted++;
    } catch {
      // That worker does not take part.
    }
  }
  return posted > 0 ? new MainShare(job) : undefined;
}
