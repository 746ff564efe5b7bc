#!/bin/sh
# build.sh - cross-compiles the Windows conformance runner: vastrace.exe with
# the real Windows API as its only backend (harness/backends/backend_win32.c),
# statically linked so that the .exe alone can be copied to a Windows x64
# machine (or run under wine64).
#
# Usage: conformance/win32/build.sh [OUT_DIR]     (default: REPO/build-win32)
# Env:   CC (default x86_64-w64-mingw32-gcc), AR (default: CC's ar),
#        CFLAGS_EXTRA.
#
# Takes whole folders, as CMake does, so a new file cannot miss this build:
# each of harness/trace, harness/run and harness/backends becomes one static
# library, and harness/tools/*.c links against them. From the backends
# library the linker takes only what the registry names on Windows (the
# win32 backend); the model backends stay unlinked, like the models
# themselves (impl/, oracle/). vas_config_default and vas_layout_entries, the
# model functions the runner calls, come from impl/src/vas_config.c and
# impl/src/layout_table.c (portable C, data only).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${1:-$repo/build-win32}
cc=${CC:-x86_64-w64-mingw32-gcc}
ar=${AR:-${cc%gcc}ar}

if ! command -v "$cc" >/dev/null 2>&1; then
    echo "build.sh: $cc not found (install mingw-w64: apt-get install gcc-mingw-w64-x86-64)" >&2
    exit 2
fi
command -v "$ar" >/dev/null 2>&1 || ar=ar

cflags="-std=gnu11 -O2 -g -Wall -Wextra ${CFLAGS_EXTRA:-}"
includes="-I$repo/harness/include -I$repo/impl/include -I$repo/oracle"
obj=$out/obj
rm -rf "$obj"
mkdir -p "$obj"

# One static library per folder (the folders CMake builds as vas_trace,
# vas_run and vas_backends).
libs=""
for lib in trace run backends; do
    set -- "$repo/harness/$lib"/*.c
    [ -f "$1" ] || { echo "build.sh: no sources in harness/$lib" >&2; exit 2; }
    mkdir -p "$obj/$lib"
    for src in "$@"; do
        # shellcheck disable=SC2086  # flag lists
        "$cc" $cflags $includes -c "$src" \
            -o "$obj/$lib/$(basename "$src" .c).o"
    done
    rm -f "$obj/libvas_$lib.a"
    "$ar" rcs "$obj/libvas_$lib.a" "$obj/$lib"/*.o
    libs="$libs $obj/libvas_$lib.a"
done

# shellcheck disable=SC2086  # flag lists and the tools glob
"$cc" $cflags $includes \
    "$repo"/harness/tools/*.c $libs "$repo/impl/src/vas_config.c" "$repo/impl/src/layout_table.c" \
    -static -Xlinker --stack -Xlinker 0x100000,0x1000 -o "$out/vastrace.exe"
echo "build.sh: wrote $out/vastrace.exe"
