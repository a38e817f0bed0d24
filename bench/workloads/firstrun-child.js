// One first-run sample (see firstrun.js). Usage:
//   node firstrun-child.js PACKAGE ENGINE DIST ROWS
// Installs ENGINE as globalThis.WebAssembly (as a polyfill would, before the package loads),
// loads PACKAGE with its own API, runs its task and prints one line
//   BENCH-RESULT {"ms":..., "check":..., "phases":{...}}
// ms is the time from process start (performance.timeOrigin) to the task's result.
'use strict';
const fs = require('fs');

const MARK = 'BENCH-RESULT ';

async function main() {
  const [key, engineName, dist, rows] = process.argv.slice(2);
  const t0 = performance.now(); // Node's own startup, before this script ran
  const { loadEngine } = require('../engines');
  const engine = loadEngine(engineName, dist, null);
  if (engine.unavailable) throw new Error(`engine ${engineName} unavailable: ${engine.unavailable}`);
  Object.defineProperty(globalThis, 'WebAssembly', { value: engine.WA, writable: true, configurable: true, enumerable: false });
  const { byKey } = require('./packages');
  const pkg = byKey(key);
  const t1 = performance.now();
  const lib = await pkg.load();
  const t2 = performance.now();
  const out = await pkg.run(lib, { rows: Number(rows) });
  const t3 = performance.now();
  const result = {
    ms: t3,
    check: out.check,
    detail: out.detail,
    phases: { 'node start': t0, 'engine load': t1 - t0, 'package load': t2 - t1, task: t3 - t2 },
  };
  fs.writeSync(1, `\n${MARK}${JSON.stringify(result)}\n`);
}

main().then(() => process.exit(0), (e) => {
  process.stderr.write(`${(e && e.stack) || e}\n`);
  process.exit(1);
});
