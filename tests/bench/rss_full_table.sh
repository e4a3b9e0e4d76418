#!/usr/bin/env bash
# Peak resident memory of asncounterd with a full IPv4+IPv6 table and every
# prefix counted: one address inside each prefix of ipasn6_20151101.dat.gz
# (606,138 IPv4 + 27,693 IPv6 prefixes), three times over, plus the
# addresses a table lookup leaves unrouted, through `--once`, under
# /usr/bin/time -v. Target: <= 200 MiB
# (docs/benchmarks.md).
#
#   tests/bench/rss_full_table.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: $0 BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
data=${ASNCOUNTER_TEST_DATA:-$here/../../../shared/data}
db=$data/ipasn6_20151101.dat.gz
[ -r "$db" ] || { echo "needs $db (the shared sample data)"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The network address of each prefix, as it is written: it lies inside it.
zcat "$db" | awk -F'\t' '!/^;/ && NF == 2 { split($1, p, "/"); print p[1] }' > "$work/one"
cat "$work/one" "$work/one" "$work/one" > "$work/addrs"
echo "$(wc -l < "$work/one") prefixes, $(wc -l < "$work/addrs") lines"
/usr/bin/time -v "$build/daemon/asncounterd" --once --top 3 --db "$db" --input "file:$work/addrs" \
  > "$work/report" 2> "$work/time"
grep -E "Maximum resident|Elapsed|User time" "$work/time"
tail -4 "$work/report"
