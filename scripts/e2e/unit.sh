#!/usr/bin/env bash
# The shipped systemd unit: systemd-analyze verify must be silent, and the sandbox must score ≤ 2.0 ("OK").
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v systemd-analyze >/dev/null || scripts/install-deps systemd
swift build --product starfleetd >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# verify checks that ExecStart exists: point it at the built binary.
sed "s#/usr/bin/starfleetd#$(pwd)/.build/debug/starfleetd#" systemd/starfleetd.service > "$tmp/starfleetd.service"
source "$(dirname "$0")/lib/checks.bash"
# systemd-analyze verify writes into /run/systemd; keep that private when we can.
run_private() { if unshare -m true 2>/dev/null; then unshare -m sh -c 'mount -t tmpfs tmpfs /run/systemd 2>/dev/null; "$@"' sh "$@"; else "$@"; fi; }
if run_private systemd-analyze verify "$tmp/starfleetd.service" >"$tmp/verify.out" 2>&1 && [ ! -s "$tmp/verify.out" ]; then
  pass=$((pass+1))
else
  fail=$((fail+1)); echo "FAIL: systemd-analyze verify is not clean:"; cat "$tmp/verify.out"
fi
score=$(run_private systemd-analyze security --offline=yes "$tmp/starfleetd.service" 2>/dev/null | sed -n 's/.*Overall exposure level for starfleetd.service: \([0-9.]*\).*/\1/p')
if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }'; then
  pass=$((pass+1)); echo "systemd-analyze security: exposure $score (≤ 2.0)"
else
  fail=$((fail+1)); echo "FAIL: systemd-analyze security exposure '${score:-unknown}' is above 2.0"
fi
report unit
