'use strict';
// Runs one npm package built for Wasm on whatever WebAssembly this process has (native, or
// jetwasm's facade preloaded through NODE_OPTIONS by tests/realworld/packages.test.ts) and
// prints its results as JSON. Usage: node packages-driver.js tiktoken|brotli|biome|pyodide|vips|onnxruntime
// [ARG] (onnxruntime: the number of threads, 1 or 2)
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const sample = fs.readFileSync(path.join(__dirname, '..', '..', 'bench', 'workloads', 'fixtures', 'sample.ts'), 'utf8');
const digest = (b) => crypto.createHash('sha256').update(b).digest('hex');

const tasks = {
  tiktoken() {
    const { get_encoding } = require('@dqbd/tiktoken');
    const enc = get_encoding('cl100k_base');
    const tokens = enc.encode(sample);
    const back = new TextDecoder().decode(enc.decode(tokens));
    enc.free();
    return {
      count: tokens.length,
      tokens: digest(Buffer.from(Uint32Array.from(tokens).buffer)),
      roundTrip: back === sample,
    };
  },
  brotli() {
    const brotli = require('brotli-wasm');
    const input = Buffer.from(sample.repeat(20));
    const out = {};
    for (const quality of [1, 6, 11]) {
      const packed = brotli.compress(input, { quality });
      const unpacked = brotli.decompress(packed);
      out[`q${quality}`] = {
        size: packed.length,
        packed: digest(packed),
        roundTrip: Buffer.compare(Buffer.from(unpacked), input) === 0,
      };
    }
    return out;
  },
  biome() {
    const biome = require('@biomejs/wasm-nodejs');
    const ws = new biome.Workspace();
    const { projectKey } = ws.openProject({ path: '/', openUninitialized: true });
    ws.updateSettings({ projectKey, configuration: {} });
    const file = '/sample.js';
    const content = fs.readFileSync(
      path.join(__dirname, '..', '..', 'bench', 'workloads', 'fixtures', 'sample.js'),
      'utf8',
    );
    ws.openFile({ projectKey, path: file, content: { type: 'fromClient', content, version: 0 } });
    const formatted = ws.formatFile({ projectKey, path: file }).code;
    const d = ws.pullDiagnostics({ projectKey, path: file, categories: ['syntax', 'lint'] });
    return {
      formatted: digest(formatted),
      formattedLength: formatted.length,
      diagnostics: d.diagnostics.map((x) => x.category).sort(),
      errors: d.errors,
      warnings: d.warnings,
    };
  },
  // CPython: starts the interpreter (the standard library from its zip), then runs code that
  // exercises big integers, floats, regular expressions, hashing and JSON.
  async pyodide() {
    const { loadPyodide } = require('pyodide');
    const py = await loadPyodide();
    const out = py.runPython(`
import json, math, re, hashlib, struct
def fib(n):
    a, b = 0, 1
    for _ in range(n): a, b = b, a + b
    return a
data = {
    "fib": str(fib(300)), "pow": str(3 ** 200 % (2 ** 127 - 1)),
    "floats": [repr(x) for x in (math.pi, math.e ** 0.5, 0.1 + 0.2, float("inf"), -0.0, 1e308 * 10)],
    "nan_bits": struct.pack("<d", float("nan")).hex(),
    "words": re.findall(r"[A-Za-z_]+", "Hello, big wide world of_wasm"),
    "sha": hashlib.sha256(b"jetwasm" * 1000).hexdigest(),
    "sorted": sorted([(i * 7919) % 1009 for i in range(50)]),
}
json.dumps(data, sort_keys=True)
`);
    return JSON.parse(out);
  },
  // libvips through Emscripten pthreads: the module and its shared memory are posted to
  // worker threads, which run parts of the pipeline (resize, blur, sharpen, PNG encoding).
  async vips() {
    const Vips = require('wasm-vips');
    const vips = await Vips({ dynamicLibraries: [] });
    const w = 256,
      h = 192;
    const px = new Uint8Array(w * h * 3);
    for (let i = 0; i < px.length; i++) px[i] = ((i * 2654435761) >>> 24) ^ (i % 251);
    const out = vips.Image.newFromMemory(px, w, h, 3, 'uchar').resize(0.5).gaussblur(1.5).sharpen();
    const png = out.writeToBuffer('.png');
    // Round trip: the PNG decoded again holds the pixels that were encoded.
    const back = vips.Image.newFromBuffer(png);
    const roundTrip = Buffer.compare(Buffer.from(back.writeToMemory()), Buffer.from(out.writeToMemory())) === 0;
    return {
      width: out.width,
      height: out.height,
      png: digest(png),
      avg: out.avg(),
      roundTrip,
      threads: vips.concurrency(),
    };
  },
  // onnxruntime-web's threaded build (Emscripten pthreads, SIMD) on a small model made here
  // (MatMul, Add, Relu, Softmax), run by a process with one thread (argument 1) or two.
  async onnxruntime(threads = '1') {
    const ort = require('onnxruntime-web');
    ort.env.wasm.numThreads = Number(threads);
    const N = 256,
      M = 128;
    const rnd = (i) => Math.sin(i * 12.9898) * 0.5;
    const session = await ort.InferenceSession.create(onnxModel(N, M, rnd), { executionProviders: ['wasm'] });
    const x = new ort.Tensor(
      'float32',
      Float32Array.from({ length: 4 * N }, (_, i) => rnd(i + 99)),
      [4, N],
    );
    const y = (await session.run({ X: x })).Y;
    return {
      threads: ort.env.wasm.numThreads,
      dims: y.dims,
      output: digest(Buffer.from(y.data.buffer)),
      sum: y.data.reduce((a, b) => a + b, 0).toFixed(6),
    };
  },
};

