// sql.js (SQLite compiled with Emscripten): one repetition = a fresh in-memory database,
// 50,000 INSERTs through a prepared statement inside one transaction, then an aggregate
// query and a GROUP BY query. The query results are the correctness check.
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { freshRequire } = require('../harness');

const ROOT = path.resolve(__dirname, '../..');
const PKG = path.join(ROOT, 'node_modules/sql.js');
const GLUE = path.join(PKG, 'dist/sql-wasm.js');
// wasm2js legalises i64 at the JS boundary (lo/hi pairs), which sql-wasm.js's BigInt glue
// does not expect; sql.js ships its own wasm2js build of the same SQLite (Emscripten
// -sWASM=0 runs wasm2js and generates matching glue), so that build is the wasm2js peer.
const ASM_GLUE = path.join(PKG, 'dist/sql-asm.js');
const WASM = path.join(PKG, 'dist/sql-wasm.wasm');

function wasmBytes() {
  return new Uint8Array(fs.readFileSync(WASM));
}

/** Loads sql.js afresh for the engine currently installed as globalThis.WebAssembly. */
async function loadSqlJs(bytes, engineName) {
  if (engineName === 'wasm2js') {
    // sql-asm.js prints a deprecation notice on every load; keep the bench output clean.
    const warn = console.warn;
    console.warn = () => {};
    try {
      return await freshRequire(ASM_GLUE, PKG)();
    } finally {
      console.warn = warn;
    }
  }
  const initSqlJs = freshRequire(GLUE, PKG);
  return initSqlJs({ wasmBinary: bytes });
}

function runQueries(SQL, rows) {
  const db = new SQL.Database();
  try {
    db.run('CREATE TABLE t (id INTEGER PRIMARY KEY, grp INTEGER NOT NULL, name TEXT NOT NULL, value REAL NOT NULL)');
    db.run('BEGIN');
    const ins = db.prepare('INSERT INTO t VALUES (?, ?, ?, ?)');
    for (let i = 0; i < rows; i++) {
      ins.run([i, (i * 7919) % 97, `name-${(i * 104729) % 100003}`, ((i * 37) % 1000) / 7]);
    }
    ins.free();
    db.run('COMMIT');
    // The whole-table aggregate is written as one group (`GROUP BY grp >= 0`): polywasm 0.2.0
    // fails aggregate queries without GROUP BY ("misuse of aggregate"), and the result is
    // the same one row.
    const agg = db.exec('SELECT count(*), sum(value), avg(value), min(name), max(name), sum(length(name)) FROM t GROUP BY grp >= 0');
    const grouped = db.exec('SELECT grp, count(*), sum(value), max(id), min(name) FROM t GROUP BY grp ORDER BY grp');
    const text = JSON.stringify([agg, grouped]);
    return crypto.createHash('sha1').update(text).digest('hex').slice(0, 16);
  } finally {
    db.close();
  }
}

function workloads(opts) {
  const rows = opts.sqlRows;
  let bytes = null;
  return [{
    name: `sql.js ${rows / 1000}k inserts+queries`,
    key: 'sqljs',
    unit: 'krows/s',
    note: 'wasm2js = sql.js\'s own wasm2js build (sql-asm.js)',
    scale: 1 / 1000,
    wasm: () => [wasmBytes()],
    async setup(engine) {
      if (!bytes) bytes = wasmBytes();
      return { SQL: await loadSqlJs(bytes, engine.name) };
    },
    run({ SQL }) {
      return { work: rows, check: runQueries(SQL, rows) };
    },
  }];
}

module.exports = { workloads, wasmBytes, loadSqlJs, runQueries };
