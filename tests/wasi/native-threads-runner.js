'use strict';
// Reference runner for wasi-threads programs on Node's native WebAssembly, for comparison
// with `jetwasm run`. node:wasi cannot serve threads (it binds one instance's memory and
// its proc_exit ends only the calling thread), so this provides the few preview1 functions
// the test programs import (args_sizes_get, args_get, fd_write, proc_exit) plus
// "wasi" "thread-spawn", with the same structure as jetwasm's: _start and every spawned
// thread run on workers sharing one WebAssembly.Memory; the main thread only coordinates and
// ends the process on the first proc_exit (its code), return from _start (0) or trap (1).
//
// Usage: node native-threads-runner.js CONFIG_JSON
//   CONFIG_JSON = {"wasm": path, "args": [argv0, ...], "memory": {"initial": n, "maximum": m}}
const { Worker, isMainThread, parentPort, workerData } = require('worker_threads');
const { readFileSync, writeSync } = require('fs');

if (isMainThread) {
  const config = JSON.parse(process.argv[2]);
  const bytes = readFileSync(config.wasm);
  const memory = new WebAssembly.Memory({ ...config.memory, shared: true });
  const control = new Int32Array(new SharedArrayBuffer(12)); // next tid, ending, park
  control[0] = 1;
  const start = (tid, arg) => {
    const w = new Worker(__filename, { workerData: { bytes, memory, control, args: config.args, tid, arg } });
    w.on('message', (m) => {
      if (m.kind === 'spawn') start(m.tid, m.arg);
      else process.exit(m.code);
    });
    w.on('error', (e) => {
      writeSync(2, `native runner: ${e && e.message}\n`);
      process.exit(1);
    });
  };
  start(0, 0);
} else {
  const { bytes, memory, control, args, tid, arg } = workerData;
  const park = () => {
    for (;;) Atomics.wait(control, 2, 0);
  };
  const finish = (code) => {
    if (Atomics.compareExchange(control, 1, 0, 1) === 0) parentPort.postMessage({ kind: 'exit', code });
    park();
  };
  class Exit {
    constructor(code) {
      this.code = code;
    }
  }
  const dv = () => new DataView(memory.buffer);
  const u8 = () => new Uint8Array(memory.buffer);
  const argBytes = args.map((a) => Buffer.from(a + '\0'));
  const guard = (f) => (...a) => {
    if (Atomics.load(control, 1) !== 0) park();
    return f(...a);
  };
  const wasi = {
    args_sizes_get: guard((argcPtr, sizePtr) => {
      dv().setUint32(argcPtr, argBytes.length, true);
      dv().setUint32(sizePtr, argBytes.reduce((n, b) => n + b.length, 0), true);
      return 0;
    }),
    args_get: guard((argvPtr, bufPtr) => {
      let at = bufPtr;
      argBytes.forEach((b, i) => {
        dv().setUint32(argvPtr + 4 * i, at, true);
        u8().set(b, at);
        at += b.length;
      });
      return 0;
    }),
    fd_write: guard((fd, iovs, n, writtenPtr) => {
      const parts = [];
      for (let i = 0; i < n; i++) {
        const p = dv().getUint32(iovs + 8 * i, true);
        const len = dv().getUint32(iovs + 8 * i + 4, true);
        parts.push(Buffer.from(u8().slice(p, p + len)));
      }
      const data = Buffer.concat(parts);
      writeSync(fd, data);
      dv().setUint32(writtenPtr, data.length, true);
      return 0;
    }),
    proc_exit: guard((code) => {
      throw new Exit(code);
    }),
  };
  const spawn = (startArg) => {
    const id = Atomics.add(control, 0, 1);
    parentPort.postMessage({ kind: 'spawn', tid: id, arg: startArg });
    return id;
  };
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
      env: { memory },
      wasi_snapshot_preview1: wasi,
      wasi: { 'thread-spawn': spawn },
    });
    if (tid === 0) {
      instance.exports._start();
      finish(0);
    }
    instance.exports.wasi_thread_start(tid, arg);
  } catch (e) {
    if (e instanceof Exit) finish(e.code);
    writeSync(2, `native runner: ${e && e.message}\n`);
    finish(1);
  }
}
