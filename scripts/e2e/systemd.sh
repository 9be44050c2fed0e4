#!/usr/bin/env bash
# The unit against its documentation, then the real-systemd test (scripts/systemd-test: the daemon booted under
# systemd in systemd-nspawn). The nspawn part needs root; without it, or without nspawn, it says why and counts as
# neither passed nor failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source scripts/e2e/lib/checks.bash

# docs/operations.md "Sandbox and hardening" lists every sandbox line of the unit (from DynamicUser= to the end of
# [Service]) with a reason, and nothing else.
sed -n '/^DynamicUser=/,/^\[Install\]/p' systemd/starfleetd.service | grep -E '^[A-Za-z]+=' | sort > "$tmp/unit"
sed -n '/^## Sandbox and hardening/,/^## /p' docs/operations.md \
  | sed -n 's/^| `\([A-Za-z]*=[^`]*\)` | \(.*[^ ]\) |$/\1\t\2/p' > "$tmp/docs"
cut -f1 "$tmp/docs" | sort > "$tmp/documented"
check "every sandbox line of the unit is documented, and only those" diff "$tmp/unit" "$tmp/documented"
check "each documented line has a reason" bash -c "! cut -f2 '$tmp/docs' | grep -qxE '\\s*'"
check "the documented lines are many (the table parsed)" test "$(wc -l < "$tmp/documented")" -ge 20
check "the unit ships LoadCredential= and SetCredentialEncrypted= examples" \
  bash -c "grep -q '^#LoadCredential=alert-webhook:' systemd/starfleetd.service && grep -q '^#SetCredentialEncrypted=alert-webhook:' systemd/starfleetd.service"

swift build --product starfleetd >/dev/null
swift build --product starfleetctl >/dev/null
scripts/systemd-test 2>&1 | tee "$tmp/systemd.out" || true
line=$(grep -E '^systemd: [0-9]+ passed, [0-9]+ failed' "$tmp/systemd.out" | tail -1 || true)
if [ -n "$line" ]; then
  pass=$((pass + $(echo "$line" | sed 's/systemd: \([0-9]*\) passed.*/\1/')))
  fail=$((fail + $(echo "$line" | sed 's/.* \([0-9]*\) failed/\1/')))
elif ! grep -q '^systemd: skipped' "$tmp/systemd.out"; then
  fail=$((fail + 1)); echo "FAIL: scripts/systemd-test printed no result"
fi
report systemd-unit
