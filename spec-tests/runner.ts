// Executes one WAST script in this thread: every command becomes exactly one outcome
// (passed, failed or skipped). Isolation between scripts (time limits, crashes) is the
// pool's job (spec-tests/pool.ts); this file only interprets commands.
//
// Invariants:
// - a command passes only if the engine did precisely what the script asserts; an error of
//   another kind (malformed vs invalid vs link error vs trap vs exception) is a failure;
// - a module that fails unexpectedly stays "current" as a failed slot, so the commands that
//   use it fail with the reason instead of silently running against an older module.

import { parseWast } from '../compiler/text';
import type { WastAction, WastCommand, WastModuleSource } from '../compiler/text/wast-types';
import * as rt from '../runtime';
import { constToValue, formatValue, matchResults, type RefOracle } from './values';
import { createSpectest } from './spectest';
import { emptyFileResult, record, type FileResult, type Outcome } from './report';

/** One planned command: its line and report keyword. */
export interface PlannedCommand {
  readonly line: number;
  readonly command: string;
}

/**
 * A thread of a script (`(thread $t (shared (module $m))* cmd*)`) as another agent runs it:
 * the script's text and the thread command's place in it (indices into the parsed command
 * lists, outermost first), with the shareable exports of the modules it names.
 */
export interface ThreadJob {
  readonly src: string;
  readonly file: string;
  readonly path: readonly number[];
  readonly shared: ReadonlyArray<{
    readonly name: string;
    readonly memories: ReadonlyArray<readonly [string, rt.SharedMemoryHandle]>;
  }>;
}

/** A started thread. `join` blocks until it finished (or was given up) and returns one
 *  outcome per command of the thread, nested threads' commands included, in plan order;
 *  commands without one did not finish. */
export interface ThreadHandle {
  join(): { outcomes: Array<{ outcome: Outcome; message: string } | undefined>; error?: string };
}

/** Runs threads on other agents (spec-tests/threads.ts: worker threads). */
export interface ThreadHost {
  start(job: ThreadJob): ThreadHandle;
}

export interface RunOptions {
  /** Without a host, thread commands (and so their commands) fail. */
  readonly threads?: ThreadHost;
}

/** Progress callbacks, used by the worker to stream outcomes to the pool. */
export interface ScriptEvents {
  plan?(commands: PlannedCommand[]): void;
  outcome?(index: number, outcome: Outcome, message: string): void;
}

/** The report keyword of a command: the script's own keyword, `module` for module forms. */
export function commandKeyword(c: WastCommand): string {
  switch (c.type) {
    case 'module':
    case 'module_instance':
      return 'module';
    case 'action':
      return c.action.type;
    case 'assert_trap_module':
      return 'assert_trap';
    default:
      return (c as { type: string }).type;
  }
}

/** A problem in the script or its harness, not an engine behaviour (never matches an assertion). */
class HarnessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HarnessError';
  }
}

/** Names the kind of an error the way assertions distinguish them. */
export function describeError(e: unknown): string {
  if (e instanceof rt.CompileError) return `CompileError (${e.kind}): ${e.message}`;
  if (e instanceof rt.LinkError) return `LinkError: ${e.message}`;
  if (e instanceof rt.RuntimeError) return `RuntimeError: ${e.message}`;
  if (e instanceof rt.WasmException) return `WasmException: ${e.message}`;
  if (e instanceof HarnessError) return e.message;
  if (e instanceof Error) return `unexpected ${e.name}: ${e.message}`;
  return `unexpected throw of ${typeof e}: ${String(e)}`;
}

/** What commands use of an instance: its exports (a thread's shared modules have only these). */
interface Exports {
  readonly exports: ReadonlyMap<string, rt.Extern>;
  getExport(name: string): rt.Extern | undefined;
}

type Slot = { readonly instance: Exports } | { readonly error: string };

