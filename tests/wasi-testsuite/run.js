#!/usr/bin/env node
'use strict';
// The vendored wasi-testsuite under jetwasm and, beside it, under Node's own WASI.
//
// Usage: node tests/wasi-testsuite/run.js [--bin LAUNCHER] [--only jetwasm|node] [--verbose] [FILTER...]
//   --bin      the jetwasm launcher (default bin/jetwasm.js, which runs dist/: `npm run build`)
//   --only     run one runtime
//   --verbose  print every failure's reason (default: jetwasm's)
//   FILTER     run only the tests whose id (LANG/NAME) contains one of these strings
// Exit code 0 when every test passes under jetwasm or is listed in expected-failures.json.

const path = require('path');
const { RUNTIMES, listTests, runAll, reason, table } = require('./runner');
const { EXPECTED_FAILURES } = require('./expected-failures');

async function main() {
  const args = process.argv.slice(2);
  let bin;
  let only = null;
  let verbose = false;
  const filters = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--bin') bin = path.resolve(args[++i]);
    else if (args[i] === '--only') only = args[++i];
    else if (args[i] === '--verbose') verbose = true;
    else filters.push(args[i]);
  }
  const tests = listTests().filter((t) => filters.length === 0 || filters.some((f) => t.id.includes(f)));
  const byRuntime = {};
  if (only !== 'node') byRuntime.jetwasm = await runAll(tests, RUNTIMES.jetwasm(bin));
  if (only !== 'jetwasm') byRuntime['node:wasi'] = await runAll(tests, RUNTIMES.node());
  console.log(table(tests, byRuntime));
  for (const [name, results] of Object.entries(byRuntime)) {
    if (name !== 'jetwasm' && !verbose) continue;
    for (const r of results.filter((x) => !x.pass)) console.log(`${name} ${r.id}: ${reason(r)}`);
  }
  const failing = (byRuntime.jetwasm ?? []).filter((r) => !r.pass && !(r.id in EXPECTED_FAILURES));
  process.exitCode = failing.length === 0 ? 0 : 1;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
