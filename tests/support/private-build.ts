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
