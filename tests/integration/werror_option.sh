#!/usr/bin/env bash
# Warnings are errors only on request: a plain Release configure (what a
# distribution or a user runs) adds no -Werror, ASNCOUNTER_WERROR=ON (what
# scripts/test and CI run) does.   Usage: werror_option.sh SOURCE_DIR
set -euo pipefail
src=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
configure() { cmake -S "$src" -B "$work/$1" -DCMAKE_BUILD_TYPE=Release -DASNCOUNTER_BUILD_TESTS=OFF "${@:2}" >/dev/null; }
configure plain
if grep -q -e '-Werror' "$work/plain/compile_commands.json"; then
  echo "FAIL: a plain -DCMAKE_BUILD_TYPE=Release build has -Werror"
  exit 1
fi
configure strict -DASNCOUNTER_WERROR=ON
if ! grep -q -e '-Werror' "$work/strict/compile_commands.json"; then
  echo "FAIL: -DASNCOUNTER_WERROR=ON does not add -Werror"
  exit 1
fi
echo "PASS: -Werror only with ASNCOUNTER_WERROR=ON"
