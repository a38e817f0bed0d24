// The Wasi class on the embedder API, in process: Linker definitions, start/exit codes,
// stdio redirected to host descriptors, a module without memory, option errors.
// (tests/wasi/ covers the programs end to end against node:wasi.)

import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { Engine, Linker, Module, Store } from '../index';
import { SIGNATURES } from './defs';
import { Errno, WASI_MODULE, Wasi } from './index';

const FIXTURES = path.resolve(__dirname, '..', '..', 'tests', 'wasi');
const work = mkdtempSync(path.join(tmpdir(), 'jetwasm-wasi-unit-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A module importing only proc_exit whose _start calls proc_exit(5); it has no memory. */
const EXIT_5 = Uint8Array.from([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00,
  0x01,
  0x08,
  0x02,
  0x60,
  0x01,
  0x7f,
  0x00,
  0x60,
  0x00,
  0x00,
  0x02,
  0x24,
  0x01,
  0x16,
  ...Buffer.from('wasi_snapshot_preview1'),
  0x09,
  ...Buffer.from('proc_exit'),
  0x00,
  0x00,
  0x03,
  0x02,
  0x01,
  0x01,
  0x07,
  0x0a,
  0x01,
  0x06,
  ...Buffer.from('_start'),
  0x00,
  0x01,
  0x0a,
  0x08,
  0x01,
  0x06,
  0x00,
  0x41,
  0x05,
  0x10,
  0x00,
  0x0b,
]);

function instantiate(wasi: Wasi, bytes: Uint8Array) {
  const engine = new Engine();
  const store = new Store(engine);
  const linker = new Linker(engine);
  wasi.defineImports(linker, store);
  return { linker, instance: linker.instantiate(store, Module.fromBinary(engine, bytes)) };
}

test('every preview1 function is defined in the Linker under wasi_snapshot_preview1', () => {
  const { linker } = instantiate(new Wasi(), EXIT_5);
  for (const name of Object.keys(SIGNATURES)) expect(linker.get(WASI_MODULE, name)).toBeDefined();
  expect(Object.keys(SIGNATURES)).toHaveLength(46);
});

test('proc_exit ends _start with its code, also without a memory', () => {
  const wasi = new Wasi();
  const { instance } = instantiate(wasi, EXIT_5);
  expect(wasi.start(instance)).toBe(5);
});

test('a C program with stdio redirected to host files, a preopen, argv and environ', () => {
  const data = path.join(work, 'data');
  mkdirSync(data);
  writeFileSync(path.join(data, 'input.txt'), 'payload\n');
  const outPath = path.join(work, 'out.txt');
  const errPath = path.join(work, 'err.txt');
  const out = openSync(outPath, 'w');
  const err = openSync(errPath, 'w');
  try {
    const wasi = new Wasi({
      args: ['cat_args', '/data/input.txt', 'a'],
      env: { GREETING: 'hi' },
      preopens: { '/data': data },
      stdout: out,
      stderr: err,
    });
    const { instance } = instantiate(wasi, readFileSync(path.join(FIXTURES, 'cat_args.wasm')));
    expect(wasi.start(instance)).toBe(3);
  } finally {
    closeSync(out);
    closeSync(err);
  }
  expect(readFileSync(outPath, 'utf8')).toBe(
    'payload\nargc=3\nargv[1]=/data/input.txt\nargv[2]=a\nGREETING=hi\nMISSING=(unset)\n',
  );
  expect(readFileSync(errPath, 'utf8')).toBe('done\n');
});

test('a preopen that does not exist is an error at construction', () => {
  expect(() => new Wasi({ preopens: { '/x': path.join(work, 'missing') } })).toThrow(/does not exist/);
});

test('errno values follow preview1', () => {
  expect([Errno.SUCCESS, Errno.BADF, Errno.NOENT, Errno.NOSYS, Errno.NOTCAPABLE]).toEqual([0, 8, 44, 52, 76]);
});

// ---------------------------------------------------------------- host functions called directly

/** A module that only exports a one-page memory, for calling the host functions by hand. */
const MEMORY_ONLY = Uint8Array.from([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00,
  0x05,
  0x03,
  0x01,
  0x00,
  0x01,
  0x07,
  0x0a,
  0x01,
  0x06,
  ...Buffer.from('memory'),
  0x02,
  0x00,
]);

const RIGHT_FD_READ = 1n << 1n;
const RIGHT_FD_SEEK = 1n << 2n;
const RIGHT_FD_WRITE = 1n << 6n;
const RIGHT_PATH_OPEN = 1n << 13n;
const RIGHT_FD_FILESTAT_GET = 1n << 21n;
const RIGHT_FD_FILESTAT_SET_TIMES = 1n << 23n;
const OFLAGS_CREAT = 1;
const OFLAGS_DIRECTORY = 2;
const FSTFLAGS_MTIM = 4;

/** Wasi on `root` preopened as "/" (descriptor 3), its functions callable with guest memory. */
function direct(root: string) {
  const engine = new Engine();
  const store = new Store(engine);
  const wasi = new Wasi({ preopens: [['/', root]] });
  const funcs = wasi.imports(store);
  const instance = new Linker(engine).instantiate(store, Module.fromBinary(engine, MEMORY_ONLY));
  wasi.bind(instance);
  const mem = instance.getMemory('memory')!;
  const call = (name: string, ...args: unknown[]): number => funcs.get(name)!.call(...args)[0] as number;
  const STR = 1024;
  const OUT = 512;
  /** Guest pointer and length of `s`, written at STR (one string at a time). */
  const str = (s: string, at = STR): [number, number] => {
    const b = Buffer.from(s, 'utf8');
    mem.u8.set(b, at);
    return [at, b.length];
  };
  const open = (dir: number, p: string, oflags: number, base: bigint, inheriting = 0n): number | Errno => {
    const e = call('path_open', dir, 0, ...str(p), oflags, base, inheriting, 0, OUT);
    return e === Errno.SUCCESS ? mem.dv.getUint32(OUT, true) : (e as Errno);
  };
  /** mtim of a path (no symlink following), from path_filestat_get. */
  const mtim = (dir: number, p: string): bigint => {
    expect(call('path_filestat_get', dir, 0, ...str(p), OUT)).toBe(Errno.SUCCESS);
    return mem.dv.getBigUint64(OUT + 48, true);
  };
  const iovec = (at: number, bytes: number): [number, number] => {
    mem.dv.setUint32(OUT + 64, at, true);
    mem.dv.setUint32(OUT + 68, bytes, true);
    return [OUT + 64, 1];
  };
  return { call, str, open, mtim, iovec, mem, OUT };
}

function freshDir(name: string): string {
  const dir = path.join(work, name);
  mkdirSync(dir);
  return dir;
}

test('rights are checked on every call and can only be narrowed', () => {
  const w = direct(freshDir('rights'));
  const fd = w.open(3, 'f', OFLAGS_CREAT, RIGHT_FD_READ | RIGHT_FD_SEEK | RIGHT_FD_FILESTAT_GET);
  expect(typeof fd === 'number' && fd > 3).toBe(true);
  expect(w.call('fd_write', fd, ...w.iovec(0, 4), w.OUT + 80)).toBe(Errno.NOTCAPABLE);
  expect(w.call('fd_read', fd, ...w.iovec(0, 4), w.OUT + 80)).toBe(Errno.SUCCESS);
  // Dropping fd_read: reading is refused from then on, and the right cannot come back.
  expect(w.call('fd_fdstat_set_rights', fd, RIGHT_FD_SEEK, 0n)).toBe(Errno.SUCCESS);
  expect(w.call('fd_read', fd, ...w.iovec(0, 4), w.OUT + 80)).toBe(Errno.NOTCAPABLE);
  expect(w.call('fd_fdstat_set_rights', fd, RIGHT_FD_SEEK | RIGHT_FD_READ, 0n)).toBe(Errno.NOTCAPABLE);
  expect(w.call('fd_filestat_get', fd, w.OUT)).toBe(Errno.NOTCAPABLE);
  // A directory opened with path_open only: its children get no more than its inheriting rights.
  const sub = w.call('path_create_directory', 3, ...w.str('d'));
  expect(sub).toBe(Errno.SUCCESS);
  const d = w.open(3, 'd', OFLAGS_DIRECTORY, RIGHT_PATH_OPEN, RIGHT_FD_READ);
  expect(typeof d).toBe('number');
  expect(w.open(d as number, 'x', OFLAGS_CREAT, RIGHT_FD_READ)).toBe(Errno.NOTCAPABLE); // no path_create_file
  expect(w.call('path_create_directory', d, ...w.str('e'))).toBe(Errno.NOTCAPABLE);
  writeFileSync(path.join(work, 'rights', 'd', 'g'), 'g');
  const g = w.open(d as number, 'g', 0, RIGHT_FD_READ | RIGHT_FD_WRITE);
  expect(typeof g).toBe('number');
  expect(w.call('fd_fdstat_get', g, w.OUT)).toBe(Errno.SUCCESS);
  expect(w.mem.dv.getBigUint64(w.OUT + 8, true)).toBe(RIGHT_FD_READ); // fd_write not inheritable
});

test('paths: ".." cannot leave the directory descriptor, trailing "/" and absolute symlinks', () => {
  const root = freshDir('paths');
  mkdirSync(path.join(root, 'a', 'b'), { recursive: true });
  writeFileSync(path.join(root, 'a', 'f'), 'f');
  const w = direct(root);
  // Every right but those that ask to write (a directory opened for writing is EISDIR).
  const all = ((1n << 30n) - 1n) & ~(RIGHT_FD_WRITE | (1n << 8n) | (1n << 22n));
  const a = w.open(3, 'a', OFLAGS_DIRECTORY, all, all) as number;
  expect(w.open(a, 'b/../f', 0, RIGHT_FD_READ)).toBeGreaterThan(3);
  expect(w.open(a, '../a/f', 0, RIGHT_FD_READ)).toBe(Errno.NOTCAPABLE);
  expect(w.open(3, 'a/../../paths/a/f', 0, RIGHT_FD_READ)).toBe(Errno.NOTCAPABLE);
  // A symlink whose target climbs above the descriptor it is resolved from.
  symlinkSync('../f', path.join(root, 'a', 'b', 'up'));
  expect(w.open(3, 'a/b/up', 0, RIGHT_FD_READ)).toBeGreaterThan(3);
  const b = w.open(a, 'b', OFLAGS_DIRECTORY, all, all) as number;
  expect(w.call('path_filestat_get', b, 1, ...w.str('up'), w.OUT)).toBe(Errno.NOTCAPABLE);
  // Trailing slashes name directories only.
  expect(w.open(3, 'a/f/', 0, RIGHT_FD_READ)).toBe(Errno.NOTDIR);
  const [fp, fl] = w.str('a/f', 2048);
  expect(w.call('path_link', 3, 0, fp, fl, 3, ...w.str('a/g/'))).toBe(Errno.NOENT);
  expect(w.call('path_symlink', fp, fl, 3, ...w.str('a/h/'))).toBe(Errno.NOENT);
  // An absolute symlink target is refused when the link is created.
  expect(w.call('path_symlink', ...w.str('/etc', 2048), 3, ...w.str('abs'))).toBe(Errno.NOTCAPABLE);
  expect(existsSync(path.join(root, 'abs'))).toBe(false);
  expect(w.open(3, '/a/f', 0, RIGHT_FD_READ)).toBe(Errno.NOTCAPABLE);
});

test('timestamps are stored to the microsecond, the finest unit Node keeps', () => {
  const root = freshDir('times');
  writeFileSync(path.join(root, 'f'), 'f');
  const w = direct(root);
  const fd = w.open(3, 'f', 0, RIGHT_FD_FILESTAT_SET_TIMES | RIGHT_FD_FILESTAT_GET) as number;
  const base = (w.mtim(3, 'f') / 1_000_000_000n) * 1_000_000_000n;
  // Sub-microsecond parts are dropped; microseconds are exact, also next to a boundary
  // where the nearest double of the time lies below it.
  for (const frac of [0n, 1n, 999n, 1000n, 123_456_789n, 999_999_999n, 311_346_000n, 500_000_100n]) {
    const t = base + frac;
    expect(w.call('fd_filestat_set_times', fd, 0n, t, FSTFLAGS_MTIM)).toBe(Errno.SUCCESS);
    expect(w.mtim(3, 'f')).toBe((t / 1000n) * 1000n);
    expect(w.call('path_filestat_set_times', 3, 0, ...w.str('f'), 0n, t + 7000n, FSTFLAGS_MTIM)).toBe(Errno.SUCCESS);
    expect(w.mtim(3, 'f')).toBe(((t + 7000n) / 1000n) * 1000n);
  }
});
