#!/usr/bin/env node
// `npm run bench`: real-workload comparison of jetwasm with native WebAssembly, polywasm and
// binaryen's wasm2js. See README.md for the method and how to read the table.
//
//   npm run bench [-- --quick] [-- --jitless] [-- --json FILE] [-- --only sha256,sqljs]
//                 [-- --rev GIT_REV] [-- --dist DIR] [-- --verbose] [-- --host node|jsc]
//                 [-- --hash-mib N (8; 2 with --jitless)] [-- --rows N (50000; 10000 with --jitless)]
//
// This process builds jetwasm (into its own folder), precompiles the wasm2js peers, then
// measures in a child `node --expose-gc [--jitless]` and prints the table.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync, spawnSync } = require('child_process');
const { runJsc } = require('./jsc');
const { precompile } = require('./wasm2js');

const ROOT = path.resolve(__dirname, '..');
const CACHE = path.join(ROOT, 'node_modules/.cache/jetwasm-bench');
const WORKLOAD_KEYS = ['sha256', 'xxhash64', 'blake3', 'crc32', 'sqljs', 'startup', 'startup-warm', 'compile',
  'compile-big', 'compile-swc', 'compile-biome',
  'firstrun', 'firstrun-swc', 'firstrun-biome', 'firstrun-asc', 'firstrun-png', 'firstrun-sqljs',
  'firstrun-tiktoken', 'firstrun-brotli', 'firstrun-pyodide'];

function parseArgs(argv) {
  const o = { rev: null, json: null, jitless: false, quick: false, dist: null, only: [], verbose: false, hashMiB: null, sqlRows: null, host: 'node' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case '--json': o.json = path.resolve(next()); break;
      case '--jitless': o.jitless = true; break;
      case '--quick': o.quick = true; break;
      case '--dist': o.dist = path.resolve(next()); break;
      case '--rev': o.rev = next(); break;
      case '--only': o.only = next().split(',').map((s) => s.trim()).filter(Boolean); break;
      case '--verbose': o.verbose = true; break;
      case '--host': o.host = next(); break;
      case '--hash-mib': o.hashMiB = positive(a, next()); break;
      case '--rows': o.sqlRows = positive(a, next()); break;
      case '-h': case '--help':
        process.stdout.write(fs.readFileSync(__filename, 'utf8').split('\n').slice(1, 10).map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
        process.exit(0);
        break;
      default: throw new Error(`unknown option ${a} (see --help)`);
    }
  }
  if (o.host !== 'node' && o.host !== 'jsc') throw new Error(`unknown host ${o.host}; node or jsc`);
  // Without a JIT everything runs 10-50x slower; smaller inputs keep --jitless to minutes.
  o.hashMiB = o.hashMiB || (o.host === 'jsc' ? (o.jitless ? 1 : 4) : o.jitless ? 2 : 8);
  o.sqlRows = o.sqlRows || (o.jitless ? 10000 : 50000);
  for (const k of o.only) if (!WORKLOAD_KEYS.includes(k)) throw new Error(`unknown workload ${k}; one of ${WORKLOAD_KEYS.join(', ')}`);
  return o;
}

