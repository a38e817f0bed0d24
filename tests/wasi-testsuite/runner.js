'use strict';
// Runs the vendored WebAssembly/wasi-testsuite tests (suite/) the way its own runner
// (test-runner/wasi_test_runner) runs a runtime such as Wasmtime:
//
//   RUNTIME --env K=V... [--dir ROOT::/] TEST.wasm -- ARGS...
//
// one process per test, its stdin, stdout and stderr pipes (FIFOs, as the official runner's
// are), and the test passes when the exit code equals the JSON's `exit_code` (default 0)
// and stdout begins with its `stdout` (the official runner reads exactly that many
// characters before waiting). stdin stays open until the expected stdout has been read (or
// is closed at once when none is expected), as in the official runner. Unlike the official
// runner, which deletes `*.cleanup` files from the shared root between tests, every test
// gets a fresh copy of its root in a temporary folder, so no test sees another's leftovers.

const { execFileSync, spawn } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');

const SUITE = path.join(__dirname, 'suite');
/** The suites in suite/, named after the upstream folders tests/LANG/testsuite/wasm32-wasip1. */
const LANGS = ['assemblyscript', 'c', 'rust'];
const ROOT = path.resolve(__dirname, '..', '..');

/**
 * Every test: `id` is LANG/NAME; `root` the absolute host directory to mount as "/" (or null).
 * @returns {{ id: string, wasm: string, args: string[], env: Record<string, string>, root: string | null, exitCode: number, stdout: string | null }[]}
 */
function listTests(suite = SUITE) {
  const tests = [];
  for (const lang of LANGS) {
    const dir = path.join(suite, lang);
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.wasm')).sort()) {
      const name = file.slice(0, -'.wasm'.length);
      const jsonFile = path.join(dir, `${name}.json`);
      const config = fs.existsSync(jsonFile) ? JSON.parse(fs.readFileSync(jsonFile, 'utf8')) : {};
      tests.push({
        id: `${lang}/${name}`,
        wasm: path.join(dir, file),
        args: config.args ?? [],
        env: config.env ?? {},
        root: config.root ? path.join(dir, config.root) : null,
        exitCode: config.exit_code ?? 0,
        stdout: config.stdout ?? null,
      });
    }
  }
  return tests;
}

/** The runtimes: a command line (before the test's own options) that follows jetwasm run's grammar. */
const RUNTIMES = {
  /** jetwasm's CLI; `bin` is bin/jetwasm.js (needs dist/) or any launcher of a build. */
  jetwasm: (bin = path.join(ROOT, 'bin', 'jetwasm.js')) => [process.execPath, bin, 'run', '--no-cache'],
  /** Node's own WASI on native WebAssembly, for reference. */
  node: () => [process.execPath, '--no-warnings', path.join(__dirname, 'node-wasi.js')],
};

function argvOf(command, test, rootCopy) {
  const argv = [...command];
  for (const [k, v] of Object.entries(test.env)) argv.push('--env', `${k}=${v}`);
  if (rootCopy !== null) argv.push('--dir', `${rootCopy}::/`);
  argv.push(test.wasm, '--', ...test.args);
  return argv;
}

/**
 * Three named pipes (FIFOs) for a child's stdio, as the official runner's
 * subprocess.PIPE gives (Node's own 'pipe' stdio would be a socket pair, which a program can
 * tell apart: fd_fdstat_get reports a socket and sock_shutdown applies to it).
 * Returns the child's ends and ours; ours are non-blocking, the child's blocking.
 */
function fifos(dir) {
  const C = fs.constants;
  const names = ['stdin', 'stdout', 'stderr'].map((n) => path.join(dir, n));
  execFileSync('mkfifo', names);
  // Our stdin end first: O_RDWR opens a FIFO without waiting for the other end (Linux, macOS).
  const stdinOurs = fs.openSync(names[0], C.O_RDWR | C.O_NONBLOCK);
  const stdinChild = fs.openSync(names[0], C.O_RDONLY);
  const stdoutOurs = fs.openSync(names[1], C.O_RDONLY | C.O_NONBLOCK);
  const stdoutChild = fs.openSync(names[1], C.O_WRONLY);
  const stderrOurs = fs.openSync(names[2], C.O_RDONLY | C.O_NONBLOCK);
  const stderrChild = fs.openSync(names[2], C.O_WRONLY);
  return { child: [stdinChild, stdoutChild, stderrChild], stdin: stdinOurs, stdout: stdoutOurs, stderr: stderrOurs };
}

