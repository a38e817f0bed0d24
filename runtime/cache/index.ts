// The compile caches (docs/ARCHITECTURE.md "Caches"):
//   - in process: compiling bytes equal to an earlier compilation's, under equal code
//     settings, returns that compilation's artifact (decoded and validated module, translated
//     code). Entries are found by a hash of a sample of the bytes and confirmed by comparing
//     all of them; they are held weakly, so the cache never keeps an artifact alive on its
//     own.
//   - persistent (engine option `cache`, Node only): the serialized artifact (serialize.ts)
//     in a private directory (node.ts), keyed by SHA-256 of the bytes and the settings. An
//     entry is written when the process exits, if the module was not loaded from it or has
//     translated functions since, or V8 refused the entry's code cache.

import type { ModuleIR } from '../../compiler/ir';
import type { EngineConfig } from '../engine';
import type { Artifact } from './artifact';
import { hash64 } from './hash';
import { cacheHost, type DiskCacheLike } from './host';
import { deserializeArtifact, serializeArtifact } from './serialize';
import { codeSettings, type CodeSettings, settingsKey } from './settings';

export { Artifact } from './artifact';
export { SerializationError } from './serialize';

type Entry = WeakRef<Artifact>;

const hasWeakRefs = typeof WeakRef === 'function' && typeof FinalizationRegistry === 'function';
const entries = new Map<string, Entry[]>();
const finalizer = hasWeakRefs
  ? new FinalizationRegistry<{ key: string; ref: Entry }>(({ key, ref }) => {
      const list = entries.get(key);
      if (!list) return;
      const i = list.indexOf(ref);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) entries.delete(key);
    })
  : null;

function hex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += b[i].toString(16).padStart(2, '0');
  return s;
}

/** A hash of `bytes`: SHA-256 where the host has it (also the persistent cache's name). */
function bytesHash(bytes: Uint8Array): string {
  const host = cacheHost();
  return host ? hex(host.sha256([bytes])) : hash64(bytes);
}

/** The in-process cache's key samples a module in this many runs of RUN_BYTES bytes. */
const SAMPLE_RUNS = 256;
const RUN_BYTES = 64;

/**
 * The in-process cache's key of `bytes`: their length and a hash of a sample of them (runs
 * spread evenly, copied natively: this runs cold, at the first compile of the process). A
 * full hash would read every byte of every module compiled, for a cache that most processes
 * never hit; entries are confirmed by comparing all bytes, so a sample that collides costs
 * one comparison, never a wrong module.
 */
