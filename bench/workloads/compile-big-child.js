// One compile-big sample (see compile-big.js). Usage (run with --expose-gc):
//   node --expose-gc compile-big-child.js PACKAGE ENGINE DIST NONCE
// Compiles the package's module three times with `new WebAssembly.Module(bytes)` of ENGINE,
// each time with a distinct custom section appended (so neither V8's per-process module
// cache nor any cache of the engine can answer), and prints one line
//   BENCH-RESULT {"bytes":..., "coldMs":..., "warmMs":..., "check":...}
// coldMs is the first compile of the process (the engine's own code not yet run, let alone
// optimised), warmMs the third.
'use strict';
const fs = require('fs');
const path = require('path');
const { loadEngine } = require('../engines');
const { byKey, NM } = require('./packages');
const { uniqueModule } = require('./compile');
const { now, gc } = require('../harness');

const MARK = 'BENCH-RESULT ';

const KINDS = ['function', 'table', 'memory', 'global', 'tag'];

/** The export section's (name, kind) pairs, read directly from the binary. */
function exportSection(bytes) {
  let p = 8;
  const leb = () => {
    let r = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[p++];
      r += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (b < 0x80) return r;
    }
  };
  while (p < bytes.length) {
    const id = bytes[p++];
    const size = leb();
    const end = p + size;
    if (id === 7) {
      const out = [];
      for (let n = leb(); n > 0; n--) {
        const len = leb();
        const name = Buffer.from(bytes.subarray(p, p + len)).toString('utf8');
        p += len;
        const kind = KINDS[bytes[p++]];
        leb();
        out.push({ name, kind });
      }
      return out;
    }
    p = end;
  }
  return [];
}

function sameExports(a, b) {
  return a.length === b.length && a.every((e, i) => e.name === b[i].name && e.kind === b[i].kind);
}

function main() {
  const [key, engineName, dist, nonce] = process.argv.slice(2);
  const engine = loadEngine(engineName, dist, null);
  if (engine.unavailable) throw new Error(`engine ${engineName} unavailable: ${engine.unavailable}`);
  const base = fs.readFileSync(path.join(NM, byKey(key).wasm));
  const WA = engine.WA;
  const times = [];
  let exportsSeen = null;
  for (let i = 0; i < 3; i++) {
    // Made (and the previous module dropped) before the clock starts.
    let bytes = uniqueModule(base, Number(nonce) * 10 + i);
    gc();
    const t0 = now();
    const m = new WA.Module(bytes);
    times.push(now() - t0);
    bytes = null;
    if (i === 0) exportsSeen = typeof WA.Module.exports === 'function' ? WA.Module.exports(m) : null;
  }
  // The check: the module's exports as the engine reports them (polywasm has no
  // Module.exports) equal the export section read here.
  const expected = exportSection(base);
  const check = exportsSeen === null || sameExports(exportsSeen, expected) ? `ok: ${expected.length} exports` : 'exports differ';
  fs.writeSync(1, `\n${MARK}${JSON.stringify({ bytes: base.length, coldMs: times[0], warmMs: times[2], allMs: times, check })}\n`);
}

try {
  main();
  process.exit(0);
} catch (e) {
  process.stderr.write(`${(e && e.stack) || e}\n`);
  process.exit(1);
}
