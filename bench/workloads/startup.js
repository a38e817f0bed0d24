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

/** One timed child; with `warm`, after an untimed one that fills jetwasm's persistent cache. */
function sample(engine, opts, warm) {
  const flags = process.execArgv.filter((f) => f === '--jitless');
  // An empty cache directory per sample, as for the first-run rows (firstrun.js).
  const cacheHome = fs.mkdtempSync(path.join(os.tmpdir(), 'jetwasm-bench-cache-'));
  const env = { ...process.env, XDG_CACHE_HOME: cacheHome };
  // The facade takes no options: JETWASM_CACHE turns its persistent cache on.
  if (warm) env.JETWASM_CACHE = path.join(cacheHome, 'jetwasm');
  const child = () => execFileSync(process.execPath, [...flags, CHILD, engine, opts.dist, opts.cacheDir], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 16 << 20, env,
  });
  let out;
  try {
    if (warm) child();
    out = child();
  } finally {
    fs.rmSync(cacheHome, { recursive: true, force: true });
  }
  const r = JSON.parse(out.trim().split('\n').pop());
  return { work: 1, check: r.check, ms: r.ms };
}

function workloads(opts) {
  const row = (warm) => ({
    name: warm ? 'sql.js startup, warm cache (fresh process)' : 'sql.js startup (fresh process)',
    key: warm ? 'startup-warm' : 'startup',
    unit: 'ms',
    note: warm
      ? 'a first process filled jetwasm\'s persistent cache (JETWASM_CACHE); the other engines keep nothing between processes'
      : 'wasm2js = sql.js\'s own wasm2js build (sql-asm.js), its JS load included',
    lowerIsBetter: true,
    wasm: () => [require('./sqljs').wasmBytes()],
    async setup(engine) {
      return { engine: engine.name };
    },
    run({ engine }) {
      return sample(engine, opts, warm);
    },
  });
  return [row(false), row(true)];
}

module.exports = { workloads };
