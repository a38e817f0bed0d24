// Runs one workload of tests/realworld/workloads.js in an engine shell, after the workload
// bundle. Arguments: `hash` HASH_WASM_UMD, or `sql` SQL_WASM_JS SQL_WASM_WASM; then `jetwasm`
// (the facade replaces the shell's WebAssembly before the package loads) or `native`.
// Prints `@@ ` then the workload's JSON, or `@@ ` then {"error": ...}.
(function (args) {
  'use strict';
  const [which, pkg, wasm, engine] = which3(args);
  function which3(a) {
    return a[0] === 'hash' ? [a[0], a[1], null, a[2]] : [a[0], a[1], a[2], a[3]];
  }
  const hadWebAssembly = typeof globalThis.WebAssembly !== 'undefined';
  // Emscripten's glue binds console.log and console.error when it loads.
  if (typeof globalThis.console === 'undefined') globalThis.console = {};
  for (const k of ['log', 'error', 'warn']) if (typeof globalThis.console[k] !== 'function') globalThis.console[k] = () => {};
  if (engine === 'jetwasm') globalThis.WebAssembly = globalThis.jetwasmFacade;
  const done = (out) => print('@@ ' + JSON.stringify(out));
  const fail = (e) => print('@@ ' + JSON.stringify({ error: String((e && e.stack) || e) }));
  let run;
  try {
    load(pkg);
    if (which === 'hash') run = globalThis.jetwasmWorkloads.hashWorkload(globalThis.hashwasm);
    else {
      const wasmBinary = new Uint8Array(readFile(wasm, 'binary'));
      run = globalThis.jetwasmWorkloads.sqlWorkload(() => globalThis.initSqlJs({ wasmBinary }));
    }
  } catch (e) {
    fail(e);
    return;
  }
  run.then((out) => {
    out.hostHadWebAssembly = hadWebAssembly;
    out.usedFacade = globalThis.WebAssembly === globalThis.jetwasmFacade;
    done(out);
  }, fail);
})(typeof arguments !== 'undefined' ? arguments : scriptArgs);
