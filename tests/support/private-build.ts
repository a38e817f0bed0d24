// A private build of the package for tests that run it in child processes: never the shared
// dist/, which other tests and `npm run build` write.

import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');

/** Transpiles the package (no type check) into a new temporary folder and returns it. */
export function privateBuild(tag: string): string {
  const built = fs.mkdtempSync(path.join(os.tmpdir(), `jetwasm-${tag}-`));
  try {
    execFileSync(
      process.execPath,
      [
        require.resolve('typescript/bin/tsc'),
        '-p',
        path.join(ROOT, 'tsconfig.json'),
        '--outDir',
        built,
        '--tsBuildInfoFile',
        path.join(built, '.tsbuildinfo'),
        '--noCheck',
        '--declaration',
        'false',
        '--sourceMap',
        'false',
      ],
      { stdio: 'pipe' },
    );
  } catch {
    // Type errors do not stop emission; a missing output file below does.
  }
  if (!fs.existsSync(path.join(built, 'polyfill.js'))) throw new Error(`build into ${built} failed`);
  return built;
}

export function removeBuild(built: string): void {
  if (built) fs.rmSync(built, { recursive: true, force: true });
}

/**
 * A script for `node --require` that installs the build's facade as globalThis.WebAssembly
 * (replacing native's where there is one) and appends the process id to `mark`, so a test
 * can check that every process, child processes of packages included, ran on the facade.
 */
export function facadePreload(built: string): { script: string; mark: string } {
  const script = path.join(built, 'force-facade.js');
  const mark = path.join(built, 'processes.txt');
  fs.writeFileSync(
    script,
    [
      `const { WebAssembly: WA } = require(${JSON.stringify(path.join(built, 'index.js'))});`,
      "Object.defineProperty(globalThis, 'WebAssembly', { value: WA, writable: true, configurable: true, enumerable: false });",
      `require('fs').appendFileSync(${JSON.stringify(mark)}, process.pid + '\\n');`,
    ].join('\n'),
  );
  return { script, mark };
}

/** Runs `node args` with NODE_OPTIONS set to `nodeOptions` (null: none) and parses its JSON. */
export function runNodeJson<T>(args: string[], nodeOptions: string | null, timeout = 240_000): T {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  if (nodeOptions !== null) env.NODE_OPTIONS = nodeOptions;
  const out = execFileSync(process.execPath, args, { env, encoding: 'utf8', maxBuffer: 1 << 24, timeout });
  return JSON.parse(out) as T;
}

/**
 * A private build of the command line for tests that run `jetwasm` as a user would: the
 * sources compiled under node_modules/.cache (so the built files resolve packages as dist/
 * does) with bin/jetwasm.js beside them. Returns the folder (for removeBuild) and the bin.
 */
export function privateCliBuild(tag: string): { root: string; bin: string } {
  const cache = path.join(ROOT, 'node_modules', '.cache');
  fs.mkdirSync(cache, { recursive: true });
  const root = fs.mkdtempSync(path.join(cache, `jetwasm-${tag}-`));
  const outDir = path.join(root, 'dist');
  // Type errors elsewhere do not stop tsc from emitting; the tests judge the result.
  spawnSync(
    process.execPath,
    [
      require.resolve('typescript/bin/tsc'),
      '-p',
      path.join(ROOT, 'tsconfig.json'),
      '--outDir',
      outDir,
      '--tsBuildInfoFile',
      path.join(outDir, '.tsbuildinfo'),
    ],
    { cwd: ROOT, stdio: 'ignore' },
  );
  if (!fs.existsSync(path.join(outDir, 'cli', 'index.js')))
    throw new Error('the private build produced no cli/index.js');
  fs.mkdirSync(path.join(root, 'bin'));
  const bin = path.join(root, 'bin', 'jetwasm.js');
  fs.copyFileSync(path.join(ROOT, 'bin', 'jetwasm.js'), bin);
  return { root, bin };
}

/**
 * For a test file whose packages run in processes of their own: a private build and its
 * facade preload (facadePreload), made before the file's tests and removed after them.
 */
export function usePreloadedFacade(tag: string): { readonly script: string; readonly mark: string } {
  const preload = { script: '', mark: '' };
  let built = '';
  beforeAll(() => {
    built = privateBuild(tag);
    Object.assign(preload, facadePreload(built));
  }, 120_000);
  afterAll(() => removeBuild(built));
  return preload;
}
