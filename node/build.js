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
  (type $t (func (param i32) (result i32)))
  (import "env" "scale" (func $scale (param i32 f64) (result f64)))
  (import "env" "note" (func $note (param i32)))
  (memory (export "mem") 1 100)
  (global $g (export "g") (mut i32) (i32.const 0))
  (global $g64 (mut i64) (i64.const 0))
  (global $gf (mut f64) (f64.const 0))
  (table (export "table") 4 funcref) (elem (i32.const 0) $sum $ints $longs $floats)
  (data (i32.const 256) "exercise-data")
  (func $sum (param $n i32) (result i32) (local $i i32) (local $s i32)
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $s (i32.add (local.get $s) (i32.load (i32.shl (local.get $i) (i32.const 2)))))
      (i32.store (i32.const 0) (local.get $s))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (global.set $g (local.get $s))
    (local.get $s))
  (func $ints (param $x i32) (result i32) (local $y i32)
    (local.set $y (i32.add (i32.mul (local.get $x) (i32.const 7)) (i32.sub (local.get $x) (i32.const 3))))
    (local.set $y (i32.xor (i32.or (i32.and (local.get $y) (i32.const 255)) (i32.shl (local.get $y) (i32.const 3)))
      (i32.shr_u (local.get $y) (i32.shr_s (local.get $x) (i32.const 1)))))
    (local.set $y (i32.add (i32.div_s (local.get $y) (i32.const 3)) (i32.div_u (local.get $y) (i32.const 5))))
    (local.set $y (i32.add (i32.rem_s (local.get $y) (i32.const 7)) (i32.rem_u (local.get $y) (local.get $x))))
    (local.set $y (i32.add (i32.rotl (local.get $y) (i32.const 5)) (i32.rotr (local.get $y) (local.get $x))))
    (local.set $y (i32.add (local.get $y) (i32.add (i32.clz (local.get $x)) (i32.add (i32.ctz (local.get $x)) (i32.popcnt (local.get $y))))))
    (local.set $y (i32.add (local.get $y) (i32.add (i32.extend8_s (local.get $y)) (i32.extend16_s (local.get $x)))))
    (local.set $y (select (local.get $y) (i32.const 1) (i32.lt_s (local.get $x) (i32.const 100))))
    (if (i32.eqz (i32.ge_u (local.get $x) (i32.const 1000)))
      (then (local.set $y (i32.add (local.get $y) (i32.gt_s (local.get $x) (i32.const 2)))))
      (else (local.set $y (i32.sub (local.get $y) (i32.le_u (local.get $x) (i32.const 2))))))
    (i32.store8 (i32.const 16) (local.get $y))
    (i32.store16 (i32.const 18) (local.get $y))
    (local.set $y (i32.add (local.get $y) (i32.add (i32.load8_s (i32.const 16)) (i32.load8_u offset=1 (i32.const 16)))))
    (local.set $y (i32.add (local.get $y) (i32.add (i32.load16_s (i32.const 18)) (i32.load16_u (i32.const 18)))))
    (block $b2 (block $b1 (block $b0
      (br_table $b0 $b1 $b2 (i32.and (local.get $x) (i32.const 3))))
      (local.set $y (i32.add (local.get $y) (i32.const 1))) (br $b2))
      (local.set $y (i32.ne (local.get $y) (local.tee $x (i32.const 2)))))
    (global.set $g (i32.add (global.get $g) (local.get $y)))
    (local.get $y))
  (func $longs (param $x i32) (result i32) (local $a i64) (local $b i64)
    (local.set $a (i64.extend_i32_s (local.get $x)))
    (local.set $b (i64.extend_i32_u (local.get $x)))
    (local.set $a (i64.add (i64.mul (local.get $a) (i64.const 0x9e3779b97f4a7c15)) (i64.sub (local.get $b) (i64.const 3))))
    (local.set $a (i64.xor (i64.or (i64.and (local.get $a) (i64.const 255)) (i64.shl (local.get $a) (i64.const 13)))
      (i64.shr_u (local.get $a) (i64.shr_s (local.get $b) (i64.const 1)))))
    (local.set $a (i64.add (i64.div_s (local.get $a) (i64.const 3)) (i64.div_u (local.get $a) (local.get $b))))
    (local.set $a (i64.add (i64.rem_s (local.get $a) (i64.const 7)) (i64.rem_u (local.get $a) (local.get $b))))
    (local.set $a (i64.add (i64.rotl (local.get $a) (i64.const 5)) (i64.rotr (local.get $a) (local.get $b))))
    (local.set $a (i64.add (local.get $a) (i64.add (i64.clz (local.get $a)) (i64.add (i64.ctz (local.get $b)) (i64.popcnt (local.get $a))))))
    (local.set $a (i64.add (local.get $a) (i64.extend32_s (local.get $a))))
    (i64.store (i32.const 32) (local.get $a))
    (i64.store32 (i32.const 40) (local.get $a))
    (i64.store16 (i32.const 44) (local.get $a))
    (i64.store8 (i32.const 46) (local.get $a))
    (local.set $a (i64.add (i64.load (i32.const 32)) (i64.add (i64.load32_u (i32.const 40)) (i64.load32_s (i32.const 40)))))
    (local.set $a (i64.add (local.get $a) (i64.add (i64.load16_u (i32.const 44)) (i64.load8_s (i32.const 46)))))
    (global.set $g64 (i64.add (global.get $g64) (local.get $a)))
    (i32.add (i32.wrap_i64 (local.get $a))
      (i32.add (i64.lt_s (local.get $a) (local.get $b)) (i32.add (i64.ge_u (local.get $a) (local.get $b)) (i64.eqz (local.get $a))))))
  (func $floats (param $x i32) (result i32) (local $d f64) (local $f f32)
    (local.set $d (f64.convert_i32_s (local.get $x)))
    (local.set $f (f32.convert_i32_u (local.get $x)))
    (local.set $d (f64.add (f64.mul (local.get $d) (f64.const 1.5)) (f64.div (f64.sub (local.get $d) (f64.const 0.25)) (f64.const 3))))
    (local.set $d (f64.add (f64.sqrt (f64.abs (local.get $d))) (f64.min (f64.neg (local.get $d)) (f64.max (local.get $d) (f64.const 2)))))
    (local.set $d (f64.add (f64.ceil (local.get $d)) (f64.add (f64.floor (local.get $d)) (f64.add (f64.trunc (local.get $d)) (f64.nearest (local.get $d))))))
    (local.set $d (f64.copysign (local.get $d) (f64.promote_f32 (local.get $f))))
    (local.set $f (f32.add (f32.mul (local.get $f) (f32.demote_f64 (local.get $d))) (f32.sqrt (f32.abs (local.get $f)))))
    (local.set $f (f32.add (f32.div (local.get $f) (f32.const 3)) (f32.min (f32.neg (local.get $f)) (f32.max (f32.floor (local.get $f)) (f32.ceil (local.get $f))))))
    (f64.store (i32.const 64) (local.get $d))
    (f32.store (i32.const 72) (local.get $f))
    (local.set $d (f64.add (f64.load (i32.const 64)) (f64.promote_f32 (f32.load (i32.const 72)))))
    (local.set $d (f64.add (local.get $d) (f64.convert_i64_s (i64.reinterpret_f64 (f64.const 1)))))
    (local.set $d (f64.add (local.get $d) (f64.reinterpret_i64 (i64.const 0x3ff0000000000000))))
    (global.set $gf (f64.add (global.get $gf) (local.get $d)))
    (i32.add (i32.trunc_f64_s (f64.mul (f64.convert_i32_s (local.get $x)) (f64.const 0.5)))
      (i32.add (i32.trunc_sat_f32_u (local.get $f))
        (i32.add (i32.wrap_i64 (i64.trunc_sat_f64_s (local.get $d)))
          (i32.add (f64.lt (local.get $d) (f64.const 0)) (i32.add (f32.ge (local.get $f) (f32.const 1)) (i32.reinterpret_f32 (local.get $f))))))))
  (func (export "mix") (param $a i64) (param $d f64) (result f64)
    (f64.add (local.get $d) (f64.convert_i64_u (i64.shl (local.get $a) (i64.extend_i32_u (i32.load offset=8 (i32.add (i32.wrap_i64 (local.get $a)) (i32.const 4))))))))
  (func $mem (param $x i32) (result i32)
    (memory.fill (i32.const 512) (local.get $x) (i32.const 64))
    (memory.copy (i32.const 1024) (i32.const 256) (i32.const 12))
    (drop (memory.grow (i32.const 1)))
    (i32.add (memory.size) (i32.load (i32.const 1028))))
  (func (export "run") (param $x i32) (result i32) (local $i i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s)
        (call_indirect (type $t) (local.get $x) (i32.and (local.get $i) (i32.const 3)))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 4))))
    (call $note (local.get $s))
    (i32.add (i32.trunc_sat_f64_s (call $scale (local.get $s) (f64.const 0.5)))
      (i32.add (call $ints (local.get $x)) (call $mem (local.get $x))))))`;

/** The exercise's imports, and what its `run(10)` returns with them (Node's own WebAssembly
 *  computes the same). */
const exerciseImports = () => ({ env: { scale: (i, f) => i * f, note: () => {} } });
const EXERCISE_RESULT = 1215165392;
const EXERCISE_MIX = 7.5;

/**
 * Compiles the bundle, runs it, and has it compile, instantiate and run a module that takes the
 * common paths (decode, validate, translate, link, call), so that the functions a program's
 * first run needs are in the cache too; then writes the cache with its header.
 */
async function writeCache(outdir) {
  const load = require(path.join(outdir, 'load.js'));
  const file = path.join(outdir, 'bundle.js');
  const source = fs.readFileSync(file, 'latin1');
  const script = load.compileBundle(file, source);
  const jetwasm = load.runBundle(script, file, module);
  const W = jetwasm.WebAssembly;
  // The module comes as bytes from the parent: the text parser, which a program's first run
  // does not use, stays out of the cache (smaller, so faster to load).
  const bytes = Buffer.from(process.env.JETWASM_BUILD_MODULE, 'base64');
  const instance = new W.Instance(new W.Module(bytes), exerciseImports());
  if (instance.exports.run(10) !== EXERCISE_RESULT) throw new Error('the bundle computed a wrong result');
  // The asynchronous path too, as a program's loader takes it (WebAssembly.instantiate).
  const { instance: second } = await W.instantiate(new Uint8Array(bytes), exerciseImports());
  if (second.exports.run(10) !== EXERCISE_RESULT) throw new Error('the bundle computed a wrong result');
  // Values and memory as JS sees them.
  const mixed = second.exports.mix(5n, 2.5);
  if (mixed !== EXERCISE_MIX || new Uint8Array(second.exports.mem.buffer)[256] !== 101) {
    throw new Error('the bundle computed a wrong result');
  }
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

Promise.resolve()
  .then(() => main(process.argv.slice(2)))
  .catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
