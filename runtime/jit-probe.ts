// Whether the host runs JavaScript with a JIT compiler, which decides the code-generation
// profile (runtime/optlimit.ts codegenProfileFor). Decided by what the host does, not by
// what it has: JavaScriptCore without its JIT (`jsc --useJIT=false`) still has WebAssembly,
// and a host may lack WebAssembly for reasons other than a disabled JIT.
//
//   - Under Node, V8's own flags answer: `--jitless` on the command line (process.execArgv)
//     or in NODE_OPTIONS. Nothing is measured.
//   - Elsewhere a probe measures, once per process, the time per iteration of a small loop
//     calling Math.imul, after warming it up. An optimizing JIT inlines the call, while an
//     interpreter pays a dispatch and a real call, far above the threshold; one fast run
//     among several discounts preemption and a late background compiler. A host with only a
//     baseline tier about as fast as an interpreter (V8 --no-opt) counts as without a JIT,
//     as the interpreter profile suits it. It costs a few milliseconds on a JIT host and the
//     probe's budget without one, paid on the first compilation that needs the profile,
//     never at load.

type ProcessLike = { execArgv?: unknown; env?: Record<string, string | undefined>; versions?: { node?: string } };

/** A loop iteration costs at least this many nanoseconds without a JIT. */
export const INTERPRETED_NS_PER_ITERATION = 8;

let cached: boolean | undefined;

/** True if the host runs JavaScript with a JIT (see the file comment); computed once. */
export function hostHasJit(): boolean {
  if (cached === undefined) cached = nodeHasJit() ?? probeHasJit();
  return cached;
}

/** Node's answer from V8's flags, or undefined where the host is not Node. */
export function nodeHasJit(
  proc: ProcessLike | null = (globalThis as { process?: ProcessLike }).process ?? null,
): boolean | undefined {
  if (proc === null || typeof proc.versions?.node !== 'string') return undefined;
  const argv = Array.isArray(proc.execArgv) ? (proc.execArgv as unknown[]) : [];
  if (argv.some((a) => a === '--jitless')) return false;
  const opts = proc.env?.NODE_OPTIONS ?? '';
  return !/(^|\s)--jitless(\s|$)/.test(opts);
}

/** Math.imul, captured once: a global lookup costs differently from host to host (much
 *  more inside a Node vm context), a binding does not. */
const imul = Math.imul;

/** The probe's loop: a builtin call per iteration, which compiled code inlines and an
 *  interpreter dispatches as a real call. */
function loop(n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s = (s + imul(i, 7)) | 0;
  return s;
}

/** A clock in milliseconds, the finest the host offers. */
function clock(): { now: () => number; resolutionMs: number } {
  const perf = (globalThis as { performance?: { now?: () => number } }).performance;
  if (perf && typeof perf.now === 'function') return { now: () => perf.now!(), resolutionMs: 0.1 };
  const precise = (globalThis as { preciseTime?: () => number }).preciseTime; // engine shells
  if (typeof precise === 'function') return { now: () => precise() * 1000, resolutionMs: 0.1 };
  return { now: () => Date.now(), resolutionMs: 1 };
}

/** The timing probe: true when compiled code runs the loop. Rounds repeat until one is fast
 *  or `budgetMs` of measuring has passed: an optimizing compiler works in the background and
 *  on a loaded host may finish late, so a JIT host can need more rounds than the first few,
 *  while a host without one pays the whole budget, once. */
export function probeHasJit(budgetMs = 25): boolean {
  const { now, resolutionMs } = clock();
  // Enough iterations that an interpreted run spans many clock ticks (and a compiled one a
  // few): with a coarse clock, proportionally more.
  const n = resolutionMs < 1 ? 100_000 : 1_000_000;
  const limitNs = INTERPRETED_NS_PER_ITERATION * n;
  let sink = 0;
  for (let k = 0; k < 3; k++) sink ^= loop(n);
  const start = now();
  let fast = false;
  for (let k = 0; !fast && (k < 4 || now() - start < budgetMs); k++) {
    const t0 = now();
    sink ^= loop(n);
    fast = (now() - t0) * 1e6 < limitNs;
  }
  if (sink === 0.5) return false; // never: keeps the loops' results alive
  return fast;
}

// ---------------------------------------------------------------- i64 representation
//
// Without a JIT, which representation of i64 runs faster differs by interpreter: V8's
// Ignition runs a BigInt multiply-add in a few bytecodes with native handlers and is faster
// on BigInts than on word pairs (three imul calls and double arithmetic), JavaScriptCore's
// interpreter is faster on word pairs. Both hosts offer the same features, so a probe
// measures, once per process and only for code generated for a host without a JIT
// (optlimit.ts i64LoweringFor): the same multiply-add chain in both forms, alternately.

/** x = x * P + A (mod 2^64), n times, on a BigInt, as BigInt-mode code writes it (the mask a
 *  literal: a module constant would cost a context load and a hole check per use). */
