#!/usr/bin/env bash
# Installs the Debian 12 packages the build, tests and campaign need.
# Skips apt-get entirely when everything is already there (a developer's
# machine); otherwise needs root (or sudo).
set -euo pipefail

packages=(cmake ninja-build gcc clang llvm libclang-rt-14-dev python3 python3-pytest python3-yaml
          afl++ wine wine64 mingw-w64 procps
          chromium)   # the campaign's front page is checked in a real headless browser

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "ci/install_deps.sh: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
