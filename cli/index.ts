// The `jetwasm` command line: `wast` (spec scripts), `run` (invoke an export), `validate`.
// bin/jetwasm.js calls cli(); main() is separate so tests can drive it with their own I/O.
//
// Engine modules are loaded lazily per command, so `--help` and argument errors work even
// when only part of the project is built.

import { readFileSync } from 'fs';
import * as path from 'path';
import { DEFAULT_JOBS, DEFAULT_TIMEOUT_MS, runWast, type Io } from '../spec-tests/index';
import type { ValType } from '../compiler/ir';

const USAGE = `Usage: jetwasm <command> [options]

Commands:
  wast [options] PATH...          run WebAssembly spec scripts (.wast files or folders)
  run FILE --invoke NAME [ARG...] instantiate FILE (.wat or .wasm) and call export NAME
  validate FILE                   decode and validate FILE (.wat or .wasm)

Run 'jetwasm <command> --help' for a command's options.`;

const WAST_USAGE = `Usage: jetwasm wast [options] PATH...

Runs every command of the given .wast scripts (folders are searched recursively), each
file isolated in a worker thread. Prints one line per file and, last, the totals line
"N passed, N failed, N skipped".

Options:
  --suite DIR        run a testsuite checkout: its top-level scripts, legacy/ and custom/;
                     if DIR does not exist, say so and skip (not an error)
  --proposals        with --suite, also run DIR/proposals/
  --json FILE        write a JSON report (per file: counts and each failed/skipped command)
  --table            print a per-file table
  --expect FILE      compare with recorded per-file counts; exit 1 on any regression
  --update-expect    record this run's counts in the --expect file
                     (default spec-tests/expected.json); other entries are kept
  --jobs N           worker threads (default ${DEFAULT_JOBS}; 0 runs in this thread)
  --timeout SECONDS  per-file time limit (default ${DEFAULT_TIMEOUT_MS / 1000})

Exit code: with --expect, 1 on regressions; without, 1 if any command failed.`;

const RUN_USAGE = `Usage: jetwasm run FILE --invoke NAME [ARG...]

Compiles FILE (.wat text or .wasm binary), instantiates it and calls the exported function
NAME with ARGs converted by its parameter types (integers in decimal or 0x hex; floats as
decimal, inf, -inf or nan). Prints each result on its own line. Modules may import the
"spectest" print functions, globals, table and memory; other imports are not provided.`;

const VALIDATE_USAGE = `Usage: jetwasm validate FILE

Decodes and validates FILE (.wat text or .wasm binary). Prints "valid" and exits 0, or
prints the error's kind (malformed or invalid) and message and exits 1.`;

/** A usage problem: reported as one line on stderr, exit code 2. */
class UsageError extends Error {}

const defaultIo: Io = {
  out: (l) => process.stdout.write(l + '\n'),
  err: (l) => process.stderr.write(l + '\n'),
};

function wantsHelp(args: readonly string[]): boolean {
  return args.includes('--help') || args.includes('-h');
}

function takeValue(args: string[], i: number, flag: string): string {
  const v = args[i + 1];
  if (v === undefined) throw new UsageError(`${flag} needs a value`);
  return v;
}

async function wastCommand(args: string[], io: Io): Promise<number> {
  if (wantsHelp(args)) {
    io.out(WAST_USAGE);
    return 0;
  }
  const paths: string[] = [];
  let json: string | undefined;
  let expect: string | undefined;
  let suite: string | undefined;
  let table = false;
  let updateExpect = false;
  let proposals = false;
  let jobs = DEFAULT_JOBS;
  let timeoutMs = DEFAULT_TIMEOUT_MS;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    switch (a) {
      case '--json':
        json = takeValue(args, i++, a);
        break;
      case '--expect':
        expect = takeValue(args, i++, a);
        break;
      case '--suite':
        suite = takeValue(args, i++, a);
        break;
      case '--table':
        table = true;
        break;
      case '--update-expect':
        updateExpect = true;
        break;
      case '--proposals':
        proposals = true;
        break;
      case '--jobs': {
        jobs = Number(takeValue(args, i++, a));
        if (!Number.isInteger(jobs) || jobs < 0) throw new UsageError('--jobs needs a non-negative integer');
        break;
      }
      case '--timeout': {
        const s = Number(takeValue(args, i++, a));
        if (!(s > 0)) throw new UsageError('--timeout needs a positive number of seconds');
        timeoutMs = s * 1000;
        break;
      }
      default:
        if (a.startsWith('--')) throw new UsageError(`unknown option ${a} (see jetwasm wast --help)`);
        paths.push(a);
    }
  }
  if (paths.length === 0 && suite === undefined) throw new UsageError('wast needs at least one PATH or --suite DIR');
  return runWast({ paths, suite, proposals, json, table, expect, updateExpect, jobs, timeoutMs }, io);
}

