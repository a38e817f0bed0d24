// The spec runner's command semantics, with the real script parser and a stand-in runtime
// backed by Node's WebAssembly (tests/support/native-runtime.ts), so these tests judge the
// runner alone: which outcome each command gets, and why.

jest.mock('../runtime', () => jest.requireActual('./support/native-runtime'), { virtual: true });

import { runScriptSource } from '../spec-tests/runner';

function outcomes(src: string): Array<[number, string, string]> {
  const events: Array<[number, string, string]> = [];
  const lines: number[] = [];
  runScriptSource(src, 'test.wast', {
    plan: (cmds) => cmds.forEach((c) => lines.push(c.line)),
    outcome: (i, outcome, message) => events.push([lines[i], outcome, message]),
  });
  return events;
}

const byLine = (src: string): Record<number, string> =>
  Object.fromEntries(outcomes(src).map(([line, outcome]) => [line, outcome]));

test('assertions pass only on exactly the asserted behaviour', () => {
  const src = [
    '(module $M',
    '  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))',
    '  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))',
    '  (func $loop (export "loop") (call $loop))',
    '  (global (export "g") i64 (i64.const -7)))',
    '(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))',
    '(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 4))',
    '(assert_return (get "g") (i64.const -7))',
    '(assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer divide by zero")',
    '(assert_trap (invoke "add" (i32.const 1) (i32.const 0)) "integer divide by zero")',
    '(assert_exhaustion (invoke "loop") "call stack exhausted")',
    '(assert_exhaustion (invoke "div" (i32.const 1) (i32.const 0)) "call stack exhausted")',
    '(assert_return (invoke "missing"))',
    '(assert_exception (invoke "add" (i32.const 1) (i32.const 0)))',
  ].join('\n');
  expect(byLine(src)).toEqual({
    1: 'passed',
    6: 'passed',
    7: 'failed',
    8: 'passed',
    9: 'passed',
    10: 'failed', // returned instead of trapping
    11: 'passed',
    12: 'failed', // a trap, but not exhaustion
    13: 'failed', // no such export
    14: 'failed', // no exception
  });
});

test('module assertions need the right error kind', () => {
  const src = [
    '(assert_invalid (module (func (result i32))) "type mismatch")',
    '(assert_invalid (module (func (result i32) (i32.const 0))) "type mismatch")',
    '(assert_malformed (module binary "\\00asm\\02\\00\\00\\00") "unknown binary version")',
    '(assert_malformed (module quote "(func (result i32))") "type mismatch")',
    '(assert_invalid (module binary "\\00asm\\02\\00\\00\\00") "unknown binary version")',
    '(assert_malformed (module quote "(func (i32.const))") "unexpected token")',
    '(assert_unlinkable (module (import "spectest" "nope" (func))) "unknown import")',
    '(assert_unlinkable (module (import "spectest" "memory" (func))) "incompatible import type")',
    '(assert_unlinkable (module (func $f unreachable) (start $f)) "unknown import")',
    '(assert_uninstantiable (module (func $f unreachable) (start $f)) "unreachable")',
    '(assert_trap (module (func $f unreachable) (start $f)) "unreachable")',
    '(assert_trap (module (import "spectest" "nope" (func))) "unreachable")',
  ].join('\n');
  expect(byLine(src)).toEqual({
    1: 'passed',
    2: 'failed', // valid module
    3: 'passed',
    4: 'failed', // invalid, not malformed
    5: 'failed', // malformed, not invalid
    6: 'passed',
    7: 'passed',
    8: 'passed',
    9: 'failed', // a trap is not a link error
    10: 'passed',
    11: 'passed',
    12: 'failed', // a link error is not a trap
  });
});

test('a failed module fails the commands that use it, not those using a named earlier one', () => {
  const src = [
    '(module $A (func (export "f") (result i32) (i32.const 1)))',
    '(module (func (export "f") (result i32) (i64.const 0)))',
    '(assert_return (invoke "f") (i32.const 1))',
    '(assert_return (invoke $A "f") (i32.const 1))',
    '(register "B")',
    '(module (import "spectest" "global_i32" (global i32)) (func (export "f") (result i32) (global.get 0)))',
    '(assert_return (invoke "f") (i32.const 666))',
  ].join('\n');
  const got = outcomes(src);
  expect(got.map(([l, o]) => [l, o])).toEqual([
    [1, 'passed'],
    [2, 'failed'],
    [3, 'failed'],
    [4, 'passed'],
    [5, 'failed'],
    [6, 'passed'],
    [7, 'passed'],
  ]);
  expect(got[2][2]).toMatch(/^module at line 2 failed to compile: CompileError \(invalid\)/);
});

test('register, module definitions and instances', () => {
  const src = [
    '(module definition $D (global (export "g") (mut i32) (i32.const 5)) (func (export "one") (result i32) (i32.const 1)))',
    '(module instance $I $D)',
    '(register "I" $I)',
    '(module (import "I" "g" (global (mut i32))) (func (export "get") (result i32) (global.get 0)))',
    '(assert_return (invoke "get") (i32.const 5))',
    '(assert_return (invoke $I "one") (i32.const 1))',
    '(module instance $J $Nope)',
    '(assert_return (invoke $J "one") (i32.const 1))',
  ].join('\n');
  expect(byLine(src)).toEqual({
    1: 'passed',
    2: 'passed',
    3: 'passed',
    4: 'passed',
    5: 'passed',
    6: 'passed',
    7: 'failed',
    8: 'failed',
  });
});

test('a script that does not parse is one failed entry', () => {
  const got = outcomes('(module\n(assert_return');
  expect(got).toHaveLength(1);
  expect(got[0][1]).toBe('failed');
  expect(got[0][2]).toMatch(/^script failed to parse/);
});
