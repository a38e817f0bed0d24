// The whole spec suite with 'interpreter' code in BigInt mode for every function the mode
// covers (JETWASM_I64=bigint-always), whatever each function's balance: the default
// 'bigint' keeps word pairs in most of the suite's small functions, so only this run puts
// the mode's conversions and operators through every i64 test of the suite. The host
// itself has a JIT; what is tested is the generated code, which is the same without one.

import { spawnSync } from 'child_process';
import * as path from 'path';
import { ensureBuilt, ROOT } from './cli-helpers';

beforeAll(() => ensureBuilt(), 300_000);

test('every spec command passes with i64 values carried as BigInts', () => {
  const suite = process.env.WASM_TESTSUITE ?? path.join(ROOT, 'spec-tests', 'testsuite');
  const r = spawnSync(
    process.execPath,
    [
      path.join(ROOT, 'bin', 'jetwasm.js'),
      'wast',
      '--proposals',
      '--expect',
      path.join(ROOT, 'spec-tests', 'expected.json'),
      '--suite',
      suite,
      '--quiet',
    ],
    {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 240_000,
      env: { ...process.env, JETWASM_CODEGEN: 'interpreter', JETWASM_I64: 'bigint-always' },
    },
  );
  expect(r.stderr).not.toMatch(/regress/);
  expect(r.status).toBe(0);
  const total = /(\d+) passed, (\d+) failed, (\d+) skipped\s*$/.exec(r.stdout.trimEnd());
  expect(total).not.toBeNull();
  expect(Number(total![1])).toBeGreaterThan(60_000);
  expect(total!.slice(2)).toEqual(['0', '0']);
  expect(r.stdout).toMatch(/no regressions against the expected results/);
}, 300_000);
