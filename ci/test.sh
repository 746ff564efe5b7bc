#!/usr/bin/env bash
# The test command (README.md, .ci/run): installs what it needs, builds from
# scratch with ASan+UBSan and -Wall -Wextra, runs ctest, the pytest suites
# and a short smoke run of each fuzzing engine.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${VAS_BUILD_DIR:-$root/build}

bash ci/install_deps.sh

rm -rf "$build"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DVAS_SANITIZE=ON
ninja -C "$build"
(cd "$build" && ctest --output-on-failure -j2)

export VASTRACE="$build/harness/vastrace"
suites=()
for d in harness/tests conformance fuzz/tests ci/tests docs/tests; do
  [ -d "$d" ] && suites+=("$d")
done
/usr/bin/python3 -m pytest -q "${suites[@]}"

# The seeds, regression inputs and dictionary must match the binary format.
/usr/bin/python3 fuzz/fuzz.py seeds --check

# Embedding: a plain build, installed, used from outside (find_package, pkg-config).
bash ci/test_install.sh "$build-install"

# Each fuzz target, libFuzzer and AFL++ side by side from the seeds.
/usr/bin/python3 fuzz/fuzz.py smoke --seconds "${VAS_SMOKE_SECONDS:-20}"
# The real Windows API in the fuzzing loop: a short impl-vs-Wine run.
bash fuzz/wine_fuzz.sh --seconds "${VAS_SMOKE_SECONDS:-20}" --out "$build/wine-fuzz" --engine libfuzzer
echo "ci/test.sh: all tests passed"
