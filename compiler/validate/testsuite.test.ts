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
      if (!(err.reason.startsWith(want) || want.startsWith(err.reason)))
        t.otherMessage.push(`${where} "${err.reason}" for "${want}"`);
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

/** Outcome of decoding then validating: 'valid', or the error's kind and reason. */
function outcome(bytes: Uint8Array, lazyBodies: boolean): string {
  try {
    validateModule(decodeModule(bytes, { lazyBodies }));
    return 'valid';
  } catch (e) {
    return e instanceof CompileError ? `${e.kind}: ${e.reason}` : `crash: ${String(e)}`;
  }
}

test('bodies kept as bytes and validated in one streaming pass: every module of the testsuite gets the same verdict', () => {
  const differ: string[] = [];
  let compared = 0;
  let malformedSeen = 0;
  for (const file of wastFiles()) {
    let cmds: WastCommand[];
    try {
      cmds = parseWast(fs.readFileSync(file, 'utf8'), file) as WastCommand[];
    } catch {
      continue;
    }
    for (const cmd of cmds) {
      if (!('module' in cmd) || typeof cmd.module !== 'object' || cmd.module === null) continue;
      let bytes: Uint8Array;
      try {
        bytes = (cmd.module as WastModuleSource).encode();
      } catch {
        continue; // a malformed text module has no binary to compare
      }
      const eager = outcome(bytes, false);
      const lazy = outcome(bytes, true);
      compared++;
      // Kinds must agree exactly. A malformed module's reason may differ: a body is read
      // later than in the eager order, so another malformed part may be reported first.
      if (eager.startsWith('malformed')) {
        malformedSeen++;
        if (!lazy.startsWith('malformed'))
          differ.push(`${path.relative(ROOT, file)}:${cmd.line} eager ${eager}, lazy ${lazy}`);
      } else if (eager !== lazy) differ.push(`${path.relative(ROOT, file)}:${cmd.line} eager ${eager}, lazy ${lazy}`);
    }
  }
  expect(compared).toBeGreaterThan(5000);
  expect(malformedSeen).toBeGreaterThan(100);
  expect(differ).toEqual([]);
});
