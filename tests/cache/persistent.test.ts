// The persistent compile cache (runtime/cache/node.ts, index.ts): private directory, atomic
// writes, concurrent writers, damaged and foreign entries, LRU eviction, and a second process
// loading what the first one wrote.

import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Engine, Module, Store, Linker, flushCaches, parseWat } from '../../index';
import { nodeHost } from '../../runtime/cache/node';
import { cacheHost } from '../../runtime/cache/host';

const ROOT = path.resolve(__dirname, '../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'jetwasm-cache-test-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function wat(k: number): string {
  return `(module (func $fib (export "fib") (param i32) (result i32)
    (if (result i32) (i32.lt_s (local.get 0) (i32.const 2)) (then (i32.add (local.get 0) (i32.const ${k - k})))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1))) (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
    (func (export "k") (result i32) (i32.const ${k})))`;
}

const entries = (dir: string): string[] => fs.readdirSync(dir).filter((n) => n.endsWith('.jwm'));

test('the host is Node here', () => {
  expect(cacheHost()).toBe(nodeHost);
});

test('the directory is private: 0700, entries 0600, no temporary files left', () => {
  const dir = path.join(tmp, 'private', 'nested');
  const engine = new Engine({ cache: { directory: dir } });
  const m = Module.fromBinary(engine, parseWat(wat(1)));
  expect(new Linker(engine).instantiate(new Store(engine), m).getFunc('fib')!.call(10)).toEqual([55]);
  flushCaches();
  expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
  const names = fs.readdirSync(dir);
  expect(names.length).toBe(1);
  expect(names[0]).toMatch(/^[0-9a-f]{40}-[0-9a-f]{16}\.jwm$/);
  expect(fs.statSync(path.join(dir, names[0])).mode & 0o777).toBe(0o600);
  // An existing directory others can write to is made private.
  const open = path.join(tmp, 'open');
  fs.mkdirSync(open, { mode: 0o777 });
  fs.chmodSync(open, 0o777);
  expect(nodeHost.diskCache(open, undefined)).not.toBeNull();
  expect(fs.statSync(open).mode & 0o777).toBe(0o700);
});

test('LRU eviction by access time; a read counts as a use', () => {
  const dir = path.join(tmp, 'lru');
  const dc = nodeHost.diskCache(dir, 350)!;
  const data = new Uint8Array(100);
  for (const n of ['a', 'b', 'c']) dc.write(n, data);
  const at = (n: string, s: number) => fs.utimesSync(path.join(dir, `${n}.jwm`), s, s);
  at('a', 1000);
  at('b', 2000);
  at('c', 3000);
  expect(dc.read('a')).not.toBeNull(); // now the most recently used
  dc.write('d', data);
  expect(entries(dir).sort()).toEqual(['a.jwm', 'c.jwm', 'd.jwm']);
});

// ---------------------------------------------------------------- other processes

let dist = '';
const CHILD = path.join(tmp, 'child.js');

beforeAll(() => {
  dist = path.join(tmp, 'dist');
  spawnSync(
    process.execPath,
    [
      require.resolve('typescript/bin/tsc'),
      '-p',
      path.join(ROOT, 'tsconfig.json'),
      '--outDir',
      dist,
      '--tsBuildInfoFile',
      path.join(dist, '.tsbuildinfo'),
    ],
    { encoding: 'utf8' },
  );
  if (!fs.existsSync(path.join(dist, 'index.js'))) throw new Error('the private build produced no index.js');
  fs.writeFileSync(
    CHILD,
    `
const [dist, dir, file] = process.argv.slice(2);
const rt = require(dist + '/index.js');
const engine = new rt.Engine({ cache: { directory: dir } });
const m = rt.Module.fromBinary(engine, new Uint8Array(require('fs').readFileSync(file)));
const fromCache = m.compiled.persist !== null;
const r = new rt.Linker(engine).instantiate(new rt.Store(engine), m).getFunc('fib').call(15)[0];
console.log(JSON.stringify({ fromCache, r }));
`,
  );
}, 240_000);

function child(dir: string, file: string): Promise<{ fromCache: boolean; r: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CHILD, dist, dir, file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => {
      out += d;
    });
    p.stderr.on('data', (d) => {
      err += d;
    });
    p.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`child exited ${code}: ${err}`)),
    );
  });
}

