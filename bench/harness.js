// Measurement loop shared by the in-process workloads.
//
// Method (see README.md): every engine gets its own fresh load of the workload's package,
// made while globalThis.WebAssembly is that engine's object, and the global stays set to it
// whenever that engine's code runs (packages may look the global up lazily). Rounds
// alternate engines, rotating the order each round so none always runs first or right
// after a GC-heavy neighbour. Warm-up rounds are untimed. The figure reported is the median
// of the timed repetitions.
'use strict';

const now = () => Number(process.hrtime.bigint()) / 1e6; // ms

/** Runs `fn` with globalThis.WebAssembly set to `WA` (restored afterwards, also on error). */
async function withWebAssembly(WA, fn) {
  const had = Object.prototype.hasOwnProperty.call(globalThis, 'WebAssembly');
  const saved = globalThis.WebAssembly;
  Object.defineProperty(globalThis, 'WebAssembly', { value: WA, writable: true, configurable: true, enumerable: false });
  try {
    return await fn();
  } finally {
    if (had) Object.defineProperty(globalThis, 'WebAssembly', { value: saved, writable: true, configurable: true, enumerable: false });
    else delete globalThis.WebAssembly;
  }
}

/**
 * `require`s `file` afresh: every cached module under `pkgDir` is dropped before and after,
 * so module-level state (hash-wasm's compiled-module cache, sql.js's init promise) belongs
 * to this load alone.
 */
function freshRequire(file, pkgDir) {
  // require.cache is keyed by real paths: node_modules may be a symbolic link.
  const dirs = [pkgDir, realpath(pkgDir)];
  const purge = () => {
    for (const k of Object.keys(require.cache)) if (dirs.some((d) => k.startsWith(d))) delete require.cache[k];
  };
  purge();
  try {
    return require(file);
  } finally {
    purge();
  }
}

function realpath(p) {
  try {
    return require('fs').realpathSync(p);
  } catch {
    return p;
  }
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function gc() {
  if (typeof globalThis.gc === 'function') globalThis.gc();
}

/**
 * Measures one workload on every engine.
 * workload: { name, unit, setup(engine) -> state, run(state) -> { work, check }, teardown?,
 *             engines? }
 *   `work` is the amount done by one repetition (bytes, rows); throughput = work / time.
 *   `engines` (names) restricts the workload to those engines; the others are left out of
 *   its row entirely. A repetition may return `extra: { id: ms }`, further figures of the
 *   same sample (compile-big's warm compile); they are collected per engine as
 *   `extraSamplesMs` and made into rows of their own by `extraRow`.
 * opts: { warmup, reps, minReps, budgetMs, log }
 * Returns { name, unit, engines: { [name]: { samplesMs, medianMs, throughput, check } | { error } } }.
 */
async function measure(workload, engines, opts) {
  const log = opts.log || (() => {});
  const live = [];
  const result = { name: workload.name, unit: workload.unit, engines: {} };
  for (const e of engines) {
    if (workload.engines && !workload.engines.includes(e.name)) continue;
    if (e.unavailable) {
      result.engines[e.name] = { error: e.unavailable };
      continue;
    }
    try {
      const state = await withWebAssembly(e.WA, () => workload.setup(e));
      live.push({ e, state, samples: [], phases: {}, extra: {}, check: null });
    } catch (err) {
      result.engines[e.name] = { error: err && err.notApplicable ? oneLine(err) : `setup failed: ${oneLine(err)}` };
      log(`  ${workload.name} on ${e.name}: setup failed: ${oneLine(err)}`);
    }
  }

  const rounds = opts.warmup + opts.reps;
  const t0 = now();
  for (let r = 0; r < rounds; r++) {
    const timed = r >= opts.warmup;
    // Rotate the order so every engine takes every position equally often.
    const order = live.map((_, i) => live[(i + r) % live.length]);
    for (const slot of order) {
      if (slot.failed) continue;
      gc();
      try {
        const out = await withWebAssembly(slot.e.WA, async () => {
          const s = now();
          const o = await workload.run(slot.state);
          const wall = now() - s;
          // A workload timed elsewhere (a child process) reports its own figure.
          return { ...o, ms: typeof o.ms === 'number' ? o.ms : wall };
        });
        if (slot.check === null) slot.check = out.check;
        else if (slot.check !== out.check) slot.check = `unstable: ${slot.check} vs ${out.check}`;
        slot.work = out.work;
        if (timed) {
          slot.samples.push(out.ms);
          for (const [k, v] of Object.entries(out.phases || {})) (slot.phases[k] = slot.phases[k] || []).push(v);
          for (const [k, v] of Object.entries(out.extra || {})) (slot.extra[k] = slot.extra[k] || []).push(v);
        }
      } catch (err) {
        slot.failed = `run failed: ${oneLine(err)}`;
        log(`  ${workload.name} on ${slot.e.name}: ${slot.failed}`);
      }
    }
    const done = r + 1 - opts.warmup;
    log(`  ${workload.name}: round ${r + 1}/${rounds}${timed ? '' : ' (warm-up)'}`);
    // Stop early (whole rounds only, so every engine keeps the same sample count) once the
    // minimum is met and the workload's time budget is spent.
    if (timed && done >= opts.minReps && now() - t0 > opts.budgetMs) break;
  }

  for (const slot of live) {
    if (workload.teardown) {
      try { await withWebAssembly(slot.e.WA, () => workload.teardown(slot.state)); } catch { /* ignore */ }
    }
    if (slot.failed) {
      result.engines[slot.e.name] = { error: slot.failed };
      continue;
    }
    const med = median(slot.samples);
    result.engines[slot.e.name] = {
      samplesMs: slot.samples.map((x) => +x.toFixed(3)),
      medianMs: +med.toFixed(3),
      work: slot.work,
      throughput: slot.work / (med / 1000),
      check: slot.check,
    };
    const phases = Object.entries(slot.phases);
    if (phases.length) {
      result.engines[slot.e.name].phasesMs = Object.fromEntries(phases.map(([k, v]) => [k, +median(v).toFixed(3)]));
    }
    const extra = Object.entries(slot.extra);
    if (extra.length) {
      result.engines[slot.e.name].extraSamplesMs = Object.fromEntries(extra.map(([k, v]) => [k, v.map((x) => +x.toFixed(3))]));
    }
  }
  return result;
}

/**
 * The row of the extra figure `id` of a measured result (see measure): same engines, same
 * work and check, the extra figure's samples and median.
 */
function extraRow(result, id, name) {
  const row = { name, unit: result.unit, engines: {} };
  for (const [n, e] of Object.entries(result.engines)) {
    const samples = e.extraSamplesMs && e.extraSamplesMs[id];
    if (e.error || !samples) {
      row.engines[n] = { error: e.error || `no ${id} figure` };
      continue;
    }
    const med = median(samples);
    row.engines[n] = { samplesMs: samples, medianMs: +med.toFixed(3), work: e.work, throughput: e.work / (med / 1000), check: e.check };
  }
  return row;
}

function oneLine(err) {
  return String((err && err.message) || err).split('\n')[0].slice(0, 200);
}

module.exports = { withWebAssembly, freshRequire, measure, extraRow, median, now, oneLine, gc };
