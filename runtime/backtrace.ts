// Wasm backtraces: which Wasm functions were on the stack when an error (a trap, a Wasm
// exception, a host error passing through Wasm) was created, innermost first, recovered
// from the error's JS stack trace.
//
// Generated code names its JS functions after the defined function index (see
// compiler/translate/func.ts translateFunction and translate/index.ts):
//   fN   eager mode: the function (its identity and code); lazy mode: its translated code
//        (lazyCompile names it so; the identity is a stub named `lazyStub`, LAZY_STUB_NAME,
//        whose frames carry no index and are skipped);
//   gN   translated code of fN as generated (a frame named cN, from a factory that wrapped
//        first calls, is treated as a wrapper of fN);
//   fNb / gNb  the body of a trampolined function (one containing return_call*);
//   R<k> an outlined region, a nested function called only from its enclosing function
//        (or from another region of it), so that function's own frame is always further out.
// Instantiation renames fN (and lazyCompile renames gN like its stub) to the function's
// name from the name section, so a frame's name is either that name or one of the above.
//
// A frame belongs to generated code only if V8 reports it as evaluated code ("eval at ...")
// or as code of a deserialized module's script ("jetwasm-module:...");
// host frames (runtime helpers, host functions, the embedder) are never listed.
// The JS stack holds at most Error.stackTraceLimit frames (10 by default) counted from the
// innermost, host frames included: raise the limit before calling into Wasm to see more.

import type { ModuleIR } from '../compiler/ir';

export interface WasmFrame {
  /** Function index in the module's function index space (imports first). */
  readonly func: number;
  /** The function's name from the name section, if it has one. */
  readonly name?: string;
  /** Byte offset in the module binary of the function's body in the code section. */
  readonly offset?: number;
}

interface RawFrame {
  readonly name: string;
  /** Where V8 says the evaluated code came from; equal for code from the same eval site. */
  readonly origin: string;
}

// `    at NAME (eval at SITE (FILE:L:C), <anonymous>:L:C)`; the name is everything before
// the first " (eval at " (a Wasm name containing that text is not recognised).
const EVAL_FRAME = /^\s*at (?:new )?(.*?) \((eval at .*), <anonymous>:\d+:\d+\)$/;
// Code of a deserialized module (runtime/cache/serialize.ts) is one script named
// `jetwasm-module:HASH-LINE`: the factory up to line LINE, then lazily translated functions.
// The two parts count as different origins, like the eval sites of the other code.
const CACHED_FRAME = /^\s*at (?:new )?(.*?) \((jetwasm-module:[0-9a-f]+)-(\d+):(\d+):\d+\)$/;

function rawFrames(stack: string): RawFrame[] {
  const out: RawFrame[] = [];
  for (const line of stack.split('\n')) {
    const m = EVAL_FRAME.exec(line);
    if (m) {
      out.push({ name: m[1], origin: m[2] });
      continue;
    }
    const c = CACHED_FRAME.exec(line);
    if (c) out.push({ name: c[1], origin: `${c[2]}:${Number(c[4]) > Number(c[3]) ? 'lazy' : 'factory'}` });
  }
  return out;
}

type Role = 'identity' | 'body' | 'wrapper' | 'region';

/**
 * Lists the Wasm frames of `error`'s stack trace, innermost first. `module` is the module
 * whose code is on the stack (anything with its decoded `ir`, e.g. a runtime Module): every
 * frame of generated code is attributed to it. Returns [] for values without a stack.
 */
export function wasmBacktrace(error: unknown, module: { readonly ir: ModuleIR }): WasmFrame[] {
  const stack = typeof error === 'object' && error !== null ? (error as { stack?: unknown }).stack : undefined;
  if (typeof stack !== 'string') return [];
  const m = module.ir;
  const imported = m.numImportedFuncs;
  const total = imported + m.codes.length;
  const names = m.names?.funcs ?? new Map<number, string>();
  // A name shared by several functions stands for the lowest index.
  const byName = new Map<string, number>();
  for (const [i, n] of [...names].sort((a, b) => a[0] - b[0])) {
    if (i >= imported && i < total && !byName.has(n)) byName.set(n, i);
  }

  const classify = (name: string): { func: number; role: Role } | undefined => {
    if (/^R\d+$/.test(name)) return { func: -1, role: 'region' };
    const named = byName.get(name);
    if (named !== undefined) return { func: named, role: 'identity' };
    const g = /^([fgc])(\d+)(b?)$/.exec(name);
    if (!g) return undefined;
    const func = Number(g[2]);
    if (func < imported || func >= total) return undefined;
    if (g[1] === 'c') return { func, role: 'wrapper' };
    return { func, role: g[3] === 'b' || g[1] === 'g' ? 'body' : 'identity' };
  };

  // Merge the frames of one Wasm activation: a body (gN, fNb) with the identity or wrapper
  // frames of the same function directly outside it, and a lazily translated function with
  // its stub (same function, code from a different eval site). Two identity frames of the
  // same function from the same eval site are recursion and stay separate.
  const out: { func: number; origin: string; role: Role }[] = [];
  for (const f of rawFrames(stack)) {
    const c = classify(f.name);
    if (!c || c.role === 'region') continue;
    const prev = out[out.length - 1];
    if (
      prev &&
      prev.func === c.func &&
      c.role !== 'body' &&
      (prev.role === 'body' || c.role === 'wrapper' || prev.origin !== f.origin)
    ) {
      continue;
    }
    out.push({ func: c.func, origin: f.origin, role: c.role });
  }
  return out.map(({ func }) => {
    const name = names.get(func);
    const offset = m.codes[func - imported]?.pos;
    return { func, ...(name !== undefined ? { name } : {}), ...(offset !== undefined ? { offset } : {}) };
  });
}

/** One line per frame, Wasmtime-style: `    0: name (function 2) at offset 0x4a`. */
export function formatWasmBacktrace(frames: readonly WasmFrame[]): string[] {
  return frames.map((f, i) => {
    const what = f.name !== undefined ? `${f.name} (function ${f.func})` : `function ${f.func}`;
    const at = f.offset !== undefined ? ` at offset 0x${f.offset.toString(16)}` : '';
    return `    ${i}: ${what}${at}`;
  });
}