/** Reads a module: .wat/.wast text through the text parser, anything else as binary. */
async function loadModuleBytes(file: string): Promise<Uint8Array> {
  const data = readFileSync(file);
  const ext = path.extname(file).toLowerCase();
  if (ext === '.wat' || ext === '.wast') {
    const { parseWat } = await import('../compiler/text');
    const out: unknown = parseWat(data.toString('utf8'));
    if (out instanceof Uint8Array) return out;
    if (typeof out === 'object' && out !== null && typeof (out as { encode?: unknown }).encode === 'function') {
      return (out as { encode(): Uint8Array }).encode();
    }
    throw new Error('text parser returned no binary module');
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Converts a command-line argument to a Wasm value of type t (API representation). */
export function parseArg(text: string, t: ValType): unknown {
  const bad = (): never => {
    throw new UsageError(`argument "${text}" is not a valid ${typeof t === 'string' ? t : 'reference'}`);
  };
  const int = (bits: 32 | 64): bigint => {
    const s = text.replace(/_/g, '');
    if (!/^[+-]?(0x[0-9a-f]+|[0-9]+)$/i.test(s)) bad();
    const neg = s.startsWith('-');
    const mag = BigInt(s.replace(/^[+-]/, ''));
    const v = neg ? -mag : mag;
    if (v < -(1n << BigInt(bits - 1)) || v >= 1n << BigInt(bits)) bad();
    return BigInt.asIntN(bits, v);
  };
  const float = (): number => {
    const s = text.toLowerCase();
    if (s === 'nan' || s === '+nan') return NaN;
    if (s === '-nan') return -NaN;
    if (s === 'inf' || s === '+inf' || s === 'infinity') return Infinity;
    if (s === '-inf' || s === '-infinity') return -Infinity;
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(s)) bad();
    return Number(s);
  };
  switch (t) {
    case 'i32':
      return Number(int(32));
    case 'i64':
      return int(64);
    case 'f32':
      return Math.fround(float());
    case 'f64':
      return float();
    case 'v128':
      throw new UsageError('v128 arguments are not supported on the command line');
    default:
      if (text === 'null') return null;
      throw new UsageError('reference arguments other than "null" are not supported on the command line');
  }
}

/** Shortest decimal text that reads back as the same f32. */
function formatF32(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  for (let p = 1; p <= 9; p++) {
    const s = Number(x.toPrecision(p));
    if (Math.fround(s) === x) return Object.is(x, -0) ? '-0' : String(s);
  }
  return String(x);
}

function formatResult(v: unknown, t: ValType): string {
  switch (t) {
    case 'i32':
    case 'i64':
      return String(v);
    case 'f32':
      return formatF32(v as number);
    case 'f64': {
      const x = v as number;
      if (Number.isNaN(x)) return 'nan';
      if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
      return Object.is(x, -0) ? '-0' : String(x);
    }
    case 'v128':
      return Array.from(v as Uint8Array, (b) => b.toString(16).padStart(2, '0')).join(' ');
    default:
      return v === null ? 'null' : `<${typeof t === 'object' ? String(t.heap) : 'ref'}>`;
  }
}

async function runCommand(args: string[], io: Io): Promise<number> {
  if (wantsHelp(args)) {
    io.out(RUN_USAGE);
    return 0;
  }
  const file = args[0];
  if (file === undefined || file.startsWith('--')) throw new UsageError('run needs a FILE (see jetwasm run --help)');
  const inv = args.indexOf('--invoke');
  if (inv < 0) {
    throw new UsageError('run needs --invoke NAME (running a WASI _start is not supported yet)');
  }
  if (inv !== 1) throw new UsageError(`unexpected argument ${args[1]} (see jetwasm run --help)`);
  const name = args[inv + 1];
  if (name === undefined) throw new UsageError('--invoke needs a function NAME');
  const rawArgs = args.slice(inv + 2);

  const rt = await import('../runtime');
  const { createSpectest } = await import('../spec-tests/spectest');
  const bytes = await loadModuleBytes(file);
  const engine = new rt.Engine();
  const store = new rt.Store(engine);
  const module = rt.Module.fromBinary(engine, bytes);
  let spectest: Map<string, import('../runtime').Extern> | undefined;
  const imports = module.imports().map((imp) => {
    if (imp.module === 'spectest') {
      spectest ??= createSpectest(store, (vals) => io.out(vals.map(String).join(' ')));
      const ext = spectest.get(imp.name);
      if (ext) return ext;
    }
    throw new rt.LinkError(`unknown import "${imp.module}" "${imp.name}" (jetwasm run provides only "spectest")`);
  });
  const instance = rt.Instance.instantiate(store, module, imports);
  const fn = instance.getExport(name);
  if (!(fn instanceof rt.Func)) throw new UsageError(`no exported function "${name}"`);
  const params = fn.type.params;
  if (rawArgs.length !== params.length) {
    throw new UsageError(`"${name}" takes ${params.length} argument(s), got ${rawArgs.length}`);
  }
  const values = rawArgs.map((a, i) => parseArg(a, params[i]));
  const results = fn.call(...values);
  results.forEach((v, i) => io.out(formatResult(v, fn.type.results[i])));
  return 0;
}

async function validateCommand(args: string[], io: Io): Promise<number> {
  if (wantsHelp(args)) {
    io.out(VALIDATE_USAGE);
    return 0;
  }
  if (args.length !== 1 || args[0].startsWith('--')) throw new UsageError('validate needs exactly one FILE');
  const rt = await import('../runtime');
  try {
    const bytes = await loadModuleBytes(args[0]);
    rt.Module.fromBinary(new rt.Engine(), bytes);
  } catch (e) {
    if (e instanceof rt.CompileError) {
      io.out(`${e.kind}: ${e.message}`);
      return 1;
    }
    throw e;
  }
  io.out('valid');
  return 0;
}

/** Runs the CLI with the given arguments (without `node` and the script); returns the exit code. */
export async function main(argv: readonly string[], io: Io = defaultIo): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        io.out(USAGE);
        return cmd === undefined ? 2 : 0;
      case 'wast':
        return await wastCommand(rest, io);
      case 'run':
        return await runCommand(rest, io);
      case 'validate':
        return await validateCommand(rest, io);
      default:
        throw new UsageError(`unknown command "${cmd}" (see jetwasm --help)`);
    }
  } catch (e) {
    io.err(`jetwasm: ${describe(e)}`);
    return e instanceof UsageError ? 2 : 1;
  }
}

/** Error text for the one-line report: the class name tells the kind (e.g. RuntimeError). */
function describe(e: unknown): string {
  if (e instanceof UsageError) return e.message;
  if (e instanceof Error) {
    const kind = (e as { kind?: unknown }).kind;
    const name = e.name === 'Error' ? e.constructor.name : e.name;
    const first = e.message.split('\n')[0];
    return typeof kind === 'string' ? `${name} (${kind}): ${first}` : `${name}: ${first}`;
  }
  return String(e);
}

/** Entry used by bin/jetwasm.js. */
export function cli(): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`jetwasm: internal error: ${describe(e)}\n`);
      process.exitCode = 1;
    },
  );
}
