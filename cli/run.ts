// `jetwasm run`: instantiate a module and either run it as a WASI program (`_start`, or
// `_initialize` then --invoke for reactors) or call one export with command-line arguments.
//
// Argument grammar (options come before the program's own arguments):
//   run [--dir DIR[::GUEST]]... [--env K[=V]]... FILE [--invoke NAME [ARG...]] [--] [PROGRAM-ARG...]
// Options may also follow FILE. After `--invoke NAME`, everything up to `--` are the
// function's arguments. Without --invoke, the first argument after FILE that is not an
// option, or everything after `--`, is the WASI program's argv[1...].

import { readFileSync } from 'fs';
import * as path from 'path';
import type { Io } from '../spec-tests/index';
import type { ValType } from '../compiler/ir';

/** A usage problem: reported as one line on stderr, exit code 2. */
export class UsageError extends Error {}

export const RUN_USAGE = `Usage: jetwasm run [options] FILE [--invoke NAME [ARG...]] [--] [PROGRAM-ARG...]

Compiles FILE (.wat text or .wasm binary) and instantiates it.

A WASI module (one importing "wasi_snapshot_preview1" or exporting _start) runs as a
program: _start is called with argv = FILE PROGRAM-ARG..., stdin/stdout/stderr are this
process's, and the exit code is the program's (proc_exit, else 0). A reactor (exporting
_initialize) is initialized, then --invoke calls into it.

With --invoke NAME, the exported function NAME is called with ARGs converted by its
parameter types (integers in decimal or 0x hex; floats as decimal, inf, -inf or nan) and
each result is printed on its own line. Modules may also import the "spectest" print
functions, globals, table and memory.

Options:
  --dir DIR          give the program the host directory DIR, under the name DIR
  --dir HOST::GUEST  give the program the host directory HOST, under the name GUEST
  --env K=V          set environment variable K (nothing is inherited from the host;
                     --env K passes the host's value of K)
  --invoke NAME      call export NAME instead of _start
  --                 end of options: the rest are the program's arguments`;

const defaultIo: Io = {
  out: (l) => process.stdout.write(l + '\n'),
  err: (l) => process.stderr.write(l + '\n'),
};

/** Reads a module: .wat/.wast text through the text parser, anything else as binary. */
export async function loadModuleBytes(file: string): Promise<Uint8Array> {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    throw new UsageError(code === 'ENOENT' ? `cannot read ${file}: no such file` : `cannot read ${file}: ${(e as Error).message}`);
  }
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

export interface RunOptions {
  readonly file: string;
  readonly dirs: readonly { readonly host: string; readonly guest: string }[];
  readonly env: Readonly<Record<string, string>>;
  readonly invoke: string | undefined;
  readonly invokeArgs: readonly string[];
  readonly programArgs: readonly string[];
}

/** Parses `run`'s arguments (see the grammar at the top of this file). */
export function parseRunArgs(args: readonly string[], hostEnv: NodeJS.ProcessEnv = process.env): RunOptions {
  let file: string | undefined;
  let invoke: string | undefined;
  const dirs: { host: string; guest: string }[] = [];
  const env: Record<string, string> = {};
  const invokeArgs: string[] = [];
  const programArgs: string[] = [];
  const value = (i: number, flag: string): string => {
    const v = args[i + 1];
    if (v === undefined) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      i++;
      break;
    }
    if (invoke !== undefined) {
      invokeArgs.push(a);
      continue;
    }
    if (a === '--dir') {
      const spec = value(i++, a);
      const sep = spec.indexOf('::');
      const host = sep < 0 ? spec : spec.slice(0, sep);
      const guest = sep < 0 ? spec : spec.slice(sep + 2);
      if (host === '' || guest === '') throw new UsageError(`--dir needs DIR or HOST::GUEST, got "${spec}"`);
      dirs.push({ host, guest });
    } else if (a === '--env') {
      const spec = value(i++, a);
      const eq = spec.indexOf('=');
      const key = eq < 0 ? spec : spec.slice(0, eq);
      if (key === '') throw new UsageError(`--env needs K=V, got "${spec}"`);
      if (eq >= 0) env[key] = spec.slice(eq + 1);
      else if (hostEnv[key] !== undefined) env[key] = hostEnv[key] as string;
    } else if (a === '--invoke') {
      if (file === undefined) throw new UsageError('run needs a FILE before --invoke (see jetwasm run --help)');
      invoke = value(i++, a);
    } else if (a.startsWith('--')) {
      throw new UsageError(`unknown option ${a} (see jetwasm run --help)`);
    } else if (file === undefined) {
      file = a;
    } else {
      // The program's arguments start here; nothing after is an option of ours.
      break;
    }
  }
  programArgs.push(...args.slice(i));
  if (file === undefined) throw new UsageError('run needs a FILE (see jetwasm run --help)');
  return { file, dirs, env, invoke, invokeArgs, programArgs };
}

function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  const own = end < 0 ? args : args.slice(0, end);
  return own.includes('--help') || own.includes('-h');
}

export async function runCommand(args: string[], io: Io = defaultIo): Promise<number> {
  if (wantsHelp(args)) {
    io.out(RUN_USAGE);
    return 0;
  }
  const opts = parseRunArgs(args);
  const rt = await import('../runtime');
  const wasiLib = await import('../runtime/wasi');
  const { createSpectest } = await import('../spec-tests/spectest');
  const bytes = await loadModuleBytes(opts.file);
  const engine = new rt.Engine();
  const store = new rt.Store(engine);
  const module = rt.Module.fromBinary(engine, bytes);
  const exportNames = new Set(module.exports().map((e) => e.name));
  const isWasi = module.imports().some((imp) => imp.module === wasiLib.WASI_MODULE) || exportNames.has('_start');

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
      throw new rt.LinkError(`unknown WASI import "${imp.module}" "${imp.name}"`);
    }
    if (imp.module === 'spectest') {
      spectest ??= createSpectest(store, (vals) => io.out(vals.map(String).join(' ')));
      const ext = spectest.get(imp.name);
      if (ext) return ext;
    }
    throw new rt.LinkError(`unknown import "${imp.module}" "${imp.name}" (jetwasm run provides "wasi_snapshot_preview1" and "spectest")`);
  });
  const instance = rt.Instance.instantiate(store, module, imports);

  if (opts.invoke === undefined) {
    if (wasi && exportNames.has('_start')) return wasi.start(instance);
    if (wasi && exportNames.has('_initialize')) {
      throw new UsageError(`${opts.file} is a WASI reactor (exports _initialize): use --invoke NAME`);
    }
    throw new UsageError(`${opts.file} exports no _start: use --invoke NAME to call a function`);
  }

  const name = opts.invoke;
  const fn = instance.getExport(name);
  if (!(fn instanceof rt.Func)) throw new UsageError(`no exported function "${name}"`);
  const params = fn.type.params;
  if (opts.invokeArgs.length !== params.length) {
    throw new UsageError(`"${name}" takes ${params.length} argument(s), got ${opts.invokeArgs.length}`);
  }
  const values = opts.invokeArgs.map((a, i) => parseArg(a, params[i]));
  let results: unknown[];
  try {
    if (wasi) {
      // A reactor is initialized before its exports are used; a command's memory is bound.
      if (exportNames.has('_initialize') && !exportNames.has('_start')) wasi.initialize(instance);
      else wasi.bind(instance);
    }
    results = fn.call(...values);
  } catch (e) {
    if (e instanceof wasiLib.WasiExit) return e.code;
    throw e;
  }
  results.forEach((v, i) => io.out(formatResult(v, fn.type.results[i])));
  return 0;
}
