// Compile throughput on big real modules: @swc/wasm's and @biomejs/wasm-nodejs's .wasm,
// `new WebAssembly.Module(bytes)` on every engine that runs here (jetwasm through its
// WebAssembly facade, as engines.js loads it). Each sample is a fresh Node process
// (compile-big-child.js) that compiles the module three times; two rows come out of it:
//   cold  the process's first compile: the engine's own code has never run (what a program
//         loading one big module pays);
//   warm  the third compile in the same process, the engine's code warmed up by two.
// Every compile appends a distinct custom section to the bytes, so neither V8's per-process
// module cache nor a cache of the engine can answer. The check: the engine's
// Module.exports(module) equals the export section (polywasm has no Module.exports).
// The engines do different amounts of work, as in the compile row: native and jetwasm
// decode and validate (both compile function bodies lazily); polywasm only parses.
'use strict';
const fs = require('fs');
const path = require('path');
const { byKey, version, NM } = require('./packages');
const { runChild, isJitless } = require('./firstrun');

const CHILD = path.join(__dirname, 'compile-big-child.js');
const ENGINES = ['native', 'jetwasm', 'polywasm'];

function workloads(opts) {
  const jitless = isJitless();
  let nonce = process.pid * 1000;
  return ['swc', 'biome'].map((key, i) => {
    const pkg = byKey(key);
    const file = path.join(NM, pkg.wasm);
    const mb = fs.statSync(file).size / 1e6;
    return {
      name: `compile ${key} ${mb.toFixed(1)} MB, cold (fresh process)`,
      key: `compile-${key}`,
      group: 'compile-big',
      unit: 'MB/s',
      scale: 1 / 1e6,
      engines: ENGINES,
      note: [
        i === 0 ? 'compile rows: new WebAssembly.Module(bytes); cold = first compile in a fresh process, warm = third in that process; native/jetwasm decode+validate, polywasm parses only' : null,
        `${pkg.pkg} ${version(pkg.pkg)}`,
      ].filter(Boolean).join('; '),
      extraRows: [{ id: 'warm', name: `compile ${key} ${mb.toFixed(1)} MB, warm (3rd in process)` }],
      wasm: () => [],
      async setup(engine) {
        fs.readFileSync(file); // into the page cache before any sample
        return { engine: engine.name };
      },
      run({ engine }) {
        const r = runChild(['--expose-gc', CHILD, key, engine, opts.dist, String(++nonce)], { jitless });
        return { work: r.bytes, check: r.check, ms: r.coldMs, extra: { warm: r.warmMs } };
      },
    };
  });
}

module.exports = { workloads };
