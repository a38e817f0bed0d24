// sql.js startup time (to the first query's result), each run a fresh process: the
// ahead-of-time module (jetwasm compile output) vs jetwasm's run-time compiler (the
// WebAssembly facade) vs native WebAssembly, under node and node --jitless. Not a test;
// figures in bench/results/2026-12-03-aot.md.
//
//   npx tsc -p tsconfig.json --outDir /tmp/aot-dist
//   node tests/aot/sqljs-startup.mjs /tmp/aot-dist [RUNS]
//
// The clock starts before the runtime (jetwasm, or the AOT module and its runtime) is
// loaded and before sql-wasm.wasm is read, and stops when `SELECT sqlite_version()` returns.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const sqlJsPath = require.resolve('sql.js/dist/sql-wasm.js');
const wasmPath = sqlJsPath.replace(/\.js$/, '.wasm');

async function child(mode, dist, aotFile) {
  const t0 = performance.now();
  let compilerFiles = 0;
  if (mode === 'aot') {
    const runtime = await import(pathToFileURL(path.join(dist, 'runtime/aot/index.js')).href);
    const aot = await import(pathToFileURL(aotFile).href);
    const { aotWebAssembly } = await import('./sqljs-shim.mjs');
    globalThis.WebAssembly = aotWebAssembly(aot, new Uint8Array(readFileSync(wasmPath)), runtime);
  } else if (mode === 'facade') {
    globalThis.WebAssembly = require(dist).WebAssembly;
  }
  const initSqlJs = require(sqlJsPath);
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  const version = db.exec('SELECT sqlite_version()')[0].values[0][0];
  const ms = performance.now() - t0;
  compilerFiles = Object.keys(require.cache).filter((f) => f.includes(`${path.sep}compiler${path.sep}`)).length;
  process.stdout.write(JSON.stringify({ ms, version, compilerFiles }));
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function parent(dist, runs) {
  const work = mkdtempSync(path.join(tmpdir(), 'jetwasm-sqljs-startup-'));
  try {
    const aotFile = path.join(work, 'sql-wasm.mjs');
    const t = performance.now();
    const { compileToEsm } = require(path.join(dist, 'runtime/aot/compile.js'));
    const src = compileToEsm(new Uint8Array(readFileSync(wasmPath)), { runtime: pathToFileURL(path.join(dist, 'runtime/aot/index.js')).href });
    writeFileSync(aotFile, src);
    console.log(`compile: ${(performance.now() - t).toFixed(0)} ms, ${src.length} bytes of JS from ${readFileSync(wasmPath).length} bytes of Wasm`);
    const self = fileURLToPath(import.meta.url);
    for (const flags of [[], ['--jitless']]) {
      for (const mode of ['native', 'facade', 'aot']) {
        if (mode === 'native' && flags.length) continue;
        const ms = [];
        let wall = [];
        let info;
        for (let i = 0; i < runs; i++) {
          const t0 = performance.now();
          info = JSON.parse(execFileSync(process.execPath, [...flags, self, '--child', mode, dist, aotFile], { encoding: 'utf8' }));
          wall.push(performance.now() - t0);
          ms.push(info.ms);
        }
        console.log(`${flags.length ? 'jitless' : 'jit    '} ${mode.padEnd(6)} startup median ${median(ms).toFixed(0)} ms (min ${Math.min(...ms).toFixed(0)}, max ${Math.max(...ms).toFixed(0)}), process wall median ${median(wall).toFixed(0)} ms, compiler files loaded ${info.compilerFiles}, sqlite ${info.version}`);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const args = process.argv.slice(2);
if (args[0] === '--child') await child(args[1], path.resolve(args[2]), args[3]);
else await parent(path.resolve(args[0] ?? path.join(here, '../../dist')), Number(args[1] ?? 5));
