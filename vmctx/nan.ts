// Whether this host keeps a NaN's bits in a JS number (docs/ARCHITECTURE.md, "Values in
// generated code"). Every float a Wasm program sees is a JS number in generated code, so the
// representation leans on the engine leaving a NaN's sign and payload alone when the number
// moves through variables, arguments and array slots. V8 does; engines that box doubles in
// NaN-tagged words (JavaScriptCore, SpiderMonkey) canonicalise every NaN they box, so only
// the positive quiet NaN 0x7ff8000000000000 survives there.
//
// Decided once per process, by what the host does rather than what it is called: a NaN with a
// payload and one with the sign bit set are read from a Float64Array, passed through a call
// and a generic array slot, and written back. On a host that changes either, the compiler and
// the runtime carry every other NaN as a `NaNBits` object (runtime/vm/values.ts), and
// generated code is the "carrier" variant of the translation (compiler/translate/nan.ts).
//
// JETWASM_NAN_CARRIERS=1 in the environment selects the carriers on any host (to test them
// under V8); every other value leaves the decision to the probe.

function pass(x: number): number {
  return x;
}

function hostKeepsNaNBits(): boolean {
  const f = new Float64Array(4);
  const w = new Int32Array(f.buffer);
  w[0] = 1;
  w[1] = 0x7ff40000; // a signalling NaN with a payload
  w[2] = 0;
  w[3] = 0xfff80000 | 0; // the quiet NaN with the sign bit set
  const held: unknown[] = [null, null];
  held[0] = pass(f[0]);
  held[1] = pass(f[1]);
  f[2] = held[0] as number;
  f[3] = held[1] as number;
  return w[4] === 1 && w[5] === 0x7ff40000 && w[6] === 0 && w[7] === (0xfff80000 | 0);
}

/**
 * True where NaNs other than 0x7ff8000000000000 need a carrier: the host canonicalises NaNs,
 * or the environment asks for carriers.
 */
export const NAN_CARRIERS: boolean =
  // Read through globalThis: pages and engine shells have no `process` (as runtime/host-env.ts).
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.JETWASM_NAN_CARRIERS ===
    '1' || !hostKeepsNaNBits();
