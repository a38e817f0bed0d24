// binaryen's wasm-opt, loaded once per process and called repeatedly (its Emscripten build
// reads and writes real files). Loading costs about half a second; each call afterwards
// costs tens of milliseconds, which is what makes thousands of generated modules practical.

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

export interface WasmOpt {
  /** Runs wasm-opt with `args`; returns its exit status. */
  run(args: string[]): number;
  /** A fresh instance of the program (after an abort its memory may be unusable). */
  reload(): Promise<void>;
  /** A scratch file path private to this process. */
  scratch(name: string): string;
}

let loading: Promise<WasmOpt> | null = null;

export function loadWasmOpt(): Promise<WasmOpt> {
  if (!loading) loading = load();
  return loading;
}

type Program = { callMain(args: string[]): number };

async function instantiateProgram(file: string, src: string): Promise<Program> {
  let ready!: () => void;
  const initialised = new Promise<void>((r) => { ready = r; });
  const quiet = (): void => {};
  // The program's own `var Module` picks up this object; noInitialRun keeps main() for us.
  const wrapper = new Function('require', '__filename', '__dirname', 'module', 'ready', 'quiet',
    'var Module = { noInitialRun: true, print: quiet, printErr: quiet, onRuntimeInitialized: ready };\n' +
    src + '\n;return { callMain: callMain };');
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
  return {
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
    scratch(name: string): string { return path.join(dir, name); },
  };
}

/** Runs wasm-opt on `input` bytes with `args` and returns the output module, or null. */
export function optimise(w: WasmOpt, input: Uint8Array, args: string[]): Uint8Array | null {
  const i = w.scratch('opt-in.wasm');
  const o = w.scratch('opt-out.wasm');
  fs.writeFileSync(i, input);
  fs.rmSync(o, { force: true });
  const rc = w.run([i, ...FUZZ_FEATURES, '-q', ...args, '-o', o]);
  if (rc !== 0 || !fs.existsSync(o)) return null;
  return new Uint8Array(fs.readFileSync(o));
}

/** translate-to-fuzz: a random valid module from `entropy` bytes. */
export function generate(w: WasmOpt, entropy: Uint8Array, extra: string[] = []): Uint8Array {
  const i = w.scratch('ttf-in.dat');
  const o = w.scratch('ttf-out.wasm');
  fs.writeFileSync(i, entropy);
  fs.rmSync(o, { force: true });
  const rc = w.run([i, '-ttf', ...FUZZ_FEATURES, '-q', ...extra, '-o', o]);
  if (rc !== 0 || !fs.existsSync(o)) throw new Error(`wasm-opt -ttf failed with status ${rc}`);
  return new Uint8Array(fs.readFileSync(o));
}
