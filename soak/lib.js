'use strict';
// Shared helpers of the soak phases: the build under test, a seeded random source, heap
// samples and the flat-heap rule.

const path = require('path');

/** The package as built in dist/ (npm run build). */
function jetwasm() {
  return require(path.join(__dirname, '..', 'dist', 'index.js'));
}

/** A seeded generator (mulberry32): the same seed gives the same run. */
function rng(seed) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    /** An integer in [0, n). */
    int: (n) => Math.floor(next() * n),
    pick: (a) => a[Math.floor(next() * a.length)],
  };
}

/** heapUsed after full collections (needs --expose-gc). */
function heapAfterGc() {
  if (typeof global.gc !== 'function') throw new Error('run node with --expose-gc');
  global.gc();
  global.gc();
  return process.memoryUsage().heapUsed;
}

/**
 * The flat-heap rule: every sample taken after the baseline (the sample at 1% of the run)
 * lies within `bound` (a fraction) of it. Returns { ok, baseline, worst, samples }, where
 * `worst` is the largest relative deviation seen.
 */
function judgeHeap(samples, baselineIndex, bound) {
  const baseline = samples[baselineIndex].heap;
  let worst = 0;
  for (const s of samples.slice(baselineIndex + 1)) {
    const d = (s.heap - baseline) / baseline;
    if (Math.abs(d) > Math.abs(worst)) worst = d;
  }
  return { ok: Math.abs(worst) <= bound, baseline, worst, bound };
}

const MiB = 1024 * 1024;
const fmtMiB = (b) => (b / MiB).toFixed(2) + ' MiB';

class SoakFailure extends Error {
  constructor(message) {
    super(message);
    this.name = 'SoakFailure';
  }
}

/** Throws a SoakFailure with `what` unless `cond`. */
function check(cond, what) {
  if (!cond) throw new SoakFailure(typeof what === 'function' ? what() : what);
}

module.exports = { jetwasm, rng, heapAfterGc, judgeHeap, MiB, fmtMiB, SoakFailure, check };
