// Byte hashing and comparison for the compile caches (no host built-ins: the browser bundle
// loads this).
//
// hash64 is two interleaved lanes of xxHash32's round over little-endian 32-bit words, with
// the length and both lanes mixed into 64 bits. It is not cryptographic: keys are always
// confirmed by a full byte comparison, and as a checksum it detects damage, not forgery
// (the persistent cache's directory is private to its user for that reason). Each round is a
// bijection of its lane for a fixed word, and of the word for a fixed lane, so changing any
// one word (any byte) always changes the result.

const P1 = 0x9e3779b1 | 0;
const P2 = 0x85ebca77 | 0;
const P3 = 0xc2b2ae3d | 0;
const P4 = 0x27d4eb2f | 0;

function avalanche(h: number): number {
  h = Math.imul(h ^ (h >>> 15), P2);
  h = Math.imul(h ^ (h >>> 13), P3);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A 64-bit hash of `bytes` as 16 hex digits. */
export function hash64(bytes: Uint8Array, seed = 0): string {
  const n = bytes.length;
  const words = n >>> 2;
  let a = (seed + P1) | 0;
  let b = (seed ^ P4) | 0;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, n);
  let i = 0;
  for (; i + 1 < words; i += 2) {
    a = (a + Math.imul(dv.getInt32(i << 2, true), P2)) | 0;
    a = Math.imul((a << 13) | (a >>> 19), P1);
    b = (b + Math.imul(dv.getInt32((i + 1) << 2, true), P2)) | 0;
    b = Math.imul((b << 13) | (b >>> 19), P1);
  }
  if (i < words) {
    a = (a + Math.imul(dv.getInt32(i << 2, true), P2)) | 0;
    a = Math.imul((a << 13) | (a >>> 19), P1);
  }
  // The last 0-3 bytes: one zero-padded word (the length tells padding apart).
  if ((n & 3) !== 0) {
    let tail = 0;
    for (let k = words << 2, s = 0; k < n; k++, s += 8) tail |= bytes[k] << s;
    b = (b + Math.imul(tail, P2)) | 0;
    b = Math.imul((b << 13) | (b >>> 19), P1);
  }
  const hi = avalanche(a ^ n ^ Math.floor(n / 0x100000000));
  const lo = avalanche((b + Math.imul((a << 7) | (a >>> 25), P3)) | 0);
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

/** True when `a` and `b` hold the same bytes. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  const da = new DataView(a.buffer, a.byteOffset, n);
  const db = new DataView(b.buffer, b.byteOffset, n);
  let i = 0;
  for (; i + 4 <= n; i += 4) if (da.getInt32(i) !== db.getInt32(i)) return false;
  for (; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}