function wasmFile(k: number): string {
  const f = path.join(tmp, `m${k}.wasm`);
  fs.writeFileSync(f, parseWat(wat(k)));
  return f;
}

test('concurrent processes writing one entry; the next process loads it', async () => {
  const dir = path.join(tmp, 'concurrent');
  const file = wasmFile(2);
  const results = await Promise.all([0, 1, 2, 3].map(() => child(dir, file)));
  for (const r of results) expect(r.r).toBe(610);
  expect(entries(dir).length).toBe(1);
  expect(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  expect(await child(dir, file)).toEqual({ fromCache: true, r: 610 });
}, 60_000);

test('damaged and foreign entries are detected and rebuilt', async () => {
  const dir = path.join(tmp, 'damaged');
  const file = wasmFile(3);
  expect(await child(dir, file)).toEqual({ fromCache: false, r: 610 });
  const [name] = entries(dir);
  const entry = path.join(dir, name);
  const good = fs.readFileSync(entry);
  const bad = Buffer.from(good);
  bad[Math.floor(bad.length / 2)] ^= 0x40;
  fs.writeFileSync(entry, bad);
  expect(await child(dir, file)).toEqual({ fromCache: false, r: 610 });
  expect(fs.readFileSync(entry).equals(bad)).toBe(false); // rewritten
  expect(await child(dir, file)).toEqual({ fromCache: true, r: 610 });
  // Another module's entry under this name.
  const other = path.join(tmp, 'damaged-other');
  await child(other, wasmFile(4));
  fs.copyFileSync(path.join(other, entries(other)[0]), entry);
  expect(await child(dir, file)).toEqual({ fromCache: false, r: 610 });
  expect(await child(dir, file)).toEqual({ fromCache: true, r: 610 });
  fs.writeFileSync(entry, 'not an entry');
  expect(await child(dir, file)).toEqual({ fromCache: false, r: 610 });
}, 60_000);

test('writes are atomic: a reader sees a whole old or new entry, never a partial one', async () => {
  const dir = path.join(tmp, 'atomic');
  const dc = nodeHost.diskCache(dir, undefined)!;
  const size = 1 << 20;
  dc.write('e', new Uint8Array(size).fill(0xcc));
  const writer = spawn(process.execPath, [
    '-e',
    `
    const dc = require(${JSON.stringify(path.join(dist, 'runtime/cache/node.js'))}).nodeHost.diskCache(${JSON.stringify(dir)});
    for (let i = 0; i < 200; i++) dc.write('e', new Uint8Array(${size}).fill(i % 2 ? 0xaa : 0xbb));
  `,
  ]);
  let stderr = '';
  writer.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<number | null>((resolve) => writer.on('close', resolve));
  let finished = false;
  void done.then(() => {
    finished = true;
  });
  let reads = 0;
  while (!finished) {
    const b = fs.readFileSync(path.join(dir, 'e.jwm'));
    expect(b.length).toBe(size);
    expect(b[0] === 0xaa || b[0] === 0xbb || b[0] === 0xcc).toBe(true);
    expect(b.every((x) => x === b[0])).toBe(true);
    reads++;
    await new Promise((r) => setImmediate(r));
  }
  expect({ code: await done, stderr }).toEqual({ code: 0, stderr: '' });
  expect(reads).toBeGreaterThan(0);
  // The last of the writer's entries (an inode number proves nothing: the file system
  // reuses the numbers of the files the renames unlinked).
  expect(fs.readFileSync(path.join(dir, 'e.jwm')).every((x) => x === 0xaa)).toBe(true);
  expect(fs.readdirSync(dir)).toEqual(['e.jwm']);
}, 60_000);
