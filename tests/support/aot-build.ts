// A private build of the ahead-of-time loader (runtime/aot) and what it imports, for tests
// that run `jetwasm compile` output: never the shared dist/, which other tests rebuild.

import { spawnSync } from 'child_process';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');

/** Compiles runtime/aot/index.ts and its imports into `outDir`; throws with tsc's output. */
export function buildAotLoader(outDir: string): void {
  const r = spawnSync(
    process.execPath,
    [
      path.join(ROOT, 'node_modules/typescript/bin/tsc'),
      '--outDir',
      outDir,
      '--rootDir',
      ROOT,
      '--target',
      'ES2022',
      '--module',
      'commonjs',
      '--moduleResolution',
      'node',
      '--strict',
      '--esModuleInterop',
      '--skipLibCheck',
      '--types',
      'node',
      path.join(ROOT, 'runtime/aot/index.ts'),
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`tsc failed: ${r.stdout}${r.stderr}`);
}