function bigIntLoop(n: number): bigint {
  let x = 0x0123456789abcdefn;
  for (let i = 0; i < n; i++)
    x = (((x * 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn) + 0x165667b19e3779f9n) & 0xffffffffffffffffn;
  return x;
}

/** The same on word pairs (as word-pair code writes it). */
function wordPairLoop(n: number): number {
  let lo = 0x89abcdef | 0,
    hi = 0x01234567;
  for (let i = 0; i < n; i++) {
    const q = imul(lo, 0x7f4a7c15);
    const h =
      ((((lo >>> 0) * 0x7f4a7c15 - (q >>> 0)) / 4294967296 + 0.5) | 0) +
      imul(lo, 0x9e3779b9 | 0) +
      imul(hi, 0x7f4a7c15);
    lo = (q + 0x9e3779f9) | 0;
    hi = (h + 0x165667b1 + (lo >>> 0 < q >>> 0 ? 1 : 0)) | 0;
  }
  return lo ^ hi;
}

let prefersBigInt: boolean | undefined;

/** True if BigInt arithmetic beats word pairs by a tenth or more on this host; computed once.
 *  Under V8's interpreter the BigInt loop takes about two thirds of the word pairs' time,
 *  under JavaScriptCore's nearly twice as long. */
export function hostPrefersBigInt(): boolean {
  if (prefersBigInt === undefined) prefersBigInt = probePrefersBigInt();
  return prefersBigInt;
}

/**
 * The least times of two runs, alternated over up to six rounds: early rounds can be slower
 * (young-generation growth), and three settle it unless the two are close.
 */
function alternatedMinima(a: () => void, b: () => void): { a: number; b: number } {
  const { now } = clock();
  let ta = Infinity,
    tb = Infinity;
  for (let k = 0; k < 6; k++) {
    const t0 = now();
    a();
    const t1 = now();
    b();
    const t2 = now();
    ta = Math.min(ta, t1 - t0);
    tb = Math.min(tb, t2 - t1);
    if (k >= 2 && (ta < 0.75 * tb || ta > 1.3 * tb)) break;
  }
  return { a: ta, b: tb };
}

export function probePrefersBigInt(n = 4000): boolean {
  let sink = bigIntLoop(16) === 0n ? 1 : 0;
  sink ^= wordPairLoop(16);
  const t = alternatedMinima(
    () => {
      if (bigIntLoop(n) === 0n) sink ^= 1;
    },
    () => {
      sink ^= wordPairLoop(n);
    },
  );
  if (sink === 0.5) return false; // never: keeps the loops' results alive
  return t.a < 0.9 * t.b;
}

// Without a JIT, the cheaper way to reach memory also differs by interpreter: V8's Ignition
// spends an inline-cache lookup on each `dv.setInt32` (a method found on the prototype) and
// calls a bound setter and reads a typed array for less, while JavaScriptCore's interpreter
// calls bound functions at a high cost. The probe runs one load and one store per iteration
// in each form 'interpreter' code can take (compiler/translate/env.ts MemoryAccessForm),
// alternately, as the BigInt probe does.

/** A load and a store through the DataView's methods, as 'dataview' access writes them. */
function methodAccessLoop(dv: DataView, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const a = (i & 255) << 2;
    s = (s + dv.getInt32(a, true)) | 0;
    dv.setInt32(a + 4, s, true);
  }
  return s;
}

/** The same as 'arrays-first' access writes them (the setter bound to the DataView). */
function arraysFirstLoop(
  dv: DataView,
  w: Int32Array,
  set: (offset: number, value: number, littleEndian: boolean) => void,
  n: number,
): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const a = (i & 255) << 2;
    s = (s + (w[a / 4] ?? dv.getInt32(a, true))) | 0;
    set(a + 4, s, true);
  }
  return s;
}

let prefersArraysFirst: boolean | undefined;

/** True if 'arrays-first' memory access beats 'dataview' by a tenth or more on this host;
 *  computed once. */
export function hostPrefersArraysFirst(): boolean {
  if (prefersArraysFirst === undefined) prefersArraysFirst = probePrefersArraysFirst();
  return prefersArraysFirst;
}

export function probePrefersArraysFirst(n = 2000): boolean {
  const buffer = new ArrayBuffer(1040);
  const dv = new DataView(buffer);
  const w = new Int32Array(buffer);
  const set = dv.setInt32.bind(dv);
  let sink = methodAccessLoop(dv, 16) ^ arraysFirstLoop(dv, w, set, 16);
  const t = alternatedMinima(
    () => {
      sink ^= arraysFirstLoop(dv, w, set, n);
    },
    () => {
      sink ^= methodAccessLoop(dv, n);
    },
  );
  if (sink === 0.5) return false; // never: keeps the loops' results alive
  return t.a < 0.9 * t.b;
}
