// WASI preview1 for jetwasm instances: host functions for "wasi_snapshot_preview1" defined
// through the embedder API (Func.fromHost), reading and writing the instance's exported
// "memory" through Memory.dv / Memory.u8. Preopened directories are real host directories;
// every path is resolved component by component inside its preopen (see resolvePath), so
// neither ".." nor a symlink can name anything outside it.
//
// Invariants:
// - Memory views are fetched at the start of each host call: a host function never calls back
//   into Wasm, so memory cannot grow while it runs.
// - Regular files opened through path_open carry their own position (reads and writes are
//   positioned), so fd_seek/fd_tell never need the host's file offset; append is emulated by
//   writing at the current size.
// - Directories carry no host descriptor: (root, rel) names them, rel being real (symlink-free)
//   components below the preopen root, so ".." is a lexical pop; a path resolved from a
//   directory never pops below that directory's own rel (the descriptor is the capability).
// - Every function checks the descriptor's base rights before touching the host; a
//   descriptor's rights never grow (fd_fdstat_set_rights narrows, path_open intersects with
//   the directory's inheriting rights).

import * as fs from 'fs';
import * as path from 'path';
import { randomFillSync } from 'crypto';
import { isatty } from 'tty';
import { Func, Memory, type Instance, type Linker, type Store } from '../index';
import {
  ClockId,
  Errno,
  EventType,
  Filetype,
  Layout,
  Right,
  SIGNATURES,
  Whence,
  errnoOfHostCode,
  rightsOf,
  sigTypes,
  FDFLAGS_APPEND,
  FDFLAGS_DSYNC,
  FDFLAGS_NONBLOCK,
  FDFLAGS_RSYNC,
  FDFLAGS_SYNC,
  FSTFLAGS_ATIM,
  FSTFLAGS_ATIM_NOW,
  FSTFLAGS_MTIM,
  FSTFLAGS_MTIM_NOW,
  LOOKUPFLAGS_SYMLINK_FOLLOW,
  OFLAGS_CREAT,
  OFLAGS_DIRECTORY,
  OFLAGS_EXCL,
  OFLAGS_TRUNC,
  RIGHTS_ALL,
  RIGHTS_DIRECTORY,
  RIGHTS_FILE,
  RIGHTS_STREAM,
  SUBCLOCKFLAGS_ABSTIME,
} from './defs';

export { Errno } from './defs';

export const WASI_MODULE = 'wasi_snapshot_preview1';

/** Thrown by proc_exit; unwinds the Wasm stack up to start()/the embedder. */
export class WasiExit extends Error {
  constructor(readonly code: number) {
    super(`exit with code ${code}`);
    this.name = 'WasiExit';
  }
}

export interface WasiOptions {
  /** argv, including argv[0]. */
  readonly args?: readonly string[];
  /** Environment seen by the program (nothing of the host's is passed implicitly). */
  readonly env?: Readonly<Record<string, string>>;
  /** Guest path -> host directory, given descriptors 3, 4, ... in this order (pairs keep
   *  the order exactly; a record orders integer-like keys first, as JS objects do). */
  readonly preopens?: Readonly<Record<string, string>> | readonly (readonly [guest: string, host: string])[];
  /** Host descriptors for the program's 0, 1, 2 (default: the process's own). */
  readonly stdin?: number;
  readonly stdout?: number;
  readonly stderr?: number;
}

interface DirEntryCache {
  readonly names: Buffer[];
  readonly inos: bigint[];
  readonly types: Filetype[];
}

/** One open descriptor. */
interface Descriptor {
  filetype: Filetype;
  /** Host descriptor; null for directories. */
  readonly hostFd: number | null;
  /** True for the process's stdio: never closed by fd_close. */
  readonly borrowed: boolean;
  /** Position for descriptors we opened; null = stream (host offset, not seekable). */
  position: bigint | null;
  fdflags: number;
  rightsBase: bigint;
  rightsInheriting: bigint;
  /** Directories: the preopen's host root and the real components below it. */
  readonly root: string | null;
  readonly rel: readonly string[];
  /** Name reported by fd_prestat_dir_name (preopens only). */
  readonly preopenName: Buffer | null;
  dirCache: DirEntryCache | null;
}

interface Resolved {
  readonly rel: string[];
  readonly host: string;
}

type HostFn = (...args: never[]) => number | void;

const MAX_SYMLINK_EXPANSIONS = 32;

/** Each right as a bigint mask, by name. */
const RIGHT = Object.fromEntries(
  Object.entries(Right)
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => [k, rightsOf(v as Right)]),
) as Record<keyof typeof Right, bigint>;

