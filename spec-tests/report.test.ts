import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import {
  buildExpected,
  compareExpected,
  countsLine,
  expectedToJson,
  emptyFileResult,
  formatTable,
  parseExpected,
  record,
  summarize,
  toJson,
  type FileResult,
} from './report';
import { runFiles } from './pool';

function file(name: string, passed: number, failed: number, skipped: number): FileResult {
  const r = emptyFileResult(name);
  for (let i = 0; i < passed; i++) record(r, i + 1, 'assert_return', 'passed');
  for (let i = 0; i < failed; i++) record(r, 100 + i, 'assert_trap', 'failed', `bad ${i}`);
  for (let i = 0; i < skipped; i++) record(r, 200 + i, 'module', 'skipped', 'unsupported');
  return r;
}

describe('JSON report', () => {
  test('has exactly the documented shape and key order', () => {
    const s = summarize([file('a.wast', 2, 1, 0), file('dir/b.wast', 0, 0, 1)]);
    const text = toJson(s);
    const parsed = JSON.parse(text);
    expect(Object.keys(parsed)).toEqual(['files', 'passed', 'failed', 'skipped']);
    expect(parsed.passed).toBe(2);
    expect(parsed.failed).toBe(1);
    expect(parsed.skipped).toBe(1);
    expect(Object.keys(parsed.files[0])).toEqual(['file', 'passed', 'failed', 'skipped', 'problems']);
    expect(parsed.files[0].problems).toEqual([
      { line: 100, command: 'assert_trap', outcome: 'failed', message: 'bad 0' },
    ]);
    expect(parsed.files[1]).toEqual({
      file: 'dir/b.wast',
      passed: 0,
      failed: 0,
      skipped: 1,
      problems: [{ line: 200, command: 'module', outcome: 'skipped', message: 'unsupported' }],
    });
  });
  test('totals line', () => {
    expect(countsLine({ passed: 3, failed: 0, skipped: 2 })).toBe('3 passed, 0 failed, 2 skipped');
  });
  test('table lists every file and the totals', () => {
    const t = formatTable(summarize([file('a.wast', 2, 0, 0), file('b.wast', 1, 1, 0)]));
    const lines = t.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^file\s+passed\s+failed\s+skipped\s+status$/);
    expect(lines.some((l) => /^a\.wast\s+2\s+0\s+0\s+ok$/.test(l))).toBe(true);
    expect(lines.some((l) => /^b\.wast\s+1\s+1\s+0\s+partial$/.test(l))).toBe(true);
    expect(lines[lines.length - 1]).toMatch(/^total\s+3\s+1\s+0\s+1\/2 files ok$/);
  });
});