const REFS: RefOracle = { refKind: (v) => rt.refKind(v), hostRef: (n) => rt.hostRef(n) };

const strip = (id: string | undefined): string | undefined =>
  id !== undefined && id.startsWith('$') ? id.slice(1) : id;

interface Result {
  readonly outcome: Outcome;
  readonly message: string;
}
const PASS: Result = { outcome: 'passed', message: '' };
const fail = (message: string): Result => ({ outcome: 'failed', message });

/**
 * The proposals a script is written against, by where it sits in the testsuite: the threads
 * proposal's scripts predate multi-memory, reference types (several tables) and memory64;
 * custom descriptors, off by default, is on for its own scripts.
 */
export function scriptFeatures(file: string): rt.WasmFeatures {
  if (/(^|[\\/])proposals[\\/]threads[\\/]/.test(file))
    return { multiMemory: false, referenceTypes: false, memory64: false };
  if (/(^|[\\/])proposals[\\/]custom-descriptors[\\/]/.test(file)) return { customDescriptors: true };
  return {};
}

export class Script {
  private readonly engine: rt.Engine;
  private readonly store: rt.Store;
  /** Registered module names -> their exports (`spectest` and `register`ed instances). */
  private readonly registry = new Map<string, ReadonlyMap<string, rt.Extern>>();
  private readonly named = new Map<string, Slot>();
  private readonly definitions = new Map<string, rt.Module | { readonly error: string }>();
  private lastDefinition: rt.Module | { readonly error: string } | undefined;
  private current: Slot | undefined;

  constructor(features: rt.WasmFeatures = {}) {
    this.engine = new rt.Engine({ features });
    this.store = new rt.Store(this.engine);
    this.registry.set('spectest', createSpectest(this.store));
  }

  private compile(src: WastModuleSource): rt.Module {
    return rt.Module.fromBinary(this.engine, src.encode());
  }

  private instantiate(module: rt.Module): rt.Instance {
    const imports = module.imports().map((imp) => {
      const ext = this.registry.get(imp.module)?.get(imp.name);
      if (!ext) throw new rt.LinkError(`unknown import "${imp.module}" "${imp.name}"`);
      return ext;
    });
    return rt.Instance.instantiate(this.store, module, imports);
  }

  /** Makes `exports` available as module `$name`, as a thread's shared modules are. */
  defineShared(name: string, exports: ReadonlyMap<string, rt.Extern>): void {
    this.named.set(name, { instance: { exports, getExport: (n) => exports.get(n) } });
  }

  /** The modules a thread shares, as their shared memories' handles (the only exports the
   *  threads proposal lets agents share). */
  sharedOf(names: readonly string[]): ThreadJob['shared'] {
    return names.map((n) => {
      const inst = this.slot(n);
      const memories: Array<readonly [string, rt.SharedMemoryHandle]> = [];
      for (const [field, ext] of inst.exports)
        if (ext instanceof rt.Memory && ext.type.shared) memories.push([field, ext.share()]);
      return { name: strip(n)!, memories };
    });
  }

  /** Wraps handles from another agent for this script's store. */
  adopt(shared: ThreadJob['shared']): void {
    for (const s of shared)
      this.defineShared(s.name, new Map(s.memories.map(([field, h]) => [field, rt.Memory.fromShared(this.store, h)])));
  }

  private slot(id: string | undefined): Exports {
    const key = strip(id);
    const s = key === undefined ? this.current : this.named.get(key);
    if (!s) throw new HarnessError(key === undefined ? 'no module instantiated yet' : `unknown module $${key}`);
    if ('error' in s) throw new HarnessError(s.error);
    return s.instance;
  }

