// The command line as a user drives it: help, version, argument errors, the spec step's
// behaviour when no testsuite is present, error reporting (one `jetwasm: WHAT: WHY` style on
// stderr, exit codes), resource limits of `run`, failure details of `wast` and Wasm
// backtraces of traps.

import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { ensureBuilt, jetwasm } from './cli-helpers';

beforeAll(() => ensureBuilt(), 300_000);
// Each test starts node processes; a loaded machine must not turn that into a failure.
jest.setTimeout(60_000);

const tmp = mkdtempSync(path.join(tmpdir(), 'jetwasm-cli-'));

test('--help lists the commands and exits 0', () => {
  const r = jetwasm(['--help']);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/jetwasm <command>/);
  for (const c of ['wast', 'run', 'validate']) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
});

test.each(['wast', 'run', 'validate'])('%s --help exits 0 with its usage', (cmd) => {
  const r = jetwasm([cmd, '--help']);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(new RegExp(`^Usage: jetwasm ${cmd} `));
});

test('an unknown command is one line on stderr and a non-zero exit', () => {
  const r = jetwasm(['frobnicate']);
  expect(r.code).not.toBe(0);
  expect(r.stdout).toBe('');
  expect(r.stderr.trimEnd().split('\n')).toEqual(['jetwasm: unknown command "frobnicate" (see jetwasm --help)']);
});

test('run without --invoke explains that _start is not supported yet', () => {
  const r = jetwasm(['run', 'examples/fib.wat']);
  expect(r.code).not.toBe(0);
  expect(r.stderr).toMatch(/--invoke NAME/);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
});

test('wast with a path that does not exist fails clearly', () => {
  const r = jetwasm(['wast', path.join(tmp, 'nope.wast')]);
  expect(r.code).not.toBe(0);
  expect(r.stderr).toMatch(/nope\.wast/);
});

test('wast rejects unknown options', () => {
  const r = jetwasm(['wast', '--frob', 'x.wast']);
  expect(r.code).not.toBe(0);
  expect(r.stderr).toMatch(/unknown option --frob/);
});

test('a missing testsuite is skipped with the reason, not failed', () => {
  const expected = path.join(tmp, 'expected.json');
  writeFileSync(expected, JSON.stringify({ files: { 'i32.wast': { passed: 1, failed: 0, skipped: 0 } } }));
  const json = path.join(tmp, 'out.json');
  const r = jetwasm(['wast', '--expect', expected, '--json', json, '--suite', path.join(tmp, 'no-testsuite')]);
  expect(r.code).toBe(0);
  expect(r.lines[0]).toMatch(/^spec tests skipped: no testsuite at .*no-testsuite/);
  expect(r.lines[r.lines.length - 1]).toBe('0 passed, 0 failed, 0 skipped');
  expect(JSON.parse(readFileSync(json, 'utf8'))).toEqual({ files: [], passed: 0, failed: 0, skipped: 0 });
});

test('--expect with a missing expected file is an error', () => {
  const r = jetwasm(['wast', '--expect', path.join(tmp, 'missing.json'), '--suite', path.join(tmp, 'no-testsuite')]);
  expect(r.code).not.toBe(0);
  expect(r.stderr).toMatch(/missing\.json does not exist/);
});

// ---------------------------------------------------------------- version, option syntax

const PKG_VERSION = (
  JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }
).version;

test('--version prints the package version', () => {
  const r = jetwasm(['--version']);
  expect(r).toMatchObject({ code: 0, stdout: `jetwasm ${PKG_VERSION}\n`, stderr: '' });
});

test('--help documents the exit codes', () => {
  const r = jetwasm(['--help']);
  expect(r.stdout).toMatch(/^Exit codes:\n {2}0 {2}success\n {2}1 .*\n(.*\n)? {2}2 {2}usage error/m);
  expect(r.stdout).toMatch(/--version/);
});

