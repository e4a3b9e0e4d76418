#!/usr/bin/env bash
# Resident memory of the daemon at full load (DESIGN.md "Performance
# targets": <= 200 MiB): the full IPv4+IPv6 table (ipasn6_20151101.dat.gz,
# 606k + 28k prefixes), four FIFO inputs on their own threads, lines that
# carry an address, a size and a request time (hits, bytes and latency
# fields all counted), the history on with 1 s steps, every prefix counted
# by every input (one address per prefix, three times over, through each
# FIFO), while `top --window` and `report` are asked meanwhile.
#
#   [HISTORY_STEP=10] [EXTRA_ARGS="--shards 1"] tests/bench/rss_full_load.sh BUILD_DIR
#
# Prints VmRSS and VmHWM (peak) of the daemon from /proc after everything
# was counted and a few history steps closed.
set -euo pipefail
build=${1:?usage: $0 BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
data=${ASNCOUNTER_TEST_DATA:-$here/../../../shared/data}
db=$data/ipasn6_20151101.dat.gz
daemon=$build/daemon/asncounterd
ctl=$build/ctl/asncounterctl
[ -r "$db" ] || { echo "needs $db (the shared sample data)"; exit 77; }
[ -x "$daemon" ] && [ -x "$ctl" ] || { echo "build asncounterd and asncounterctl first"; exit 1; }
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# The network address of each prefix (it lies inside it), a size, a time.
zcat "$db" | awk -F'\t' '!/^;/ && NF == 2 { split($1, p, "/"); printf "%s %d 0.%03d\n", p[1], NR * 37 % 90000, NR % 1000 }' \
  > "$work/one"
cat "$work/one" "$work/one" "$work/one" > "$work/lines"
per_input=$(wc -l < "$work/lines")
echo "$(wc -l < "$work/one") prefixes; $per_input lines per input, 4 inputs"

inputs=()
for i in 1 2 3 4; do inputs+=(--input "fifo:$work/in$i"); done
"$daemon" --db "$db" "${inputs[@]}" --input-format field:1,bytes:2,latency:3 \
  --socket "$work/sock" --state-dir "$work/state" --cache-dir "$work/cache" \
  --history-step "${HISTORY_STEP:-1}" --log-level warn ${EXTRA_ARGS:-} > "$work/log" 2>&1 &
pid=$!
for _ in $(seq 600); do "$ctl" --socket "$work/sock" version > /dev/null 2>&1 && break; sleep 0.1; done
"$ctl" --socket "$work/sock" version > /dev/null || { cat "$work/log"; exit 1; }
echo "ready: VmRSS $(awk '/VmRSS/ {print $2 / 1024 " MiB"}' /proc/$pid/status)"

for i in 1 2 3 4; do cat "$work/lines" > "$work/in$i" & done
want=$((4 * per_input))
for _ in $(seq 1200); do
  total=$("$ctl" --socket "$work/sock" report --limit 1 2>/dev/null | awk '/^total:/ {print $2; exit}')
  [ "${total:-0}" -ge "$want" ] && break
  "$ctl" --socket "$work/sock" top --window 60 --limit 10 > /dev/null 2>&1 || true
  sleep 0.5
done
wait $(jobs -p | grep -v "^$pid$") 2>/dev/null || true
echo "counted: $total of $want events"
sleep 3  # a few history steps close with every prefix in them
"$ctl" --socket "$work/sock" top --window 60 --limit 3 > /dev/null || echo "top --window 60 failed"
"$ctl" --socket "$work/sock" report --limit 3 | tail -4 || true
grep -E "VmRSS|VmHWM" /proc/$pid/status | awk '{printf "%s %.1f MiB\n", $1, $2 / 1024}'
