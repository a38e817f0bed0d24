// `jetwasm compile IN.wasm|IN.wat -o OUT.mjs [--runtime SPEC]`: ahead-of-time compilation
// to a standalone ES module (runtime/aot/compile.ts).

import { writeFileSync } from 'node:fs';
import { compileFailure, loadModuleBytes } from './run';
import { OptionReader, UsageError, cannotWrite } from './errors';
import type { Io } from '../spec-tests/index';

export const COMPILE_USAGE = `Usage: jetwasm compile FILE -o OUT.mjs [--runtime SPEC] [--codegen jit|interpreter]

Compiles FILE (.wasm binary or .wat text) ahead of time to a standalone ES module exporting
instantiate(imports), which returns the instance's exports (functions, and Memory, Table
and Global wrappers; i64 values are BigInts). The module contains the translated functions
as JavaScript source and imports only the small AOT runtime, not the compiler.

Options (each option with a value also takes the form --option=VALUE):
  -o, --output FILE  where to write the module (required)
  --runtime SPEC     import specifier of the runtime (default 'jetwasm/aot'; for example a
                     file URL of dist/runtime/aot/index.js)
  --codegen PROFILE  tune the code for hosts with a JIT ('jit', the default) or without
                     one ('interpreter': V8 --jitless, iOS Lockdown Mode); either runs
                     correctly on both

Exit code: 0 written; 1 FILE does not compile; 2 usage error, unreadable FILE or
unwritable OUT.`;

export async function compileCommand(args: string[], io: Io): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(COMPILE_USAGE);
    return 0;
  }
  let input: string | undefined;
  let output: string | undefined;
  let runtime: string | undefined;
  let codegen: 'jit' | 'interpreter' | undefined;
  const r = new OptionReader(args);
  for (let a = r.next(); a !== undefined; a = r.next()) {
    const flag = r.flag;
    if (flag === '-o' || flag === '--output') output = r.value();
    else if (flag === '--runtime') runtime = r.value();
    else if (flag === '--codegen') {
      const v = r.value();
      if (v !== 'jit' && v !== 'interpreter')
        throw new UsageError(`--codegen takes jit or interpreter, not ${JSON.stringify(v)}`);
      codegen = v;
    } else if (a.startsWith('-')) throw new UsageError(`unknown option ${flag} (see jetwasm compile --help)`);
    else if (input === undefined) input = a;
    else throw new UsageError('compile takes exactly one FILE');
  }
  if (input === undefined) throw new UsageError('compile needs a FILE');
  if (output === undefined) throw new UsageError('compile needs -o OUT.mjs');
  const { compileToEsm } = await import('../runtime/aot/compile');
  const bytes = await loadModuleBytes(input);
  let source: string;
  try {
    source = compileToEsm(bytes, { runtime, codegen });
  } catch (e) {
    throw compileFailure(input, e);
  }
  try {
    writeFileSync(output, source);
  } catch (e) {
    throw cannotWrite(output, e);
  }
  io.out(`wrote ${output}`);
  return 0;
}