function sampleHash(bytes: Uint8Array): string {
  const n = bytes.length;
  if (n <= SAMPLE_RUNS * RUN_BYTES) return `${n}.${hash64(bytes)}`;
  const sample = new Uint8Array(SAMPLE_RUNS * RUN_BYTES);
  const step = Math.floor((n - RUN_BYTES) / (SAMPLE_RUNS - 1));
  for (let k = 0; k < SAMPLE_RUNS; k++) {
    const at = k * step;
    sample.set(bytes.subarray(at, at + RUN_BYTES), k * RUN_BYTES);
  }
  return `${n}.${hash64(sample)}`;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  const host = cacheHost();
  if (host) return host.equal(a, b);
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function remember(key: string, a: Artifact): void {
  if (!finalizer) return;
  const ref = new WeakRef(a);
  let list = entries.get(key);
  if (!list) entries.set(key, (list = []));
  list.push(ref);
  finalizer.register(a, { key, ref });
}

function recall(key: string, bytes: Uint8Array): Artifact | null {
  for (const ref of entries.get(key) ?? []) {
    const a = ref.deref();
    if (a && equalBytes(a.bytes, bytes)) return a;
  }
  return null;
}

/** The engine's persistent cache option, or null. */
function diskOf(config: EngineConfig): DiskCacheLike | null {
  const c = config.cache;
  if (c === undefined || c === false || c === null) return null;
  const host = cacheHost();
  if (!host) return null;
  const o = typeof c === 'object' ? (c as { directory?: unknown; maxBytes?: unknown }) : {};
  return host.diskCache(
    typeof o.directory === 'string' ? o.directory : undefined,
    typeof o.maxBytes === 'number' ? o.maxBytes : undefined,
  );
}

/** Artifacts to write to a persistent cache at exit (weakly: a collected module is not written). */
const pending: { ref: WeakRef<Artifact>; disk: DiskCacheLike; name: string }[] = [];
const scheduled = new WeakMap<Artifact, Set<DiskCacheLike>>();

function writePending(): void {
  for (let k = 0; k < pending.length; k++) {
    const { ref, disk, name } = pending[k];
    const a = ref.deref();
    if (!a) {
      pending.splice(k--, 1);
      continue;
    }
    if (!a.translated) continue;
    const p = a.persist;
    if (p && p.codeCacheOk && a.translatedCount() <= p.functions) continue;
    try {
      disk.write(name, serializeArtifact(a));
      a.persist = { functions: a.translatedCount(), codeCacheOk: true };
    } catch {
      // A module that cannot be serialized is simply not cached.
    }
  }
}

function schedule(a: Artifact, disk: DiskCacheLike, name: string): void {
  if (!hasWeakRefs) return;
  let disks = scheduled.get(a);
  if (!disks) scheduled.set(a, (disks = new Set()));
  if (disks.has(disk)) return;
  disks.add(disk);
  if (pending.length === 0) cacheHost()!.atExit(writePending);
  pending.push({ ref: new WeakRef(a), disk, name });
}

/**
 * The artifact for `bytes` under the engine's settings: from the in-process cache, else from
 * the engine's persistent cache, else `compile(copy of bytes)` (with `transfer`, the bytes
 * themselves: the caller hands them over). `decode` decodes without
 * validating (for entries of the persistent cache, which only this runtime wrote).
 */
export function compileCached(
  engine: { readonly config: EngineConfig },
  bytes: Uint8Array,
  compile: (bytes: Uint8Array, settings: CodeSettings, key: string) => Artifact,
  decode: (bytes: Uint8Array) => ModuleIR,
  transfer = false,
): Artifact {
  const look = lookUp(engine, bytes, compile, decode, transfer);
  if (look.found) return look.found;
  return look.keep(compile(look.own, look.settings, look.settingsKey));
}

/**
 * compileCached compiling with `compileAsync` (asynchronous compilation); `compile` is
 * still the one a persistent-cache entry without its code needs (Module.deserialize's).
 */
export async function compileCachedAsync(
  engine: { readonly config: EngineConfig },
  bytes: Uint8Array,
  compileAsync: (bytes: Uint8Array, settings: CodeSettings, key: string) => Promise<Artifact>,
  compile: (bytes: Uint8Array, settings: CodeSettings, key: string) => Artifact,
  decode: (bytes: Uint8Array) => ModuleIR,
  transfer = false,
): Promise<Artifact> {
  const look = lookUp(engine, bytes, compile, decode, transfer);
  if (look.found) return look.found;
  return look.keep(await compileAsync(look.own, look.settings, look.settingsKey));
}

interface LookUp {
  /** The cached artifact, or null: then the caller compiles `own` and hands the result to `keep`. */
  readonly found: Artifact | null;
  readonly own: Uint8Array;
  readonly settings: CodeSettings;
  readonly settingsKey: string;
  keep(a: Artifact): Artifact;
}

function lookUp(
  engine: { readonly config: EngineConfig },
  bytes: Uint8Array,
  compile: (bytes: Uint8Array, settings: CodeSettings, key: string) => Artifact,
  decode: (bytes: Uint8Array) => ModuleIR,
  transfer: boolean,
): LookUp {
  const settings = codeSettings(engine);
  const sk = settingsKey(settings);
  const key = `${sk}:${sampleHash(bytes)}`;
  const disk = diskOf(engine.config);
  // The entry's name covers the settings: engines with other settings have other entries.
  const name = disk ? `${bytesHash(bytes).slice(0, 40)}-${hash64(new TextEncoder().encode(sk))}` : '';
  const keep = (a: Artifact): Artifact => {
    remember(key, a);
    if (disk) schedule(a, disk, name);
    return a;
  };
  const found = recall(key, bytes);
  if (found) {
    if (disk) schedule(found, disk, name);
    return { found, own: bytes, settings, settingsKey: sk, keep };
  }
  // A copy in a plain Uint8Array: a Node Buffer's `slice` shares its memory (as `subarray`).
  const own = transfer ? bytes : new Uint8Array(bytes);
  if (disk) {
    const data = disk.read(name);
    if (data) {
      try {
        const a = deserializeArtifact(data, settings, decode, (b) => compile(b, settings, sk), {
          expectWasm: own,
        });
        return { found: keep(a), own, settings, settingsKey: sk, keep };
      } catch {
        // damaged or foreign: compiled afresh and rewritten at exit
      }
    }
  }
  return { found: null, own, settings, settingsKey: sk, keep };
}

/** Writes pending persistent-cache entries now (they are otherwise written at exit). */
export function flushCaches(): void {
  writePending();
}

export { codeSettings, settingsKey, deserializeArtifact, serializeArtifact };
