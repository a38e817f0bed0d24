// Loads the project's TypeScript sources directly (transpile only, no type check), so the
// fuzzers run from a fresh clone after `npm install` without touching the shared dist/.
// Transpiled output is cached in the temp folder by path, size and modification time.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const crypto = require('crypto');

const cacheDir = path.join(os.tmpdir(), 'jetwasm-fuzz-ts-cache');
let ts = null;

function transpile(filename) {
  const st = fs.statSync(filename);
  const key = crypto.createHash('sha1').update(`${filename}|${st.size}|${st.mtimeMs}`).digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    /* not cached yet */
  }
  ts ??= require('typescript');
  const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, inlineSourceMap: true },
  }).outputText;
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    const tmp = `${cached}.${process.pid}`;
    fs.writeFileSync(tmp, out);
    fs.renameSync(tmp, cached);
  } catch {
    /* caching is best effort */
  }
  return out;
}

if (!require.extensions['.ts']) {
  require.extensions['.ts'] = (module, filename) => {
    module._compile(transpile(filename), filename);
  };
}
