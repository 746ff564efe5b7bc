#!/usr/bin/env bash
# ci/test_install.sh WORKDIR - embedding: a plain `cmake -S . -B` build (no
# sanitizers: checked in the library's symbols), `cmake --install` into a
# prefix, then examples/embed built out of tree against the installed copy
# both ways (find_package(vas) -> vas::vas, and pkg-config vas) and run, and
# the installed vastrace run.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:?usage: ci/test_install.sh WORKDIR}
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
prefix=$work/prefix

cmake -S . -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DVAS_BUILD_TESTS=OFF \
      -DCMAKE_INSTALL_PREFIX="$prefix" >"$work/configure.log"
grep -q '^VAS_SANITIZE:BOOL=OFF$' "$work/build/CMakeCache.txt" \
  || { echo "test_install.sh: a plain build has VAS_SANITIZE on" >&2; exit 1; }
ninja -C "$work/build" vas vastrace >"$work/build.log"
cmake --install "$work/build" >"$work/install.log"
if nm "$prefix/lib/libvas.a" | grep -q '__asan_\|__ubsan_'; then
  echo "test_install.sh: the installed library is built with sanitizers" >&2; exit 1
fi
for f in include/vas/vas.h include/vas/vas_plugin.h lib/libvas.a bin/vastrace \
         lib/cmake/vas/vasConfig.cmake lib/cmake/vas/vasConfigVersion.cmake lib/pkgconfig/vas.pc; do
  [ -e "$prefix/$f" ] || { echo "test_install.sh: $f not installed" >&2; exit 1; }
done

# find_package(vas)
cmake -S examples/embed -B "$work/embed-cmake" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" >"$work/embed-cmake.log"
ninja -C "$work/embed-cmake" >>"$work/embed-cmake.log"
"$work/embed-cmake/embed"

# pkg-config
flags=$(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs vas)
# shellcheck disable=SC2086  # flags is a word list
cc -std=c11 -Wall -Wextra -Werror examples/embed/embed.c $flags -o "$work/embed-pc"
"$work/embed-pc"

"$prefix/bin/vastrace" help >/dev/null
echo "test_install.sh: installed to $prefix; embed built with find_package and with pkg-config; both ran"
