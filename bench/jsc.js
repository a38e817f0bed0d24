// `npm run bench -- --host jsc [--jitless]`: the hash rows and the sql.js row measured in JavaScriptCore's shell
// (`jsc`; $JSC_PATH names one explicitly), with JSC's own WebAssembly as `native`, jetwasm's
// facade and polywasm side by side in one shell process. `--jitless` runs the shell with
// --useJIT=false (JSC's interpreters only: its Wasm interpreter is then the native column).
// The engines are bundled for the shell (jetwasm from the bench's build, polywasm from
// node_modules) with the TextDecoder/TextEncoder shim the shell lacks; bench/jsc-run.js
// measures.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync, spawnSync } = require('child_process');

const ROOT = path.resolve(__dirname, '..');

/** Hash rows the shell can run (bench/workloads/hash.js's, same files and constructors). */
const ALGORITHMS = [
  { name: 'sha256', file: 'sha256', create: 'createSHA256' },
  { name: 'xxhash64', file: 'xxhash64', create: 'createXXHash64' },
  { name: 'blake3', file: 'blake3', create: 'createBLAKE3' },
  { name: 'crc32', file: 'crc32', create: 'createCRC32' },
];
/** Every row the shell can run: the hash rows, then sql.js (bench/workloads/sqljs.js's). */
const KEYS = [...ALGORITHMS.map((a) => a.name), 'sqljs'];

function findJsc() {
  if (process.env.JSC_PATH) return process.env.JSC_PATH;
  try {
    return execFileSync('sh', ['-c', 'command -v jsc'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

function jscVersion(jsc) {
  try {
    const pkg = execFileSync('dpkg-query', ['-W', '-f', '${Version}', 'libjavascriptcoregtk-4.0-bin'], { encoding: 'utf8' }).trim();
    if (pkg) return `JavaScriptCore ${pkg}`;
  } catch {
    // not a Debian package
  }
  return `JavaScriptCore (${jsc})`;
}

/** One classic script defining jetwasmWA and polywasmWA, in a new temporary folder. */
function bundle(dist) {
  const esbuild = require('esbuild');
  const contents = [
    `import { WebAssembly as jetwasmWA } from ${JSON.stringify(path.join(dist, 'index.js'))};`,
    `import { WebAssembly as polywasmWA } from ${JSON.stringify(path.join(ROOT, 'node_modules/polywasm/index.js'))};`,
    'globalThis.jetwasmWA = jetwasmWA;',
    'globalThis.polywasmWA = polywasmWA;',
  ].join('\n');
  const r = esbuild.buildSync({
    stdin: { contents, resolveDir: ROOT, loader: 'js' },
    bundle: true, format: 'iife', platform: 'neutral', mainFields: ['module', 'main'], target: 'es2020',
    write: false, logLevel: 'silent',
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jetwasm-bench-jsc-'));
  const out = path.join(dir, 'engines.js');
  const shim = fs.readFileSync(path.join(ROOT, 'tests/jsc/text-coding.js'), 'utf8');
  fs.writeFileSync(out, shim + '\n' + r.outputFiles[0].text);
  return out;
}

/**
 * Measures the selected hash rows in jsc. Resolves to the result object index.js prints
 * ({ results, meta }); throws when there is no shell or it fails.
 */
function runJsc(opts) {
  const jsc = findJsc();
  if (!jsc) throw new Error('--host jsc: no jsc found (Debian: libjavascriptcoregtk-4.0-bin, or set JSC_PATH)');
  const only = opts.only.length ? opts.only : KEYS;
  const skipped = only.filter((k) => !KEYS.includes(k));
  if (skipped.length) process.stderr.write(`bench: --host jsc measures only ${KEYS.join(', ')}; leaving out ${skipped.join(', ')}\n`);
  const algorithms = ALGORITHMS.filter((a) => only.includes(a.name)).map((a) => ({
    ...a, path: path.join(ROOT, 'node_modules/hash-wasm/dist', `${a.file}.umd.min.js`),
  }));
  const sqlDist = path.join(ROOT, 'node_modules/sql.js/dist');
  const sql = only.includes('sqljs')
    ? { rows: opts.sqlRows, glue: path.join(sqlDist, 'sql-wasm.js'), wasm: path.join(sqlDist, 'sql-wasm.wasm') }
    : null;
  const file = bundle(opts.dist);
  try {
    const args = JSON.stringify({ hashMiB: opts.hashMiB, warmup: opts.quick ? 2 : 3, warmupMs: opts.jitless ? 0 : opts.quick ? 2000 : 5000, reps: opts.quick ? 3 : 5, algorithms, sql });
    const r = spawnSync(jsc, [...(opts.jitless ? ['--useJIT=false'] : []), file, path.join(__dirname, 'jsc-run.js'), '--', args], {
      encoding: 'utf8', maxBuffer: 64 << 20,
    });
    const line = (r.stdout || '').split('\n').find((l) => l.startsWith('@@ '));
    if (!line) throw new Error(`jsc failed (${r.status ?? r.signal}): ${(r.stderr || r.stdout || '').slice(-600)}`);
    const res = JSON.parse(line.slice(3));
    if (res.error) throw new Error(`jsc: ${res.error}`);
    res.meta = { ...res.meta, host: jscVersion(jsc), jitless: opts.jitless };
    return res;
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}

module.exports = { runJsc, JSC_KEYS: KEYS };
