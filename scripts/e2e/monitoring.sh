#!/usr/bin/env bash
# The monitoring conventions: etc/prometheus/starfleetd-rules.yml passes `promtool check rules` and its unit tests
# (starfleetd-rules.test.yml, `promtool test rules`); etc/grafana/starfleetd-dashboard.json is JSON; every metric the
# rules and the dashboard name is one a running daemon exports on /metrics.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build --product starfleetd >/dev/null
tmp=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
source "$(dirname "$0")/lib/checks.bash"
rules=etc/prometheus/starfleetd-rules.yml
dashboard=etc/grafana/starfleetd-dashboard.json

if command -v promtool >/dev/null 2>&1; then
  check "promtool check rules $rules" promtool check rules "$rules"
  check "promtool test rules (etc/prometheus/starfleetd-rules.test.yml)" promtool test rules etc/prometheus/starfleetd-rules.test.yml
else
  fail=$((fail + 1)); echo "FAIL: promtool is not installed (scripts/install-deps installs Debian's prometheus)"
fi
check "the dashboard is JSON" python3 -m json.tool "$dashboard"
check "the dashboard has panels with queries" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
targets = [t for p in d["panels"] for t in p.get("targets", [])]
assert d["uid"] and len(targets) >= 10, len(targets)
assert all(t["expr"] for t in targets)' "$dashboard"

# A daemon with metrics on a free loopback port: its /metrics declares every family from the start.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$tmp/config/templates"
printf 'STARFLEET:\n  TemplateDirectory: templates\n  MetricsAddress: 127.0.0.1:%s\n' "$port" > "$tmp/config/starfleetd.yaml"
.build/debug/starfleetd --config "$tmp/config" --state-dir "$tmp/state" >"$tmp/daemon.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/metrics" -o "$tmp/metrics" 2>/dev/null && break
  sleep 0.1
done
check "the daemon serves /metrics" test -s "$tmp/metrics"
check "every metric in the rules and the dashboard is exported" python3 scripts/e2e/lib/metric_names.py "$tmp/metrics" "$rules" "$dashboard"
# The checker itself must catch a name the daemon does not export.
printf 'groups:\n  - name: x\n    rules:\n      - alert: X\n        expr: starfleet_no_such_metric > 0\n' > "$tmp/bad-rules.yml"
expect_status "a made-up metric name is caught" 1 python3 scripts/e2e/lib/metric_names.py "$tmp/metrics" "$tmp/bad-rules.yml"
report monitoring
