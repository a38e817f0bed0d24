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
    const initSqlJs = freshRequire(path.join(pkg, 'dist/sql-wasm.js'), pkg);
    const t0 = now();
    const SQL = await initSqlJs({ wasmBinary: bytes });
    const db = new SQL.Database();
    const res = db.exec("SELECT 6 * 7, 'ready'");
    const ms = now() - t0;
    db.close();
    return { ms, check: JSON.stringify(res[0].values) };
  });
  process.stdout.write(`${JSON.stringify(r)}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e && e.stack) || e}\n`);
  process.exit(1);
});
