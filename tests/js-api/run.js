#!/usr/bin/env node
// Runs the vendored WebAssembly JS-API tests (wpt/) against a `WebAssembly` implementation,
// each test file in a process of its own (harness.js says how a file runs).
//
//   node tests/js-api/run.js [--facade MODULE] [--jobs N] [--expect FILE] [--update FILE]
//                            [--json FILE] [--verbose] [TEST...]
//
// Without --facade the tests see the host's own WebAssembly. MODULE is a module exporting
// `WebAssembly`: a build of runtime/jsapi/index.ts, or the package entry (dist/index.js).
// TEST names files relative to wpt/ (default: every `.any.js` file). --expect compares the
// results with an expected-results file (expected.json) and exits with 1 if any test listed
// as passing did not pass; --update rewrites that file from the results, keeping the reasons
// given for tests that still fail. --json writes every result.
//
// A file's process reports when its event loop is empty, so a promise a test left behind
// still counts (an unhandled rejection makes the file's harness status ERROR).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');
const { startTestFile, testFiles, WPT_ROOT } = require('./harness');

/** Node options of every test process: limits.any.js holds modules of 10^6 entries. */
const CHILD_NODE_OPTIONS = ['--max-old-space-size=8192'];

function childMain(facade, file) {
  const WebAssembly = facade === null ? globalThis.WebAssembly : require(path.resolve(facade)).WebAssembly;
  const run = startTestFile(path.join(WPT_ROOT, file), WebAssembly);
  let printed = false;
  process.on('beforeExit', () => {
    if (printed) return;
    printed = true;
    process.stdout.write(`${JSON.stringify(run.result())}\n`);
  });
}

/**
 * Runs the files, `jobs` at a time, each in a process of its own. Resolves to a map from file
 * to `{ harness, tests }`; a process that ends without reporting (a crash, running out of
 * memory) gives a harness error and no tests.
 */
function runFiles(files, { facade = null, jobs = Math.max(1, Math.min(4, os.cpus().length)), onResult } = {}) {
  const results = {};
  let next = 0;
  function runOne(file) {
    return new Promise((resolve) => {
      const args = [...CHILD_NODE_OPTIONS, __filename, '--child', ...(facade === null ? [] : ['--facade', facade]), file];
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => { out += d; });
      child.stderr.on('data', (d) => { err += d; });
      child.on('close', (code, signal) => {
        let r;
        try {
          r = JSON.parse(out.trim().split('\n').pop());
        } catch {
          const why = signal ? `signal ${signal}` : `exit code ${code}`;
          r = { harness: `ERROR: the test process ended without a result (${why}): ${err.trim().split('\n').slice(-3).join(' | ')}`, tests: [] };
        }
        results[file] = r;
        if (onResult) onResult(file, r);
        resolve();
      });
    });
  }
  async function worker() {
    while (next < files.length) await runOne(files[next++]);
  }
  return Promise.all(Array.from({ length: Math.min(jobs, files.length) }, worker)).then(() => {
    const ordered = {};
    for (const f of files) ordered[f] = results[f];
    return ordered;
  });
}

/**
 * Subtest names made unique within a file (testharness.js allows repeats): a repeated name
 * gets ` (2)`, ` (3)`, ... in order of creation.
 */
function keyedTests(tests) {
  const seen = new Map();
  return tests.map((t) => {
    const n = (seen.get(t.name) ?? 0) + 1;
    seen.set(t.name, n);
    return { ...t, key: n === 1 ? t.name : `${t.name} (${n})` };
  });
}

/**
 * Compares results with an expected-results object (expected.json, see README.md). Returns
 * `{ regressions, improvements }`, lists of strings: a regression is a test expected to pass
 * that did not, a harness error not listed, or a file with fewer tests than listed; an
 * improvement is a test listed as failing that passed.
 */
