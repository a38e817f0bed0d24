// Unmodified npm packages (sql.js, hash-wasm) on jetwasm's WebAssembly facade give exactly
// the results the host's native WebAssembly gives: in this process (facade swapped in as
// globalThis.WebAssembly before the package loads) and in a child `node --jitless`, which has
// no WebAssembly at all and so runs on the polyfill.

import { execFile } from 'child_process';
import * as path from 'path';
import { WebAssembly as facade } from '../../index';
import { privateBuild, removeBuild } from '../support/private-build';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const workloads = require('./workloads.js') as {
  sqlWorkload(init: unknown): Promise<Outcome>;
  hashWorkload(hw: unknown): Promise<Outcome>;
  sqlJsPath: string;
  hashWasmPath: string;
};

interface Outcome {
  results: unknown;
  times: Record<string, number>;
  hostHadWebAssembly?: boolean;
  usedFacade?: boolean;
}

const native = globalThis.WebAssembly;

/** Loads a package in a fresh module registry with `wasm` as globalThis.WebAssembly, and runs
 *  `work` on it while `wasm` stays installed (packages may read the global at any time). */
async function withWebAssembly<T>(wasm: unknown, pkgPath: string, work: (pkg: unknown) => Promise<T>): Promise<T> {
  const g = globalThis as { WebAssembly: unknown };
  const saved = g.WebAssembly;
  g.WebAssembly = wasm;
  try {
    let pkg: unknown;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      pkg = require(pkgPath);
    });
    return await work(pkg);
  } finally {
    g.WebAssembly = saved;
  }
}

function runChild(built: string, which: 'sql' | 'hash'): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--jitless', path.join(__dirname, 'workloads.js'), built, which],
      { maxBuffer: 1 << 24, timeout: 120_000 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`child ${which} failed: ${err.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as Outcome);
      },
    );
  });
}

let built = '';
let children: { sql: Promise<Outcome>; hash: Promise<Outcome> };
const nativeOutcome: Partial<Record<'sql' | 'hash', Outcome>> = {};

beforeAll(() => {
  built = privateBuild('realworld');
  // The --jitless children run (one after the other, to leave a core to this process)
  // while this process does the in-process comparisons.
  const sql = runChild(built, 'sql');
  children = { sql, hash: sql.catch(() => undefined).then(() => runChild(built, 'hash')) };
  children.sql.catch(() => undefined);
  children.hash.catch(() => undefined);
}, 120_000);

afterAll(async () => {
  await Promise.allSettled([children?.sql, children?.hash]);
  removeBuild(built);
});

function report(name: string, a: Outcome, b: Outcome): void {
  // Informational only (no assertion on time): native vs jetwasm phase timings in ms.
  process.stdout.write(`${name}: native ${JSON.stringify(a.times)} jetwasm ${JSON.stringify(b.times)}\n`);
}

describe('sql.js', () => {
  test('same results as native WebAssembly, in process', async () => {
    const nat = await withWebAssembly(native, workloads.sqlJsPath, (p) => workloads.sqlWorkload(p));
    nativeOutcome.sql = nat;
    const ours = await withWebAssembly(facade, workloads.sqlJsPath, (p) => workloads.sqlWorkload(p));
    expect(ours.results).toEqual(nat.results);
    const [[summary]] = (nat.results as { values: unknown[][] }[][])[0].map((r) => r.values);
    expect(summary[0]).toBe(50000);
    report('sql.js', nat, ours);
  }, 60_000);

  test('same results under node --jitless (polyfill, no native WebAssembly)', async () => {
    const child = await children.sql;
    expect(child.hostHadWebAssembly).toBe(false);
    expect(child.usedFacade).toBe(true);
    const nat =
      nativeOutcome.sql ?? (await withWebAssembly(native, workloads.sqlJsPath, (p) => workloads.sqlWorkload(p)));
    expect(child.results).toEqual(nat.results);
    report('sql.js --jitless', nat, child);
  }, 120_000);
});

describe('hash-wasm', () => {
  const vectors = {
    sha256: 'd7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592',
    sha512:
      '07e547d9586f6a73f73fbac0435ed76951218fb7d0c8d788a309d785436bbb642e93a252a954f23912547d1e8a3b5ed6e1bfd7097821233fa0538f3db854fee6',
    xxhash64: '0b242d361fda71bc',
    blake3: '2f1514181aadccd913abd94cfa592701a5686ab23f8df1dff1b74710febc6d4a',
    crc32: '414fa339',
  };

  test('known vectors and the same results as native WebAssembly, in process', async () => {
    const nat = await withWebAssembly(native, workloads.hashWasmPath, (p) => workloads.hashWorkload(p));
    nativeOutcome.hash = nat;
    const ours = await withWebAssembly(facade, workloads.hashWasmPath, (p) => workloads.hashWorkload(p));
    expect(ours.results).toMatchObject(vectors);
    expect(ours.results).toEqual(nat.results);
    report('hash-wasm', nat, ours);
  }, 60_000);

  test('same results under node --jitless (polyfill, no native WebAssembly)', async () => {
    const child = await children.hash;
    expect(child.hostHadWebAssembly).toBe(false);
    expect(child.usedFacade).toBe(true);
    expect(child.results).toMatchObject(vectors);
    const nat =
      nativeOutcome.hash ?? (await withWebAssembly(native, workloads.hashWasmPath, (p) => workloads.hashWorkload(p)));
    expect(child.results).toEqual(nat.results);
  }, 120_000);
});
