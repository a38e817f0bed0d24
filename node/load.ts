// Loads the package as one script (bundle.js, written by node/build.js) with V8's code cache
// for it, so a process pays neither the resolution of a hundred files nor the parse of their
// source. The cache is only a speed-up: without it, with a digest that does not match the
// bundle, or when V8 refuses it (another V8, other flags), the bundle is compiled from source
// and behaves the same.

import * as fs from 'fs';
import * as path from 'path';
import * as vm from 'vm';
import Module = require('module');

/**
 * The code cache file: this magic, the bundle's build id (BUILD_ID_LINE), the checksum of V8's
 * data in hex (CODE_CACHE_SUM_LENGTH digits), then V8's data, which thus starts at a multiple
 * of 8 bytes. V8 (release builds) does not checksum a code cache and may crash on a damaged
 * one, so the loader checks it.
 */
export const CODE_CACHE_MAGIC = 'JWCC4\0\0\0';
export const CODE_CACHE_SUM_LENGTH = 16;

/**
 * The checksum of V8's data in the header: two multiply-xor lanes over its 32-bit words
 * (even and odd ones), and its length. Each step is a bijection of a lane's state, so any
 * change confined to one word always changes the sum. Written here rather than taken from
 * node:crypto, whose loading (streams included) cost more than this loop at every start,
 * and several times more without a JIT.
 */
export function codeCacheChecksum(data: Uint8Array): string {
  const n = data.length >>> 2;
  const aligned = data.byteOffset % 4 === 0 ? data : data.slice();
  const words = new Int32Array(aligned.buffer, aligned.byteOffset, n);
  let a = 0x811c9dc5 | 0;
  let b = 0x2545f491 | 0;
  const pairs = n & ~1;
  for (let i = 0; i < pairs; i += 2) {
    a = Math.imul(a ^ words[i], 0x9e3779b1);
    b = Math.imul(b ^ words[i + 1], 0x85ebca77);
  }
  if (pairs < n) a = Math.imul(a ^ words[pairs], 0x9e3779b1);
  for (let i = n * 4; i < data.length; i++) b = Math.imul(b ^ data[i], 0x85ebca77);
  a = Math.imul(a ^ data.length, 0x9e3779b1);
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/**
 * The bundle's last line, `//# jetwasmBuild=` and 64 hex digits: the SHA-256 of the text before
 * it, written by node/build.js with the caches. Checking it costs no hashing at load (loading
 * node:crypto alone would cost a noticeable part of what the cache saves).
 */
export const BUILD_ID_LINE = '//# jetwasmBuild=';
const BUILD_ID_LENGTH = 64;

/** The code cache's file name for this process: V8 accepts a cache only under the flags it was made with. */
export function codeCacheFile(dir: string, jitless: boolean): string {
  return path.join(dir, jitless ? 'bundle.jitless.codecache' : 'bundle.codecache');
}

/** The build id on the bundle's last line, or '' when there is none. */
export function bundleBuildId(source: string): string {
  const end = source.endsWith('\n') ? source.length - 1 : source.length;
  const start = end - BUILD_ID_LENGTH;
  if (start < BUILD_ID_LINE.length || !source.startsWith(BUILD_ID_LINE, start - BUILD_ID_LINE.length)) return '';
  return source.slice(start, end);
}

/** V8's data of `file` when its header names the build of `source`, else undefined. */
function readCodeCache(file: string, source: string): Buffer | undefined {
  const id = bundleBuildId(source);
  if (id === '') return undefined;
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  // V8 checks its version and flags, but of the source only its length: a bundle rebuilt to
  // the same length must not run the old bundle's code.
  const head = CODE_CACHE_MAGIC + id;
  const sumLength = CODE_CACHE_SUM_LENGTH;
  if (data.length <= head.length + sumLength || data.toString('latin1', 0, head.length) !== head) return undefined;
  const v8Data = data.subarray(head.length + sumLength);
  if (data.toString('latin1', head.length, head.length + sumLength) !== codeCacheChecksum(v8Data)) return undefined;
  return v8Data;
}

/** The bundle `source` of `file` compiled, not yet run; exported for node/build.js, which makes its cache. */
export function compileBundle(file: string, source: string, cachedData?: Buffer): vm.Script {
  return new vm.Script(Module.wrap(source), { filename: file, cachedData });
}

/** Runs the compiled bundle as the module `file`; returns its exports. */
export function runBundle(script: vm.Script, file: string, parent: NodeModule): unknown {
  const m = new Module(file, parent);
  m.filename = file;
  m.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(path.dirname(file));
  const wrapper = script.runInThisContext() as (this: unknown, ...args: unknown[]) => void;
  wrapper.call(m.exports, m.exports, Module.createRequire(file), m, file, path.dirname(file));
  m.loaded = true;
  return m.exports;
}

let loaded: unknown;

/**
 * What became of the code cache when the bundle was loaded: 'accepted' by V8, 'rejected' by V8
 * (compiled from source), or 'absent' (no cache for this build and these flags).
 */
export let codeCacheState: 'accepted' | 'rejected' | 'absent' | 'not loaded' = 'not loaded';

/** The package's exports, from the bundle beside this file; one copy per process. */
export function loadBundle(parent: NodeModule): unknown {
  if (loaded !== undefined) return loaded;
  const file = path.join(__dirname, 'bundle.js');
  // The bundle is ASCII (node/build.js has the bundler escape everything else).
  const source = fs.readFileSync(file, 'latin1');
  // Node without a JIT has no WebAssembly of its own: the one flag set besides the default
  // that the build makes a cache for.
  const jitless = typeof (globalThis as { WebAssembly?: unknown }).WebAssembly === 'undefined';
  const cachedData = readCodeCache(codeCacheFile(__dirname, jitless), source);
  const script = compileBundle(file, source, cachedData);
  codeCacheState = cachedData === undefined ? 'absent' : script.cachedDataRejected === true ? 'rejected' : 'accepted';
  loaded = runBundle(script, file, parent);
  if (!jitless) (loaded as { primeValidation(): void }).primeValidation();
  return loaded;
}
