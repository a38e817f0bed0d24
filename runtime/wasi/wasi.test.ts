// The Wasi class on the embedder API, in process: Linker definitions, start/exit codes,
// stdio redirected to host descriptors, a module without memory, option errors.
// (tests/wasi/ covers the programs end to end against node:wasi.)

import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'fs';
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
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x08, 0x02, 0x60, 0x01, 0x7f, 0x00, 0x60, 0x00, 0x00,
  0x02, 0x24, 0x01, 0x16, ...Buffer.from('wasi_snapshot_preview1'), 0x09, ...Buffer.from('proc_exit'), 0x00, 0x00,
  0x03, 0x02, 0x01, 0x01,
  0x07, 0x0a, 0x01, 0x06, ...Buffer.from('_start'), 0x00, 0x01,
  0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x05, 0x10, 0x00, 0x0b,
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
