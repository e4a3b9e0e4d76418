#!/usr/bin/env bash
# Whole-process one-shot benchmark on a Zipf-skewed stream of real routed
# addresses (tests/bench/skewed_stream.py): asncounterd --once against the
# pyasn-based Python counter (tests/bench/pyasn_counter.py), side by side
# in one run, table loads included (DESIGN.md "Performance targets").
#
#   tests/bench/once_skewed.sh BUILD_DIR [LINES] [PYTHON_LINES] [SEED]
#
# Makes LINES (default 10M) lines from ipasn6_20151101.dat.gz (IPv4 and
# IPv6, 10 % IPv6, 0.1 % junk; kept in /tmp for the next run), then times
# under /usr/bin/time -v, one after the other:
#   - the Python counter on the first PYTHON_LINES (default 1M) lines;
#   - asncounterd --once on the same PYTHON_LINES lines (the reports must be
#     equal, byte for byte: the run stops otherwise);
#   - asncounterd --once on all LINES lines on all cores (--threads default),
#     its table mapped from the table cache the first run wrote (warm);
#   - the same pinned to one core (taskset -c 0: --threads defaults to 1);
#   - the same on all cores with an empty cache-dir (cold: parse and build).
# Prints whole-process lines per wall second and per CPU second and the
# ratios to Python. The machine is shared: read the ratios, and the load
# average printed with them.
set -euo pipefail

build=${1:?usage: $0 BUILD_DIR [LINES] [PYTHON_LINES] [SEED]}
lines=${2:-10000000}
py_lines=${3:-1000000}
seed=${4:-1}
here=$(cd "$(dirname "$0")" && pwd)
data=${ASNCOUNTER_TEST_DATA:-$here/../../../shared/data}
db=$data/ipasn6_20151101.dat.gz
daemon=$build/daemon/asncounterd
[ -r "$db" ] || { echo "needs $db (the shared sample data)"; exit 77; }
[ -x "$daemon" ] || { echo "build asncounterd first: cmake --build $build --target asncounterd"; exit 1; }

stream=/tmp/asncounter-skewed-$seed-$lines.txt
if [ ! -s "$stream" ]; then
  echo "generating $lines lines (seed $seed) into $stream"
  /usr/bin/python3 "$here/skewed_stream.py" --table "$db" --lines "$lines" --seed "$seed" "$stream.part"
  mv "$stream.part" "$stream"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
head -n "$py_lines" "$stream" > "$work/small"
mkdir "$work/cache" "$work/cold"  # cache-dir must exist: asncounterd never creates it for --db
cat "$stream" > /dev/null  # in the page cache for every run

seconds() { awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$1"; }
wall() { awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$1"; }
rss_mib() { awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$1"; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs"
/usr/bin/time -v /usr/bin/python3 "$here/pyasn_counter.py" --db "$db" --top 0 "$work/small" \
  > "$work/report.py" 2> "$work/t.py"
/usr/bin/time -v "$daemon" --once --db "$db" --cache-dir "$work/cache" --top 0 --input "file:$work/small" \
  > "$work/report.small" 2> "$work/t.small"
if ! cmp -s "$work/report.py" "$work/report.small"; then
  echo "the reports differ on the first $py_lines lines:"; diff "$work/report.py" "$work/report.small" | head; exit 1
fi
echo "reports on the first $py_lines lines: identical ($(tail -1 "$work/report.py"))"
/usr/bin/time -v "$daemon" --once --db "$db" --cache-dir "$work/cache" --top 10 --input "file:$stream" \
  > "$work/report.all" 2> "$work/t.all"
/usr/bin/time -v taskset -c 0 "$daemon" --once --db "$db" --cache-dir "$work/cache" --top 10 --input "file:$stream" \
  > "$work/report.one" 2> "$work/t.one"
/usr/bin/time -v "$daemon" --once --db "$db" --cache-dir "$work/cold" --top 10 --input "file:$stream" \
  > "$work/report.cold" 2> "$work/t.cold"
cmp -s "$work/report.all" "$work/report.one" || { echo "all cores and one core differ"; exit 1; }
cmp -s "$work/report.all" "$work/report.cold" || { echo "warm and cold cache differ"; exit 1; }
# The table loads alone (no input), to show the per-line cost apart: the
# daemon's load is what its table cache removes.
/usr/bin/time -v taskset -c 0 "$daemon" --once --db "$db" --cache-dir "$work/cache" --top 10 < /dev/null > /dev/null \
  2> "$work/t.load"
/usr/bin/time -v /usr/bin/python3 "$here/pyasn_counter.py" --db "$db" --top 10 < /dev/null > /dev/null 2> "$work/t.pyload"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

row() {  # name lines timefile
  awk -v name="$1" -v n="$2" -v w="$(wall "$3")" -v c="$(seconds "$3")" -v rss="$(rss_mib "$3")" 'BEGIN {
    printf "%-34s %9d lines  wall %6.2f s  CPU %6.2f s  %7.3f M lines/s wall  %7.3f M/CPU-s  peak RSS %s MiB\n",
      name, n, w, c, (w > 0 ? n / w / 1e6 : 0), (c > 0 ? n / c / 1e6 : 0), rss }'
}
row "pyasn counter" "$py_lines" "$work/t.py"
row "asncounterd --once, same lines" "$py_lines" "$work/t.small"
row "asncounterd --once, all cores" "$lines" "$work/t.all"
row "asncounterd --once, one core" "$lines" "$work/t.one"
row "asncounterd --once, cold cache" "$lines" "$work/t.cold"
row "asncounterd table from cache alone" 0 "$work/t.load"
row "pyasn counter table load alone" 0 "$work/t.pyload"
awk -v pn="$py_lines" -v pw="$(wall "$work/t.py")" -v pc="$(seconds "$work/t.py")" \
    -v n="$lines" -v aw="$(wall "$work/t.all")" -v ac="$(seconds "$work/t.all")" \
    -v ow="$(wall "$work/t.one")" -v oc="$(seconds "$work/t.one")" \
    -v kw="$(wall "$work/t.cold")" -v kc="$(seconds "$work/t.cold")" 'BEGIN {
  p = pn / pw
  printf "ratio, whole process, lines per wall second: all cores %.0fx, one core %.0fx, cold cache %.0fx\n",
    n / aw / p, n / ow / p, n / kw / p
  printf "ratio, lines per CPU second: all cores %.0fx, one core %.0fx, cold cache %.0fx\n",
    n / ac / (pn / pc), n / oc / (pn / pc), n / kc / (pn / pc)
}'
awk -v pn="$py_lines" -v pc="$(seconds "$work/t.py")" -v pl="$(seconds "$work/t.pyload")" \
    -v n="$lines" -v ac="$(seconds "$work/t.all")" -v oc="$(seconds "$work/t.one")" -v l="$(seconds "$work/t.load")" 'BEGIN {
  p = pn / (pc - pl)
  printf "without the table loads, lines per CPU second: all cores %.1f M/s (%.0fx), one core %.1f M/s (%.0fx); Python %.3f M/s\n",
    n / (ac - l) / 1e6, n / (ac - l) / p, n / (oc - l) / 1e6, n / (oc - l) / p, p / 1e6
}'
