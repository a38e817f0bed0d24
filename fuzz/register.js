// Loads the project's TypeScript sources directly (transpile only, no type check), so the
// fuzzers run from a fresh clone after `npm install` without touching the shared dist/.
'use strict';
const fs = require('fs');
const ts = require('typescript');

const options = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  esModuleInterop: true,
  sourceMap: false,
  inlineSourceMap: true,
};

if (!require.extensions['.ts']) {
  require.extensions['.ts'] = (module, filename) => {
    const src = fs.readFileSync(filename, 'utf8');
    const out = ts.transpileModule(src, { compilerOptions: options, fileName: filename });
    module._compile(out.outputText, filename);
  };
}
