#!/usr/bin/env bash
# One-shot report benchmark: asncounterd --once against the pyasn-based
# Python counter (tests/bench/pyasn_counter.py), side by side in one run.
#
#   tests/bench/once_vs_python.sh BUILD_DIR [LINES] [PYTHON_LINES]
#
# Makes LINES (default 10M) random plain IPv4 addresses, runs
# `asncounterd --once --db ipasn_20140513.dat.gz` pinned to one core
# (taskset -c 0) and the Python counter on the first PYTHON_LINES (default
# 1M) of the same file, both under /usr/bin/time -v. Prints lines/s, peak
# RSS and the ratio; the Python figure is measured on the subset and scaled
# per line (its cost per line does not depend on the file length; its table
# load time is reported separately and left out of its lines/s).
set -euo pipefail

build=${1:?usage: $0 BUILD_DIR [LINES] [PYTHON_LINES]}
lines=${2:-10000000}
py_lines=${3:-1000000}
here=$(cd "$(dirname "$0")" && pwd)
data=${ASNCOUNTER_TEST_DATA:-$here/../../../shared/data}
db=$data/ipasn_20140513.dat.gz
daemon=$build/daemon/asncounterd
[ -r "$db" ] || { echo "needs $db (the shared sample data)"; exit 77; }
[ -x "$daemon" ] || { echo "build asncounterd first: cmake --build $build --target asncounterd"; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "generating $lines random IPv4 addresses"
/usr/bin/python3 - "$lines" > "$work/addrs" <<'PY'
import random, sys
n = int(sys.argv[1])
r = random.Random(42)
out = sys.stdout
chunk = 100000
for i in range(0, n, chunk):
    out.write("".join("%d.%d.%d.%d\n" % tuple(r.getrandbits(8) for _ in range(4)) for _ in range(min(chunk, n - i))))
PY
head -n "$py_lines" "$work/addrs" > "$work/addrs.small"

# CPU seconds (user + system): on a shared machine the wall clock mostly
# measures the other processes; both are printed.
seconds() { awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$1"; }
wall() { awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$1"; }
rss_mib() { awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$1"; }

# Table load alone (empty input), to separate it from the per-line cost.
/usr/bin/time -v taskset -c 0 "$daemon" --once --db "$db" --top 10 < /dev/null > /dev/null 2> "$work/t.load"
/usr/bin/time -v taskset -c 0 "$daemon" --once --db "$db" --top 10 --input "file:$work/addrs" \
  > "$work/report.cpp" 2> "$work/t.cpp"
load=$(seconds "$work/t.load")
total=$(seconds "$work/t.cpp")

/usr/bin/time -v taskset -c 0 /usr/bin/python3 "$here/pyasn_counter.py" --db "$db" --top 10 < /dev/null > /dev/null 2> "$work/t.pyload"
/usr/bin/time -v taskset -c 0 /usr/bin/python3 "$here/pyasn_counter.py" --db "$db" --top 10 "$work/addrs.small" \
  > "$work/report.py" 2> "$work/t.py"
pyload=$(seconds "$work/t.pyload")
pytotal=$(seconds "$work/t.py")

awk -v n="$lines" -v load="$load" -v total="$total" -v pn="$py_lines" -v pload="$pyload" -v ptotal="$pytotal" \
    -v wall="$(wall "$work/t.cpp")" -v pwall="$(wall "$work/t.py")" \
    -v rss="$(rss_mib "$work/t.cpp")" -v prss="$(rss_mib "$work/t.py")" 'BEGIN {
  c = (total - load > 0) ? n / (total - load) : 0
  p = (ptotal - pload > 0) ? pn / (ptotal - pload) : 0
  printf "asncounterd --once: %d lines, CPU %.2f s (table load %.2f s), wall %.2f s: %.1f M lines/s excluding load, %.1f M lines/s overall; peak RSS %s MiB\n", n, total, load, wall, c / 1e6, n / total / 1e6, rss
  printf "pyasn counter:      %d lines, CPU %.2f s (table load %.2f s), wall %.2f s: %.3f M lines/s excluding load; peak RSS %s MiB\n", pn, ptotal, pload, pwall, p / 1e6, prss
  if (p > 0) printf "ratio (lines per CPU second, table loads excluded): %.0fx\n", c / p
}'
# Same input prefix, same counts: the first lines of both reports agree in shape.
head -n 3 "$work/report.cpp"
