// Validation with worker threads (runtime/validation-helper.ts), in fresh processes running
// the built package: the workers take part, and what a compilation finds (the figures per
// body, the first error) is what the compiling thread alone finds.

import { spawnSync } from 'child_process';
import * as path from 'path';
import { ensureBuilt, ROOT } from './cli-helpers';

const DIST = path.join(ROOT, 'dist');
const SWC = path.join(ROOT, 'node_modules', '@swc', 'wasm', 'wasm_bg.wasm');

beforeAll(() => ensureBuilt(), 300_000);

/** Runs `script` in a fresh node with `flags` and `env`; returns its stdout parsed as JSON. */
function run(script: string, env: NodeJS.ProcessEnv, flags: string[] = []): unknown {
  const r = spawnSync(process.execPath, [...flags, '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

/**
 * Validates the module `source` evaluates to (`bytes`), up to `tries` times until the workers
 * published a chunk; reports each try's outcome and the chunks workers published.
 */
const validateScript = (source: string, tries: number): string => `
  const fs = require('fs');
  const { createHash } = require('crypto');
  const { decodeModule } = require(${JSON.stringify(path.join(DIST, 'compiler', 'binary', 'index.js'))});
  const V = require(${JSON.stringify(path.join(DIST, 'compiler', 'validate', 'index.js'))});
  const { DEFAULT_FEATURES } = require(${JSON.stringify(path.join(DIST, 'compiler', 'features.js'))});
  const H = require(${JSON.stringify(path.join(DIST, 'runtime', 'validation-helper.js'))});
  const { parseWat } = require(${JSON.stringify(path.join(DIST, 'compiler', 'text', 'index.js'))});
  const bytes = ${source};
  (async () => {
    const outcomes = [];
    let helped = 0;
    H.warmValidationHelper(bytes);
    for (let t = 0; t < ${tries} && helped === 0; t++) {
      if (t > 0) await new Promise((r) => setTimeout(r, 250));
      const ir = decodeModule(bytes, { lazyBodies: true });
      const share = H.validationShare(bytes, ir, DEFAULT_FEATURES);
      try {
        const v = V.validateModuleInfo(ir, V.typeRegistry, DEFAULT_FEATURES, share);
        outcomes.push(createHash('sha1').update(JSON.stringify([v.maxStackHeights, v.maxControlDepths])).digest('hex'));
      } catch (e) {
        outcomes.push(e.constructor.name + ': ' + e.message);
      } finally {
        share?.close();
      }
      helped += share ? share.helped : 0;
    }
    console.log(JSON.stringify({ outcomes: [...new Set(outcomes)], helped }));
  })();`;

/** WAT of `n` functions, of which `bad` are ill-typed. */
const watSource = (n: number, bad: number[]): string => `parseWat((() => {
  let s = '(module';
  for (let i = 0; i < ${n}; i++)
    s += ${JSON.stringify(bad)}.includes(i)
      ? '(func (result i32) (i32.add (i64.const 1) (i32.const 2)))'
      : '(func (param i32) (result i32) (block (result i32) ' + '(i32.add (i32.const 1) '.repeat(i % 9 + 1) + '(local.get 0)' + ')'.repeat(i % 9 + 1) + '))';
  return s + ')';
})())`;

type Report = { outcomes: string[]; helped: number };

describe('validation with worker threads', () => {
  test('swc: workers take part and the figures are those of one thread', () => {
    const source = `new Uint8Array(fs.readFileSync(${JSON.stringify(SWC)}))`;
    const alone = run(validateScript(source, 1), { JETWASM_VALIDATION_WORKER: '0' }) as Report;
    expect(alone.helped).toBe(0);
    expect(alone.outcomes).toHaveLength(1);
    expect(alone.outcomes[0]).toMatch(/^[0-9a-f]{40}$/);
    const helped = run(validateScript(source, 8), { JETWASM_VALIDATION_WORKER: '1' }) as Report;
    expect(helped.helped).toBeGreaterThan(0);
    expect(helped.outcomes).toEqual(alone.outcomes);
  }, 120_000);

  test('the first invalid body reports, whichever thread validated it', () => {
    // The first error comes late, so that a worker started on a busy machine still finds
    // chunks to claim before the compiling thread reaches it.
    const source = watSource(60_000, [40_000, 55_000]);
    const alone = run(validateScript(source, 1), { JETWASM_VALIDATION_WORKER: '0' }) as Report;
    expect(alone.outcomes).toEqual([expect.stringMatching(/^CompileError: type mismatch in function 40000 /)]);
    const helped = run(validateScript(source, 16), { JETWASM_VALIDATION_WORKER: '1' }) as Report;
    expect(helped.helped).toBeGreaterThan(0);
    expect(helped.outcomes).toEqual(alone.outcomes);
  }, 120_000);

  test('WebAssembly.compile under --jitless lets timers run while workers help', () => {
    const script = `
      const fs = require('fs');
      const j = require(${JSON.stringify(path.join(DIST, 'node', 'index.js'))});
      const W = j.WebAssembly;
      const bytes = fs.readFileSync(${JSON.stringify(SWC)});
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      W.compile(bytes).then((m) => {
        clearInterval(timer);
        const sync = new W.Module(bytes);
        console.log(JSON.stringify({
          ticks: ticks > 3,
          exports: W.Module.exports(m).map((e) => e.name).join(),
          same: W.Module.exports(sync).map((e) => e.name).join() === W.Module.exports(m).map((e) => e.name).join(),
        }));
      });`;
    const r = run(script, {}, ['--jitless']) as { ticks: boolean; exports: string; same: boolean };
    expect(r).toEqual({ ticks: true, exports: expect.stringMatching(/transformSync/), same: true });
  }, 120_000);

  test('the package entry under --jitless compiles with workers by default and runs', () => {
    const script = `
      const fs = require('fs');
      const j = require(${JSON.stringify(path.join(DIST, 'node', 'index.js'))});
      const W = j.WebAssembly;
      const m = new W.Module(fs.readFileSync(${JSON.stringify(SWC)}));
      const bad = ${watSource(20_000, [15_000]).replace('parseWat(', 'j.parseWat(')};
      let error = '';
      try { new W.Module(bad); } catch (e) { error = e.constructor.name + ': ' + e.message; }
      console.log(JSON.stringify({ exports: W.Module.exports(m).length, error }));`;
    const withWorkers = run(script, {}, ['--jitless']);
    const alone = run(script, { JETWASM_VALIDATION_WORKER: '0' }, ['--jitless']);
    expect(withWorkers).toEqual(alone);
    expect((alone as { exports: number }).exports).toBeGreaterThan(5);
    expect((alone as { error: string }).error).toMatch(/^CompileError: type mismatch in function 15000 /);
  }, 120_000);
});
