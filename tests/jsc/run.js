#!/usr/bin/env node
// Runs the spec runner's scripts in JavaScriptCore's shell (`jsc`) and compares every file's
// counts with the expected ones (spec-tests/expected.json, Node's results): the runner, the
// compiler and the runtime are bundled for the shell (tests/jsc/build.js), and each shell
// process runs a batch of scripts, printing one JSON line per script (tests/jsc/shell.js).
//
//   node tests/jsc/run.js [--mode jit|nojit|both] [--files a.wast,b.wast] [--script FILE]...
//                         [--jobs N] [--quiet] [--realworld | --no-realworld]
//
// Besides the scripts, the hash-wasm and sql.js workloads of tests/realworld/workloads.js run
// in jsc on jetwasm's facade (in place of the shell's own WebAssembly), and their results
// must equal Node's with native WebAssembly. On by default; off when --files is given,
// unless --realworld.
//
// Modes: `jit` is the shell's defaults, `nojit` adds --useJIT=false (JSC's interpreter only,
// as in Lockdown Mode). Default: both. Exit status 0 only if every file of every mode has
// exactly the expected counts; 2 when no `jsc` is found (JSC_PATH names one explicitly).
// `--script` adds a script outside the testsuite, which must pass every command.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn, spawnSync } = require('child_process');
const { findJsc, buildShellBundle, suiteFiles } = require('./support');

const root = path.resolve(__dirname, '../..');

function parseArgs(argv) {
  const o = { modes: ['jit', 'nojit'], files: null, scripts: [], realworld: undefined, jobs: Math.max(1, Math.min(4, os.cpus().length)), quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--mode') { const m = argv[++i]; o.modes = m === 'both' ? ['jit', 'nojit'] : [m]; }
    else if (a === '--files') o.files = argv[++i].split(',').filter(Boolean);
    else if (a === '--script') o.scripts.push(path.resolve(argv[++i]));
    else if (a === '--jobs') o.jobs = Number(argv[++i]);
    else if (a === '--quiet') o.quiet = true;
    else if (a === '--realworld') o.realworld = true;
    else if (a === '--no-realworld') o.realworld = false;
    else throw new Error(`unknown argument ${a}`);
  }
  for (const m of o.modes) if (m !== 'jit' && m !== 'nojit') throw new Error(`unknown mode ${m}`);
  if (o.realworld === undefined) o.realworld = o.files === null;
  return o;
}

/** Per-process time limit: generous, since the interpreter-only mode is slow on big scripts. */
const BATCH_TIMEOUT_MS = 20 * 60 * 1000;

/** Runs `jsc` with `args`, killed after BATCH_TIMEOUT_MS; resolves to its output and exit. */
function runShell(jsc, args) {
  return new Promise((resolve) => {
    const child = spawn(jsc, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), BATCH_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ out, err, code, signal });
    });
  });
}

/** Runs one shell process over `files` ({key, file}); resolves to Map key -> result line. */
async function runBatch(jsc, bundle, mode, files) {
  const args = [...(mode === 'nojit' ? ['--useJIT=false'] : []), bundle, path.join(__dirname, 'shell.js'), '--'];
  for (const f of files) args.push(f.key, f.file);
  const { out, err, code, signal } = await runShell(jsc, args);
  const results = new Map();
  for (const line of out.split('\n')) {
    if (!line.startsWith('@@ ')) continue;
    const r = JSON.parse(line.slice(3));
    results.set(r.key, r);
  }
  // A script whose line is missing crashed or hung the shell: it fails as a whole.
  for (const f of files) {
    if (!results.has(f.key)) {
      const why = signal ? `jsc killed by ${signal}` : `jsc exited with ${code}`;
      results.set(f.key, { key: f.key, passed: 0, failed: 1, skipped: 0, failures: [{ line: 0, message: `${why}: ${err.slice(-400)}` }] });
      break; // later files of the batch are re-run on their own
    }
  }
  return results;
}

/** Runs every file in `mode`, `jobs` shell processes at a time; resolves to Map key -> result. */
async function runMode(jsc, bundle, mode, files, jobs) {
  const results = new Map();
  let pending = files.slice();
  while (pending.length > 0) {
    // Batches of similar size, spread over the jobs; a crashed batch's remaining files go again.
    const per = Math.max(1, Math.ceil(pending.length / (jobs * 4)));
    const batches = [];
    for (let i = 0; i < pending.length; i += per) batches.push(pending.slice(i, i + per));
    let next = 0;
    const worker = async () => {
      while (next < batches.length) {
        const b = batches[next++];
        const r = await runBatch(jsc, bundle, mode, b);
        for (const [k, v] of r) results.set(k, v);
      }
    };
    await Promise.all(Array.from({ length: jobs }, worker));
    pending = pending.filter((f) => !results.has(f.key));
  }
  return results;
}

