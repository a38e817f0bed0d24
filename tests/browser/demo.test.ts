// The browser build in a real page: builds dist/browser into a temporary folder, serves it
// from browser/serve.js on 127.0.0.1, and opens demo.html in headless Chromium started with
// --jitless, so the page has no WebAssembly of its own and everything runs on jetwasm.
//
// Chromium is Debian's /usr/bin/chromium (override with CHROMIUM_PATH). Without it the test
// fails under CI (CI set), where .ci/run installs it, and is skipped with a message otherwise.

import { spawnSync } from 'child_process';
import * as fs from 'fs';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import type { Server } from 'http';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { parseWat } from '../../compiler/text/index';
import { compileToEsm } from '../../runtime/aot/compile';

const root = path.resolve(__dirname, '..', '..');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = fs.existsSync(chromiumPath);
const inCI = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createStaticServer } = require(path.join(root, 'browser', 'serve.js')) as {
  createStaticServer(dir: string): Server;
};

if (!haveChromium && !inCI) {
  console.warn(
    `tests/browser: SKIPPED — no Chromium at ${chromiumPath} (install it, e.g. apt-get install chromium, or set CHROMIUM_PATH)`,
  );
}

const run = haveChromium || inCI ? describe : describe.skip;

const AOT_PAGE = `<!doctype html>
<html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self'">
<title>jetwasm AOT</title></head>
<body data-status="running"><pre id="result"></pre><script type="module" src="aot-page.mjs"></script></body></html>
`;

const AOT_PAGE_SCRIPT = `const out = [];
out.push('native WebAssembly: ' + typeof globalThis.WebAssembly);
try {
  const { instantiate } = await import('./fib.wasm.mjs');
  const e = instantiate({});
  out.push('fib(25) = ' + e.fib(25), 'fib_i64(90) = ' + e.fib_i64(90) + ' ' + typeof e.fib_i64(90), 'fib_rec(20) = ' + e.fib_rec(20));
  document.body.dataset.status = 'done';
} catch (e) {
  out.push('error: ' + e);
  document.body.dataset.status = 'error';
}
// The policy is in force: compiling a string is refused.
try { new Function('return 1'); out.push('string compilation: allowed'); } catch (e) { out.push('string compilation: ' + e.name); }
document.getElementById('result').textContent = out.join('\\n');
`;

/** The .mjs files a module statically imports, transitively (relative specifiers only). */
function importGraph(dir: string, entry: string): string[] {
  const seen = new Set<string>();
  const visit = (rel: string): void => {
    if (seen.has(rel)) return;
    seen.add(rel);
    const code = fs.readFileSync(path.join(dir, rel), 'utf8');
    for (const m of code.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?from\s*"(\.[^"]+)"/g)) {
      visit(path.posix.normalize(path.posix.join(path.posix.dirname(rel), m[1])));
    }
  };
  visit(entry);
  return [...seen];
}

