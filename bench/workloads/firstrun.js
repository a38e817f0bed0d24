// First run of real packages, each sample in a fresh Node process (firstrun-child.js): the
// engine is installed as globalThis.WebAssembly before the package loads (polyfill-style),
// the package is loaded with its own API and runs one small task (packages.js). The figure
// is the time from the process's start to the task's result: Node's start, loading the
// engine, loading the package (its compile and instantiate) and the task, all cold, as a
// command-line tool using the package would see it. Samples alternate engines.
//
// Check: a hash of the task's output. Under --jitless native has no WebAssembly, so the
// reference is native's output from one extra process started without --jitless.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const { PACKAGES, version, warmPageCache } = require('./packages');

const CHILD = path.join(__dirname, 'firstrun-child.js');
const MARK = 'BENCH-RESULT ';
const ENGINES = ['native', 'jetwasm', 'polywasm'];
// The packages whose sample takes seconds: fewer repetitions (see run.js).
const BIG = new Set(['swc', 'biome', 'asc', 'sqljs', 'tiktoken', 'pyodide']);

/**
 * Runs a bench child process and returns its BENCH-RESULT object. The child gets an empty
 * cache directory of its own (XDG_CACHE_HOME, where a persistent compile cache would live),
 * so no sample finds anything an earlier sample left behind.
 */
function runChild(args, { jitless, timeoutMs = 30 * 60e3 }) {
  const flags = jitless ? ['--jitless'] : [];
  const cacheHome = fs.mkdtempSync(path.join(os.tmpdir(), 'jetwasm-bench-cache-'));
  let out;
  try {
    out = execFileSync(process.execPath, [...flags, ...args], {
      encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20, timeout: timeoutMs,
      env: { ...process.env, XDG_CACHE_HOME: cacheHome },
    });
  } catch (e) {
    const err = String(e.stderr || e.message).trim().split('\n');
    throw new Error(err.find((l) => /Error|error:/.test(l)) || err[0] || `exit ${e.status}`);
  } finally {
    fs.rmSync(cacheHome, { recursive: true, force: true });
  }
  const line = out.split('\n').reverse().find((l) => l.startsWith(MARK));
  if (!line) throw new Error('child printed no result');
  return JSON.parse(line.slice(MARK.length));
}

function isJitless() {
  return process.execArgv.includes('--jitless');
}

function workloads(opts) {
  const jitless = isJitless();
  return PACKAGES.map((pkg, i) => {
    let reference;
    return {
      name: `first run ${pkg.key === 'sqljs' ? `sql.js ${opts.sqlRows / 1000}k` : pkg.key} (fresh process)`,
      key: `firstrun-${pkg.key}`,
      group: 'firstrun',
      big: BIG.has(pkg.key),
      unit: 's',
      lowerIsBetter: true,
      engines: ENGINES,
      note: [
        i === 0 ? 'process start to the task\'s result, engine installed as globalThis.WebAssembly before the package loads; wasm2js not run (no ahead-of-time build of these packages)' : null,
        i === 0 && jitless ? 'check compares with native\'s output from a separate process without --jitless' : null,
        `${pkg.pkg} ${version(pkg.pkg)}, ${pkg.task}`,
      ].filter(Boolean).join('; '),
      wasm: () => [],
      async setup(engine) {
        warmPageCache(pkg);
        if (jitless && reference === undefined) {
          try {
            reference = runChild([CHILD, pkg.key, 'native', opts.dist, String(opts.sqlRows)], { jitless: false }).check;
          } catch (e) {
            reference = `(native reference failed: ${String(e.message).slice(0, 120)})`;
          }
        }
        return { engine: engine.name };
      },
      run({ engine }) {
        const r = runChild([CHILD, pkg.key, engine, opts.dist, String(opts.sqlRows)], { jitless });
        return { work: 1, check: r.check, ms: r.ms, phases: r.phases };
      },
      get referenceCheck() {
        return reference;
      },
    };
  });
}

module.exports = { workloads, runChild, isJitless };
