// The facade's Module and shared Memory posted to a worker thread, as Emscripten's pthreads
// post them: the worker (on the facade too) receives a Module of the same code and a Memory
// of the same storage. Run in a child process on the package's Node entry, as a user's
// program and its workers load it.

import { spawnSync } from 'child_process';
import * as path from 'path';
import { ensureBuilt, ROOT } from '../cli-helpers';

beforeAll(() => ensureBuilt(), 300_000);

const ENTRY = path.join(ROOT, 'dist', 'node', 'index.js');

// A module importing a shared memory: `put` stores, `add` adds atomically, `get` loads.
const WAT = `(module
  (import "env" "mem" (memory 1 4 shared))
  (func (export "put") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "add") (param i32 i32) (drop (i32.atomic.rmw.add (local.get 0) (local.get 1))))
  (func (export "get") (param i32) (result i32) (i32.load (local.get 0))))`;

/** Runs `main` (the body of an async function with WA, Worker, bytes, post in scope) and parses its JSON. */
function run(main: string): Record<string, unknown> {
  const script = `
    const { Worker } = require('worker_threads');
    const { WebAssembly: WA, parseWat } = require(${JSON.stringify(ENTRY)});
    const bytes = parseWat(${JSON.stringify(WAT)});
    // A worker on the facade that instantiates what it receives and runs msg.calls.
    const WORKER = \`
      const { parentPort } = require('worker_threads');
      const { WebAssembly: WA } = require(${JSON.stringify(ENTRY)});
      parentPort.on('message', async (msg) => {
        try {
          const before = msg.memory.buffer instanceof SharedArrayBuffer;
          const { exports } = await WA.instantiate(msg.parts[0].module, { env: { mem: msg.memory } });
          for (const [name, ...args] of msg.calls) exports[name](...args);
          parentPort.postMessage({
            before,
            isModule: msg.parts[0].module instanceof WA.Module,
            isMemory: msg.memory instanceof WA.Memory,
            exports: WA.Module.exports(msg.parts[0].module).map((e) => e.name),
            keys: Object.keys(msg.memory),
            shared: msg.memory.buffer instanceof SharedArrayBuffer,
            got: exports.get(0),
            size: msg.memory.buffer.byteLength,
          });
        } catch (e) {
          parentPort.postMessage({ error: String(e && e.stack) });
        }
      });\`;
    function post(w, msg) {
      return new Promise((resolve) => { w.once('message', resolve); w.postMessage(msg); });
    }
    (async () => { ${main} })().then(
      (r) => { process.stdout.write(JSON.stringify(r)); process.exit(0); },
      (e) => { process.stdout.write(JSON.stringify({ error: String(e && e.stack) })); process.exit(0); });
  `;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

test('a posted Module and shared Memory are the same code and storage in the worker', () => {
  const r = run(`
    const module = new WA.Module(bytes);
    const memory = new WA.Memory({ initial: 1, maximum: 4, shared: true });
    const main = new WA.Instance(module, { env: { mem: memory } }).exports;
    main.put(0, 40);
    const msg = { parts: [{ module }], memory, calls: [['add', 0, 2]] };
    const w = new Worker(WORKER, { eval: true });
    const reply = await post(w, msg);
    // Growth in this agent is seen by the worker's next look at the buffer.
    memory.grow(1);
    const again = await post(w, { parts: [{ module }], memory, calls: [['add', 0, 100]] });
    await w.terminate();
    return {
      reply, again, mainSees: main.get(0),
      senderUnchanged: msg.parts[0].module === module && msg.memory === memory,
    };
  `);
  expect(r.error).toBeUndefined();
  expect(r.reply).toEqual({
    before: true,
    isModule: true,
    isMemory: true,
    exports: ['put', 'add', 'get'],
    keys: [],
    shared: true,
    got: 42,
    size: 65536,
  });
  expect(r.again).toMatchObject({ got: 142, size: 2 * 65536 });
  expect(r.mainSees).toBe(142);
  expect(r.senderUnchanged).toBe(true);
});

test('an unshared Memory cannot be posted, as natively (DataCloneError)', () => {
  const r = run(`
    const memory = new WA.Memory({ initial: 1 });
    const { port1 } = new MessageChannel();
    try {
      port1.postMessage({ memory });
      return { threw: null };
    } catch (e) {
      port1.close();
      return { threw: e.name };
    } finally {
      port1.close();
    }
  `);
  expect(r).toEqual({ threw: 'DataCloneError' });
});

test('messages without facade objects go through untouched', () => {
  const r = run(`
    const { port1, port2 } = new MessageChannel();
    const got = new Promise((resolve) => port2.once('message', resolve));
    const cyclic = { n: 1, list: [1, 'two', { three: 3n }] };
    cyclic.self = cyclic;
    port1.postMessage(cyclic);
    const m = await got;
    port1.close();
    port2.close();
    return { n: m.n, list: String(m.list.slice(0, 2)), three: String(m.list[2].three), self: m.self === m };
  `);
  expect(r).toEqual({ n: 1, list: '1,two', three: '3', self: true });
});

test('a forged wire form is no Memory; a well-formed one made in this agent is', () => {
  const r = run(`
    const memory = new WA.Memory({ initial: 1, maximum: 2, shared: true });
    const { port1, port2 } = new MessageChannel();
    const got = new Promise((resolve) => port2.once('message', resolve));
    port1.postMessage({ memory });
    const { memory: form } = await got;
    port1.close();
    port2.close();
    const handle = form['jetwasm.Memory'];
    const tryGrow = (m) => { try { return WA.Memory.prototype.grow.call(m, 0); } catch (e) { return e.name; } };
    const forged = (type) => ({ 'jetwasm.Memory': { ...handle, type: { ...handle.type, ...type } } });
    return {
      pageSize: tryGrow(forged({ pageSizeLog2: 3 })),
      unshared: tryGrow(forged({ shared: false })),
      hugeMax: tryGrow(forged({ limits: { min: 0, max: 2 ** 40 } })),
      notAHandle: tryGrow({ 'jetwasm.Memory': { buffer: new ArrayBuffer(8) } }),
      wellFormed: tryGrow(form),
      isMemoryNow: form instanceof WA.Memory,
    };
  `);
  expect(r).toEqual({
    pageSize: 'TypeError',
    unshared: 'TypeError',
    hugeMax: 'TypeError',
    notAHandle: 'TypeError',
    wellFormed: 1,
    isMemoryNow: true,
  });
});
