#!/usr/bin/env node
// Builds the Node entry's bundle: the package entry (index.ts) as one CommonJS script,
// dist/node/bundle.js, and V8's code cache for it under the default flags and under
// --jitless (node/load.ts loads them). Run after tsc, which emits the loader itself.
//
//   node node/build.js [--src DIR] [--dist DIR]   bundle, then both code caches
//       (defaults: this repository, its dist/; the bench builds other trees into its own dist)
//   node node/build.js --cache DIST               (internal) the cache for this process's flags
'use strict';

const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const crypto = require('crypto');

/**
 * keepNames makes esbuild give back, through `__name(fn, "name")`, the names its renaming of
 * colliding top-level symbols changed; it wraps every named function that way, and each call
 * is an `Object.defineProperty` when it runs: about a thousand at load, and one per closure
 * made in functions the translator runs per instruction. Where the function gets that very
 * name without the call (a declaration or class of that name, a function expression assigned
 * to a binding or property key of that name), the call goes; renamed symbols keep theirs.
 */
function dropRedundantNames(code) {
  const acorn = require('acorn');
  const ast = acorn.parse(code, { ecmaVersion: 'latest', sourceType: 'script' });
  // Ranges of the source to leave out; they never overlap (an unwrapped call loses only the
  // text around its function, whose own calls are cut separately).
  const cuts = [];
  const inferred = new Map();
  const isName = (n) => n && n.type === 'CallExpression' && n.callee.type === 'Identifier' && n.callee.name === '__name' &&
    n.arguments.length === 2 && n.arguments[1].type === 'Literal' && typeof n.arguments[1].value === 'string';
  const anonymous = (f, name) =>
    (f.type === 'ArrowFunctionExpression' || f.type === 'FunctionExpression' || f.type === 'ClassExpression') &&
    (f.id == null || f.id.name === name);
  // `__name(fn, "n")` as the value a binding or property named n takes: the bare function.
  const unwrap = (call, name) => {
    if (!isName(call) || call.arguments[1].value !== name || !anonymous(call.arguments[0], name)) return;
    const f = call.arguments[0];
    cuts.push([call.start, f.start], [f.end, call.end]);
  };
  // Statements `__name(x, "n")` where x already is named n: a function declared in the same
  // list, or `this` in a static block of a class named n.
  const statements = (list, className) => {
    const declared = new Set(list.filter((s) => s.type === 'FunctionDeclaration' && s.id).map((s) => s.id.name));
    for (const st of list) {
      if (st.type !== 'ExpressionStatement' || !isName(st.expression)) continue;
      const [target, lit] = st.expression.arguments;
      const same =
        (target.type === 'Identifier' && target.name === lit.value && declared.has(lit.value)) ||
        (target.type === 'ThisExpression' && className === lit.value);
      if (same) cuts.push([st.start, st.end]);
    }
  };
  const visit = (node, className) => {
    if (Array.isArray(node)) {
      for (const n of node) visit(n, className);
      return;
    }
    if (node === null || typeof node !== 'object' || typeof node.type !== 'string') return;
    switch (node.type) {
      case 'Program':
      case 'BlockStatement':
        statements(node.body, undefined);
        break;
      case 'StaticBlock':
        statements(node.body, className);
        break;
      case 'VariableDeclarator':
        if (node.id.type === 'Identifier' && node.init) {
          unwrap(node.init, node.id.name);
          // `var C = class { static { __name(this, "C"); } }`: the class is named C anyway.
          if (node.init.type === 'ClassExpression' && !node.init.id) inferred.set(node.init, node.id.name);
        }
        break;
      case 'Property':
        if (!node.computed && node.key.type === 'Identifier' && node.kind === 'init' && !node.method) unwrap(node.value, node.key.name);
        break;
    }
    const inner =
      node.type === 'ClassDeclaration' || node.type === 'ClassExpression' ? (node.id?.name ?? inferred.get(node)) : className;
    for (const key of Object.keys(node)) if (key !== 'type') visit(node[key], node.type === 'ClassBody' ? className : inner);
  };
  visit(ast, undefined);
  cuts.sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  for (const [start, end] of cuts) {
    if (start < at) throw new Error('dropRedundantNames: overlapping cuts');
    out += code.slice(at, start);
    at = end;
  }
  return out + code.slice(at);
}

function bundle(root, outdir) {
  const { BUILD_ID_LINE } = require(path.join(outdir, 'load.js'));
  const esbuild = require('esbuild');
  const result = esbuild.buildSync({
    absWorkingDir: root,
    entryPoints: ['index.ts'],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // Class and function names stay those of the sources (`constructor.name`, stack traces).
    keepNames: true,
    // ASCII only, so the loader can read it as latin1 without decoding UTF-8.
    charset: 'ascii',
    legalComments: 'none',
    logLevel: 'error',
    write: false,
  });
  const code = dropRedundantNames(result.outputFiles[0].text);
  const id = crypto.createHash('sha256').update(code).digest('hex');
  fs.writeFileSync(path.join(outdir, 'bundle.js'), `${code}${BUILD_ID_LINE}${id}\n`);
}

