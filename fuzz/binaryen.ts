// binaryen's wasm-opt, loaded once per process and called repeatedly (its Emscripten build
// reads and writes real files). Loading costs about half a second; each call afterwards
// costs tens of milliseconds, which is what makes thousands of generated modules practical.

import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Features both Node 20's engine and jetwasm execute without flags. */
export const FUZZ_FEATURES = [
  '--mvp-features',
  '--enable-sign-ext',
  '--enable-nontrapping-float-to-int',
  '--enable-bulk-memory',
  '--enable-multivalue',
  '--enable-mutable-globals',
  '--enable-reference-types',
  '--enable-simd',
  '--enable-tail-call',
];

/**
 * `--features all`: every feature binaryen's generator and interpreter support that jetwasm
 * implements. Left off: strings, threads and shared-everything (jetwasm's shared memories
 * are not part of this comparison), stack switching, fp16, custom descriptors, multibyte
 * array access, acquire/release and relaxed atomics, compact imports (not implemented by
 * jetwasm).
 */
export const ALL_FEATURES = [
  ...FUZZ_FEATURES,
  '--enable-bulk-memory-opt',
  '--enable-call-indirect-overlong',
  '--enable-exception-handling',
  '--enable-gc',
  '--enable-memory64',
  '--enable-multimemory',
  '--enable-extended-const',
  '--enable-relaxed-simd',
  '--enable-custom-page-sizes',
  '--enable-wide-arithmetic',
];

export interface WasmOpt {
  /** Runs wasm-opt with `args`; returns its exit status. */
  run(args: string[]): number;
  /** A fresh instance of the program (after an abort its memory may be unusable). */
  reload(): Promise<void>;
  /** A scratch file path private to this process. */
  scratch(name: string): string;
  /** Runs wasm-opt with `args` and returns what it printed to stdout, one entry a line. */
  capture(args: string[]): { status: number; lines: string[] };
}

let loading: Promise<WasmOpt> | null = null;

export function loadWasmOpt(): Promise<WasmOpt> {
  if (!loading) loading = load();
  return loading;
}

type Program = { callMain(args: string[]): number };

async function instantiateProgram(file: string, src: string): Promise<Program> {
  let ready!: () => void;
  const initialised = new Promise<void>((r) => {
    ready = r;
  });
  const quiet = (): void => {};
  // The program's own `var Module` picks up this object; noInitialRun keeps main() for us.
  const wrapper = new Function(
    'require',
    '__filename',
    '__dirname',
    'module',
    'ready',
    'quiet',
    'var Module = { noInitialRun: true, print: quiet, printErr: quiet, onRuntimeInitialized: ready };\n' +
      src +
      '\n;return { callMain: callMain };',
  );
  const api = wrapper(require, file, path.dirname(file), { exports: {} }, ready, quiet) as Program;
  await initialised;
  return api;
}

