// JavaScriptCore as a tested host: the NaN-sensitive scripts of the testsuite (and
// nan-bits.wast) in the `jsc` shell, with its JIT and with --useJIT=false, must give exactly
// Node's counts (spec-tests/expected.json). `npm run test:jsc` runs all of the testsuite the
// same way. Without a `jsc` the test is reported as skipped, never as passed (.ci/run
// installs the shell where it can).

import { spawnSync } from 'child_process';
import * as path from 'path';

/* eslint-disable @typescript-eslint/no-require-imports */
const { findJsc } = require('./support') as { findJsc: () => string | null };

const jsc = findJsc();
const FILES = [
  'f32.wast',
  'f64.wast',
  'f32_bitwise.wast',
  'f64_bitwise.wast',
  'float_exprs.wast',
  'float_misc.wast',
  'conversions.wast',
  'float_memory.wast',
  'float_literals.wast',
  'global.wast',
  'select.wast',
  'local_tee.wast',
  'simd_lane.wast',
  'simd_splat.wast',
  'memory_trap.wast',
  'address.wast',
];

const maybe = jsc ? test : test.skip;

maybe(
  "NaN-sensitive scripts give Node's counts in jsc, with and without its JIT, each with its profile",
  () => {
    const r = spawnSync(
      process.execPath,
      [
        path.join(__dirname, 'run.js'),
        '--mode',
        'both',
        '--jobs',
        '2',
        '--files',
        FILES.join(','),
        '--script',
        path.join(__dirname, 'nan-bits.wast'),
      ],
      { encoding: 'utf8', timeout: 240_000 },
    );
    if (r.status !== 0) throw new Error(`tests/jsc/run.js exited with ${r.status}:\n${r.stdout}\n${r.stderr}`);
    expect(r.stdout).toMatch(/jsc jit: default code-generation profile jit\n/);
    expect(r.stdout).toMatch(/jsc nojit: default code-generation profile interpreter\n/);
    expect(r.stdout).toMatch(/jsc jit: 17 files, \d+ passed, 0 failed, 0 skipped/);
    expect(r.stdout).toMatch(/jsc nojit: 17 files, \d+ passed, 0 failed, 0 skipped/);
  },
  300_000,
);
