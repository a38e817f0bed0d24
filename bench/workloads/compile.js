// Compile throughput on sql.js's module (KiB of Wasm per second).
//
// jetwasm: Module.fromBinary (decode + validate) followed by eager translation of every
// function: reading `Module.code` on an Engine configured with compilation: 'eager'
// translates the whole module to JS source and builds its factory with `new Function` (V8
// pre-parses that source; full parsing and optimisation happen on first call, outside this
// figure). The two phases are reported separately.
// The peers do different amounts of work and are shown for scale only:
//   native   new WebAssembly.Module: decode + validate; V8 compiles functions lazily
//            (--wasm-lazy-compilation is on by default in Node 20);
//   polywasm new WebAssembly.Module: parse only; it translates each function on first call;
//   wasm2js  loads binaryen's cached ahead-of-time JS (a JS parse); the wasm2js run itself
//            happens once, outside any timing.
'use strict';
const { wasmBytes } = require('./sqljs');
const { now } = require('../harness');

function workloads() {
  let bytes = null;
  return [{
    name: 'compile sql.js (eager, jetwasm)',
    key: 'compile',
    unit: 'KiB/s',
    scale: 1 / 1024,
    wasm: () => [wasmBytes()],
    async setup(engine) {
      if (!bytes) bytes = wasmBytes();
      return { engine };
    },
    run({ engine }) {
      if (engine.name === 'jetwasm') {
        const rt = engine.rt;
        const eng = new rt.Engine({ compilation: 'eager' });
        const t0 = now();
        const m = rt.Module.fromBinary(eng, bytes);
        const t1 = now();
        // `code` translates every function (whole-module translation is the eager path).
        const code = m.code;
        const t2 = now();
        if (!code || typeof code.factory !== 'function') throw new Error('Module.code did not produce a factory');
        return { work: bytes.length, check: 'ok', phases: { 'decode+validate': t1 - t0, translate: t2 - t1 } };
      }
      const WA = engine.WA;
      const m = new WA.Module(bytes);
      if (!m) throw new Error('no module');
      return { work: bytes.length, check: 'ok' };
    },
  }];
}

module.exports = { workloads };
