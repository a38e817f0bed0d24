#!/usr/bin/env node
'use strict';
// Removes every custom section (id 0: DWARF, name, producers, target_features) from Wasm
// binaries, in place. Every other section is copied byte for byte, in order, so the module
// decodes, validates and runs exactly as before; custom sections carry no semantics.
//
// Usage: node strip-custom-sections.js FILE.wasm...

const fs = require('fs');

const MAGIC = [0x00, 0x61, 0x73, 0x6d];

/** Reads an unsigned LEB128 u32 at `at`; returns [value, next offset]. */
function u32(bytes, at) {
  let value = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    if (at >= bytes.length) throw new Error('unexpected end of section header');
    const b = bytes[at++];
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [value, at];
  }
  throw new Error('section size longer than 5 bytes');
}

function strip(bytes) {
  if (bytes.length < 8 || MAGIC.some((m, i) => bytes[i] !== m)) throw new Error('not a Wasm binary');
  const kept = [bytes.subarray(0, 8)];
  let at = 8;
  while (at < bytes.length) {
    const start = at;
    const id = bytes[at];
    const [size, body] = u32(bytes, at + 1);
    at = body + size;
    if (at > bytes.length) throw new Error(`section ${id} at offset ${start} runs past the end`);
    if (id !== 0) kept.push(bytes.subarray(start, at));
  }
  return Buffer.concat(kept);
}

for (const file of process.argv.slice(2)) {
  const before = fs.readFileSync(file);
  const after = strip(before);
  if (after.length !== before.length) fs.writeFileSync(file, after);
}
