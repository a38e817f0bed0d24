// `jetwasm run`: instantiate a module and either run it as a WASI program (`_start`, or
// `_initialize` then --invoke for reactors) or call one export with command-line arguments.
//
// Argument grammar (options come before the program's own arguments):
//   run [--dir DIR[::GUEST]]... [--env K[=V]]... [--fuel N] [--timeout TIME]
//       FILE [--invoke NAME [ARG...]] [--] [PROGRAM-ARG...]
// Options may also follow FILE, and take their value as `--opt VALUE` or `--opt=VALUE`. After `--invoke NAME`, everything up to `--` are the
// function's arguments. Without --invoke, the first argument after FILE that is not an
// option, or everything after `--`, is the WASI program's argv[1...].

import { readFileSync } from 'fs';
import * as path from 'path';
import type { Io } from '../spec-tests/index';
import type { ValType } from '../compiler/ir';
import { CliError, OptionReader, UsageError, cannotRead, parseDuration } from './errors';

export { UsageError } from './errors';

export const RUN_USAGE = `Usage: jetwasm run [options] FILE [--invoke NAME [ARG...]] [--] [PROGRAM-ARG...]

Compiles FILE (.wat text or .wasm binary) and instantiates it.

A WASI module (one importing "wasi_snapshot_preview1" or exporting _start) runs as a
program: _start is called with argv = FILE PROGRAM-ARG..., stdin/stdout/stderr are this
process's, and the exit code is the program's (proc_exit, else 0). A reactor (exporting
_initialize) is initialized, then --invoke calls into it. A wasi-threads program (one
importing "wasi" "thread-spawn" and a shared memory) runs _start and each thread it
spawns on a worker thread of its own, all sharing the memory; proc_exit or a trap in any
thread ends the program (--fuel is then per thread).

With --invoke NAME, the exported function NAME is called with ARGs converted by its
parameter types (integers in decimal or 0x hex; floats as decimal, inf, -inf or nan) and
each result is printed on its own line. Modules may also import the "spectest" print
functions, globals, table and memory.

Options (each option with a value also takes the form --option=VALUE):
  --dir DIR          give the program the host directory DIR, under the name DIR
  --dir HOST::GUEST  give the program the host directory HOST, under the name GUEST
  --env K=V          set environment variable K (nothing is inherited from the host;
                     --env K passes the host's value of K)
  --invoke NAME      call export NAME instead of _start
  --fuel N           give the run N units of fuel (about one per Wasm instruction; see
                     README "Resource limits"); running out traps with "all fuel consumed"
  --timeout TIME     stop the run after TIME (milliseconds, or with a unit: 500ms, 2s);
                     it traps with "interrupt"
  --no-cache         do not use the persistent compile cache (README "Caches"; on by
                     default, in $JETWASM_CACHE, else $XDG_CACHE_HOME/jetwasm or
                     ~/.cache/jetwasm)
  --                 end of options: the rest are the program's arguments

--fuel and --timeout cover instantiation (the start function), _initialize, _start and
the --invoke call. Time spent blocked in a host call (e.g. reading stdin) is not
interrupted; the trap comes at the program's next function entry or loop iteration.

A trap prints "jetwasm: trap: MESSAGE" and a Wasm backtrace on stderr, innermost call
first: each frame's function index, its name from the module's name section if any, and
the byte offset of the function's body in the module (not of the trapping instruction).

Exit code: the WASI program's (proc_exit, or 0 when _start returns); 0 after --invoke
returns; 1 on a compile or link error or a trap; 2 on a usage error or unreadable FILE.`;

const defaultIo: Io = {
  out: (l) => process.stdout.write(l + '\n'),
  err: (l) => process.stderr.write(l + '\n'),
};

/**
 * Reads a module: .wat/.wast text through the text parser, anything else as binary.
 * A file that cannot be read is a UsageError; a text parse error is a CliError naming the file.
 */
