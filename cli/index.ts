// The `jetwasm` command line: `wast` (spec scripts), `run` (cli/run.ts: a WASI program or
// one export), `validate`.
// bin/jetwasm.js calls cli(); main() is separate so tests can drive it with their own I/O.
//
// Engine modules are loaded lazily per command, so `--help` and argument errors work even
// when only part of the project is built.

import { readFileSync, statSync } from 'fs';
import * as path from 'path';
import { DEFAULT_JOBS, DEFAULT_TIMEOUT_MS, runWast, type FileResult, type Io } from '../spec-tests/index';
import { compileFile, runCommand } from './run';
import { compileCommand } from './compile';
import { CliError, OptionReader, UsageError, cannotRead, fsReason, isFsError, parseDuration } from './errors';

export { parseArg, parseRunArgs } from './run';

const EXIT_CODES = `Exit codes:
  0  success
  1  the module or script failed: compile or link error, trap, failed assertion,
     regression against --expect
  2  usage error: bad options or arguments, a file that cannot be read or written
  N  run: a WASI program's own exit code (proc_exit)`;

const USAGE = `Usage: jetwasm <command> [options]

Commands:
  wast [options] PATH...          run WebAssembly spec scripts (.wast files or folders)
  run [options] FILE [ARG...]     run a WASI program (_start), or call an export with
                                  --invoke NAME [ARG...]; options --dir, --env, --fuel,
                                  --timeout, --no-cache
  validate FILE                   decode and validate FILE (.wat or .wasm)
  compile FILE -o OUT.mjs         compile FILE ahead of time to a standalone ES module

Options:
  -h, --help                      show this help ('jetwasm <command> --help' for a command's)
  -V, --version                   print the version

Options taking a value accept both --option VALUE and --option=VALUE. Errors are printed
on stderr as "jetwasm: WHAT: WHY"; a trap is followed by a Wasm backtrace (functions and
the offsets of their bodies in the module, innermost first).

${EXIT_CODES}`;

const WAST_USAGE = `Usage: jetwasm wast [options] PATH...

Runs every command of the given .wast scripts (folders are searched recursively), each
file isolated in a worker thread. Prints one line per file, followed by each failed
command of the file as "FILE:LINE: COMMAND: what was expected, what happened" (a script
that does not parse fails as one "script" command with the parser's message), and, last,
the totals line "N passed, N failed, N skipped".

Options (each option with a value also takes the form --option=VALUE):
  --suite DIR        run a testsuite checkout: its top-level scripts, legacy/ and custom/;
                     if DIR does not exist, say so and skip (not an error)
  --proposals        with --suite, also run DIR/proposals/
  --quiet, -q        print only the per-file counts and the totals, not each failure
  --json FILE        write a JSON report (per file: counts and each failed/skipped command)
  --table            print a per-file table
  --expect FILE      compare with recorded per-file counts; exit 1 on any regression
  --update-expect    record this run's counts in the --expect file
                     (default spec-tests/expected.json); other entries are kept
  --jobs N           worker threads (default ${DEFAULT_JOBS}; 0 runs in this thread)
  --timeout TIME     per-file time limit, in seconds or with a unit (500ms, 2s;
                     default ${DEFAULT_TIMEOUT_MS / 1000})

The persistent compile cache is not used: a script's modules are many, small and mostly
compiled once, so entries would only push programs' entries out of the cache.

Exit code: with --expect, 1 on regressions; without, 1 if any command failed; 2 on a
usage error, a PATH that cannot be read, or a missing --expect file.`;

const VALIDATE_USAGE = `Usage: jetwasm validate FILE

Decodes and validates FILE (.wat text or .wasm binary). Prints "valid" on stdout and exits
0, or prints "jetwasm: FILE: MESSAGE" on stderr and exits 1 (2 if FILE cannot be read).`;

const defaultIo: Io = {
  out: (l) => process.stdout.write(l + '\n'),
  err: (l) => process.stderr.write(l + '\n'),
};

function wantsHelp(args: readonly string[]): boolean {
  return args.includes('--help') || args.includes('-h');
}

/** The package version: package.json is at the root, above cli/ (sources) or dist/cli/. */
function version(): string {
  for (const dir of [path.join(__dirname, '..'), path.join(__dirname, '..', '..')]) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (pkg.name === 'jetwasm' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // Not here; try the next candidate.
    }
  }
  return 'unknown';
}