test('options take their value as --opt=value too', () => {
  expect(jetwasm(['run', 'examples/fib.wat', '--invoke=fib', '10'])).toMatchObject({
    code: 0,
    stdout: '55\n',
    stderr: '',
  });
  const json = path.join(tmp, 'eq.json');
  const file = path.join(tmp, 'ok.wast');
  writeFileSync(
    file,
    '(module (func (export "f") (result i32) (i32.const 1)))\n(assert_return (invoke "f") (i32.const 1))\n',
  );
  const r = jetwasm(['wast', `--json=${json}`, '--jobs=0', '--timeout=30s', file]);
  expect(r.code).toBe(0);
  expect(JSON.parse(readFileSync(json, 'utf8'))).toMatchObject({ passed: 2, failed: 0 });
  expect(jetwasm(['wast', '--table=yes', file]).stderr).toBe('jetwasm: --table takes no value\n');
});

// ---------------------------------------------------------------- run: fuel and timeouts

const SPIN = `(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func $spin (export "spin") (loop $l (br $l)))
  (func $_start (export "_start") (call $spin) (call $exit (i32.const 3))))`;
const spinFile = path.join(tmp, 'spin.wat');
writeFileSync(spinFile, SPIN);

test.each([
  ['--fuel', ['--fuel', '100000'], 'all fuel consumed'],
  ['--fuel=', ['--fuel=100000'], 'all fuel consumed'],
  ['--timeout', ['--timeout', '200'], 'interrupt'],
  ['--timeout=', ['--timeout=200ms'], 'interrupt'],
])('run %s stops a spinning loop, under --invoke and as a WASI program', (_name, limit, trap) => {
  for (const tail of [['--invoke', 'spin'], []]) {
    const r = jetwasm(['run', ...limit, spinFile, ...tail]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n').slice(0, 3)).toEqual([
      'jetwasm: trap: ' + trap,
      'wasm backtrace:',
      expect.stringMatching(/^ {4}0: spin \(function 1\)/),
    ]);
  }
});

test('with enough fuel and time a WASI program runs to its exit code', () => {
  const file = path.join(tmp, 'exit3.wat');
  writeFileSync(file, SPIN.replace('(call $spin) ', ''));
  expect(jetwasm(['run', '--fuel', '1000', '--timeout', '5s', file])).toMatchObject({
    code: 3,
    stdout: '',
    stderr: '',
  });
});

test('run rejects bad --fuel and --timeout values', () => {
  expect(jetwasm(['run', '--fuel', '-1', spinFile])).toMatchObject({
    code: 2,
    stderr: 'jetwasm: --fuel needs a non-negative integer, got "-1"\n',
  });
  expect(jetwasm(['run', '--timeout=soon', spinFile]).stderr).toMatch(/^jetwasm: --timeout needs a positive duration/);
});

// ---------------------------------------------------------------- traps: Wasm backtraces

test('a trap prints a Wasm backtrace naming functions from the name section, innermost first', () => {
  const file = path.join(tmp, 'div.wat');
  writeFileSync(
    file,
    `(module
      (func $div (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
      (func $half (param i32) (result i32) (call $div (local.get 0) (i32.const 0)))
      (func (export "main") (param i32) (result i32) (call $half (local.get 0))))`,
  );
  const r = jetwasm(['run', file, '--invoke', 'main', '7']);
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr.trimEnd().split('\n')).toEqual([
    'jetwasm: trap: integer divide by zero',
    'wasm backtrace:',
    expect.stringMatching(/^ {4}0: div \(function 0\) at offset 0x[0-9a-f]+$/),
    expect.stringMatching(/^ {4}1: half \(function 1\) at offset 0x[0-9a-f]+$/),
    expect.stringMatching(/^ {4}2: function 2 at offset 0x[0-9a-f]+$/),
  ]);
});

