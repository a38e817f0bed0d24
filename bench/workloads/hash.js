// hash-wasm digests over 8 MiB: sha256, xxhash64 (64-bit integer arithmetic), blake3, crc32.
// One repetition = init + update(8 MiB) + digest; hash-wasm copies the input into Wasm
// memory in chunks, as an application would. The digest is the correctness check.
'use strict';
const fs = require('fs');
const path = require('path');
const { freshRequire } = require('../harness');

const ROOT = path.resolve(__dirname, '../..');
const PKG = path.join(ROOT, 'node_modules/hash-wasm');

const ALGORITHMS = [
  { name: 'sha256', file: 'sha256', create: 'createSHA256' },
  { name: 'xxhash64', file: 'xxhash64', create: 'createXXHash64' },
  { name: 'blake3', file: 'blake3', create: 'createBLAKE3' },
  { name: 'crc32', file: 'crc32', create: 'createCRC32' },
];

/** Deterministic input: xorshift32 bytes. */
function makeInput(bytes) {
  const out = new Uint8Array(bytes);
  const w = new Uint32Array(out.buffer);
  let x = 0x9e3779b9;
  for (let i = 0; i < w.length; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    w[i] = x >>> 0;
  }
  return out;
}

function distFile(alg) {
  return path.join(PKG, 'dist', `${alg.file}.umd.min.js`);
}

/** The Wasm module embedded (base64) in hash-wasm's bundle for `alg`. */
function wasmBytes(alg) {
  const src = fs.readFileSync(distFile(alg), 'utf8');
  const m = /data:"([A-Za-z0-9+/=]+)"/.exec(src);
  if (!m) throw new Error(`no embedded wasm in ${distFile(alg)}`);
  return new Uint8Array(Buffer.from(m[1], 'base64'));
}

function workloads(opts) {
  const size = opts.hashMiB * 1024 * 1024;
  let input = null;
  return ALGORITHMS.map((alg) => ({
    name: `${alg.name} ${opts.hashMiB} MiB`,
    key: alg.name,
    unit: 'MiB/s',
    scale: 1 / (1024 * 1024),
    wasm: () => [wasmBytes(alg)],
    async setup() {
      if (!input) input = makeInput(size);
      const lib = freshRequire(distFile(alg), PKG);
      return { hasher: await lib[alg.create]() };
    },
    run({ hasher }) {
      hasher.init();
      hasher.update(input);
      return { work: size, check: hasher.digest('hex') };
    },
  }));
}

module.exports = { workloads };
