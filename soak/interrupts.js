'use strict';
// Phase d: fuel and interrupts at random points. See README.md ("What 'never half updated'
// means") for the reasoning; in short, a trap may stop a function between two of its writes
// (Wasm semantics), but it only ever stops at a check point, and the runtime's own state
// (fuel, memory size and views, tables, the store) is exact and consistent afterwards.

const { jetwasm, rng, heapAfterGc, check } = require('./lib');

// step(n) runs iterations while a < n. An iteration: [loop head: check point H] a += 1,
// mem[0] = a, every 16th iteration grow memory and table by one (writing a at the new
// page's start and $id in the new slot); call $inner [check point I]; b += 1, mem[4] = b;
// call $tick (host). So after every completed iteration a == b, and a - b is 1 only when
// the trap came at I.
const WAT = `(module
  (import "h" "tick" (func $tick))
  (memory (export "mem") 1 40)
  (table $t (export "tab") 1 40 funcref)
  (global $a (export "a") (mut i32) (i32.const 0))
  (global $b (export "b") (mut i32) (i32.const 0))
  (global $c (export "c") (mut i32) (i32.const 0))
  (type $ii (func (param i32) (result i32)))
  (func $id (type $ii) (i32.add (local.get 0) (i32.const 1)))
  (elem declare func $id)
  (func $inner (export "inner") (global.set $c (i32.add (global.get $c) (i32.const 1))))
  (func (export "step") (param $n i32) (local $old i32)
    (loop $l
      (if (i32.ge_u (global.get $a) (local.get $n)) (then (return)))
      (global.set $a (i32.add (global.get $a) (i32.const 1)))
      (i32.store (i32.const 0) (global.get $a))
      (if (i32.eqz (i32.and (global.get $a) (i32.const 15))) (then
        (local.set $old (memory.grow (i32.const 1)))
        (if (i32.ne (local.get $old) (i32.const -1))
          (then (i32.store (i32.mul (local.get $old) (i32.const 65536)) (global.get $a))))
        (drop (table.grow $t (ref.func $id) (i32.const 1)))))
      (call $inner)
      (global.set $b (i32.add (global.get $b) (i32.const 1)))
      (i32.store (i32.const 4) (global.get $b))
      (call $tick)
      (br $l)))
  (func (export "settle")
    (global.set $c (i32.add (global.get $c) (i32.sub (global.get $a) (global.get $b))))
    (global.set $b (global.get $a))
    (i32.store (i32.const 4) (global.get $b)))
  (func (export "size") (result i32) (memory.size))
  (func (export "tsize") (result i32) (table.size $t))
  (func (export "callAt") (param i32 i32) (result i32) (call_indirect $t (type $ii) (local.get 1) (local.get 0))))`;

/** Memory pages and table size after `a` iterations (growth every 16th, up to 40). */
const expectedPages = (a) => Math.min(40, 1 + Math.floor(a / 16));

