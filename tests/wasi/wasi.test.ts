// WASI programs (C, built by build.sh into the committed .wasm files) run by
// `jetwasm run` and, for reference, by Node's own WASI on native WebAssembly. Both run as
// child processes (proc_exit ends the process); stdout, stderr and the exit code must match.
//
// The CLI is built from the current sources into a private folder (never the shared dist/).

import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { privateCliBuild } from '../support/private-build';

const HERE = __dirname;
let buildRoot = '';
let bin = '';
const work = mkdtempSync(path.join(tmpdir(), 'jetwasm-wasi-'));

beforeAll(() => {
  ({ root: buildRoot, bin } = privateCliBuild('wasi-test'));
}, 300_000);

afterAll(() => {
  if (buildRoot) rmSync(buildRoot, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

interface Outcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

interface Program {
  /** File name of the .wasm in tests/wasi. */
  readonly wasm: string;
  /** argv[1...] (argv[0] is the .wasm path for both runners). */
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** guest name -> host directory */
  readonly preopens?: Readonly<Record<string, string>>;
  readonly stdin?: string | Buffer;
}

function runJetwasm(p: Program): Outcome {
  const wasm = path.join(HERE, p.wasm);
  const args = ['run'];
  for (const [guest, host] of Object.entries(p.preopens ?? {})) args.push('--dir', `${host}::${guest}`);
  for (const [k, v] of Object.entries(p.env ?? {})) args.push('--env', `${k}=${v}`);
  args.push(wasm, '--', ...(p.args ?? []));
  const r = spawnSync(process.execPath, [bin, ...args], { input: p.stdin ?? '', encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function runNodeWasi(p: Program): Outcome {
  const wasm = path.join(HERE, p.wasm);
  const config = { wasm, args: [wasm, ...(p.args ?? [])], env: p.env ?? {}, preopens: p.preopens ?? {} };
  const r = spawnSync(
    process.execPath,
    ['--no-warnings', path.join(HERE, 'node-wasi-runner.js'), JSON.stringify(config)],
    {
      input: p.stdin ?? '',
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function jetwasm(args: string[]): Outcome {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh directory under the test's work folder. */
function freshDir(name: string): string {
  const d = mkdtempSync(path.join(work, `${name}-`));
  return d;
}

test('cat_args: a preopened file, argv and an env var reach stdout; exit code 3 propagates', () => {
  const setup = (): string => {
    const d = freshDir('data');
    writeFileSync(path.join(d, 'input.txt'), 'first line\nsecond line\n');
    return d;
  };
  const prog = (dir: string): Program => ({
    wasm: 'cat_args.wasm',
    args: ['/data/input.txt', 'two words', 'ünïcödé', '--not-an-option'],
    env: { GREETING: 'hello = world' },
    preopens: { '/data': dir },
  });
  const ours = runJetwasm(prog(setup()));
  const ref = runNodeWasi(prog(setup()));
  expect(ours).toEqual(ref);
  expect(ours.code).toBe(3);
  expect(ours.stdout).toBe(
    'first line\nsecond line\nargc=5\nargv[1]=/data/input.txt\nargv[2]=two words\nargv[3]=ünïcödé\n' +
      'argv[4]=--not-an-option\nGREETING=hello = world\nMISSING=(unset)\n',
  );
  expect(ours.stderr).toBe('done\n');
});

test('fileops: create, write, seek, read back, stat, readdir, rename, links, unlink, mkdir/rmdir', () => {
  const ourDir = freshDir('ours');
  const refDir = freshDir('ref');
  const ours = runJetwasm({ wasm: 'fileops.wasm', args: ['/sandbox'], preopens: { '/sandbox': ourDir } });
  const ref = runNodeWasi({ wasm: 'fileops.wasm', args: ['/sandbox'], preopens: { '/sandbox': refDir } });
  expect(ours).toEqual(ref);
  expect(ours.code).toBe(0);
  const lines = ours.stdout.split('\n');
  for (const l of [
    'read back: 6 "world"',
    'pread: 5 "HELLO"',
    'size after truncate: 5',
    'after append: "HELLO+tail"',
    'list: a.txt sub/',
    'rename a.txt -> sub/b.txt: OK',
    'list: b.txt inner.txt',
    'read via link: "HELLO+tail"',
    'hard nlink: 2',
    'rmdir non-empty: ENOTEMPTY',
    'rmdir sub: OK',
  ])
    expect(lines).toContain(l);
  // The program removes everything it made.
  expect(readdirSync(ourDir)).toEqual([]);
});

test('fileops2: timestamps, allocate, fdflags, fd_renumber, a long fd_readdir, poll on stdin', () => {
  const ours = runJetwasm({
    wasm: 'fileops2.wasm',
    args: ['/sandbox'],
    preopens: { '/sandbox': freshDir('ours2') },
    stdin: 'in',
  });
  const ref = runNodeWasi({
    wasm: 'fileops2.wasm',
    args: ['/sandbox'],
    preopens: { '/sandbox': freshDir('ref2') },
    stdin: 'in',
  });
  // node:wasi reports the fdflags an fd was opened with, not those set later by
  // fd_fdstat_set_flags (line 9); everything else must be the same.
  const APPEND_AFTER_SET = 8;
  const ourLines = ours.stdout.split('\n');
  const refLines = ref.stdout.split('\n');
  expect(ourLines[APPEND_AFTER_SET]).toBe('fcntl getfl append: 1');
  expect(refLines[APPEND_AFTER_SET]).toMatch(/^fcntl getfl append: [01]$/);
  ourLines.splice(APPEND_AFTER_SET, 1);
  refLines.splice(APPEND_AFTER_SET, 1);
  expect(ourLines).toEqual(refLines);
  expect({ code: ours.code, stderr: ours.stderr }).toEqual({ code: ref.code, stderr: ref.stderr });
  expect(ours.code).toBe(0);
  for (const l of [
    'mtime 1234567890 atime 1000000000',
    'mtime 1500000000 atime 1000000000',
    'size after allocate: 4096',
    'size after append write: 4099',
    'old fd after renumber: closed',
    'read through renumbered fd: "from u"',
    'readdir: 300 entries, index sum 44850',
    'poll stdin: 1 revents POLLIN',
    'stdin: "in"',
  ])
    expect(ourLines).toContain(l);
});

test('clocks, sleeping and random bytes', () => {
  const ours = runJetwasm({ wasm: 'clocks.wasm' });
  const ref = runNodeWasi({ wasm: 'clocks.wasm' });
  // The sleep lines depend on timing: on a loaded machine Node's own WASI has returned
  // early from a 20 ms sleep ("slept >= 20ms: no"). Ours must report both as met (below);
  // every other line must match the reference.
  const timingFree = (out: string): string =>
    out
      .split('\n')
      .filter((l) => !l.startsWith('slept '))
      .join('\n');
  expect({ ...ours, stdout: timingFree(ours.stdout) }).toEqual({ ...ref, stdout: timingFree(ref.stdout) });
  expect(ours.stdout).toMatch(/^slept >= 20ms: yes$/m);
  expect(ours.stdout).toMatch(/^slept < 5s: yes$/m);
  expect(ours.code).toBe(0);
  expect(ours.stdout).not.toMatch(/: no\b|failed/);
  expect(ours.stdout).toMatch(/^poll: errno 0, events 1, first userdata 22 type 0$/m);
});

test('stdin is copied to stdout', () => {
  const text = Array.from({ length: 3000 }, (_, i) => `line ${i} ${'x'.repeat(i % 50)}`).join('\n') + '\n';
  const ours = runJetwasm({ wasm: 'stdin_echo.wasm', stdin: text });
  const ref = runNodeWasi({ wasm: 'stdin_echo.wasm', stdin: text });
  expect(ours).toEqual(ref);
  expect(ours.stdout).toBe(text);
  expect(ours.stderr).toBe(`read ${Buffer.byteLength(text)} bytes\n`);
  expect(runJetwasm({ wasm: 'stdin_echo.wasm', stdin: '' })).toEqual({ code: 0, stdout: '', stderr: 'read 0 bytes\n' });
});

test('stdin read into memory that grows between reads, written back in one call', () => {
  const text = Array.from({ length: 40000 }, (_, i) => `${i * 7919}`).join(',') + '\n';
  const ours = runJetwasm({ wasm: 'slurp.wasm', stdin: text });
  const ref = runNodeWasi({ wasm: 'slurp.wasm', stdin: text });
  expect(ours).toEqual(ref);
  expect(ours.code).toBe(0);
  expect(ours.stdout).toBe(text);
  expect(ours.stderr).toMatch(new RegExp(`^${Buffer.byteLength(text)} bytes, checksum \\d+\n$`));
});

test('paths are confined to the preopen: "..", symlinks out and absolute symlinks fail with ENOTCAPABLE', () => {
  const setup = (): string => {
    const d = freshDir('confine');
    mkdirSync(path.join(d, 'box', 'sub'), { recursive: true });
    writeFileSync(path.join(d, 'box', 'inside.txt'), 'inside\n');
    writeFileSync(path.join(d, 'outside.txt'), 'secret\n');
    symlinkSync('../outside.txt', path.join(d, 'box', 'escape'));
    symlinkSync(path.join(d, 'outside.txt'), path.join(d, 'box', 'abs'));
    return d;
  };
  const ourDir = setup();
  const ours = runJetwasm({
    wasm: 'confine.wasm',
    args: ['/sandbox'],
    preopens: { '/sandbox': path.join(ourDir, 'box') },
  });
  const ref = runNodeWasi({
    wasm: 'confine.wasm',
    args: ['/sandbox'],
    preopens: { '/sandbox': path.join(setup(), 'box') },
  });
  expect(ours).toEqual(ref);
  expect(ours.stdout.split('\n')).toEqual([
    'open inside.txt: opened, read 7',
    'open ./sub/../inside.txt: opened, read 7',
    'open ../outside.txt: errno 76 (ENOTCAPABLE)',
    'open sub/../../outside.txt: errno 76 (ENOTCAPABLE)',
    'open escape: errno 76 (ENOTCAPABLE)',
    'open abs: errno 76 (ENOTCAPABLE)',
    'fstatat ../outside.txt: -1 errno 76',
    'mkdirat ../made: -1 errno 76',
    '',
  ]);
  expect(readdirSync(ourDir).sort()).toEqual(['box', 'outside.txt']);
  expect(readFileSync(path.join(ourDir, 'outside.txt'), 'utf8')).toBe('secret\n');
});

test('WASI programs run under node --jitless, where native WebAssembly does not exist', () => {
  const d = freshDir('jitless');
  writeFileSync(path.join(d, 'input.txt'), 'no native wasm\n');
  const r = spawnSync(
    process.execPath,
    ['--jitless', bin, 'run', '--dir', `${d}::/data`, path.join(HERE, 'cat_args.wasm'), '/data/input.txt'],
    {
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  expect(r.status).toBe(3);
  expect(r.stdout).toBe('no native wasm\nargc=2\nargv[1]=/data/input.txt\nGREETING=(unset)\nMISSING=(unset)\n');
  // V8 announces that --jitless disables WebAssembly; the program's own stderr follows.
  expect(r.stderr.split('\n').filter((l) => !/expose_wasm/.test(l))).toEqual(['done', '']);
});

describe('jetwasm run command line', () => {
  test('--help shows the usage with --dir, --env and --invoke', () => {
    const r = jetwasm(['run', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: jetwasm run /);
    for (const o of ['--dir DIR', '--env K=V', '--invoke NAME']) expect(r.stdout).toContain(o);
  });

  test('a reactor: _initialize runs, then --invoke calls an export and prints its result', () => {
    expect(jetwasm(['run', path.join(HERE, 'reactor.wasm'), '--invoke', 'add', '2', '-3'])).toEqual({
      code: 0,
      stdout: '-1\n',
      stderr: '',
    });
    expect(jetwasm(['run', path.join(HERE, 'reactor.wasm'), '--invoke', 'greet', '2'])).toEqual({
      code: 0,
      stdout: 'hello 0\nhello 1\n2\n',
      stderr: '',
    });
  });

  test('proc_exit inside --invoke becomes the exit code', () => {
    expect(jetwasm(['run', path.join(HERE, 'reactor.wasm'), '--invoke', 'quit', '7'])).toEqual({
      code: 7,
      stdout: '',
      stderr: '',
    });
  });

  test('a trap is reported on stderr (with its Wasm backtrace) and exit code 1', () => {
    const r = jetwasm(['run', path.join(HERE, 'reactor.wasm'), '--invoke', 'crash']);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe('jetwasm: trap: unreachable');
  });

  test('a reactor without --invoke, a missing preopen, a missing file, unknown options: one line, non-zero', () => {
    const cases: [string[], RegExp][] = [
      [['run', path.join(HERE, 'reactor.wasm')], /reactor .*--invoke NAME/],
      [
        ['run', '--dir', path.join(work, 'no-such-dir'), path.join(HERE, 'cat_args.wasm')],
        /preopened directory .*no-such-dir.* does not exist/,
      ],
      [['run', path.join(work, 'nope.wasm')], /cannot read .*nope\.wasm/],
      [['run', '--frob', path.join(HERE, 'cat_args.wasm')], /unknown option --frob/],
      [['run', '--dir'], /--dir needs a value/],
    ];
    for (const [args, message] of cases) {
      const r = jetwasm(args);
      expect(r.code).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });

  test('the guest name of a preopen defaults to the host path as given', () => {
    const d = freshDir('plain');
    writeFileSync(path.join(d, 'input.txt'), 'x\n');
    const r = spawnSync(
      process.execPath,
      [bin, 'run', '--dir', d, path.join(HERE, 'cat_args.wasm'), `${d}/input.txt`],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(3);
    expect(r.stdout.split('\n')[0]).toBe('x');
  });
});
