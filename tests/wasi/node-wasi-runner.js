'use strict';
// Reference runner: runs a WASI program with Node's own WASI (node:wasi) on native
// WebAssembly, for comparison with jetwasm. Usage: node node-wasi-runner.js CONFIG_JSON
// where CONFIG_JSON = {"wasm": path, "args": [...], "env": {...}, "preopens": {guest: host}}.
// Exits with the program's exit code.
const { readFileSync } = require('fs');
const { WASI } = require('wasi');

const config = JSON.parse(process.argv[2]);
const wasi = new WASI({ version: 'preview1', args: config.args, env: config.env, preopens: config.preopens, returnOnExit: true });
const wasmModule = new WebAssembly.Module(readFileSync(config.wasm));
const instance = new WebAssembly.Instance(wasmModule, wasi.getImportObject());
process.exitCode = wasi.start(instance);
