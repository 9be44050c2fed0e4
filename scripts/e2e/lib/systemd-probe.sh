#!/bin/bash
# Runs inside the systemd-nspawn container booted by scripts/systemd-test, as the oneshot probe.service: uses
# starfleetd the way an operator would and writes "PASS name" / "FAIL name: detail" lines to /report/results,
# then "DONE", then powers the container off. Console output is unreliable in nspawn, hence the file.
set -u
# It edits /etc and powers off: refuse to run anywhere but the test's container.
if [ "$(systemd-detect-virt --container 2>/dev/null)" != systemd-nspawn ] || [ ! -d /report ]; then
  echo "systemd-probe.sh runs only inside scripts/systemd-test's nspawn container" >&2
  exit 2
fi
results=/report/results
: > "$results"
ctl() { /opt/starfleetd/starfleetctl "$@" --config /etc/starfleetd --state-dir /var/lib/starfleetd; }
pass() { echo "PASS $1" >> "$results"; }
fail() { echo "FAIL $1: $2" >> "$results"; }
# check NAME COMMAND…: PASS when the command succeeds, else FAIL with its output.
check() {
  local name=$1; shift
  local out
  if out=$("$@" 2>&1); then pass "$name"; else fail "$name" "$(echo "$out" | tail -3 | tr '\n' ' ')"; fi
}
# wait_for SECONDS COMMAND…: polls every 0.2 s until the command succeeds.
wait_for() {
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -ge "$deadline" ] && return 1
    sleep 0.2
  done
}
prop() { systemctl show -P "$1" starfleetd; }
finish() {
  journalctl --no-pager -o short-precise -u starfleetd -u probe > /report/journal.txt 2>&1
  echo DONE >> "$results"
  systemctl poweroff --no-block
  exit 0
}
trap finish EXIT

# --- as an operator: the alert webhook URL as a systemd credential (LoadCredential=), named in the config --------
secret="s3cr3t-$RANDOM$RANDOM"
before=$(systemctl show -P ActiveState starfleetd)
python3 -c '
import json
from http.server import BaseHTTPRequestHandler, HTTPServer
class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with open("/report/webhook.jsonl", "a") as f:
            f.write(json.dumps({"path": self.path, "json": json.loads(body)}) + "\n")
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *args):
        pass
HTTPServer(("127.0.0.1", 8765), Handler).serve_forever()
' > /report/webhook.log 2>&1 &
install -d -m 0700 /etc/starfleetd/secrets
(umask 077; echo "http://127.0.0.1:8765/hook/$secret" > /etc/starfleetd/secrets/alert-webhook)
mkdir -p /etc/systemd/system/starfleetd.service.d
printf '[Service]\nLoadCredential=alert-webhook:/etc/starfleetd/secrets/alert-webhook\n' \
  > /etc/systemd/system/starfleetd.service.d/credentials.conf
sed -i 's/^STARFLEET:$/STARFLEET:\n  AlertWebhookCredential: alert-webhook/' /etc/starfleetd/starfleetd.yaml
systemctl daemon-reload

# --- start: Type=notify reaches active only after READY=1 --------------------------------------------------------
check "not running before the probe starts it" test "$before" = inactive
check "systemctl start starfleetd" systemctl start starfleetd
check "Type=notify" test "$(prop Type)" = notify
check "active (running)" test "$(prop ActiveState)/$(prop SubState)" = active/running
check "STATUS text is set" test -n "$(prop StatusText)"
echo "status: $(prop StatusText)" >> /report/info

pid=$(prop MainPID)

