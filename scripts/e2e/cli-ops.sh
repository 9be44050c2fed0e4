#!/usr/bin/env bash
# End-to-end checks of starfleetctl's operator commands — status, queue stats, dlq list|show|redrive|purge and
# new worker — against a temp state directory, with no daemon, with a fake one (a flock held on the queues' lock
# files, as the daemon holds them) and with the real starfleetd.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
ctl=$repo/.build/debug/starfleetctl
daemon=$repo/.build/debug/starfleetd
tmp=$(mktemp -d)
holders=()
daemon_pid=
cleanup() {
  for p in "${holders[@]}" $daemon_pid; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
source "$(dirname "$0")/lib/checks.bash"
json() { # name, python expression over `d` (the JSON document in $tmp/last.out)
  check "$1" python3 -c "import json,sys; d=json.load(open('$tmp/last.out')); assert ($2), d"
}
jsonl() { # name, python expression over `rows` (one JSON object per line of $tmp/last.out)
  check "$1" python3 -c "import json,sys; rows=[json.loads(l) for l in open('$tmp/last.out') if l.strip()]; assert ($2), rows"
}
hold_lock() { # queue: a fake daemon holding <state>/queues/<queue>/lock (the process that holds it is $!)
  mkdir -p "$state/queues/$1"
  ( exec 9>>"$state/queues/$1/lock"; flock -n 9; exec sleep 600 ) </dev/null >/dev/null 2>&1 &
  holders+=($!)
}
release_locks() {
  for p in "${holders[@]}"; do kill "$p" 2>/dev/null || true; done
  wait "${holders[@]}" 2>/dev/null || true
  holders=()
}
# Dead letters written exactly as DeadLetterDirectory.write lays them out: <state>/dead-letter/<Worker>/<Id>.json, 0600.
write_dead_letter() { # worker id minutes-ago error
  python3 - "$state/dead-letter/$1" "$2" "$3" "$4" "$1" <<'EOF'
import json, os, sys, datetime
folder, mid, ago, error, worker = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
t = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=ago)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
doc = {"formatVersion": 1, "queue": worker, "messageId": mid, "reason": "maxReceiveCount exceeded",
       "body": {"TemplateName": "T", "StarbaseAssignedAccount": "000000000001"}, "bodyIsJSON": True,
       "attributes": {"Origin": "e2e"}, "receiveCount": 4, "maxReceiveCount": 4, "sentTimestamp": t,
       "firstReceiveTimestamp": t, "firstFailureTimestamp": t, "lastFailureTimestamp": t, "deadLetteredTimestamp": t,
       "failures": [{"time": t, "error": error, "exitStatus": 3, "stderrTail": "Traceback…\n"}]}
os.makedirs(folder, mode=0o700, exist_ok=True)
path = os.path.join(folder, mid + ".json")
with open(path, "w") as f:
    json.dump(doc, f, indent=2)
os.chmod(path, 0o600)
EOF
}

cfg=$repo/etc/starfleetd
state=$tmp/state
mkdir "$state"
A1=0F6C1C3E-1111-4A7B-9C11-000000000001
A2=0F6C1C3E-2222-4A7B-9C11-000000000002
I1=9B0D7F22-3333-4A7B-9C11-000000000003
O1=5D2B9A10-4444-4A7B-9C11-000000000004

# ---- An empty state directory: no daemon, nothing queued.
expect_status "status on an empty state dir" 0 $ctl status --config "$cfg" --state-dir "$state"
check "status says the daemon is not running" grep -q "^daemon: not running" "$tmp/last.out"
check "status lists every worker section" test "$(grep -cE '^(HelloWorker|AuditWorker|InventoryWorker) ' "$tmp/last.out")" -eq 3
check "status shows the timed workers' next fires" grep -qE '^AuditWorker .* [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' "$tmp/last.out"
expect_status "status --json on an empty state dir" 0 $ctl status --config "$cfg" --state-dir "$state" --json
json "status --json: not running, journal source, four idle workers" \
  "d['daemon']['running'] is False and d['source']=='journal' and [w['name'] for w in d['workers']]==['HelloWorker','AuditWorker','InventoryWorker','TagAuditor'] and all(w['queue']=={'visible':0,'inFlight':0,'delayed':0} and w['deadLetters']==0 for w in d['workers'])"
