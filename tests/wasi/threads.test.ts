// wasi-threads under `jetwasm run`: threads.wasm (src/threads/threads.c, built by build.sh)
// against a native-Wasm runner (native-threads-runner.js: Node's WebAssembly with a shared
// WebAssembly.Memory and Workers), plus small text modules for thread-spawn's failures and
// for _start returning while a thread spins. Both runners run as child processes.
//
// The CLI is built from the current sources into a private folder (never the shared dist/).

import { spawnSync } from 'child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { privateCliBuild } from '../support/private-build';

const WASM = path.join(__dirname, 'threads.wasm');
let buildRoot = '';
let bin = '';
const work = mkdtempSync(path.join(tmpdir(), 'jetwasm-wasi-threads-'));

beforeAll(() => {
  ({ root: buildRoot, bin } = privateCliBuild('wasi-threads-test'));
}, 300_000);

afterAll(() => {
  if (buildRoot) rmSync(buildRoot, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

interface Outcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function jetwasm(args: string[]): Outcome {
  const r = spawnSync(process.execPath, [bin, 'run', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function native(mode: string): Outcome {
  // threads.wasm imports (memory 2 16 shared) or so; the runner's memory need only fit it.
  const config = { wasm: WASM, args: [WASM, mode], memory: { initial: 16, maximum: 16 } };
  const r = spawnSync(process.execPath, [path.join(__dirname, 'native-threads-runner.js'), JSON.stringify(config)], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A text module written to the work folder, for `jetwasm run`. */
function wat(name: string, text: string): string {
  const file = path.join(work, `${name}.wat`);
  writeFileSync(file, text);
  return file;
}

const MAIN_LINES = [
  'main: joined 4 threads',
  'main: hits = 80000',
  'main: total = 200000',
  'main: thread ids ok',
  'main: stacks ok',
];

test('counters: 4 threads add up under jetwasm as under native Wasm, each on its own stack', () => {
  const ours = jetwasm([WASM, 'counters']);
  const ref = native('counters');
  expect(ours.stderr).toBe('');
  expect(ref.stderr).toBe('');
  expect(ours.code).toBe(0);
  expect(ref.code).toBe(0);
  const lines = ours.stdout.trimEnd().split('\n');
  const refLines = ref.stdout.trimEnd().split('\n');
  // Threads interleave differently from run to run; the lines are the same, and the main
  // thread's come first and last.
  expect([...lines].sort()).toEqual([...refLines].sort());
  expect(lines[0]).toBe('main: spawning 4 threads');
  expect(lines.slice(-MAIN_LINES.length)).toEqual(MAIN_LINES);
  // Each thread's own lines are in its order; every thread starts before any finishes (the
  // barrier in check_stack).
  const at = (l: string): number => lines.indexOf(l);
  for (let i = 0; i < 4; i++) {
    expect(at(`thread ${i}: start`)).toBeGreaterThan(0);
    for (let j = 0; j < 4; j++) expect(at(`thread ${i}: start`)).toBeLessThan(at(`thread ${j}: done`));
  }
  expect(lines).toHaveLength(1 + 8 + MAIN_LINES.length);
});

test('proc_exit(3) in a thread ends the program while the main thread waits', () => {
  const ours = jetwasm([WASM, 'exit']);
  const ref = native('exit');
  expect(ours).toEqual(ref);
  expect(ours).toEqual({ code: 3, stdout: 'main: spawning 1 thread\nthread 0: exit 3\n', stderr: '' });
});

test('a trap in a thread ends the program as a trap (exit 1), naming the thread', () => {
  const ours = jetwasm([WASM, 'trap']);
  const ref = native('trap');
  expect(ours.stdout).toBe(ref.stdout);
  expect(ours.stdout).toBe('main: spawning 1 thread\nthread 0: trap\n');
  expect(ours.code).toBe(1);
  expect(ref.code).toBe(1);
  const err = ours.stderr.split('\n');
  expect(err[0]).toMatch(/^jetwasm: trap: unreachable \(in thread [1-9]\d*\)$/);
  expect(err[1]).toBe('wasm backtrace:');
});

/** _start: proc_exit(10) when thread-spawn(7) fails (negative), 20 when it returns a thread id. */
const SPAWN_REPORT = `
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (func (export "_start")
    (call $exit (select (i32.const 10) (i32.const 20) (i32.lt_s (call $spawn (i32.const 7)) (i32.const 0)))))`;

test.each([
  [
    'a memory the module defines',
    `(module ${SPAWN_REPORT} (memory (export "memory") 1)
     (func (export "wasi_thread_start") (param i32 i32)))`,
  ],
  [
    'an unshared imported memory',
    `(module (import "env" "memory" (memory 1)) ${SPAWN_REPORT}
     (func (export "wasi_thread_start") (param i32 i32)))`,
  ],
  ['no memory', `(module ${SPAWN_REPORT} (func (export "wasi_thread_start") (param i32 i32)))`],
  ['no wasi_thread_start export', `(module (import "env" "memory" (memory 1 1 shared)) ${SPAWN_REPORT})`],
])('thread-spawn fails (negative result) with %s', (name, text) => {
  expect(jetwasm([wat(name.replace(/\W+/g, '-'), text)])).toEqual({ code: 10, stdout: '', stderr: '' });
});

test('thread-spawn succeeds with an imported shared memory and wasi_thread_start', () => {
  const file = wat(
    'spawn-ok',
    `(module (import "env" "memory" (memory 1 1 shared)) ${SPAWN_REPORT}
    (func (export "wasi_thread_start") (param i32 i32)))`,
  );
  expect(jetwasm([file])).toEqual({ code: 20, stdout: '', stderr: '' });
});

test('returning from _start ends the program while a thread spins', () => {
  // The thread stores its tid and start_arg, wakes the main thread, then loops forever.
  const file = wat(
    'return-main-busy',
    `(module
    (import "foo" "bar" (memory 1 1 shared))
    (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
    (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
      (i32.store (i32.const 4) (local.get $tid))
      (i32.store (i32.const 8) (local.get $arg))
      (i32.atomic.store (i32.const 0) (i32.const 1))
      (drop (memory.atomic.notify (i32.const 0) (i32.const 1)))
      (loop $spin (br $spin)))
    (func (export "_start") (local $tid i32)
      (local.set $tid (call $spawn (i32.const 12345)))
      (if (i32.le_s (local.get $tid) (i32.const 0)) (then unreachable))
      (drop (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const -1)))
      (if (i32.ne (i32.load (i32.const 4)) (local.get $tid)) (then unreachable))
      (if (i32.ne (i32.load (i32.const 8)) (i32.const 12345)) (then unreachable))))`,
  );
  expect(jetwasm([file])).toEqual({ code: 0, stdout: '', stderr: '' });
});

test('a wasi-threads program takes no --invoke, and unknown imports are link errors', () => {
  const file = wat('invoke', `(module (import "env" "memory" (memory 1 1 shared)) ${SPAWN_REPORT})`);
  const inv = jetwasm([file, '--invoke', '_start']);
  expect(inv.code).toBe(2);
  expect(inv.stderr).toMatch(/uses wasi-threads/);
  const other = wat('other-import', `(module (import "env" "f" (func)) ${SPAWN_REPORT})`);
  const bad = jetwasm([other]);
  expect(bad.code).toBe(1);
  expect(bad.stderr).toMatch(/cannot instantiate .*unknown import "env" "f"/);
});

test('runWasiThreads for embedders: stdio to a given descriptor, exit code, WasiThreadError', async () => {
  // The private build's module: its workers load thread-worker.js from beside it.
  const threads = require(
    path.join(buildRoot, 'dist', 'runtime', 'wasi', 'threads.js'),
  ) as typeof import('../../runtime/wasi/threads');
  const bytes = readFileSync(WASM);
  const out = path.join(work, 'embedder-out.txt');
  const fd = openSync(out, 'w');
  try {
    await expect(threads.runWasiThreads({ bytes, wasi: { args: ['threads.wasm', 'exit'], stdout: fd } })).resolves.toBe(
      3,
    );
    const failure = threads.runWasiThreads({ bytes, wasi: { args: ['threads.wasm', 'trap'], stdout: fd } });
    await expect(failure).rejects.toBeInstanceOf(threads.WasiThreadError);
    await expect(failure).rejects.toMatchObject({ kind: 'trap', message: 'unreachable' });
    const e: unknown = await failure.catch((x: unknown) => x);
    expect((e as { thread: number }).thread).toBeGreaterThan(0);
    expect((e as { backtrace: string[] }).backtrace.length).toBeGreaterThan(0);
  } finally {
    closeSync(fd);
  }
  expect(readFileSync(out, 'utf8')).toBe(
    'main: spawning 1 thread\nthread 0: exit 3\nmain: spawning 1 thread\nthread 0: trap\n',
  );
});
