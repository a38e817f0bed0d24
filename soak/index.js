#!/usr/bin/env node
'use strict';
// `npm run soak`: the long-running checks of README.md (here) against dist/ (npm run build).
//   node soak/index.js [--cycles N] [--trap-rounds N] [--interrupt-rounds N] [--wasi-bytes N]
//                      [--seed S] [--phases a,b,c,d] [--samples N] [--bound F]
//                      [--leak-bytes N] [--json FILE] [--quiet]
// Exit code 0 when every phase passed, 1 otherwise.

const { spawnSync } = require('child_process');

const DEFAULTS = {
  cycles: 1_000_000,
  trapRounds: 100_000,
  interruptRounds: 20_000,
  wasiBytes: 1024 ** 3,
  seed: 1,
  phases: 'cycles,traps,wasi,interrupts',
  samples: 100,
  bound: 0.1,
  leakBytes: 0,
  json: '',
  quiet: false,
};

/** Sizes accept K, M, G suffixes (powers of 1024): --wasi-bytes 256M. */
function parseSize(s) {
  const m = /^(\d+(?:\.\d+)?)([kKmMgG]?)(i?B)?$/.exec(s.replace(/_/g, ''));
  if (!m) throw new Error(`not a size: ${s}`);
  return Math.round(Number(m[1]) * 1024 ** ' kmg'.indexOf((m[2] || ' ').toLowerCase()));
}

function parseArgs(argv) {
  const o = { ...DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => (inline !== undefined ? inline : argv[++i]);
    const key = flag.replace(/^--/, '').replace(/-(.)/g, (_, c) => c.toUpperCase());
    if (!(key in DEFAULTS) || !flag.startsWith('--')) throw new Error(`unknown option ${flag}`);
    if (key === 'quiet') o.quiet = true;
    else if (key === 'phases' || key === 'json') o[key] = value();
    else if (key === 'bound') o.bound = Number(value());
    else o[key] = parseSize(value());
  }
  return o;
}

async function main() {
  if (typeof global.gc !== 'function') {
    // The heap samples need gc(): run again with it exposed.
    const r = spawnSync(process.execPath, ['--expose-gc', __filename, ...process.argv.slice(2)], { stdio: 'inherit' });
    process.exit(r.status === null ? 1 : r.status);
  }
  const o = parseArgs(process.argv.slice(2));
  const log = o.quiet ? null : (s) => console.log(s);
  const say = (s) => { if (!o.quiet) console.log(s); };
  const phases = o.phases.split(',');
  const results = { node: process.version, options: o, phases: {} };
  let ok = true;
  const runPhase = async (name, f) => {
    if (!phases.includes(name)) return;
    say(`== ${name}`);
    let r;
    try {
      r = await f();
    } catch (e) {
      r = { ok: false, error: e && e.stack ? e.stack : String(e) };
    }
    results.phases[name] = r;
    ok = ok && r.ok;
    say(`${name}: ${r.ok ? 'ok' : 'FAILED'} ${summary(name, r)}`);
  };
  await runPhase('cycles', () => require('./cycles').run({ cycles: o.cycles, seed: o.seed, samples: o.samples, bound: o.bound, leakBytes: o.leakBytes, log }));
  await runPhase('traps', () => require('./traps').run({ rounds: o.trapRounds, seed: o.seed, samples: 20, bound: o.bound, log }));
  await runPhase('wasi', () => require('./wasi').run({ bytes: o.wasiBytes, seed: o.seed }));
  await runPhase('interrupts', () => require('./interrupts').run({ rounds: o.interruptRounds, seed: o.seed }));
  if (o.json) require('fs').writeFileSync(o.json, JSON.stringify(results, null, 1));
  say(ok ? 'soak: all phases passed' : 'soak: FAILED');
  process.exitCode = ok ? 0 : 1;
}

function summary(name, r) {
  if (r.error) return '\n' + r.error;
  const pct = (h) => (h ? `heap ${(h.baseline / 1048576).toFixed(2)} MiB at 1%, worst ${(h.worst * 100).toFixed(1)}% (bound ${h.bound * 100}%)` : '');
  switch (name) {
    case 'cycles': return `${r.cycles} cycles in ${(r.ms / 1000).toFixed(1)} s (${r.usPerCycle.toFixed(1)} µs each), ${pct(r.heap)}`;
    case 'traps': return `${r.rounds} traps of ${r.kinds} kinds in ${(r.ms / 1000).toFixed(1)} s, ${pct(r.heap)}${r.missing.length ? `, never hit: ${r.missing}` : ''}`;
    case 'wasi': return `${r.bytes} bytes in ${(r.ms / 1000).toFixed(1)} s (${r.mibPerS.toFixed(1)} MiB/s), sha256 ${r.sha256}, guest ${pct(r.guest && r.guest.heap)}${r.problems.length ? '\n  ' + r.problems.join('\n  ') : ''}`;
    case 'interrupts': return `${r.rounds} rounds in ${(r.ms / 1000).toFixed(1)} s, ${JSON.stringify(r.counts)}, cost model ${JSON.stringify(r.costModel)}`;
    default: return '';
  }
}

main();
