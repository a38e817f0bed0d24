// esbuild-wasm (Go, 10 MB of Wasm whose dispatch nests blocks thousands deep) transforms and
// bundles with jetwasm exactly as with native WebAssembly, under the JIT and under
// `node --jitless`, at the default stack size. esbuild-wasm runs esbuild.wasm in a child
// `node` process, so jetwasm's facade is preloaded into every process through NODE_OPTIONS.

import * as fs from 'fs';
import * as path from 'path';
import { usePreloadedFacade, runNodeJson } from '../support/private-build';

const driver = path.join(__dirname, 'esbuild-driver.js');
const preload = usePreloadedFacade('esbuild');

type Out = { transform: string; bundle: string };
let nativeOut: Out | null = null;
const nativeResult = (): Out => (nativeOut ??= runNodeJson<Out>([driver], null));

test.each([
  ['node', ''],
  ['node --jitless', '--jitless '],
])(
  'esbuild-wasm transforms and bundles as with native WebAssembly (%s)',
  (_name, flags) => {
    const want = nativeResult();
    expect(want.bundle).toContain('total');
    fs.rmSync(preload.mark, { force: true });
    const got = runNodeJson<Out>([driver], `${flags}--require ${preload.script}`);
    // The driver and esbuild's service process both ran on the facade.
    expect(fs.readFileSync(preload.mark, 'utf8').trim().split('\n').length).toBeGreaterThanOrEqual(2);
    expect(got.transform).toBe(want.transform);
    expect(got.bundle).toBe(want.bundle);
  },
  300_000,
);
