// More npm packages built for Wasm (Rust through wasm-bindgen) on the facade give native's
// exact results, under the JIT and under `node --jitless`: @dqbd/tiktoken (BPE tokenizing,
// which grows its memory as it loads its ranks) and brotli-wasm (compression at three
// qualities, output bytes compared). Each run is a fresh process with the facade preloaded.

import * as fs from 'fs';
import * as path from 'path';
import { usePreloadedFacade, runNodeJson } from '../support/private-build';

const driver = path.join(__dirname, 'packages-driver.js');
const preload = usePreloadedFacade('packages');

describe.each(['tiktoken', 'brotli'])('%s', (pkg) => {
  let want: unknown = null;
  test.each([
    ['node', ''],
    ['node --jitless', '--jitless '],
  ])('same results as native WebAssembly (%s)', (_name, flags) => {
    want ??= runNodeJson([driver, pkg], null);
    expect(JSON.stringify(want)).toContain('"roundTrip":true');
    fs.rmSync(preload.mark, { force: true });
    const got = runNodeJson([driver, pkg], `${flags}--require ${preload.script}`);
    expect(fs.readFileSync(preload.mark, 'utf8').trim().length).toBeGreaterThan(0);
    expect(got).toEqual(want);
  }, 120_000);
});
