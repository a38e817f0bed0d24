// The runner and the CLI end to end, through the real parser, decoder, validator and
// runtime: a small script whose every command has a known right outcome, including
// deliberate failures that the runner must report as failures.

import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { ensureBuilt, jetwasm } from './cli-helpers';

beforeAll(() => ensureBuilt(), 300_000);

const tmp = mkdtempSync(path.join(tmpdir(), 'jetwasm-e2e-'));

// `;; F` marks a command that must be reported as failed; every other command must pass.
const SCRIPT = `
(module $M
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "neg") (param f32) (result f32) (f32.neg (local.get 0)))
  (func (export "nan") (result f64) (f64.div (f64.const 0) (f64.const 0)))
  (func (export "wide") (param i64) (result i64) (i64.mul (local.get 0) (i64.const 3)))
  (func $loop (export "loop") (call $loop))
  (global (export "g") i32 (i32.const 42))
)
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 4)) ;; F
(assert_return (invoke "neg" (f32.const nan:0x200000)) (f32.const -nan:0x200000))
(assert_return (invoke "neg" (f32.const 1)) (f32.const 1)) ;; F
(assert_return (invoke "nan") (f64.const nan:arithmetic))
(assert_return (invoke "wide" (i64.const 0x4000000000000000)) (i64.const 0xc000000000000000))
(assert_return (get "g") (i32.const 42))
(invoke "add" (i32.const 0) (i32.const 0))
(assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer divide by zero")
(assert_trap (invoke "add" (i32.const 1) (i32.const 0)) "integer divide by zero") ;; F
(assert_exhaustion (invoke "loop") "call stack exhausted")
(register "M" $M)
(module
  (import "M" "add" (func $add (param i32 i32) (result i32)))
  (import "spectest" "print_i32" (func (param i32)))
  (import "spectest" "global_i32" (global i32))
  (func (export "g") (result i32) (call $add (global.get 0) (i32.const 1))))
(assert_return (invoke "g") (i32.const 667))
(assert_invalid (module (func (result i32))) "type mismatch")
(assert_invalid (module (func (result i32) (i32.const 0))) "type mismatch") ;; F
(assert_malformed (module binary "\\00asm\\02\\00\\00\\00") "unknown binary version")
(assert_malformed (module quote "(func (result i32))") "type mismatch") ;; F
(assert_unlinkable (module (import "M" "nope" (func))) "unknown import")
(assert_uninstantiable (module (func $f unreachable) (start $f)) "unreachable")
(assert_trap (module (func $f unreachable) (start $f)) "unreachable")
(module (func (export "bad") (result i32) (i64.const 0))) ;; F
(assert_return (invoke "bad") (i32.const 0)) ;; F
(module definition $D (func (export "one") (result i32) (i32.const 1)))
(module instance $I $D)
(assert_return (invoke $I "one") (i32.const 1))
`;

function expectedOutcomes(src: string): { failedLines: number[]; passed: number } {
  const failedLines: number[] = [];
  let passed = 0;
  src.split('\n').forEach((text, i) => {
    if (!text.startsWith('(')) return;
    if (text.endsWith(';; F')) failedLines.push(i + 1);
    else passed++;
  });
  return { failedLines, passed };
}

test('every command gets the right outcome, in the JSON report and the totals line', () => {
  const file = path.join(tmp, 'mixed.wast');
  writeFileSync(file, SCRIPT);
  const json = path.join(tmp, 'report.json');
  const r = jetwasm(['wast', '--json', json, file]);
  const report = JSON.parse(readFileSync(json, 'utf8'));
  const { failedLines, passed } = expectedOutcomes(SCRIPT);
  expect(report.files).toHaveLength(1);
  expect(report.files[0].file).toBe(file);
  expect(report.files[0].problems.map((p: { line: number }) => p.line)).toEqual(failedLines);
  expect(report.files[0].problems.every((p: { outcome: string }) => p.outcome === 'failed')).toBe(true);
  expect([report.passed, report.failed, report.skipped]).toEqual([passed, failedLines.length, 0]);
  expect(r.lines[0]).toBe(`${file}: ${passed} passed, ${failedLines.length} failed, 0 skipped`);
  expect(r.lines[r.lines.length - 1]).toBe(`${passed} passed, ${failedLines.length} failed, 0 skipped`);
  expect(r.code).toBe(1); // failures and no --expect
  const kinds = report.files[0].problems.map((p: { command: string }) => p.command);
  expect(kinds).toEqual([
    'assert_return',
    'assert_return',
    'assert_trap',
    'assert_invalid',
    'assert_malformed',
    'module',
    'assert_return',
  ]);
});

