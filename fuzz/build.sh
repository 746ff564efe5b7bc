#!/usr/bin/env bash
# fuzz/build.sh - a thin wrapper kept for old command lines: the build is
# `python3 fuzz/fuzz.py build [--engine E] [--planted-bug] [--out DIR]`.
exec python3 "$(dirname "${BASH_SOURCE[0]}")/fuzz.py" build "$@"