function compare(results, expected) {
  const regressions = [];
  const improvements = [];
  for (const [file, r] of Object.entries(results)) {
    const e = expected.files[file];
    if (e === undefined) {
      regressions.push(`${file}: not in the expected results`);
      continue;
    }
    const failing = e.failing ?? {};
    if (r.harness !== 'OK' && e.harness === undefined) regressions.push(`${file}: harness ${r.harness}`);
    if (r.tests.length < e.tests) regressions.push(`${file}: ${r.tests.length} tests ran, ${e.tests} expected (${r.harness})`);
    const seen = new Set();
    for (const t of keyedTests(r.tests)) {
      seen.add(t.key);
      const listed = Object.prototype.hasOwnProperty.call(failing, t.key);
      if (t.status !== 'PASS' && !listed) regressions.push(`${file}: "${t.key}": ${t.status} ${t.message ?? ''}`.trim());
      if (t.status === 'PASS' && listed) improvements.push(`${file}: "${t.key}" passes`);
    }
    if (r.harness === 'OK' && e.harness !== undefined) improvements.push(`${file}: harness OK`);
    for (const k of Object.keys(failing)) if (!seen.has(k) && r.harness === 'OK') improvements.push(`${file}: "${k}" no longer exists`);
  }
  return { regressions, improvements };
}

/** The expected-results object the results call for, keeping the reasons of `previous`. */
function expectedFrom(results, previous) {
  const files = {};
  for (const [file, r] of Object.entries(results)) {
    const old = previous?.files?.[file] ?? {};
    const failing = {};
    for (const t of keyedTests(r.tests)) {
      if (t.status !== 'PASS') failing[t.key] = old.failing?.[t.key] ?? `${t.status}: ${t.message ?? ''}`.trim();
    }
    const entry = { tests: r.tests.length };
    if (r.harness !== 'OK') entry.harness = old.harness ?? r.harness;
    if (Object.keys(failing).length > 0) entry.failing = failing;
    files[file] = entry;
  }
  return { ...(previous ?? {}), files };
}

function summary(results) {
  let pass = 0;
  let total = 0;
  let clean = 0;
  for (const r of Object.values(results)) {
    const p = r.tests.filter((t) => t.status === 'PASS').length;
    pass += p;
    total += r.tests.length;
    if (r.harness === 'OK' && p === r.tests.length) clean++;
  }
  return { pass, total, clean, files: Object.keys(results).length };
}

async function main(argv) {
  let facade = null;
  let jobs;
  let expectFile = null;
  let updateFile = null;
  let jsonFile = null;
  let verbose = false;
  const files = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--facade') facade = argv[++i];
    else if (a === '--jobs') jobs = Number(argv[++i]);
    else if (a === '--expect') expectFile = argv[++i];
    else if (a === '--update') updateFile = argv[++i];
    else if (a === '--json') jsonFile = argv[++i];
    else if (a === '--verbose') verbose = true;
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else files.push(a);
  }
  const chosen = files.length > 0 ? files : testFiles();
  const results = await runFiles(chosen, {
    facade,
    jobs,
    onResult(file, r) {
      const p = r.tests.filter((t) => t.status === 'PASS').length;
      console.log(`${file}: ${p}/${r.tests.length}${r.harness === 'OK' ? '' : ` ${r.harness}`}`);
      if (verbose) for (const t of r.tests) if (t.status !== 'PASS') console.log(`    ${t.status} ${t.name}: ${t.message}`);
    },
  });
  const s = summary(results);
  console.log(`${s.pass}/${s.total} tests passed; ${s.clean}/${s.files} files clean`);
  if (jsonFile) fs.writeFileSync(jsonFile, `${JSON.stringify(results, null, 1)}\n`);
  if (updateFile) {
    const previous = fs.existsSync(updateFile) ? JSON.parse(fs.readFileSync(updateFile, 'utf8')) : undefined;
    const merged = expectedFrom(results, previous);
    if (previous && files.length > 0) merged.files = { ...previous.files, ...merged.files };
    fs.writeFileSync(updateFile, `${JSON.stringify(merged, null, 2)}\n`);
  }
  if (expectFile) {
    const { regressions, improvements } = compare(results, JSON.parse(fs.readFileSync(expectFile, 'utf8')));
    for (const i of improvements) console.log(`improved: ${i}`);
    for (const r of regressions) console.log(`REGRESSED: ${r}`);
    if (regressions.length > 0) process.exitCode = 1;
  }
}

module.exports = { runFiles, compare, expectedFrom, summary, keyedTests };

if (require.main === module) {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') {
    const facadeAt = argv.indexOf('--facade');
    childMain(facadeAt >= 0 ? argv[facadeAt + 1] : null, argv[argv.length - 1]);
  } else {
    main(argv).catch((e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exitCode = 2;
    });
  }
}
