// WASI preview1 ("wasi_snapshot_preview1") constants, structure layouts and import
// signatures, as data. Values and byte offsets follow the preview1 witx definitions for
// wasm32 (the layout wasi-libc's <wasi/api.h> asserts).

import type { ValType } from '../../compiler/ir';

/** errno: the result of every preview1 function. */
export enum Errno {
  SUCCESS = 0,
  TOOBIG = 1,
  ACCES = 2,
  ADDRINUSE = 3,
  ADDRNOTAVAIL = 4,
  AFNOSUPPORT = 5,
  AGAIN = 6,
  ALREADY = 7,
  BADF = 8,
  BADMSG = 9,
  BUSY = 10,
  CANCELED = 11,
  CHILD = 12,
  CONNABORTED = 13,
  CONNREFUSED = 14,
  CONNRESET = 15,
  DEADLK = 16,
  DESTADDRREQ = 17,
  DOM = 18,
  DQUOT = 19,
  EXIST = 20,
  FAULT = 21,
  FBIG = 22,
  HOSTUNREACH = 23,
  IDRM = 24,
  ILSEQ = 25,
  INPROGRESS = 26,
  INTR = 27,
  INVAL = 28,
  IO = 29,
  ISCONN = 30,
  ISDIR = 31,
  LOOP = 32,
  MFILE = 33,
  MLINK = 34,
  MSGSIZE = 35,
  MULTIHOP = 36,
  NAMETOOLONG = 37,
  NETDOWN = 38,
  NETRESET = 39,
  NETUNREACH = 40,
  NFILE = 41,
  NOBUFS = 42,
  NODEV = 43,
  NOENT = 44,
  NOEXEC = 45,
  NOLCK = 46,
  NOLINK = 47,
  NOMEM = 48,
  NOMSG = 49,
  NOPROTOOPT = 50,
  NOSPC = 51,
  NOSYS = 52,
  NOTCONN = 53,
  NOTDIR = 54,
  NOTEMPTY = 55,
  NOTRECOVERABLE = 56,
  NOTSOCK = 57,
  NOTSUP = 58,
  NOTTY = 59,
  NXIO = 60,
  OVERFLOW = 61,
  OWNERDEAD = 62,
  PERM = 63,
  PIPE = 64,
  PROTO = 65,
  PROTONOSUPPORT = 66,
  PROTOTYPE = 67,
  RANGE = 68,
  ROFS = 69,
  SPIPE = 70,
  SRCH = 71,
  STALE = 72,
  TIMEDOUT = 73,
  TXTBSY = 74,
  XDEV = 75,
  NOTCAPABLE = 76,
}

/** Host (POSIX) error codes as Node reports them -> errno. Every errno named like its POSIX
 *  code maps directly; the aliases below cover the rest. */
const HOST_ALIASES: Record<string, Errno> = {
  E2BIG: Errno.TOOBIG,
  EWOULDBLOCK: Errno.AGAIN,
  EOPNOTSUPP: Errno.NOTSUP,
  ENOTEMPTY: Errno.NOTEMPTY,
};

export function errnoOfHostCode(code: string): Errno | undefined {
  const alias = HOST_ALIASES[code];
  if (alias !== undefined) return alias;
  if (!code.startsWith('E')) return undefined;
  const v = (Errno as unknown as Record<string, number>)[code.slice(1)];
  return typeof v === 'number' ? (v as Errno) : undefined;
}

export enum Filetype {
  UNKNOWN = 0,
  BLOCK_DEVICE = 1,
  CHARACTER_DEVICE = 2,
  DIRECTORY = 3,
  REGULAR_FILE = 4,
  SOCKET_DGRAM = 5,
  SOCKET_STREAM = 6,
  SYMBOLIC_LINK = 7,
}

export enum ClockId {
  REALTIME = 0,
  MONOTONIC = 1,
  PROCESS_CPUTIME_ID = 2,
  THREAD_CPUTIME_ID = 3,
}
export enum Whence {
  SET = 0,
  CUR = 1,
  END = 2,
}
export enum EventType {
  CLOCK = 0,
  FD_READ = 1,
  FD_WRITE = 2,
}

