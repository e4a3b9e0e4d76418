#!/usr/bin/env bash
# Start-to-ready of asncounterd with a cold and a warm table cache, side by
# side in one run: from exec until the control socket answers `stats`.
# Cold: an empty cache-dir (the daemon parses the dump and writes the cache);
# warm: the same cache-dir again (the daemon maps the cache). Three rounds.
# Also the daemon's own CPU time until ready (user + system, from
# /proc/PID/stat, 10 ms ticks): on a loaded machine the wall time mostly
# measures the other tenants.
#
#   tests/bench/daemon_start_cache.sh BUILD_DIR [TABLE]
# TABLE defaults to the shared ipasn6_20151101.dat.gz (full 2015 v4+v6 table).
set -euo pipefail
build=${1:?usage: $0 BUILD_DIR [TABLE]}
here=$(cd "$(dirname "$0")" && pwd)
data=${ASNCOUNTER_TEST_DATA:-$here/../../../shared/data}
db=${2:-$data/ipasn6_20151101.dat.gz}
[ -r "$db" ] || { echo "needs $db"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ms() { echo $(( $(date +%s%N) / 1000000 )); }

start_to_ready() {  # $1: cache dir; prints "WALL ms (CPU ms CPU)"
  local sock=$work/control.sock
  rm -f "$sock"
  local t0; t0=$(ms)
  "$build/daemon/asncounterd" --db "$db" --socket "$sock" --state-dir "$work/state" --cache-dir "$1" \
    --log-level warn 2> "$work/log" &
  local pid=$!
  until "$build/ctl/asncounterctl" --socket "$sock" stats > /dev/null 2>&1; do
    kill -0 "$pid" 2> /dev/null || { cat "$work/log"; exit 1; }
    sleep 0.002
  done
  local t1; t1=$(ms)
  local ticks; ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  kill -TERM "$pid"
  wait "$pid" || true
  echo "$(( t1 - t0 )) ms ($(( ticks * 1000 / $(getconf CLK_TCK) )) ms CPU)"
}

echo "table: $db"
for round in 1 2 3; do
  rm -rf "$work/cache" "$work/state"
  mkdir -m 0750 "$work/cache"
  cold=$(start_to_ready "$work/cache")
  warm=$(start_to_ready "$work/cache")
  echo "round $round: cold cache $cold, warm cache $warm"
done
