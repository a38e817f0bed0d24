// Scripts with threads through the spec runner: the litmus scripts of this folder by the
// command line (each thread a worker of the pool's worker), and the runner's handling of
// threads in this process (the thread workers are dist/'s): every command of a thread gets
// its own outcome, a command that did not run is a failure, never a pass.

import { readdirSync } from 'fs';
import * as path from 'path';
import { ensureBuilt, jetwasm, ROOT } from '../cli-helpers';
import { runScriptSource } from '../../spec-tests/runner';
import { nodeThreads } from '../../spec-tests/threads';

beforeAll(() => ensureBuilt(), 300_000);
jest.setTimeout(120_000);

const DIR = path.join(ROOT, 'tests', 'threads');

test('the litmus and agent scripts pass in full', () => {
  const files = readdirSync(DIR)
    .filter((f) => f.endsWith('.wast'))
    .sort();
  expect(files).toEqual(['agents.wast', 'load-buffering.wast', 'message-passing.wast', 'store-buffering.wast']);
  // Repeated: each run races 2000 rounds per litmus script.
  for (let run = 0; run < 3; run++) {
    const r = jetwasm(['wast', ...files.map((f) => path.join('tests', 'threads', f))]);
    expect(r.stdout).toMatch(/\b71 passed, 0 failed, 0 skipped$/m);
    expect(r.code).toBe(0);
  }
});

/** Outcome per command line, `passed` / `failed` / `skipped`, in plan order. */
function outcomes(src: string, joinLimitMs?: number, threads = true): Array<[number, string, string]> {
  const lines: number[] = [];
  const out: Array<[number, string, string]> = [];
  runScriptSource(
    src,
    'test.wast',
    {
      plan: (cmds) => cmds.forEach((c) => lines.push(c.line)),
      outcome: (i, outcome, message) => (out[i] = [lines[i], outcome, message]),
    },
    threads ? { threads: nodeThreads(joinLimitMs) } : {},
  );
  expect(out.filter((o) => o !== undefined).length).toBe(lines.length);
  return out;
}

const MEM = '(module $Mem (memory (export "m") 1 1 shared) (func (export "f")))';

test("a thread's commands are outcomes of their own; failures stay failures", () => {
  const src = [
    MEM,
    '(thread $T (shared (module $Mem))',
    '  (register "mem" $Mem)',
    '  (module (memory (import "mem" "m") 1 1 shared) (func (export "get") (result i32) (i32.const 7)))',
    '  (assert_return (invoke "get") (i32.const 7))',
    '  (assert_return (invoke "get") (i32.const 8))',
    '  (invoke $Mem "f"))', // only shared memories reach a thread
    '(wait $T)',
    '(wait $T)', // already joined
    '(wait $Nobody)',
  ].join('\n');
  expect(outcomes(src).map(([line, o]) => [line, o])).toEqual([
    [1, 'passed'],
    [2, 'passed'],
    [3, 'passed'],
    [4, 'passed'],
    [5, 'passed'],
    [6, 'failed'],
    [7, 'failed'],
    [8, 'passed'],
    [9, 'failed'],
    [10, 'failed'],
  ]);
});

test('nested threads, and threads never waited for, are joined and reported', () => {
  const src = [
    MEM,
    '(thread $Outer (shared (module $Mem))',
    '  (register "mem" $Mem)',
    '  (module $Inner (memory (export "m") (import "mem" "m") 1 1 shared) (func (export "one") (result i32) (i32.const 1)))',
    '  (thread $Nested (shared (module $Inner))',
    '    (register "mem" $Inner)',
    '    (module (memory (import "mem" "m") 1 1 shared) (func (export "two") (result i32) (i32.const 2)))',
    '    (assert_return (invoke "two") (i32.const 2))))',
  ].join('\n');
  expect(outcomes(src).map(([line, o]) => [line, o])).toEqual([
    [1, 'passed'],
    [2, 'passed'],
    [3, 'passed'],
    [4, 'passed'],
    [5, 'passed'],
    [6, 'passed'],
    [7, 'passed'],
    [8, 'passed'],
  ]);
});

test('a thread that does not end is given up; its commands fail', () => {
  const src = [
    MEM,
    '(thread $T (shared (module $Mem))',
    '  (register "mem" $Mem)',
    '  (module (memory (import "mem" "m") 1 1 shared)',
    '    (func (export "block") (result i32) (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const -1))))',
    '  (assert_return (invoke "block") (i32.const 0)))',
    '(wait $T)',
  ].join('\n');
  const r = outcomes(src, 5000);
  expect(r.map(([line, o]) => [line, o])).toEqual([
    [1, 'passed'],
    [2, 'passed'],
    [3, 'passed'],
    [4, 'passed'],
    [6, 'failed'],
    [7, 'failed'],
  ]);
  expect(r[4][2]).toMatch(/did not end within/);
});

test('without a thread host, a thread and its commands fail', () => {
  const src = [MEM, '(thread $T (module (func)) (invoke "f"))', '(wait $T)'].join('\n');
  expect(outcomes(src, undefined, false).map(([line, o]) => [line, o])).toEqual([
    [1, 'passed'],
    [2, 'failed'],
    [2, 'failed'],
    [2, 'failed'],
    [3, 'failed'],
  ]);
});
