#!/usr/bin/env python3
"""End-to-end run-history tests of the built starfleetd and starfleetctl: what `starfleetctl runs` shows is what the
worker did (accounts, attempts, outcomes, exit status, stderr), nothing of the worker's environment is kept, and a
SIGKILL while runs are being recorded leaves a history that opens with no torn record and stays within its bounds.

Run by scripts/e2e/history.sh after `swift build`. The last line is "history: N passed, N failed".
"""
import glob
import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_test import Env, lines, run_tests, wait_for  # noqa: E402

# Fails for one account (exit 4, a line on stderr), succeeds for the others; records each finished run.
PICKY = """#!/bin/sh
cat > /dev/null
if [ "$STARFLEET_ACCOUNT_ID" = "100000000002" ]; then
  echo "AccessDenied in $STARFLEET_ACCOUNT_ID (attempt $STARFLEET_RECEIVE_COUNT)" >&2
  echo "$STARFLEET_ACCOUNT_ID fail" >> "$1"
  exit 4
fi
echo "$STARFLEET_ACCOUNT_ID ok" >> "$1"
echo "{\\"account\\": \\"$STARFLEET_ACCOUNT_ID\\"}"
"""

NOOP = """#!/bin/sh
cat > /dev/null
echo "$STARFLEET_MESSAGE_ID" >> "$1"
echo '{}'
"""

TEMPLATE = "TemplateName: t\nTemplateDescription: d\nIncludeAccounts: {AllAccounts: true}\n"
SECRET = "s3cr3t-in-the-environment-5b1e"


def script(env, name, text):
    path = os.path.join(env.config, name)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o755)


def runs(env, *args):
    r = env.ctl("runs", "--json", "--limit", "0", *args)
    return [json.loads(l) for l in r.stdout.splitlines() if l.strip()], r.stderr


def test_runs_json_matches_what_the_worker_did():
    env = Env({})
    try:
        script(env, "picky.sh", PICKY)
        env.write_config({"Picky": {"Enabled": "true", "Command": f'["./picky.sh", "{env.out}/done"]', "FanOutStrategy": "ACCOUNT",
                                    "TemplatePrefix": "Picky/", "InvocationSources": "[S3]", "MaxReceiveCount": 2,
                                    "Backoff": "{InitialSeconds: 0, MaxSeconds: 0}", "Environment": f"{{API_TOKEN: {SECRET}}}"}})
        env.start()
        env.template("Picky/all.yaml", TEMPLATE)
        # 5 accounts, the org root (100000000000) left out: 3 succeed, 100000000002 fails twice and is dead-lettered.
        wait_for(lambda: glob.glob(f"{env.state}/dead-letter/Picky/*.json"), 30, "the dead letter")
        wait_for(lambda: len(lines(f"{env.out}/done")) >= 5, 30, "five finished runs")
        done = lines(f"{env.out}/done")
        got = wait_for(lambda: (lambda r: r if len(r[0]) >= 5 else None)(runs(env)), 10, "five recorded runs")
        history, stderr = got
        assert stderr == "", stderr
        assert len(history) == len(done) == 5, (history, done)
        ok = sorted(r["accountId"] for r in history if r["outcome"] == "succeeded")
        assert ok == sorted(a for a, what in done if what == "ok") == ["100000000001", "100000000003", "100000000004"], ok
        failed = sorted((r for r in history if r["accountId"] == "100000000002"), key=lambda r: r["attempt"])
        assert [(r["attempt"], r["outcome"]) for r in failed] == [(1, "failed-will-retry"), (2, "dead-lettered")], failed
        assert all(r["exitStatus"] == 4 and r["errorType"] == "Runtime.ExitError" for r in failed), failed
        assert all("AccessDenied in 100000000002" in r["stderrExcerpt"] for r in failed), failed
        assert failed[0]["messageId"] == failed[1]["messageId"], failed
        for r in history:
            assert r["worker"] == "Picky" and r["template"] == "Picky/all.yaml", r
            assert r["durationSeconds"] >= 0 and r["startedAt"].endswith("Z"), r
        success = next(r for r in history if r["outcome"] == "succeeded")
        assert json.loads(success["resultExcerpt"]) == {"account": success["accountId"]}, success
        assert success["resultBytes"] == len(success["resultExcerpt"].encode()), success
        # Newest first, and the filters select what they name.
        assert [r["startedAt"] for r in history] == sorted((r["startedAt"] for r in history), reverse=True)
        assert [r["accountId"] for r in runs(env, "--account-id", "100000000002")[0]] == ["100000000002"] * 2
        assert len(runs(env, "--failed")[0]) == 2
        assert len(runs(env, "--template", "Picky/all.yaml")[0]) == 5 and runs(env, "--template", "Picky/x.yaml")[0] == []
        region = history[0].get("region")
        if region:
            assert len(runs(env, "--region", region)[0]) == sum(r.get("region") == region for r in history)
        assert runs(env, "--region", "xx-nowhere-1")[0] == []
        assert len(runs(env, "Picky", "--since", "10m")[0]) == 5
        assert runs(env, "--since", "2000-01-01T00:00:00Z", "--limit", "1")[0] == history[:1]
        table = env.ctl("runs", "Picky").stdout
        assert "dead-lettered" in table and "failed-will-retry" in table and "5 runs" in table, table
        # The worker's environment never reaches the history.
        for path in glob.glob(f"{env.state}/history/**/*", recursive=True):
            if os.path.isfile(path):
                with open(path, "rb") as f:
                    assert SECRET.encode() not in f.read(), path
        assert env.ctl("runs", "Nobody", check=False).returncode == 65
        assert env.ctl("runs", "--since", "yesterday", check=False).returncode == 64
        assert env.stop() == 0
    finally:
        env.cleanup()