export async function loadModuleBytes(file: string): Promise<Uint8Array> {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (e) {
    throw cannotRead(file, e);
  }
  const ext = path.extname(file).toLowerCase();
  if (ext === '.wat' || ext === '.wast') {
    const { parseWat } = await import('../compiler/text');
    let out: unknown;
    try {
      out = parseWat(data.toString('utf8'));
    } catch (e) {
      throw compileFailure(file, e);
    }
    if (out instanceof Uint8Array) return out;
    if (typeof out === 'object' && out !== null && typeof (out as { encode?: unknown }).encode === 'function') {
      return (out as { encode(): Uint8Array }).encode();
    }
    throw new Error('text parser returned no binary module');
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * A CompileError (parse, decode, validation) becomes one line naming the file in the
 * error's own place format (`FILE:LINE:COL: ...` for text, `FILE: ... at offset 0x..` for
 * binaries); others pass.
 */
export function compileFailure(file: string, e: unknown): unknown {
  const isCompile =
    e instanceof Error && e.name === 'CompileError' && typeof (e as { kind?: unknown }).kind === 'string';
  if (!isCompile) return e;
  const located = e as Error & { locate?: (place: { file: string }) => Error };
  return new CliError(
    typeof located.locate === 'function' ? located.locate({ file }).message : `${file}: ${located.message}`,
  );
}

/** Loads and compiles FILE; every failure is reported naming the file. */
export async function compileFile(
  file: string,
  engine: import('../runtime').Engine,
): Promise<import('../runtime').Module> {
  const rt = await import('../runtime');
  const bytes = await loadModuleBytes(file);
  try {
    return rt.Module.fromBinary(engine, bytes);
  } catch (e) {
    throw compileFailure(file, e);
  }
}

/**
 * What went wrong while instantiating or running: a trap or an uncaught Wasm exception
 * (with the Wasm backtrace), a link error, or an error raised by a host function.
 */
async function runFailure(e: unknown, file: string, module: import('../runtime').Module): Promise<unknown> {
  const rt = await import('../runtime');
  const trace = (): string[] => {
    const lines = rt.formatWasmBacktrace(rt.wasmBacktrace(e, module));
    return lines.length > 0 ? ['wasm backtrace:', ...lines] : [];
  };
  if (e instanceof rt.LinkError) return new CliError(`cannot instantiate ${file}: ${e.message}`);
  if (e instanceof rt.RuntimeError) return new CliError(`trap: ${e.message}`, trace());
  if (e instanceof rt.WasmException) return new CliError('uncaught wasm exception', trace());
  if (e instanceof UsageError || e instanceof CliError) return e;
  if (e instanceof Error && e.name === 'Error') return new CliError(e.message.split('\n')[0], trace());
  return e;
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

export interface RunOptions {
  readonly file: string;
  readonly dirs: readonly { readonly host: string; readonly guest: string }[];
  readonly env: Readonly<Record<string, string>>;
  readonly invoke: string | undefined;
  readonly invokeArgs: readonly string[];
  readonly programArgs: readonly string[];
  /** --fuel: the store's fuel (the engine consumes fuel only when set). */
  readonly fuel?: number;
  /** --timeout: wall-clock limit of the run in milliseconds (epoch interruption). */
  readonly timeoutMs?: number;
  /** False with --no-cache: no persistent compile cache. */
  readonly cache?: boolean;
}

/** Parses `run`'s arguments (see the grammar at the top of this file). */
export function parseRunArgs(args: readonly string[], hostEnv: NodeJS.ProcessEnv = process.env): RunOptions {
  let file: string | undefined;
  let invoke: string | undefined;
  let fuel: number | undefined;
  let timeoutMs: number | undefined;
  let cache = true;
  const dirs: { host: string; guest: string }[] = [];
  const env: Record<string, string> = {};
  const invokeArgs: string[] = [];
  const r = new OptionReader(args);
  for (let a = r.next(); a !== undefined; a = r.next()) {
    if (a === '--') break;
    if (invoke !== undefined) {
      invokeArgs.push(a);
      continue;
    }
    const flag = r.flag;
    if (flag === '--dir') {
      const spec = r.value();
      const sep = spec.indexOf('::');
      const host = sep < 0 ? spec : spec.slice(0, sep);
      const guest = sep < 0 ? spec : spec.slice(sep + 2);
      if (host === '' || guest === '') throw new UsageError(`--dir needs DIR or HOST::GUEST, got "${spec}"`);
      dirs.push({ host, guest });
    } else if (flag === '--env') {
      const spec = r.value();
      const eq = spec.indexOf('=');
      const key = eq < 0 ? spec : spec.slice(0, eq);
      if (key === '') throw new UsageError(`--env needs K=V, got "${spec}"`);
      if (eq >= 0) env[key] = spec.slice(eq + 1);
      else if (hostEnv[key] !== undefined) env[key] = hostEnv[key] as string;
    } else if (flag === '--fuel') {
      const text = r.value();
      fuel = Number(text);
      if (!/^\d+$/.test(text) || !Number.isSafeInteger(fuel))
        throw new UsageError(`--fuel needs a non-negative integer, got "${text}"`);
    } else if (flag === '--timeout') {
      timeoutMs = parseDuration(r.value(), flag, 'ms');
    } else if (a === '--no-cache') {
      cache = false;
    } else if (flag === '--invoke') {
      if (file === undefined) throw new UsageError('run needs a FILE before --invoke (see jetwasm run --help)');
      invoke = r.value();
    } else if (a.startsWith('--')) {
      throw new UsageError(`unknown option ${flag} (see jetwasm run --help)`);
    } else if (file === undefined) {
      file = a;
    } else {
      // The program's arguments start here; nothing after is an option of ours.
      r.i--;
      break;
    }
  }
  const programArgs = r.rest();
  if (file === undefined) throw new UsageError('run needs a FILE (see jetwasm run --help)');
  return { file, dirs, env, invoke, invokeArgs, programArgs, fuel, timeoutMs, cache };
}

function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  const own = end < 0 ? args : args.slice(0, end);
  return own.includes('--help') || own.includes('-h');
}

/** Wasm frames the CLI can show: V8 records 10 stack frames by default, host frames included. */
const STACK_TRACE_LIMIT = 100;

export async function runCommand(args: string[], io: Io = defaultIo): Promise<number> {
  if (wantsHelp(args)) {
    io.out(RUN_USAGE);
    return 0;
  }
  const opts = parseRunArgs(args);
  const rt = await import('../runtime');
  const wasiLib = await import('../runtime/wasi');
  const { createSpectest } = await import('../spec-tests/spectest');
  // Fuel and interrupt checks exist in generated code only when the engine asks for them.
  const engine = new rt.Engine({
    ...(opts.fuel !== undefined ? { consumeFuel: true } : {}),
    ...(opts.timeoutMs !== undefined ? { epochInterruption: true } : {}),
    // The persistent cache: written when the process exits (runtime/cache/index.ts).
    cache: opts.cache === false ? false : process.env.JETWASM_CACHE ? { directory: process.env.JETWASM_CACHE } : true,
  });
  const store = new rt.Store(engine);
  const module = await compileFile(opts.file, engine);
  const exportNames = new Set(module.exports().map((e) => e.name));
  const isWasi = module.imports().some((imp) => imp.module === wasiLib.WASI_MODULE) || exportNames.has('_start');

  if (isWasi && (await import('../runtime/wasi/threads')).usesWasiThreads(module)) {
    if (opts.invoke !== undefined)
      throw new UsageError(`${opts.file} uses wasi-threads: it runs as a command only (no --invoke)`);
    return runThreaded(opts, module);
  }

  let wasi: import('../runtime/wasi').Wasi | undefined;
  let wasiFuncs: Map<string, import('../runtime').Func> | undefined;
  if (isWasi) {
    const preopens = opts.dirs.map((d) => [d.guest, d.host] as const);
    try {
      wasi = new wasiLib.Wasi({ args: [opts.file, ...opts.programArgs], env: opts.env, preopens });
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    wasiFuncs = wasi.imports(store);
  } else if (opts.dirs.length > 0 || Object.keys(opts.env).length > 0 || opts.programArgs.length > 0) {
    throw new UsageError('--dir, --env and program arguments apply only to WASI modules');
  }

  let spectest: Map<string, import('../runtime').Extern> | undefined;
  const imports = module.imports().map((imp) => {
    if (imp.module === wasiLib.WASI_MODULE && wasiFuncs) {
      const f = wasiFuncs.get(imp.name);
      if (f) return f;
      throw new CliError(`cannot instantiate ${opts.file}: unknown WASI import "${imp.module}" "${imp.name}"`);
    }
    if (imp.module === 'spectest') {
      spectest ??= createSpectest(store, (vals) => io.out(vals.map(String).join(' ')));
      const ext = spectest.get(imp.name);
      if (ext) return ext;
    }
    throw new CliError(
      `cannot instantiate ${opts.file}: unknown import "${imp.module}" "${imp.name}" ` +
        '(jetwasm run provides "wasi_snapshot_preview1" and "spectest")',
    );
  });

  // Checked before anything runs, so that a usage problem is never reported after the
  // program's own output.
  if (opts.invoke === undefined && !(wasi && exportNames.has('_start'))) {
    if (wasi && exportNames.has('_initialize')) {
      throw new UsageError(`${opts.file} is a WASI reactor (exports _initialize): use --invoke NAME`);
    }
    throw new UsageError(`${opts.file} exports no _start: use --invoke NAME to call a function`);
  }
  let fn: import('../runtime').Func | undefined;
  let values: unknown[] = [];
  if (opts.invoke !== undefined) {
    const name = opts.invoke;
    const ex = module.exportTypes().find((e) => e.name === name);
    if (ex === undefined || ex.kind !== 'func') throw new UsageError(`no exported function "${name}"`);
    const params = ex.type.params;
    if (opts.invokeArgs.length !== params.length) {
      throw new UsageError(`"${name}" takes ${params.length} argument(s), got ${opts.invokeArgs.length}`);
    }
    values = opts.invokeArgs.map((a, i) => parseArg(a, params[i]));
  }

  if (opts.fuel !== undefined) store.setFuel(opts.fuel);
  if (opts.timeoutMs !== undefined) store.setDeadline(opts.timeoutMs);
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = Math.max(limit, STACK_TRACE_LIMIT);
  let results: unknown[];
  try {
    const instance = rt.Instance.instantiate(store, module, imports);
    if (opts.invoke === undefined) return wasi!.start(instance);
    fn = instance.getExport(opts.invoke) as import('../runtime').Func;
    if (wasi) {
      // A reactor is initialized before its exports are used; a command's memory is bound.
      if (exportNames.has('_initialize') && !exportNames.has('_start')) wasi.initialize(instance);
      else wasi.bind(instance);
    }
    results = fn.call(...values);
  } catch (e) {
    if (e instanceof wasiLib.WasiExit) return e.code;
    throw await runFailure(e, opts.file, module);
  } finally {
    Error.stackTraceLimit = limit;
  }
  results.forEach((v, i) => io.out(formatResult(v, fn!.type.results[i])));
  return 0;
}

/**
 * A wasi-threads command (imports "wasi" "thread-spawn"): _start and every thread it spawns
 * run on workers sharing the memory (runtime/wasi/threads.ts); proc_exit or a trap in any
 * thread ends the run.
 */
async function runThreaded(opts: RunOptions, module: import('../runtime').Module): Promise<number> {
  const threads = await import('../runtime/wasi/threads');
  const preopens = opts.dirs.map((d) => [d.guest, d.host] as const);
  const wasiOptions = { args: [opts.file, ...opts.programArgs], env: opts.env, preopens };
  try {
    // Checked here so that a bad --dir is a usage error, as for other WASI programs.
    new (await import('../runtime/wasi')).Wasi(wasiOptions);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  try {
    return await threads.runWasiThreads({
      bytes: await loadModuleBytes(opts.file),
      wasi: wasiOptions,
      engine: {
        ...(opts.fuel !== undefined ? { consumeFuel: true } : {}),
        ...(opts.timeoutMs !== undefined ? { epochInterruption: true } : {}),
      },
      fuel: opts.fuel,
      timeoutMs: opts.timeoutMs,
    });
  } catch (e) {
    if (e instanceof threads.WasiThreadError) {
      const trace = e.backtrace.length > 0 ? ['wasm backtrace:', ...e.backtrace] : [];
      const what = e.kind === 'trap' ? `trap: ${e.message}` : e.message;
      throw new CliError(e.thread === 0 ? what : `${what} (in thread ${e.thread})`, trace);
    }
    throw await runFailure(e, opts.file, module);
  }
}
