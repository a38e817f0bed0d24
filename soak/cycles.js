'use strict';
// Phase a: instantiate, call, dispose, `cycles` times, half in one long-lived store and half
// in short-lived stores; heapUsed after gc sampled through the run must stay flat.

const { jetwasm, rng, heapAfterGc, judgeHeap, check } = require('./lib');

const WAT = `(module
  (import "host" "mix" (func $mix (param i32) (result i32)))
  (memory (export "mem") 1 8)
  (table (export "tab") 4 funcref)
  (global $g (export "g") (mut i32) (i32.const 7))
  (global $k (export "k") i64 (i64.const 40))
  (func $sq (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
  (func $neg (param i32) (result i32) (i32.sub (i32.const 0) (local.get 0)))
  (elem (i32.const 0) $sq $neg)
  (data (i32.const 16) "soak")
  (func (export "run") (param $x i32) (result i32)
    (global.set $g (i32.add (global.get $g) (local.get $x)))
    (i32.store (i32.const 0) (global.get $g))
    (if (i32.eq (i32.and (local.get $x) (i32.const 15)) (i32.const 15))
      (then (drop (memory.grow (i32.const 1)))))
    (i32.add
      (i32.add (call_indirect (param i32) (result i32) (local.get $x) (i32.and (local.get $x) (i32.const 1)))
               (call $mix (i32.load (i32.const 0))))
      (i32.load8_u (i32.const 16)))))`;

/** What `run(x)` returns for a fresh instance (global 7, mix = +1). */
function expected(x) {
  const g = 7 + x;
  return ((x & 1 ? -x : x * x) + (g + 1) + 0x73) | 0;
}

/**
 * opts: cycles, seed, samples (number of heap samples), bound (fraction), leakBytes (bytes
 * retained per cycle on purpose, to show the rule catches a leak), log.
 */
function run(opts) {
  const { Engine, Store, Module, Linker, Func } = jetwasm();
  const r = rng(opts.seed);
  const engine = new Engine();
  const module = Module.fromBinary(engine, jetwasm().parseWat(WAT));
  const longStore = new Store(engine);
  const linkerFor = (store) => {
    const l = new Linker(engine);
    l.define('host', 'mix', Func.fromHost(store, { kind: 'func', params: ['i32'], results: ['i32'] }, (v) => (v + 1) | 0));
    return l;
  };
  const longLinker = linkerFor(longStore);
  let shortStore = null;
  let shortLinker = null;
  let shortUses = 0;
  const leaked = [];

  const n = opts.cycles;
  const every = Math.max(1, Math.floor(n / opts.samples));
  const baselineAt = Math.max(1, Math.floor(n / 100));
  const samples = [];
  const t0 = performance.now();
  for (let i = 1; i <= n; i++) {
    let store;
    let linker;
    if (i & 1) {
      store = longStore;
      linker = longLinker;
    } else {
      if (shortStore === null || shortUses === 100) {
        if (shortStore !== null) shortStore.dispose();
        shortStore = new Store(engine);
        shortLinker = linkerFor(shortStore);
        shortUses = 0;
      }
      shortUses++;
      store = shortStore;
      linker = shortLinker;
    }
    const inst = linker.instantiate(store, module);
    const x = r.int(1 << 16);
    const got = inst.getFunc('run').call(x)[0];
    check(got === expected(x), () => `cycle ${i}: run(${x}) = ${got}, expected ${expected(x)}`);
    check(inst.getGlobal('g').get() === 7 + x, () => `cycle ${i}: global g = ${inst.getGlobal('g').get()}`);
    const mem = inst.getMemory('mem');
    check(mem.size() === ((x & 15) === 15 ? 2 : 1) && mem.dv.getInt32(0, true) === 7 + x, () => `cycle ${i}: memory state`);
    // Some cycles keep instances for a while, so the store holds more than one at a time.
    if (i % 97 === 0) {
      const more = linker.instantiate(store, module);
      more.getFunc('run').call(1);
      more.dispose();
    }
    inst.dispose();
    check(longStore.instances.length === 0, () => `cycle ${i}: the long-lived store holds ${longStore.instances.length} instances`);
    if (opts.leakBytes > 0) leaked.push(new Array(Math.ceil(opts.leakBytes / 8)).fill(i));
    if (i === baselineAt || i % every === 0 || i === n) {
      samples.push({ cycle: i, heap: heapAfterGc() });
      if (opts.log) opts.log(`  cycle ${i}: heapUsed ${(samples[samples.length - 1].heap / 1048576).toFixed(2)} MiB`);
    }
  }
  const ms = performance.now() - t0;
  if (shortStore !== null) shortStore.dispose();
  const baselineIndex = samples.findIndex((s) => s.cycle === baselineAt);
  const heap = judgeHeap(samples, baselineIndex, opts.bound);
  return { ok: heap.ok, cycles: n, ms, usPerCycle: (ms * 1000) / n, baselineAt, heap, samples, leaked: leaked.length };
}

module.exports = { run, WAT };
