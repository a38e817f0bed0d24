// The factory bindings a function's generated code reads, recorded as the code is emitted.
//
// A lazily translated function is compiled apart from its module's factory and receives the
// factory bindings it reads as parameters (runtime/vm/helpers.ts lazyCompile). Generated code
// takes every such name either from `use` (fixed names: helpers, slabs, Math functions) or
// from a ModuleEnvironment method that calls `use` (numbered names: imports, globals, tables,
// tags, memories, function stubs). So when a function's text is done its bindings are known,
// and the text is never read again to find them. A name used where nothing is recording
// (the factory's own text, which declares every binding) is not recorded. Recording may
// over-approximate (a name used by code later dropped), never miss: a missed name would be a
// ReferenceError when the code runs.

let recording: Set<string> | null = null;

/** `name`, recorded as read by the function being translated. */
export function use<T extends string>(name: T): T {
  if (recording !== null) recording.add(name);
  return name;
}

/** Runs `translate`, recording the bindings it uses; nested recordings are separate. */
export function recordBindings<R>(translate: () => R): { result: R; bindings: string[] } {
  const outer = recording;
  const names = new Set<string>();
  recording = names;
  try {
    const result = translate();
    return { result, bindings: [...names] };
  } finally {
    recording = outer;
  }
}
