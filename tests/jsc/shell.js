// Runs WAST scripts in an engine shell (JavaScriptCore's `jsc`) with the spec bundle loaded
// before it (tests/jsc/run.js builds and loads it). Arguments: pairs of report key and file
// path. Prints one line per script, `@@ ` then JSON {key, passed, failed, skipped, failures}.
(function (args) {
  'use strict';
  for (let i = 0; i + 1 < args.length; i += 2) {
    const key = args[i];
    const file = args[i + 1];
    let line;
    try {
      const r = globalThis.runWastSource(readFile(file), key);
      const failures = r.problems.slice(0, 20);
      line = { key, passed: r.passed, failed: r.failed, skipped: r.skipped, failures };
    } catch (e) {
      line = { key, passed: 0, failed: 1, skipped: 0, failures: [{ line: 0, message: 'harness: ' + String(e && e.stack || e) }] };
    }
    print('@@ ' + JSON.stringify(line));
  }
})(typeof arguments !== 'undefined' ? arguments : scriptArgs);
