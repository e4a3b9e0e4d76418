#!/bin/sh
# Our MRT parse against pyasn's converter, on the same synthetic RIB, in the
# same run. CPU seconds are compared (this machine is shared; wall time lies).
#
# usage: tests/bench/mrt_vs_pyasn.sh BUILD_DIR [V4 V6 PEERS]
#   defaults: 200000 IPv4 and 46000 IPv6 prefixes x 8 peers, gzip
#   (pyasn needs a .gz or .bz2 file; gzip keeps decompression cheap for both).
set -eu
build=${1:?usage: $0 BUILD_DIR [V4 V6 PEERS]}
v4=${2:-200000}
v6=${3:-46000}
peers=${4:-8}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$build/tests/make_rib" --synthetic --v4 "$v4" --v6 "$v6" --peers "$peers" "$tmp/rib.gz"
"$build/tests/bench/bench_mrt_parse" "$tmp/rib.gz" | tee "$tmp/ours.txt"
ours=$(sed -n 's/^RESULT .*cpu=\([0-9.]*\) wall.*/\1/p' "$tmp/ours.txt")
bytes=$(sed -n 's/^RESULT bytes=\([0-9]*\).*/\1/p' "$tmp/ours.txt")

/usr/bin/time -f '%U %S %e' -o "$tmp/pyasn.time" \
  /usr/bin/python3 /usr/bin/pyasn_util_convert.py --no-progress --single "$tmp/rib.gz" "$tmp/pyasn.dat"
read -r pu ps pe < "$tmp/pyasn.time"

awk -v b="$bytes" -v o="$ours" -v pu="$pu" -v ps="$ps" -v pe="$pe" 'BEGIN {
  p = pu + ps; mb = b / 1e6
  printf "asncounter: %.1f MB in %.2f s cpu = %.1f MB/s\n", mb, o, mb / o
  printf "pyasn:      %.1f MB in %.2f s cpu = %.1f MB/s (wall %.2f s)\n", mb, p, mb / p, pe
  printf "ratio:      %.0fx\n", p / o
}'
