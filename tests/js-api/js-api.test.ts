// The vendored WebAssembly JS-API tests (wpt/) against the facade: every test file runs in a
// process of its own (run.js) with a private build of runtime/jsapi (never the shared dist/,
// which other tests rebuild), and the results must be at least those of expected.json: a test
// not listed there as failing must pass (README.md).
//
// limits.any.js compiles modules at the JS API's limits (10,000,000 element segments, 1,000,000
// types, functions, imports, exports and globals) and keeps them all alive while its
// synchronous tests run, which takes several GiB of memory; it runs where the machine has
// LIMITS_MEMORY bytes or more.

import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runFiles, compare } = require('./run.js') as {
  runFiles: (files: string[], options: { facade: string; jobs?: number }) => Promise<Record<string, unknown>>;
  compare: (results: Record<string, unknown>, expected: unknown) => { regressions: string[]; improvements: string[] };
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { testFiles } = require('./harness.js') as { testFiles: () => string[] };

const ROOT = path.resolve(__dirname, '../..');
const EXPECTED = JSON.parse(fs.readFileSync(path.join(__dirname, 'expected.json'), 'utf8'));
const LIMITS_FILE = 'limits.any.js';
const LIMITS_MEMORY = 16 * 2 ** 30;

let facade = '';

beforeAll(() => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'jetwasm-js-api-'));
  const r = spawnSync(
    process.execPath,
    [
      path.join(ROOT, 'node_modules/typescript/bin/tsc'),
      '--outDir',
      out,
      '--rootDir',
      ROOT,
      '--target',
      'ES2022',
      '--module',
      'commonjs',
      '--moduleResolution',
      'node',
      '--esModuleInterop',
      '--skipLibCheck',
      '--types',
      'node',
      '--noCheck',
      '--isolatedModules',
      path.join(ROOT, 'runtime/jsapi/index.ts'),
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`tsc failed: ${r.stdout}${r.stderr}`);
  facade = path.join(out, 'runtime/jsapi/index.js');
}, 300_000);

function check(results: Record<string, unknown>): void {
  const { regressions, improvements } = compare(results, EXPECTED);
  for (const i of improvements) console.log(`improved (update tests/js-api/expected.json): ${i}`);
  expect(regressions).toEqual([]);
}

test('every file is in the expected results', () => {
  expect(Object.keys(EXPECTED.files).sort()).toEqual(testFiles());
});

test('the JS-API tests pass as expected', async () => {
  const files = testFiles().filter((f) => f !== LIMITS_FILE);
  check(await runFiles(files, { facade }));
}, 600_000);

const limitsTest = os.totalmem() >= LIMITS_MEMORY ? test : test.skip;
limitsTest(
  'limits.any.js passes as expected',
  async () => {
    check(await runFiles([LIMITS_FILE], { facade, jobs: 1 }));
  },
  1_800_000,
);
