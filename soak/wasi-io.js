'use strict';
// The three processes of the WASI phase, joined by the shell with pipes:
//   node wasi-io.js gen BYTES SEED | node --expose-gc wasi-io.js guest BYTES | node wasi-io.js sink
// gen writes BYTES deterministic bytes; guest runs a WASI program (WAT below) that copies its
// stdin to its stdout, checksumming as it goes; sink counts and hashes what arrives. Each
// prints one line `SOAK-WASI {json}` on stderr.

const crypto = require('crypto');
const path = require('path');

// _start: fd_read 64 KiB at a time into memory at 1024, FNV-1a over the bytes, fd_write all
// of them to stdout, then tell the host how many bytes went through (soak.progress).
const GUEST_WAT = `(module
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "soak" "progress" (func $progress (param i64)))
  (memory (export "memory") 2)
  (global $sum (export "checksum") (mut i32) (i32.const 0x811c9dc5))
  (global $total (export "total") (mut i64) (i64.const 0))
  (func (export "_start") (local $n i32) (local $p i32) (local $end i32) (local $h i32) (local $w i32)
    (local.set $h (global.get $sum))
    (block $eof (loop $rd
      (i32.store (i32.const 0) (i32.const 1024))
      (i32.store (i32.const 4) (i32.const 65536))
      (if (call $read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 16)) (then (call $exit (i32.const 70))))
      (local.set $n (i32.load (i32.const 16)))
      (br_if $eof (i32.eqz (local.get $n)))
      (local.set $p (i32.const 1024))
      (local.set $end (i32.add (i32.const 1024) (local.get $n)))
      (loop $ck
        (local.set $h (i32.mul (i32.xor (local.get $h) (i32.load8_u (local.get $p))) (i32.const 0x01000193)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br_if $ck (i32.lt_u (local.get $p) (local.get $end))))
      (local.set $p (i32.const 1024))
      (loop $wr
        (i32.store (i32.const 32) (local.get $p))
        (i32.store (i32.const 36) (local.get $n))
        (if (call $write (i32.const 1) (i32.const 32) (i32.const 1) (i32.const 48)) (then (call $exit (i32.const 71))))
        (local.set $w (i32.load (i32.const 48)))
        (local.set $p (i32.add (local.get $p) (local.get $w)))
        (local.set $n (i32.sub (local.get $n) (local.get $w)))
        (br_if $wr (local.get $n)))
      (global.set $total (i64.add (global.get $total) (i64.extend_i32_u (i32.sub (local.get $end) (i32.const 1024)))))
      (call $progress (global.get $total))
      (br $rd)))
    (global.set $sum (local.get $h))))`;

const report = (o) => process.stderr.write('SOAK-WASI ' + JSON.stringify(o) + '\n');

/** FNV-1a (32 bits) continued from `h` over `b`, as the guest computes it. */
function fnv(h, b) {
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return h;
}

async function gen(total, seed) {
  const { rng } = require('./lib');
  const r = rng(seed);
  const block = Buffer.alloc(1 << 20);
  for (let i = 0; i < block.length; i++) block[i] = r.int(256);
  const sha = crypto.createHash('sha256');
  let h = 0x811c9dc5;
  let sent = 0;
  for (let chunk = 0; sent < total; chunk++) {
    // Each chunk differs (its number in its first bytes) and its length varies.
    const len = Math.min(total - sent, block.length - r.int(4096));
    const out = Buffer.from(block.subarray(0, len));
    if (len >= 4) out.writeUInt32LE(chunk, 0);
    sha.update(out);
    h = fnv(h, out);
    sent += len;
    if (!process.stdout.write(out)) await new Promise((res) => process.stdout.once('drain', res));
  }
  await new Promise((res) => process.stdout.end(res));
  report({ role: 'gen', bytes: sent, sha256: sha.digest('hex'), checksum: h >>> 0 });
}

function sink() {
  const sha = crypto.createHash('sha256');
  let bytes = 0;
  process.stdin.on('data', (d) => { bytes += d.length; sha.update(d); });
  process.stdin.on('end', () => report({ role: 'sink', bytes, sha256: sha.digest('hex') }));
}

function guest(expected) {
  const dist = path.join(__dirname, '..', 'dist');
  const { Engine, Store, Module, Linker, Func, parseWat } = require(path.join(dist, 'index.js'));
  const { Wasi } = require(path.join(dist, 'runtime', 'wasi', 'index.js'));
  const { heapAfterGc, judgeHeap } = require('./lib');
  const engine = new Engine();
  const store = new Store(engine);
  const wasi = new Wasi({ args: ['soak-cat'] });
  const linker = new Linker(engine);
  wasi.defineImports(linker, store);
  const samples = [];
  const baselineAt = Math.max(1, Math.floor(expected / 100));
  const every = Math.max(baselineAt, Math.floor(expected / 20));
  let next = baselineAt;
  let inst = null;
  linker.define('soak', 'progress', Func.fromHost(store, { kind: 'func', params: ['i64'], results: [] }, (total) => {
    if (Number(total) >= next) {
      samples.push({ bytes: Number(total), heap: heapAfterGc(), pages: inst.getMemory('memory').size() });
      next = samples.length === 1 ? every : next + every;
    }
  }));
  const t0 = performance.now();
  inst = linker.instantiate(store, Module.fromBinary(engine, parseWat(GUEST_WAT)));
  const exit = wasi.start(inst);
  const ms = performance.now() - t0;
  samples.push({ bytes: Number(inst.getGlobal('total').get()), heap: heapAfterGc(), pages: inst.getMemory('memory').size() });
  const heap = samples.length > 1 ? judgeHeap(samples, 0, 0.1) : null;
  report({ role: 'guest', exit, bytes: Number(inst.getGlobal('total').get()), checksum: inst.getGlobal('checksum').get() >>> 0, ms, heap, samples });
}

if (require.main === module) {
  const [mode, a, b] = process.argv.slice(2);
  if (mode === 'gen') gen(Number(a), Number(b));
  else if (mode === 'sink') sink();
  else if (mode === 'guest') guest(Number(a));
  else throw new Error(`unknown mode ${mode}`);
}

module.exports = { GUEST_WAT, fnv };