  private act(a: WastAction): unknown[] {
    const inst = this.slot(a.module);
    const ext = inst.getExport(a.field);
    if (a.type === 'invoke') {
      if (!(ext instanceof rt.Func)) throw new HarnessError(`no exported function "${a.field}"`);
      // Built as a generic (non-double) array: V8 quiets signalling NaNs stored in arrays of
      // only numbers, and f64 argument bits must reach the function unchanged.
      const args = new Array<unknown>(a.args.length).fill(null);
      for (let i = 0; i < a.args.length; i++) args[i] = constToValue(a.args[i], REFS);
      const results: unknown = ext.call(...args);
      if (!Array.isArray(results)) throw new HarnessError(`Func.call returned ${typeof results}, not an array`);
      return results;
    }
    if (!(ext instanceof rt.Global)) throw new HarnessError(`no exported global "${a.field}"`);
    return [ext.get()];
  }

  /** Runs a module command; any failure leaves a failed slot behind (see file comment). */
  private moduleCommand(line: number, src: WastModuleSource): Result {
    const id = strip(src.id);
    let module: rt.Module;
    try {
      module = this.compile(src);
    } catch (e) {
      const error = `module at line ${line} failed to compile: ${describeError(e)}`;
      if (src.definition) {
        this.lastDefinition = { error };
        if (id !== undefined) this.definitions.set(id, { error });
      } else {
        this.current = { error };
        if (id !== undefined) this.named.set(id, { error });
      }
      return fail(describeError(e));
    }
    if (id !== undefined) this.definitions.set(id, module);
    if (src.definition) {
      this.lastDefinition = module;
      return PASS;
    }
    return this.instantiateInto(line, module, id);
  }

  private instantiateInto(line: number, module: rt.Module, id: string | undefined): Result {
    let slot: Slot;
    let result: Result;
    try {
      slot = { instance: this.instantiate(module) };
      result = PASS;
    } catch (e) {
      slot = { error: `module at line ${line} failed to instantiate: ${describeError(e)}` };
      result = fail(describeError(e));
    }
    this.current = slot;
    if (id !== undefined) this.named.set(id, slot);
    return result;
  }

  /** Compiles for an assertion about instantiation; a compile error is a failure of its own. */
  private expectInstantiationError(src: WastModuleSource, accept: (e: unknown) => boolean, what: string): Result {
    let module: rt.Module;
    try {
      module = this.compile(src);
    } catch (e) {
      return fail(`expected ${what}, but the module failed to compile: ${describeError(e)}`);
    }
    try {
      this.instantiate(module);
    } catch (e) {
      return accept(e) ? PASS : fail(`expected ${what}, got ${describeError(e)}`);
    }
    return fail(`expected ${what}, but instantiation succeeded`);
  }

  private expectCompileError(src: WastModuleSource, kind: 'malformed' | 'invalid'): Result {
    try {
      this.compile(src);
    } catch (e) {
      if (e instanceof rt.CompileError && e.kind === kind) return PASS;
      return fail(`expected CompileError (${kind}), got ${describeError(e)}`);
    }
    return fail(`expected CompileError (${kind}), but the module compiled`);
  }

  private expectActionError(a: WastAction, accept: (e: unknown) => boolean, what: string): Result {
    let results: unknown[];
    try {
      results = this.act(a);
    } catch (e) {
      return accept(e) ? PASS : fail(`expected ${what}, got ${describeError(e)}`);
    }
    return fail(`expected ${what}, got results [${results.map((v) => formatValue(v, REFS)).join(', ')}]`);
  }