/** What the cache makers run: takes decode, validate, translate, link, call, memory, tables. */
const EXERCISE_WAT = `(module
  (memory (export "mem") 1)
  (global $g (mut i32) (i32.const 0))
  (table 2 funcref) (elem (i32.const 0) $sum $sum)
  (type $t (func (param i32) (result i32)))
  (func $sum (param $n i32) (result i32) (local $i i32) (local $s i32)
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $s (i32.add (local.get $s) (i32.load (i32.shl (local.get $i) (i32.const 2)))))
      (i32.store (i32.const 0) (local.get $s))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (global.set $g (local.get $s))
    (local.get $s))
  (func (export "run") (param i32) (result i32)
    (call_indirect (type $t) (local.get 0) (i32.const 1))))`;

/**
 * Compiles the bundle, runs it, and has it compile, instantiate and run a module that takes the
 * common paths (decode, validate, translate, link, call), so that the functions a program's
 * first run needs are in the cache too; then writes the cache with its header.
 */
function writeCache(outdir) {
  const load = require(path.join(outdir, 'load.js'));
  const file = path.join(outdir, 'bundle.js');
  const source = fs.readFileSync(file, 'latin1');
  const script = load.compileBundle(file, source);
  const jetwasm = load.runBundle(script, file, module);
  const W = jetwasm.WebAssembly;
  // The module comes as bytes from the parent: the text parser, which a program's first run
  // does not use, stays out of the cache (smaller, so faster to load).
  const bytes = Buffer.from(process.env.JETWASM_BUILD_MODULE, 'base64');
  const instance = new W.Instance(new W.Module(bytes), {});
  if (instance.exports.run(10) !== 0) throw new Error('the bundle computed a wrong result');
  const jitless = typeof globalThis.WebAssembly === 'undefined';
  const id = load.bundleBuildId(source);
  if (id === '') throw new Error('the bundle has no build id');
  const data = script.createCachedData();
  const header = Buffer.from(load.CODE_CACHE_MAGIC + id + load.codeCacheChecksum(data), 'latin1');
  // Written beside, then renamed: a reader never sees half a cache.
  const target = load.codeCacheFile(outdir, jitless);
  const tmp = `${target}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, Buffer.concat([header, data]));
  fs.renameSync(tmp, target);
}

/**
 * Writes dist/node/index.js, `require('jetwasm')`: the bundle's exports, each assigned by name,
 * because Node's ES-module loader finds the names a CommonJS module exports (for `import {
 * WebAssembly } from 'jetwasm'`) by reading its source, and the bundle is not loaded through
 * `require`. Its types are the package entry's.
 */
function writeEntry(outdir) {
  const load = require(path.join(outdir, 'load.js'));
  const file = path.join(outdir, 'bundle.js');
  const jetwasm = load.runBundle(load.compileBundle(file, fs.readFileSync(file, 'latin1')), file, module);
  const names = Object.keys(jetwasm);
  for (const n of names) if (!/^[A-Za-z_$][\w$]*$/.test(n)) throw new Error(`export ${JSON.stringify(n)} is not an identifier`);
  fs.writeFileSync(path.join(outdir, 'index.js'), [
    '"use strict";',
    '// Written by node/build.js: the package\'s exports from the bundle (node/load.ts).',
    'const jetwasm = require("./load.js").loadBundle(module);',
    ...names.map((n) => `exports.${n} = jetwasm.${n};`),
    '',
  ].join('\n'));
  fs.writeFileSync(path.join(outdir, 'index.d.ts'), 'export * from "../index";\n');
  return jetwasm;
}

function main(argv) {
  if (argv[0] === '--cache') return writeCache(path.resolve(argv[1]));
  let root = path.resolve(__dirname, '..');
  let dist = path.join(root, 'dist');
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--src' && i + 1 < argv.length) root = path.resolve(argv[++i]);
    else if (argv[i] === '--dist' && i + 1 < argv.length) dist = path.resolve(argv[++i]);
    else throw new Error(`unknown option ${argv[i]} (usage: node node/build.js [--src DIR] [--dist DIR])`);
  }
  const outdir = path.join(dist, 'node');
  if (!fs.existsSync(path.join(outdir, 'load.js'))) throw new Error(`${path.join(outdir, 'load.js')} is missing: run tsc first`);
  bundle(root, outdir);
  const entry = writeEntry(outdir);
  // Each cache in a fresh process: V8 accepts a cache only under the flags it was made with,
  // so the process also leaves V8's optimization limit alone (runtime/optlimit.ts).
  const exercise = Buffer.from(entry.parseWat(EXERCISE_WAT)).toString('base64');
  for (const flags of [[], ['--jitless']]) {
    const r = spawnSync(process.execPath, [...flags, __filename, '--cache', outdir], {
      env: { ...process.env, JETWASM_RAISE_OPT_LIMIT: '0', JETWASM_BUILD_MODULE: exercise },
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`making the code cache (${flags.join(' ') || 'default flags'}) failed:\n${r.stderr}`);
  }
}

try {
  main(process.argv.slice(2));
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
}