json "status --json: next fire of every timed worker" "all('nextFire' in w for w in d['workers'] if 'schedule' in w) and 'nextFire' not in d['workers'][3]"
expect_status "queue stats on an empty state dir" 0 $ctl queue stats --config "$cfg" --state-dir "$state"
check "queue stats lists the Starbase queue and three worker queues" test "$(grep -cE '^(StarbaseFanOut|HelloWorker|AuditWorker|InventoryWorker) +0 +0 +0 +0 +-$' "$tmp/last.out")" -eq 4
expect_status "queue stats --json on an empty state dir" 0 $ctl queue stats --config "$cfg" --state-dir "$state" --json
json "queue stats --json: five empty queues" "[q['name'] for q in d['queues']]==['StarbaseFanOut','HelloWorker','AuditWorker','InventoryWorker','TagAuditor'] and all(q['visible']==0 and 'oldestMessageAgeSeconds' not in q for q in d['queues'])"
expect_status "dlq list with no dead letters" 0 $ctl dlq list --config "$cfg" --state-dir "$state"
check "dlq list says there are none" grep -q "^no dead letters" "$tmp/last.out"
expect_status "dlq list --json with no dead letters" 0 $ctl dlq list --config "$cfg" --state-dir "$state" --json
check "dlq list --json prints nothing" test ! -s "$tmp/last.out"
expect_status "status with a broken config exits 78" 78 $ctl status --config "$tmp/nowhere" --state-dir "$state"

# ---- Dead letters on disk.
write_dead_letter AuditWorker "$A1" 30 "exit status 3: boom"
write_dead_letter AuditWorker "$A2" 10 $'exit status 1:\n  a two-line error'
write_dead_letter InventoryWorker "$I1" 20 "timed out after 270 s"
write_dead_letter OldWorker "$O1" 5 "a worker since removed from the configuration"

expect_status "dlq list" 0 $ctl dlq list --config "$cfg" --state-dir "$state"
check "dlq list has a header, four rows and a count" test "$(wc -l < "$tmp/last.out")" -eq 6
check "dlq list puts errors on one line" grep -q "$A2  AuditWorker .* exit status 1: a two-line error$" "$tmp/last.out"
expect_status "dlq list --json" 0 $ctl dlq list --config "$cfg" --state-dir "$state" --json
jsonl "dlq list --json is newest first" "[r['messageId'] for r in rows]==['$O1','$A2','$I1','$A1']"
jsonl "dlq list --json has worker, receive count, last error and path" \
  "rows[1]['worker']=='AuditWorker' and rows[1]['receiveCount']==4 and rows[3]['lastError']=='exit status 3: boom' and rows[0]['path'].endswith('/dead-letter/OldWorker/$O1.json')"
expect_status "dlq list WORKER --json" 0 $ctl dlq list AuditWorker --config "$cfg" --state-dir "$state" --json
jsonl "dlq list AuditWorker has its two" "[r['messageId'] for r in rows]==['$A2','$A1']"
expect_status "dlq list of a configured worker without dead letters" 0 $ctl dlq list HelloWorker --config "$cfg" --state-dir "$state"
expect_status "dlq list of an unknown worker exits 65" 65 $ctl dlq list AuditWorkr --config "$cfg" --state-dir "$state"
check "… with a did-you-mean hint" grep -q "did you mean AuditWorker?" "$tmp/last.err"

# Strays an operator or an editor leaves behind are skipped and reported, never a failed command (issue 13).
echo notes > "$state/dead-letter/README"
mkdir -p "$state/dead-letter/old stuff"
echo x > "$state/dead-letter/AuditWorker/notes.txt"
expect_status "dlq list with stray files" 0 $ctl dlq list --config "$cfg" --state-dir "$state" --json
jsonl "… lists the same dead letters" "[r['messageId'] for r in rows]==['$O1','$A2','$I1','$A1']"
check "… and reports each stray on stderr" test "$(grep -c 'skipped' "$tmp/last.err")" -eq 3
expect_status "dlq show with stray files" 0 $ctl dlq show "$A1" --config "$cfg" --state-dir "$state"
rm -r "$state/dead-letter/README" "$state/dead-letter/old stuff" "$state/dead-letter/AuditWorker/notes.txt"

