#!/usr/bin/env bash
# fuzz/build.sh - builds every fuzz target for one engine.
#
#   fuzz/build.sh [--engine ENGINE] [--planted-bug] [--out DIR]
#
# ENGINE (default libfuzzer):
#   libfuzzer        clang -fsanitize=fuzzer,address,undefined
#   libfuzzer-nosan  clang -fsanitize=fuzzer, -O2, no sanitizers (exec/s measurements)
#   afl              afl-clang-fast, persistent mode + shared-memory inputs (afl_driver.c)
#   afl-cmplog       the same with AFL_LLVM_CMPLOG=1 (for afl-fuzz -c)
#   replay           cc + regression_driver.c: replays files, no engine
#   coverage         clang source-based coverage + regression_driver.c
#   bench            cc -O2, no sanitizers + bench_exec.c: exec/s on one core
#   oss-fuzz         $CC $CFLAGS, linked by $CXX with $LIB_FUZZING_ENGINE
#                    (what OSS-Fuzz / ClusterFuzzLite set; see .clusterfuzzlite/)
# --planted-bug  compiles impl with -DVAS_PLANTED_BUG_DECOMMIT=1 (an off-by-one
#                page in decommit) for the fault-injection test.
# --out DIR      default: build-fuzz/ENGINE[-planted] at the repository root.
#
# Every target appears in DIR under the same name whatever the engine
# (fuzz_diff, fuzz_diff_host), so scripts only change the directory.
# Sources are compiled directly (no CMake), whole folders: the libraries of
# lib_dirs below (the Windows backend compiles to nothing here), then fuzz/.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
engine=libfuzzer
planted=0
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --engine) engine=$2; shift 2 ;;
    --engine=*) engine=${1#*=}; shift ;;
    --planted-bug) planted=1; shift ;;
    --out) out=$2; shift 2 ;;
    --out=*) out=${1#*=}; shift ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[ -n "$out" ] || out="$repo/build-fuzz/$engine$([ $planted = 1 ] && echo -planted || true)"

targets=(fuzz_diff fuzz_diff_host)
# impl against the real Windows API under Wine: needs wine64 at run time,
# so not for OSS-Fuzz.
[ "$engine" = oss-fuzz ] || targets+=(fuzz_diff_wine)
common="-std=gnu11 -g -Wall -Wextra -fno-omit-frame-pointer"
driver=""        # the source that provides main(), if the engine does not
link_cc=""       # the linker driver, when not the compiler
link_flags=""
case "$engine" in
  libfuzzer)
    cc=${CC:-clang}
    cflags="$common -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all"
    link_flags="-fsanitize=fuzzer,address,undefined" ;;
  libfuzzer-nosan)
    cc=${CC:-clang}
    cflags="$common -O2 -fsanitize=fuzzer-no-link"
    link_flags="-fsanitize=fuzzer" ;;
  afl|afl-cmplog)
    cc=afl-clang-fast
    cflags="$common -O2"
    driver="$repo/fuzz/afl_driver.c"
    # afl-clang-fast instruments by environment; CMPLOG adds comparison logging.
    if [ "$engine" = afl-cmplog ]; then export AFL_LLVM_CMPLOG=1; fi
    export AFL_QUIET=1 ;;
  replay)
    cc=${CC:-cc}
    cflags="$common -O2"
    driver="$repo/fuzz/regression_driver.c" ;;
  bench)
    cc=${CC:-cc}
    cflags="$common -O2"
    driver="$repo/fuzz/bench_exec.c" ;;
  coverage)
    cc=${CC:-clang}
    cflags="$common -O0 -fprofile-instr-generate -fcoverage-mapping"
    link_flags="-fprofile-instr-generate"
    driver="$repo/fuzz/regression_driver.c" ;;
  oss-fuzz)
    : "${CC:?oss-fuzz engine needs CC}" "${CXX:?oss-fuzz engine needs CXX}"
    : "${LIB_FUZZING_ENGINE:?oss-fuzz engine needs LIB_FUZZING_ENGINE}"
    cc=$CC
    cflags="-std=gnu11 ${CFLAGS:-}"
    link_cc=$CXX
    link_flags="${CXXFLAGS:-} $LIB_FUZZING_ENGINE" ;;
  *) echo "build.sh: unknown engine '$engine'" >&2; exit 2 ;;
esac
[ -n "$link_cc" ] || link_cc=$cc

defines=""
[ $planted = 1 ] && defines="-DVAS_PLANTED_BUG_DECOMMIT=1"
includes="-I$repo/impl/include -I$repo/impl/src -I$repo/oracle -I$repo/harness/include -I$repo/fuzz"

# The libraries the targets link, one folder each (as in CMake).
lib_dirs=(impl/src impl/src/host oracle harness/trace harness/run harness/backends)
shopt -s nullglob
lib_sources=()
for d in "${lib_dirs[@]}"; do lib_sources+=("$repo/$d"/*.c); done
shopt -u nullglob

# Up to date when every target is newer than every source and header and
# was built with the same compilers and flags: then there is nothing to do.
objdir="$out/obj"
signature="$cc $link_cc $cflags $defines $link_flags $(command -v "$cc" || true)"
stamp="$out/.build-signature"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$signature" ]; then
  newer=$(find "${lib_dirs[@]/#/$repo/}" "$repo/impl/include" "$repo/harness/include" \
               "$repo/fuzz" -name '*.[ch]' -newer "$stamp" -print -quit; \
          find "$0" -newer "$stamp" -print -quit)
  if [ -z "$newer" ]; then
    echo "build.sh: $engine$([ $planted = 1 ] && echo ' (planted bug)' || true) -> $out: up to date"
    exit 0
  fi
fi
rm -rf "$objdir" "$stamp"
for t in "${targets[@]}"; do rm -f "$out/$t"; done  # a failed build leaves nothing stale
mkdir -p "$objdir"
started="$out/.build-started"   # the stamp's time: edits made during the build count as newer
touch "$started"

# One object per source, compiled in parallel; names keep their folder so
# that two files of the same name cannot collide.
compile_all() {
  local src obj
  for src in "$@"; do
    obj="$objdir/$(realpath --relative-to="$repo" "$src" | tr '/' '_').o"
    printf '%s\0%s\0' "$src" "$obj"
  done | xargs -0 -n2 -P "$(nproc)" sh -c \
      "$cc $cflags $defines $includes -c \"\$0\" -o \"\$1\" || exit 255"
}
target_sources=()
for t in "${targets[@]}"; do target_sources+=("$repo/fuzz/$t.c"); done
fuzz_lib=("$repo/fuzz/fuzz_helpers.c" "$repo/fuzz/wine_deviations.c")
compile_all "${lib_sources[@]}" "${fuzz_lib[@]}" ${driver:+"$driver"} "${target_sources[@]}"

common_objs=()
for src in "${lib_sources[@]}" "${fuzz_lib[@]}" ${driver:+"$driver"}; do
  common_objs+=("$objdir/$(realpath --relative-to="$repo" "$src" | tr '/' '_').o")
done
for t in "${targets[@]}"; do
  # shellcheck disable=SC2086  # flags are word lists
  $link_cc $cflags "${common_objs[@]}" "$objdir/fuzz_$t.c.o" $link_flags -o "$out/$t"
done
echo "$signature" > "$stamp"
touch -r "$started" "$stamp"
rm -f "$started"
echo "build.sh: $engine$([ $planted = 1 ] && echo ' (planted bug)' || true) -> $out: ${targets[*]}"
