// What the caches need from the host beyond the language: a fast digest and byte
// comparison, V8's code cache, and a file system. Only Node-like hosts have them; node.ts
// provides them and is loaded at run time through `module.require`, so the browser bundle
// never contains it (a plain `require` would make bundlers pull it in). Elsewhere the caches
// fall back to hash.ts and `new Function`, and there is no persistent cache.

export interface CompiledScript {
  /** The script's completion value. */
  readonly value: unknown;
  /** True when V8 refused the cached data (other V8 flags or build); the code is then compiled from source. */
  readonly rejected: boolean;
}

export interface CacheHost {
  /** V8's version, '' if unknown. */
  readonly v8Version: string;
  /**
   * A digest of jetwasm's own code as loaded (compiler, runtime, vmctx), '' if unknown. The
   * package version alone does not change with every build, and stored code produced by
   * another translator must never be run.
   */
  buildFingerprint(): string;
  /** SHA-256 of the concatenation of `parts`. */
  sha256(parts: readonly Uint8Array[]): Uint8Array;
  equal(a: Uint8Array, b: Uint8Array): boolean;
  /** Compiles and runs a script, consuming `cachedData` when given. */
  runScript(source: string, filename: string, cachedData?: Uint8Array): CompiledScript;
  /** V8's code cache for `source` with every function in it compiled, or undefined. */
  produceCodeCache(source: string, filename: string): Uint8Array | undefined;
  /** The persistent cache in `directory` (created private), or null when unusable. */
  diskCache(directory: string | undefined, maxBytes: number | undefined): DiskCacheLike | null;
  /** Runs `f` once when the process (or worker) exits. */
  atExit(f: () => void): void;
}

export interface DiskCacheLike {
  readonly directory: string;
  /** The entry's bytes (and marks it used), or null. */
  read(name: string): Uint8Array | null;
  /** Writes atomically, then evicts the least recently used entries above the size limit. */
  write(name: string, data: Uint8Array): void;
}

let host: CacheHost | null | undefined;

/** The Node host, or null elsewhere. */
export function cacheHost(): CacheHost | null {
  if (host === undefined) {
    host = null;
    try {
      const req =
        typeof module !== 'undefined' && typeof module.require === 'function' ? module.require.bind(module) : null;
      const g = globalThis as { process?: { versions?: { node?: string } } };
      if (req && typeof g.process?.versions?.node === 'string')
        host = (req('./node') as { nodeHost: CacheHost }).nodeHost;
    } catch {
      host = null;
    }
  }
  return host;
}
