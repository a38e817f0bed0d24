// A clone must test itself wherever it lives: the suite is vendored, found by one function,
// and no source, test or script names a folder outside the repository.

import { execFileSync, spawnSync } from 'child_process';
import { existsSync, readFileSync } from 'fs';
import * as path from 'path';
import { findSuiteScripts, testsuiteRoot } from '../spec-tests/files';
import { ensureBuilt, ROOT } from './cli-helpers';
import { withEnv } from './support/env';

const VENDORED = path.join(ROOT, 'spec-tests', 'testsuite');
const SUITE_VAR = 'WASM_TESTSUITE';

test('the vendored testsuite is the pinned upstream commit, with its licence', () => {
  const [, commit] = readFileSync(path.join(VENDORED, 'UPSTREAM_COMMIT'), 'utf8').trim().split('\n');
  expect(commit).toBe('193e551ff22663995b1ac95dc62344133669e14b');
  expect(readFileSync(path.join(VENDORED, 'LICENSE'), 'utf8')).toMatch(/Apache License/);
  // What `npm test` runs: the top-level core scripts, legacy/ and custom/.
  expect(findSuiteScripts(VENDORED, false).length).toBe(264);
  expect(findSuiteScripts(VENDORED, true).length).toBeGreaterThan(264);
});

test('testsuiteRoot(): WASM_TESTSUITE when set, else the vendored copy, from sources and from dist', () => {
  expect(withEnv(SUITE_VAR, undefined, testsuiteRoot)).toBe(VENDORED);
  expect(withEnv(SUITE_VAR, '', testsuiteRoot)).toBe(VENDORED);
  expect(withEnv(SUITE_VAR, 'relative/suite', testsuiteRoot)).toBe(path.resolve('relative/suite'));
  ensureBuilt();
  const built = require(path.join(ROOT, 'dist', 'spec-tests', 'files.js')) as { testsuiteRoot: () => string };
  expect(withEnv(SUITE_VAR, undefined, built.testsuiteRoot)).toBe(VENDORED);
});

test('no tracked source, test or script names a folder outside the repository', () => {
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((f) => /\.(ts|js|mjs|cjs|json|sh)$/.test(f) || f.startsWith('.ci/'))
    .filter((f) => !f.startsWith('spec-tests/testsuite/') && f !== 'package-lock.json');
  expect(files.length).toBeGreaterThan(100);
  // Absolute folders of a particular machine, or relative paths that climb out of the clone.
  const outside = /['"`](\/(work|home|root|tmp|usr\/local)\/|(\.\.\/){3}|\.\.\/shared\b)/;
  const offenders = files.filter(
    (f) => existsSync(path.join(ROOT, f)) && outside.test(readFileSync(path.join(ROOT, f), 'utf8')),
  );
  expect(offenders).toEqual([]);
});

test('jest runs the TypeScript tests without configuration warnings', () => {
  const jestBin = require.resolve('jest/bin/jest');
  const r = spawnSync(process.execPath, [jestBin, '--ci', 'spec-tests/values.test.ts'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  expect(r.status).toBe(0);
  expect(r.stderr).toMatch(/Tests:\s+\d+ passed/);
  expect(r.stdout + r.stderr).not.toMatch(/WARN|deprecated/i);
}, 120_000);
