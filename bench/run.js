// The measuring process (started by index.js with --expose-gc, and --jitless when asked).
// Usage: node run.js OPTIONS_JSON RESULT_FILE
'use strict';
const fs = require('fs');
const { loadEngines } = require('./engines');
const { measure, extraRow } = require('./harness');

const WORKLOADS = [
  require('./workloads/hash'),
  require('./workloads/sqljs'),
  require('./workloads/startup'),
  require('./workloads/compile'),
  require('./workloads/compile-big'),
  require('./workloads/firstrun'),
];

/** Repetition plan per workload kind: untimed warm-up rounds, timed rounds, time budget. */
function plan(w, opts) {
  const q = opts.quick;
  const jitless = process.execArgv.includes('--jitless');
  // Fresh-process rows: no warm-up round (each sample is cold by design); the big packages
  // take seconds per sample (minutes without a JIT), so fewer repetitions.
  if (w.group === 'compile-big') {
    return jitless
      ? { warmup: 0, reps: q ? 1 : 3, minReps: 1, budgetMs: q ? 60e3 : 240e3 }
      : { warmup: 0, reps: q ? 3 : 5, minReps: 3, budgetMs: q ? 30e3 : 60e3 };
  }
  if (w.group === 'firstrun') {
    if (jitless) return { warmup: 0, reps: q || w.big ? 1 : 3, minReps: 1, budgetMs: q ? 60e3 : 180e3 };
    return w.big
      ? { warmup: 0, reps: q ? 1 : 3, minReps: q ? 1 : 3, budgetMs: q ? 30e3 : 60e3 }
      : { warmup: 0, reps: q ? 3 : 5, minReps: 3, budgetMs: q ? 20e3 : 40e3 };
  }
  switch (w.key) {
    case 'sqljs': return { warmup: 1, reps: q ? 3 : 5, minReps: 3, budgetMs: q ? 20e3 : 60e3 };
    case 'startup': case 'startup-warm': return { warmup: 1, reps: q ? 3 : 5, minReps: 3, budgetMs: q ? 20e3 : 60e3 };
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
      if (opts.only.length && !opts.only.includes(w.key) && !opts.only.includes(w.group)) continue;
      log(`${w.name} ...`);
      const r = await measure(w, engines, { ...plan(w, opts), log: opts.verbose ? log : () => {} });
      const rows = [r, ...(w.extraRows || []).map((x) => extraRow(r, x.id, x.name))];
      for (const row of rows) {
        row.key = w.key;
        if (w.group) row.group = w.group;
        row.scale = w.scale || 1;
        row.lowerIsBetter = !!w.lowerIsBetter;
        if (w.referenceCheck !== undefined) row.referenceCheck = w.referenceCheck;
        for (const e of Object.values(row.engines)) delete e.extraSamplesMs;
      }
      if (w.note) r.note = w.note;
      results.push(...rows);
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
