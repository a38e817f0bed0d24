// The real packages of the fresh-process rows (compile-big.js, firstrun.js): where each
// package's Wasm is, how it is loaded with its own API, and one small representative task.
//
// `load()` is the import: it runs with the engine already installed as
// globalThis.WebAssembly and includes the package's own compile and instantiate.
// `task(lib, opts)` is the work; its output (text or bytes) is hashed into the row's check,
// so every engine must produce exactly native's output.
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const crypto = require('crypto');
const { pathToFileURL } = require('url');

const ROOT = path.resolve(__dirname, '../..');
const NM = path.join(ROOT, 'node_modules');
const FIXTURES = path.join(__dirname, 'fixtures');

function fixture(name) {
  return fs.readFileSync(path.join(FIXTURES, name), 'utf8');
}

function version(pkg) {
  return require(path.join(NM, pkg, 'package.json')).version;
}

function sha(...parts) {
  const h = crypto.createHash('sha256');
  for (const p of parts) h.update(typeof p === 'string' ? p : Buffer.from(p.buffer, p.byteOffset, p.byteLength));
  return h.digest('hex').slice(0, 16);
}

/** ESM packages are imported by file URL (the child is CommonJS). */
function importFile(rel) {
  return import(pathToFileURL(path.join(NM, rel)).href);
}

// ------------------------------------------------------------------ PNG input

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

