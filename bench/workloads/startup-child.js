// One startup sample (see startup.js). Usage: node startup-child.js ENGINE DIST CACHE
'use strict';
const fs = require('fs');
const path = require('path');
const { loadEngines } = require('../engines');
const { withWebAssembly, freshRequire, now } = require('../harness');

async function main() {
  const [name, dist, cacheDir] = process.argv.slice(2);
  const engine = loadEngines(dist, cacheDir).find((e) => e.name === name);
  if (!engine || engine.unavailable) throw new Error(`engine ${name} unavailable`);
  const pkg = path.resolve(__dirname, '../../node_modules/sql.js');
  const bytes = new Uint8Array(fs.readFileSync(path.join(pkg, 'dist/sql-wasm.wasm')));
  const r = await withWebAssembly(engine.WA, async () => {
    // wasm2js: sql.js's own wasm2js build (see sqljs.js); its "bytes" are its JS source, so
    // loading the glue is inside the timed region for it.
    const asm = name === 'wasm2js';
    const t0 = now();
    const initSqlJs = freshRequire(path.join(pkg, asm ? 'dist/sql-asm.js' : 'dist/sql-wasm.js'), pkg);
    const t1 = now();
    const SQL = asm ? await initSqlJs() : await initSqlJs({ wasmBinary: bytes });
    const db = new SQL.Database();
    const res = db.exec("SELECT 6 * 7, 'ready'");
    // For the Wasm engines the glue's load is not part of the figure (it is the same JS for
    // all of them and does not depend on the engine).
    const ms = now() - (asm ? t0 : t1);
    db.close();
    return { ms, check: JSON.stringify(res[0].values) };
  });
  process.stdout.write(`${JSON.stringify(r)}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e && e.stack) || e}\n`);
  process.exit(1);
});
