// The decisive test: every module of the official testsuite that must validate does, and
// every `assert_invalid` module (once it decodes) is rejected with CompileError('invalid').

import * as fs from 'fs';
import * as path from 'path';
import { testsuiteRoot } from '../../spec-tests/files';
import { decodeModule } from '../binary';
import { CompileError } from '../errors';
import { parseWast } from '../text';
import type { WastCommand, WastModuleSource } from '../text/wast-types';
import { validateModule } from './index';

const ROOT = testsuiteRoot();
const DIRS = ['', 'legacy', 'custom', 'proposals/wide-arithmetic', 'proposals/custom-page-sizes'];

function wastFiles(): string[] {
  const out: string[] = [];
  for (const d of DIRS) {
    const dir = path.join(ROOT, d);
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir).sort()) if (f.endsWith('.wast')) out.push(path.join(dir, f));
  }
  return out;
}

interface Tally {
  validOk: number;
  invalidOk: number;
  /** Modules the text encoder or decoder could not produce (not this folder's concern). */
  notDecoded: string[];
  /** Validation disagreements: the failures this test is about. */
  wrong: string[];
  /** Rejected as invalid, but with a message other than the reference interpreter's. */
  otherMessage: string[];
}

const MUST_VALIDATE = new Set(['module', 'assert_trap_module', 'assert_unlinkable', 'assert_uninstantiable']);

function check(file: string, cmd: WastCommand, t: Tally): void {
  if (!('module' in cmd) || typeof cmd.module !== 'object' || cmd.module === null) return;
  const isInvalid = cmd.type === 'assert_invalid';
  if (!isInvalid && !MUST_VALIDATE.has(cmd.type)) return;
  const where = `${path.relative(ROOT, file)}:${cmd.line}`;
  let m;
  try {
    m = decodeModule((cmd.module as WastModuleSource).encode());
  } catch (e) {
    t.notDecoded.push(`${where} ${(e as Error).message}`);
    return;
  }
  let err: unknown = null;
  try {
    validateModule(m);
  } catch (e) {
    err = e;
  }
  if (isInvalid) {
    const want = 'message' in cmd ? cmd.message : '';
    if (err instanceof CompileError && err.kind === 'invalid') {
      t.invalidOk++;
      // The reference interpreter's messages sometimes carry a suffix (an index); compare prefixes.
      if (!(err.reason.startsWith(want) || want.startsWith(err.reason))) t.otherMessage.push(`${where} "${err.reason}" for "${want}"`);
    } else t.wrong.push(`${where} expected invalid (${want}), got ${err ? String(err) : 'valid'}`);
  } else if (err === null) t.validOk++;
  else t.wrong.push(`${where} ${cmd.type} must validate, got ${String(err)}`);
}

test('testsuite modules validate or are rejected as the spec says', () => {
  const t: Tally = { validOk: 0, invalidOk: 0, notDecoded: [], wrong: [], otherMessage: [] };
  const files = wastFiles();
  expect(files.length).toBeGreaterThan(200);
  for (const file of files) {
    let cmds: WastCommand[];
    try {
      cmds = parseWast(fs.readFileSync(file, 'utf8'), file) as WastCommand[];
    } catch (e) {
      t.notDecoded.push(`${path.relative(ROOT, file)}: script did not parse: ${(e as Error).message}`);
      continue;
    }
    for (const cmd of cmds) check(file, cmd, t);
  }
  // eslint-disable-next-line no-console
  console.log(
    `validation: ${t.validOk} valid modules accepted, ${t.invalidOk} assert_invalid modules rejected, ` +
      `${t.wrong.length} wrong, ${t.otherMessage.length} with another message, ${t.notDecoded.length} not decoded\n` +
      [...t.wrong, ...t.otherMessage, ...t.notDecoded.map((s) => `not decoded: ${s}`)].slice(0, 80).join('\n'),
  );
  expect(t.validOk + t.invalidOk).toBeGreaterThan(1000);
  expect(t.wrong).toEqual([]);
  expect(t.otherMessage).toEqual([]);
});