def test_sigkill_mid_run_leaves_no_torn_record_and_the_bounds_hold():
    env = Env({}, accounts=30)
    try:
        script(env, "noop.sh", NOOP)
        env.write_config({"Noop": {"Enabled": "true", "Command": f'["./noop.sh", "{env.out}/done"]', "FanOutStrategy": "ACCOUNT_REGION",
                                   "TemplatePrefix": "Noop/", "InvocationSources": "[S3]", "Concurrency": 8,
                                   "RunHistoryMaxRuns": 20}})
        env.start()
        env.template("Noop/all.yaml", TEMPLATE + "IncludeRegions: [us-east-1, us-west-2, eu-west-1]\n")  # 29 × 3 = 87 runs
        wait_for(lambda: len(lines(f"{env.out}/done")) >= 30, 30, "thirty runs")
        env.proc.send_signal(signal.SIGKILL)
        env.proc.wait(10)
        finished = len(lines(f"{env.out}/done"))
        assert finished < 87, "the kill came mid-run"
        history, stderr = runs(env)
        assert stderr == "", stderr  # no damage, no torn tail
        assert len(history) == 20, len(history)  # RunHistoryMaxRuns, exactly
        # The daemon opens the history again with nothing to repair, and the rest of the fan-out is recorded.
        env.start()
        wait_for(lambda: len(lines(f"{env.out}/done")) >= 87, 30, "the rest of the fan-out")
        time.sleep(0.5)
        assert "run history:" not in env.read_log(), env.read_log()
        history, stderr = runs(env)
        assert stderr == "" and len(history) == 20, (stderr, len(history))
        on_disk = sorted(glob.glob(f"{env.state}/history/Noop/*.runs"))
        assert 1 <= len(on_disk) <= 3, on_disk  # 16 runs a segment: at most 20 + 15 runs kept
        assert env.stop() == 0
    finally:
        env.cleanup()


if __name__ == "__main__":
    run_tests(globals(), "history")