expect_status "dlq show" 0 $ctl dlq show "$A1" --config "$cfg" --state-dir "$state"
check "dlq show prints the file's JSON" python3 -c "import json; assert json.load(open('$tmp/last.out'))==json.load(open('$state/dead-letter/AuditWorker/$A1.json'))"
check "dlq show names the file on stderr" test "$(cat "$tmp/last.err")" = "$state/dead-letter/AuditWorker/$A1.json"
expect_status "dlq show is case-insensitive on ids" 0 $ctl dlq show "${I1,,}" --config "$cfg" --state-dir "$state"
expect_status "dlq show --worker" 0 $ctl dlq show "$I1" --worker InventoryWorker --config "$cfg" --state-dir "$state"
expect_status "dlq show of an id under another worker exits 65" 65 $ctl dlq show "$I1" --worker AuditWorker --config "$cfg" --state-dir "$state"
check "… naming its worker" grep -q "of worker InventoryWorker" "$tmp/last.err"
expect_status "dlq show of a prefix exits 65" 65 $ctl dlq show 9B0D7F22 --config "$cfg" --state-dir "$state"
check "… with the whole id as a hint" grep -q "did you mean $I1?" "$tmp/last.err"
expect_status "dlq show of an unknown id exits 65" 65 $ctl dlq show nothing-like-it --config "$cfg" --state-dir "$state"
expect_status "dlq show of a path-like id exits 65" 65 $ctl dlq show ../../status --config "$cfg" --state-dir "$state"
expect_status "dlq show without an id is a usage error" 64 $ctl dlq show --config "$cfg" --state-dir "$state"

expect_status "status with dead letters" 0 $ctl status --config "$cfg" --state-dir "$state" --json
json "status counts dead-letter files per worker" "[w['deadLetters'] for w in d['workers']]==[0,2,1,0]"
expect_status "queue stats with dead letters" 0 $ctl queue stats --config "$cfg" --state-dir "$state" --json
json "queue stats counts them too, and lists no queue for OldWorker" "{q['name']:q['deadLetters'] for q in d['queues']}=={'StarbaseFanOut':0,'HelloWorker':0,'AuditWorker':2,'InventoryWorker':1,'TagAuditor':0}"

# ---- Refusals: nothing is touched.
expect_status "dlq redrive without a selection exits 64" 64 $ctl dlq redrive --config "$cfg" --state-dir "$state"
check "… saying what to give" grep -q -- "--all" "$tmp/last.err"
expect_status "dlq purge without a selection exits 64" 64 $ctl dlq purge --config "$cfg" --state-dir "$state"
expect_status "dlq redrive IDs with --all exits 64" 64 $ctl dlq redrive "$A1" --all --config "$cfg" --state-dir "$state"
expect_status "dlq purge IDs with --all exits 64" 64 $ctl dlq purge "$A1" --all --config "$cfg" --state-dir "$state"
expect_status "dlq redrive --rate -1 exits 64" 64 $ctl dlq redrive "$A1" --rate -1 --config "$cfg" --state-dir "$state"
expect_status "dlq redrive of an unknown id exits 65" 65 $ctl dlq redrive "$A1" 0F6C1C3E-2222 --config "$cfg" --state-dir "$state"
check "… with a hint for the partial id" grep -q "did you mean $A2?" "$tmp/last.err"
check "… and redrives none of them" test -f "$state/dead-letter/AuditWorker/$A1.json"
expect_status "dlq purge of an unknown id exits 65" 65 $ctl dlq purge "$A1" bogus --config "$cfg" --state-dir "$state"
check "… and purges none of them" test -f "$state/dead-letter/AuditWorker/$A1.json"
expect_status "dlq redrive --worker of an unknown worker exits 65" 65 $ctl dlq redrive --worker InventoryWorkr --config "$cfg" --state-dir "$state"
check "… with a hint" grep -q "did you mean InventoryWorker?" "$tmp/last.err"
expect_status "dlq redrive of a worker no longer configured exits 65" 65 $ctl dlq redrive --worker OldWorker --config "$cfg" --state-dir "$state"
check "… and says why" grep -q "no worker section named OldWorker" "$tmp/last.err"
expect_status "dlq redrive with a broken config exits 78" 78 $ctl dlq redrive --all --config "$tmp/nowhere" --state-dir "$state"

# ---- Redrive with no daemon: straight into the worker's journal, fresh receive count, new id.
expect_status "dlq redrive ID (no daemon)" 0 $ctl dlq redrive "$A1" --config "$cfg" --state-dir "$state"
check "… says it wrote to the queue" grep -q "^AuditWorker: 1 dead letter(s) redriven, written to its queue" "$tmp/last.out"
check "… removes the dead-letter file" test ! -e "$state/dead-letter/AuditWorker/$A1.json"
check "… leaves the inbox alone" test ! -e "$state/inbox/AuditWorker"
check "… leaves the queue unlocked" flock -n "$state/queues/AuditWorker/lock" true
expect_status "queue stats after a redrive" 0 $ctl queue stats --config "$cfg" --state-dir "$state" --json
json "the message is visible on AuditWorker's queue with an age" \
  "[(q['visible'],q['deadLetters']) for q in d['queues'] if q['name']=='AuditWorker']==[(1,1)] and [q for q in d['queues'] if q['name']=='AuditWorker'][0]['oldestMessageAgeSeconds']>=0"
