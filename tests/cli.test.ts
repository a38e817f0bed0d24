// The command line as a user drives it. Everything here works without the engine: help,
// argument errors, and the spec step's behaviour when no testsuite is present.

import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { ensureBuilt, jetwasm } from './cli-helpers';

beforeAll(() => ensureBuilt(), 300_000);

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
