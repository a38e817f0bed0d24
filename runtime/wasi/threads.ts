// wasi-threads (https://github.com/WebAssembly/wasi-threads) for WASI preview1 programs: the
// module imports a shared memory and `"wasi" "thread-spawn" (i32) -> i32`, and exports
// `wasi_thread_start(tid, start_arg)`. thread-spawn runs a new instance of the same module on
// a new worker_threads Worker over the same memory and calls wasi_thread_start there.
//
// Every Wasm thread, the main one (_start) included, runs on a Worker; the calling thread
// only coordinates (runWasiThreads). That is what lets proc_exit or a trap in any thread end
// the program while other threads block in memory.atomic.wait or spin in a loop: the
// coordinator's event loop is never blocked, and it terminates every worker.
//
// Invariants:
// - Workers are all children of the coordinator: a thread asks the coordinator to start a
//   thread (a message) rather than starting a nested Worker, because a Worker's children
//   end with it and a wasi-threads thread outlives the thread that spawned it.
// - Thread ids come from one shared counter (CONTROL_NEXT_TID), so they are unique without
//   a round trip: thread-spawn returns before the new thread's Worker exists.
// - The first thread to end the program (proc_exit, _start returning, a trap) sets
//   CONTROL_ENDING with a compare-exchange and is the only one to report; from then on no
//   thread's WASI call runs (each parks instead), so nothing is written after the end.
// - Each thread has its own Wasi with the same options: argv, environment, preopens and
//   stdio are the same in every thread; stdio writes go straight to the host descriptors
//   (fs.writeSync), never through the coordinator.

import { Worker } from 'worker_threads';
import * as path from 'path';
import {
  Engine,
  Func,
  Instance,
  LinkError,
  Memory,
  Module,
  RuntimeError,
  Store,
  WasmException,
  formatWasmBacktrace,
  wasmBacktrace,
  type Extern,
  type SharedMemoryHandle,
} from '../index';
import { WASI_MODULE, Wasi, WasiExit, type WasiOptions } from './index';
import { SIGNATURES } from './defs';
import type { MemoryType } from '../../compiler/ir';

/** The import module and name of thread-spawn, and the export a new thread starts in. */
export const WASI_THREADS_MODULE = 'wasi';
export const THREAD_SPAWN = 'thread-spawn';
export const THREAD_START = 'wasi_thread_start';
/** Thread ids are positive and below 2^29 (the proposal leaves the top bits to libc). */
export const MAX_THREAD_ID = 0x1fff_ffff;

const CONTROL_NEXT_TID = 0;
const CONTROL_ENDING = 1;
/** A word nothing ever notifies: a thread that must not go on waits on it until terminated. */
const CONTROL_PARK = 2;

/** True when `module` imports wasi-threads' thread-spawn. */
export function usesWasiThreads(module: Module): boolean {
  return module.imports().some((i) => i.module === WASI_THREADS_MODULE && i.name === THREAD_SPAWN);
}

export interface WasiThreadsOptions {
  /** The module's binary. Every thread compiles it (the in-process cache is per thread). */
  readonly bytes: Uint8Array;
  /** The WASI options every thread's Wasi gets; preopens as [guest, host] pairs or a record. */
  readonly wasi?: WasiOptions;
  /** Code settings of each thread's engine. */
  readonly engine?: {
    readonly consumeFuel?: boolean;
    readonly epochInterruption?: boolean;
    readonly codegen?: 'jit' | 'interpreter';
  };
  /** Fuel of each thread's store (needs engine.consumeFuel). */
  readonly fuel?: number;
  /** Wall-clock limit of the whole run, from this call (needs engine.epochInterruption). */
  readonly timeoutMs?: number;
}

/** How a thread failed: a trap, an uncaught Wasm exception, or an error of the host. */
export class WasiThreadError extends Error {
  constructor(
    readonly kind: 'trap' | 'exception' | 'error',
    message: string,
    /** The Wasm backtrace, formatted (formatWasmBacktrace), innermost call first. */
    readonly backtrace: readonly string[],
    /** The failing thread's id (0: the main thread, which runs _start). */
    readonly thread: number,
  ) {
    super(message);
    this.name = 'WasiThreadError';
  }
}

