#!/usr/bin/env bash
# Alerts and secrets end to end (scripts/e2e/alerts_test.py): the built daemon, a local webhook receiver, moto for
# Secrets Manager, secrets in a temp $CREDENTIALS_DIRECTORY that must never show up in the daemon's output.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build --product starfleetd >/dev/null
python3 scripts/e2e/alerts_test.py "$@"