test('--update-expect records counts; --expect then passes, and flags a regression', () => {
  const dir = mkdtempSync(path.join(tmp, 'suite-'));
  const good = '(module (func (export "f") (result i32) (i32.const 1)))\n(assert_return (invoke "f") (i32.const 1))\n';
  writeFileSync(path.join(dir, 'a.wast'), good);
  const expected = path.join(tmp, 'expected.json');
  const rec = jetwasm(['wast', '--suite', dir, '--expect', expected, '--update-expect']);
  expect(rec.code).toBe(0);
  expect(JSON.parse(readFileSync(expected, 'utf8'))).toEqual({
    files: { 'a.wast': { passed: 2, failed: 0, skipped: 0 } },
  });
  expect(jetwasm(['wast', '--suite', dir, '--expect', expected]).code).toBe(0);
  writeFileSync(path.join(dir, 'a.wast'), good.replace('(i32.const 1))\n', '(i32.const 2))\n'));
  const reg = jetwasm(['wast', '--suite', dir, '--expect', expected]);
  expect(reg.code).toBe(1);
  expect(reg.stdout).toMatch(/1 file\(s\) regressed:\n {2}a\.wast: 1 passed, 1 failed, 0 skipped/);
  expect(reg.lines[reg.lines.length - 1]).toBe('1 passed, 1 failed, 0 skipped');
});

test('run: fib examples', () => {
  expect(jetwasm(['run', 'examples/fib.wat', '--invoke', 'fib', '25']).stdout).toBe('75025\n');
  expect(jetwasm(['run', 'examples/fib.wat', '--invoke', 'fib_i64', '90']).stdout).toBe('2880067194370816120\n');
  expect(jetwasm(['run', 'examples/fib.wat', '--invoke', 'fib_rec', '20']).stdout).toBe('6765\n');
});

test('run: argument and result conversion by type, and traps', () => {
  const file = path.join(tmp, 'ops.wat');
  writeFileSync(
    file,
    `(module
      (func (export "mix") (param i64 f32 f64) (result i64 f32 f64)
        (i64.add (local.get 0) (i64.const 1)) (local.get 1) (f64.neg (local.get 2)))
      (func (export "trap") unreachable))`,
  );
  const r = jetwasm(['run', file, '--invoke', 'mix', '9223372036854775806', '0.1', '2.5']);
  expect(r.stdout).toBe('9223372036854775807\n0.1\n-2.5\n');
  const t = jetwasm(['run', file, '--invoke', 'trap']);
  expect(t.code).toBe(1);
  expect(t.stderr.trimEnd().split('\n')[0]).toBe('jetwasm: trap: unreachable');
  const bad = jetwasm(['run', file, '--invoke', 'mix', '1']);
  expect(bad.code).not.toBe(0);
  expect(bad.stderr).toMatch(/takes 3 argument\(s\), got 1/);
});

test('validate: valid, invalid and malformed', () => {
  const ok = path.join(tmp, 'ok.wat');
  const invalid = path.join(tmp, 'invalid.wat');
  const malformed = path.join(tmp, 'malformed.wasm');
  writeFileSync(ok, '(module (func (result i32) (i32.const 1)))');
  writeFileSync(invalid, '(module (func (result i32) (i64.const 1)))');
  writeFileSync(malformed, Buffer.from([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0]));
  expect(jetwasm(['validate', ok])).toMatchObject({ code: 0, stdout: 'valid\n' });
  const i = jetwasm(['validate', invalid]);
  expect(i.code).toBe(1);
  expect(i.stderr).toMatch(/^jetwasm: .*invalid\.wat: /);
  const m = jetwasm(['validate', malformed]);
  expect(m.code).toBe(1);
  expect(m.stderr).toMatch(/^jetwasm: .*malformed\.wasm: /);
});
