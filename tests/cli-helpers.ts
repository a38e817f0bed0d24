// Shared by the CLI tests: make sure dist/ is built from the current sources, then run
// `node bin/jetwasm.js` as a user would.

import { spawnSync } from 'child_process';
import { readdirSync, statSync } from 'fs';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'bin', 'jetwasm.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'testsuite' && e.name !== 'node_modules') newest = Math.max(newest, newestSource(p));
    } else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) {
      newest = Math.max(newest, statSync(p).mtimeMs);
    }
  }
  return newest;
}

const mtime = (p: string): number => {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return 0;
  }
};

/** Builds dist/ (the project's `npm run build`) unless it is newer than every source. */
export function ensureBuilt(): void {
  const built = Math.min(
    ...['dist/cli/index.js', 'dist/spec-tests/worker.js', 'dist/node/bundle.js'].map((f) => mtime(path.join(ROOT, f))),
  );
  const sources = Math.max(
    ...['cli', 'spec-tests', 'compiler', 'runtime', 'vmctx', 'types', 'node'].map((d) =>
      newestSource(path.join(ROOT, d)),
    ),
  );
  if (built > sources) return;
  // Type errors elsewhere do not stop tsc from emitting; the tests below judge the result.
  spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.json')], {
    cwd: ROOT,
    stdio: 'ignore',
  });
  spawnSync(process.execPath, [path.join(ROOT, 'node/build.js')], { cwd: ROOT, stdio: 'ignore' });
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly lines: string[];
}

export function jetwasm(args: string[], cwd = ROOT): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, lines: r.stdout.trimEnd().split('\n') };
}
