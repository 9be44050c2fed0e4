#!/usr/bin/env bash
# The run history end to end (scripts/e2e/history_test.py): the built daemon runs a worker that fails for one account,
# `starfleetctl runs --json` must say exactly what happened; a SIGKILL mid-run must leave no torn record.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build --product starfleetd >/dev/null
swift build --product starfleetctl >/dev/null
python3 scripts/e2e/history_test.py "$@"
