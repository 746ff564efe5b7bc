#!/usr/bin/env bash
# fuzz/make_seeds.sh - a thin wrapper kept for old command lines: regenerating
# the seeds, regression inputs and dictionary is `python3 fuzz/fuzz.py seeds [--check]`.
exec python3 "$(dirname "${BASH_SOURCE[0]}")/fuzz.py" seeds "$@"