  run(c: WastCommand): Result {
    switch (c.type) {
      case 'module':
        return this.moduleCommand(c.line, c.module);
      case 'module_instance': {
        const def = c.module === undefined ? this.lastDefinition : this.definitions.get(strip(c.module)!);
        const id = strip(c.instance);
        if (def === undefined || 'error' in def) {
          const why = def === undefined ? `unknown module definition ${c.module ?? '(none defined)'}` : def.error;
          this.current = { error: why };
          if (id !== undefined) this.named.set(id, this.current);
          return fail(why);
        }
        return this.instantiateInto(c.line, def, id);
      }
      case 'register': {
        const inst = this.slot(c.name);
        this.registry.set(c.as, inst.exports);
        return PASS;
      }
      case 'action':
        this.act(c.action);
        return PASS;
      case 'assert_return': {
        const mismatch = matchResults(this.act(c.action), c.expected, REFS);
        return mismatch === undefined ? PASS : fail(mismatch);
      }
      case 'assert_trap':
        return this.expectActionError(c.action, (e) => e instanceof rt.RuntimeError, `trap "${c.message}"`);
      case 'assert_exhaustion':
        return this.expectActionError(
          c.action,
          (e) => e instanceof rt.RuntimeError && e.message.includes('call stack exhausted'),
          'RuntimeError "call stack exhausted"',
        );
      case 'assert_exception':
        return this.expectActionError(c.action, (e) => e instanceof rt.WasmException, 'an uncaught Wasm exception');
      case 'assert_trap_module':
      case 'assert_uninstantiable':
        return this.expectInstantiationError(
          c.module,
          (e) => e instanceof rt.RuntimeError,
          `trap "${c.message}" during instantiation`,
        );
      case 'assert_unlinkable':
        return this.expectInstantiationError(c.module, (e) => e instanceof rt.LinkError, `LinkError "${c.message}"`);
      case 'assert_invalid':
        return this.expectCompileError(c.module, 'invalid');
      case 'assert_malformed':
        return this.expectCompileError(c.module, 'malformed');
      default:
        return { outcome: 'skipped', message: `unsupported command ${(c as { type: string }).type}` };
    }
  }
}

const MAX_MESSAGE = 400;

/** The commands in plan order: each thread command followed by its own commands. */
export function flattenCommands(commands: readonly WastCommand[]): WastCommand[] {
  const out: WastCommand[] = [];
  const walk = (cs: readonly WastCommand[]): void => {
    for (const c of cs) {
      out.push(c);
      if (c.type === 'thread') walk(c.commands);
    }
  };
  walk(commands);
  return out;
}

type Emit = (index: number, line: number, command: string, r: Result) => void;

/**
 * Runs `commands` (a script's, or a thread's) in `script`; `base` is the first one's plan
 * index. A thread command passes once its agent started, and its commands report when it
 * is joined: by its `(wait)`, or at the end of the commands that started it.
 */
export function runCommands(
  script: Script,
  commands: readonly WastCommand[],
  base: number,
  emit: Emit,
  job: Omit<ThreadJob, 'shared'>,
  opts: RunOptions,
): void {
  const threads = new Map<string, { handle: ThreadHandle | null; first: number; commands: WastCommand[] }>();
  const pending: string[] = [];
  let anonymous = 0;
  const join = (name: string): Result => {
    const t = threads.get(name);
    if (t === undefined) return fail(`unknown thread ${name}`);
    threads.delete(name);
    pending.splice(pending.indexOf(name), 1);
    const r = t.handle === null ? { outcomes: [], error: 'did not start' } : t.handle.join();
    t.commands.forEach((c, i) => {
      const o = r.outcomes[i];
      emit(t.first + i, c.line, commandKeyword(c), o ?? fail(`not run: thread ${name} ${r.error ?? 'ended early'}`));
    });
    return r.error === undefined ? PASS : fail(`thread ${name} ${r.error}`);
  };
  let index = base;
  commands.forEach((c, k) => {
    const at = index++;
    let r: Result;
    if (c.type === 'thread') {
      const name = c.name ?? `#${anonymous++}`;
      const inner = flattenCommands(c.commands);
      index += inner.length;
      let handle: ThreadHandle | null = null;
      try {
        if (threads.has(name)) throw new HarnessError(`duplicate thread ${name}`);
        if (opts.threads === undefined) throw new HarnessError('threads need a host with worker threads');
        handle = opts.threads.start({ ...job, path: [...job.path, k], shared: script.sharedOf(c.shared) });
        r = PASS;
      } catch (e) {
        r = fail(describeError(e));
      }
      // A thread that did not start still reports each of its commands (as failed).
      threads.set(name, { handle, first: at + 1, commands: inner });
      pending.push(name);
      emit(at, c.line, 'thread', r);
      return;
    }
    if (c.type === 'wait') {
      emit(at, c.line, 'wait', join(c.thread));
      return;
    }
    try {
      r = script.run(c);
    } catch (e) {
      r = fail(describeError(e));
    }
    emit(at, c.line, commandKeyword(c), r);
  });
  // Threads never waited for end with the commands that started them.
  while (pending.length > 0) join(pending[0]);
}

