#!/bin/bash
# This daemon against pmacct's nfacctd and sfacctd (aggregate: src_as, a
# networks_file built from the same table), side by side in one run, on the
# same flows replayed from a file: per-ASN counts must be equal; CPU seconds
# per million records are printed for each (the machine is shared: CPU time,
# not wall time).
#
# usage: tests/bench/flows_vs_pmacct.sh BUILD_DIR [PACKETS] [TABLE]
#   PACKETS (default 1000000) are written to a capture; softflowd exports it
#   as IPFIX and pmacctd's sfprobe as sFlow (sampling 1); both exports are
#   recorded once and replayed, paced, to every collector. V6_SHARE (default
#   0.2) is the IPv6 fraction of the capture: pmacct 1.7.7 resolves IPv6
#   sources against a networks_file to the wrong ASN (docs/flows.md).
set -euo pipefail
build=$(realpath "${1:?usage: $0 BUILD_DIR [PACKETS] [TABLE]}")
packets=${2:-1000000}
here=$(dirname "$(realpath "$0")")
table=$(realpath "${3:-$here/../../../shared/data/ipasn6_20151101.dat.gz}")
udp="/usr/bin/python3 $here/udp_datagrams.py"
for p in softflowd softflowctl pmacctd nfacctd sfacctd; do
  command -v $p >/dev/null || { echo "SKIPPED: $p is not installed (scripts/bootstrap)"; exit 0; }
done
tmp=$(mktemp -d)
chmod 700 "$tmp"
pids=()
# pmacct's core leaves its plugin behind when stopped alone: children first.
trap 'for p in "${pids[@]}"; do kill -9 $(pgrep -P "$p") "$p" 2>/dev/null || true; done; [ -n "${KEEP:-}" ] && echo "kept $tmp" || rm -rf "$tmp"' EXIT
port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# user+system CPU seconds of a process and its children still running (pmacct's plugins).
cpu() {
  local t=0 p
  for p in $1 $(pgrep -P "$1" || true); do
    t=$(awk -v t="$t" '{ print t + ($14 + $15) / 100 }' "/proc/$p/stat" 2>/dev/null || echo "$t")
  done
  echo "$t"
}

echo "== capture: $packets packets, sources from $table"
"$build/tests/make_pcap" --packets "$packets" --v6-share "${V6_SHARE:-0.2}" --seed 15 --table "$table" "$tmp/c.pcap"
zcat -f "$table" | awk '!/^[;!#]/ && NF == 2 { print $2 "," $1 }' > "$tmp/networks.lst"

echo "== recording the exports once"
p=$(port)
$udp record "$p" "$tmp/ipfix.dat" 5 & rec=$!
sleep 0.5
softflowd -d -m 4000000 -r "$tmp/c.pcap" -n "127.0.0.1:$p" -v 10 -6 -p "$tmp/sf.pid" -c "$tmp/sf.ctl" >"$tmp/sf.log" 2>&1 & sf=$!
for _ in $(seq 3000); do
  kill -0 $sf 2>/dev/null || break
  softflowctl -c "$tmp/sf.ctl" statistics 2>/dev/null | grep -q "Packets processed: $packets\$" && break
  sleep 0.1
done
kill -0 $sf 2>/dev/null && softflowctl -c "$tmp/sf.ctl" shutdown >/dev/null
wait $sf || true
wait $rec
p=$(port)
$udp record "$p" "$tmp/sflow.dat" 5 & rec=$!
sleep 0.5
printf 'daemonize: false\npcap_savefile: %s\nplugins: sfprobe\nsfprobe_receiver: 127.0.0.1:%s\nsfprobe_agentip: 127.0.0.1\nsfprobe_sampling_rate: 1\nplugin_pipe_size: 67108864\n' \
  "$tmp/c.pcap" "$p" > "$tmp/pmacctd.conf"
pmacctd -f "$tmp/pmacctd.conf" >"$tmp/pmacctd.log" 2>&1
wait $rec

echo "== collectors"
ctl() { "$build/ctl/asncounterctl" --socket "$1" "${@:2}"; }
pn=$(port); ps_=$(port); pn2=$(port); ps2=$(port)
mkdir -m 700 "$tmp/d"
"$build/daemon/asncounterd" --db "$table" --socket "$tmp/d/n.sock" --state-dir "$tmp/d/ns" --cache-dir "$tmp/d/nc" \
  --input "netflow:127.0.0.1:$pn" >"$tmp/asnc-n.log" 2>&1 & pids+=($!); an=$!
"$build/daemon/asncounterd" --db "$table" --socket "$tmp/d/s.sock" --state-dir "$tmp/d/ss" --cache-dir "$tmp/d/sc" \
  --input "sflow:127.0.0.1:$ps_" >"$tmp/asnc-s.log" 2>&1 & pids+=($!); as=$!
