'use strict';
// Phase b: one store whose instances trap in every way the runtime can, in random order,
// many times. After each trap the store, the trapping instance and a healthy instance keep
// working, and state holds what Wasm semantics say: the writes a function made before it
// trapped stay, none after; the store holds exactly the live instances.

const { jetwasm, rng, heapAfterGc, judgeHeap, check } = require('./lib');

// Every trapping export first records one effect (global $fx and memory word 8 both +1),
// then traps; a write after the trap point (+1000) must never happen.
const TRAPS_WAT = `(module
  (import "h" "boom" (func $boom))
  (import "h" "tick" (func $tick))
  (import "h" "reenter" (func $reenter))
  (type $ii (func (param i32) (result i32)))
  (type $v (func))
  (tag $err (param i32))
  (memory (export "mem") 1 16)
  (memory $sh 1 1 shared)
  (table $t 4 8 funcref)
  (global $fx (export "fx") (mut i32) (i32.const 0))
  (func $fx (param $d i32)
    (global.set $fx (i32.add (global.get $fx) (local.get $d)))
    (i32.store (i32.const 8) (global.get $fx)))
  (func $id (type $ii) (local.get 0))
  (func $nop (type $v))
  (elem (table $t) (i32.const 0) func $id $nop)
  (data $seg "0123456789")
  (elem $eseg func $id $id $id)
  (func $rec (param i32) (result i32) (i32.add (call $rec (local.get 0)) (i32.const 1)))
  (func (export "ok") (param i32) (result i32) (call_indirect $t (type $ii) (local.get 0) (i32.const 0)))
  (func (export "unreachable") (call $fx (i32.const 1)) unreachable (call $fx (i32.const 1000)))
  (func (export "divZero") (param i32) (result i32) (call $fx (i32.const 1)) (i32.div_s (i32.const 1) (local.get 0)))
  (func (export "remZero64") (param i64) (result i64) (call $fx (i32.const 1)) (i64.rem_u (i64.const 1) (local.get 0)))
  (func (export "overflow") (result i32) (call $fx (i32.const 1)) (i32.div_s (i32.const 0x80000000) (i32.const -1)))
  (func (export "badConversion") (param f64) (result i32) (call $fx (i32.const 1)) (i32.trunc_f64_s (local.get 0)))
  (func (export "oobLoad") (param i32) (result i32) (call $fx (i32.const 1)) (i32.load (local.get 0)))
  (func (export "oobStore") (param i32) (call $fx (i32.const 1)) (i64.store (local.get 0) (i64.const -1)) (call $fx (i32.const 1000)))
  (func (export "oobFill") (call $fx (i32.const 1))
    (memory.fill (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 100)) (i32.const 7) (i32.const 101)))
  (func (export "oobInit") (call $fx (i32.const 1))
    (memory.init $seg (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 5)) (i32.const 0) (i32.const 10)))
  (func (export "oobTable") (call $fx (i32.const 1)) (drop (call_indirect $t (type $ii) (i32.const 0) (i32.const 100))))
  (func (export "oobTableGet") (call $fx (i32.const 1)) (drop (table.get $t (i32.const 9))))
  (func (export "oobTableInit") (call $fx (i32.const 1)) (table.init $t $eseg (i32.const 3) (i32.const 0) (i32.const 3)))
  (func (export "nullEntry") (call $fx (i32.const 1)) (call_indirect $t (type $v) (i32.const 3)))
  (func (export "typeMismatch") (call $fx (i32.const 1)) (call_indirect $t (type $v) (i32.const 0)))
  (func (export "nullRef") (call $fx (i32.const 1)) (drop (ref.as_non_null (ref.null func))))
  (func (export "unaligned") (call $fx (i32.const 1)) (drop (i32.atomic.load $sh (i32.const 2))))
  (func (export "stack") (call $fx (i32.const 1)) (drop (call $rec (i32.const 0))))
  (func (export "throw") (call $fx (i32.const 1)) (throw $err (global.get $fx)))
  (func (export "hostThrows") (call $fx (i32.const 1)) (call $boom) (call $fx (i32.const 1000)))
  (func (export "reenter") (call $fx (i32.const 1)) (call $reenter) (call $fx (i32.const 1000)))
  (func (export "spin") (call $fx (i32.const 1)) (loop (br 0)))
  (func (export "spinTicks") (call $fx (i32.const 1)) (loop (call $tick) (br 0)))
  (func (export "growOrTrap") (param i32) (call $fx (i32.const 1))
    (if (i32.eq (memory.grow (local.get 0)) (i32.const -1)) (then unreachable))
    (drop (memory.grow (i32.sub (i32.const 0) (i32.const 0)))))
  (func (export "size") (result i32) (memory.size))
  (func (export "tableGrow") (param i32) (result i32) (call $fx (i32.const 1)) (table.grow $t (ref.null func) (local.get 0))))`;

