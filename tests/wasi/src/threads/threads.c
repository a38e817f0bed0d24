// wasi-threads test program (tests/wasi/threads.wasm; built by tests/wasi/build.sh).
//
// Debian's wasi-libc has no wasm32-wasi-threads sysroot (no pthreads, and its libc.a is not
// built with atomics, so it cannot be linked into a shared memory). This program therefore
// uses no libc: it declares the few WASI imports it needs, and thread_start.s provides
// wasi_thread_start, which gives each thread its own stack before any C code runs.
//
// Usage: threads.wasm [counters|exit|trap]   (default: counters)
//   counters  4 threads add to shared counters with atomics; each checks that its stack is
//             its own; the main thread joins them (futex wait) and prints the totals.
//   exit      a thread calls proc_exit(3) while the main thread waits forever.
//   trap      a thread traps (unreachable) while the main thread waits forever.

#include <stdint.h>

#define IMPORT(mod, name) __attribute__((import_module(mod), import_name(name)))

typedef struct { const void *buf; uint32_t len; } ciovec;

IMPORT("wasi_snapshot_preview1", "fd_write") uint16_t fd_write(int fd, const ciovec *iovs, uint32_t n, uint32_t *written);
IMPORT("wasi_snapshot_preview1", "proc_exit") _Noreturn void proc_exit(uint32_t code);
IMPORT("wasi_snapshot_preview1", "args_sizes_get") uint16_t args_sizes_get(uint32_t *argc, uint32_t *size);
IMPORT("wasi_snapshot_preview1", "args_get") uint16_t args_get(char **argv, char *buf);
IMPORT("wasi", "thread-spawn") int32_t thread_spawn(void *start_arg);

#define THREADS 4
#define ROUNDS 20000
#define STACK_SIZE 16384

// What wasi_thread_start receives; thread_start.s reads stack_top (the first field).
struct thread {
  uint32_t stack_top;
  int index;
  int32_t tid_spawned;   // thread-spawn's result, seen by the main thread
  int32_t tid_started;   // wasi_thread_start's tid argument, seen by the thread
  int stack_ok;
};

static struct thread threads[THREADS];
static _Alignas(16) unsigned char stacks[THREADS][STACK_SIZE];
static const char *mode = "counters";

static uint64_t total;    // sum over threads of (index + 1) * ROUNDS
static int32_t hits;      // one per round of every thread
static int32_t arrived;   // threads at the barrier in check_stack
static int32_t finished;  // threads done; the main thread waits on it
static int32_t never;     // nothing ever notifies it

static uint32_t len(const char *s) { uint32_t n = 0; while (s[n]) n++; return n; }

static void write_str(int fd, const char *s) {
  ciovec iov = { s, len(s) };
  uint32_t written;
  fd_write(fd, &iov, 1, &written);
}

// One line from parts, written with a single fd_write so a line is never split.
static void say(const char *a, uint64_t n, const char *b) {
  char line[96];
  uint32_t k = 0;
  for (const char *p = a; *p; p++) line[k++] = *p;
  char digits[24];
  int d = 0;
  do { digits[d++] = (char)('0' + n % 10); n /= 10; } while (n);
  while (d) line[k++] = digits[--d];
  for (const char *p = b; *p; p++) line[k++] = *p;
  line[k++] = '\n';
  line[k] = 0;
  write_str(1, line);
}

static int streq(const char *a, const char *b) {
  while (*a && *a == *b) { a++; b++; }
  return *a == *b;
}

static void wait_forever(void) {
  for (;;) __builtin_wasm_memory_atomic_wait32(&never, 0, -1);
}

// Fills a buffer on this thread's stack, waits until every thread has filled its own, then
// checks it: threads sharing one stack would have overwritten each other's buffers.
static __attribute__((noinline)) int check_stack(int index) {
  volatile int buf[512];
  for (int i = 0; i < 512; i++) buf[i] = index * 1000 + i;
  __atomic_fetch_add(&arrived, 1, __ATOMIC_SEQ_CST);
  __builtin_wasm_memory_atomic_notify(&arrived, (unsigned)-1);
  for (;;) {
    int32_t a = __atomic_load_n(&arrived, __ATOMIC_SEQ_CST);
    if (a == THREADS) break;
    __builtin_wasm_memory_atomic_wait32(&arrived, a, -1);
  }
  for (int r = 0; r < ROUNDS; r++) {
    __atomic_fetch_add(&hits, 1, __ATOMIC_SEQ_CST);
    __atomic_fetch_add(&total, (uint64_t)(index + 1), __ATOMIC_SEQ_CST);
  }
  for (int i = 0; i < 512; i++) if (buf[i] != index * 1000 + i) return 0;
  return 1;
}

// Called by wasi_thread_start (thread_start.s) on the thread's own stack.
void thread_main(int32_t tid, struct thread *t) {
  t->tid_started = tid;
  if (streq(mode, "exit")) {
    say("thread ", (uint64_t)t->index, ": exit 3");
    proc_exit(3);
  }
  if (streq(mode, "trap")) {
    say("thread ", (uint64_t)t->index, ": trap");
    __builtin_trap();
  }
  say("thread ", (uint64_t)t->index, ": start");
  t->stack_ok = check_stack(t->index);
  say("thread ", (uint64_t)t->index, ": done");
  __atomic_fetch_add(&finished, 1, __ATOMIC_SEQ_CST);
  __builtin_wasm_memory_atomic_notify(&finished, 1);
}

static void read_mode(void) {
  static char *argv[8];
  static char buf[256];
  uint32_t argc, size;
  if (args_sizes_get(&argc, &size) != 0 || argc < 2 || argc > 8 || size > sizeof buf) return;
  if (args_get(argv, buf) == 0) mode = argv[1];
}

void _start(void) {
  read_mode();
  int n = streq(mode, "counters") ? THREADS : 1;
  say("main: spawning ", (uint64_t)n, streq(mode, "counters") ? " threads" : " thread");
  for (int i = 0; i < n; i++) {
    threads[i].stack_top = (uint32_t)(uintptr_t)(stacks[i] + STACK_SIZE);
    threads[i].index = i;
    int32_t tid = thread_spawn(&threads[i]);
    if (tid <= 0) {
      say("main: thread-spawn failed: -", (uint64_t)(-(int64_t)tid), "");
      proc_exit(1);
    }
    threads[i].tid_spawned = tid;
  }
  if (n == 1) wait_forever();
  for (;;) {
    int32_t f = __atomic_load_n(&finished, __ATOMIC_SEQ_CST);
    if (f == n) break;
    __builtin_wasm_memory_atomic_wait32(&finished, f, -1);
  }
  int tids_ok = 1, stacks_ok = 1;
  for (int i = 0; i < n; i++) {
    if (threads[i].tid_started != threads[i].tid_spawned || threads[i].tid_spawned >= (1 << 29)) tids_ok = 0;
    for (int j = 0; j < i; j++) if (threads[j].tid_spawned == threads[i].tid_spawned) tids_ok = 0;
    if (!threads[i].stack_ok) stacks_ok = 0;
  }
  say("main: joined ", (uint64_t)__atomic_load_n(&finished, __ATOMIC_SEQ_CST), " threads");
  say("main: hits = ", (uint64_t)__atomic_load_n(&hits, __ATOMIC_SEQ_CST), "");
  say("main: total = ", __atomic_load_n(&total, __ATOMIC_SEQ_CST), "");
  write_str(1, tids_ok ? "main: thread ids ok\n" : "main: thread ids WRONG\n");
  write_str(1, stacks_ok ? "main: stacks ok\n" : "main: stacks SHARED\n");
}
