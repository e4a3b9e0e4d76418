#!/usr/bin/env bash
# Checks the generated systemd unit with systemd-analyze verify, pointing its
# commands at the freshly built binary (the installed one may not exist).
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