const WORKLOADS = {
  hash: () => [workloads.hashWasmPath],
  sql: () => [workloads.sqlJsPath, path.join(path.dirname(workloads.sqlJsPath), 'sql-wasm.wasm')],
};
const workloads = require('../realworld/workloads.js');

/** A workload's results in this process, on Node's own WebAssembly. */
async function nativeResults(which) {
  const out = which === 'hash'
    ? await workloads.hashWorkload(require(workloads.hashWasmPath))
    : await workloads.sqlWorkload(require(workloads.sqlJsPath));
  return JSON.stringify(out.results);
}

/** A workload in jsc on jetwasm's facade: resolves to { results (JSON) | error, ms }. */
async function jscResults(jsc, bundle, mode, which) {
  const args = [...(mode === 'nojit' ? ['--useJIT=false'] : []), bundle, path.join(__dirname, 'workload-shell.js'), '--', which, ...WORKLOADS[which](), 'jetwasm'];
  const t0 = Date.now();
  const { out, err, code, signal } = await runShell(jsc, args);
  const ms = Date.now() - t0;
  const line = out.split('\n').find((l) => l.startsWith('@@ '));
  if (!line) return { error: `jsc ${signal ? `killed by ${signal}` : `exited with ${code}`}: ${(err || out).slice(-400)}`, ms };
  const r = JSON.parse(line.slice(3));
  if (r.error) return { error: r.error, ms };
  if (!r.usedFacade) return { error: 'the workload did not run on the facade', ms };
  return { results: JSON.stringify(r.results), ms };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const jsc = findJsc();
  if (!jsc) {
    console.error('jsc not found (Debian: apt-get install libjavascriptcoregtk-4.0-bin, or set JSC_PATH)');
    process.exit(2);
  }
  const suite = suiteFiles();
  const expected = JSON.parse(fs.readFileSync(path.join(root, 'spec-tests/expected.json'), 'utf8')).files;
  let files = suite.files;
  if (opts.files) {
    const want = new Set(opts.files);
    files = files.filter((f) => want.has(f.key));
    for (const k of want) if (!files.some((f) => f.key === k)) throw new Error(`no script ${k} in ${suite.root}`);
  }
  files = files.concat(opts.scripts.map((file) => ({ file, key: path.relative(root, file).split(path.sep).join('/'), extra: true })));
  const bundle = await buildShellBundle();
  let ok = true;
  for (const mode of opts.modes) {
    // The profile chosen by default (runtime/jit-probe.ts) must follow the shell's JIT.
    const p = spawnSync(jsc, [...(mode === 'nojit' ? ['--useJIT=false'] : []), '-e', `load(${JSON.stringify(bundle)}); print(jetwasmDefaultProfile())`], { encoding: 'utf8' });
    const profile = p.stdout.trim();
    const want = mode === 'nojit' ? 'interpreter' : 'jit';
    console.log(`jsc ${mode}: default code-generation profile ${profile}${profile === want ? '' : ` (FAILED: expected ${want})`}`);
    if (profile !== want) ok = false;
    const t0 = Date.now();
    const results = await runMode(jsc, bundle, mode, files, opts.jobs);
    const totals = { passed: 0, failed: 0, skipped: 0 };
    const wrong = [];
    for (const f of files) {
      const r = results.get(f.key);
      totals.passed += r.passed; totals.failed += r.failed; totals.skipped += r.skipped;
      const e = f.extra ? (r.passed > 0 ? { passed: r.passed, failed: 0, skipped: 0 } : null) : expected[f.key];
      if (!e || e.passed !== r.passed || e.failed !== r.failed || e.skipped !== r.skipped) wrong.push({ r, e });
    }
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    console.log(`jsc ${mode}: ${files.length} files, ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped (${secs} s)`);
    for (const { r, e } of wrong) {
      ok = false;
      const want = e ? `${e.passed}/${e.failed}/${e.skipped}` : 'none';
      console.log(`  ${r.key}: passed/failed/skipped ${r.passed}/${r.failed}/${r.skipped}, expected ${want}`);
      if (!opts.quiet) for (const p of r.failures.slice(0, 5)) console.log(`    line ${p.line}: ${p.message}`);
    }
  }
  fs.rmSync(path.dirname(bundle), { recursive: true, force: true });
  if (opts.realworld) {
    const wbundle = await buildShellBundle('tests/jsc/workloads-entry.js');
    for (const which of Object.keys(WORKLOADS)) {
      const native = await nativeResults(which);
      for (const mode of opts.modes) {
        const r = await jscResults(jsc, wbundle, mode, which);
        const same = r.results === native;
        if (!same) ok = false;
        const verdict = r.error ? `FAILED: ${r.error}` : same ? 'results equal Node\'s native' : 'FAILED: results differ from Node\'s native';
        console.log(`jsc ${mode}: ${which} workload ${verdict} (${(r.ms / 1000).toFixed(1)} s)`);
      }
    }
    fs.rmSync(path.dirname(wbundle), { recursive: true, force: true });
  }
  if (!ok) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
