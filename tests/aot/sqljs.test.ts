// sql.js on ahead-of-time output: `jetwasm compile` turns node_modules/sql.js's sql-wasm.wasm
// into an ES module, and sql.js's own, unmodified glue (sql-wasm.js) runs on it through a
// WebAssembly-shaped shim (sqljs-shim.mjs) in child processes (sqljs-driver.mjs): under
// `node` and under `node --jitless`, which has no WebAssembly at all. The workload is the
// one tests/realworld runs (tests/realworld/workloads.js: 50,000 inserts in a transaction,
// aggregates, GROUP BY); its JSON must equal native WebAssembly's, computed in this process.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { main } from '../../cli/index';
import { buildAotLoader } from '../support/aot-build';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const workloads = require('../realworld/workloads.js') as {
  sqlWorkload(init: unknown): Promise<{ results: unknown; times: Record<string, number> }>;
  sqlJsPath: string;
};

interface ChildOutcome {
  results: unknown;
  times: Record<string, number>;
  udf: unknown[];
  hadWebAssembly: boolean;
  evals: number;
  loaded: string[];
}

const work = mkdtempSync(path.join(tmpdir(), 'jetwasm-aot-sqljs-'));
const dist = path.join(work, 'dist');
const runtimeFile = path.join(dist, 'runtime/aot/index.js');
const aotFile = path.join(work, 'sql-wasm.mjs');
const wasmFile = workloads.sqlJsPath.replace(/\.js$/, '.wasm');

function runChild(flags: string[]): Promise<ChildOutcome> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...flags, path.join(__dirname, 'sqljs-driver.mjs'), aotFile, runtimeFile],
      { maxBuffer: 1 << 24, timeout: 180_000 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`child ${flags.join(' ')} failed: ${err.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as ChildOutcome);
      },
    );
  });
}

let compileLines: string[] = [];
let jit: Promise<ChildOutcome>;
let jitless: Promise<ChildOutcome>;
let native: { results: unknown };

beforeAll(async () => {
  // A private build of the loader and what it imports (never the shared dist/).
  buildAotLoader(dist);
  const io = { out: (l: string) => compileLines.push(l), err: (l: string) => compileLines.push(l) };
  const code = await main(['compile', wasmFile, '-o', aotFile, '--runtime', pathToFileURL(runtimeFile).href], io);
  if (code !== 0) throw new Error(`jetwasm compile failed: ${compileLines.join('\n')}`);
  // The children run one after the other (leaving a core to this process's native run).
  jit = runChild([]);
  jitless = jit.catch(() => undefined).then(() => runChild(['--jitless']));
  jit.catch(() => undefined);
  jitless.catch(() => undefined);
  // Native WebAssembly, sql.js loaded fresh so that it captures nothing from other tests.
  let initSqlJs: unknown;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    initSqlJs = require(workloads.sqlJsPath);
  });
  native = await workloads.sqlWorkload(initSqlJs);
}, 180_000);

afterAll(async () => {
  await Promise.allSettled([jit, jitless]);
  rmSync(work, { recursive: true, force: true });
});

/** What the driver's create_function / create_aggregate / updateHook checks must print. */
const UDF = [
  [
    {
      columns: ['twice(21)', 'twice(2.5)', 'twice(x)'],
      values: [
        [42, 5, 4],
        [42, 5, 6],
        [42, 5, 10],
        [42, 5, 14],
      ],
    },
  ],
  [{ columns: ['product(x)'], values: [[210]] }],
  [{ columns: ['twice(21)'], values: [[63]] }],
  ['insert v 4'],
];

function checkChild(child: ChildOutcome): void {
  expect(child.results).toEqual(native.results);
  expect(child.udf).toEqual(UDF);
  // No string was compiled (CSP without 'unsafe-eval'), and no compiler code was loaded.
  expect(child.evals).toBe(0);
  expect(child.loaded.some((f) => f.endsWith(path.join('runtime', 'aot', 'index.js')))).toBe(true);
  expect(child.loaded.filter((f) => f.includes(`${path.sep}compiler${path.sep}`))).toEqual([]);
}

describe('sql.js on jetwasm compile output', () => {
  test('jetwasm compile writes an ES module importing only the AOT runtime', () => {
    expect(compileLines).toEqual([`wrote ${aotFile}`]);
    const src = readFileSync(aotFile, 'utf8');
    expect(src.match(/^import .*$/gm)).toEqual([
      `import { instantiateAot, base64 } from ${JSON.stringify(pathToFileURL(runtimeFile).href)};`,
    ]);
    expect(src).not.toMatch(/new Function|\beval\(/);
    const [[summary]] = (native.results as { values: unknown[][] }[][])[0].map((q) => q.values);
    expect(summary[0]).toBe(50000);
  });

  test("sql.js's glue runs the workload with native WebAssembly's results (node)", async () => {
    const child = await jit;
    expect(child.hadWebAssembly).toBe(true);
    checkChild(child);
  }, 180_000);

  test("sql.js's glue runs the workload with native WebAssembly's results (node --jitless)", async () => {
    const child = await jitless;
    expect(child.hadWebAssembly).toBe(false);
    checkChild(child);
  }, 240_000);
});
