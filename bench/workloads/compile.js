// Compile throughput on sql.js's module (KiB of Wasm per second).
//
// jetwasm: Module.fromBinary (decode + validate) followed by eager translation of every
// function: reading `Module.code` on an Engine configured with compilation: 'eager'
// translates the whole module to JS source and builds its factory with `new Function` (V8
// pre-parses that source; full parsing and optimisation happen on first call, outside this
// figure). The two phases are reported separately.
// Each repetition compiles the module with a distinct custom section appended, so no engine
// can answer from a cache of an earlier compile.
// The peers do different amounts of work and are shown for scale only:
//   native   new WebAssembly.Module: decode + validate; V8 compiles functions lazily
//            (--wasm-lazy-compilation is on by default in Node 20);
//   polywasm new WebAssembly.Module: parse only; it translates each function on first call;
//   wasm2js  not measured: it compiles ahead of time (index.js runs it once and reports how
//            long that took when it was not cached).
'use strict';
const { wasmBytes } = require('./sqljs');
const { now } = require('../harness');

/**
 * `bytes` plus a custom section holding `n`: V8 reuses a compiled module for identical wire
 * bytes within a process, so every repetition compiles a module no engine has seen.
 */
function uniqueModule(bytes, n) {
  const name = Buffer.from('jetwasm-bench');
  const payload = Buffer.from(String(n).padStart(12, '0'));
  const body = Buffer.concat([Buffer.from([name.length]), name, payload]);
  return new Uint8Array(Buffer.concat([Buffer.from(bytes), Buffer.from([0, body.length]), body]));
}

function workloads() {
  let base = null;
  let counter = 0;
  return [{
    name: 'compile sql.js (eager, jetwasm)',
    key: 'compile',
    unit: 'KiB/s',
    scale: 1 / 1024,
    wasm: () => [wasmBytes()],
    async setup(engine) {
      if (!base) base = wasmBytes();
      if (engine.name === 'wasm2js') {
        throw Object.assign(new Error('n/a: wasm2js compiles ahead of time, outside any timing'), { notApplicable: true });
      }
      return { engine };
    },
    run({ engine }) {
      const bytes = uniqueModule(base, ++counter);
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

module.exports = { workloads, uniqueModule };