async function load(): Promise<WasmOpt> {
  const file = require.resolve('binaryen/bin/wasm-opt');
  const src = fs.readFileSync(file, 'utf8').replace(/^#!.*\n/, '');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jetwasm-fuzz-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  let api = await instantiateProgram(file, src);
  const w: WasmOpt = {
    capture(args: string[]): { status: number; lines: string[] } {
      // The program's file system is Node's own (NODERAWFS): its stdout is fs.writeSync on
      // descriptor 1, diverted here for the duration of the call.
      const chunks: Buffer[] = [];
      const nodeFs = require('fs') as { writeSync: unknown };
      const writeSync = nodeFs.writeSync;
      nodeFs.writeSync = (
        fd: number,
        buffer: Uint8Array,
        offset?: number,
        length?: number,
        ...rest: unknown[]
      ): number => {
        if (fd !== 1 || typeof buffer === 'string')
          return (writeSync as (...a: unknown[]) => number)(fd, buffer, offset, length, ...rest);
        const start = offset ?? 0;
        const n = length ?? buffer.length - start;
        chunks.push(Buffer.from(buffer.subarray(start, start + n)));
        return n;
      };
      let status: number;
      try {
        status = w.run(args);
      } finally {
        nodeFs.writeSync = writeSync;
      }
      const text = Buffer.concat(chunks).toString('utf8');
      const lines = text.split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      return { status, lines };
    },
    run(args: string[]): number {
      try {
        return api.callMain(args) ?? 0;
      } catch (e) {
        const status = (e as { status?: number }).status;
        if (typeof status === 'number') return status;
        throw e;
      }
    },
    async reload(): Promise<void> {
      api = await instantiateProgram(file, src);
    },
    scratch(name: string): string {
      return path.join(dir, name);
    },
  };
  return w;
}

/** Runs wasm-opt on `input` bytes with `args` and returns the output module, or null. */
export function optimise(
  w: WasmOpt,
  input: Uint8Array,
  args: string[],
  features: readonly string[] = FUZZ_FEATURES,
): Uint8Array | null {
  const i = w.scratch('opt-in.wasm');
  const o = w.scratch('opt-out.wasm');
  fs.writeFileSync(i, input);
  fs.rmSync(o, { force: true });
  const rc = w.run([i, ...features, '-q', ...args, '-o', o]);
  if (rc !== 0 || !fs.existsSync(o)) return null;
  return new Uint8Array(fs.readFileSync(o));
}

/** translate-to-fuzz: a random valid module from `entropy` bytes. */
export function generate(
  w: WasmOpt,
  entropy: Uint8Array,
  extra: string[] = [],
  features: readonly string[] = FUZZ_FEATURES,
): Uint8Array {
  const i = w.scratch('ttf-in.dat');
  const o = w.scratch('ttf-out.wasm');
  fs.writeFileSync(i, entropy);
  fs.rmSync(o, { force: true });
  const rc = w.run([i, '-ttf', ...features, '-q', ...extra, '-o', o]);
  if (rc !== 0 || !fs.existsSync(o)) throw new Error(`wasm-opt -ttf failed with status ${rc}`);
  return new Uint8Array(fs.readFileSync(o));
}

/**
 * binaryen's interpreter on `input` (`--fuzz-exec-before`): its log, one entry a line, or
 * null when wasm-opt fails (an abort leaves no usable log).
 */
export function fuzzExec(w: WasmOpt, input: Uint8Array, features: readonly string[]): string[] | null {
  const i = w.scratch('exec-in.wasm');
  fs.writeFileSync(i, input);
  const r = w.capture([i, ...features, '--fuzz-exec-before', '-q']);
  return r.status === 0 ? r.lines : null;
}

/**
 * `fuzzExec` in a child process with a larger stack: binaryen's interpreter recurses on the
 * host stack, and deep Wasm recursion can exhaust the stack of this process before the
 * interpreter reaches its own depth limit.
 */
export function fuzzExecDeepStack(w: WasmOpt, input: Uint8Array, features: readonly string[]): string[] | null {
  const i = w.scratch('exec-deep-in.wasm');
  fs.writeFileSync(i, input);
  const r = spawnSync(
    process.execPath,
    ['--stack-size=4000', require.resolve('binaryen/bin/wasm-opt'), i, ...features, '--fuzz-exec-before', '-q'],
    { encoding: 'utf8', maxBuffer: 1 << 28, timeout: 120_000 },
  );
  if (r.status !== 0) return null;
  const lines = r.stdout.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * The last step of shrinking a divergent module: a few simplifying pipelines, each kept only
 * if the output is smaller and `diverges` still holds for it.
 */
export async function shrinkByPasses(
  w: WasmOpt,
  bytes: Uint8Array,
  diverges: (b: Uint8Array) => Promise<boolean>,
  features: readonly string[] = FUZZ_FEATURES,
): Promise<Uint8Array> {
  let cur = bytes;
  for (const passes of [
    ['--remove-unused-module-elements'],
    ['-O1'],
    ['-Oz'],
    ['--vacuum', '--remove-unused-module-elements'],
  ]) {
    const o = optimise(w, cur, passes, features);
    if (o && o.length < cur.length && (await diverges(o))) cur = o;
  }
  return cur;
}
