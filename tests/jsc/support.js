// What the JavaScriptCore runs share: finding the shell, bundling for it, and the testsuite's
// scripts in the order and with the keys of `jetwasm wast --suite` (spec-tests/files.ts).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');

const root = path.resolve(__dirname, '../..');

/** The `jsc` shell: $JSC_PATH, else on PATH, else where WebKitGTK packages put it; or null. */
function findJsc() {
  if (process.env.JSC_PATH) return fs.existsSync(process.env.JSC_PATH) ? process.env.JSC_PATH : null;
  try {
    const p = execFileSync('sh', ['-c', 'command -v jsc'], { encoding: 'utf8' }).trim();
    if (p) return p;
  } catch {
    // not on PATH
  }
  for (const dir of ['/usr/lib', '/usr/libexec']) {
    let entries = [];
    try { entries = fs.readdirSync(dir); } catch { continue; }
    for (const e of entries) {
      for (const sub of ['webkit2gtk-4.0', 'webkit2gtk-4.1', 'webkitgtk-6.0']) {
        const p = path.join(dir, e, sub, 'jsc');
        if (fs.existsSync(p)) return p;
      }
    }
  }
  return null;
}

/** Node's `path`, for modules that only join paths at load time: joins with '/'. */
const shellPath = {
  name: 'shell-path',
  setup(build) {
    build.onResolve({ filter: /^(node:)?path$/ }, () => ({ path: 'path', namespace: 'shell-path' }));
    build.onLoad({ filter: /.*/, namespace: 'shell-path' }, () => ({
      contents: 'const join = (...p) => p.join("/"); module.exports = { join, resolve: join, dirname: (p) => p.replace(/\\/[^/]*$/, "") };',
      loader: 'js',
    }));
  },
};

/**
 * Bundles `entry` (a .ts file under the repository) for an engine shell: one classic script,
 * the TextDecoder/TextEncoder shim first. Resolves to the path of the script, in a new
 * temporary folder the caller removes.
 */
async function buildShellBundle(entry = 'tests/jsc/entry.ts') {
  const esbuild = require('esbuild');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jetwasm-jsc-'));
  const out = path.join(dir, 'bundle.js');
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    target: 'es2020',
    write: false,
    logLevel: 'silent',
    plugins: [shellPath],
    define: { __dirname: '""' },
  });
  const shim = fs.readFileSync(path.join(__dirname, 'text-coding.js'), 'utf8');
  fs.writeFileSync(out, shim + '\n' + result.outputFiles[0].text);
  return out;
}

function walk(dir, out) {
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && !e.name.startsWith('.')) walk(p, out);
    } else if (e.isFile() && e.name.endsWith('.wast')) out.push(p);
  }
}

/** The testsuite's scripts as `--suite` runs them: top level, then legacy/ and custom/. */
function suiteFiles() {
  const suiteRoot = process.env.WASM_TESTSUITE ? path.resolve(process.env.WASM_TESTSUITE) : path.join(root, 'spec-tests/testsuite');
  const files = fs.readdirSync(suiteRoot, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.wast'))
    .map((e) => e.name)
    .sort()
    .map((n) => ({ file: path.join(suiteRoot, n), key: n }));
  for (const f of ['legacy', 'custom']) {
    const dir = path.join(suiteRoot, f);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) continue;
    const found = [];
    walk(dir, found);
    for (const file of found) files.push({ file, key: path.relative(suiteRoot, file).split(path.sep).join('/') });
  }
  return { root: suiteRoot, files };
}

module.exports = { findJsc, buildShellBundle, suiteFiles };
