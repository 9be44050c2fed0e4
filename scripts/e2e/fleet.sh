#!/usr/bin/env bash
# A fleet of three starfleetd hosts (scripts/e2e/fleet_test.py): two scheduling, one `Scheduler: false`, each its own
# state directory and process, on FIFO queues in ministack and a template bucket in moto; executions are counted per
# payload across the three run histories. Also: idle SQS receive loops counted against moto's request recording.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build --product starfleetd >/dev/null
swift build --product starfleetctl >/dev/null
python3 scripts/e2e/fleet_test.py "$@"
