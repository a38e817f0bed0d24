// The package's Node entry (`require('jetwasm')`, dist/node/index.js): one bundled script
// loaded with V8's code cache (node/load.ts). The cache must be taken where it fits and
// ignored, never trusted, where it does not.

import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ensureBuilt, ROOT } from './cli-helpers';

const NODE_DIST = path.join(ROOT, 'dist', 'node');

beforeAll(() => ensureBuilt(), 300_000);

/** Runs `script` in a fresh node with `flags`; returns its stdout parsed as JSON. */
function run(script: string, flags: string[] = [], env: NodeJS.ProcessEnv = {}): unknown {
  const r = spawnSync(process.execPath, [...flags, '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

/** A script that loads the entry in `dir`, runs a module and reports the cache's state. */
const probe = (dir: string): string => `
  const j = require(${JSON.stringify(path.join(dir, 'index.js'))});
  const W = j.WebAssembly;
  const bytes = j.parseWat('(module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))');
  const sum = new W.Instance(new W.Module(bytes)).exports.add(40, 2);
  const poly = require(${JSON.stringify(path.join(dir, 'polyfill.js'))});
  console.log(JSON.stringify({
    state: require(${JSON.stringify(path.join(dir, 'load.js'))}).codeCacheState,
    sum,
    sameFacade: poly.WebAssembly === W,
    engine: typeof j.Engine,
  }));`;

test('the entry runs from the bundle with its code cache, under the default flags and --jitless', () => {
  expect(run(probe(NODE_DIST))).toEqual({ state: 'accepted', sum: 42, sameFacade: true, engine: 'function' });
  expect(run(probe(NODE_DIST), ['--jitless'])).toEqual({
    state: 'accepted',
    sum: 42,
    sameFacade: true,
    engine: 'function',
  });
  // Other V8 flags: V8 refuses the cache and the bundle compiles from source.
  expect(run(probe(NODE_DIST), ['--expose-gc'])).toEqual({
    state: 'rejected',
    sum: 42,
    sameFacade: true,
    engine: 'function',
  });
}, 60_000);

test('the bundle hands generated code its helpers as data properties', () => {
  // A bundler turns `import * as` into an object of getters; generated code reads the
  // SIMD helpers at every operation, so they must be plain values there.
  const script = `
    const j = require(${JSON.stringify(path.join(NODE_DIST, 'index.js'))});
    const engine = new j.Engine({});
    const m = j.Module.fromBinary(engine, j.parseWat('(module (func (export "f") (result i32) (i32x4.extract_lane 1 (i32x4.add (v128.const i32x4 1 2 3 4) (i32x4.splat (i32.const 40))))))'));
    const code = m.code;
    const factory = code.factory;
    let helpers = null;
    code.factory = (vm, h, ...rest) => { helpers = h; return factory(vm, h, ...rest); };
    const f = j.Instance.instantiate(new j.Store(engine), m, []).getExport('f');
    const getters = (o) => Object.entries(Object.getOwnPropertyDescriptors(o)).filter(([, d]) => !('value' in d)).map(([k]) => k);
    console.log(JSON.stringify({ result: f.call(), simd: getters(helpers.SIMD).length, top: getters(helpers).length, ops: Object.keys(helpers.SIMD).length }));`;
  const r = run(script) as { result: number[]; simd: number; top: number; ops: number };
  expect(r.result).toEqual([42]);
  expect(r.ops).toBeGreaterThan(200);
  expect(r.simd).toBe(0);
  expect(r.top).toBe(0);
}, 60_000);

describe('a cache that does not belong to the bundle is never used', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jetwasm-node-entry-'));
    for (const f of fs.readdirSync(NODE_DIST)) fs.copyFileSync(path.join(NODE_DIST, f), path.join(dir, f));
    // The copied loader's `module.require('./node')` must still find the cache host.
    fs.writeFileSync(
      path.join(dir, 'node.js'),
      `module.exports = require(${JSON.stringify(path.join(NODE_DIST, 'node.js'))});`,
    );
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a bundle of the same length from another build, beside the old cache', () => {
    // V8 compares only the source's length; the build id on the bundle's last line is what
    // ties a cache to its bundle.
    const file = path.join(dir, 'bundle.js');
    const source = fs.readFileSync(file, 'latin1');
    expect(source.slice(-65, -1)).toMatch(/^[0-9a-f]{64}$/);
    fs.writeFileSync(file, `${source.slice(0, -65)}${'0'.repeat(64)}\n`, 'latin1');
    expect(run(probe(dir))).toEqual({ state: 'absent', sum: 42, sameFacade: true, engine: 'function' });
  }, 60_000);

  test('a damaged cache', () => {
    const file = path.join(dir, 'bundle.codecache');
    const data = fs.readFileSync(file);
    // V8 may crash on damaged data rather than refuse it: the loader's checksum must stop it.
    // One bit in the middle of V8's data, then one in its last byte, each alone.
    for (const at of [data.length >> 1, data.length - 1]) {
      data[at] ^= 0x10;
      fs.writeFileSync(file, data);
      expect(run(probe(dir))).toEqual({ state: 'absent', sum: 42, sameFacade: true, engine: 'function' });
      data[at] ^= 0x10;
    }
    fs.writeFileSync(file, data);
    expect(run(probe(dir))).toMatchObject({ state: 'accepted', sum: 42 });
    data.fill(0x5a, 200);
    fs.writeFileSync(file, data);
    expect(run(probe(dir))).toEqual({ state: 'absent', sum: 42, sameFacade: true, engine: 'function' });
    fs.writeFileSync(file, data.subarray(0, 10));
    expect(run(probe(dir))).toEqual({ state: 'absent', sum: 42, sameFacade: true, engine: 'function' });
    fs.rmSync(file);
    expect(run(probe(dir))).toEqual({ state: 'absent', sum: 42, sameFacade: true, engine: 'function' });
  }, 60_000);
});