interface ThreadData {
  readonly bytes: Uint8Array;
  /** The imported memory when shared (thread-spawn works only then), else null. */
  readonly memory: SharedMemoryHandle | null;
  /** The type of the imported memory, null when the module imports none. */
  readonly memoryType: MemoryType | null;
  readonly control: Int32Array;
  readonly wasi: WasiOptions;
  readonly engine: WasiThreadsOptions['engine'];
  readonly fuel: number | undefined;
  /** Date.now() at which the run is interrupted. */
  readonly deadline: number | undefined;
  readonly tid: number;
  readonly arg: number;
}

type Report =
  | { readonly kind: 'spawn'; readonly tid: number; readonly arg: number }
  | { readonly kind: 'exit'; readonly code: number }
  | {
      readonly kind: 'failure';
      readonly what: 'trap' | 'exception' | 'error';
      readonly message: string;
      readonly backtrace: string[];
      readonly thread: number;
    };

/**
 * The memory import of a wasi-threads module (null: none), after checking that every import
 * is one a thread can be given: preview1 functions, thread-spawn, and at most one memory.
 * Throws LinkError otherwise. Threads can be spawned only when the memory is imported and
 * shared: a memory the module defines would be a new one in each thread's instance.
 */
function memoryImport(module: Module): MemoryType | null {
  let memory: MemoryType | null = null;
  for (const imp of module.importTypes()) {
    const what = `"${imp.module}" "${imp.name}"`;
    if (imp.kind === 'memory') {
      if (memory !== null) throw new LinkError(`more than one memory import (${what})`);
      memory = imp.type;
    } else if (imp.kind === 'func' && imp.module === WASI_MODULE && imp.name in SIGNATURES) {
      continue;
    } else if (imp.kind === 'func' && imp.module === WASI_THREADS_MODULE && imp.name === THREAD_SPAWN) {
      continue;
    } else {
      throw new LinkError(
        `unknown import ${what} (a wasi-threads program may import "${WASI_MODULE}", "${WASI_THREADS_MODULE}" "${THREAD_SPAWN}" and a memory)`,
      );
    }
  }
  return memory;
}

/** The compiled worker entry (thread-worker.ts), next to this file in dist/. */
const WORKER_FILE = path.join(__dirname, 'thread-worker.js');

/**
 * Runs a wasi-threads command: _start on one worker, each spawned thread on another, all on
 * one shared memory created here with the type the module imports (without an imported
 * shared memory the program runs, and thread-spawn fails). Resolves with the exit code
 * (proc_exit's from any thread, or 0 when _start returns) once every worker has been
 * terminated; rejects with WasiThreadError when a thread fails, with LinkError when the
 * module's imports are not a wasi-threads program's, with CompileError for invalid bytes.
 */
export async function runWasiThreads(options: WasiThreadsOptions): Promise<number> {
  const engineOptions = options.engine ?? {};
  const engine = new Engine(engineOptions);
  const store = new Store(engine);
  const module = Module.fromBinary(engine, options.bytes);
  const memoryType = memoryImport(module);
  if (!module.exports().some((e) => e.name === '_start' && e.kind === 'func'))
    throw new LinkError('the module has no exported function "_start"');
  const control = new Int32Array(new SharedArrayBuffer(3 * 4));
  control[CONTROL_NEXT_TID] = 1;
  const common = {
    bytes: options.bytes,
    // An unshared memory is created by the main thread's worker: no other thread uses it.
    memory: memoryType?.shared === true ? Memory.create(store, memoryType).share() : null,
    memoryType,
    control,
    wasi: options.wasi ?? {},
    engine: engineOptions,
    fuel: options.fuel,
    deadline: options.timeoutMs === undefined ? undefined : Date.now() + options.timeoutMs,
  };

  const workers = new Set<Worker>();
  return new Promise<number>((resolve, reject) => {
    let settled = false;
    const end = (settle: () => void): void => {
      if (settled) return;
      settled = true;
      Atomics.store(control, CONTROL_ENDING, 1);
      void Promise.allSettled([...workers].map((w) => w.terminate())).then(settle);
    };
    const start = (tid: number, arg: number): void => {
      if (settled) return;
      const data: ThreadData = { ...common, tid, arg };
      const w = new Worker(WORKER_FILE, { workerData: data });
      workers.add(w);
      w.on('message', (m: Report) => {
        if (m.kind === 'spawn') start(m.tid, m.arg);
        else if (m.kind === 'exit') end(() => resolve(m.code));
        else end(() => reject(new WasiThreadError(m.what, m.message, m.backtrace, m.thread)));
      });
      w.on('error', (e) => end(() => reject(e)));
      w.on('exit', (code) => {
        workers.delete(w);
        // The main thread's worker parks once it has reported, so ending unreported is a crash.
        if (tid === 0)
          end(() => reject(new Error(`the main thread's worker ended with code ${code} before the program ended`)));
      });
    };
    start(0, 0);
  });
}

