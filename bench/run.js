// The measuring process (started by index.js with --expose-gc, and --jitless when asked).
// Usage: node run.js OPTIONS_JSON RESULT_FILE
'use strict';
const fs = require('fs');
const { loadEngines } = require('./engines');
const { measure } = require('./harness');

const WORKLOADS = [
  require('./workloads/hash'),
  require('./workloads/sqljs'),
  require('./workloads/startup'),
  require('./workloads/compile'),
];

/** Repetition plan per workload kind: untimed warm-up rounds, timed rounds, time budget. */
function plan(key, opts) {
  const q = opts.quick;
  switch (key) {
    case 'sqljs': return { warmup: 1, reps: q ? 3 : 5, minReps: 3, budgetMs: q ? 20e3 : 60e3 };
    case 'startup': return { warmup: 1, reps: q ? 3 : 5, minReps: 3, budgetMs: q ? 20e3 : 60e3 };
    case 'compile': return { warmup: 1, reps: q ? 3 : 5, minReps: 3, budgetMs: q ? 15e3 : 40e3 };
    default: return { warmup: q ? 1 : 2, reps: q ? 3 : 7, minReps: 3, budgetMs: q ? 10e3 : 30e3 };
  }
}

// Emscripten glue may reject a promise nobody awaits when an engine fails during setup;
// the failure is already recorded for that engine, so it must not end the whole run.
process.on('unhandledRejection', (e) => {
  process.stderr.write(`  (unhandled rejection: ${String((e && e.message) || e).split('\n')[0].slice(0, 200)})\n`);
});

async function main() {
  const opts = JSON.parse(process.argv[2]);
  const out = process.argv[3];
  const engines = loadEngines(opts.dist, opts.cacheDir);
  const log = (m) => process.stderr.write(`${m}\n`);
  const results = [];
  for (const mod of WORKLOADS) {
    for (const w of mod.workloads(opts)) {
      if (opts.only.length && !opts.only.includes(w.key)) continue;
      log(`${w.name} ...`);
      const r = await measure(w, engines, { ...plan(w.key, opts), log: opts.verbose ? log : () => {} });
      r.key = w.key;
      r.scale = w.scale || 1;
      r.lowerIsBetter = !!w.lowerIsBetter;
      if (w.note) r.note = w.note;
      results.push(r);
    }
  }
  const meta = {
    node: process.version,
    v8: process.versions.v8,
    jitless: process.execArgv.includes('--jitless'),
    engines: engines.map((e) => ({ name: e.name, via: e.via, unavailable: e.unavailable })),
  };
  fs.writeFileSync(out, JSON.stringify({ meta, results }));
}

main().catch((e) => {
  process.stderr.write(`${(e && e.stack) || e}\n`);
  process.exit(1);
});
