// binaryen's wasm2js as a peer engine. wasm2js is an ahead-of-time compiler: it is run once
// per module (outside any timing) and its JS output is cached by the SHA-256 of the Wasm
// bytes. A WebAssembly-like object then "compiles" a module by loading that cached JS and
// "instantiates" it by calling its asmFunc(imports), so packages that use the WebAssembly
// API (hash-wasm, sql.js) run on wasm2js output unchanged.
//
// Before wasm2js, wasm-opt lowers what wasm2js does not accept (saturating float->int,
// memory.copy/fill) into MVP instructions; the lowered module behaves identically.
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { execFileSync } = require('child_process');

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'node_modules/binaryen/bin');
const FEATURES = [
  '--enable-mutable-globals', '--enable-sign-ext', '--enable-bulk-memory',
  '--enable-bulk-memory-opt', '--enable-nontrapping-float-to-int', '--enable-multivalue',
];

function sha256(bytes) {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

function cachePath(cacheDir, bytes) {
  return path.join(cacheDir, 'wasm2js', `${sha256(bytes)}.cjs`);
}

/**
 * Compiles `bytes` with wasm-opt (lowering) + wasm2js -O2 unless cached. Returns
 * { ok: true, file, seconds } or { ok: false, error }. A failure is remembered in the cache
 * too, so a module wasm2js cannot compile is not retried on every run.
 */
function precompile(cacheDir, bytes) {
  const file = cachePath(cacheDir, bytes);
  const failFile = file.replace(/\.cjs$/, '.failed');
  if (fs.existsSync(file)) return { ok: true, file, seconds: null };
  if (fs.existsSync(failFile)) return { ok: false, error: fs.readFileSync(failFile, 'utf8') };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = fs.mkdtempSync(path.join(path.dirname(file), 'tmp-'));
  const t0 = process.hrtime.bigint();
  try {
    const input = path.join(tmp, 'in.wasm');
    const lowered = path.join(tmp, 'lowered.wasm');
    const out = path.join(tmp, 'out.mjs');
    fs.writeFileSync(input, bytes);
    const opts = { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 << 20 };
    execFileSync(process.execPath, [path.join(BIN, 'wasm-opt'), input, ...FEATURES,
      '--llvm-nontrapping-fptoint-lowering', '--llvm-memory-copy-fill-lowering', '-o', lowered], opts);
    execFileSync(process.execPath, [path.join(BIN, 'wasm2js'), lowered, ...FEATURES, '-O2', '-o', out], opts);
    fs.writeFileSync(file, toCommonJS(fs.readFileSync(out, 'utf8')));
    return { ok: true, file, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
  } catch (e) {
    const msg = String((e && e.stderr && e.stderr.toString()) || e).split('\n').filter((l) => l.trim()).slice(0, 3).join(' | ').slice(0, 300);
    fs.writeFileSync(failFile, msg);
    return { ok: false, error: msg };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * wasm2js emits an ES module: `import * as X from 'X'` per import module, `function
 * asmFunc(imports)`, then a call of asmFunc and `export var` lines. Keep the function and
 * export it; the shim below calls it with the real import object.
 */
function toCommonJS(src) {
  const cut = src.indexOf('\nvar retasmFunc = asmFunc(');
  if (cut < 0) throw new Error('unexpected wasm2js output');
  const body = src.slice(0, cut).split('\n').filter((l) => !/^import \* as /.test(l)).join('\n');
  return `'use strict';\n${body}\nmodule.exports = asmFunc;\n`;
}

/** A WebAssembly-compatible object backed by cached wasm2js output. */
function makeWasm2jsWebAssembly(cacheDir) {
  class CompileError extends Error {}
  class LinkError extends Error {}
  class RuntimeError extends Error {}
  class Module {
    constructor(bytes) {
      const u8 = bytes instanceof Uint8Array ? bytes : ArrayBuffer.isView(bytes)
        ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : new Uint8Array(bytes);
      const file = cachePath(cacheDir, u8);
      if (!fs.existsSync(file)) throw new CompileError('wasm2js: module not precompiled');
      // A fresh evaluation per Module, as a compile would be.
      delete require.cache[file];
      this.asmFunc = require(file);
      delete require.cache[file];
    }
  }
  class Instance {
    constructor(module, imports) {
      this.exports = module.asmFunc(imports || {});
    }
  }
  return {
    Module,
    Instance,
    CompileError,
    LinkError,
    RuntimeError,
    async compile(bytes) { return new Module(bytes); },
    async instantiate(src, imports) {
      if (src instanceof Module) return new Instance(src, imports);
      const module = new Module(src);
      return { module, instance: new Instance(module, imports) };
    },
    validate() { return true; },
  };
}

module.exports = { precompile, makeWasm2jsWebAssembly };
