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

# The built-in account index generator's own payload schema is checked by validate and plan, not first when it runs.
cp -r etc/starfleetd "$tmp/aig"
cat > "$tmp/aig/generator.yaml" <<'YAML'
AccountIndexGeneratorShip:
  Enabled: true
  TemplatePrefix: AccountIndexGenerator/
  InvocationSources: [S3]
  OrgAccountAssumeRole: role
  OrgAccountId: "000000000020"
  DescribeRegionsAssumeRole: role
YAML
mkdir -p "$tmp/aig/templates/AccountIndexGenerator"
printf 'TemplateName: idx\nTemplateDescription: d\nInventoryBucketRegion: us-east-2\n' > "$tmp/aig/templates/AccountIndexGenerator/idx.yaml"
expect_status "an index generator template without its bucket exits 65 at validate" 65 $ctl validate --config "$tmp/aig"
check "… naming the field with the template's place" grep -q "idx.yaml:1:1: error: AccountInventoryBucket: Missing data for required field." "$tmp/last.err"
expect_status "… and at plan" 65 $ctl plan --config "$tmp/aig" "$tmp/aig/templates/AccountIndexGenerator/idx.yaml"
printf 'TemplateName: idx\nTemplateDescription: d\nAccountInventoryBucket: b\nInventoryBucketRegion: us-east-2\n' > "$tmp/aig/templates/AccountIndexGenerator/idx.yaml"
check "a complete index generator template validates" $ctl validate --config "$tmp/aig"

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

# Issue 13: hostile or careless configuration ends in a clear message, fast, and never hangs.
mkdir "$tmp/cmd"
printf 'STARFLEET: {}\nW:\n  Enabled: true\n  Command: ["workers/missing.sh"]\n  FanOutStrategy: SINGLE_INVOCATION\n  TemplatePrefix: W/\n  InvocationSources: [S3]\n' > "$tmp/cmd/c.yaml"
expect_status "a Command whose program does not exist exits 78" 78 $ctl validate --config "$tmp/cmd" --config-only
check "… naming the program and the place" grep -q "c.yaml:4:12: error: W.Command: .*workers/missing.sh does not exist" "$tmp/last.err"
sed -i 's|"workers/missing.sh"|"no-such-program-anywhere"|' "$tmp/cmd/c.yaml"
expect_status "a bare Command not in PATH is only a warning" 0 $ctl validate --config "$tmp/cmd" --config-only
check "… saying so" grep -q "warning: W.Command: no-such-program-anywhere is not found in PATH" "$tmp/last.err"
sed -i '/FanOutStrategy/d' "$tmp/cmd/c.yaml"
expect_status "a process worker without FanOutStrategy exits 78" 78 $ctl validate --config "$tmp/cmd" --config-only
check "… with the section's place" grep -q "c.yaml:2:1: error: W.FanOutStrategy: Missing data for required field." "$tmp/last.err"

mkdir "$tmp/typo"
printf 'STARFLET:\n  LogLevel: INFO\nSTARFLEET: {}\n' > "$tmp/typo/c.yaml"
expect_status "a misspelt section validates" 0 $ctl validate --config "$tmp/typo" --config-only
check "… with a warning naming the closest section" grep -q "c.yaml:1:1: warning: STARFLET: unknown section; nothing reads it (did you mean STARFLEET?)" "$tmp/last.err"

mkdir "$tmp/fifo"
printf 'STARFLEET: {}\n' > "$tmp/fifo/a.yaml"
mkfifo "$tmp/fifo/b.yaml"
expect_status "a FIFO named *.yaml in the config dir exits 78 at once" 78 timeout 10 $ctl validate --config "$tmp/fifo"
check "… naming it" grep -q "b.yaml:1:1: error: cannot read the file: not a regular file (a FIFO)" "$tmp/last.err"

mkdir -p "$tmp/bomb/templates"
python3 - "$tmp/bomb/c.yaml" <<'PY'
import sys
text = "STARFLEET: {}\nBomb:\n  s: &s \"" + "x" * 4000 + "\"\n"
prev = "s"
for name in "abcdefg":
    text += f"  {name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]\n"
    prev = name
open(sys.argv[1], "w").write(text)
PY
start=$(date +%s%N)
expect_status "an alias bomb exits 78" 78 /usr/bin/time -f "%M" -o "$tmp/bomb.rss" $ctl validate --config "$tmp/bomb"
check "… in under 2 s" test $(( ($(date +%s%N) - start) / 1000000 )) -lt 2000
check "… under 256 MB" test "$(tail -1 "$tmp/bomb.rss")" -lt 262144
check "… naming the alias" grep -q "c.yaml:6:.*error: aliases expand to more than" "$tmp/last.err"

report cli
