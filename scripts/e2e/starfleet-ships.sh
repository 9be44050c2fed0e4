#!/usr/bin/env bash
# All four of Starfleet's worker ships (1.0.2, unchanged) under the real starfleetd: `Runtime: python` sections with
# Starfleet's handler strings, warm processes on the daemon's Runtime API, templates and `starfleetctl invoke`,
# moto_server as AWS (scripts/e2e/starfleet_ships_test.py). The only skip: no Starfleet source on this machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
rc=0
python="$(scripts/e2e/lib/starfleet_venv.sh)" || rc=$?
if [ "$rc" -eq 3 ]; then
  echo "SKIPPED: Starfleet's source (\$STARFLEET_SOURCE, or shared/peers/starfleet-1.0.2 beside the repo) is not on this machine, so Starfleet's ships cannot run"
  echo "starfleet-ships: 0 passed, 0 failed, 1 skipped"
  exit 0
elif [ "$rc" -ne 0 ]; then
  echo "cannot build the Starfleet virtualenv (scripts/e2e/lib/starfleet_venv.sh exited $rc)" >&2
  echo "starfleet-ships: 0 passed, 1 failed"
  exit 1
fi
swift build --product starfleetd >/dev/null
swift build --product starfleetctl >/dev/null
exec "$python" scripts/e2e/starfleet_ships_test.py "$@"
