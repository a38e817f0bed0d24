#!/bin/sh
# Rebuilds the WASI test programs (tests/wasi/*.wasm) from tests/wasi/src/*.c.
# Needs clang, lld and wasi-libc (Debian: apt-get install clang lld wasi-libc
# libclang-rt-14-dev-wasm32). The built .wasm files are committed; tests do not rebuild.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
CC=${CC:-clang}
SYSROOT=${WASI_SYSROOT:-}
if [ -z "$SYSROOT" ]; then
  for d in /usr/share/wasi-sysroot /usr/lib/wasi-sysroot /usr; do
    if [ -f "$d/include/wasm32-wasi/wasi/api.h" ] || [ -f "$d/include/wasi/api.h" ]; then SYSROOT=$d; break; fi
  done
fi
for src in "$here"/src/*.c; do
  name=$(basename "$src" .c)
  # reactor*.c: no main; _initialize instead of _start.
  case $name in reactor*) model=-mexec-model=reactor ;; *) model= ;; esac
  $CC $model --target=wasm32-wasi ${SYSROOT:+--sysroot="$SYSROOT"} -O2 -Wall -Werror \
    -Wl,--strip-all -o "$here/$name.wasm" "$src"
  echo "built $name.wasm ($(wc -c < "$here/$name.wasm") bytes)"
done

# threads.wasm (wasi-threads): no libc, since Debian's wasi-libc has no wasm32-wasi-threads
# sysroot and its libc.a, built without atomics, cannot be linked into a shared memory.
# src/threads/thread_start.s gives each thread its own stack (see src/threads/threads.c).
T="--target=wasm32-wasi -matomics -mbulk-memory"
tmp=$(mktemp -d)
$CC $T -O2 -Wall -Werror -nostdlib -c "$here/src/threads/threads.c" -o "$tmp/threads.o"
$CC $T -c "$here/src/threads/thread_start.s" -o "$tmp/thread_start.o"
${WASM_LD:-wasm-ld} --shared-memory --import-memory --max-memory=1048576 --no-entry \
  --export=_start --export=wasi_thread_start --strip-all \
  -o "$here/threads.wasm" "$tmp/threads.o" "$tmp/thread_start.o"
rm -rf "$tmp"
echo "built threads.wasm ($(wc -c < "$here/threads.wasm") bytes)"
