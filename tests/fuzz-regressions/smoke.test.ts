// Bounded runs of both fuzzers, so `npm test` exercises them (the long runs are
// `npm run fuzz:diff` and `npm run fuzz:bytes`). Fixed seeds: a failure here reproduces
// with the same seed on the command line.

import { spawnSync } from 'child_process';
import * as path from 'path';
import { ALL_FEATURES } from '../../fuzz/binaryen';
import { runDiff } from '../../fuzz/diff';
import { runBinaryenDiff } from '../../fuzz/diff-binaryen';
import { loadCorpus, runBytes } from '../../fuzz/bytes';

const quiet = (): void => {};

test('differential fuzzing: 200 generated modules agree with the native engine', async () => {
  const s = await runDiff({
    cases: 200,
    first: 0,
    seed: 20261124,
    timeoutMs: 20_000,
    outDir: null,
    reduce: false,
    log: quiet,
  });
  expect(s.divergences.map((d) => ({ case: d.case, ...d.difference }))).toEqual([]);
  expect(s.harnessErrors).toBe(0);
  expect(s.cases).toBe(200);
  expect(s.callsCompared).toBeGreaterThan(500);
}, 300_000);

test("differential fuzzing: 100 all-feature modules agree with binaryen's interpreter", async () => {
  const s = await runBinaryenDiff({
    cases: 100,
    first: 0,
    seed: 20261203,
    timeoutMs: 20_000,
    features: ALL_FEATURES,
    outDir: null,
    reduce: false,
    log: quiet,
  });
  expect(s.divergences.map((d) => ({ case: d.case, ...d.difference }))).toEqual([]);
  expect(s.cases).toBe(100);
  // binaryen's in-process interpreter can exhaust the host stack on deep recursion; such
  // cases are harness errors, rare but not zero.
  expect(s.harnessErrors).toBeLessThanOrEqual(3);
  expect(s.callsCompared).toBeGreaterThan(500);
  expect(s.byFeature.gc.cases).toBeGreaterThan(0);
  expect(s.byFeature.exceptions.cases).toBeGreaterThan(0);
  expect(s.byFeature.memory64.cases).toBeGreaterThan(0);
  expect(s.byFeature['multi-memory'].cases).toBeGreaterThan(0);
}, 300_000);

test('hostile inputs: 2000 mutated binaries and texts end in success or a typed error', async () => {
  const corpus = await loadCorpus({ maxFiles: 60, binaryen: 10, seed: 7 });
  const s = await runBytes({ cases: 2000, seed: 20261124, timeoutMs: 10_000, outDir: null, corpus, log: quiet });
  expect(s.failures).toEqual([]);
  expect(s.cases).toBe(2000);
  // The mutations reach every phase: some inputs are rejected, some still compile.
  expect(s.outcomes['compile-error:malformed']).toBeGreaterThan(0);
  expect((s.outcomes.compiled ?? 0) + (s.outcomes.instantiated ?? 0)).toBeGreaterThan(0);
}, 300_000);

test('the fuzzers refuse options they do not have', () => {
  const run = path.join(__dirname, '..', '..', 'fuzz', 'run.js');
  for (const [which, option] of [
    ['diff', '--frobnicate'],
    ['bytes', '--frobnicate'],
  ]) {
    const r = spawnSync(process.execPath, [run, which, option, 'x'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`unknown option ${option}`);
  }
  for (const [args, message] of [
    [['--oracle', 'frobnicate'], 'unknown oracle frobnicate'],
    [['--oracle', 'binaryen', '--features', 'some'], 'unknown feature set some'],
    [['--features', 'all'], 'the native oracle runs only what Node runs'],
  ] as const) {
    const r = spawnSync(process.execPath, [run, 'diff', ...args], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
  }
});
