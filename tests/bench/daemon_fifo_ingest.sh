#!/usr/bin/env bash
# Daemon ingest rate through one FIFO, a busy input's runs of lines handed
# to workers (--threads 0: all cores) against its reader alone (--threads 1),
# side by side in one run, alternating (daemon/input/lines/line_offload.hpp).
#
#   tests/bench/daemon_fifo_ingest.sh BUILD_DIR [LINES] [SEED] [ROUNDS]
#
# The skewed stream of tests/bench/skewed_stream.py (LINES, default 10M,
# kept in /tmp as once_skewed.sh keeps it) is written twice by `cat` into
# the daemon's one fifo: input, as fast as the daemon takes it. Each run
# starts a daemon (table from a warm cache), times the writer (until `cat`
# ends), then checks that `report` counts every event, and reads the
# daemon's CPU time and thread count from /proc. The expected total comes from
# `asncounterd --once` on the same lines.
set -euo pipefail
build=${1:?usage: $0 BUILD_DIR [LINES] [SEED] [ROUNDS]}
lines=${2:-10000000}
seed=${3:-1}
rounds=${4:-2}
here=$(cd "$(dirname "$0")" && pwd)
data=${ASNCOUNTER_TEST_DATA:-$here/../../../shared/data}
db=$data/ipasn6_20151101.dat.gz
daemon=$build/daemon/asncounterd
ctl=$build/ctl/asncounterctl
[ -r "$db" ] || { echo "needs $db (the shared sample data)"; exit 77; }
[ -x "$daemon" ] && [ -x "$ctl" ] || { echo "build asncounterd and asncounterctl first"; exit 1; }

stream=/tmp/asncounter-skewed-$seed-$lines.txt
if [ ! -s "$stream" ]; then
  echo "generating $lines lines (seed $seed) into $stream"
  /usr/bin/python3 "$here/skewed_stream.py" --table "$db" --lines "$lines" --seed "$seed" "$stream.part"
  mv "$stream.part" "$stream"
fi
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
mkdir "$work/cache"
cat "$stream" > /dev/null  # in the page cache for every run
# The expected total; this run also writes the table cache.
once=$("$daemon" --once --db "$db" --cache-dir "$work/cache" --top 0 --input "file:$stream" 2>/dev/null | awk '/^total:/ && !n++ {print $2}')
want=$((2 * once))
echo "$(nproc) CPUs; 2 x $lines lines, $want events expected"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
run() {
  local threads=$1 n=$2
  rm -f "$work/sock" "$work/in"
  "$daemon" --db "$db" --cache-dir "$work/cache" --input "fifo:$work/in" --threads "$threads" \
    --socket "$work/sock" --state-dir "$work/state$n" --log-level warn > "$work/log" 2>&1 &
  pid=$!
  for _ in $(seq 600); do "$ctl" --socket "$work/sock" version > /dev/null 2>&1 && break; sleep 0.1; done
  local load c0 c1 t0 t1 total=0
  load=$(cut -d' ' -f1 /proc/loadavg)
  c0=$(cpu_ticks "$pid")
  t0=$(date +%s.%N)
  # The writer ends when the daemon has taken all but the last pipeful (1
  # MiB) and chunks (2 per worker): back-pressure makes its time the ingest
  # time. Nothing asks the daemon anything meanwhile (a report merges the
  # shards under the store's reader lock).
  cat "$stream" "$stream" > "$work/in"
  t1=$(date +%s.%N)
  for _ in $(seq 600); do
    total=$("$ctl" --socket "$work/sock" report --limit 1 | awk '/^total:/ && !n++ {print $2}')
    [ "$total" -ge "$want" ] && break
    sleep 0.1
  done
  [ "$total" -eq "$want" ] || { echo "counted $total events, not $want"; exit 1; }
  c1=$(cpu_ticks "$pid")
  local tasks busiest
  tasks=$(ls "/proc/$pid/task" | wc -l)
  # The CPU seconds of the two busiest threads: the reader and, when it
  # fell behind, a worker (whatever the machine's load).
  busiest=$(cat /proc/"$pid"/task/*/stat | awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' |
    sort -rn | head -2 | paste -sd/)
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  pid=
  awk -v t="$threads" -v a="$t0" -v b="$t1" -v c=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v l="$lines" \
    -v load="$load" -v k="$tasks" -v top="$busiest" 'BEGIN { w = b - a; printf "--threads %-2s wall %.2f s  daemon CPU %.2f s  %.1f M lines/s  %d threads, busiest %s s  (load %s)\n", t, w, c / hz, 2 * l / w / 1e6, k, top, load }'
}
for r in $(seq "$rounds"); do
  run 1 "$r-1"
  run 0 "$r-0"
done