export const FDFLAGS_APPEND = 1;
export const FDFLAGS_DSYNC = 2;
export const FDFLAGS_NONBLOCK = 4;
export const FDFLAGS_RSYNC = 8;
export const FDFLAGS_SYNC = 16;

export const OFLAGS_CREAT = 1;
export const OFLAGS_DIRECTORY = 2;
export const OFLAGS_EXCL = 4;
export const OFLAGS_TRUNC = 8;

export const LOOKUPFLAGS_SYMLINK_FOLLOW = 1;

export const FSTFLAGS_ATIM = 1;
export const FSTFLAGS_ATIM_NOW = 2;
export const FSTFLAGS_MTIM = 4;
export const FSTFLAGS_MTIM_NOW = 8;

export const SUBCLOCKFLAGS_ABSTIME = 1;

/** rights bits (bit positions from the witx `rights` flags). */
export enum Right {
  FD_DATASYNC = 0,
  FD_READ = 1,
  FD_SEEK = 2,
  FD_FDSTAT_SET_FLAGS = 3,
  FD_SYNC = 4,
  FD_TELL = 5,
  FD_WRITE = 6,
  FD_ADVISE = 7,
  FD_ALLOCATE = 8,
  PATH_CREATE_DIRECTORY = 9,
  PATH_CREATE_FILE = 10,
  PATH_LINK_SOURCE = 11,
  PATH_LINK_TARGET = 12,
  PATH_OPEN = 13,
  FD_READDIR = 14,
  PATH_READLINK = 15,
  PATH_RENAME_SOURCE = 16,
  PATH_RENAME_TARGET = 17,
  PATH_FILESTAT_GET = 18,
  PATH_FILESTAT_SET_SIZE = 19,
  PATH_FILESTAT_SET_TIMES = 20,
  FD_FILESTAT_GET = 21,
  FD_FILESTAT_SET_SIZE = 22,
  FD_FILESTAT_SET_TIMES = 23,
  PATH_SYMLINK = 24,
  PATH_REMOVE_DIRECTORY = 25,
  PATH_UNLINK_FILE = 26,
  POLL_FD_READWRITE = 27,
  SOCK_SHUTDOWN = 28,
  SOCK_ACCEPT = 29,
}

export const rightsOf = (...rs: Right[]): bigint => rs.reduce((acc, r) => acc | (1n << BigInt(r)), 0n);
export const RIGHTS_ALL = (1n << 30n) - 1n;

/** Rights a regular file can use (directory-only rights removed). */
export const RIGHTS_FILE = rightsOf(
  Right.FD_DATASYNC,
  Right.FD_READ,
  Right.FD_SEEK,
  Right.FD_FDSTAT_SET_FLAGS,
  Right.FD_SYNC,
  Right.FD_TELL,
  Right.FD_WRITE,
  Right.FD_ADVISE,
  Right.FD_ALLOCATE,
  Right.FD_FILESTAT_GET,
  Right.FD_FILESTAT_SET_SIZE,
  Right.FD_FILESTAT_SET_TIMES,
  Right.POLL_FD_READWRITE,
);
/** Rights of a directory descriptor itself. */
export const RIGHTS_DIRECTORY = rightsOf(
  Right.FD_FDSTAT_SET_FLAGS,
  Right.FD_SYNC,
  Right.FD_ADVISE,
  Right.PATH_CREATE_DIRECTORY,
  Right.PATH_CREATE_FILE,
  Right.PATH_LINK_SOURCE,
  Right.PATH_LINK_TARGET,
  Right.PATH_OPEN,
  Right.FD_READDIR,
  Right.PATH_READLINK,
  Right.PATH_RENAME_SOURCE,
  Right.PATH_RENAME_TARGET,
  Right.PATH_FILESTAT_GET,
  Right.PATH_FILESTAT_SET_SIZE,
  Right.PATH_FILESTAT_SET_TIMES,
  Right.FD_FILESTAT_GET,
  Right.FD_FILESTAT_SET_TIMES,
  Right.PATH_SYMLINK,
  Right.PATH_REMOVE_DIRECTORY,
  Right.PATH_UNLINK_FILE,
);
/** Stream-like descriptors (terminals, pipes): no seek/tell, which is how isatty() decides. */
export const RIGHTS_STREAM = rightsOf(
  Right.FD_READ,
  Right.FD_WRITE,
  Right.FD_FDSTAT_SET_FLAGS,
  Right.FD_FILESTAT_GET,
  Right.POLL_FD_READWRITE,
  Right.FD_SYNC,
  Right.FD_DATASYNC,
);