function positive(flag, v) {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} needs a positive integer`);
  return n;
}

/**
 * Compiles jetwasm into the bench's own folder (incremental, so an unchanged tree costs a
 * couple of seconds). Type errors elsewhere in the tree do not stop the bench as long as
 * the output exists; they are reported.
 */
function build(rev) {
  let src = ROOT;
  let dist = path.join(CACHE, 'dist');
  if (rev) {
    // Build a committed tree, independent of uncommitted edits in the work tree. It lives
    // under node_modules/ so the compiler finds the project's type packages.
    src = path.join(CACHE, 'rev-src');
    dist = path.join(CACHE, 'rev-dist');
    fs.rmSync(src, { recursive: true, force: true });
    fs.mkdirSync(src, { recursive: true });
    const tar = execFileSync('git', ['archive', '--format=tar', rev], { cwd: ROOT, maxBuffer: 1 << 30 });
    execFileSync('tar', ['-x', '-C', src], { input: tar });
  }
  const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(src, 'tsconfig.json'), '--outDir', dist,
    '--tsBuildInfoFile', path.join(dist, '.tsbuildinfo')], { cwd: src, encoding: 'utf8' });
  if (r.status !== 0) {
    const errs = (r.stdout || '').split('\n').filter((l) => /error TS/.test(l));
    if (!fs.existsSync(path.join(dist, 'runtime/index.js'))) {
      throw new Error(`build failed:\n${errs.slice(0, 20).join('\n') || r.stderr}`);
    }
    process.stderr.write(`warning: tsc reported ${errs.length} error(s); measuring the emitted output anyway\n`);
  }
  // The Node entry's bundle and code cache (trees older than the bundle have no node/build.js).
  const bundler = path.join(src, 'node', 'build.js');
  if (fs.existsSync(bundler)) {
    const b = spawnSync(process.execPath, [bundler, '--src', src, '--dist', dist], { cwd: src, encoding: 'utf8' });
    if (b.status !== 0) throw new Error(`bundling failed:\n${b.stderr}`);
  }
  return dist;
}

function commitInfo(rev) {
  try {
    const head = execFileSync('git', ['rev-parse', '--short=12', rev || 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    if (rev) return { commit: head, dirty: false };
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'compiler', 'runtime', 'vmctx', 'index.ts'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return { commit: head, dirty };
  } catch {
    return { commit: 'unknown', dirty: false };
  }
}

function precompileAll(opts) {
  // Loaded here only to enumerate the modules; nothing is measured in this process.
  const mods = ['hash', 'sqljs', 'startup', 'compile', 'compile-big', 'firstrun'].map((m) => require(`./workloads/${m}`));
  const seen = new Set();
  const status = {};
  for (const m of mods) {
    for (const w of m.workloads(opts)) {
      if (opts.only.length && !opts.only.includes(w.key) && !opts.only.includes(w.group)) continue;
      for (const bytes of w.wasm()) {
        const key = Buffer.from(bytes.subarray(0, 64)).toString('hex') + bytes.length;
        if (seen.has(key)) continue;
        seen.add(key);
        const r = precompile(CACHE, bytes);
        if (r.seconds !== null && r.ok) process.stderr.write(`wasm2js: compiled ${w.key} module (${(bytes.length / 1024).toFixed(0)} KiB) in ${r.seconds.toFixed(1)} s\n`);
        if (!r.ok) process.stderr.write(`wasm2js: cannot compile ${w.key} module: ${r.error}\n`);
        status[w.key] = r.ok ? { ok: true, compileSeconds: r.seconds } : { ok: false, error: r.error };
      }
    }
  }
  return status;
}

// ---------------------------------------------------------------- table

const PEERS = ['native', 'polywasm', 'wasm2js'];

function fmt(x) {
  if (x === null || x === undefined || !Number.isFinite(x)) return '-';
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  if (x >= 1) return x.toFixed(2);
  return x.toPrecision(2);
}

function value(r, e) {
  if (!e || e.error) return null;
  if (r.lowerIsBetter) return r.unit === 's' ? e.medianMs / 1000 : e.medianMs;
  return e.throughput * r.scale;
}

/** jetwasm speed / peer speed: above 1 means jetwasm is faster. */
function ratio(r, jet, peer) {
  if (!jet || jet.error || !peer || peer.error) return null;
  return r.lowerIsBetter ? peer.medianMs / jet.medianMs : jet.throughput / peer.throughput;
}

function checkColumn(r) {
  const ran = Object.entries(r.engines).filter(([, e]) => !e.error);
  if (ran.length === 0) return 'no engine ran';
  // Without native (--jitless), a row may carry native's result from a separate process.
  const nativeRan = r.engines.native && !r.engines.native.error;
  const ref = nativeRan ? r.engines.native.check : r.referenceCheck !== undefined ? r.referenceCheck : ran[0][1].check;
  const bad = ran.filter(([, e]) => e.check !== ref).map(([n]) => n);
  return bad.length ? `MISMATCH: ${bad.join(',')}` : 'ok';
}

function table(res) {
  const engines = ['native', 'jetwasm', 'polywasm', 'wasm2js'];
  const head = ['workload', 'unit', ...engines, 'jet/native', 'jet/poly', 'jet/wasm2js', 'check'];
  const rows = [head];
  const notes = [];
  for (const r of res.results) {
    const jet = r.engines.jetwasm;
    if (r.note) notes.push(`${r.name}: ${r.note}`);
    rows.push([
      r.name, r.unit,
      ...engines.map((n) => fmt(value(r, r.engines[n]))),
      ...PEERS.map((p) => fmt(ratio(r, jet, r.engines[p]))),
      checkColumn(r),
    ]);
    const phased = engines.filter((n) => r.engines[n] && r.engines[n].phasesMs);
    const keys = phased.length ? Object.keys(r.engines[phased[0]].phasesMs) : [];
    const compact = phased.length > 1 && phased.every((n) => Object.keys(r.engines[n].phasesMs).join() === keys.join());
    for (const n of engines) {
      const e = r.engines[n];
      if (e && e.error && !/--jitless/.test(e.error)) notes.push(`${r.name} / ${n}: ${e.error}`);
      if (e && e.phasesMs && !compact) notes.push(`${r.name} / ${n} phases (median ms): ${Object.entries(e.phasesMs).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}`);
    }
    if (compact) {
      notes.push(`${r.name} phases (median ms: ${keys.join(' / ')}): ${phased.map((n) => `${n} ${keys.map((k) => r.engines[n].phasesMs[k].toFixed(0)).join(' / ')}`).join(', ')}`);
    }
  }
  const widths = head.map((_, i) => Math.max(...rows.map((row) => String(row[i]).length)));
  const line = (row) => row.map((c, i) => (i < 2 || i === row.length - 1 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ').trimEnd();
  const out = [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)];
  if (notes.length) out.push('', ...notes.map((n) => `note: ${n}`));
  return out.join('\n');
}

// ---------------------------------------------------------------- main

function main() {
  const opts = parseArgs(process.argv.slice(2));
  fs.mkdirSync(CACHE, { recursive: true });
  const started = Date.now();
  opts.dist = opts.dist || build(opts.rev);
  opts.cacheDir = CACHE;
  if (opts.host === 'jsc') return mainJsc(opts, started);
  const wasm2js = precompileAll(opts);

  const resultFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'jetwasm-bench-')), 'result.json');
  const flags = ['--expose-gc', ...(opts.jitless ? ['--jitless'] : [])];
  const child = spawnSync(process.execPath, [...flags, path.join(__dirname, 'run.js'), JSON.stringify(opts), resultFile], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (child.status !== 0) {
    process.stderr.write(`bench: measuring process failed (${child.status ?? child.signal})\n`);
    process.exit(1);
  }
  const res = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
  fs.rmSync(path.dirname(resultFile), { recursive: true, force: true });
  res.meta = { ...res.meta, ...commitInfo(opts.rev), quick: opts.quick, wasm2js, seconds: Math.round((Date.now() - started) / 1000), date: new Date().toISOString() };

  report(res, `node ${res.meta.node}${res.meta.jitless ? ' --jitless' : ''}`, opts);
}

/** Prints the run's header, its engines and the table; writes the JSON report if asked. */
function report(res, host, opts) {
  const m = res.meta;
  process.stdout.write(`\njetwasm ${m.commit}${m.dirty ? ' (+ uncommitted changes)' : ''}, ${host}, ` +
    `${os.cpus().length} cpu, ${m.quick ? 'quick, ' : ''}${m.seconds} s\n`);
  for (const e of m.engines) process.stdout.write(`  ${e.name.padEnd(8)} ${e.unavailable ? `(${e.unavailable})` : e.via}\n`);
  process.stdout.write(`\n${table(res)}\n`);
  process.stdout.write('\nmedian of timed repetitions; ratios are jetwasm speed / peer speed (above 1 = jetwasm faster)\n');
  if (opts.json) {
    fs.writeFileSync(opts.json, JSON.stringify(res, null, 2) + '\n');
    process.stdout.write(`wrote ${opts.json}\n`);
  }
}

/** `--host jsc`: the hash rows in JavaScriptCore's shell (bench/jsc.js). */
function mainJsc(opts, started) {
  const res = runJsc(opts);
  res.meta = { ...res.meta, ...commitInfo(opts.rev), quick: opts.quick, seconds: Math.round((Date.now() - started) / 1000), date: new Date().toISOString() };
  report(res, `${res.meta.host}${res.meta.jitless ? ' --useJIT=false' : ''}`, opts);
}

try {
  main();
} catch (e) {
  process.stderr.write(`bench: ${(e && e.message) || e}\n`);
  process.exit(1);
}