/** An ONNX model (protobuf, written out field by field): Y = Softmax(Relu(X·W + B)), X of 4×n. */
function onnxModel(n, m, rnd) {
  const varint = (v) => {
    const b = [];
    do {
      let x = v % 128;
      v = Math.floor(v / 128);
      if (v) x |= 128;
      b.push(x);
    } while (v);
    return b;
  };
  const int = (no, v) => [...varint(no * 8), ...varint(v)];
  const msg = (no, ...parts) => {
    const body = parts.flat(Infinity);
    return [...varint(no * 8 + 2), ...varint(body.length), ...body];
  };
  const str = (s) => [...Buffer.from(s)];
  const tensorType = (dims) => msg(1, int(1, 1), msg(2, ...dims.map((d) => msg(1, int(1, d)))));
  const valueInfo = (name, dims) => [msg(1, str(name)), msg(2, tensorType(dims))];
  const node = (op, ins, outs) => [
    ...ins.map((i) => msg(1, str(i))),
    ...outs.map((o) => msg(2, str(o))),
    msg(4, str(op)),
  ];
  const init = (name, dims, values) => [
    ...dims.map((d) => int(1, d)),
    int(2, 1),
    msg(8, str(name)),
    msg(9, [...new Uint8Array(new Float32Array(values).buffer)]),
  ];
  const graph = [
    msg(1, node('MatMul', ['X', 'W'], ['H'])),
    msg(1, node('Add', ['H', 'B'], ['A'])),
    msg(1, node('Relu', ['A'], ['R'])),
    msg(1, node('Softmax', ['R'], ['Y'])),
    msg(2, str('g')),
    msg(
      5,
      init(
        'W',
        [n, m],
        Array.from({ length: n * m }, (_, i) => rnd(i)),
      ),
    ),
    msg(
      5,
      init(
        'B',
        [m],
        Array.from({ length: m }, (_, i) => rnd(i + 7)),
      ),
    ),
    msg(11, valueInfo('X', [4, n])),
    msg(12, valueInfo('Y', [4, m])),
  ];
  return new Uint8Array([...int(1, 7), ...msg(8, msg(1, str('')), int(2, 13)), ...msg(7, graph)]);
}

// Exits when done: the pthread packages keep their worker threads alive.
Promise.resolve(tasks[process.argv[2]](...process.argv.slice(3))).then(
  (r) => {
    process.stdout.write(JSON.stringify(r));
    process.exit(0);
  },
  (e) => {
    process.stderr.write(`${(e && e.stack) || e}\n`);
    process.exit(1);
  },
);
