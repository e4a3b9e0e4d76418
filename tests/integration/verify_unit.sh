#!/usr/bin/env bash
# Checks the generated systemd unit with systemd-analyze verify, pointing its
# commands at the freshly built binary (the installed one may not exist), and
# that its sandboxing stays as tight as it is: an overall exposure of 2.1 at
# most in `systemd-analyze security` (issue 12; --threshold is tenths).
# Usage: verify_unit.sh UNIT ASNCOUNTERD_BIN
set -euo pipefail
unit=$1
bin=$2
if ! command -v systemd-analyze >/dev/null; then
  echo "SKIPPED: systemd-analyze is not installed"
  exit 0
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
sed "s|[^ =]*/asncounterd |$bin |g" "$unit" > "$dir/asncounterd.service"
grep -q "^ExecStart=$bin " "$dir/asncounterd.service"
out=$(systemd-analyze verify "$dir/asncounterd.service" 2>&1) || { echo "$out"; exit 1; }
# verify prints warnings without failing; any line about our unit is a defect.
if echo "$out" | grep -i "asncounterd.service"; then exit 1; fi
echo "systemd-analyze verify: clean"
# --offline reads the unit file alone; systemd 252 is the first to have it.
if ! systemd-analyze security --help 2>/dev/null | grep -q -- --offline; then
  echo "SKIPPED: this systemd-analyze has no security --offline"
  exit 0
fi
if ! report=$(cd "$dir" && systemd-analyze security --offline=true --threshold=21 ./asncounterd.service 2>&1); then
  echo "$report" | tail -n 3
  echo "systemd-analyze security: exposure above 2.1"
  exit 1
fi
echo "$report" | tail -n 1
