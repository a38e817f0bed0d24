'use strict';
// Workloads of unmodified npm packages, run once with the host's WebAssembly and once with
// jetwasm's facade; both runs must print the same JSON. Plain CommonJS so that a child
// `node --jitless` process (no WebAssembly of its own, no TypeScript) can run it:
//   node --jitless workloads.js <built jetwasm dir> sql|hash
// The facade must be installed on globalThis *before* a package is loaded, since the
// packages capture `WebAssembly` when they load.

const path = require('path');

/** sql.js: 50k inserts in one transaction, then aggregates and GROUP BY queries. */
async function sqlWorkload(initSqlJs) {
  const times = {};
  let t = Date.now();
  const SQL = await initSqlJs();
  times.init = Date.now() - t;
  t = Date.now();
  const db = new SQL.Database();
  db.run('CREATE TABLE t (id INTEGER PRIMARY KEY, grp INTEGER, name TEXT, val REAL, big INTEGER)');
  db.run('BEGIN');
  const st = db.prepare('INSERT INTO t (grp, name, val, big) VALUES (?, ?, ?, ?)');
  for (let i = 0; i < 50000; i++) st.run([i % 17, 'name' + i, i * 1.5, i * 1000003]);
  st.free();
  db.run('COMMIT');
  times.insert = Date.now() - t;
  t = Date.now();
  const results = [
    db.exec('SELECT count(*), sum(val), avg(val), min(name), max(name), sum(big) FROM t'),
    db.exec('SELECT grp, count(*), sum(val), max(big) FROM t GROUP BY grp ORDER BY grp'),
    db.exec('SELECT id, name, val, big FROM t WHERE id IN (1, 777, 12345, 50000) ORDER BY id'),
  ];
  times.query = Date.now() - t;
  db.close();
  return { results, times };
}

/** hash-wasm: known vectors and a 1 MiB input through several algorithms. */
async function hashWorkload(hw) {
  const t = Date.now();
  const fox = 'The quick brown fox jumps over the lazy dog';
  const big = new Uint8Array(1 << 20);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 255;
  const results = {
    sha256: await hw.sha256(fox),
    sha512: await hw.sha512(fox),
    xxhash64: await hw.xxhash64(fox),
    blake3: await hw.blake3(fox),
    crc32: await hw.crc32(fox),
    sha256Big: await hw.sha256(big),
    sha512Big: await hw.sha512(big),
    xxhash64Big: await hw.xxhash64(big),
    blake3Big: await hw.blake3(big),
    crc32Big: await hw.crc32(big),
    argon2id: await hw.argon2id({
      password: 'password', salt: 'somesalt12345678', parallelism: 1, iterations: 2,
      memorySize: 512, hashLength: 32, outputType: 'hex',
    }),
  };
  return { results, times: { total: Date.now() - t } };
}

const root = path.resolve(__dirname, '..', '..');
const sqlJsPath = path.join(root, 'node_modules', 'sql.js', 'dist', 'sql-wasm.js');
const hashWasmPath = path.join(root, 'node_modules', 'hash-wasm', 'dist', 'index.umd.js');

async function main() {
  const [built, which] = process.argv.slice(2);
  const hadWebAssembly = typeof globalThis.WebAssembly !== 'undefined';
  require(path.join(built, 'polyfill.js'));
  const { WebAssembly: facade } = require(built);
  const out = which === 'sql'
    ? await sqlWorkload(require(sqlJsPath))
    : await hashWorkload(require(hashWasmPath));
  out.hostHadWebAssembly = hadWebAssembly;
  out.usedFacade = globalThis.WebAssembly === facade;
  process.stdout.write(JSON.stringify(out));
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(String(e && e.stack || e));
    process.exit(1);
  });
}

module.exports = { sqlWorkload, hashWorkload, sqlJsPath, hashWasmPath };
