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
