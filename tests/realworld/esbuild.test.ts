// esbuild-wasm (Go, 10 MB of Wasm whose dispatch nests blocks thousands deep) transforms and
// bundles with jetwasm exactly as with native WebAssembly, under the JIT and under
// `node --jitless`, at the default stack size. esbuild-wasm runs esbuild.wasm in a child
// `node` process, so jetwasm's facade is preloaded into every process through NODE_OPTIONS.

import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { privateBuild, removeBuild } from '../support/private-build';

const driver = path.join(__dirname, 'esbuild-driver.js');
let built = '';
let forcePath = '';
let markPath = '';

beforeAll(() => {
  built = privateBuild('esbuild');
  // Installs the facade as globalThis.WebAssembly (replacing native's, where there is one)
  // and records each process that loaded it.
  forcePath = path.join(built, 'force-facade.js');
  markPath = path.join(built, 'processes.txt');
  fs.writeFileSync(forcePath, [
    `const { WebAssembly: WA } = require(${JSON.stringify(path.join(built, 'index.js'))});`,
    "Object.defineProperty(globalThis, 'WebAssembly', { value: WA, writable: true, configurable: true, enumerable: false });",
    `require('fs').appendFileSync(${JSON.stringify(markPath)}, process.pid + '\\n');`,
  ].join('\n'));
}, 120_000);

afterAll(() => removeBuild(built));

function run(nodeOptions: string | null): { transform: string; bundle: string } {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  if (nodeOptions !== null) env.NODE_OPTIONS = nodeOptions;
  const out = execFileSync(process.execPath, [driver], { env, encoding: 'utf8', maxBuffer: 1 << 24, timeout: 240_000 });
  return JSON.parse(out) as { transform: string; bundle: string };
}

let nativeOut: { transform: string; bundle: string } | null = null;
const nativeResult = (): { transform: string; bundle: string } => (nativeOut ??= run(null));

test.each([
  ['node', ''],
  ['node --jitless', '--jitless '],
])('esbuild-wasm transforms and bundles as with native WebAssembly (%s)', (_name, flags) => {
  const want = nativeResult();
  expect(want.bundle).toContain('total');
  fs.rmSync(markPath, { force: true });
  const got = run(`${flags}--require ${forcePath}`);
  // The driver and esbuild's service process both ran on the facade.
  expect(fs.readFileSync(markPath, 'utf8').trim().split('\n').length).toBeGreaterThanOrEqual(2);
  expect(got.transform).toBe(want.transform);
  expect(got.bundle).toBe(want.bundle);
}, 300_000);