/** Prints a file's failed commands, each naming the file and line (0: no line known). */
function printFailures(f: FileResult, io: Io): void {
  for (const p of f.problems) {
    if (p.outcome === 'failed') io.out(`  ${f.file}${p.line > 0 ? `:${p.line}` : ''}: ${p.command}: ${p.message}`);
  }
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
  let quiet = false;
  let jobs = DEFAULT_JOBS;
  let timeoutMs = DEFAULT_TIMEOUT_MS;
  const r = new OptionReader(args);
  for (let a = r.next(); a !== undefined; a = r.next()) {
    const flag = r.flag;
    switch (flag) {
      case '--json':
        json = r.value();
        break;
      case '--expect':
        expect = r.value();
        break;
      case '--suite':
        suite = r.value();
        break;
      case '--table':
        r.noValue();
        table = true;
        break;
      case '--update-expect':
        r.noValue();
        updateExpect = true;
        break;
      case '--proposals':
        r.noValue();
        proposals = true;
        break;
      case '--quiet':
      case '-q':
        r.noValue();
        quiet = true;
        break;
      case '--jobs': {
        const v = r.value();
        jobs = Number(v);
        if (!/^\d+$/.test(v) || !Number.isSafeInteger(jobs))
          throw new UsageError(`--jobs needs a non-negative integer, got "${v}"`);
        break;
      }
      case '--timeout':
        timeoutMs = parseDuration(r.value(), flag, 's');
        break;
      default:
        if (a.startsWith('-')) throw new UsageError(`unknown option ${flag} (see jetwasm wast --help)`);
        paths.push(a);
    }
  }
  if (paths.length === 0 && suite === undefined) throw new UsageError('wast needs at least one PATH or --suite DIR');
  for (const p of paths) {
    try {
      statSync(p);
    } catch (e) {
      throw cannotRead(p, e);
    }
  }
  const onFile = quiet ? undefined : (f: FileResult): void => printFailures(f, io);
  return runWast({ paths, suite, proposals, json, table, expect, updateExpect, jobs, timeoutMs, onFile }, io);
}

async function validateCommand(args: string[], io: Io): Promise<number> {
  if (wantsHelp(args)) {
    io.out(VALIDATE_USAGE);
    return 0;
  }
  if (args.length !== 1 || args[0].startsWith('-')) throw new UsageError('validate needs exactly one FILE');
  const rt = await import('../runtime');
  await compileFile(args[0], new rt.Engine());
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
      case '--version':
      case '-V':
        io.out(`jetwasm ${version()}`);
        return 0;
      case 'wast':
        return await wastCommand(rest, io);
      case 'run':
        return await runCommand(rest, io);
      case 'validate':
        return await validateCommand(rest, io);
      case 'compile':
        return await compileCommand(rest, io);
      default:
        throw new UsageError(
          cmd.startsWith('-')
            ? `unknown option ${cmd} (see jetwasm --help)`
            : `unknown command "${cmd}" (see jetwasm --help)`,
        );
    }
  } catch (e) {
    const { message, details, code } = report(e);
    io.err(`jetwasm: ${message}`);
    for (const l of details) io.err(l);
    return code;
  }
}

/** The one-line message (plus detail lines) and exit code of an error reaching main(). */
function report(e: unknown): { message: string; details: readonly string[]; code: number } {
  if (e instanceof UsageError) return { message: e.message, details: [], code: 2 };
  if (e instanceof CliError) return { message: e.message, details: e.details, code: e.code };
  if (isFsError(e) && typeof e.path === 'string') {
    // A file named by an option that the command opened itself (e.g. a --json report).
    return { message: `${e.path}: cannot ${e.syscall ?? 'access'}: ${fsReason(e)}`, details: [], code: 2 };
  }
  // Plain Errors carry a message meant for users (e.g. a malformed --expect file); other
  // classes (TypeError, ...) are bugs.
  if (e instanceof Error && e.name === 'Error' && e.constructor === Error)
    return { message: e.message.split('\n')[0], details: [], code: 1 };
  return { message: `internal error: ${describe(e)}`, details: [], code: 1 };
}

/** Error text for an unexpected error: its class name and the first line of its message. */
function describe(e: unknown): string {
  if (e instanceof Error) {
    const name = e.name === 'Error' ? e.constructor.name : e.name;
    return `${name}: ${e.message.split('\n')[0]}`;
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