/** Blocks this thread until its worker is terminated. */
function park(control: Int32Array): never {
  for (;;) Atomics.wait(control, CONTROL_PARK, 0);
}

/** Wasm frames a thread reports: V8 records 10 stack frames by default, host frames included. */
const STACK_TRACE_LIMIT = 100;

/** A thread's life, on its worker (thread-worker.ts): instantiate, run, report the end. */
export function runThread(d: ThreadData, post: (r: Report) => void): void {
  const { control } = d;
  Error.stackTraceLimit = Math.max(Error.stackTraceLimit, STACK_TRACE_LIMIT);
  // Only the first thread to end the program reports; the others stop where they are.
  const finish = (r: Report): never => {
    if (Atomics.compareExchange(control, CONTROL_ENDING, 0, 1) === 0) post(r);
    park(control);
  };
  let module: Module | undefined;
  try {
    const engine = new Engine(d.engine ?? {});
    const store = new Store(engine);
    module = Module.fromBinary(engine, d.bytes);
    const memory =
      d.memory !== null
        ? Memory.fromShared(store, d.memory)
        : d.memoryType !== null
          ? Memory.create(store, d.memoryType)
          : undefined;
    // thread-spawn fails (returns -1) unless a new instance can share this one's memory and
    // has somewhere to start.
    const canSpawn = d.memory !== null && module.exports().some((e) => e.name === THREAD_START && e.kind === 'func');
    const wasi = new Wasi(d.wasi);
    const wasiFuncs = wasi.imports(store);
    const spawn = Func.fromHost(store, { kind: 'func', params: ['i32'], results: ['i32'] }, (arg: unknown): number => {
      if (!canSpawn) return -1;
      const tid = Atomics.add(control, CONTROL_NEXT_TID, 1);
      if (tid > MAX_THREAD_ID) return -1;
      post({ kind: 'spawn', tid, arg: arg as number });
      return tid;
    });
    const imports = module.importTypes().map((imp): Extern => {
      if (imp.kind === 'memory') return memory as Memory;
      if (imp.module === WASI_THREADS_MODULE) return spawn;
      const f = wasiFuncs.get(imp.name) as Func;
      // Once the program is ending, a WASI call never runs (see the invariants above).
      return Func.fromHost(store, f.type, (...args: unknown[]) => {
        if (Atomics.load(control, CONTROL_ENDING) !== 0) park(control);
        return f.call(...args);
      });
    });
    if (d.fuel !== undefined) store.setFuel(d.fuel);
    if (d.deadline !== undefined) store.setDeadline(Math.max(0, d.deadline - Date.now()));
    const instance = Instance.instantiate(store, module, imports);
    if (d.tid === 0) finish({ kind: 'exit', code: wasi.start(instance, memory) });
    wasi.bind(instance, memory);
    const entry = instance.getExport(THREAD_START);
    if (!(entry instanceof Func)) throw new Error(`the module has no exported function "${THREAD_START}"`);
    entry.call(d.tid, d.arg);
  } catch (e) {
    if (e instanceof WasiExit) finish({ kind: 'exit', code: e.code });
    const trace = (): string[] => (module ? formatWasmBacktrace(wasmBacktrace(e, module)) : []);
    if (e instanceof RuntimeError)
      finish({ kind: 'failure', what: 'trap', message: e.message, backtrace: trace(), thread: d.tid });
    if (e instanceof WasmException)
      finish({
        kind: 'failure',
        what: 'exception',
        message: 'uncaught wasm exception',
        backtrace: trace(),
        thread: d.tid,
      });
    const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
    finish({ kind: 'failure', what: 'error', message, backtrace: trace(), thread: d.tid });
  }
  // wasi_thread_start returned: this thread ends, the program goes on.
}
