'use strict';
// Runs one npm package built for Wasm on whatever WebAssembly this process has (native, or
// jetwasm's facade preloaded through NODE_OPTIONS by tests/realworld/packages.test.ts) and
// prints its results as JSON. Usage: node packages-driver.js tiktoken|brotli
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
};

process.stdout.write(JSON.stringify(tasks[process.argv[2]]()));
