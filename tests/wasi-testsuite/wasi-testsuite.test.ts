// The official WASI conformance tests (WebAssembly/wasi-testsuite, wasm32-wasip1, vendored in
// suite/) under `jetwasm run`, run the way the suite's own runner runs a runtime (runner.js):
// every test must pass, except those in expected-failures.js, which must still fail.
// `node tests/wasi-testsuite/run.js` shows the same results beside Node's own WASI.
//
// The CLI is built from the current sources into a private folder (never the shared dist/).

import { existsSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { privateCliBuild } from '../support/private-build';

const { RUNTIMES, listTests, runAll, reason } = require('./runner');
const { EXPECTED_FAILURES } = require('./expected-failures') as { EXPECTED_FAILURES: Record<string, string> };

interface Result {
  readonly id: string;
  readonly pass: boolean;
  readonly why: string;
  readonly stderr: string;
}

const tests: { id: string }[] = listTests();
const results = new Map<string, Result>();
let buildRoot = '';

beforeAll(async () => {
  const build = privateCliBuild('wasi-testsuite');
  buildRoot = build.root;
  const bin = build.bin;
  // Two at a time: the other test files of `npm test` share the machine.
  const jobs = 2;
  for (const r of (await runAll(tests, RUNTIMES.jetwasm(bin), { jobs, timeoutMs: 60_000 })) as Result[])
    results.set(r.id, r);
}, 600_000);

afterAll(() => {
  if (buildRoot) rmSync(buildRoot, { recursive: true, force: true });
});

test('the suite is there: 72 tests from the recorded upstream commit', () => {
  expect(tests.length).toBe(72);
  expect(existsSync(path.join(__dirname, 'suite', 'UPSTREAM_COMMIT'))).toBe(true);
  for (const id of Object.keys(EXPECTED_FAILURES)) expect(tests.map((t) => t.id)).toContain(id);
});

test('Node keeps whole microseconds of a file time it sets (why the timestamp tests are expected failures)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'jetwasm-utimes-'));
  try {
    const file = path.join(dir, 'f');
    writeFileSync(file, '');
    utimesSync(file, 1.000000789, 2.000000789);
    const st = statSync(file, { bigint: true });
    expect([st.atimeNs, st.mtimeNs]).toEqual([1_000_000_000n, 2_000_000_000n]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe.each(tests.map((t) => t.id))('%s', (id) => {
  if (id in EXPECTED_FAILURES) {
    test(`still fails (expected: ${EXPECTED_FAILURES[id]}); remove it from expected-failures.js once it passes`, () => {
      expect(results.get(id)?.pass).toBe(false);
    });
  } else {
    test('passes under jetwasm run', () => {
      const r = results.get(id);
      expect(r === undefined ? 'not run' : r.pass ? '' : reason(r)).toBe('');
    });
  }
});
