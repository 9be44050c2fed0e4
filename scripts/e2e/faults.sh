#!/usr/bin/env bash
# The whole-daemon fault suite (scripts/faults) against the debug build: SIGKILL rounds during fan-outs, SIGSTOP past
# the visibility timeout, hanging / crashing / noisy workers, 2,000 templates at once (10,000 with --long), wall-clock
# steps under libfaketime, read-only and full state dirs.
# About two minutes; `scripts/e2e/faults.sh --long` runs 100 SIGKILL rounds. Last line: "faults: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/install-deps faketime
swift build --product starfleetd >/dev/null
swift build --product starfleetctl >/dev/null
python3 scripts/faults "$@"
