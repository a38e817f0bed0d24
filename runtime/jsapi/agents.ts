// Facade objects in messages to other agents. A native Module or shared Memory posted to a
// worker arrives as a Module of the same code or a Memory of the same storage; Emscripten's
// pthreads depend on it (the main thread posts its module and memory to every worker it
// starts). The facade's objects clone to empty objects, so the postMessage methods of the
// host's message channels (MessagePort, which Node's Worker and parentPort post through,
// BroadcastChannel, and a browser's Worker and worker scope) are wrapped to replace them by
// their wire forms (objects.ts "wire forms") first. The receiving agent's facade recognises a
// wire form wherever it takes a Module or Memory.
//
// Only where cloning would otherwise lose them, and at a bounded cost per message: the
// message itself and the values of plain objects' and arrays' own data properties, a few
// levels deep and at most MAX_VISITS values in all (Emscripten's messages hold a handful),
// copied where one changes (the sender's objects are never modified); accessors are not
// called, Maps and Sets are not entered. A large data message thus costs a fixed, small
// walk on top of its cloning.

/** How deep the walk looks: Emscripten's messages hold the module and memory at depth 1. */
const MAX_DEPTH = 4;
/** How many values the walk looks at in one message. */
const MAX_VISITS = 256;

type WireFormOf = (value: unknown) => unknown;

interface Walk {
  readonly wireFormOf: WireFormOf;
  readonly seen: Set<object>;
  visits: number;
}

function walk(v: unknown, w: Walk, depth: number): unknown {
  if (typeof v !== 'object' || v === null || w.visits >= MAX_VISITS) return v;
  w.visits++;
  const form = w.wireFormOf(v);
  if (form !== v || depth === 0 || w.seen.has(v)) return form;
  w.seen.add(v);
  if (Array.isArray(v)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < v.length && w.visits < MAX_VISITS; i++) {
      const x: unknown = v[i];
      const y = walk(x, w, depth - 1);
      if (y !== x) (out ??= v.slice())[i] = y;
    }
    return out ?? v;
  }
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return v;
  let out: Record<string, unknown> | null = null;
  for (const k of Object.keys(v)) {
    if (w.visits >= MAX_VISITS) break;
    const d = Object.getOwnPropertyDescriptor(v, k);
    if (d === undefined || !('value' in d)) continue;
    const y = walk(d.value, w, depth - 1);
    if (y !== d.value) (out ??= { ...(v as Record<string, unknown>) })[k] = y;
  }
  return out ?? v;
}

/** The message `value` with the facade Modules and Memories in reach (see above) replaced by their wire forms. */
export function messageForCloning(value: unknown, wireFormOf: WireFormOf): unknown {
  return walk(value, { wireFormOf, seen: new Set(), visits: 0 }, MAX_DEPTH);
}

const WRAPPED: unique symbol = Symbol('jetwasm.postMessage');

/** Wraps the postMessage of each message channel class the host has (see the file comment). */
export function wrapPostMessage(wireFormOf: WireFormOf): void {
  const g = globalThis as Record<string, unknown>;
  for (const name of ['MessagePort', 'BroadcastChannel', 'Worker', 'DedicatedWorkerGlobalScope']) {
    const C = g[name];
    const proto = typeof C === 'function' ? (C.prototype as object | undefined) : undefined;
    const desc = proto ? Object.getOwnPropertyDescriptor(proto, 'postMessage') : undefined;
    const post = desc?.value as ((this: unknown, ...args: unknown[]) => unknown) | undefined;
    if (!proto || !desc || typeof post !== 'function' || !desc.writable || !desc.configurable) continue;
    // Each copy of the facade in a realm (the bundle, the unbundled build) wraps once; a
    // second copy wraps the first's wrapper, each replacing its own objects.
    if ((post as unknown as Record<symbol, unknown>)[WRAPPED] === wireFormOf) continue;
    const wrapped = {
      postMessage(this: unknown, message: unknown, ...rest: unknown[]): unknown {
        return post.call(this, messageForCloning(message, wireFormOf), ...rest);
      },
    }.postMessage;
    Object.defineProperty(wrapped, WRAPPED, { value: wireFormOf });
    Object.defineProperty(proto, 'postMessage', { ...desc, value: wrapped });
  }
}
