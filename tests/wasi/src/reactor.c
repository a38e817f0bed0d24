// A WASI reactor (built with -mexec-model=reactor): no _start; _initialize runs the C
// constructors, then the host calls the exports.
#include <stdio.h>
#include <stdlib.h>

static int initialized;
__attribute__((constructor)) static void init(void) { initialized = 42; }

__attribute__((export_name("add"))) int add(int a, int b) { return a + b + (initialized == 42 ? 0 : 1000); }

__attribute__((export_name("greet"))) int greet(int n) {
  for (int i = 0; i < n; i++) printf("hello %d\n", i);
  fflush(stdout);
  return n;
}

__attribute__((export_name("quit"))) void quit(int code) { exit(code); }

__attribute__((export_name("crash"))) void crash(void) { __builtin_trap(); }
