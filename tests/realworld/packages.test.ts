// More npm packages built for Wasm on the facade give native's exact results, under the JIT
// and under `node --jitless`: @dqbd/tiktoken (Rust: BPE tokenizing, which grows its memory
// as it loads its ranks), brotli-wasm (Rust: compression at three qualities, output bytes
// compared), @biomejs/wasm-nodejs (Rust, 46 MB of Wasm: format and lint a file) and pyodide
// (CPython through Emscripten: starting the interpreter, then big integers, floats, regular
// expressions, hashing, JSON), and two Emscripten pthread builds whose workers receive the
// module and its shared memory by postMessage: wasm-vips (libvips: resize, blur, sharpen,
// PNG and back) and onnxruntime-web (a small model, with one thread and with two). Each run is a fresh process
// with the facade preloaded, in its worker threads too (NODE_OPTIONS).

import * as fs from 'fs';
import * as path from 'path';
import { usePreloadedFacade, runNodeJson } from '../support/private-build';

const driver = path.join(__dirname, 'packages-driver.js');
const preload = usePreloadedFacade('packages');

/** Per package: how long one run may take (CPython starts slowly without a JIT). */
const LIMIT_MS: Record<string, number> = {
  tiktoken: 120_000,
  brotli: 120_000,
  biome: 240_000,
  pyodide: 600_000,
  vips: 240_000,
  onnxruntime: 240_000,
};

/** The cases: a package, with the driver's argument after a space (onnxruntime's threads). */
const CASES = ['tiktoken', 'brotli', 'biome', 'pyodide', 'vips', 'onnxruntime 1', 'onnxruntime 2'];

describe.each(CASES)('%s', (testCase) => {
  const [pkg, ...args] = testCase.split(' ');
  let want: unknown = null;
  test.each([
    ['node', ''],
    ['node --jitless', '--jitless '],
  ])(
    'same results as native WebAssembly (%s)',
    (_name, flags) => {
      want ??= runNodeJson([driver, pkg, ...args], null, LIMIT_MS[pkg]);
      const shape = JSON.stringify(want);
      if (pkg === 'tiktoken' || pkg === 'brotli' || pkg === 'vips') expect(shape).toContain('"roundTrip":true');
      if (pkg === 'biome') expect(shape).toContain('"formattedLength"');
      if (pkg === 'pyodide') expect(shape).toContain('"sha":"');
      if (pkg === 'onnxruntime') expect(shape).toContain(`"threads":${args[0]},`);
      fs.rmSync(preload.mark, { force: true });
      const got = runNodeJson([driver, pkg, ...args], `${flags}--require ${preload.script}`, LIMIT_MS[pkg]);
      expect(fs.readFileSync(preload.mark, 'utf8').trim().length).toBeGreaterThan(0);
      expect(got).toEqual(want);
    },
    LIMIT_MS[pkg] * 2 + 10_000,
  );
});