/** Reads a FIFO end to its end; resolves with the text. `onData` sees the text so far. */
function drain(fd, onData = () => {}) {
  return new Promise((resolve) => {
    const stream = new net.Socket({ fd, readable: true, writable: false });
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (s) => {
      text += s;
      onData(text);
    });
    stream.on('error', () => {});
    stream.on('close', () => resolve(text));
  });
}

/**
 * Runs one test in a fresh process with a fresh copy of its root.
 * @returns {Promise<{ id: string, pass: boolean, why: string, code: number | null, signal: string | null, stdout: string, stderr: string, ms: number }>}
 */
async function runTest(test, command, { timeoutMs = 30_000 } = {}) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'jetwasm-wasi-testsuite-'));
  let rootCopy = null;
  if (test.root !== null) {
    rootCopy = path.join(work, 'root');
    fs.cpSync(test.root, rootCopy, { recursive: true, verbatimSymlinks: true });
  }
  const argv = argvOf(command, test, rootCopy);
  const io = fifos(work);
  const started = performance.now();
  const child = spawn(argv[0], argv.slice(1), { stdio: io.child, cwd: work });
  for (const fd of io.child) fs.closeSync(fd);
  let stdinOpen = true;
  const endStdin = () => {
    if (stdinOpen) fs.closeSync(io.stdin);
    stdinOpen = false;
  };
  const stdoutDone = drain(io.stdout, (text) => {
    if (test.stdout !== null && text.length >= test.stdout.length) endStdin();
  });
  const stderrDone = drain(io.stderr);
  if (test.stdout === null) endStdin();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const [code, signal] = await new Promise((resolve) => child.on('exit', (c, s) => resolve([c, s])));
  clearTimeout(timer);
  endStdin();
  const [stdout, stderr] = await Promise.all([stdoutDone, stderrDone]);
  const ms = performance.now() - started;
  fs.rmSync(work, { recursive: true, force: true });
  let why = '';
  if (timedOut) why = `timed out after ${timeoutMs} ms`;
  else if (code !== test.exitCode) why = `exit code ${code ?? signal}, expected ${test.exitCode}`;
  else if (test.stdout !== null && stdout.slice(0, test.stdout.length) !== test.stdout) {
    why = `stdout ${JSON.stringify(stdout.slice(0, 200))}, expected ${JSON.stringify(test.stdout)}`;
  }
  return { id: test.id, pass: why === '', why, code, signal, stdout, stderr, ms };
}

/** Runs `tests` under `command`, `jobs` at a time; results in the order of `tests`. */
async function runAll(tests, command, { jobs = Math.max(1, os.availableParallelism?.() ?? os.cpus().length), timeoutMs } = {}) {
  const results = new Array(tests.length);
  let next = 0;
  const worker = async () => {
    while (next < tests.length) {
      const i = next++;
      results[i] = await runTest(tests[i], command, { timeoutMs });
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, tests.length) }, worker));
  return results;
}

/** The first line of stderr that says why (a failed assertion's message, a trap). */
function reason(result) {
  if (result.pass) return '';
  const lines = result.stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const said = lines.find((l) => /panicked|assert|error|trap|failed|expected/i.test(l)) ?? lines[0] ?? '';
  return said ? `${result.why}: ${said}` : result.why;
}

/** A side-by-side table of results by runtime name: one row per test, then the totals. */
function table(tests, byRuntime) {
  const names = Object.keys(byRuntime);
  const width = Math.max(...tests.map((t) => t.id.length), 4);
  const lines = [[`${'test'.padEnd(width)}`, ...names.map((n) => n.padEnd(9))].join('  ')];
  tests.forEach((t, i) => {
    lines.push([t.id.padEnd(width), ...names.map((n) => (byRuntime[n][i].pass ? 'pass' : 'FAIL').padEnd(9))].join('  ').trimEnd());
  });
  lines.push(
    [`${'passed'.padEnd(width)}`, ...names.map((n) => `${byRuntime[n].filter((r) => r.pass).length}/${tests.length}`.padEnd(9))].join('  ').trimEnd(),
  );
  return lines.join('\n');
}

module.exports = { SUITE, LANGS, RUNTIMES, listTests, runTest, runAll, reason, table, argvOf };