expect_status "queue stats table after a redrive" 0 $ctl queue stats --config "$cfg" --state-dir "$state"
check "… shows it" grep -qE '^AuditWorker +1 +0 +0 +1 +[0-9]+s$' "$tmp/last.out"
expect_status "status after a redrive" 0 $ctl status --config "$cfg" --state-dir "$state"
check "… shows it visible" grep -qE '^AuditWorker +yes +1 +0 +0 +1 ' "$tmp/last.out"

# ---- A fake daemon: the locks held as starfleetd holds them. Redrive must go through the inbox.
hold_lock StarbaseFanOut
hold_lock InventoryWorker
sleep 0.3
expect_status "status while the daemon runs (no status.json yet)" 0 $ctl status --config "$cfg" --state-dir "$state" --json
json "… says running, counts from the journals" "d['daemon']['running'] is True and d['source']=='journal' and 'pid' not in d['daemon']"
expect_status "status table while the daemon runs" 0 $ctl status --config "$cfg" --state-dir "$state"
check "… says running" grep -q "^daemon: running" "$tmp/last.out"
expect_status "dlq redrive --worker (daemon holds the queue)" 0 $ctl dlq redrive --worker InventoryWorker --config "$cfg" --state-dir "$state"
check "… says it handed them to the daemon" grep -q "handed to the running daemon" "$tmp/last.out"
check "… removes the dead-letter file" test ! -e "$state/dead-letter/InventoryWorker/$I1.json"
check "… writes one request to the inbox" test "$(ls "$state/inbox/InventoryWorker" | grep -c '\.request\.json$')" -eq 1
check "… with the exact body, attributes and the original id" python3 -c "
import glob, json
[f] = glob.glob('$state/inbox/InventoryWorker/*.request.json')
r = json.load(open(f))
assert r['action'] == 'send', r
[m] = r['messages']
assert json.loads(m['body']) == {'TemplateName': 'T', 'StarbaseAssignedAccount': '000000000001'}, m
assert m['attributes'] == {'Origin': 'e2e', 'StarfleetOriginalMessageId': '$I1'}, m
assert m['deduplicationId'] == 'redrive-$I1', m"
check "… and writes no journal segment itself" test -z "$(ls -A "$state/queues/InventoryWorker/journal" 2>/dev/null)"

# A live status.json (what the daemon writes every 2 s) is the source of counts while it runs.
python3 - "$state/status.json" 0 <<'EOF'
import json, sys, datetime
age = int(sys.argv[2])
now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
stamp = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")
json.dump({"version": 1, "pid": 4242, "startedAt": stamp(now - datetime.timedelta(hours=1)),
           "updatedAt": stamp(now - datetime.timedelta(seconds=age)),
           "workers": {"AuditWorker": {"succeeded": 7, "failed": 2, "lastSuccess": stamp(now), "lastFailure": stamp(now),
                                       "lastError": "exit status 3:\nboom"}},
           "queues": {"StarbaseFanOut": {"visible": 1, "inFlight": 0, "delayed": 0, "deadLetters": 0},
                      "HelloWorker": {"visible": 7, "inFlight": 2, "delayed": 1, "deadLetters": 0}},
           "nextFires": {}, "lastFires": {}}, open(sys.argv[1], "w"))
EOF
expect_status "status with a live status.json" 0 $ctl status --config "$cfg" --state-dir "$state" --json
json "… reports the daemon's pid, start and counts" \
  "d['daemon']['pid']==4242 and d['source']=='daemon' and d['starbase']['visible']==1 and d['workers'][0]['queue']=={'visible':7,'inFlight':2,'delayed':1}"
json "… and the last outcomes" "d['workers'][1]['succeeded']==7 and d['workers'][1]['lastError']=='exit status 3:\nboom' and 'lastSuccess' in d['workers'][1]"
expect_status "status table with a live status.json" 0 $ctl status --config "$cfg" --state-dir "$state"
check "… shows pid and uptime" grep -qE "^daemon: running \(pid 4242, started .*, up 1h0[01]m\)" "$tmp/last.out"
check "… shows the last error on one line" grep -q "^  AuditWorker: exit status 3: boom$" "$tmp/last.out"
expect_status "queue stats with a live status.json" 0 $ctl queue stats --config "$cfg" --state-dir "$state" --json
json "… takes counts from it" "d['source']=='daemon' and [q['visible'] for q in d['queues'] if q['name']=='HelloWorker']==[7]"
python3 - "$state/status.json" <<'EOF'
import json, sys, datetime
d = json.load(open(sys.argv[1]))
old = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5)
d["updatedAt"] = old.strftime("%Y-%m-%dT%H:%M:%SZ")
json.dump(d, open(sys.argv[1], "w"))
EOF
expect_status "status with a stale status.json" 0 $ctl status --config "$cfg" --state-dir "$state" --json
json "… reads the journals instead but keeps the recorded outcomes" \
  "d['source']=='journal' and d['workers'][0]['queue']['visible']==0 and d['workers'][1]['queue']['visible']==1 and d['workers'][1]['failed']==2"
