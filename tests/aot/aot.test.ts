// Ahead-of-time output: modules compiled with `compileToEsm` are loaded in a child Node
// process that imports them as ES modules, runs them, and reports every CommonJS file it
// loaded, so the test also checks that AOT output never loads compiler code.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseWat } from '../../compiler/text';
import { compileToEsm } from '../../runtime/aot/compile';
import { main } from '../../cli/index';
import { buildAotLoader } from '../support/aot-build';

const ROOT = path.resolve(__dirname, '../..');
const work = mkdtempSync(path.join(tmpdir(), 'jetwasm-aot-'));
const dist = path.join(work, 'dist');
const runtimeUrl = pathToFileURL(path.join(dist, 'runtime/aot/index.js')).href;

/** Builds just the loader and what it imports (a private build, not the shared dist/). */
beforeAll(() => buildAotLoader(dist), 120_000);

function emit(name: string, wat: string): string {
  const file = path.join(work, `${name}.mjs`);
  writeFileSync(file, compileToEsm(parseWat(wat), { runtime: runtimeUrl }));
  return pathToFileURL(file).href;
}

/** Runs `body` (an async ES module body) in a child process; returns what it printed as JSON, and the loaded files. */
function runChild(body: string): { out: Record<string, unknown>; loaded: string[] } {
  const driver = path.join(work, `driver-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(
    driver,
    `import { createRequire } from 'node:module';
const out = {};
const catchErr = (f) => { try { f(); return 'no error'; } catch (e) { return e.name + ': ' + e.message; } };
const big = (v) => typeof v === 'bigint' ? v.toString() + 'n' : v;
${body}
const loaded = Object.keys(createRequire(import.meta.url).cache);
process.stdout.write(JSON.stringify({ out, loaded }, (k, v) => big(v)));
`,
  );
  const r = spawnSync(process.execPath, [driver], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { out: Record<string, unknown>; loaded: string[] };
}

const TESTSUITE_STYLE = `(module
  (import "host" "add" (func $hadd (param i32 i32) (result i32)))
  (import "host" "twice64" (func $twice64 (param i64) (result i64)))
  (import "host" "base" (global $base i32))
  (import "host" "counter" (global $counter (mut i32)))
  (memory (export "mem") 1 3)
  (data (i32.const 16) "hello")
  (global $started (export "started") (mut i32) (i32.const 0))
  (global $g64 (export "g64") (mut i64) (i64.const -9223372036854775808))
  (global $derived (export "derived") i32 (i32.add (global.get $base) (i32.const 1)))
  (table $t (export "tab") 4 funcref)
  (elem (i32.const 0) $one $two)
  (type $ii (func (result i32)))
  (type $ij (func (result i64)))
  (func $one (result i32) (i32.const 1))
  (func $two (result i32) (i32.const 2))
  (func $init (global.set $started (i32.add (global.get $base) (i32.const 100))))
  (start $init)
  (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "callHost") (param i32 i32) (result i32) (call $hadd (local.get 0) (local.get 1)))
  (func (export "callTwice") (param i64) (result i64) (call $twice64 (local.get 0)))
  (func (export "bump") (global.set $counter (i32.add (global.get $counter) (i32.const 1))))
  (func (export "callInd") (param i32) (result i32) (call_indirect (type $ii) (local.get 0)))
  (func (export "callIndWrong") (param i32) (result i64) (call_indirect (type $ij) (local.get 0)))
  (func (export "add64") (param i64 i64) (result i64) (i64.add (local.get 0) (local.get 1)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "boom") unreachable)
  (func (export "pair") (param i64) (result i64 i32) (local.get 0) (i32.const 7))
)`;

const GLOBAL_EXPORTER = `(module (global (export "counter") (mut i32) (i32.const 40)))`;

describe('jetwasm AOT output', () => {
  test('examples/fib.wat and testsuite-style modules run without loading compiler code', () => {
    const fib = emit('fib', readFileSync(path.join(ROOT, 'examples/fib.wat'), 'utf8'));
    const mod = emit('suite', TESTSUITE_STYLE);
    const gexp = emit('gexp', GLOBAL_EXPORTER);
    const { out, loaded } = runChild(`
const fib = (await import(${JSON.stringify(fib)})).instantiate({});
out.fib25 = fib.fib(25); out.fib90 = fib.fib_i64(90); out.fibRec20 = fib.fib_rec(20);
const { counter } = (await import(${JSON.stringify(gexp)})).instantiate();
const { instantiate } = await import(${JSON.stringify(mod)});
const host = { add: (a, b) => a * 10 + b, twice64: (x) => { out.hostGotBigInt = typeof x === 'bigint'; return x * 2n; }, base: 5, counter };
const e = instantiate({ host });
out.started = e.started.value;
out.derived = e.derived.value;
out.g64 = e.g64.value;
e.g64.value = 9223372036854775807n; out.g64After = e.g64.value;
out.setImmutable = catchErr(() => { e.derived.value = 1; });
out.hello = new TextDecoder().decode(new Uint8Array(e.mem.buffer, 16, 5));
e.store(100, 0x01020304); out.load8 = e.load8(100);
out.bytes = e.mem.buffer.byteLength;
out.grow = e.grow(1); out.bytesAfterGrow = e.mem.buffer.byteLength; out.growTooFar = e.grow(5);
out.jsGrow = e.mem.grow(1); out.bytesAfterJsGrow = e.mem.buffer.byteLength;
out.sameMemory = e.mem === e.mem;
out.callHost = e.callHost(4, 2);
out.callTwice = e.callTwice(-4611686018427387905n);
e.bump(); e.bump(); out.counter = counter.value;
out.callInd = [e.callInd(0), e.callInd(1)];
out.tabLen = e.tab.length; out.tab1 = e.tab.get(1)(); out.tab3 = e.tab.get(3);
e.tab.set(3, e.tab.get(0)); out.callInd3 = e.callInd(3);
out.uninit = catchErr(() => e.callInd(2));
out.undef = catchErr(() => e.callInd(9));
out.mismatch = catchErr(() => e.callIndWrong(0));
out.max64 = e.add64(9223372036854775807n, 1n);
out.min64 = e.add64(-9223372036854775808n, -1n);
out.pair = e.pair(-1n);
out.div = catchErr(() => e.div(1, 0));
out.overflow = catchErr(() => e.div(-2147483648, -1));
out.unreachable = catchErr(() => e.boom());
out.oob = catchErr(() => e.load8(10 * 65536));
out.trapClass = (() => { try { e.boom(); } catch (x) { return x.constructor.name; } })();
out.missingImport = catchErr(() => instantiate({ host: { ...host, add: undefined } }));
out.badGlobal = catchErr(() => instantiate({ host: { ...host, counter: 3 } }));
out.exportsFrozen = Object.isFrozen(e);
`);
    expect(out).toEqual({
      fib25: 75025,
      fib90: '2880067194370816120n',
      fibRec20: 6765,
      hostGotBigInt: true,
      started: 105,
      derived: 6,
      g64: '-9223372036854775808n',
      g64After: '9223372036854775807n',
      setImmutable: "TypeError: Can't set the value of an immutable global.",
      hello: 'hello',
      load8: 4,
      bytes: 65536,
      grow: 1,
      bytesAfterGrow: 131072,
      growTooFar: -1,
      jsGrow: 2,
      bytesAfterJsGrow: 196608,
      sameMemory: true,
      callHost: 42,
      callTwice: '9223372036854775806n',
      counter: 42,
      callInd: [1, 2],
      tabLen: 4,
      tab1: 2,
      tab3: null,
      callInd3: 1,
      uninit: 'RuntimeError: uninitialized element',
      undef: 'RuntimeError: undefined element',
      mismatch: 'RuntimeError: indirect call type mismatch',
      max64: '-9223372036854775808n',
      min64: '9223372036854775807n',
      pair: ['-1n', 7],
      div: 'RuntimeError: integer divide by zero',
      overflow: 'RuntimeError: integer overflow',
      unreachable: 'RuntimeError: unreachable',
      oob: 'RuntimeError: out of bounds memory access',
      trapClass: 'RuntimeError',
      missingImport: 'LinkError: incompatible import type for "host" "add"',
      badGlobal: 'LinkError: incompatible import type for "host" "counter"',
      exportsFrozen: true,
    });
    expect(loaded.some((f) => f.includes(`${path.sep}runtime${path.sep}aot${path.sep}`))).toBe(true);
    expect(loaded.filter((f) => f.includes(`${path.sep}compiler${path.sep}`))).toEqual([]);
  });

  test('hostFunction gives a JS function a Wasm type; tables refuse plain JS functions', () => {
    const mod = emit(
      'hostfn',
      `(module
  (type $ii (func (param i32) (result i32)))
  (type $jj (func (param i64) (result i64)))
  (table (export "tab") 2 funcref)
  (func (export "callI") (param i32 i32) (result i32) (call_indirect (type $ii) (local.get 1) (local.get 0)))
  (func (export "callJ") (param i32 i64) (result i64) (call_indirect (type $jj) (local.get 1) (local.get 0))))`,
    );
    const { out } = runChild(`
const { hostFunction } = await import(${JSON.stringify(runtimeUrl)});
const e = (await import(${JSON.stringify(mod)})).instantiate();
const plus1 = (x) => x + 1;
out.plainSet = catchErr(() => e.tab.set(0, plus1));
out.plainGrow = catchErr(() => e.tab.grow(1, plus1));
out.lenAfterRefusedGrow = e.tab.length;
out.nonFunction = catchErr(() => e.tab.set(0, 42));
const hf = hostFunction({ parameters: ['i32'], results: ['i32'] }, plus1);
const hj = hostFunction({ parameters: ['i64'], results: ['i64'] }, (x) => { out.i64Arg = typeof x; return x * 3n; });
out.hfDirect = hf(41);
out.hfLength = hf.length;
e.tab.set(0, hf);
out.grow = e.tab.grow(1, hj);
out.same = e.tab.get(0) === hf;
out.callI = e.callI(0, 9);
out.callJ = e.callJ(2, -5n);
out.mismatch = catchErr(() => e.callI(2, 1));
out.badType = catchErr(() => hostFunction({ parameters: ['i8'], results: [] }, plus1));
const imp = (await import(${JSON.stringify(emit('hostimp', '(module (import "m" "f" (func $f (param i32) (result i32))) (func (export "g") (result i32) (call $f (i32.const 1))))'))})).instantiate;
out.imported = imp({ m: { f: hf } }).g();
out.importWrongType = catchErr(() => imp({ m: { f: hj } }));
`);
    const notExported =
      'TypeError: type incompatibility when transforming from/to JS: not an exported WebAssembly function';
    expect(out).toEqual({
      plainSet: notExported,
      plainGrow: notExported,
      lenAfterRefusedGrow: 2,
      nonFunction: notExported,
      hfDirect: 42,
      hfLength: 1,
      grow: 2,
      same: true,
      callI: 10,
      i64Arg: 'bigint',
      callJ: '-15n',
      mismatch: 'RuntimeError: indirect call type mismatch',
      badType: 'TypeError: hostFunction: unsupported value type "i8"',
      imported: 2,
      importWrongType: 'LinkError: incompatible import type for "m" "f"',
    });
  });

  test('a hash-wasm module gives the same digests as native WebAssembly, with no eval at load', () => {
    const umd = readFileSync(path.join(ROOT, 'node_modules/hash-wasm/dist/sha256.umd.min.js'), 'utf8');
    const b64 = /name:"sha256",data:"([A-Za-z0-9+/=]+)"/.exec(umd)![1];
    const wasm = new Uint8Array(Buffer.from(b64, 'base64'));
    const file = path.join(work, 'sha256.mjs');
    const src = compileToEsm(wasm, { runtime: runtimeUrl });
    writeFileSync(file, src);
    const wasmFile = path.join(work, 'sha256.wasm');
    writeFileSync(wasmFile, wasm);
    const { out, loaded } = runChild(`
const { createHash } = await import('node:crypto');
const { readFileSync } = await import('node:fs');
// CSP-like guard: loading and running AOT output must not compile strings.
const realFunction = globalThis.Function;
let evals = 0;
globalThis.eval = () => { evals++; throw new Error('eval'); };
globalThis.Function = new Proxy(realFunction, { construct() { evals++; throw new Error('new Function'); }, apply() { evals++; throw new Error('Function'); } });
const aot = (await import(${JSON.stringify(pathToFileURL(file).href)})).instantiate({});
globalThis.Function = realFunction;
const native = (await WebAssembly.instantiate(readFileSync(${JSON.stringify(wasmFile)}), {})).instance.exports;
function digest(x, data) {
  x.Hash_Init(256);
  const buf = x.Hash_GetBuffer();
  for (let off = 0; off < data.length; off += 8192) {
    const chunk = data.subarray(off, off + 8192);
    new Uint8Array(x.memory.buffer).set(chunk, buf);
    x.Hash_Update(chunk.length);
  }
  x.Hash_Final();
  return Buffer.from(new Uint8Array(x.memory.buffer, buf, 32)).toString('hex');
}
const inputs = [new Uint8Array(0), new TextEncoder().encode('abc'), Uint8Array.from({ length: 100000 }, (_, i) => (i * 7919) & 255)];
out.aot = inputs.map((d) => digest(aot, d));
out.native = inputs.map((d) => digest(native, d));
out.node = inputs.map((d) => createHash('sha256').update(d).digest('hex'));
out.evals = evals;
`);
    expect(src).not.toMatch(/new Function|\beval\(/);
    expect(out.aot).toEqual(out.native);
    expect(out.aot).toEqual(out.node);
    expect(out.evals).toBe(0);
    expect(loaded.filter((f) => f.includes(`${path.sep}compiler${path.sep}`))).toEqual([]);
  });

  test('jetwasm compile writes a module from .wat and reports bad input on one line with its offset', async () => {
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    const outFile = path.join(work, 'cli-fib.mjs');
    expect(
      await main(['compile', path.join(ROOT, 'examples/fib.wat'), '-o', outFile, '--runtime', runtimeUrl], io),
    ).toBe(0);
    expect(readFileSync(outFile, 'utf8')).toContain(`from ${JSON.stringify(runtimeUrl)}`);
    const bad = path.join(work, 'bad.wasm');
    writeFileSync(bad, new Uint8Array([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0]));
    expect(await main(['compile', bad, '-o', path.join(work, 'bad.mjs')], io)).toBe(1);
    expect(lines[lines.length - 1]).toMatch(/^jetwasm: .*bad\.wasm: unknown binary version at offset 0x8$/);
    expect(await main(['compile', path.join(ROOT, 'examples/fib.wat')], io)).toBe(2);
    expect(await main(['compile', path.join(ROOT, 'examples/fib.wat'), '-o', outFile, '--codegen', 'fast'], io)).toBe(
      2,
    );
    expect(lines[lines.length - 1]).toMatch(/--codegen takes jit or interpreter, not "fast"/);
    const interp = path.join(work, 'cli-fib-interp.mjs');
    expect(
      await main(
        [
          'compile',
          path.join(ROOT, 'examples/fib.wat'),
          '-o',
          interp,
          '--runtime',
          runtimeUrl,
          '--codegen=interpreter',
        ],
        io,
      ),
    ).toBe(0);
    const { out } = runChild(`const e = (await import(${JSON.stringify(pathToFileURL(interp).href)})).instantiate({});
out.r = [e.fib(25), e.fib_i64(90), e.fib_rec(20)];`);
    expect(out.r).toEqual([75025, '2880067194370816120n', 6765]);
    expect(readdirSync(work)).not.toContain('bad.mjs');
  });
});
