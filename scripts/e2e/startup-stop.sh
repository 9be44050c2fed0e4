#!/usr/bin/env bash
# Issue 13: start-up and reload failures are said, never silent; SIGTERM at any point of start-up exits 0;
# status.json is for the service user only.
set -euo pipefail
cd "$(dirname "$0")/../.."
daemon=$PWD/.build/debug/starfleetd
ctl=$PWD/.build/debug/starfleetctl
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
source "$(dirname "$0")/lib/checks.bash"

worker() { # name
  printf '%s:\n  Enabled: true\n  Command: ["/bin/true"]\n  FanOutStrategy: SINGLE_INVOCATION\n  TemplatePrefix: %s/\n  InvocationSources: [S3]\n' "$1" "$1"
}
wait_for() { # seconds, command…
  local end=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do [ $SECONDS -lt $end ] || return 1; sleep 0.1; done
}

# ---- A reload whose new queue cannot be opened keeps the running generation and says so.
mkdir -p "$tmp/cfg/templates" "$tmp/state/queues"
printf 'STARFLEET:\n  TemplateDirectory: templates\n' > "$tmp/cfg/a.yaml"
worker One >> "$tmp/cfg/a.yaml"
"$daemon" --config "$tmp/cfg" --state-dir "$tmp/state" > "$tmp/daemon.log" 2>&1 &
pid=$!
check "the daemon writes status.json" wait_for 20 test -s "$tmp/state/status.json"
check "status.json is mode 0600" test "$(stat -c %a "$tmp/state/status.json")" = 600
echo "not a folder" > "$tmp/state/queues/Two"   # a file where the new worker's queue folder must go
worker Two >> "$tmp/cfg/a.yaml"
kill -HUP "$pid"
check "the refused reload is logged" wait_for 20 grep -q "reload refused: the new configuration's queues cannot be opened" "$tmp/daemon.log"
sleep 1
check "the daemon keeps running" kill -0 "$pid"
check "status says the reload was refused" wait_for 10 sh -c "'$ctl' status --config '$tmp/cfg' --state-dir '$tmp/state' | grep -q 'last reload: REFUSED'"
expect_status "status --json carries it" 0 "$ctl" status --config "$tmp/cfg" --state-dir "$tmp/state" --json
check "… as daemon.lastReload" python3 -c "import json; r=json.load(open('$tmp/last.out'))['daemon']['lastReload']; assert r['applied'] is False and 'cannot be opened' in r['message'], r"
kill -TERM "$pid"
set +e; wait "$pid"; status=$?; set -e; pid=
check "then stops with 0 ($status)" test "$status" -eq 0

# ---- SIGTERM while start-up is under way (2,000 workers to load and recover) exits 0.
mkdir -p "$tmp/big/templates"
printf 'STARFLEET:\n  TemplateDirectory: templates\n' > "$tmp/big/a.yaml"
for i in $(seq 1 2000); do worker "W$i"; done >> "$tmp/big/a.yaml"
"$daemon" --config "$tmp/big" --state-dir "$tmp/bigstate" > "$tmp/big.log" 2>&1 &
pid=$!
sleep 0.3
check "start-up is still under way at 0.3 s" sh -c "! grep -q 'starfleetd started' '$tmp/big.log'"
kill -TERM "$pid"
set +e; wait "$pid"; status=$?; set -e; pid=
check "SIGTERM during start-up exits 0 (got $status)" test "$status" -eq 0

report startup-stop