release_locks
expect_status "status once the daemon stopped" 0 $ctl status --config "$cfg" --state-dir "$state"
check "… says not running, with the last status time" grep -q "^daemon: not running (last status " "$tmp/last.out"

# ---- Purge.
expect_status "dlq purge ID" 0 $ctl dlq purge "$A2" --config "$cfg" --state-dir "$state"
check "… removes the file" test ! -e "$state/dead-letter/AuditWorker/$A2.json"
check "… says so" grep -q "^AuditWorker: 1 dead letter(s) purged" "$tmp/last.out"
expect_status "dlq purge --worker of a configured worker with none" 0 $ctl dlq purge --worker HelloWorker --config "$cfg" --state-dir "$state"
write_dead_letter AuditWorker "$A1" 3 "again"
expect_status "dlq redrive --all skips a worker no longer configured" 0 $ctl dlq redrive --all --rate 0 --config "$cfg" --state-dir "$state"
check "… with a warning" grep -q "warning: skipped: no worker section named OldWorker" "$tmp/last.err"
check "… and redrives the rest" test ! -e "$state/dead-letter/AuditWorker/$A1.json"
check "… leaving OldWorker's" test -e "$state/dead-letter/OldWorker/$O1.json"
expect_status "dlq purge --worker of a worker no longer configured" 0 $ctl dlq purge --worker OldWorker --config "$cfg" --state-dir "$state"
check "… removes its dead letters" test ! -e "$state/dead-letter/OldWorker/$O1.json"
write_dead_letter AuditWorker "$A1" 3 "again"
write_dead_letter InventoryWorker "$I1" 3 "again"
expect_status "dlq purge --all" 0 $ctl dlq purge --all --config "$cfg" --state-dir "$state"
expect_status "nothing left" 0 $ctl dlq list --config "$cfg" --state-dir "$state" --json
check "… dlq list --json is empty" test ! -s "$tmp/last.out"
expect_status "dlq redrive --all with nothing" 0 $ctl dlq redrive --all --config "$cfg" --state-dir "$state"
check "… says so" grep -q "^nothing to redrive" "$tmp/last.out"

# ---- A bulk redrive: progress on stderr only when it is a terminal and there are more than 100.
bulk=$tmp/bulk
python3 - "$bulk/dead-letter" <<'EOF'
import json, os, sys, uuid
for worker, n in (("AuditWorker", 150), ("InventoryWorker", 101)):
    folder = os.path.join(sys.argv[1], worker)
    os.makedirs(folder)
    for i in range(n):
        mid = str(uuid.uuid4()).upper(); t = "2026-01-01T00:00:00.000Z"
        json.dump({"formatVersion": 1, "queue": worker, "messageId": mid, "reason": "r", "body": {"n": i}, "bodyIsJSON": True,
                   "attributes": {}, "receiveCount": 4, "maxReceiveCount": 4, "sentTimestamp": t,
                   "deadLetteredTimestamp": t, "failures": []}, open(f"{folder}/{mid}.json", "w"))
EOF
expect_status "bulk redrive --worker without a terminal" 0 $ctl dlq redrive --worker InventoryWorker --rate 0 --config "$cfg" --state-dir "$bulk"
check "… prints no progress" test ! -s "$tmp/last.err"
if command -v script >/dev/null; then
  expect_status "bulk redrive --worker on a terminal" 0 script -qec "$ctl dlq redrive --worker AuditWorker --rate 0 --config $cfg --state-dir $bulk" /dev/null
  check "… shows progress" grep -q $'redriven 150/150\r$' "$tmp/last.out"
  check "… then the summary on its own line" grep -q $'^AuditWorker: 150 dead letter(s) redriven, written to its queue\r$' "$tmp/last.out"
else
  echo "note: script(1) is missing; the progress line was not checked"