/** Parses and runs one script; `file` is used in the report (and in parser messages). */
export function runScriptSource(
  src: string,
  file: string,
  events: ScriptEvents = {},
  opts: RunOptions = {},
): FileResult {
  const result = emptyFileResult(file);
  const features = scriptFeatures(file);
  const emit: Emit = (i, line, command, r) => {
    // Engine messages can embed whole modules or stacks; the report needs only the gist.
    const message = r.message.length > MAX_MESSAGE ? r.message.slice(0, MAX_MESSAGE) + '…' : r.message;
    record(result, line, command, r.outcome, message);
    events.outcome?.(i, r.outcome, message);
  };
  let commands: WastCommand[];
  try {
    commands = parseWast(src, { filename: file, memory64: features.memory64 !== false }) as WastCommand[];
  } catch (e) {
    const line = lineOf(e);
    events.plan?.([{ line, command: 'script' }]);
    emit(0, line, 'script', fail(`script failed to parse: ${describeError(e)}`));
    return result;
  }
  const flat = flattenCommands(commands);
  events.plan?.(flat.map((c) => ({ line: c.line, command: commandKeyword(c) })));
  let script: Script;
  try {
    script = new Script(features);
  } catch (e) {
    // Without the spectest module nothing can run; every command fails with the reason.
    const why = `could not set up the spectest host module: ${describeError(e)}`;
    flat.forEach((c, i) => emit(i, c.line, commandKeyword(c), fail(why)));
    return result;
  }
  runCommands(script, commands, 0, emit, { src, file, path: [] }, opts);
  return result;
}

/**
 * Runs the thread `job` names in this agent (spec-tests/thread-worker.ts): its commands in a
 * script of their own, where the shared modules' memories are those of the agent that
 * started it. `emit` receives plan indices relative to the thread's first command.
 */
export function runThread(
  job: ThreadJob,
  emit: (index: number, outcome: Outcome, message: string) => void,
  opts: RunOptions,
): void {
  const features = scriptFeatures(job.file);
  let cs: readonly WastCommand[] = parseWast(job.src, {
    filename: job.file,
    memory64: features.memory64 !== false,
  }) as WastCommand[];
  for (const k of job.path) {
    const c = cs[k];
    if (c?.type !== 'thread') throw new Error(`no thread command at ${job.path.join('/')}`);
    cs = c.commands;
  }
  const script = new Script(features);
  script.adopt(job.shared);
  runCommands(
    script,
    cs,
    0,
    (i, _line, _command, r) => {
      const message = r.message.length > MAX_MESSAGE ? r.message.slice(0, MAX_MESSAGE) + '…' : r.message;
      emit(i, r.outcome, message);
    },
    { src: job.src, file: job.file, path: job.path },
    opts,
  );
}

/** Best-effort line number carried by a parse error (`line` property or "file:LINE:" text). */
function lineOf(e: unknown): number {
  if (typeof e === 'object' && e !== null) {
    const l = (e as { line?: unknown }).line;
    if (typeof l === 'number') return l;
    const m = /:(\d+)(?::\d+)?/.exec(String((e as { message?: unknown }).message ?? ''));
    if (m) return Number(m[1]);
  }
  return 0;
}