test('wasmBacktrace (runtime API): recursion keeps one frame per call, in every compilation mode', async () => {
  const rt = await import('../runtime');
  const { parseWat } = await import('../compiler/text');
  const bytes = parseWat(`(module
    (func $down (export "down") (param i32)
      (if (i32.eqz (local.get 0)) (then (unreachable)))
      (call $down (i32.sub (local.get 0) (i32.const 1)))))`);
  for (const compilation of ['lazy', 'eager'] as const) {
    const engine = new rt.Engine({ compilation });
    const module = rt.Module.fromBinary(engine, bytes);
    const store = new rt.Store(engine);
    const down = new rt.Linker(engine).instantiate(store, module).getFunc('down')!;
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 50;
    let err: unknown;
    try {
      down.call(3);
    } catch (e) {
      err = e;
    } finally {
      Error.stackTraceLimit = limit;
    }
    expect(err).toBeInstanceOf(rt.RuntimeError);
    const frames = rt.wasmBacktrace(err, module);
    expect(frames.map((f) => [f.func, f.name])).toEqual([
      [0, 'down'],
      [0, 'down'],
      [0, 'down'],
      [0, 'down'],
    ]);
    expect(frames[0].offset).toBe(module.ir.codes[0].pos);
    // The host's own stack trace names the function as the name section does.
    expect(String((err as Error).stack)).toMatch(/\bat down \(/);
  }
});

// ---------------------------------------------------------------- wast: failure details

test('wast prints each failed command with file:line, what was expected and what happened', () => {
  const file = path.join(tmp, 'fails.wast');
  writeFileSync(
    file,
    [
      '(module (func (export "f") (result i32) (i32.const 1)))',
      '(assert_return (invoke "f") (i32.const 2))',
      '(assert_return (invoke "f") (i32.const 1))',
      '(assert_trap (invoke "f") "unreachable")',
    ].join('\n') + '\n',
  );
  const r = jetwasm(['wast', file]);
  expect(r.code).toBe(1);
  expect(r.lines).toEqual([
    `${file}: 2 passed, 2 failed, 0 skipped`,
    `  ${file}:2: assert_return: expected (i32.const 2), got 1`,
    `  ${file}:4: assert_trap: expected trap "unreachable", got results [1]`,
    '2 passed, 2 failed, 0 skipped',
  ]);
  const q = jetwasm(['wast', '--quiet', file]);
  expect(q.code).toBe(1);
  expect(q.lines).toEqual([`${file}: 2 passed, 2 failed, 0 skipped`, '2 passed, 2 failed, 0 skipped']);
});

test('wast gives the reason a script does not parse', () => {
  const file = path.join(tmp, 'broken.wast');
  writeFileSync(file, '(module (func (export "f") (result i32) (i32.const 1)))\n(assert_return (invoke "f"\n');
  const r = jetwasm(['wast', file]);
  expect(r.code).toBe(1);
  expect(r.lines[0]).toBe(`${file}: 0 passed, 1 failed, 0 skipped`);
  expect(r.lines[1]).toMatch(
    new RegExp(`^  ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(:\\d+)?: script: script failed to parse: .*\\S`),
  );
  expect(r.lines[1]).toMatch(/unclosed|unexpected|end of (file|input)|parenthes/i);
});

// ---------------------------------------------------------------- errors: one style on stderr

test.each([
  ['wast', ['wast', 'nope.wast'], 'jetwasm: cannot read nope.wast: no such file or directory'],
  ['run', ['run', 'nope.wasm'], 'jetwasm: cannot read nope.wasm: no such file or directory'],
  ['run a directory', ['run', 'examples'], 'jetwasm: cannot read examples: is a directory'],
  ['validate', ['validate', 'nope.wat'], 'jetwasm: cannot read nope.wat: no such file or directory'],
  [
    'compile -o into a missing directory',
    ['compile', 'examples/fib.wat', '-o', 'nodir/x.mjs'],
    'jetwasm: nodir/x.mjs: cannot write: no such file or directory',
  ],
  [
    'compile --output=',
    ['compile', 'examples/fib.wat', '--output=nodir/x.mjs'],
    'jetwasm: nodir/x.mjs: cannot write: no such file or directory',
  ],
])('%s: a file that cannot be used is one jetwasm: line on stderr, exit 2', (_name, args, line) => {
  const r = jetwasm(args);
  expect(r).toMatchObject({ code: 2, stdout: '', stderr: line + '\n' });
});

test('wast --json into a missing directory names the file, without Node error codes', () => {
  const file = path.join(tmp, 'ok.wast');
  writeFileSync(file, '(module)\n');
  const r = jetwasm(['wast', '--json', path.join(tmp, 'nodir', 'r.json'), file]);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/^jetwasm: .*nodir\/r\.json: cannot open: no such file or directory\n$/);
});

