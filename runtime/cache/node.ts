// The Node host of the compile caches (host.ts): SHA-256 and byte comparison from node:crypto
// and Buffer, V8's code cache through node:vm, and the persistent cache's directory.
// Loaded only through host.ts, never by anything the browser bundle contains.
//
// Persistent cache invariants:
//   - the directory is private: created with mode 0700, and refused (no cache) when it is
//     not owned by this user or other users may write to it; entries hold code that runs, so
//     nobody else may be able to plant one. Entries are created with mode 0600.
//   - writes are atomic: an entry is written to a temporary file in the same directory and
//     renamed over its name, so a reader sees a whole old entry, a whole new one, or none.
//     Concurrent writers of one entry each rename a complete file; the last one wins.
//   - readers never trust an entry: serialize.ts checks its header and checksum and compares
//     its Wasm bytes with the module's; a bad entry is ignored and rewritten.
//   - eviction is least recently used by modification time, which a read refreshes, and
//     runs after each write when the directory holds more than maxBytes.

import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as v8 from 'v8';
import * as vm from 'vm';
import type { CacheHost, CompiledScript, DiskCacheLike } from './host';

export const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;
/** Temporary files older than this belong to a writer that died; eviction removes them. */
const STALE_TEMP_MS = 10 * 60 * 1000;
const ENTRY_SUFFIX = '.jwm';

/** `$XDG_CACHE_HOME/jetwasm`, else `~/.cache/jetwasm`. */
export function defaultCacheDirectory(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache'), 'jetwasm');
}

/** Whether the process runs with V8's lazy compilation off already (then nothing is toggled). */
const eagerAlready = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some(
  (a) => a === '--no-lazy',
);

function runScript(source: string, filename: string, cachedData?: Uint8Array): CompiledScript {
  const script = new vm.Script(source, {
    filename,
    ...(cachedData && cachedData.length > 0
      ? { cachedData: Buffer.from(cachedData.buffer, cachedData.byteOffset, cachedData.byteLength) }
      : {}),
  });
  const rejected = cachedData !== undefined && (cachedData.length === 0 || script.cachedDataRejected === true);
  return { value: script.runInThisContext(), rejected };
}

/**
 * V8 compiles a function when it is first called, and its code cache holds only compiled
 * functions. The cached script is compiled here with lazy compilation off, so every function
 * the module translated so far is in the cache without running any of them. The flag is
 * restored before the cache is made: V8 stamps the cache with a hash of its flags, which
 * must equal the consuming process's.
 */
