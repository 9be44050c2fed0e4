#!/usr/bin/env bash
# End-to-end tests of the built daemon (scripts/e2e/daemon_test.py), plus systemd-analyze verify on the unit.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build --product starfleetd >/dev/null
swift build --product starfleetctl >/dev/null
python3 scripts/e2e/daemon_test.py "$@"
