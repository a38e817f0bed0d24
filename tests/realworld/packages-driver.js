'use strict';
// Runs one npm package built for Wasm on whatever WebAssembly this process has (native, or
// jetwasm's facade preloaded through NODE_OPTIONS by tests/realworld/packages.test.ts) and
// prints its results as JSON. Usage: node packages-driver.js tiktoken|brotli|biome|pyodide
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
    return { count: tokens.length, tokens: digest(Buffer.from(Uint32Array.from(tokens).buffer)), roundTrip: back === sample };
  },
  brotli() {
    const brotli = require('brotli-wasm');
    const input = Buffer.from(sample.repeat(20));
    const out = {};
    for (const quality of [1, 6, 11]) {
      const packed = brotli.compress(input, { quality });
      const unpacked = brotli.decompress(packed);
      out[`q${quality}`] = { size: packed.length, packed: digest(packed), roundTrip: Buffer.compare(Buffer.from(unpacked), input) === 0 };
    }
    return out;
  },
  biome() {
    const biome = require('@biomejs/wasm-nodejs');
    const ws = new biome.Workspace();
    const { projectKey } = ws.openProject({ path: '/', openUninitialized: true });
    ws.updateSettings({ projectKey, configuration: {} });
    const file = '/sample.js';
    const content = fs.readFileSync(path.join(__dirname, '..', '..', 'bench', 'workloads', 'fixtures', 'sample.js'), 'utf8');
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
};

Promise.resolve(tasks[process.argv[2]]()).then((r) => process.stdout.write(JSON.stringify(r)), (e) => {
  process.stderr.write(`${(e && e.stack) || e}\n`);
  process.exit(1);
});