fi
expect_status "queue stats after the bulk redrive" 0 $ctl queue stats --config "$cfg" --state-dir "$bulk" --json
json "… every message is on its queue" "{q['name']:q['visible'] for q in d['queues']}=={'StarbaseFanOut':0,'HelloWorker':0,'AuditWorker':150,'InventoryWorker':101,'TagAuditor':0}"

# ---- The real daemon: a worker that always fails, MaxReceiveCount 1; requests through its inbox.
wait_for() { # seconds, command…
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do [ $SECONDS -lt $deadline ] || return 1; sleep 0.2; done
}
dead_letters_are() { test "$(ls "$rstate/dead-letter/Failing" 2>/dev/null | grep -c '\.json$')" -eq "$1"; }
if [ -x "$daemon" ]; then
  rcfg=$tmp/real-cfg; rstate=$tmp/real-state
  mkdir -p "$rcfg/workers" "$rcfg/templates" "$rstate"
  cat > "$rcfg/starfleetd.yaml" <<'EOF'
STARFLEET:
  AccountIndex: LocalAccountIndex
  TemplateDirectory: templates
LocalAccountIndex:
  Path: accountIndex.json
Failing:
  Enabled: true
  Command: ["workers/fail.sh"]
  FanOutStrategy: SINGLE_INVOCATION
  TemplatePrefix: Failing/
  InvocationSources: [S3]
  MaxReceiveCount: 1
EOF
  cp "$cfg/accountIndex.json" "$rcfg/"
  printf '#!/bin/sh\necho "boom: the thing is unreachable" >&2\nexit 3\n' > "$rcfg/workers/fail.sh"
  chmod +x "$rcfg/workers/fail.sh"
  "$daemon" --config "$rcfg" --state-dir "$rstate" </dev/null >"$tmp/daemon.log" 2>&1 &
  daemon_pid=$!
  check "starfleetd comes up (status.json written)" wait_for 20 test -s "$rstate/status.json"
  mkdir -p "$rstate/inbox/Failing"
  printf '{"action": "send", "ids": [], "all": false, "requestedAt": "2026-01-01T00:00:00Z", "messages": [{"body": "{\\"TemplateName\\": \\"A\\"}", "delaySeconds": 0, "attributes": {}}, {"body": "{\\"TemplateName\\": \\"B\\"}", "delaySeconds": 0, "attributes": {}}]}' > "$rstate/inbox/Failing/.req.tmp"
  mv "$rstate/inbox/Failing/.req.tmp" "$rstate/inbox/Failing/0-e2e.request.json"
  check "the daemon dead-letters both failing messages" wait_for 20 dead_letters_are 2
  first_ids=$(ls "$rstate/dead-letter/Failing")
  expect_status "dlq list reads the daemon's dead letters" 0 $ctl dlq list --config "$rcfg" --state-dir "$rstate" --json
  jsonl "… with the worker's exit status as last error" "len(rows)==2 and all(r['lastError'].endswith('exited with status 3') and r['receiveCount']==1 for r in rows)"
  check "status.json catches up" wait_for 5 python3 -c "import json; assert json.load(open('$rstate/status.json'))['workers']['Failing']['failed']==2"
  expect_status "status against the running daemon" 0 $ctl status --config "$rcfg" --state-dir "$rstate" --json
  json "… reports its pid, the failures and the dead letters" \
    "d['daemon']['running'] and d['daemon']['pid']==$daemon_pid and d['source']=='daemon' and d['workers'][0]['failed']==2 and d['workers'][0]['deadLetters']==2 and 'status 3' in d['workers'][0]['lastError']"
  expect_status "dlq redrive --worker while the daemon runs" 0 $ctl dlq redrive --worker Failing --config "$rcfg" --state-dir "$rstate"
  check "… goes through the inbox" grep -q "handed to the running daemon" "$tmp/last.out"
  check "the daemon takes them, fails again and dead-letters them under new ids" \
    wait_for 20 python3 -c "
import glob, json, os
files = glob.glob('$rstate/dead-letter/Failing/*.json')
assert len(files) == 2
old = set('''$first_ids'''.split())
assert not old & {os.path.basename(f) for f in files}
assert {json.load(open(f))['attributes'].get('StarfleetOriginalMessageId') + '.json' for f in files} == old"
  kill -TERM "$daemon_pid"; wait "$daemon_pid" || true; daemon_pid=
  expect_status "dlq redrive --all once the daemon stopped" 0 $ctl dlq redrive --all --config "$rcfg" --state-dir "$rstate"
  check "… writes the queue directly" grep -q "^Failing: 2 dead letter(s) redriven, written to its queue" "$tmp/last.out"
  expect_status "queue stats sees them waiting" 0 $ctl queue stats --config "$rcfg" --state-dir "$rstate" --json
  json "… two visible on Failing, none dead" "[(q['visible'],q['deadLetters']) for q in d['queues'] if q['name']=='Failing']==[(2,0)] and not d['daemonRunning']"
