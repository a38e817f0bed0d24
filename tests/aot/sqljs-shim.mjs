// A `WebAssembly`-shaped object that serves Emscripten glue (sql.js's sql-wasm.js) from an
// ahead-of-time compiled module instead of compiling Wasm: the glue's
// `WebAssembly.instantiate(bytes, imports)` (or instantiateStreaming) returns the AOT
// module's instance when `bytes` are the module it was compiled from, and nothing else is
// compiled. Plain JS, used by the tests' child processes and by sqljs-startup.mjs.
//
// Emscripten's addFunction (sql.js's create_function, create_aggregate, updateHook) first
// tries `table.set(i, jsFunction)`; the AOT table refuses a non-Wasm function with a
// TypeError, as the JS API does, and the glue then builds a tiny adapter module (one type,
// import "e" "f", export "f") and instantiates it with `new WebAssembly.Module/Instance`.
// `Module`/`Instance` here accept only that adapter shape and answer it with the AOT
// runtime's `hostFunction`, which gives the JS function the adapter's Wasm type.

const VALTYPES = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x70: 'funcref', 0x6f: 'externref' };

class CompileError extends Error { constructor(m) { super(m); this.name = 'CompileError'; } }
class LinkError extends Error { constructor(m) { super(m); this.name = 'LinkError'; } }

/** The function type of an Emscripten adapter module, or a CompileError for any other module. */
function adapterType(bytes) {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes.buffer ?? bytes, bytes.byteOffset ?? 0, bytes.byteLength);
  let p = 8;
  const fail = () => { throw new CompileError('only Emscripten function adapters can be compiled here'); };
  const leb = () => {
    let r = 0, shift = 0, x;
    do { if (p >= b.length || shift > 28) fail(); x = b[p++]; r |= (x & 127) << shift; shift += 7; } while (x & 128);
    return r >>> 0;
  };
  const header = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0];
  if (b.length < 8 || header.some((x, i) => b[i] !== x)) fail();
  if (b[p++] !== 1) fail();
  const end = leb() + p;
  if (leb() !== 1 || b[p++] !== 0x60) fail();
  const vec = () => {
    const n = leb();
    const out = [];
    for (let i = 0; i < n; i++) out.push(VALTYPES[b[p++]] ?? fail());
    return out;
  };
  const type = { parameters: vec(), results: vec() };
  if (p !== end) fail();
  // The rest must be exactly: import "e" "f" (func type 0), export "f" (func 0).
  const rest = [2, 7, 1, 1, 0x65, 1, 0x66, 0, 0, 7, 5, 1, 1, 0x66, 0, 0];
  if (b.length - p !== rest.length || rest.some((x, i) => b[p + i] !== x)) fail();
  return type;
}

function sameBytes(a, b) {
  const x = a instanceof Uint8Array ? a : new Uint8Array(a.buffer ?? a, a.byteOffset ?? 0, a.byteLength);
  if (x.length !== b.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== b[i]) return false;
  return true;
}

/**
 * @param {{ instantiate(imports: object): object }} aot  the AOT module (its exports)
 * @param {Uint8Array} wasmBytes  the binary it was compiled from
 * @param {{ hostFunction: Function, RuntimeError: Function }} runtime  the `jetwasm/aot` exports
 */
export function aotWebAssembly(aot, wasmBytes, runtime) {
  class Module {
    constructor(bytes) { this.type = adapterType(bytes); }
  }
  class Instance {
    constructor(module, imports) {
      const f = imports?.e?.f;
      if (typeof f !== 'function') throw new LinkError('import "e" "f" must be a function');
      this.exports = Object.freeze({ f: runtime.hostFunction(module.type, f) });
    }
  }
  const instantiate = async (bytes, imports) => {
    if (!sameBytes(bytes, wasmBytes)) throw new CompileError('these bytes are not the ahead-of-time compiled module');
    // The glue reads only `instance.exports`.
    return { module: Object.freeze({}), instance: Object.freeze({ exports: aot.instantiate(imports) }) };
  };
  return {
    Module,
    Instance,
    CompileError,
    LinkError,
    RuntimeError: runtime.RuntimeError,
    instantiate,
    async instantiateStreaming(response, imports) {
      return instantiate(new Uint8Array(await (await response).arrayBuffer()), imports);
    },
  };
}