describe('expected results', () => {
  const key = (f: string): string => f.replace(/^\/suite\//, '');
  const expected = parseExpected(
    JSON.stringify({
      files: {
        'a.wast': { passed: 10, failed: 0, skipped: 0 },
        'b.wast': { passed: 5, failed: 5, skipped: 0 },
        'c.wast': { passed: 5, failed: 5, skipped: 0 },
        'd.wast': { passed: 4, failed: 0, skipped: 0 },
      },
    }),
  );
  test('fewer passes, or new failures in a fully passing file, are regressions', () => {
    const s = summarize([
      file('/suite/a.wast', 10, 0, 1), // was fully passing, now a skip
      file('/suite/b.wast', 4, 6, 0), // fewer passes
      file('/suite/c.wast', 7, 3, 0), // improvement
      file('/suite/d.wast', 4, 0, 0), // unchanged
      file('/suite/e.wast', 1, 0, 0), // unknown
    ]);
    const cmp = compareExpected(s, expected, key);
    expect(cmp.regressions).toHaveLength(2);
    expect(cmp.regressions[0]).toMatch(/^a\.wast: 10 passed, 0 failed, 1 skipped \(was fully passing/);
    expect(cmp.regressions[1]).toMatch(/^b\.wast: 4 passed, 6 failed/);
    expect(cmp.improvements).toEqual([
      'c.wast: 7 passed, 3 failed, 0 skipped (expected 5 passed, 5 failed, 0 skipped)',
    ]);
    expect(cmp.unknown).toEqual(['e.wast']);
  });
  test('a partially passing file that still passes as many is not a regression', () => {
    const s = summarize([file('/suite/b.wast', 5, 4, 1)]);
    expect(compareExpected(s, expected, key).regressions).toEqual([]);
  });
  test('buildExpected records counts by key, sorted', () => {
    const e = buildExpected(summarize([file('/suite/z.wast', 1, 2, 3), file('/suite/legacy/a.wast', 4, 0, 0)]), key);
    expect(Object.keys(e.files)).toEqual(['legacy/a.wast', 'z.wast']);
    expect(e.files['z.wast']).toEqual({ passed: 1, failed: 2, skipped: 3 });
  });
  test('parseExpected rejects malformed files', () => {
    expect(() => parseExpected('{"files": {"a": {"passed": 1}}}')).toThrow(/numeric/);
    expect(() => parseExpected('[]')).toThrow(/"files"/);
  });
});

describe('worker pool isolation', () => {
  // Fake workers speaking the pool protocol, so the pool is tested without the engine.
  const dir = mkdtempSync(path.join(tmpdir(), 'jetwasm-pool-'));
  const worker = (name: string, body: string): string => {
    const p = path.join(dir, name);
    writeFileSync(
      p,
      `const { parentPort } = require('worker_threads');
parentPort.on('message', (job) => {
  const post = (m) => parentPort.postMessage(m);
  post({ kind: 'plan', commands: [{ line: 1, command: 'module' }, { line: 2, command: 'assert_return' }, { line: 3, command: 'invoke' }] });
  ${body}
});`,
    );
    return p;
  };
  const jobs = [{ path: 'x.wast', file: 'x.wast' }];

  test('a file that hangs fails its remaining commands after the time limit', async () => {
    const w = worker('hang.js', `post({ kind: 'outcome', index: 0, outcome: 'passed', message: '' }); for (;;) {}`);
    const [r] = await runFiles(jobs, { jobs: 1, timeoutMs: 500, workerPath: w });
    expect([r.passed, r.failed, r.skipped]).toEqual([1, 2, 0]);
    expect(r.problems[0]).toMatchObject({ line: 2, command: 'assert_return', outcome: 'failed' });
    expect(r.problems[0].message).toMatch(/timed out/);
    expect(r.problems[1].message).toMatch(/^not run: timed out .* at line 2$/);
  });
  test('a crashing worker fails the commands without outcomes; the next file gets a new worker', async () => {
    const w = worker(
      'crash.js',
      `if (job.file === 'bad.wast') { post({ kind: 'outcome', index: 0, outcome: 'passed', message: '' }); setImmediate(() => { throw new Error('boom'); }); return; }
       for (let i = 0; i < 3; i++) post({ kind: 'outcome', index: i, outcome: i === 2 ? 'skipped' : 'passed', message: i === 2 ? 'why' : '' });
       post({ kind: 'done' });`,
    );
    const rs = await runFiles(
      [
        { path: 'bad.wast', file: 'bad.wast' },
        { path: 'good.wast', file: 'good.wast' },
      ],
      { jobs: 1, timeoutMs: 10_000, workerPath: w },
    );
    expect(rs.map((r) => [r.file, r.passed, r.failed, r.skipped])).toEqual([
      ['bad.wast', 1, 2, 0],
      ['good.wast', 2, 0, 1],
    ]);
    expect(rs[0].problems[0].message).toMatch(/worker crashed: boom/);
    expect(rs[1].problems).toEqual([{ line: 3, command: 'invoke', outcome: 'skipped', message: 'why' }]);
  });
});

test('expectedToJson writes one file per line and reads back', () => {
  const e = {
    files: { 'a.wast': { passed: 1, failed: 2, skipped: 3 }, 'legacy/b.wast': { passed: 4, failed: 0, skipped: 0 } },
  };
  const text = expectedToJson(e);
  expect(text.split('\n')).toHaveLength(5);
  expect(parseExpected(text)).toEqual(e);
  expect(parseExpected(expectedToJson({ files: {} }))).toEqual({ files: {} });
});