# --- the sandbox is the shipped one ----------------------------------------------------------------------------
# No awk here: /usr/bin/awk goes through /etc/alternatives, and the volatile /etc has none.
uid=$(sed -n 's/^Uid:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$pid/status")
check "DynamicUser: a transient uid (61184-65519)" test "$uid" -ge 61184 -a "$uid" -le 65519
check "StateDirectory: /var/lib/starfleetd -> private/starfleetd" test "$(readlink /var/lib/starfleetd)" = private/starfleetd
check "StateDirectory owned by the dynamic user, mode 0700" test "$(stat -c '%u %a' /var/lib/private/starfleetd)" = "$uid 700"
check "NoNewPrivileges in effect" grep -q '^NoNewPrivs:[[:space:]]*1' "/proc/$pid/status"
check "no capabilities (CapabilityBoundingSet=)" grep -q '^CapBnd:[[:space:]]*0000000000000000' "/proc/$pid/status"
check "seccomp filter (SystemCallFilter=)" grep -q '^Seccomp:[[:space:]]*2' "/proc/$pid/status"
check "ProtectSystem=strict: the daemon sees / read-only" \
  sh -c "grep -E '^[^ ]+ [^ ]+ [^ ]+ [^ ]+ / ' /proc/$pid/mountinfo | tail -1 | cut -d' ' -f6 | grep -q '^ro'"
check "ProtectHome=yes: /root is hidden from the daemon" \
  sh -c "grep -qE '^[^ ]+ [^ ]+ [^ ]+ [^ ]+ /root ' /proc/$pid/mountinfo"

# --- a template dropped into the watched directory reaches the example worker --------------------------------
marker="nspawn-$RANDOM$RANDOM"
cat > /etc/starfleetd/templates/HelloWorker/probe.yaml <<EOF
TemplateName: Probe
TemplateDescription: Dropped by the systemd test.
Marker: $marker
EOF
log=/var/lib/starfleetd/workers/HelloWorker/payloads.log
if wait_for 30 grep -q "$marker" "$log"; then pass "template reaches HelloWorker (payloads.log)"; else
  fail "template reaches HelloWorker (payloads.log)" "no line with $marker in $log"; fi

# --- the journal has the structured fields ----------------------------------------------------------------------
fields() { journalctl --no-pager -u starfleetd WORKER=HelloWorker -o export; }
if wait_for 10 sh -c "journalctl --no-pager -u starfleetd WORKER=HelloWorker -o cat | grep -q 'worker succeeded'"; then
  pass "journalctl -u starfleetd WORKER=HelloWorker finds the execution"
else
  fail "journalctl -u starfleetd WORKER=HelloWorker finds the execution" "no 'worker succeeded' entry"
fi
for field in WORKER=HelloWorker MESSAGE_ID= RECEIVE_COUNT=1 TEMPLATE=HelloWorker/probe.yaml PRIORITY=6 SYSLOG_IDENTIFIER=starfleetd; do
  check "journal field $field" sh -c "journalctl --no-pager -u starfleetd WORKER=HelloWorker -o export | grep -q '^$field'"
done

# --- reload applies a configuration change: a new worker that always fails ------------------------------------
cat > /etc/starfleetd/probe-failing.yaml <<'EOF'
FailingWorker:
  Enabled: true
  Command: ["/bin/sh", "-c", "echo probe failure on purpose >&2; exit 3"]
  FanOutStrategy: SINGLE_INVOCATION
  TemplatePrefix: FailingWorker/
  InvocationSources: [S3]
  MaxReceiveCount: 2
  Backoff: {InitialSeconds: 1, MaxSeconds: 1}
  AlertConfiguration: {ChannelId: ops, AlertPriority: PROBLEM}
EOF
check "systemctl reload starfleetd" systemctl reload starfleetd
if wait_for 15 sh -c "journalctl --no-pager -u starfleetd -o cat | grep -q 'configuration reloaded'"; then
  pass "reload logged: configuration reloaded"; else fail "reload logged: configuration reloaded" "not in the journal"; fi
check "reload kept the same process" test "$(prop MainPID)" = "$pid"
check "active after reload" test "$(prop ActiveState)" = active

# --- a worker failure shows up in the dead-letter folder -----------------------------------------------------------
mkdir -p /etc/starfleetd/templates/FailingWorker
printf 'TemplateName: Fails\nTemplateDescription: Always fails.\n' > /etc/starfleetd/templates/FailingWorker/fails.yaml
dead=/var/lib/starfleetd/dead-letter/FailingWorker
if wait_for 30 sh -c "ls $dead/*.json"; then pass "dead-letter file written"; else fail "dead-letter file written" "nothing in $dead"; fi
check "dead letter keeps the stderr tail" sh -c "grep -q 'probe failure on purpose' $dead/*.json"
check "dead letter mode 0600" sh -c "test \"\$(stat -c %a $dead/*.json | head -1)\" = 600"
check "starfleetctl dlq list shows it" sh -c "$(declare -f ctl); ctl dlq list FailingWorker --json | grep -q FailingWorker"
check "journal: the dead letter with its fields" \
  sh -c "journalctl --no-pager -u starfleetd WORKER=FailingWorker -o cat | grep -q 'dead-lettered'"

# --- the dead letter was a PROBLEM alert, posted to the URL from the credential; the secret stays secret --------
if wait_for 15 grep -q '"priority": "PROBLEM"' /report/webhook.jsonl; then
  pass "PROBLEM alert reached the webhook named by LoadCredential="
else
  fail "PROBLEM alert reached the webhook named by LoadCredential=" "$(cat /report/webhook.jsonl /report/webhook.log 2>&1 | tail -3)"
fi
check "the alert went to the credential's URL" grep -q "\"path\": \"/hook/$secret\"" /report/webhook.jsonl
check "one alert: FailingWorker's PROBLEM" sh -c "test \$(wc -l < /report/webhook.jsonl) = 1 && grep -q '\"worker\": \"FailingWorker\"' /report/webhook.jsonl"
check "the secret is not in the journal" sh -c "! journalctl --no-pager -o export | grep -q '$secret'"
check "the secret is not in the state directory" sh -c "! grep -rq '$secret' /var/lib/private/starfleetd"

# --- the watchdog: a hung (SIGSTOPped) daemon is killed and restarted ---------------------------------------------
check "no restarts before the watchdog step" test "$(prop NRestarts)" = 0
kill -STOP "$pid"
if wait_for 40 sh -c "test \"\$(systemctl show -P NRestarts starfleetd)\" = 1 && test \"\$(systemctl show -P ActiveState starfleetd)\" = active"; then
  pass "watchdog: killed and restarted (NRestarts=1, active again)"
else
  fail "watchdog: killed and restarted" "NRestarts=$(prop NRestarts) ActiveState=$(prop ActiveState) SubState=$(prop SubState)"
fi
check "watchdog: the journal says why" sh -c "journalctl --no-pager -u starfleetd -o cat | grep -q 'Watchdog timeout'"
check "watchdog: a new process" test "$(prop MainPID)" != "$pid" -a "$(prop MainPID)" != 0
check "after the restart the state is still there" sh -c "grep -q '$marker' $log && ls $dead/*.json"

# --- stop is clean ------------------------------------------------------------------------------------------------
check "systemctl stop starfleetd" systemctl stop starfleetd
check "stopped: inactive, Result=success, exit 0" \
  test "$(prop ActiveState) $(prop Result) $(prop ExecMainStatus)" = "inactive success 0"
check "stop logged: starfleetd stopped" sh -c "journalctl --no-pager -u starfleetd -o cat | grep -q 'starfleetd stopped'"