// A healthy instance with state of its own: a counter in a global and a memory word.
const HEALTHY_WAT = `(module
  (memory (export "mem") 1)
  (global $n (export "n") (mut i64) (i64.const 0))
  (func (export "bump") (result i64)
    (global.set $n (i64.add (global.get $n) (i64.const 1)))
    (i64.store (i32.const 64) (global.get $n))
    (global.get $n)))`;

// Instantiation failures in the same store: a trapping start function, a data segment out
// of bounds after one in bounds, an element segment out of bounds.
const FAILING_WATS = [
  '(module (memory 1) (global (mut i32) (i32.const 0)) (func $s (global.set 0 (i32.const 1)) unreachable) (start $s))',
  '(module (memory 1) (data (i32.const 0) "ok") (data (i32.const 65535) "no"))',
  '(module (table 1 funcref) (func $f) (elem (i32.const 1) $f))',
];

function run(opts) {
  const { Engine, Store, Module, Func, RuntimeError, WasmException, parseWat, instantiateTracked } = jetwasm();
  const r = rng(opts.seed);
  const engine = new Engine({ consumeFuel: true, epochInterruption: true });
  const store = new Store(engine);
  const FUEL = 1e15;
  store.setFuel(FUEL);
  const PAGE_LIMIT = 12;
  let limiterThrows = false;
  store.limiter({
    memoryGrowing: (_c, desired) => {
      if (limiterThrows) throw new RangeError('limiter says no');
      return desired <= PAGE_LIMIT;
    },
    tableGrowing: (_c, desired) => desired <= 6,
  });
  const fn = (params, results, f) => Func.fromHost(store, { kind: 'func', params, results }, f);
  let ticks = 0;
  let tickAt = 0;
  let trapsInst = null;
  const boom = fn([], [], () => { throw new TypeError('host says no'); });
  const tick = fn([], [], () => { if (++ticks === tickAt) engine.incrementEpoch(); });
  const reenter = fn([], [], () => { trapsInst.getFunc('divZero').call(0); });
  const mTraps = Module.fromBinary(engine, parseWat(TRAPS_WAT));
  const mHealthy = Module.fromBinary(engine, parseWat(HEALTHY_WAT));
  const mFailing = FAILING_WATS.map((w) => Module.fromBinary(engine, parseWat(w)));
  trapsInst = instantiateTracked(store, mTraps, [boom, tick, reenter]);
  const healthy = instantiateTracked(store, mHealthy, []);
  const f = (name) => trapsInst.getFunc(name);
  const isTrap = (msg) => (e) => e instanceof RuntimeError && msg.test(e.message);

  // name → [call, expected error, whether the effect may be missing (the trap may come at
  // the function's entry, before the effect)]
  const kinds = {
    unreachable: [() => f('unreachable').call(), isTrap(/^unreachable/)],
    divZero: [() => f('divZero').call(0), isTrap(/divide by zero/)],
    remZero64: [() => f('remZero64').call(0n), isTrap(/divide by zero/)],
    overflow: [() => f('overflow').call(), isTrap(/integer overflow/)],
    badConversion: [() => f('badConversion').call(r.pick([NaN, 1e10, -3e9, Infinity])), isTrap(/invalid conversion|integer overflow/)],
    oobLoad: [() => f('oobLoad').call(trapsInst.getMemory('mem').size() * 65536 - r.int(3)), isTrap(/out of bounds memory/)],
    oobStore: [() => f('oobStore').call(-1 - r.int(7)), isTrap(/out of bounds memory/)],
    oobFill: [() => f('oobFill').call(), isTrap(/out of bounds memory/)],
    oobInit: [() => f('oobInit').call(), isTrap(/out of bounds memory/)],
    oobTable: [() => f('oobTable').call(), isTrap(/undefined element|out of bounds table/)],
    oobTableGet: [() => f('oobTableGet').call(), isTrap(/out of bounds table/)],
    oobTableInit: [() => f('oobTableInit').call(), isTrap(/out of bounds table/)],
    nullEntry: [() => f('nullEntry').call(), isTrap(/uninitialized element/)],
    typeMismatch: [() => f('typeMismatch').call(), isTrap(/indirect call type mismatch/)],
    nullRef: [() => f('nullRef').call(), isTrap(/null/)],
    unaligned: [() => f('unaligned').call(), isTrap(/unaligned atomic/)],
    stack: [() => f('stack').call(), isTrap(/call stack exhausted/)],
    throw: [() => f('throw').call(), (e) => e instanceof WasmException],
    hostThrows: [() => f('hostThrows').call(), (e) => e instanceof TypeError && e.message === 'host says no'],
    reenter: [() => f('reenter').call(), isTrap(/divide by zero/), 2],
    fuel: [() => { store.setFuel(r.int(5000)); f('spin').call(); }, isTrap(/^all fuel consumed$/), 'maybe'],
    deadline: [() => { store.setDeadline(r.int(3)); f('spin').call(); }, isTrap(/^interrupt$/), 'maybe'],
    epoch: [() => { ticks = 0; tickAt = 1 + r.int(2000); store.setEpochDeadline(1); f('spinTicks').call(); }, isTrap(/^interrupt$/)],
    growRefused: [() => f('growOrTrap').call(PAGE_LIMIT + 1), isTrap(/^unreachable/)],
    limiterThrows: [() => { limiterThrows = true; f('growOrTrap').call(1); }, (e) => e instanceof RangeError && e.message === 'limiter says no'],
    tableGrowRefused: [() => { const v = f('tableGrow').call(7)[0]; throw new Error(`table.grow returned ${v}`); }, (e) => e.message === 'table.grow returned -1'],
    startTraps: [() => instantiateTracked(store, mFailing[0], []), isTrap(/^unreachable/), 0],
    dataSegment: [() => instantiateTracked(store, mFailing[1], []), isTrap(/out of bounds memory/), 0],
    elemSegment: [() => instantiateTracked(store, mFailing[2], []), isTrap(/out of bounds table/), 0],
  };
  const names = Object.keys(kinds);
  const counts = Object.fromEntries(names.map((n) => [n, 0]));
  const rounds = opts.rounds;
  const samples = [];
  const baselineAt = Math.max(1, Math.floor(rounds / 100));
  const every = Math.max(1, Math.floor(rounds / opts.samples));
  let bumps = 0n;
  const t0 = performance.now();
  for (let i = 1; i <= rounds; i++) {
    const name = r.pick(names);
    const [call, matches, effect = 1] = kinds[name];
    const fxBefore = trapsInst.getGlobal('fx').get();
    const sizeBefore = trapsInst.getMemory('mem').size();
    let err = null;
    try {
      call();
    } catch (e) {
      err = e;
    }
    check(err !== null && matches(err), () => `round ${i} (${name}): ${err === null ? 'no error' : `${err.name}: ${err.message}`}`);
    counts[name]++;
    // Everything back to normal running.
    limiterThrows = false;
    store.setFuel(FUEL);
    store.setDeadline(Infinity);
    store.setEpochDeadline(1e9);
    // The effects before the trap stay, none after it; memory mirrors the global.
    const fx = trapsInst.getGlobal('fx').get();
    const d = fx - fxBefore;
    check(effect === 'maybe' ? d === 0 || d === 1 : d === effect, () => `round ${i} (${name}): effect count moved by ${d}`);
    check(trapsInst.getMemory('mem').dv.getInt32(8, true) === fx || (fx === 0 && d === 0), () => `round ${i} (${name}): memory word 8 does not mirror the global`);
    // Memory size: only a successful grow changes it, and the Wasm and host views agree.
    const size = trapsInst.getMemory('mem').size();
    check(size === sizeBefore && f('size').call()[0] === size && trapsInst.getMemory('mem').u8.length === size * 65536,
      () => `round ${i} (${name}): memory size ${size} (before ${sizeBefore}, Wasm says ${f('size').call()[0]})`);
    // Both instances keep working; the store holds exactly them.
    check(f('ok').call(i)[0] === i, () => `round ${i} (${name}): the trapping instance stopped working`);
    const b = healthy.getFunc('bump').call()[0];
    bumps++;
    check(b === bumps && healthy.getMemory('mem').dv.getBigInt64(64, true) === bumps, () => `round ${i} (${name}): healthy instance counter ${b}, expected ${bumps}`);
    check(store.instances.length === 2, () => `round ${i} (${name}): the store holds ${store.instances.length} instances`);
    // Grow back within the limit now and then, so growth keeps being possible.
    if (size < PAGE_LIMIT && r.int(8) === 0) f('growOrTrap').call(1);
    if (i === baselineAt || i % every === 0 || i === rounds) {
      samples.push({ round: i, heap: heapAfterGc() });
      if (opts.log) opts.log(`  round ${i}: heapUsed ${(samples[samples.length - 1].heap / 1048576).toFixed(2)} MiB`);
    }
  }
  const ms = performance.now() - t0;
  const heap = judgeHeap(samples, samples.findIndex((s) => s.round === baselineAt), opts.bound);
  const missing = names.filter((n) => counts[n] === 0);
  return { ok: heap.ok && missing.length === 0, rounds, ms, kinds: names.length, counts, missing, heap, samples };
}

module.exports = { run };
