#!/bin/sh
# build.sh - cross-compiles the Windows conformance runner: vastrace.exe with
# the real Windows API as its only backend (harness/src/backend_win32.c),
# statically linked so that the .exe alone can be copied to a Windows x64
# machine (or run under wine64).
#
# Usage: conformance/win32/build.sh [OUT_DIR]     (default: REPO/build-win32)
# Env:   CC (default x86_64-w64-mingw32-gcc), CFLAGS_EXTRA.
#
# Compiles the portable harness sources: the trace language (trace_*.c), the
# runner (run/diff/op_execute/result_compare/region_table/expect_check), the
# backend registry, the win32 backend and the vastrace tool (tools/*.c). The
# models (impl/, oracle/) are not linked; vas_config_default, the one model
# function the runner calls, comes from impl/src/vas_config.c (portable C).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${1:-$repo/build-win32}
cc=${CC:-x86_64-w64-mingw32-gcc}

if ! command -v "$cc" >/dev/null 2>&1; then
    echo "build.sh: $cc not found (install mingw-w64: apt-get install gcc-mingw-w64-x86-64)" >&2
    exit 2
fi

src=$repo/harness/src
tools=$repo/harness/tools

# The runner files are named one by one: a missing one means another part of
# the project is not written yet, which is worth saying plainly.
required="run_trace.c diff_trace.c op_execute.c result_compare.c region_table.c region_sample.c
expect_check.c backend_registry.c backend_win32.c protocol_records.c protocol_server.c
remote_replay.c"
missing=""
for f in $required; do
    [ -f "$src/$f" ] || missing="$missing harness/src/$f"
done
set -- "$src"/trace_*.c
[ -f "$1" ] || missing="$missing harness/src/trace_*.c"
set -- "$tools"/*.c
[ -f "$1" ] || missing="$missing harness/tools/*.c"
if [ -n "$missing" ]; then
    echo "build.sh: cannot build vastrace.exe yet, missing:$missing" >&2
    exit 2
fi

sources="$src/trace_*.c"
for f in $required; do sources="$sources $src/$f"; done
sources="$sources $tools/*.c $repo/impl/src/vas_config.c"

mkdir -p "$out"
# shellcheck disable=SC2086  # the globs in $sources are meant to expand
"$cc" -std=gnu11 -O2 -g -Wall -Wextra ${CFLAGS_EXTRA:-} \
    -I"$repo/harness/include" -I"$repo/impl/include" -I"$src" -I"$tools" \
    $sources -static -o "$out/vastrace.exe"
echo "build.sh: wrote $out/vastrace.exe"
