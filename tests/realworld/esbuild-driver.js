'use strict';
// Runs esbuild-wasm's Node API (which starts esbuild.wasm in a child `node` process, the
// service) on the fixtures and prints what it produced as JSON. The engine is whatever
// WebAssembly the service process has: tests/realworld/esbuild.test.ts preloads jetwasm's
// facade into every process through NODE_OPTIONS, or leaves native WebAssembly.
const fs = require('fs');
const path = require('path');

const esbuild = require('esbuild-wasm');
const fixtures = path.join(__dirname, 'fixtures', 'esbuild');
const sample = fs.readFileSync(path.join(__dirname, '..', '..', 'bench', 'workloads', 'fixtures', 'sample.ts'), 'utf8');

const transform = esbuild.transformSync(sample, { loader: 'ts', minify: true, target: 'es2017' }).code;
const bundle = esbuild.buildSync({
  entryPoints: [path.join(fixtures, 'main.ts')],
  bundle: true, write: false, format: 'cjs', minify: true, absWorkingDir: fixtures,
}).outputFiles[0].text;
process.stdout.write(JSON.stringify({ transform, bundle }));