/** Sleeps the thread (no event loop turn: Wasm code is synchronous). */
function sleepMs(ms: number): void {
  if (ms <= 0) return;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function hostCode(e: unknown): string | undefined {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : undefined;
}

/** What fs.Stats, fs.BigIntStats and fs.Dirent share. */
type FileKind = Pick<
  fs.Stats,
  'isFile' | 'isDirectory' | 'isSymbolicLink' | 'isCharacterDevice' | 'isBlockDevice' | 'isSocket'
>;

function filetypeOf(st: FileKind): Filetype {
  if (st.isFile()) return Filetype.REGULAR_FILE;
  if (st.isDirectory()) return Filetype.DIRECTORY;
  if (st.isSymbolicLink()) return Filetype.SYMBOLIC_LINK;
  if (st.isCharacterDevice()) return Filetype.CHARACTER_DEVICE;
  if (st.isBlockDevice()) return Filetype.BLOCK_DEVICE;
  if (st.isSocket()) return Filetype.SOCKET_STREAM;
  return Filetype.UNKNOWN;
}

function nowNs(id: number): bigint | null {
  switch (id) {
    case ClockId.REALTIME:
      return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;
    case ClockId.MONOTONIC:
      return process.hrtime.bigint();
    case ClockId.PROCESS_CPUTIME_ID:
    case ClockId.THREAD_CPUTIME_ID: {
      const u = process.cpuUsage();
      return BigInt(u.user + u.system) * 1000n;
    }
    default:
      return null;
  }
}

/**
 * Seconds to pass to fs.utimes & co. for a time of `ns` nanoseconds since the epoch. Node
 * passes a double to libuv, which keeps whole microseconds of it (uv__fs_to_timespec
 * truncates the nanoseconds to microseconds), so the microsecond is the finest unit that
 * can be stored. The double aimed at is the middle of ns's microsecond: a double near
 * today's times is only exact to a few hundred nanoseconds, and from the middle that error
 * cannot carry the truncation into a neighbouring microsecond.
 */
function hostSeconds(ns: bigint): number {
  return Number(ns / 1_000_000_000n) + (Number((ns % 1_000_000_000n) / 1000n) + 0.5) / 1e6;
}

const CLOCK_RESOLUTION_NS: Readonly<Record<number, bigint>> = {
  [ClockId.REALTIME]: 1000n,
  [ClockId.MONOTONIC]: 1n,
  [ClockId.PROCESS_CPUTIME_ID]: 1000n,
  [ClockId.THREAD_CPUTIME_ID]: 1000n,
};

/**
 * WASI preview1 state of one program: argv, environment and the descriptor table.
 * Use: `wasi.defineImports(linker, store)`, instantiate, then `wasi.start(instance)`.
 */
export class Wasi {
  private readonly argBytes: Buffer[];
  private readonly envBytes: Buffer[];
  private readonly fds = new Map<number, Descriptor>();
  private memory: Memory | null = null;

  constructor(options: WasiOptions = {}) {
    this.argBytes = (options.args ?? []).map((a) => Buffer.from(a + '\0', 'utf8'));
    this.envBytes = Object.entries(options.env ?? {}).map(([k, v]) => Buffer.from(`${k}=${v}\0`, 'utf8'));
    const stdio = [options.stdin ?? 0, options.stdout ?? 1, options.stderr ?? 2];
    stdio.forEach((hostFd, i) => this.fds.set(i, this.stdioDescriptor(hostFd)));
    let next = 3;
    const preopens = Array.isArray(options.preopens) ? options.preopens : Object.entries(options.preopens ?? {});
    for (const [guest, host] of preopens) {
      let root: string;
      try {
        root = fs.realpathSync(host);
      } catch {
        throw new Error(`preopened directory ${JSON.stringify(host)} does not exist`);
      }
      if (!fs.statSync(root).isDirectory())
        throw new Error(`preopened path ${JSON.stringify(host)} is not a directory`);
      this.fds.set(next++, {
        filetype: Filetype.DIRECTORY,
        hostFd: null,
        borrowed: false,
        position: null,
        fdflags: 0,
        rightsBase: RIGHTS_DIRECTORY,
        rightsInheriting: RIGHTS_ALL,
        root,
        rel: [],
        preopenName: Buffer.from(guest, 'utf8'),
        dirCache: null,
      });
    }
  }

  private stdioDescriptor(hostFd: number): Descriptor {
    let filetype = Filetype.UNKNOWN;
    try {
      filetype = filetypeOf(fs.fstatSync(hostFd));
    } catch {
      /* a closed stdio descriptor: unknown type, errors surface on use */
    }
    // A terminal has no seek/tell rights: that is how wasi-libc's isatty() recognises one.
    // Other streams keep them and fd_seek answers ESPIPE, as lseek() does on a pipe.
    const rights =
      filetype === Filetype.REGULAR_FILE
        ? RIGHTS_FILE
        : isatty(hostFd)
          ? RIGHTS_STREAM
          : RIGHTS_STREAM | RIGHT.FD_SEEK | RIGHT.FD_TELL;
    return {
      filetype,
      hostFd,
      borrowed: true,
      position: null,
      fdflags: 0,
      rightsBase: rights,
      rightsInheriting: 0n,
      root: null,
      rel: [],
      preopenName: null,
      dirCache: null,
    };
  }

  // ------------------------------------------------------------------ embedding

  /** Host functions by import name, one Func each. */
  imports(store: Store): Map<string, Func> {
    const table = this.functions();
    const out = new Map<string, Func>();
    for (const [name, [params, results]] of Object.entries(SIGNATURES)) {
      const impl = table[name];
      const type = { kind: 'func' as const, params: sigTypes(params), results: sigTypes(results) };
      out.set(
        name,
        Func.fromHost(store, type, (...args: unknown[]) => this.guard(impl, args)),
      );
    }
    return out;
  }

  /** Defines every preview1 function in `linker` under "wasi_snapshot_preview1". */
  defineImports(linker: Linker, store: Store): void {
    for (const [name, f] of this.imports(store)) linker.define(WASI_MODULE, name, f);
  }

  /**
   * Attaches the instance whose exported "memory" the host functions use; `memory` is the
   * one used when the instance exports none (a module that imports its memory, as
   * wasi-threads programs do, need not export it).
   */
  bind(instance: Instance, memory?: Memory): void {
    const m = instance.getExport('memory');
    // A module without memory can still use the pointer-free functions (proc_exit, ...).
    this.memory = m instanceof Memory ? m : (memory ?? null);
  }

  /** Runs a command: calls `_start`; returns the exit code (0 when _start returns). */
  start(instance: Instance, memory?: Memory): number {
    this.bind(instance, memory);
    const start = instance.getExport('_start');
    if (!(start instanceof Func)) throw new Error('the module has no exported function "_start"');
    try {
      start.call();
      return 0;
    } catch (e) {
      if (e instanceof WasiExit) return e.code;
      throw e;
    }
  }

  /** Initializes a reactor: calls `_initialize` if exported. */
  initialize(instance: Instance): void {
    this.bind(instance);
    const init = instance.getExport('_initialize');
    if (init instanceof Func) init.call();
  }

  // ------------------------------------------------------------------ plumbing

  private guard(impl: HostFn, args: unknown[]): number | void {
    try {
      return (impl as (...a: unknown[]) => number | void)(...args);
    } catch (e) {
      if (e instanceof WasiExit) throw e;
      const code = hostCode(e);
      if (code !== undefined) {
        const errno = errnoOfHostCode(code);
        return errno ?? Errno.IO;
      }
      // Bad guest pointers surface as RangeError from the views.
      if (e instanceof RangeError) return Errno.FAULT;
      throw e;
    }
  }

  private mem(): Memory {
    if (!this.memory)
      throw new Error('a WASI function needs the instance\'s exported "memory" (none exported, or bind() not called)');
    return this.memory;
  }

  /** A bounds-checked view of guest bytes (shares the memory). */
  private bytes(ptr: number, len: number): Uint8Array {
    const m = this.mem();
    const p = ptr >>> 0;
    const n = len >>> 0;
    if (p + n > m.byteLength) throw new RangeError('out of bounds');
    return m.u8.subarray(p, p + n);
  }

  private string(ptr: number, len: number): string {
    const b = this.bytes(ptr, len);
    return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
  }

  private iovecs(ptr: number, count: number): Uint8Array[] {
    const dv = this.mem().dv;
    const out: Uint8Array[] = [];
    for (let i = 0; i < count >>> 0; i++) {
      const at = (ptr >>> 0) + i * Layout.iovec.size;
      out.push(this.bytes(dv.getUint32(at + Layout.iovec.buf, true), dv.getUint32(at + Layout.iovec.bufLen, true)));
    }
    return out;
  }

  /**
   * Runs `io` over the buffers in order and stops after the first that moves fewer bytes
   * than its length (more may not be available without blocking); returns the bytes moved.
   */
  private eachIovec(bufs: Uint8Array[], io: (buf: Uint8Array) => number): number {
    let total = 0;
    for (const buf of bufs) {
      const n = io(buf);
      total += n;
      if (n < buf.length) break;
    }
    return total;
  }

  private u32(ptr: number, v: number): void {
    this.mem().dv.setUint32(ptr >>> 0, v >>> 0, true);
  }

  private u64(ptr: number, v: bigint): void {
    this.mem().dv.setBigUint64(ptr >>> 0, BigInt.asUintN(64, v), true);
  }

  /**
   * Descriptor `fd` if its base rights hold every right in `rights`: BADF when there is no
   * such descriptor, NOTCAPABLE when a right is missing. `file`/`dir` check the kind of
   * descriptor before the rights, so a call on the wrong kind fails as POSIX says (ISDIR,
   * NOTDIR) whatever the rights.
   */
  private fd(fd: number, rights = 0n): Descriptor | Errno {
    const d = this.fds.get(fd >>> 0);
    if (d === undefined) return Errno.BADF;
    return (d.rightsBase & rights) === rights ? d : Errno.NOTCAPABLE;
  }

  /** A descriptor with a host descriptor (file, stream), holding `rights`. */
  private file(fd: number, rights: bigint): Descriptor | Errno {
    const d = this.fds.get(fd >>> 0);
    if (d === undefined) return Errno.BADF;
    if (d.hostFd === null) return d.filetype === Filetype.DIRECTORY ? Errno.ISDIR : Errno.BADF;
    return (d.rightsBase & rights) === rights ? d : Errno.NOTCAPABLE;
  }

  /** A directory descriptor holding `rights`. */
  private dir(fd: number, rights: bigint): Descriptor | Errno {
    const d = this.fds.get(fd >>> 0);
    if (d === undefined) return Errno.BADF;
    if (d.root === null) return Errno.NOTDIR;
    return (d.rightsBase & rights) === rights ? d : Errno.NOTCAPABLE;
  }

  private dirHost(d: Descriptor): string {
    return path.join(d.root as string, ...d.rel);
  }

  private allocateFd(d: Descriptor): number {
    let n = 3;
    while (this.fds.has(n)) n++;
    this.fds.set(n, d);
    return n;
  }

  /**
   * Resolves `guest` relative to directory `d`: empty, "." and repeated "/" components are
   * dropped, ".." pops a real component, symlinks met on the way are expanded in place. `d`
   * is the capability: nothing above it can be named, so a ".." (from the path or from a
   * symlink's target) that would leave it and an absolute path or symlink target are
   * ENOTCAPABLE. The last component is expanded only when `followFinal` or when a "/"
   * follows it (which also requires a directory); a missing last component is allowed
   * (creation). The host path keeps a trailing "/" so the host applies POSIX's rules for it
   * (link("f", "new/") is ENOENT, open(O_CREAT, "new/") EISDIR, ...).
   */
  private resolvePath(d: Descriptor, guest: string, followFinal: boolean): Resolved | Errno {
    if (guest.length === 0) return Errno.NOENT;
    if (guest.includes('\0')) return Errno.ILSEQ;
    if (guest.startsWith('/')) return Errno.NOTCAPABLE;
    const root = d.root as string;
    const floor = d.rel.length;
    const pending = guest.split('/').reverse();
    const finalSlash = pending.length > 1 && (pending[0] === '' || pending[0] === '.');
    const rel = [...d.rel];
    let expansions = 0;
    while (pending.length > 0) {
      const c = pending.pop() as string;
      if (c === '' || c === '.') continue;
      if (c === '..') {
        if (rel.length === floor) return Errno.NOTCAPABLE;
        rel.pop();
        continue;
      }
      const last = pending.every((p) => p === '' || p === '.');
      // A "/" after the last component: it must be a directory (a symlink to one).
      const dirOnly = last && pending.length > 0;
      const host = path.join(root, ...rel, c);
      if (!last || followFinal || dirOnly) {
        let st: fs.Stats;
        try {
          st = fs.lstatSync(host);
        } catch (e) {
          if (last && hostCode(e) === 'ENOENT') {
            rel.push(c);
            continue;
          }
          return errnoOfHostCode(hostCode(e) ?? '') ?? Errno.IO;
        }
        if (st.isSymbolicLink()) {
          if (++expansions > MAX_SYMLINK_EXPANSIONS) return Errno.LOOP;
          const target = fs.readlinkSync(host, 'utf8');
          if (target.startsWith('/')) return Errno.NOTCAPABLE;
          // The components left (only "" or "." after the last one) keep applying after it.
          for (const t of target.split('/').reverse()) pending.push(t);
          continue;
        }
        if ((!last || dirOnly) && !st.isDirectory()) return Errno.NOTDIR;
      }
      rel.push(c);
    }
    const host = path.join(root, ...rel);
    return { rel, host: finalSlash && rel.length > 0 ? `${host}/` : host };
  }

  private resolveAt(
    fd: number,
    rights: bigint,
    pathPtr: number,
    pathLen: number,
    followFinal: boolean,
  ): Resolved | Errno {
    const d = this.dir(fd, rights);
    if (typeof d === 'number') return d;
    return this.resolvePath(d, this.string(pathPtr, pathLen), followFinal);
  }

  private writeFilestat(ptr: number, st: fs.BigIntStats): void {
    const dv = this.mem().dv;
    const p = ptr >>> 0;
    const L = Layout.filestat;
    if (p + L.size > dv.byteLength) throw new RangeError('out of bounds');
    dv.setBigUint64(p + L.dev, st.dev, true);
    dv.setBigUint64(p + L.ino, st.ino, true);
    dv.setUint8(p + L.filetype, filetypeOf(st));
    for (let i = 17; i < 24; i++) dv.setUint8(p + i, 0);
    dv.setBigUint64(p + L.nlink, st.nlink, true);
    dv.setBigUint64(p + L.size_, st.size, true);
    dv.setBigUint64(p + L.atim, st.atimeNs, true);
    dv.setBigUint64(p + L.mtim, st.mtimeNs, true);
    dv.setBigUint64(p + L.ctim, st.ctimeNs, true);
  }

  /**
   * New (atime, mtime) from fst_flags, as seconds for fs.utimes/futimes/lutimes, keeping
   * the time that is not set. Node takes seconds as a double and its libuv keeps whole
   * microseconds of it, so a time is stored to the microsecond (see hostSeconds), and the
   * time not set is written back at that precision too (Node cannot leave one out).
   */
  private times(st: fs.BigIntStats, atim: bigint, mtim: bigint, flags: number): [number, number] | Errno {
    if ((flags & FSTFLAGS_ATIM && flags & FSTFLAGS_ATIM_NOW) || (flags & FSTFLAGS_MTIM && flags & FSTFLAGS_MTIM_NOW))
      return Errno.INVAL;
    const now = nowNs(ClockId.REALTIME) as bigint;
    const a = flags & FSTFLAGS_ATIM_NOW ? now : flags & FSTFLAGS_ATIM ? atim : st.atimeNs;
    const m = flags & FSTFLAGS_MTIM_NOW ? now : flags & FSTFLAGS_MTIM ? mtim : st.mtimeNs;
    return [hostSeconds(a), hostSeconds(m)];
  }

  /** Writes all of `data` to a host descriptor, waiting out EAGAIN on non-blocking pipes. */
  private writeAll(hostFd: number, data: Uint8Array, position: bigint | null): number {
    let done = 0;
    while (done < data.length) {
      let n: number;
      try {
        n = fs.writeSync(hostFd, data, done, data.length - done, position === null ? null : Number(position) + done);
      } catch (e) {
        if (hostCode(e) === 'EAGAIN') {
          sleepMs(1);
          continue;
        }
        if (done > 0) return done;
        throw e;
      }
      done += n;
    }
    return done;
  }

  private readSome(hostFd: number, into: Uint8Array, position: bigint | null): number {
    for (;;) {
      try {
        return fs.readSync(hostFd, into, 0, into.length, position === null ? null : Number(position));
      } catch (e) {
        const code = hostCode(e);
        if (code === 'EAGAIN') {
          sleepMs(1);
          continue;
        }
        if (code === 'EOF') return 0;
        throw e;
      }
    }
  }

  private directoryEntries(d: Descriptor): DirEntryCache {
    const host = this.dirHost(d);
    const names: Buffer[] = [Buffer.from('.'), Buffer.from('..')];
    const inos: bigint[] = [fs.statSync(host, { bigint: true }).ino, 0n];
    const types: Filetype[] = [Filetype.DIRECTORY, Filetype.DIRECTORY];
    try {
      inos[1] = fs.statSync(path.dirname(host), { bigint: true }).ino;
    } catch {
      /* parent unreadable: ino 0 */
    }
    for (const e of fs.readdirSync(host, { withFileTypes: true, encoding: 'buffer' })) {
      names.push(e.name);
      types.push(filetypeOf(e));
      let ino = 0n;
      try {
        ino = fs.lstatSync(path.join(host, e.name.toString('utf8')), { bigint: true }).ino;
      } catch {
        /* removed meanwhile */
      }
      inos.push(ino);
    }
    return { names, inos, types };
  }

  // ------------------------------------------------------------------ the functions

  private functions(): Record<string, HostFn> {
    const L = Layout;
    return {
      args_sizes_get: (argcPtr: number, sizePtr: number) => {
        this.u32(argcPtr, this.argBytes.length);
        this.u32(
          sizePtr,
          this.argBytes.reduce((n, b) => n + b.length, 0),
        );
        return Errno.SUCCESS;
      },
      args_get: (argvPtr: number, bufPtr: number) => this.writeStrings(this.argBytes, argvPtr, bufPtr),
      environ_sizes_get: (countPtr: number, sizePtr: number) => {
        this.u32(countPtr, this.envBytes.length);
        this.u32(
          sizePtr,
          this.envBytes.reduce((n, b) => n + b.length, 0),
        );
        return Errno.SUCCESS;
      },
      environ_get: (envPtr: number, bufPtr: number) => this.writeStrings(this.envBytes, envPtr, bufPtr),

      clock_res_get: (id: number, resPtr: number) => {
        const r = CLOCK_RESOLUTION_NS[id];
        if (r === undefined) return Errno.INVAL;
        this.u64(resPtr, r);
        return Errno.SUCCESS;
      },
      clock_time_get: (id: number, _precision: bigint, timePtr: number) => {
        const t = nowNs(id);
        if (t === null) return Errno.INVAL;
        this.u64(timePtr, t);
        return Errno.SUCCESS;
      },

      fd_advise: (fd: number, _offset: bigint, _len: bigint, advice: number) => {
        const d = this.file(fd, RIGHT.FD_ADVISE);
        if (typeof d === 'number') return d;
        if (advice < 0 || advice > 5) return Errno.INVAL;
        return d.filetype === Filetype.REGULAR_FILE ? Errno.SUCCESS : Errno.SPIPE;
      },
      fd_allocate: (fd: number, offset: bigint, len: bigint) => {
        const d = this.file(fd, RIGHT.FD_ALLOCATE);
        if (typeof d === 'number') return d;
        if (d.filetype !== Filetype.REGULAR_FILE) return Errno.NODEV;
        const end = BigInt.asUintN(64, offset) + BigInt.asUintN(64, len);
        if (end > BigInt(Number.MAX_SAFE_INTEGER)) return Errno.FBIG;
        const st = fs.fstatSync(d.hostFd as number, { bigint: true });
        if (end > st.size) fs.ftruncateSync(d.hostFd as number, Number(end));
        return Errno.SUCCESS;
      },
      fd_close: (fd: number) => {
        const d = this.fd(fd);
        if (typeof d === 'number') return d;
        this.fds.delete(fd >>> 0);
        if (d.hostFd !== null && !d.borrowed) fs.closeSync(d.hostFd);
        return Errno.SUCCESS;
      },
      fd_datasync: (fd: number) => {
        const d = this.fd(fd, RIGHT.FD_DATASYNC);
        if (typeof d === 'number') return d;
        if (d.hostFd !== null) fs.fdatasyncSync(d.hostFd);
        return Errno.SUCCESS;
      },
      fd_sync: (fd: number) => {
        const d = this.fd(fd, RIGHT.FD_SYNC);
        if (typeof d === 'number') return d;
        if (d.hostFd !== null) fs.fsyncSync(d.hostFd);
        return Errno.SUCCESS;
      },
      fd_fdstat_get: (fd: number, ptr: number) => {
        const d = this.fd(fd);
        if (typeof d === 'number') return d;
        const dv = this.mem().dv;
        const p = ptr >>> 0;
        if (p + L.fdstat.size > dv.byteLength) return Errno.FAULT;
        new Uint8Array(dv.buffer, p, L.fdstat.size).fill(0);
        dv.setUint8(p + L.fdstat.filetype, d.filetype);
        dv.setUint16(p + L.fdstat.flags, d.fdflags, true);
        dv.setBigUint64(p + L.fdstat.rightsBase, d.rightsBase, true);
        dv.setBigUint64(p + L.fdstat.rightsInheriting, d.rightsInheriting, true);
        return Errno.SUCCESS;
      },
      fd_fdstat_set_flags: (fd: number, flags: number) => {
        const d = this.fd(fd, RIGHT.FD_FDSTAT_SET_FLAGS);
        if (typeof d === 'number') return d;
        const known = FDFLAGS_APPEND | FDFLAGS_DSYNC | FDFLAGS_NONBLOCK | FDFLAGS_RSYNC | FDFLAGS_SYNC;
        if (flags & ~known) return Errno.INVAL;
        d.fdflags = flags;
        return Errno.SUCCESS;
      },
      fd_fdstat_set_rights: (fd: number, base: bigint, inheriting: bigint) => {
        const d = this.fd(fd);
        if (typeof d === 'number') return d;
        const b = BigInt.asUintN(64, base);
        const i = BigInt.asUintN(64, inheriting);
        if ((b & ~d.rightsBase) !== 0n || (i & ~d.rightsInheriting) !== 0n) return Errno.NOTCAPABLE;
        d.rightsBase = b;
        d.rightsInheriting = i;
        return Errno.SUCCESS;
      },
      fd_filestat_get: (fd: number, ptr: number) => {
        const d = this.fd(fd, RIGHT.FD_FILESTAT_GET);
        if (typeof d === 'number') return d;
        const st =
          d.hostFd !== null ? fs.fstatSync(d.hostFd, { bigint: true }) : fs.statSync(this.dirHost(d), { bigint: true });
        this.writeFilestat(ptr, st);
        return Errno.SUCCESS;
      },
      fd_filestat_set_size: (fd: number, size: bigint) => {
        const d = this.file(fd, RIGHT.FD_FILESTAT_SET_SIZE);
        if (typeof d === 'number') return d;
        const n = BigInt.asUintN(64, size);
        if (n > BigInt(Number.MAX_SAFE_INTEGER)) return Errno.FBIG;
        fs.ftruncateSync(d.hostFd as number, Number(n));
        return Errno.SUCCESS;
      },
      fd_filestat_set_times: (fd: number, atim: bigint, mtim: bigint, flags: number) => {
        const d = this.fd(fd, RIGHT.FD_FILESTAT_SET_TIMES);
        if (typeof d === 'number') return d;
        const st =
          d.hostFd !== null ? fs.fstatSync(d.hostFd, { bigint: true }) : fs.statSync(this.dirHost(d), { bigint: true });
        const t = this.times(st, BigInt.asUintN(64, atim), BigInt.asUintN(64, mtim), flags);
        if (typeof t === 'number') return t;
        if (d.hostFd !== null) fs.futimesSync(d.hostFd, t[0], t[1]);
        else fs.utimesSync(this.dirHost(d), t[0], t[1]);
        return Errno.SUCCESS;
      },
      fd_pread: (fd: number, iovs: number, iovsLen: number, offset: bigint, nreadPtr: number) => {
        const d = this.file(fd, RIGHT.FD_READ | RIGHT.FD_SEEK);
        if (typeof d === 'number') return d;
        if (d.position === null) return Errno.SPIPE;
        let pos = BigInt.asUintN(64, offset);
        this.u32(
          nreadPtr,
          this.eachIovec(this.iovecs(iovs, iovsLen), (buf) => {
            const n = this.readSome(d.hostFd as number, buf, pos);
            pos += BigInt(n);
            return n;
          }),
        );
        return Errno.SUCCESS;
      },
      fd_pwrite: (fd: number, iovs: number, iovsLen: number, offset: bigint, nwrittenPtr: number) => {
        const d = this.file(fd, RIGHT.FD_WRITE | RIGHT.FD_SEEK);
        if (typeof d === 'number') return d;
        if (d.position === null) return Errno.SPIPE;
        let pos = BigInt.asUintN(64, offset);
        this.u32(
          nwrittenPtr,
          this.eachIovec(this.iovecs(iovs, iovsLen), (buf) => {
            const n = this.writeAll(d.hostFd as number, buf, pos);
            pos += BigInt(n);
            return n;
          }),
        );
        return Errno.SUCCESS;
      },
      fd_read: (fd: number, iovs: number, iovsLen: number, nreadPtr: number) => {
        const d = this.file(fd, RIGHT.FD_READ);
        if (typeof d === 'number') return d;
        this.u32(
          nreadPtr,
          this.eachIovec(this.iovecs(iovs, iovsLen), (buf) => {
            if (buf.length === 0) return 0; // no read: on a pipe it could block
            const n = this.readSome(d.hostFd as number, buf, d.position);
            if (d.position !== null) d.position += BigInt(n);
            return n;
          }),
        );
        return Errno.SUCCESS;
      },
      fd_write: (fd: number, iovs: number, iovsLen: number, nwrittenPtr: number) => {
        const d = this.file(fd, RIGHT.FD_WRITE);
        if (typeof d === 'number') return d;
        const bufs = this.iovecs(iovs, iovsLen);
        if (d.position !== null && d.fdflags & FDFLAGS_APPEND)
          d.position = fs.fstatSync(d.hostFd as number, { bigint: true }).size;
        this.u32(
          nwrittenPtr,
          this.eachIovec(bufs, (buf) => {
            const n = this.writeAll(d.hostFd as number, buf, d.position);
            if (d.position !== null) d.position += BigInt(n);
            return n;
          }),
        );
        return Errno.SUCCESS;
      },
      fd_prestat_get: (fd: number, ptr: number) => {
        const d = this.fd(fd);
        if (typeof d === 'number') return d;
        if (d.preopenName === null) return Errno.BADF;
        const dv = this.mem().dv;
        const p = ptr >>> 0;
        if (p + L.prestat.size > dv.byteLength) return Errno.FAULT;
        dv.setUint32(p + L.prestat.tag, 0, true); // tag 0 = dir; padding zeroed with it
        dv.setUint32(p + L.prestat.nameLen, d.preopenName.length, true);
        return Errno.SUCCESS;
      },
      fd_prestat_dir_name: (fd: number, ptr: number, len: number) => {
        const d = this.fd(fd);
        if (typeof d === 'number') return d;
        if (d.preopenName === null) return Errno.BADF;
        const n = Math.min(len >>> 0, d.preopenName.length);
        this.bytes(ptr, n).set(d.preopenName.subarray(0, n));
        return n < d.preopenName.length ? Errno.NAMETOOLONG : Errno.SUCCESS;
      },
      fd_readdir: (fd: number, buf: number, bufLen: number, cookie: bigint, usedPtr: number) => {
        const d = this.dir(fd, RIGHT.FD_READDIR);
        if (typeof d === 'number') return d;
        const out = this.bytes(buf, bufLen);
        const c = BigInt.asUintN(64, cookie);
        if (c === 0n || d.dirCache === null) d.dirCache = this.directoryEntries(d);
        const { names, inos, types } = d.dirCache;
        let used = 0;
        for (let i = Number(c); i < names.length && used < out.length; i++) {
          const entry = Buffer.alloc(L.dirent.size + names[i].length);
          entry.writeBigUInt64LE(BigInt(i + 1), L.dirent.next);
          entry.writeBigUInt64LE(inos[i], L.dirent.ino);
          entry.writeUInt32LE(names[i].length, L.dirent.namlen);
          entry.writeUInt8(types[i], L.dirent.type);
          names[i].copy(entry, L.dirent.size);
          // A truncated last entry tells the caller (bufused == buf_len) to come back.
          const n = Math.min(entry.length, out.length - used);
          out.set(entry.subarray(0, n), used);
          used += n;
        }
        this.u32(usedPtr, used);
        return Errno.SUCCESS;
      },
      fd_renumber: (from: number, to: number) => {
        const d = this.fd(from);
        if (typeof d === 'number') return d;
        const t = this.fd(to);
        if (typeof t === 'number') return t;
        if (from >>> 0 === to >>> 0) return Errno.SUCCESS;
        if (t.hostFd !== null && !t.borrowed) fs.closeSync(t.hostFd);
        this.fds.set(to >>> 0, d);
        this.fds.delete(from >>> 0);
        return Errno.SUCCESS;
      },
      fd_seek: (fd: number, offset: bigint, whence: number, newPtr: number) => {
        // Reading the position (offset 0 from the current one) is what fd_tell allows.
        const tellOnly = offset === 0n && whence === Whence.CUR;
        const d = this.file(fd, tellOnly ? 0n : RIGHT.FD_SEEK);
        if (typeof d === 'number') return d;
        if (tellOnly && (d.rightsBase & (RIGHT.FD_SEEK | RIGHT.FD_TELL)) === 0n) return Errno.NOTCAPABLE;
        if (d.position === null) return Errno.SPIPE;
        let base: bigint;
        switch (whence) {
          case Whence.SET:
            base = 0n;
            break;
          case Whence.CUR:
            base = d.position;
            break;
          case Whence.END:
            base = fs.fstatSync(d.hostFd as number, { bigint: true }).size;
            break;
          default:
            return Errno.INVAL;
        }
        const next = base + offset;
        if (next < 0n) return Errno.INVAL;
        d.position = next;
        this.u64(newPtr, next);
        return Errno.SUCCESS;
      },
      fd_tell: (fd: number, ptr: number) => {
        const d = this.file(fd, 0n);
        if (typeof d === 'number') return d;
        if ((d.rightsBase & (RIGHT.FD_SEEK | RIGHT.FD_TELL)) === 0n) return Errno.NOTCAPABLE;
        if (d.position === null) return Errno.SPIPE;
        this.u64(ptr, d.position);
        return Errno.SUCCESS;
      },

      path_create_directory: (fd: number, p: number, len: number) => {
        const r = this.resolveAt(fd, RIGHT.PATH_CREATE_DIRECTORY, p, len, false);
        if (typeof r === 'number') return r;
        fs.mkdirSync(r.host);
        return Errno.SUCCESS;
      },
      path_filestat_get: (fd: number, flags: number, p: number, len: number, ptr: number) => {
        const follow = (flags & LOOKUPFLAGS_SYMLINK_FOLLOW) !== 0;
        const r = this.resolveAt(fd, RIGHT.PATH_FILESTAT_GET, p, len, follow);
        if (typeof r === 'number') return r;
        this.writeFilestat(ptr, fs.lstatSync(r.host, { bigint: true }));
        return Errno.SUCCESS;
      },
      path_filestat_set_times: (
        fd: number,
        flags: number,
        p: number,
        len: number,
        atim: bigint,
        mtim: bigint,
        fst: number,
      ) => {
        const follow = (flags & LOOKUPFLAGS_SYMLINK_FOLLOW) !== 0;
        const r = this.resolveAt(fd, RIGHT.PATH_FILESTAT_SET_TIMES, p, len, follow);
        if (typeof r === 'number') return r;
        const st = fs.lstatSync(r.host, { bigint: true });
        const t = this.times(st, BigInt.asUintN(64, atim), BigInt.asUintN(64, mtim), fst);
        if (typeof t === 'number') return t;
        if (st.isSymbolicLink()) fs.lutimesSync(r.host, t[0], t[1]);
        else fs.utimesSync(r.host, t[0], t[1]);
        return Errno.SUCCESS;
      },
      path_link: (
        oldFd: number,
        oldFlags: number,
        oldP: number,
        oldLen: number,
        newFd: number,
        newP: number,
        newLen: number,
      ) => {
        const from = this.resolveAt(
          oldFd,
          RIGHT.PATH_LINK_SOURCE,
          oldP,
          oldLen,
          (oldFlags & LOOKUPFLAGS_SYMLINK_FOLLOW) !== 0,
        );
        if (typeof from === 'number') return from;
        const to = this.resolveAt(newFd, RIGHT.PATH_LINK_TARGET, newP, newLen, false);
        if (typeof to === 'number') return to;
        fs.linkSync(from.host, to.host);
        return Errno.SUCCESS;
      },
      path_open: (
        fd: number,
        dirflags: number,
        p: number,
        len: number,
        oflags: number,
        rightsBase: bigint,
        rightsInheriting: bigint,
        fdflags: number,
        fdPtr: number,
      ) =>
        this.pathOpen(
          fd,
          dirflags,
          p,
          len,
          oflags,
          BigInt.asUintN(64, rightsBase),
          BigInt.asUintN(64, rightsInheriting),
          fdflags,
          fdPtr,
        ),
      path_readlink: (fd: number, p: number, len: number, buf: number, bufLen: number, usedPtr: number) => {
        const r = this.resolveAt(fd, RIGHT.PATH_READLINK, p, len, false);
        if (typeof r === 'number') return r;
        const target = fs.readlinkSync(r.host, { encoding: 'buffer' });
        const n = Math.min(target.length, bufLen >>> 0);
        this.bytes(buf, n).set(target.subarray(0, n));
        this.u32(usedPtr, n);
        return Errno.SUCCESS;
      },
      path_remove_directory: (fd: number, p: number, len: number) => {
        const r = this.resolveAt(fd, RIGHT.PATH_REMOVE_DIRECTORY, p, len, false);
        if (typeof r === 'number') return r;
        if (r.rel.length === 0) return Errno.BUSY;
        fs.rmdirSync(r.host);
        return Errno.SUCCESS;
      },
      path_rename: (fd: number, oldP: number, oldLen: number, newFd: number, newP: number, newLen: number) => {
        const from = this.resolveAt(fd, RIGHT.PATH_RENAME_SOURCE, oldP, oldLen, false);
        if (typeof from === 'number') return from;
        const to = this.resolveAt(newFd, RIGHT.PATH_RENAME_TARGET, newP, newLen, false);
        if (typeof to === 'number') return to;
        if (from.rel.length === 0 || to.rel.length === 0) return Errno.BUSY;
        fs.renameSync(from.host, to.host);
        return Errno.SUCCESS;
      },
      path_symlink: (oldP: number, oldLen: number, fd: number, newP: number, newLen: number) => {
        const target = this.string(oldP, oldLen);
        const r = this.resolveAt(fd, RIGHT.PATH_SYMLINK, newP, newLen, false);
        if (typeof r === 'number') return r;
        // An absolute target names nothing the program holds a capability for. Relative
        // targets are stored verbatim; following them is confined by resolvePath.
        if (target.startsWith('/')) return Errno.NOTCAPABLE;
        fs.symlinkSync(target, r.host);
        return Errno.SUCCESS;
      },
      path_unlink_file: (fd: number, p: number, len: number) => {
        const r = this.resolveAt(fd, RIGHT.PATH_UNLINK_FILE, p, len, false);
        if (typeof r === 'number') return r;
        fs.unlinkSync(r.host);
        return Errno.SUCCESS;
      },

      poll_oneoff: (inPtr: number, outPtr: number, n: number, neventsPtr: number) =>
        this.pollOneoff(inPtr, outPtr, n, neventsPtr),

      proc_exit: (code: number) => {
        throw new WasiExit(code >>> 0);
      },
      // Signals are not delivered to the host process; there is no signal model in preview1.
      proc_raise: () => Errno.NOSYS,
      sched_yield: () => Errno.SUCCESS,
      random_get: (buf: number, len: number) => {
        const b = this.bytes(buf, len);
        for (let i = 0; i < b.length; i += 65536) randomFillSync(b.subarray(i, Math.min(b.length, i + 65536)));
        return Errno.SUCCESS;
      },

      sock_accept: (fd: number) => this.noSockets(fd),
      sock_recv: (fd: number) => this.noSockets(fd),
      sock_send: (fd: number) => this.noSockets(fd),
      sock_shutdown: (fd: number) => this.noSockets(fd),
    };
  }

  private noSockets(fd: number): Errno {
    const d = this.fd(fd);
    if (typeof d === 'number') return d;
    return d.filetype === Filetype.SOCKET_STREAM || d.filetype === Filetype.SOCKET_DGRAM ? Errno.NOTSUP : Errno.NOTSOCK;
  }

  private writeStrings(strings: Buffer[], ptrs: number, buf: number): Errno {
    let at = buf >>> 0;
    for (let i = 0; i < strings.length; i++) {
      this.u32((ptrs >>> 0) + 4 * i, at);
      this.bytes(at, strings[i].length).set(strings[i]);
      at += strings[i].length;
    }
    return Errno.SUCCESS;
  }

  private pathOpen(
    fd: number,
    dirflags: number,
    p: number,
    len: number,
    oflags: number,
    rightsBase: bigint,
    rightsInheriting: bigint,
    fdflags: number,
    fdPtr: number,
  ): Errno {
    // Creating needs path_create_file and truncating path_filestat_set_size, on the directory.
    const needed =
      RIGHT.PATH_OPEN |
      (oflags & OFLAGS_CREAT ? RIGHT.PATH_CREATE_FILE : 0n) |
      (oflags & OFLAGS_TRUNC ? RIGHT.PATH_FILESTAT_SET_SIZE : 0n);
    const dir = this.dir(fd, needed);
    if (typeof dir === 'number') return dir;
    const follow = (dirflags & LOOKUPFLAGS_SYMLINK_FOLLOW) !== 0;
    const r = this.resolvePath(dir, this.string(p, len), follow);
    if (typeof r === 'number') return r;
    const C = fs.constants;
    // The new descriptor gets the rights asked for that the directory's inheriting rights
    // allow (as Wasmtime does; Rust's std asks for more than it needs and expects this),
    // narrowed to what the kind of file can use. The host open mode follows the rights.
    const base = rightsBase & dir.rightsInheriting;
    const inheriting = rightsInheriting & dir.rightsInheriting;
    const writeRights = RIGHT.FD_WRITE | RIGHT.FD_ALLOCATE | RIGHT.FD_FILESTAT_SET_SIZE;
    const asksWrite = (rightsBase & writeRights) !== 0n;
    const wantsWrite = (base & writeRights) !== 0n || (oflags & OFLAGS_TRUNC) !== 0;
    const wantsRead = (base & RIGHT.FD_READ) !== 0n;

    let existing: fs.Stats | null = null;
    try {
      existing = fs.lstatSync(r.host);
    } catch (e) {
      if (hostCode(e) !== 'ENOENT') throw e;
    }
    const asDirectory = (): Errno => {
      const st = existing as fs.Stats;
      if (!st.isDirectory()) return st.isSymbolicLink() ? Errno.LOOP : Errno.NOTDIR;
      if (oflags & OFLAGS_CREAT && oflags & OFLAGS_EXCL) return Errno.EXIST;
      if (asksWrite || oflags & OFLAGS_TRUNC) return Errno.ISDIR;
      // Reading the directory itself must be possible (readdir at least).
      fs.accessSync(r.host, C.R_OK);
      const n = this.allocateFd({
        filetype: Filetype.DIRECTORY,
        hostFd: null,
        borrowed: false,
        position: null,
        fdflags,
        rightsBase: base & RIGHTS_DIRECTORY,
        rightsInheriting: inheriting,
        root: dir.root,
        rel: r.rel,
        preopenName: null,
        dirCache: null,
      });
      this.u32(fdPtr, n);
      return Errno.SUCCESS;
    };
    if (oflags & OFLAGS_DIRECTORY) {
      if (existing === null) return Errno.NOENT;
      return asDirectory();
    }
    if (existing?.isDirectory()) return asDirectory();

    let flags = wantsWrite ? (wantsRead ? C.O_RDWR : C.O_WRONLY) : C.O_RDONLY;
    if (oflags & OFLAGS_CREAT) flags |= C.O_CREAT;
    if (oflags & OFLAGS_EXCL) flags |= C.O_EXCL;
    if (oflags & OFLAGS_TRUNC) flags |= C.O_TRUNC;
    if (fdflags & FDFLAGS_DSYNC) flags |= C.O_DSYNC;
    if (fdflags & (FDFLAGS_SYNC | FDFLAGS_RSYNC)) flags |= C.O_SYNC;
    if (fdflags & FDFLAGS_NONBLOCK) flags |= C.O_NONBLOCK;
    // The path was resolved symlink-free; a final symlink left in place (no follow) must fail.
    flags |= C.O_NOFOLLOW;
    const hostFd = fs.openSync(r.host, flags, 0o666);
    let filetype: Filetype;
    try {
      filetype = filetypeOf(fs.fstatSync(hostFd));
    } catch (e) {
      fs.closeSync(hostFd);
      throw e;
    }
    const n = this.allocateFd({
      filetype,
      hostFd,
      borrowed: false,
      position: filetype === Filetype.REGULAR_FILE ? 0n : null,
      fdflags,
      rightsBase: base & RIGHTS_FILE,
      rightsInheriting: inheriting,
      root: null,
      rel: [],
      preopenName: null,
      dirCache: null,
    });
    this.u32(fdPtr, n);
    return Errno.SUCCESS;
  }

  private pollOneoff(inPtr: number, outPtr: number, count: number, neventsPtr: number): Errno {
    const n = count >>> 0;
    if (n === 0) return Errno.INVAL;
    const dv = this.mem().dv;
    const S = Layout.subscription;
    const E = Layout.event;
    if ((inPtr >>> 0) + n * S.size > dv.byteLength || (outPtr >>> 0) + n * E.size > dv.byteLength) return Errno.FAULT;
    interface Ev {
      userdata: bigint;
      error: Errno;
      type: EventType;
      nbytes: bigint;
    }
    const ready: Ev[] = [];
    const clocks: { userdata: bigint; deadline: bigint; id: number }[] = [];
    for (let i = 0; i < n; i++) {
      const s = (inPtr >>> 0) + i * S.size;
      const userdata = dv.getBigUint64(s + S.userdata, true);
      const tag = dv.getUint8(s + S.tag);
      if (tag === EventType.CLOCK) {
        const id = dv.getUint32(s + S.clockId, true);
        const timeout = dv.getBigUint64(s + S.timeout, true);
        const flags = dv.getUint16(s + S.flags, true);
        const now = nowNs(id);
        if (now === null) {
          ready.push({ userdata, error: Errno.INVAL, type: EventType.CLOCK, nbytes: 0n });
          continue;
        }
        const relative = flags & SUBCLOCKFLAGS_ABSTIME ? timeout - now : timeout;
        clocks.push({ userdata, id, deadline: process.hrtime.bigint() + (relative > 0n ? relative : 0n) });
      } else if (tag === EventType.FD_READ || tag === EventType.FD_WRITE) {
        const fd = dv.getUint32(s + S.fd, true);
        const d = this.fds.get(fd);
        let nbytes = 0n;
        let error = Errno.SUCCESS;
        if (!d || d.hostFd === null) error = Errno.BADF;
        else if ((d.rightsBase & RIGHT.POLL_FD_READWRITE) === 0n) error = Errno.NOTCAPABLE;
        else if (tag === EventType.FD_READ && d.position !== null) {
          // Regular files are always ready; report what is left to read.
          const size = fs.fstatSync(d.hostFd, { bigint: true }).size;
          nbytes = size > d.position ? size - d.position : 0n;
        }
        // Streams (stdin, pipes) are reported ready: the following fd_read blocks until data.
        ready.push({ userdata, error, type: tag, nbytes });
      } else {
        ready.push({ userdata, error: Errno.INVAL, type: tag as EventType, nbytes: 0n });
      }
    }
    if (ready.length === 0 && clocks.length > 0) {
      const first = clocks.reduce((a, b) => (b.deadline < a.deadline ? b : a)).deadline;
      const wait = first - process.hrtime.bigint();
      if (wait > 0n) sleepMs(Number(wait) / 1e6);
      while (process.hrtime.bigint() < first) sleepMs(0.1);
    }
    const now = process.hrtime.bigint();
    for (const c of clocks)
      if (c.deadline <= now)
        ready.push({ userdata: c.userdata, error: Errno.SUCCESS, type: EventType.CLOCK, nbytes: 0n });
    const out = this.mem().dv;
    ready.forEach((ev, i) => {
      const e = (outPtr >>> 0) + i * E.size;
      new Uint8Array(out.buffer, e, E.size).fill(0);
      out.setBigUint64(e + E.userdata, ev.userdata, true);
      out.setUint16(e + E.error, ev.error, true);
      out.setUint8(e + E.type, ev.type);
      out.setBigUint64(e + E.nbytes, ev.nbytes, true);
    });
    this.u32(neventsPtr, ready.length);
    return Errno.SUCCESS;
  }
}
