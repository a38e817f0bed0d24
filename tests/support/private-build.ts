// A private build of the package for tests that run it in child processes: never the shared
// dist/, which other tests and `npm run build` write.

import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');

/** Transpiles the package (no type check) into a new temporary folder and returns it. */
export function privateBuild(tag: string): string {
  const built = fs.mkdtempSync(path.join(os.tmpdir(), `jetwasm-${tag}-`));
  try {
    execFileSync(process.execPath, [
      require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.json'),
      '--outDir', built, '--tsBuildInfoFile', path.join(built, '.tsbuildinfo'),
      '--noCheck', '--declaration', 'false', '--sourceMap', 'false',
    ], { stdio: 'pipe' });
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
  fs.writeFileSync(script, [
    `const { WebAssembly: WA } = require(${JSON.stringify(path.join(built, 'index.js'))});`,
    "Object.defineProperty(globalThis, 'WebAssembly', { value: WA, writable: true, configurable: true, enumerable: false });",
    `require('fs').appendFileSync(${JSON.stringify(mark)}, process.pid + '\\n');`,
  ].join('\n'));
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