for kind in nf sf; do
  port_=$pn2; [ $kind = sf ] && port_=$ps2
  printf '%sacctd_ip: 127.0.0.1\n%sacctd_port: %s\n%sacctd_as: file\n%sacctd_net: file\nnetworks_file: %s\nplugins: print\naggregate: src_as\nprint_output: csv\nprint_output_file: %s\nprint_refresh_time: 1\nprint_output_file_append: true\nprint_cache_entries: 65537\nplugin_pipe_size: 67108864\n%sacctd_pipe_size: 67108864\n' \
    $kind $kind "$port_" $kind $kind "$tmp/networks.lst" "$tmp/$kind.csv" $kind > "$tmp/$kind.conf"
  ${kind}acctd -f "$tmp/$kind.conf" >"$tmp/$kind.log" 2>&1 & pids+=($!)
  [ $kind = nf ] && nf=$! || sf=$!
done
for s in n s; do
  for _ in $(seq 600); do ctl "$tmp/d/$s.sock" stats >/dev/null 2>&1 && break; sleep 0.2; done
done
# pmacct's core and its plugin each load the networks_file before they count.
start=$(date +%s)
for kind in nf sf; do
  for _ in $(seq 600); do [ "$(grep -c 'map successfully' "$tmp/$kind.log")" -ge 2 ] && break; sleep 1; done
done
echo "pmacct loaded the networks_file ($(wc -l < "$tmp/networks.lst") prefixes) $(( $(date +%s) - start )) s after asncounterd answered"

# What a collector has counted so far: asncounterd's hits (SOCKET) or the
# packets in pmacct's appended CSV (FILE).
counted() {
  if [ -S "$1" ]; then ctl "$1" --json stats | python3 -c 'import json, sys; print(json.load(sys.stdin)["totals"]["hits"])'
  else awk -F, '$1 ~ /^[0-9]+$/ { p += $2 } END { print p + 0 }' "$1" 2>/dev/null || echo 0; fi
}
# replay FILE PORT PID WHAT: prints the CPU seconds PID (and children) spent
# from the first datagram until WHAT (see counted) stops growing.
replay() {
  local before after last now
  before=$(cpu "$3")
  $udp replay "$1" "$2" 20 >&2
  last=-1
  for _ in $(seq 600); do  # pmacct's plugin drains its pipe for a while after the replay
    sleep 3
    now=$(counted "$4")
    [ "$now" = "$last" ] && break
    last=$now
  done
  after=$(cpu "$3")
  awk -v a="$after" -v b="$before" 'BEGIN { printf "%.2f", a - b }'
}
c_an=$(replay "$tmp/ipfix.dat" "$pn" $an "$tmp/d/n.sock")
c_nf=$(replay "$tmp/ipfix.dat" "$pn2" $nf "$tmp/nf.csv")
c_as=$(replay "$tmp/sflow.dat" "$ps_" $as "$tmp/d/s.sock")
c_sf=$(replay "$tmp/sflow.dat" "$ps2" $sf "$tmp/sf.csv")

compare() {  # NAME SOCKET CSV CPU_OURS CPU_PMACCT
  local records
  ctl "$2" --json top --limit 10000000 | python3 -c '
import json, sys
for r in json.load(sys.stdin)["rows"]:
    if r["asn"] != 0: print(r["asn"], r["count"], r["bytes"])' | sort > "$tmp/ours.txt"
  awk -F, '$1 ~ /^[0-9]+$/ && $1 != 0 { p[$1] += $2; b[$1] += $3 } END { for (a in p) print a, p[a], b[a] }' "$3" |
    sort > "$tmp/theirs.txt"
  records=$(ctl "$2" --json stats | python3 -c '
import json, sys
print(sum(e["records"] for i in json.load(sys.stdin)["inputs"] for e in i["exporters"]))')
  if cmp -s "$tmp/ours.txt" "$tmp/theirs.txt"; then same="equal ($(wc -l < "$tmp/ours.txt") ASNs)"
  elif cmp -s <(cut -d' ' -f1,2 "$tmp/ours.txt") <(cut -d' ' -f1,2 "$tmp/theirs.txt"); then
    same="equal in packets, bytes differ ($(wc -l < "$tmp/ours.txt") ASNs)"
  else same="DIFFER: $( (diff "$tmp/ours.txt" "$tmp/theirs.txt" || true) | grep -c '^[<>]') lines"; fi
  awk -v n="$1" -v r="$records" -v o="$4" -v t="$5" -v s="$same" 'BEGIN {
    printf "%-6s %9d records  asncounterd %6.2f s CPU = %6.2f s per M  |  pmacct %6.2f s CPU = %6.2f s per M  (%.1fx)  per-ASN counts %s\n",
      n, r, o, o / r * 1e6, t, t / r * 1e6, (o > 0 ? t / o : 0), s }'
}
echo "== results"
compare IPFIX "$tmp/d/n.sock" "$tmp/nf.csv" "$c_an" "$c_nf"
compare sFlow "$tmp/d/s.sock" "$tmp/sf.csv" "$c_as" "$c_sf"
