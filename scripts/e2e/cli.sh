#!/usr/bin/env bash
# End-to-end checks of the built starfleetctl: exit codes and output an operator relies on.
set -euo pipefail
cd "$(dirname "$0")/../.."
ctl=.build/debug/starfleetctl
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/lib/checks.bash"

check "example config validates" $ctl validate --config etc/starfleetd

# A broken configuration: exit 78, every problem as file:line:col: error: …
mkdir "$tmp/broken"
printf 'STARFLEET:\n  LogLevel: LOUD\nW:\n  Enabled: true\n  TemplatePrefix: W/\n  InvocationSources: [EVENTBRIDGE_TIMED_EVENT]\n' > "$tmp/broken/c.yaml"
expect_status "broken config exits 78" 78 $ctl validate --config "$tmp/broken"
check "broken config names the log level at 2:13" grep -q "c.yaml:2:13: error: STARFLEET.LogLevel:" "$tmp/last.err"
check "broken config names the missing frequency" grep -q "c.yaml:3:1: error: W.EventBridgeTimedFrequency:" "$tmp/last.err"

# A broken template in the template directory: exit 65 with its diagnostic.
cp -r etc/starfleetd "$tmp/cfg"
printf 'TemplateName: x\nIncludeAccounts: {ByIds: [000000000001]}\n' > "$tmp/cfg/templates/InventoryWorker/bad.yaml"
expect_status "broken template exits 65" 65 $ctl validate --config "$tmp/cfg"
check "broken template is reported with its place" grep -q "bad.yaml:.*TemplateDescription: Missing data for required field." "$tmp/last.err"
expect_status "plan of a broken template exits 65" 65 $ctl plan --config "$tmp/cfg" "$tmp/cfg/templates/InventoryWorker/bad.yaml"

# plan --json: one object per payload, counts from the example org.
$ctl plan --config etc/starfleetd --json etc/starfleetd/templates/AuditWorker/production-us.yaml > "$tmp/plan.jsonl"
check "ACCOUNT_REGION plan has 4 payloads" test "$(wc -l < "$tmp/plan.jsonl")" -eq 4
check "plan lines are JSON with the assigned region" python3 -c "
import json,sys
rows=[json.loads(l) for l in open('$tmp/plan.jsonl')]
assert all(r['body']['StarbaseAssignedRegion']==r['region'] for r in rows), rows
assert sorted((r['account'],r['region']) for r in rows)==[(r['account'],r['region']) for r in rows]"
check "ACCOUNT plan has 2 payloads" test "$($ctl plan --config etc/starfleetd --json etc/starfleetd/templates/InventoryWorker/non-production.yaml | wc -l)" -eq 2
expect_status "plan with a missing index exits 69" 69 $ctl plan --config etc/starfleetd --account-index "$tmp/none.json" etc/starfleetd/templates/AuditWorker/production-us.yaml
expect_status "plan outside the template dir without --worker is a usage error" 64 $ctl plan --config etc/starfleetd "$tmp/cfg/templates/InventoryWorker/bad.yaml"

check "schedule next lists the three timed workers" test "$($ctl schedule next --config etc/starfleetd --json | wc -l)" -eq 3
expect_status "missing config dir exits 78" 78 $ctl validate --config "$tmp/nowhere"

report cli
