#!/usr/bin/env bash
# scripts/demo on this build tree (ASNCOUNTER_DEMO_PREBUILT: no bootstrap, no
# build): it must print the one-shot report, then the daemon's answer to
# `asncounterctl top --limit 10` with the same total, /metrics lines, and a
# clean stop.   Usage: run_demo.sh SOURCE_DIR BUILD_DIR
set -uo pipefail
root=$1
build=$2
out=$(ASNCOUNTER_DEMO_PREBUILT=1 "$root/scripts/demo" "$build" 2>&1)
status=$?
printf '%s\n' "$out"
fail() { echo "FAIL: $*"; exit 1; }
[ "$status" -eq 0 ] || fail "scripts/demo exited with $status"

# The one-shot report: both tables, the first total before any daemon line.
once=$(printf '%s\n' "$out" | sed -n '/^# awk /,/^# asncounterd --db/p')
[ "$(printf '%s\n' "$once" | grep -c '^total: ')" -eq 2 ] || fail "no one-shot report (two tables)"
printf '%s\n' "$once" | grep -q $'^count\tpercent\tprefix\tASN\tAS$' || fail "no prefix table in the one-shot report"
total=$(printf '%s\n' "$once" | sed -n 's/^total: //p' | head -1)
[ -n "$total" ] && [ "$total" -gt 0 ] || fail "the one-shot report counted nothing"

# The daemon's top: its header, ten rows at most, names, and the same total.
top=$(printf '%s\n' "$out" | sed -n '/^# asncounterctl top --limit 10$/,/^total: /p')
printf '%s\n' "$top" | grep -q $'^count\tpercent\tASN\tAS$' || fail "no answer to asncounterctl top"
printf '%s\n' "$top" | grep -q $'\t64496\tEXAMPLE-64496, ZZ$' || fail "top shows no AS names"
printf '%s\n' "$top" | grep -qx "total: $total" || fail "top's total is not the one-shot total $total"

printf '%s\n' "$out" | grep -qx "asncounter_hits_total $total" || fail "no asncounter_hits_total $total in /metrics"
printf '%s\n' "$out" | grep -qx '# asncounterd stopped (exit 0)' || fail "the daemon did not stop cleanly"
echo "PASS: one-shot report and daemon top agree on $total hits"
