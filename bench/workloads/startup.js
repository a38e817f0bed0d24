// Startup: sql.js from Wasm bytes to the first query result, each sample in a fresh Node
// process (so no engine profits from code, caches or JIT state of an earlier sample). The
// child times initSqlJs({ wasmBinary }) + new Database() + the first exec(); loading Node,
// the engine and the sql.js glue happen before the clock starts. Samples alternate engines.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');

const CHILD = path.join(__dirname, 'startup-child.js');

function workloads(opts) {
  return [{
    name: 'sql.js startup (fresh process)',
    key: 'startup',
    unit: 'ms',
    note: 'wasm2js = sql.js\'s own wasm2js build (sql-asm.js), its JS load included',
    lowerIsBetter: true,
    wasm: () => [require('./sqljs').wasmBytes()],
    async setup(engine) {
      return { engine: engine.name };
    },
    run({ engine }) {
      const flags = process.execArgv.filter((f) => f === '--jitless');
      // An empty cache directory per sample, as for the first-run rows (firstrun.js).
      const cacheHome = fs.mkdtempSync(path.join(os.tmpdir(), 'jetwasm-bench-cache-'));
      let out;
      try {
        out = execFileSync(process.execPath, [...flags, CHILD, engine, opts.dist, opts.cacheDir], {
          encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 16 << 20,
          env: { ...process.env, XDG_CACHE_HOME: cacheHome },
        });
      } finally {
        fs.rmSync(cacheHome, { recursive: true, force: true });
      }
      const r = JSON.parse(out.trim().split('\n').pop());
      return { work: 1, check: r.check, ms: r.ms };
    },
  }];
}

module.exports = { workloads };
