#!/usr/bin/env node
// Entry point of the fuzzers: `node fuzz/run.js diff|bytes [options]`.
'use strict';
require('./register');
const which = process.argv[2];
const entries = { diff: './diff.ts', bytes: './bytes.ts' };
if (!entries[which]) {
  console.error('usage: node fuzz/run.js diff|bytes [--cases N] [--seed S] ...');
  process.exit(2);
}
require(entries[which]).main(process.argv.slice(3)).then(
  (code) => { process.exitCode = code; },
  (e) => {
    if (e && e.constructor && e.constructor.name === 'UsageError') {
      console.error(`fuzz ${which}: ${e.message}`);
      process.exitCode = 2;
    } else {
      console.error(e);
      process.exitCode = 1;
    }
  },
);
