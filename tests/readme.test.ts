// Runs every ```js block of README.md as its own program, the way a reader would: with node,
// from a directory laid out like the repository root (`examples/`, and `jetwasm` resolving
// to this package through node_modules), so `require('jetwasm')` and `import ... from
// 'jetwasm'` load dist/ through package.json's "exports" as an installed package would. A
// block that imports is run as an ES module (.mjs, top-level await allowed), any other as
// CommonJS (.cjs).
//
// The package is built from the current sources into a private folder (never the shared
// dist/, which others may be building): package.json, bin/ and dist/, like the published
// package.
//
// Conventions the README follows (and this test enforces):
//   - a block must exit with status 0;
//   - a comment after a `console.log(...)` on the same line is the line it prints (a trailing
//     parenthesised remark is not part of it); those lines must appear in stdout in order;
//   - `npx jetwasm compile ...` commands in sh blocks earlier in the same section run first,
//     in the same directory (the AOT example imports the module they write);
//   - a block whose fence reads ```js no-run is not run (none does today).

import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
// Under node_modules/.cache so the built files resolve packages like the real dist/ does.
const CACHE = path.join(ROOT, 'node_modules', '.cache');
/** The private package: package.json, bin/jetwasm.js, dist/. */
let pkg = '';

interface Block {
  readonly lang: string;
  readonly info: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly section: string;
  readonly code: string;
}

function fencedBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  let section = '';
  for (let i = 0; i < lines.length; i++) {
    const heading = /^#{1,6}\s+(.*)$/.exec(lines[i]);
    if (heading) section = heading[1].trim();
    const open = /^```(\S*)\s*(.*)$/.exec(lines[i]);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    blocks.push({ lang: open[1], info: open[2], line: start + 1, section, code: body.join('\n') + '\n' });
  }
  return blocks;
}

/** The output lines stated by `console.log(...); // output` comments, in order. */
function statedOutput(code: string): string[] {
  const out: string[] = [];
  for (const line of code.split('\n')) {
    const call = line.indexOf('console.log(');
    if (call < 0) continue;
    const c = line.indexOf(' // ', call);
    if (c < 0) continue;
    out.push(
      line
        .slice(c + 4)
        .trim()
        .replace(/\s+\([^()]*\)$/, ''),
    );
  }
  return out;
}

/** `npx jetwasm compile ...` commands of sh blocks, as argument lists for bin/jetwasm.js. */
function compileCommands(block: Block): string[][] {
  const cmds: string[][] = [];
  for (const raw of block.code.split('\n')) {
    const line = raw.replace(/\s+#.*$/, '').trim();
    if (line.startsWith('npx jetwasm compile ')) cmds.push(line.split(/\s+/).slice(2));
  }
  return cmds;
}

/** A directory shaped like the repository root for a reader: examples/ and node_modules/jetwasm. */
function readerDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jetwasm-readme-'));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(pkg, path.join(dir, 'node_modules', 'jetwasm'), 'dir');
  fs.symlinkSync(path.join(ROOT, 'examples'), path.join(dir, 'examples'), 'dir');
  return dir;
}

function run(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const blocks = fencedBlocks(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
const jsBlocks = blocks.filter((b) => b.lang === 'js');
const runnable = jsBlocks.filter((b) => !/\bno-run\b/.test(b.info));

beforeAll(() => {
  fs.mkdirSync(CACHE, { recursive: true });
  pkg = fs.mkdtempSync(path.join(CACHE, 'jetwasm-readme-test-'));
  const outDir = path.join(pkg, 'dist');
  // Type errors elsewhere do not stop tsc from emitting; the tests below judge the result.
  spawnSync(
    process.execPath,
    [
      require.resolve('typescript/bin/tsc'),
      '-p',
      path.join(ROOT, 'tsconfig.json'),
      '--outDir',
      outDir,
      '--tsBuildInfoFile',
      path.join(outDir, '.tsbuildinfo'),
    ],
    { cwd: ROOT, stdio: 'ignore' },
  );
  if (!fs.existsSync(path.join(outDir, 'index.js'))) throw new Error('the private build produced no dist/index.js');
  // The package's Node entry (package.json "main"): the bundle and its code cache.
  const bundled = spawnSync(process.execPath, [path.join(ROOT, 'node', 'build.js'), '--dist', outDir], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (bundled.status !== 0) throw new Error(`bundling failed: ${bundled.stderr}`);
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(pkg, 'package.json'));
  fs.mkdirSync(path.join(pkg, 'bin'));
  fs.copyFileSync(path.join(ROOT, 'bin', 'jetwasm.js'), path.join(pkg, 'bin', 'jetwasm.js'));
}, 300_000);

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  if (pkg) fs.rmSync(pkg, { recursive: true, force: true });
});

test('README.md has JavaScript examples, and every one is run', () => {
  expect(runnable.length).toBeGreaterThanOrEqual(4);
  expect(runnable).toEqual(jsBlocks);
});

test('stated output is read from console.log comments', () => {
  expect(
    statedOutput(
      [
        'console.log(f(1));        // [ 2n ]',
        'x(); // not output',
        'try { g(); } catch (e) { console.log(e.message); } // interrupt',
        'console.log(h());         // -1 (a remark)',
      ].join('\n'),
    ),
  ).toEqual(['[ 2n ]', 'interrupt', '-1']);
});

describe.each(runnable.map((b) => [`${b.section}, line ${b.line}`, b] as const))('README.md %s', (_name, block) => {
  test('runs as written and prints what its comments say', () => {
    const dir = readerDir();
    dirs.push(dir);
    for (const sh of blocks.filter((b) => b.lang === 'sh' && b.section === block.section && b.line < block.line)) {
      for (const args of compileCommands(sh)) {
        const r = run([path.join(pkg, 'bin', 'jetwasm.js'), ...args], dir);
        expect({ args, status: r.status, stderr: r.stderr }).toEqual({ args, status: 0, stderr: '' });
      }
    }
    const esm = /^\s*(import\s|export\s)/m.test(block.code);
    const file = path.join(dir, esm ? 'snippet.mjs' : 'snippet.cjs');
    fs.writeFileSync(file, block.code);
    const r = run([file], dir);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    const printed = r.stdout.split('\n').map((l) => l.trimEnd());
    const stated = statedOutput(block.code);
    // Each stated line, in order, at or after the previous one's position.
    let at = 0;
    const missing: string[] = [];
    for (const want of stated) {
      const k = printed.indexOf(want, at);
      if (k < 0) missing.push(want);
      else at = k + 1;
    }
    expect({ missing, stdout: r.stdout }).toEqual({ missing: [], stdout: r.stdout });
  }, 120_000);
});
