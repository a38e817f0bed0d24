// The `jetwasm` command line: `wast` (spec scripts), `run` (cli/run.ts: a WASI program or
// one export), `validate`.
// bin/jetwasm.js calls cli(); main() is separate so tests can drive it with their own I/O.
//
// Engine modules are loaded lazily per command, so `--help` and argument errors work even
// when only part of the project is built.

import { DEFAULT_JOBS, DEFAULT_TIMEOUT_MS, runWast, type Io } from '../spec-tests/index';
import { UsageError, loadModuleBytes, runCommand } from './run';
import { compileCommand } from './compile';

export { parseArg, parseRunArgs } from './run';

const USAGE = `Usage: jetwasm <command> [options]

Commands:
  wast [options] PATH...          run WebAssembly spec scripts (.wast files or folders)
  run [options] FILE [ARG...]     run a WASI program (_start), or call an export with
                                  --invoke NAME [ARG...]; options --dir, --env
  validate FILE                   decode and validate FILE (.wat or .wasm)
  compile FILE -o OUT.mjs         compile FILE ahead of time to a standalone ES module

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

const VALIDATE_USAGE = `Usage: jetwasm validate FILE

Decodes and validates FILE (.wat text or .wasm binary). Prints "valid" and exits 0, or
prints the error's kind (malformed or invalid) and message and exits 1.`;

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
      case 'compile':
        return await compileCommand(rest, io);
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