else
  echo "note: $daemon not built; the real-daemon checks were skipped"
fi

# ---- new worker: scaffold into a temp copy of etc/starfleetd, then validate, plan and run what was written.
scaf=$tmp/scaffold
cp -r "$cfg" "$scaf"
payload='{"TemplateName": "x", "StarbaseAssignedAccount": "123456789012"}'
expect_status "new worker: a Swift name with a leading digit exits 64" 64 $ctl new worker 1Bad --language swift --config "$scaf"
expect_status "new worker: name with a dot exits 64" 64 $ctl new worker Bad.Name --language python --config "$scaf"
expect_status "new worker: an 81-character name exits 64" 64 $ctl new worker "W$(printf 'x%.0s' {1..80})" --language shell --config "$scaf"
expect_status "new worker: unknown language exits 64" 64 $ctl new worker Good --language cobol --config "$scaf"
expect_status "new worker: no language exits 64" 64 $ctl new worker Good --config "$scaf"
expect_status "new worker: unknown fan-out exits 64" 64 $ctl new worker Good --language python --fan-out EVERYWHERE --config "$scaf"
expect_status "new worker: a Swift name with '-' exits 64" 64 $ctl new worker Good-One --language swift --config "$scaf"
expect_status "new worker: an existing section exits 65" 65 $ctl new worker AuditWorker --language python --config "$scaf"
expect_status "new worker: the Starbase's name exits 65" 65 $ctl new worker StarbaseFanOut --language python --config "$scaf"
expect_status "new worker: a broken config exits 78" 78 $ctl new worker Good --language python --config "$tmp/nowhere"
check "refusals wrote nothing" diff -r "$cfg" "$scaf"

for lang in python javascript shell; do
  case $lang in python) name=PyProbe ext=py;; javascript) name=JsProbe ext=js;; shell) name=ShProbe ext=sh;; esac
  base=$(echo "$name" | sed 's/\([a-z]\)\([A-Z]\)/\1-\2/g' | tr 'A-Z' 'a-z')
  expect_status "new worker --language $lang" 0 $ctl new worker $name --language $lang --config "$scaf"
  check "$lang: prints what it created and the next steps" grep -q "starfleetctl validate --config $scaf" "$tmp/last.out"
  check "$lang: the script is executable" test -x "$scaf/workers/$base.$ext"
  check "$lang: the section runs it" grep -q "Command: \[\"workers/$base.$ext\"\]" "$scaf/$name.yaml"
  check "$lang: ACCOUNT by default" grep -q "^  FanOutStrategy: ACCOUNT$" "$scaf/$name.yaml"
  check "$lang: a sample template" test -f "$scaf/templates/$name/example.yaml"
  expect_status "$lang: validate passes" 0 $ctl validate --config "$scaf"
  expect_status "$lang: plan on the sample template" 0 $ctl plan --config "$scaf" --json "$scaf/templates/$name/example.yaml"
  jsonl "$lang: one payload per account" "len(rows)>=2 and all(r['worker']=='$name' and r['account'] for r in rows)"
  expect_status "$lang: again exits 65" 65 $ctl new worker $name --language $lang --config "$scaf"
  if [ $lang = javascript ] && ! command -v node >/dev/null; then
    echo "note: node is not installed; the generated JavaScript worker was not run"
    continue
  fi
  expect_status "$lang: the worker runs on a sample payload" 0 env STARFLEET_WORKER=$name STARFLEET_COMMIT=false "$scaf/workers/$base.$ext" <<<"$payload"
  if [ $lang = shell ]; then
    json "$lang: it prints a JSON result, commit off" "d['commit'] is False and d['worker']=='$name' and d['action'].startswith('would change')"
  else
    json "$lang: it prints a JSON result, commit off" "d['commit'] is False and d['account']=='123456789012' and d['action']=='would change 123456789012'"
  fi
  expect_status "$lang: it honours STARFLEET_COMMIT" 0 env STARFLEET_COMMIT=true STARFLEET_ACCOUNT_ID=123456789012 STARFLEET_REGION=us-east-1 "$scaf/workers/$base.$ext" <<<"$payload"
  json "$lang: commit on" "d['commit'] is True and d['action'].startswith('changed 123456789012')"
  expect_status "$lang: a bad payload fails" 1 env STARFLEET_COMMIT=false "$scaf/workers/$base.$ext" <<<"not json"
  check "$lang: … with a message on stderr" grep -q "$name: the payload is not" "$tmp/last.err"
