// Micro-benchmark: hash-wasm's Wasm binaries (sha256, blake3, crc32, xxhash64) run through
// jetwasm, the native WebAssembly engine and polywasm in one process. Prints MB/s and the
// ratio to native. Usage: node bench/micro/bench.js [dist dir] [names...]
// The dist dir is a compiled jetwasm (tsc outDir); default ../../dist.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '../..');
const dist = path.resolve(process.argv[2] || path.join(root, 'dist'));
const only = process.argv.slice(3);
const rt = require(path.join(dist, 'runtime'));
const { WebAssembly: PolyWasm } = require(path.join(root, 'node_modules/polywasm'));

const CHUNK = 16 * 1024;
const INIT_ARG = { sha256: 256, blake3: 256, crc32: 0xedb88320 | 0, xxhash64: 0 };

function wasmBytes(name) {
  const src = fs.readFileSync(path.join(root, `node_modules/hash-wasm/dist/${name}.umd.min.js`), 'utf8');
  return new Uint8Array(Buffer.from(/data:"([A-Za-z0-9+/=]+)"/.exec(src)[1], 'base64'));
}

/** A uniform driver: init, update(len), final, buffer pointer, memory getter. */
function nativeDriver(WA, bytes) {
  const inst = new WA.Instance(new WA.Module(bytes), {});
  const e = inst.exports;
  return { init: (a) => e.Hash_Init(a), update: (n) => e.Hash_Update(n), final: () => e.Hash_Final(0), buf: () => e.Hash_GetBuffer(), mem: () => new Uint8Array(e.memory.buffer) };
}
function jetDriver(bytes, config) {
  const engine = new rt.Engine(config);
  const store = new rt.Store(engine);
  const inst = rt.Instance.instantiate(store, rt.Module.fromBinary(engine, bytes), []);
  const f = (n) => inst.getExport(n);
  const init = f('Hash_Init'), update = f('Hash_Update'), fin = f('Hash_Final'), gb = f('Hash_GetBuffer');
  const mem = f('memory');
  return { init: (a) => init.call(...(init.type.params.length ? [a] : [])), update: (n) => update.call(n), final: () => fin.call(...(fin.type.params.length ? [0] : [])), buf: () => gb.call()[0], mem: () => mem.u8 };
}

function digest(d, len) {
  const m = d.mem();
  return Buffer.from(m.subarray(d.buf(), d.buf() + len)).toString('hex');
}

function run(d, name, ms) {
  const p = d.buf();
  const m = d.mem();
  for (let i = 0; i < CHUNK; i++) m[p + i] = (i * 31 + 7) & 0xff;
  // Warm up, then time whole chunks until `ms` elapses.
  d.init(INIT_ARG[name]);
  for (let i = 0; i < 20; i++) d.update(CHUNK);
  d.final();
  const check = digest(d, 32);
  d.init(INIT_ARG[name]);
  // Time is this process's CPU time (user + system), not wall time: the machine may be
  // shared, and CPU time is far less disturbed by other processes.
  let bytes = 0;
  const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
  const t0 = cpu();
  let t;
  do {
    for (let i = 0; i < 8; i++) d.update(CHUNK);
    bytes += 8 * CHUNK;
    t = cpu() - t0;
  } while (t < ms);
  d.final();
  return { mbps: bytes / 1048576 / (t / 1000), check };
}

const names = only.length ? only : ['sha256', 'blake3', 'crc32', 'xxhash64'];
const ms = Number(process.env.BENCH_MS || 1500);
for (const name of names) {
  const bytes = wasmBytes(name);
  const native = run(nativeDriver(WebAssembly, bytes), name, ms);
  const jet = run(jetDriver(bytes, { compilation: process.env.JET_LAZY ? 'lazy' : 'eager' }), name, ms);
  const poly = run(nativeDriver(PolyWasm, bytes), name, ms);
  const ok = jet.check === native.check && poly.check === native.check ? 'ok' : 'DIGEST MISMATCH';
  console.log(`${name.padEnd(9)} native ${native.mbps.toFixed(1).padStart(7)} MB/s  jetwasm ${jet.mbps.toFixed(1).padStart(7)} MB/s (${(jet.mbps / native.mbps).toFixed(3)}x)  polywasm ${poly.mbps.toFixed(1).padStart(7)} MB/s (${(poly.mbps / native.mbps).toFixed(3)}x)  jet/poly ${(jet.mbps / poly.mbps).toFixed(2)}  ${ok}`);
}
