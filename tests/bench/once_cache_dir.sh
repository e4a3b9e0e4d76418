#!/usr/bin/env bash
# asncounterd --once --db TABLE --cache-dir NEW on an empty input (issue 26):
# the first run makes NEW and writes the table cache, the next runs map it.
# The baseline, run alongside: the same one-shot without a cache
# (--cache-dir ''), which is what a missing NEW gave before: a parse of the
# dump at every run. Per run: wall milliseconds and CPU milliseconds (user +
# system, bash's `time`); best and median of 5. On a loaded machine the
# wall time mostly measures the other tenants: compare the CPU times.
#
#   tests/bench/once_cache_dir.sh BUILD_DIR [TABLE]
# TABLE defaults to the shared ipasn_20140513.dat.gz (full 2014 IPv4 table).
set -euo pipefail
build=${1:?usage: $0 BUILD_DIR [TABLE]}
here=$(cd "$(dirname "$0")" && pwd)
data=${ASNCOUNTER_TEST_DATA:-$here/../../../shared/data}
db=${2:-$data/ipasn_20140513.dat.gz}
[ -r "$db" ] || { echo "needs $db"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
daemon=$build/daemon/asncounterd

run_ms() {  # $1: cache dir; prints "WALL CPU" milliseconds of one run on an empty input
  local TIMEFORMAT='%3R %3U %3S' t
  t=$( { time "$daemon" --once --db "$db" --cache-dir "$1" < /dev/null > /dev/null 2> "$work/err"; } 2>&1)
  awk '{printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000}' <<< "$t"
}

summary() {  # best and median of the wall and CPU columns on stdin
  local rows; rows=$(cat)
  local wall cpu
  wall=$(cut -d' ' -f1 <<< "$rows" | sort -n | tr '\n' ' ')
  cpu=$(cut -d' ' -f2 <<< "$rows" | sort -n | tr '\n' ' ')
  awk -v w="$wall" -v c="$cpu" 'BEGIN {n = split(w, W, " "); split(c, C, " "); m = int((n + 1) / 2);
       printf "wall best %d ms, median %d ms; CPU best %d ms, median %d ms\n", W[1], W[m], C[1], C[m]}'
}

echo "table: $db"
echo "first run, NEW missing (made, cache written): $(run_ms "$work/new/cache" | awk '{print $1 " ms wall, " $2 " ms CPU"}')"
[ -d "$work/new/cache" ] || { echo "NEW was not made"; cat "$work/err"; exit 1; }
ls "$work/new/cache"
echo -n "warm cache, empty input, 5 runs: "
for _ in 1 2 3 4 5; do run_ms "$work/new/cache"; done | summary
echo -n "baseline, no cache (a parse per run), 5 runs: "
for _ in 1 2 3 4 5; do run_ms ""; done | summary
