// The generated code for real modules (hash-wasm's sha256, xxhash64, blake3 and crc32;
// sql.js) under both codegen profiles, lazy and eager, and in BigInt mode, against digests recorded in
// digests.json. A change to the translator that changes generated code fails here; a
// change made on purpose re-records the digests (UPDATE_CODEGEN_DIGESTS=1 npx jest
// tests/codegen) and goes with bench figures showing what it does to speed.

import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { decodeModule } from '../../compiler/binary';
import { validateModuleInfo } from '../../compiler/validate';
import { translateModuleSource, lazyTranslator } from '../../compiler/translate';
import { VMOffsets } from '../../vmctx';

const ROOT = path.resolve(__dirname, '../..');
const DIGESTS = path.join(__dirname, 'digests.json');

/** The Wasm modules hash-wasm compiles for each algorithm, caught from native WebAssembly. */
async function hashWasmModules(): Promise<Record<string, Uint8Array>> {
  const native = globalThis.WebAssembly;
  const seen: Uint8Array[] = [];
  const spy = new Proxy(native, {
    get(target, key) {
      const v = Reflect.get(target, key) as unknown;
      if (key === 'compile' || key === 'instantiate') {
        return (bytes: unknown, ...rest: unknown[]) => {
          if (ArrayBuffer.isView(bytes) || bytes instanceof ArrayBuffer) {
            const view = ArrayBuffer.isView(bytes)
              ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
              : new Uint8Array(bytes);
            seen.push(view.slice());
          }
          return (v as (...a: unknown[]) => unknown).call(target, bytes, ...rest);
        };
      }
      return v;
    },
  });
  const out: Record<string, Uint8Array> = {};
  const g = globalThis as { WebAssembly: unknown };
  g.WebAssembly = spy;
  try {
    let hw: Record<string, (s: string) => Promise<string>> = {};
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      hw = require(path.join(ROOT, 'node_modules/hash-wasm/dist/index.umd.js'));
    });
    for (const name of ['sha256', 'xxhash64', 'blake3', 'crc32']) {
      const before = seen.length;
      await hw[name]('x');
      if (seen.length !== before + 1)
        throw new Error(`hash-wasm ${name}: expected one module, saw ${seen.length - before}`);
      out[name] = seen[seen.length - 1];
    }
  } finally {
    g.WebAssembly = native;
  }
  return out;
}

/** The factory source and every function's lazy source, for one set of options. */
function generated(
  bytes: Uint8Array,
  profile: 'jit' | 'interpreter',
  lazy: boolean,
  i64: 'pairs' | 'bigint' = 'pairs',
): string {
  const m = decodeModule(bytes, { lazyBodies: true });
  const v = validateModuleInfo(m);
  const offsets = new VMOffsets(m);
  const opts = { lazy, profile, controlDepths: v.maxControlDepths, i64 };
  const parts = [translateModuleSource(m, offsets, v.canon, opts)];
  if (lazy) {
    const { lazySource } = lazyTranslator(m, offsets, v.canon, opts);
    for (let i = 0; i < m.codes.length; i++) parts.push(lazySource(i).body);
  }
  return parts.join('\n\0\n');
}

test('generated code for the hash and sql.js modules matches the recorded digests', async () => {
  const modules: Record<string, Uint8Array> = {
    ...(await hashWasmModules()),
    sqljs: new Uint8Array(fs.readFileSync(path.join(ROOT, 'node_modules/sql.js/dist/sql-wasm.wasm'))),
  };
  const digests: Record<string, string> = {};
  for (const [name, bytes] of Object.entries(modules)) {
    for (const profile of ['jit', 'interpreter'] as const) {
      for (const lazy of [true, false]) {
        const key = `${name} ${profile} ${lazy ? 'lazy' : 'eager'}`;
        digests[key] = createHash('sha256')
          .update(generated(bytes, profile, lazy))
          .digest('hex');
      }
    }
    // BigInt mode applies to lazily translated 'interpreter' code.
    digests[`${name} interpreter lazy bigint`] = createHash('sha256')
      .update(generated(bytes, 'interpreter', true, 'bigint'))
      .digest('hex');
  }
  if (process.env.UPDATE_CODEGEN_DIGESTS === '1') {
    fs.writeFileSync(DIGESTS, `${JSON.stringify(digests, null, 2)}\n`);
    return;
  }
  const recorded = JSON.parse(fs.readFileSync(DIGESTS, 'utf8')) as Record<string, string>;
  expect(digests).toEqual(recorded);
}, 120_000);
