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
