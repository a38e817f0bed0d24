#!/usr/bin/env node
// Builds the browser distribution: ES modules for a page, no Node built-ins.
//
//   node browser/build.js [--outdir DIR] [--minify]      (default DIR: dist/browser)
//
// Output: jetwasm.mjs (embedder API, `WebAssembly` facade, `parseWat`), polyfill.mjs
// (installs the facade where globalThis.WebAssembly is missing), aot.mjs (the loader of
// `jetwasm compile` output, without the compiler), shared chunks under chunks/ (so a page
// importing several entries gets a single runtime and a single facade object; a chunk holds
// only code reachable from every entry that imports it, so aot.mjs loads no compiler code),
// source maps, and demo.html.
//
// The build fails if anything on the bundle's import graph imports a Node built-in: the
// bundle must run unchanged in a page. References to Node-only globals (Buffer, process,
// require) in the emitted code are listed as warnings with the source file they come from.
'use strict';

const fs = require('fs');
const path = require('path');
const { builtinModules } = require('module');

const root = path.resolve(__dirname, '..');

/** Node built-in specifiers, bare and `node:`-prefixed. */
const nodeBuiltins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** An esbuild plugin that turns any import of a Node built-in into a build error naming the importer. */
const rejectNodeBuiltins = {
  name: 'reject-node-builtins',
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => {
      if (!nodeBuiltins.has(args.path)) return undefined;
      const importer = path.relative(root, args.importer);
      return { errors: [{ text: `${importer} imports the Node built-in "${args.path}", which does not exist in a page` }] };
    });
  },
};

/** Node-only free globals worth reporting when they appear in emitted code. */
const NODE_GLOBALS = /\b(Buffer|process|require|__dirname|__filename)\s*[.(]/g;

/**
 * Lists uses of Node-only globals in an unminified esbuild output file, each attributed to the
 * source file whose `// path.ts` banner precedes it.
 */
function nodeGlobalUses(code) {
  const uses = [];
  let source = '?';
  const lines = code.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const banner = /^\/\/ (\S+\.ts)$/.exec(line);
    if (banner) { source = banner[1]; continue; }
    if (line.trimStart().startsWith('//')) continue;
    for (const m of line.matchAll(NODE_GLOBALS)) {
      // `x.Buffer.` or `ArrayBuffer.` are not the global.
      const before = line[m.index - 1];
      if (before === '.' || (before !== undefined && /[\w$]/.test(before))) continue;
      uses.push({ name: m[1], source, line: line.trim() });
    }
  }
  return uses;
}

/**
 * Builds into outdir. Resolves to { outdir, files, warnings }; rejects on a build error.
 * @param {{ outdir?: string, minify?: boolean, quiet?: boolean }} [options]
 */
async function buildBrowser(options = {}) {
  const esbuild = require('esbuild');
  const outdir = path.resolve(options.outdir ?? path.join(root, 'dist', 'browser'));
  fs.mkdirSync(outdir, { recursive: true });
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: { jetwasm: 'browser/jetwasm.ts', polyfill: 'browser/polyfill.ts', aot: 'browser/aot.ts' },
    outdir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    minify: options.minify === true,
    // Classes and functions keep their source names (`constructor.name`, stack traces): the
    // bundler would otherwise rename those whose names collide across modules (two classes
    // named RuntimeError become RuntimeError and RuntimeError2), and minifying renames all.
    keepNames: true,
    legalComments: 'none',
    metafile: true,
    logLevel: options.quiet ? 'silent' : 'warning',
    plugins: [rejectNodeBuiltins],
  });
  const files = Object.keys(result.metafile.outputs).map((f) => path.resolve(root, f)).filter((f) => f.endsWith('.mjs'));
  const warnings = [];
  if (options.minify !== true) {
    for (const f of files) {
      for (const u of nodeGlobalUses(fs.readFileSync(f, 'utf8'))) {
        warnings.push(`${path.relative(outdir, f)}: Node global "${u.name}" used by ${u.source}: ${u.line}`);
      }
    }
  }
  fs.copyFileSync(path.join(__dirname, 'demo.html'), path.join(outdir, 'demo.html'));
  return { outdir, files, warnings };
}

async function main(argv) {
  let outdir;
  let minify = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--outdir') outdir = argv[++i];
    else if (argv[i] === '--minify') minify = true;
    else throw new Error(`unknown option ${argv[i]} (usage: node browser/build.js [--outdir DIR] [--minify])`);
  }
  const { outdir: out, files, warnings } = await buildBrowser({ outdir, minify });
  for (const w of warnings) console.warn(`warning: ${w}`);
  for (const f of files) console.log(`${path.relative(process.cwd(), f)}  ${fs.statSync(f).size} bytes`);
  console.log(`demo: node browser/serve.js ${path.relative(process.cwd(), out) || '.'}  then open http://127.0.0.1:8080/demo.html`);
}

module.exports = { buildBrowser, nodeGlobalUses };

if (require.main === module) {
  main(process.argv.slice(2)).catch((e) => {
    // esbuild has already printed its diagnostics for a build failure.
    if (!(e && Array.isArray(e.errors))) console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