function run(opts) {
  const { Engine, Store, Module, Func, Linker, RuntimeError, parseWat } = jetwasm();
  const r = rng(opts.seed);
  const engine = new Engine({ consumeFuel: true, epochInterruption: true });
  const module = Module.fromBinary(engine, parseWat(WAT));
  const AMPLE = 1e12;

  let ticks = 0;
  let tickAt = -1;
  let growsSeen = 0;
  let epochAtGrow = -1;
  const make = () => {
    const store = new Store(engine);
    store.setFuel(AMPLE);
    store.limiter({
      memoryGrowing: (_c, desired) => {
        // An interrupt arriving while memory grows (as from another agent): seen at the
        // next check point, after the growth completed.
        if (++growsSeen === epochAtGrow) engine.incrementEpoch();
        return desired <= 40;
      },
      tableGrowing: () => true,
    });
    const tick = Func.fromHost(store, { kind: 'func', params: [], results: [] }, () => { if (++ticks === tickAt) engine.incrementEpoch(); });
    const inst = new Linker(engine).define('h', 'tick', tick).instantiate(store, module);
    return { store, inst };
  };
  const state = (inst) => ({
    a: inst.getGlobal('a').get(),
    b: inst.getGlobal('b').get(),
    c: inst.getGlobal('c').get(),
    m0: inst.getMemory('mem').dv.getInt32(0, true),
    m4: inst.getMemory('mem').dv.getInt32(4, true),
  });

  // The cost model, measured once: fuel charged at the entry of step (e), at each loop head
  // (L) and at the entry of inner (k).
  const probe = make();
  const cost = (fnName, ...args) => {
    probe.store.setFuel(AMPLE);
    probe.inst.getFunc(fnName).call(...args);
    return AMPLE - probe.store.getFuel();
  };
  const k = cost('inner');
  const c0 = cost('step', 0);
  const c1 = cost('step', 1); // a: 0 → 1
  const L = c1 - c0 - k;
  const e = c0 - L;
  probe.store.dispose();
  /** Fuel needed to run step(n) from a state with a == b == a0. */
  const stepCost = (a0, n) => e + (Math.max(0, n - a0) + 1) * L + Math.max(0, n - a0) * k;
  /** The state a fuel budget F reaches from a == b == a0 towards n: [a, b, completed]. */
  const predict = (a0, n, F) => {
    let spent = e;
    if (spent > F) return [a0, a0, false];
    for (let a = a0; ; a++) {
      spent += L;
      if (spent > F) return [a, a, false];
      if (a >= n) return [a, a, true];
      spent += k;
      if (spent > F) return [a + 1, a, false];
    }
  };

  const consistent = (inst, where) => {
    const s = state(inst);
    check(s.a - s.b === 0 || s.a - s.b === 1, () => `${where}: a=${s.a} b=${s.b}`);
    check(s.m0 === s.a && s.m4 === s.b, () => `${where}: memory words ${s.m0},${s.m4} do not mirror a=${s.a} b=${s.b}`);
    // inner's check point is its entry, before its write: a trap there leaves c == b.
    check(s.c === s.b, () => `${where}: inner ran ${s.c} times for b=${s.b}`);
    const mem = inst.getMemory('mem');
    const pages = expectedPages(s.a);
    check(mem.size() === pages && inst.getFunc('size').call()[0] === pages && mem.u8.length === pages * 65536 && mem.dv.byteLength === pages * 65536,
      () => `${where}: memory ${mem.size()} pages (Wasm ${inst.getFunc('size').call()[0]}, view ${mem.u8.length}), expected ${pages}`);
    // The page added by each growth starts with the value of a that grew it.
    for (let p = 1; p < pages; p++) {
      check(mem.dv.getInt32(p * 65536, true) === p * 16, () => `${where}: page ${p} starts with ${mem.dv.getInt32(p * 65536, true)}`);
    }
    const tab = inst.getTable('tab');
    check(tab.size() === pages && inst.getFunc('tsize').call()[0] === pages, () => `${where}: table size ${tab.size()}, expected ${pages}`);
    if (pages > 1) {
      const slot = 1 + r.int(pages - 1);
      check(inst.getFunc('callAt').call(slot, 41)[0] === 42, () => `${where}: table slot ${slot} does not hold $id`);
    }
    return s;
  };

  const counts = { fuel: 0, fuelCompleted: 0, epoch: 0, epochAtGrow: 0, deadline: 0, deadlineCompleted: 0, splitIterations: 0 };
  let cur = make();
  const t0 = performance.now();
  const heap = [];
  for (let i = 1; i <= opts.rounds; i++) {
    const where = `round ${i}`;
    const { store, inst } = cur;
    let s = state(inst);
    if (s.a !== s.b) {
      store.setFuel(AMPLE);
      inst.getFunc('settle').call();
      s = state(inst);
    }
    const a0 = s.a;
    const n = a0 + 1 + r.int(100);
    const mode = r.pick(['fuel', 'fuel', 'epoch', 'epochAtGrow', 'deadline']);
    let err = null;
    ticks = 0;
    tickAt = -1;
    growsSeen = 0;
    epochAtGrow = -1;
    store.setEpochDeadline(1e9);
    store.setDeadline(Infinity);
    let F = AMPLE;
    let expectedAt = null;
    if (mode === 'fuel') {
      F = r.int(stepCost(a0, n) + 20);
      expectedAt = predict(a0, n, F);
    } else if (mode === 'epoch') {
      tickAt = 1 + r.int(n - a0);
      store.setEpochDeadline(1);
      expectedAt = [a0 + tickAt, a0 + tickAt, false];
    } else if (mode === 'epochAtGrow') {
      const grows = Math.floor(n / 16) - Math.floor(a0 / 16);
      if (grows > 0) {
        epochAtGrow = 1 + r.int(grows);
        store.setEpochDeadline(1);
        // The growing iteration's a, stopped at inner's entry: a == b + 1.
        const a = (Math.floor(a0 / 16) + epochAtGrow) * 16;
        expectedAt = a <= 16 * 39 ? [a, a - 1, false] : [n, n, true];
      } else {
        expectedAt = [n, n, true];
      }
    } else {
      store.setDeadline(r.next() * 0.01);
    }
    store.setFuel(F);
    try {
      inst.getFunc('step').call(n);
    } catch (x) {
      err = x;
    }
    const left = mode === 'fuel' ? store.getFuel() : 0;
    store.setEpochDeadline(1e9);
    store.setDeadline(Infinity);
    store.setFuel(AMPLE);
    check(err === null || (err instanceof RuntimeError && /^(all fuel consumed|interrupt)$/.test(err.message)), () => `${where} (${mode}): ${err}`);
    const after = consistent(inst, `${where} (${mode})`);
    if (after.a !== after.b) counts.splitIterations++;
    if (expectedAt !== null) {
      const [ea, eb, done] = expectedAt;
      check(after.a === ea && after.b === eb && (err === null) === done,
        () => `${where} (${mode}): a=${after.a} b=${after.b} ${err ? 'trapped' : 'completed'}, predicted a=${ea} b=${eb} ${done ? 'completed' : 'trapped'} (from a=${a0}, n=${n}, fuel ${F})`);
    }
    if (mode === 'fuel') {
      // Exact accounting: all fuel gone after the trap; exactly the cost left after completion.
      check(err === null ? left === F - stepCost(a0, n) : left === 0, () => `${where}: ${left} fuel left of ${F} (cost ${stepCost(a0, n)})`);
      counts[err === null ? 'fuelCompleted' : 'fuel']++;
    } else if (mode === 'deadline') {
      counts[err === null ? 'deadlineCompleted' : 'deadline']++;
    } else {
      counts[mode]++;
    }
    // Now and then compare with an uninterrupted run to the same point, and start over.
    if (i % 50 === 0 || after.a > 16 * 45) {
      if (after.a !== after.b) inst.getFunc('settle').call();
      const ref = make();
      ref.inst.getFunc('step').call(after.a);
      const got = inst.getMemory('mem').u8;
      const want = ref.inst.getMemory('mem').u8;
      check(Buffer.compare(Buffer.from(got.buffer, got.byteOffset, got.length), Buffer.from(want.buffer, want.byteOffset, want.length)) === 0,
        () => `${where}: memory differs from an uninterrupted run to a=${after.a}`);
      check(JSON.stringify(state(inst)) === JSON.stringify(state(ref.inst)), () => `${where}: state differs from an uninterrupted run`);
      ref.store.dispose();
      if (after.a > 16 * 45) {
        cur.store.dispose();
        cur = make();
      }
    }
    if (i % Math.max(1, Math.floor(opts.rounds / 10)) === 0) heap.push({ round: i, heap: heapAfterGc() });
  }
  cur.store.dispose();
  return { ok: true, rounds: opts.rounds, ms: performance.now() - t0, costModel: { e, L, k }, counts, heap };
}

module.exports = { run, WAT };