run('browser build in headless Chromium without native WebAssembly', () => {
  let tmp: string;
  let outdir: string;
  let server: Server | undefined;
  let baseUrl: string;
  let context: BrowserContext | undefined;
  let page: Page;
  const pageErrors: string[] = [];
  let buildOutput = '';

  beforeAll(async () => {
    if (!haveChromium)
      throw new Error(`Chromium not found at ${chromiumPath}; in CI, .ci/run installs Debian's chromium`);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'jetwasm-browser-'));
    outdir = path.join(tmp, 'dist');
    const build = spawnSync(process.execPath, [path.join(root, 'browser', 'build.js'), '--outdir', outdir], {
      cwd: root,
      encoding: 'utf8',
    });
    if (build.status !== 0) throw new Error(`browser build failed: ${build.stderr}`);
    buildOutput = build.stdout + build.stderr;
    // A shipped binary for the streaming API: once as application/wasm, once as another type.
    const fibWasm = parseWat(fs.readFileSync(path.join(root, 'examples', 'fib.wat'), 'utf8'));
    fs.writeFileSync(path.join(outdir, 'fib.wasm'), fibWasm);
    fs.writeFileSync(path.join(outdir, 'fib.bin'), fibWasm);
    // Ahead-of-time output importing the bundle's aot.mjs by a relative URL, and a page that
    // runs it under a Content-Security-Policy without 'unsafe-eval'.
    fs.writeFileSync(path.join(outdir, 'fib.wasm.mjs'), compileToEsm(fibWasm, { runtime: './aot.mjs' }));
    fs.writeFileSync(path.join(outdir, 'aot.html'), AOT_PAGE);
    fs.writeFileSync(path.join(outdir, 'aot-page.mjs'), AOT_PAGE_SCRIPT);

    server = createStaticServer(outdir);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
      executablePath: chromiumPath,
      headless: true,
      args: [
        '--js-flags=--jitless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => pageErrors.push(String(e)));
  }, 120000);

  afterAll(async () => {
    await context?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('the build prints no warnings (no Node-only globals in the bundle)', () => {
    expect(buildOutput).toMatch(/polyfill\.mjs/);
    expect(buildOutput).not.toMatch(/warn/i);
  });

  test('the build emits ES modules that import no Node built-ins', () => {
    const files = [
      'jetwasm.mjs',
      'polyfill.mjs',
      'aot.mjs',
      ...fs.readdirSync(path.join(outdir, 'chunks')).map((f) => `chunks/${f}`),
    ].filter((f) => f.endsWith('.mjs'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) {
      const code = fs.readFileSync(path.join(outdir, f), 'utf8');
      expect(code).not.toMatch(/\brequire\(|from ["'](node:)?(fs|path|worker_threads|crypto|os)["']/);
    }
  });

  test('aot.mjs is in the build and reaches no compiler code', () => {
    const graph = importGraph(outdir, 'aot.mjs');
    expect(graph[0]).toBe('aot.mjs');
    expect(graph.length).toBeGreaterThanOrEqual(2);
    // esbuild marks each source file's code with a "// path.ts" line (unminified build).
    const sources = graph.flatMap((f) =>
      [...fs.readFileSync(path.join(outdir, f), 'utf8').matchAll(/^\/\/ (\S+\.ts)$/gm)].map((m) => m[1]),
    );
    expect(sources).toContain('runtime/aot/index.ts');
    expect(sources.filter((f) => f.startsWith('compiler/'))).toEqual([]);
    // String compilation is left only where AOT output does not go without GC struct types:
    // struct classes (runtime/vm/gc.ts) and lazy translation (runtime/vm/helpers.ts; AOT code is eager).
    const evalSites = new Set<string>();
    for (const f of graph) {
      let source = '?';
      for (const line of fs.readFileSync(path.join(outdir, f), 'utf8').split('\n')) {
        const banner = /^\/\/ (\S+\.ts)$/.exec(line);
        if (banner) source = banner[1];
        else if (/\bnew Function\(|\beval\(/.test(line)) evalSites.add(source);
      }
    }
    expect([...evalSites].sort()).toEqual(['runtime/vm/gc.ts', 'runtime/vm/helpers.ts']);
  });

  test('a jetwasm compile module runs in a page under a CSP without unsafe-eval (jitless)', async () => {
    const errors: string[] = [];
    const onError = (e: Error): void => {
      errors.push(String(e));
    };
    page.on('pageerror', onError);
    try {
      await page.goto(`${baseUrl}/aot.html`);
      await page.waitForFunction(() => document.body.dataset.status !== 'running', undefined, { timeout: 60000 });
      expect(await page.textContent('#result')).toBe(
        [
          'native WebAssembly: undefined',
          'fib(25) = 75025',
          'fib_i64(90) = 2880067194370816120 bigint',
          'fib_rec(20) = 6765',
          'string compilation: EvalError',
        ].join('\n'),
      );
      expect(await page.evaluate(() => document.body.dataset.status)).toBe('done');
      expect(errors).toEqual([]);
    } finally {
      page.off('pageerror', onError);
    }
  }, 60000);

  test('the page has no native WebAssembly before the polyfill (jitless)', async () => {
    await page.goto('about:blank');
    expect(await page.evaluate(() => typeof (globalThis as { WebAssembly?: unknown }).WebAssembly)).toBe('undefined');
  });

  test('demo.html compiles and runs its program on the polyfill', async () => {
    await page.goto(`${baseUrl}/demo.html`);
    await page.waitForFunction(
      () => document.body.dataset.status === 'done' || document.body.dataset.status === 'error',
      undefined,
      { timeout: 60000 },
    );
    const text = await page.textContent('#result');
    expect(pageErrors).toEqual([]);
    expect(await page.evaluate(() => document.body.dataset.status)).toBe('done');
    expect(text).toContain('native WebAssembly before the polyfill: undefined');
    expect(text).toContain("WebAssembly is jetwasm's: true");
    expect(text).toMatch(/module: \d+ bytes, valid: true/);
    expect(text).toContain('hello from WebAssembly');
    expect(text).toContain('fib(25) = 75025');
    expect(text).toContain('fib_rec(20) = 6765');
    expect(text).toContain('crc32("The quick brown fox jumps over the lazy dog") = 414fa339');
    expect(text).toContain('trap: RuntimeError: unreachable');
    // The facade is the page's WebAssembly after the polyfill, and compiles in this page too.
    expect(
      await page.evaluate(() => {
        const WA = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly;
        return [
          WA.validate(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])),
          WA.validate(new Uint8Array([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0])),
        ];
      }),
    ).toEqual([true, false]);
  }, 90000);

  test('instantiateStreaming(fetch(...)) runs a shipped binary and checks the MIME type', async () => {
    await page.goto(`${baseUrl}/demo.html`);
    await page.waitForFunction(() => document.body.dataset.status === 'done');
    const results = await page.evaluate(async () => {
      type Exports = { fib(n: number): number; fib_i64(n: number): bigint; fib_rec(n: number): number };
      const WA = (
        globalThis as unknown as {
          WebAssembly: { instantiateStreaming(r: Promise<Response>): Promise<{ instance: { exports: Exports } }> };
        }
      ).WebAssembly;
      const { instance } = await WA.instantiateStreaming(fetch('/fib.wasm'));
      const ex = instance.exports;
      let wrongType: string;
      try {
        await WA.instantiateStreaming(fetch('/fib.bin'));
        wrongType = 'accepted';
      } catch (e) {
        wrongType = (e as Error).name;
      }
      return [String(ex.fib(25)), String(ex.fib_i64(90)), typeof ex.fib_i64(90), String(ex.fib_rec(20)), wrongType];
    });
    expect(results).toEqual(['75025', '2880067194370816120', 'bigint', '6765', 'TypeError']);
    expect(pageErrors).toEqual([]);
  }, 60000);
});
