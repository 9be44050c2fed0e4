#!/usr/bin/env python3
"""Example process worker in Python: reads the payload from stdin and records what it would audit.

With commit off (the default) a Starfleet worker only reports; it changes nothing.
"""
import json
import os
import sys

payload = json.load(sys.stdin)
account = payload.get("StarbaseAssignedAccount")
region = payload.get("StarbaseAssignedRegion")
commit = os.environ.get("STARFLEET_COMMIT") == "true"
if payload.get("SimulateFailure"):
    # A failure is a non-zero exit; stderr's tail ends up in the dead-letter file after MaxReceiveCount attempts.
    print(f"simulated failure auditing {account}/{region} (attempt {os.environ.get('STARFLEET_RECEIVE_COUNT')})", file=sys.stderr)
    sys.exit(2)
line = {"worker": os.environ.get("STARFLEET_WORKER"), "account": account, "region": region,
        "checks": payload.get("Checks", []), "commit": commit}
with open("payloads.log", "a", encoding="utf-8") as log:
    log.write(json.dumps(line) + "\n")
print(json.dumps({"audited": f"{account}/{region}", "findings": 0}))