/** Byte layouts (wasm32). */
export const Layout = {
  iovec: { size: 8, buf: 0, bufLen: 4 },
  fdstat: { size: 24, filetype: 0, flags: 2, rightsBase: 8, rightsInheriting: 16 },
  filestat: { size: 64, dev: 0, ino: 8, filetype: 16, nlink: 24, size_: 32, atim: 40, mtim: 48, ctim: 56 },
  dirent: { size: 24, next: 0, ino: 8, namlen: 16, type: 20 },
  prestat: { size: 8, tag: 0, nameLen: 4 },
  subscription: { size: 48, userdata: 0, tag: 8, clockId: 16, timeout: 24, precision: 32, flags: 40, fd: 16 },
  event: { size: 32, userdata: 0, error: 8, type: 10, nbytes: 16, flags: 24 },
} as const;

/**
 * Import signatures of wasi_snapshot_preview1: 'i' = i32, 'I' = i64; params then results.
 * Every function returns an errno except proc_exit.
 */
export const SIGNATURES: Readonly<Record<string, readonly [string, string]>> = {
  args_get: ['ii', 'i'],
  args_sizes_get: ['ii', 'i'],
  environ_get: ['ii', 'i'],
  environ_sizes_get: ['ii', 'i'],
  clock_res_get: ['ii', 'i'],
  clock_time_get: ['iIi', 'i'],
  fd_advise: ['iIIi', 'i'],
  fd_allocate: ['iII', 'i'],
  fd_close: ['i', 'i'],
  fd_datasync: ['i', 'i'],
  fd_fdstat_get: ['ii', 'i'],
  fd_fdstat_set_flags: ['ii', 'i'],
  fd_fdstat_set_rights: ['iII', 'i'],
  fd_filestat_get: ['ii', 'i'],
  fd_filestat_set_size: ['iI', 'i'],
  fd_filestat_set_times: ['iIIi', 'i'],
  fd_pread: ['iiiIi', 'i'],
  fd_prestat_get: ['ii', 'i'],
  fd_prestat_dir_name: ['iii', 'i'],
  fd_pwrite: ['iiiIi', 'i'],
  fd_read: ['iiii', 'i'],
  fd_readdir: ['iiiIi', 'i'],
  fd_renumber: ['ii', 'i'],
  fd_seek: ['iIii', 'i'],
  fd_sync: ['i', 'i'],
  fd_tell: ['ii', 'i'],
  fd_write: ['iiii', 'i'],
  path_create_directory: ['iii', 'i'],
  path_filestat_get: ['iiiii', 'i'],
  path_filestat_set_times: ['iiiiIIi', 'i'],
  path_link: ['iiiiiii', 'i'],
  path_open: ['iiiiiIIii', 'i'],
  path_readlink: ['iiiiii', 'i'],
  path_remove_directory: ['iii', 'i'],
  path_rename: ['iiiiii', 'i'],
  path_symlink: ['iiiii', 'i'],
  path_unlink_file: ['iii', 'i'],
  poll_oneoff: ['iiii', 'i'],
  proc_exit: ['i', ''],
  proc_raise: ['i', 'i'],
  sched_yield: ['', 'i'],
  random_get: ['ii', 'i'],
  sock_accept: ['iii', 'i'],
  sock_recv: ['iiiiii', 'i'],
  sock_send: ['iiiii', 'i'],
  sock_shutdown: ['ii', 'i'],
};

export function sigTypes(s: string): ValType[] {
  return Array.from(s, (c) => (c === 'I' ? 'i64' : 'i32'));
}