function crc32(buf) {
  let c = -1;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/**
 * A deterministic 256x256 RGBA PNG (gradients plus xorshift noise), encoded here with
 * Node's zlib so that the PNG row decodes a file it did not produce itself.
 */
function makePng(width = 256, height = 256) {
  const raw = Buffer.alloc((width * 4 + 1) * height);
  let x = 0x2545f491;
  for (let y = 0; y < height; y++) {
    const row = y * (width * 4 + 1);
    raw[row] = 0; // filter: none
    for (let i = 0; i < width; i++) {
      x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
      const o = row + 1 + i * 4;
      raw[o] = i;
      raw[o + 1] = y;
      raw[o + 2] = ((i ^ y) + (x & 15)) & 0xff;
      raw[o + 3] = 255 - ((i + y) >> 2);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: 6 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ------------------------------------------------------------------ packages

const PACKAGES = [
  {
    key: 'swc',
    pkg: '@swc/wasm',
    wasm: '@swc/wasm/wasm_bg.wasm',
    task: 'transformSync of a 204-line TypeScript module to ES2020 CommonJS',
    // wasm-bindgen's Node glue compiles and instantiates synchronously when required.
    load: async () => require(path.join(NM, '@swc/wasm')),
    async run(swc) {
      const out = swc.transformSync(fixture('sample.ts'), {
        filename: 'sample.ts',
        jsc: { parser: { syntax: 'typescript' }, target: 'es2020' },
        module: { type: 'commonjs' },
      });
      return { check: sha(out.code), detail: `${out.code.length} chars` };
    },
  },
  {
    key: 'biome',
    pkg: '@biomejs/wasm-nodejs',
    wasm: '@biomejs/wasm-nodejs/biome_wasm_bg.wasm',
    task: 'Workspace: format and lint (syntax + lint diagnostics) a 77-line JavaScript file',
    load: async () => require(path.join(NM, '@biomejs/wasm-nodejs')),
    async run(biome) {
      const ws = new biome.Workspace();
      const { projectKey } = ws.openProject({ path: '/', openUninitialized: true });
      ws.updateSettings({ projectKey, configuration: {} });
      const file = '/sample.js';
      ws.openFile({ projectKey, path: file, content: { type: 'fromClient', content: fixture('sample.js'), version: 0 } });
      const formatted = ws.formatFile({ projectKey, path: file }).code;
      const d = ws.pullDiagnostics({ projectKey, path: file, categories: ['syntax', 'lint'] });
      const cats = d.diagnostics.map((x) => x.category).sort().join(',');
      return { check: sha(formatted, `${d.errors}/${d.warnings}/${cats}`), detail: `${formatted.length} chars, ${d.diagnostics.length} diagnostics` };
    },
  },
  {
    key: 'asc',
    pkg: 'assemblyscript',
    // The compiler is JavaScript; its Wasm is binaryen (its own pinned copy), embedded in
    // binaryen's index.js and instantiated when the compiler is imported.
    wasm: null,
    files: ['assemblyscript/node_modules/binaryen/index.js', 'binaryen/index.js', 'assemblyscript/dist/assemblyscript.js'],
    task: 'asc compileString of a 53-line AssemblyScript program (default options) to binary + text',
    load: async () => (await importFile('assemblyscript/dist/asc.js')).default,
    async run(asc) {
      const r = await asc.compileString(fixture('sample.as.ts'), {});
      if (r.error) throw new Error(`asc: ${r.error.message}: ${r.stderr.toString().slice(0, 200)}`);
      return { check: sha(r.binary, r.text), detail: `${r.binary.length} bytes of Wasm` };
    },
  },
  {
    key: 'png',
    pkg: '@jsquash/png',
    wasm: '@jsquash/png/codec/pkg/squoosh_png_bg.wasm',
    task: 'decode a 256x256 RGBA PNG, encode the pixels again',
    async load() {
      // In Node the package cannot fetch its .wasm by URL; its documented way is to pass the
      // module's bytes to init().
      const dec = await importFile('@jsquash/png/decode.js');
      const enc = await importFile('@jsquash/png/encode.js');
      await dec.init(fs.readFileSync(path.join(NM, this.wasm)));
      return { decode: dec.decode, encode: enc.default };
    },
    async run(png) {
      const image = await png.decode(makePng());
      const out = new Uint8Array(await png.encode(image));
      return { check: sha(image.data, out), detail: `${image.width}x${image.height}, ${out.length} bytes encoded` };
    },
  },
  {
    key: 'sqljs',
    pkg: 'sql.js',
    wasm: 'sql.js/dist/sql-wasm.wasm',
    task: 'initSqlJs() (reads its own .wasm) + the sqljs row\'s inserts and queries',
    async load() {
      const initSqlJs = require(path.join(NM, 'sql.js/dist/sql-wasm.js'));
      return initSqlJs();
    },
    async run(SQL, opts) {
      const { runQueries } = require('./sqljs');
      return { check: runQueries(SQL, opts.rows), detail: `${opts.rows} rows` };
    },
  },
  // The realworld tests' packages (tests/realworld): Rust through wasm-bindgen, CPython
  // through Emscripten.
  {
    key: 'tiktoken',
    pkg: '@dqbd/tiktoken',
    wasm: '@dqbd/tiktoken/tiktoken_bg.wasm',
    task: 'cl100k_base: load the ranks, encode the 204-line TypeScript sample and decode it',
    load: async () => require(path.join(NM, '@dqbd/tiktoken')),
    async run(tiktoken) {
      const enc = tiktoken.get_encoding('cl100k_base');
      const text = fixture('sample.ts');
      const tokens = enc.encode(text);
      const back = new TextDecoder().decode(enc.decode(tokens));
      enc.free();
      if (back !== text) throw new Error('tiktoken: the round trip changed the text');
      return { check: sha(Uint32Array.from(tokens)), detail: `${tokens.length} tokens` };
    },
  },
  {
    key: 'brotli',
    pkg: 'brotli-wasm',
    wasm: 'brotli-wasm/pkg.node/brotli_wasm_bg.wasm',
    task: 'compress the TypeScript sample x20 at quality 11, decompress it',
    load: async () => require(path.join(NM, 'brotli-wasm')),
    async run(brotli) {
      const input = Buffer.from(fixture('sample.ts').repeat(20));
      const packed = brotli.compress(input, { quality: 11 });
      const unpacked = brotli.decompress(packed);
      if (Buffer.compare(Buffer.from(unpacked), input) !== 0) throw new Error('brotli: the round trip changed the input');
      return { check: sha(packed), detail: `${input.length} -> ${packed.length} bytes` };
    },
  },
  {
    key: 'pyodide',
    pkg: 'pyodide',
    wasm: 'pyodide/pyodide.asm.wasm',
    files: ['pyodide/python_stdlib.zip', 'pyodide/pyodide.asm.js'],
    task: 'loadPyodide() (CPython and its standard library), then a program using big integers, floats, re, hashlib and json',
    load: async () => require(path.join(NM, 'pyodide')).loadPyodide(),
    async run(py) {
      const out = py.runPython([
        'import json, math, re, hashlib',
        'a, b = 0, 1',
        'for _ in range(300): a, b = b, a + b',
        'json.dumps({"fib": str(a), "pi": repr(math.pi), "re": re.findall(r"[a-z]+", "big wide world"),',
        '            "sha": hashlib.sha256(b"jetwasm" * 1000).hexdigest()}, sort_keys=True)',
      ].join('\n'));
      return { check: sha(out), detail: `${out.length} chars of JSON` };
    },
  },
];

/** Reads a package's big files once, so that no sample pays for the disk. */
function warmPageCache(p) {
  for (const rel of [p.wasm, ...(p.files || [])]) {
    if (rel && fs.existsSync(path.join(NM, rel))) fs.readFileSync(path.join(NM, rel));
  }
}

function byKey(key) {
  const p = PACKAGES.find((x) => x.key === key);
  if (!p) throw new Error(`unknown package ${key}`);
  return p;
}

module.exports = { PACKAGES, byKey, warmPageCache, version, NM, sha, makePng };
