// The bindings a lazily translated function is handed are recorded while its code is emitted
// (bindings.ts). A name the recording missed would be a ReferenceError when that code runs,
// so this test reads every generated body of the testsuite's modules, in both profiles, with
// and without fuel and interrupt checks, for every factory name it mentions, and requires
// each one to have been recorded.

import * as fs from 'fs';
import * as path from 'path';
import { findSuiteScripts, testsuiteRoot } from '../../spec-tests/files';
import { VMOffsets } from '../../vmctx';
import { decodeModule } from '../binary';
import type { ModuleIR } from '../ir';
import { parseWast } from '../text';
import type { WastCommand, WastModuleSource } from '../text/wast-types';
import { validateModuleInfo } from '../validate';
import { recordBindings, use } from './bindings';
import { ModuleEnvironment, type CodegenProfile } from './env';
import type { CheckOptions } from './checks';
import { lazyTranslator } from './index';

const ROOT = testsuiteRoot();

/** The valid modules of one script, decoded and validated. */
function validModules(file: string): { ir: ModuleIR; canon: readonly number[]; depths: readonly number[] }[] {
  let cmds: WastCommand[];
  try {
    cmds = parseWast(fs.readFileSync(file, 'utf8'), file) as WastCommand[];
  } catch {
    return [];
  }
  const out = [];
  for (const cmd of cmds) {
    if (cmd.type !== 'module' || typeof cmd.module !== 'object' || cmd.module === null) continue;
    try {
      const ir = decodeModule((cmd.module as WastModuleSource).encode());
      const v = validateModuleInfo(ir);
      out.push({ ir, canon: v.canon, depths: v.maxControlDepths });
    } catch {
      // Not this test's concern (validation has its own).
    }
  }
  return out;
}

/** Every name of the factory `body` mentions as an identifier: not after a `.`, not inside
 *  a string literal (generated code writes strings with JSON.stringify: double quotes). */
function mentioned(body: string, names: readonly string[]): string[] {
  const code = body.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const re = new RegExp(`(?<![\\w$.])(?:${names.join('|')})(?![\\w$])`, 'g');
  return [...new Set(code.match(re) ?? [])];
}

const CONFIGS: { profile: CodegenProfile; checks?: CheckOptions }[] = [
  { profile: 'jit' },
  { profile: 'interpreter', checks: { fuel: true, interrupt: true } },
];

test('use records a name only inside a recording, and recordings nest', () => {
  expect(use('trap')).toBe('trap');
  const { result, bindings } = recordBindings(() => {
    use('imul');
    const inner = recordBindings(() => use('clz32'));
    use('trap');
    return inner.bindings;
  });
  expect(result).toEqual(['clz32']);
  expect(bindings.sort()).toEqual(['imul', 'trap']);
});

test('every factory binding a lazily translated body mentions was recorded', () => {
  const missed: string[] = [];
  let bodies = 0;
  for (const { file } of findSuiteScripts(ROOT, true)) {
    for (const { ir, canon, depths } of validModules(file)) {
      if (ir.codes.length === 0) continue;
      for (const { profile, checks } of CONFIGS) {
        const offsets = new VMOffsets(ir);
        const env = new ModuleEnvironment(ir, offsets, canon, true, checks, undefined, profile);
        const names = [...env.preludeBindings()];
        for (let k = 0; k < ir.codes.length; k++) names.push(`f${ir.numImportedFuncs + k}`);
        const { lazySource } = lazyTranslator(ir, offsets, canon, {
          lazy: true,
          checks,
          profile,
          controlDepths: depths,
        });
        for (let i = 0; i < ir.codes.length; i++) {
          const lz = lazySource(i);
          bodies++;
          const recorded = new Set(lz.bindings);
          for (const name of mentioned(lz.body, names))
            if (!recorded.has(name)) missed.push(`${path.relative(ROOT, file)} ${profile} function ${i}: ${name}`);
          for (const name of lz.bindings)
            if (!names.includes(name))
              missed.push(`${path.relative(ROOT, file)} ${profile} function ${i}: ${name} is no binding`);
        }
      }
    }
  }
  expect(bodies).toBeGreaterThan(10000);
  expect(missed.slice(0, 50)).toEqual([]);
});