done
expect_status "new worker --fan-out ACCOUNT_REGION" 0 $ctl new worker RegionProbe --language shell --fan-out ACCOUNT_REGION --config "$scaf"
expect_status "… plan on its template" 0 $ctl plan --config "$scaf" --json "$scaf/templates/RegionProbe/example.yaml"
jsonl "… one payload per account and region" "len(rows)>=2 and all(r['region']=='us-east-1' for r in rows)"
expect_status "new worker --fan-out single_invocation" 0 $ctl new worker OnceProbe --language python --fan-out single_invocation --config "$scaf"
expect_status "… plan on its template" 0 $ctl plan --config "$scaf" --json "$scaf/templates/OnceProbe/example.yaml"
jsonl "… one payload" "len(rows)==1 and rows[0]['account'] is None"
expect_status "validate passes with every scaffolded worker" 0 $ctl validate --config "$scaf"

# Swift: the registry edit against a copy of the real registry (golden), and the generated type checked by the
# compiler against the modules this build produced (typecheck only, well under a second; no package build).
src=$tmp/src
mkdir -p "$src/Sources/StarfleetWorkers"
cp Sources/StarfleetWorkers/WorkerRegistry.swift "$src/Sources/StarfleetWorkers/"
expect_status "new worker --language swift without the package tree exits 64" 64 $ctl new worker SwiftProbe --language swift --source "$tmp/none" --config "$scaf"
expect_status "new worker --language swift" 0 $ctl new worker SwiftProbe --language swift --source "$src" --config "$scaf"
check "swift: the type is written" grep -q "package struct SwiftProbe: TypedWorkerShip {" "$src/Sources/StarfleetWorkers/SwiftProbe.swift"
python3 - Sources/StarfleetWorkers/WorkerRegistry.swift "$tmp/registry.golden" <<'EOF'
import sys
lines = open(sys.argv[1]).read().split("\n")
at = next(i for i, l in enumerate(lines) if l.lstrip().startswith("// starfleetctl new worker"))
indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
lines.insert(at, indent + '"SwiftProbe": { _ in SwiftProbe() },')
open(sys.argv[2], "w").write("\n".join(lines))
EOF
check "swift: the registry gains exactly one line above the marker" cmp "$tmp/registry.golden" "$src/Sources/StarfleetWorkers/WorkerRegistry.swift"
check "swift: the section has no Command" test -z "$(grep 'Command:' "$scaf/SwiftProbe.yaml")"
expect_status "swift: validate passes (a warning until rebuilt)" 0 $ctl validate --config "$scaf"
expect_status "swift: plan on its template" 0 $ctl plan --config "$scaf" "$scaf/templates/SwiftProbe/example.yaml"
expect_status "swift: again exits 65" 65 $ctl new worker SwiftProbe --language swift --source "$src" --config "$scaf"
if command -v swiftc >/dev/null && [ -d .build/debug/Modules ]; then
  echo '@_exported import StarfleetWorkers' > "$tmp/shim.swift"
  # Every C module StarfleetWorkers reaches (through StarfleetAWS, StarfleetProcess…) must be findable.
  cmaps=()
  for m in Sources/C*/module.modulemap; do cmaps+=(-Xcc "-fmodule-map-file=$m"); done
  for d in .build/debug/C*.build; do
    [ -f "$d/module.modulemap" ] || continue  # Swift targets whose names start with C have none
    name=$(basename "$d" .build)
    cmaps+=(-Xcc "-fmodule-map-file=$d/module.modulemap" -Xcc "-ISources/$name/include")
  done
  # package access needs SwiftPM's package name: the checkout folder's name, lowercased, other characters as _.
  package_name=$(basename "$PWD" | tr 'A-Z' 'a-z' | sed 's/[^a-z0-9_]/_/g')
  check "swift: the generated worker and the edited registry typecheck" swiftc -typecheck -swift-version 6 \
    -enable-upcoming-feature ExistentialAny -enable-upcoming-feature InternalImportsByDefault \
    -I .build/debug/Modules -I /usr/include/x86_64-linux-gnu "${cmaps[@]}" \
    -package-name "$package_name" -module-name ScaffoldCheck "$tmp/shim.swift" "$src/Sources/StarfleetWorkers/SwiftProbe.swift" "$src/Sources/StarfleetWorkers/WorkerRegistry.swift"
else
  echo "note: swiftc or .build/debug/Modules missing; the generated Swift worker was not typechecked"
fi

report cli-ops