test('validate reports errors on stderr as jetwasm: FILE: MESSAGE', () => {
  const invalid = path.join(tmp, 'invalid.wat');
  const malformed = path.join(tmp, 'malformed.wasm');
  writeFileSync(invalid, '(module (func (result i32) (i64.const 1)))');
  writeFileSync(malformed, Buffer.from([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0]));
  for (const f of [invalid, malformed]) {
    const r = jetwasm(['validate', f]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^jetwasm: ${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\S.*\n$`));
  }
});

test('run: compile and link errors name the file; no JS stack', () => {
  const bad = path.join(tmp, 'bad.wat');
  writeFileSync(bad, '(module (func (result i32) (i64.const 1)))');
  const r = jetwasm(['run', bad, '--invoke', 'f']);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/^jetwasm: .*bad\.wat: \S.*\n$/);
  const imp = path.join(tmp, 'imp.wat');
  writeFileSync(imp, '(module (import "env" "f" (func)) (func (export "g")))');
  const l = jetwasm(['run', imp, '--invoke', 'g']);
  expect(l.code).toBe(1);
  expect(l.stderr).toMatch(/^jetwasm: cannot instantiate .*imp\.wat: unknown import "env" "f"/);
  expect(l.stderr.trimEnd().split('\n')).toHaveLength(1);
});

test('compile errors are one line with their place: file:line:col, byte offset, function', () => {
  const cases: [string, string | Uint8Array, RegExp][] = [
    ['op.wat', '(module\n  (func\n    i32.cnst 1))', /^jetwasm: .*op\.wat:3:5: unknown operator i32\.cnst$/],
    ['paren.wat', '(module\n  (func', /^jetwasm: .*paren\.wat:2:3: unclosed parenthesis/],
    [
      'local.wat',
      '(module\n  (func (result i32)\n    (local.get $nope)))',
      /^jetwasm: .*local\.wat:3:16: unknown local \$nope$/,
    ],
    [
      'mismatch.wat',
      '(module (func $add (result i32) i64.const 1))',
      /^jetwasm: .*mismatch\.wat: type mismatch in function 0 \(\$add\) at offset 0x[0-9a-f]+$/,
    ],
    // Header, then a type section that claims 5 bytes and has 1.
    [
      'truncated.wasm',
      new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1]),
      /^jetwasm: .*truncated\.wasm: .* at offset 0x[0-9a-f]+$/,
    ],
  ];
  for (const [name, content, expected] of cases) {
    const file = path.join(tmp, name);
    writeFileSync(file, content);
    for (const cmd of [
      ['validate', file],
      ['run', file],
    ]) {
      const r = jetwasm(cmd);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(expected)]);
    }
  }
});

test('call stack exhaustion prints the recursion in its backtrace', () => {
  const file = path.join(tmp, 'recurse.wat');
  writeFileSync(
    file,
    '(module (func $down (export "down") (param i32) (result i32)\n  (call $down (i32.add (local.get 0) (i32.const 1)))))',
  );
  const r = jetwasm(['run', file, '--invoke', 'down', '0']);
  expect(r.code).toBe(1);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines.slice(0, 3)).toEqual([
    'jetwasm: trap: call stack exhausted',
    'wasm backtrace:',
    expect.stringMatching(/^ {4}0: down \(function 0\) at offset 0x[0-9a-f]+$/),
  ]);
  expect(lines.length).toBeGreaterThan(5);
});
