// LEB128 encoders for tests that assemble Wasm binaries by hand.

/** Unsigned LEB128 of `n` (0 <= n < 2^32). */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}