function produceCodeCache(source: string, filename: string): Uint8Array | undefined {
  let script: vm.Script;
  if (!eagerAlready) v8.setFlagsFromString('--no-lazy');
  try {
    script = new vm.Script(source, { filename });
  } finally {
    if (!eagerAlready) v8.setFlagsFromString('--lazy');
  }
  const data = script.createCachedData();
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

class DiskCache implements DiskCacheLike {
  constructor(
    readonly directory: string,
    private readonly maxBytes: number,
  ) {}

  read(name: string): Uint8Array | null {
    const file = path.join(this.directory, name + ENTRY_SUFFIX);
    let data: Buffer;
    try {
      data = fs.readFileSync(file);
    } catch {
      return null;
    }
    try {
      const now = new Date();
      fs.utimesSync(file, now, now);
    } catch {
      // Evicted meanwhile: the bytes read are still whole.
    }
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }

  write(name: string, data: Uint8Array): void {
    const file = path.join(this.directory, name + ENTRY_SUFFIX);
    const tmp = path.join(this.directory, `.${name}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`);
    try {
      const fd = fs.openSync(tmp, 'wx', 0o600);
      try {
        fs.writeSync(fd, data);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, file);
    } catch {
      try {
        fs.unlinkSync(tmp);
      } catch {
        /* never created */
      }
      return;
    }
    this.evict();
  }

  /** Removes least recently used entries until the directory fits maxBytes, and stale temporary files. */
  evict(): void {
    let names: string[];
    try {
      names = fs.readdirSync(this.directory);
    } catch {
      return;
    }
    const now = Date.now();
    const entries: { file: string; size: number; used: number }[] = [];
    let total = 0;
    for (const n of names) {
      const file = path.join(this.directory, n);
      let st: fs.Stats;
      try {
        st = fs.statSync(file);
      } catch {
        continue;
      }
      if (n.endsWith('.tmp')) {
        if (now - st.mtimeMs > STALE_TEMP_MS)
          try {
            fs.unlinkSync(file);
          } catch {
            /* gone */
          }
        continue;
      }
      if (!n.endsWith(ENTRY_SUFFIX) || !st.isFile()) continue;
      entries.push({ file, size: st.size, used: Math.max(st.mtimeMs, st.atimeMs) });
      total += st.size;
    }
    if (total <= this.maxBytes) return;
    entries.sort((a, b) => a.used - b.used);
    for (const e of entries) {
      if (total <= this.maxBytes) break;
      try {
        fs.unlinkSync(e.file);
      } catch {
        continue;
      }
      total -= e.size;
    }
  }
}

const diskCaches = new Map<string, DiskCache | null>();

/** Creates (or checks) a private cache directory; null when it is not private to this user. */
function diskCache(directory: string | undefined, maxBytes: number | undefined): DiskCache | null {
  const dir = path.resolve(directory ?? defaultCacheDirectory());
  const limit = maxBytes !== undefined && Number.isFinite(maxBytes) && maxBytes >= 0 ? maxBytes : DEFAULT_MAX_BYTES;
  const key = `${dir}\0${limit}`;
  if (diskCaches.has(key)) return diskCaches.get(key)!;
  let dc: DiskCache | null = null;
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = fs.statSync(dir);
    const uid = typeof process.getuid === 'function' ? process.getuid() : -1;
    if (st.isDirectory() && (uid < 0 || st.uid === uid)) {
      if ((st.mode & 0o077) !== 0) fs.chmodSync(dir, 0o700);
      dc = new DiskCache(dir, limit);
    }
  } catch {
    dc = null;
  }
  diskCaches.set(key, dc);
  return dc;
}

const exitHooks: (() => void)[] = [];
let hooked = false;

function atExit(f: () => void): void {
  exitHooks.push(f);
  if (hooked) return;
  hooked = true;
  // 'exit' runs on a normal end and on process.exit(); only synchronous work is possible there,
  // which is all the cache does.
  process.on('exit', () => {
    for (const h of exitHooks.splice(0)) {
      try {
        h();
      } catch {
        /* a cache failure never changes how the program ends */
      }
    }
  });
}

let fingerprint: string | undefined;

/**
 * SHA-256 over the code files of compiler/, runtime/ and vmctx/ beside this one (the built
 * .js files, or the .ts sources when run from them), read once per process when a cache is
 * first used.
 */
function buildFingerprint(): string {
  if (fingerprint !== undefined) return fingerprint;
  const root = path.resolve(__dirname, '..', '..');
  const h = crypto.createHash('sha256');
  const walk = (dir: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(js|ts)$/.test(e.name) && !/\.(d|test)\.ts$/.test(e.name)) {
        h.update(path.relative(root, p));
        h.update(fs.readFileSync(p));
      }
    }
  };
  for (const d of ['compiler', 'runtime', 'vmctx']) walk(path.join(root, d));
  return (fingerprint = h.digest('hex'));
}

export const nodeHost: CacheHost = {
  v8Version: process.versions.v8 ?? '',
  buildFingerprint,
  sha256(parts) {
    const h = crypto.createHash('sha256');
    for (const p of parts) h.update(p);
    const d = h.digest();
    return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  },
  equal(a, b) {
    return (
      a.length === b.length &&
      Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))
    );
  },
  runScript,
  produceCodeCache,
  diskCache,
  atExit,
};
