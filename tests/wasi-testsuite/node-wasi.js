'use strict';
// Node's own WASI (node:wasi, preview1) on native WebAssembly, with the part of `jetwasm
// run`'s command line the suite uses, so the runner drives both the same way:
//
//   node node-wasi.js [--env K=V]... [--dir HOST::GUEST]... FILE [--] [ARG...]
//
// argv is FILE ARG...; the exit code is the program's. Reference only, not part of jetwasm.

const { readFileSync } = require('fs');
const { WASI } = require('wasi');

const env = {};
const preopens = {};
const argv = process.argv.slice(2);
let i = 0;
for (; i < argv.length && argv[i].startsWith('--') && argv[i] !== '--'; i += 2) {
  const value = argv[i + 1];
  if (argv[i] === '--env') {
    const eq = value.indexOf('=');
    env[value.slice(0, eq)] = value.slice(eq + 1);
  } else if (argv[i] === '--dir') {
    const sep = value.indexOf('::');
    preopens[sep < 0 ? value : value.slice(sep + 2)] = sep < 0 ? value : value.slice(0, sep);
  } else {
    throw new Error(`unknown option ${argv[i]}`);
  }
}
const file = argv[i++];
if (argv[i] === '--') i++;
const wasi = new WASI({ version: 'preview1', args: [file, ...argv.slice(i)], env, preopens, returnOnExit: true });
const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(file)), wasi.getImportObject());
process.exitCode = wasi.start(instance);
