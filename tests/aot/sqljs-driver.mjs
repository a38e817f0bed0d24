// Child process of sqljs.test.ts: runs sql.js's unmodified glue (sql-wasm.js) on the
// ahead-of-time compiled sql-wasm.wasm, through the WebAssembly-shaped shim in
// sqljs-shim.mjs, and prints one JSON object. Runs under `node` and `node --jitless`.
//
//   node [--jitless] sqljs-driver.mjs AOT_MODULE.mjs AOT_RUNTIME_INDEX.js
//
// While the AOT module loads and instantiates and the workload runs, `eval` and `Function`
// throw (as under a Content-Security-Policy without 'unsafe-eval'); `evals` counts attempts.

import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { aotWebAssembly } from './sqljs-shim.mjs';

const require = createRequire(import.meta.url);
const { sqlWorkload, sqlJsPath } = require('../realworld/workloads.js');
const [aotPath, runtimePath] = process.argv.slice(2);
const hadWebAssembly = typeof globalThis.WebAssembly !== 'undefined';

const realFunction = globalThis.Function;
const realEval = globalThis.eval;
let evals = 0;
globalThis.eval = () => { evals++; throw new EvalError('eval is refused'); };
globalThis.Function = new Proxy(realFunction, {
  construct() { evals++; throw new EvalError('Function is refused'); },
  apply() { evals++; throw new EvalError('Function is refused'); },
});

const runtime = await import(pathToFileURL(runtimePath).href);
const aot = await import(pathToFileURL(aotPath).href);
const wasmBytes = new Uint8Array(readFileSync(sqlJsPath.replace(/\.js$/, '.wasm')));
globalThis.WebAssembly = aotWebAssembly(aot, wasmBytes, runtime);

const initSqlJs = require(sqlJsPath);
const out = await sqlWorkload(initSqlJs);

// Emscripten's addFunction path: JS functions in the AOT module's table via hostFunction.
const SQL = await initSqlJs();
const db = new SQL.Database();
db.create_function('twice', (x) => x * 2);
db.create_aggregate('product', { init: () => 1, step: (acc, x) => acc * x });
db.run('CREATE TABLE v (x INTEGER)');
db.run('INSERT INTO v VALUES (2), (3), (7)');
const hooked = [];
db.updateHook((op, _db, table, rowid) => hooked.push(`${op} ${table} ${rowid}`));
db.run('INSERT INTO v VALUES (5)');
out.udf = [
  db.exec('SELECT twice(21), twice(2.5), twice(x) FROM v ORDER BY x'),
  db.exec('SELECT product(x) FROM v'),
];
db.create_function('twice', (x) => x * 3); // replaces the function (frees its table slot)
out.udf.push(db.exec('SELECT twice(21)'), hooked);
db.close();

globalThis.Function = realFunction;
globalThis.eval = realEval;
out.hadWebAssembly = hadWebAssembly;
out.evals = evals;
out.loaded = Object.keys(require.cache);
process.stdout.write(JSON.stringify(out));
