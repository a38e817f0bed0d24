// The engines a workload runs on. Each is a WebAssembly-compatible object (the subset the
// workloads' packages use: Module, Instance, compile, instantiate, Memory, Table, Global,
// RuntimeError, CompileError, LinkError) plus a name and, when it cannot run, the reason.
'use strict';
const path = require('path');
const { makeWasm2jsWebAssembly } = require('./wasm2js');

const ROOT = path.resolve(__dirname, '..');

/**
 * jetwasm through its `WebAssembly` facade, loaded as a user's `require('jetwasm')` loads it
 * (the Node entry dist/node/index.js: one bundled script with its code cache), or on an
 * older tree the top-level index. Before the facade existed the bench used a small adapter
 * over runtime/ that only handles modules without imports; it is kept as a fallback so the
 * bench still runs on an older tree.
 */
function jetwasmEngine(dist) {
  let top = null;
  for (const entry of ['node/index.js', 'index.js']) {
    try {
      top = require(path.join(dist, entry));
      break;
    } catch (e) {
      if (e && e.code !== 'MODULE_NOT_FOUND') throw e;
    }
  }
  // The package entry exports the runtime API too; requiring dist/runtime beside it would load
  // a second, unbundled copy.
  const rt = top && top.Engine ? top : require(path.join(dist, 'runtime'));
  if (top && top.WebAssembly) return { name: 'jetwasm', WA: top.WebAssembly, rt, via: 'WebAssembly facade' };
  return { name: 'jetwasm', WA: runtimeAdapter(rt), rt, via: 'runtime adapter (no imports)' };
}

/** Minimal WebAssembly object over the runtime API: modules without imports only. */
function runtimeAdapter(rt) {
  const engine = new rt.Engine({});
  class Module {
    constructor(bytes) {
      this.module = rt.Module.fromBinary(engine, toU8(bytes));
    }
  }
  class Instance {
    constructor(module, imports) {
      if (module.module.imports().length) throw new Error('runtime adapter: imports unsupported');
      void imports;
      const inst = rt.Instance.instantiate(new rt.Store(engine), module.module, []);
      const exports = Object.create(null);
      for (const [name, ext] of inst.exports) {
        if (ext instanceof rt.Func) {
          exports[name] = (...args) => ext.call(...args.slice(0, ext.type.params.length))[0];
        } else if (ext instanceof rt.Memory) {
          exports[name] = { get buffer() { return ext.buffer; }, grow: (n) => ext.grow(n) };
        } else if (ext instanceof rt.Global) {
          exports[name] = { get value() { return ext.get(); }, valueOf() { return ext.get(); } };
        } else {
          exports[name] = ext;
        }
      }
      this.exports = Object.freeze(exports);
    }
  }
  const WA = {
    Module,
    Instance,
    CompileError: rt.CompileError,
    LinkError: rt.LinkError,
    RuntimeError: rt.RuntimeError,
    async compile(bytes) { return new Module(bytes); },
    async instantiate(src, imports) {
      if (src instanceof Module) return new Instance(src, imports);
      const module = new Module(src);
      return { module, instance: new Instance(module, imports) };
    },
    validate() { return true; },
  };
  return WA;
}

function toU8(b) {
  if (b instanceof Uint8Array) return b;
  if (ArrayBuffer.isView(b)) return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return new Uint8Array(b);
}

const ENGINE_NAMES = ['native', 'jetwasm', 'polywasm', 'wasm2js'];

/**
 * One engine by name, loading only what it needs (the fresh-process rows time the engine's
 * own load). `native` is unavailable under --jitless (V8 disables Wasm there). `wasm2js`
 * runs binaryen's ahead-of-time output; it knows only the modules precompiled for it (see
 * wasm2js.js), so a workload whose module it cannot compile reports n/a.
 */
function loadEngine(name, dist, cacheDir) {
  switch (name) {
    case 'native': {
      const native = globalThis.WebAssembly;
      return native
        ? { name: 'native', WA: native, via: `V8 ${process.versions.v8}` }
        : { name: 'native', WA: null, via: 'absent', unavailable: 'no WebAssembly (--jitless)' };
    }
    case 'jetwasm': return jetwasmEngine(dist);
    case 'polywasm': {
      const { WebAssembly: poly } = require(path.join(ROOT, 'node_modules/polywasm'));
      return { name: 'polywasm', WA: poly, via: `polywasm ${require(path.join(ROOT, 'node_modules/polywasm/package.json')).version}` };
    }
    case 'wasm2js':
      return { name: 'wasm2js', WA: makeWasm2jsWebAssembly(cacheDir), via: `binaryen ${require(path.join(ROOT, 'node_modules/binaryen/package.json')).version} wasm2js -O2` };
    default: throw new Error(`unknown engine ${name}`);
  }
}

/** All engines, in table order. */
function loadEngines(dist, cacheDir) {
  return ENGINE_NAMES.map((n) => loadEngine(n, dist, cacheDir));
}

module.exports = { loadEngines, loadEngine, ENGINE_NAMES, ROOT };
