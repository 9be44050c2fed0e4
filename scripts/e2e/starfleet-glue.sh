#!/usr/bin/env bash
# Starfleet's own worker ships (1.0.2, unchanged) under starfleetd's Python runtime client and glue
# (runtimes/python/starfleet_worker/starfleet_glue.py), driven by a stand-in Runtime API against moto_server:
# scripts/e2e/starfleet_ships_glue_test.py. No swift build. The only skip: no Starfleet source on this machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
rc=0
python="$(scripts/e2e/lib/starfleet_venv.sh)" || rc=$?
if [ "$rc" -eq 3 ]; then
  echo "SKIP: Starfleet's source (shared/peers/starfleet-1.0.2, or \$STARFLEET_SOURCE) is not on this machine, so Starfleet's ships cannot run"
  echo "starfleet-glue: 0 passed, 0 failed, 1 skipped"
  exit 0
elif [ "$rc" -ne 0 ]; then
  echo "cannot build the Starfleet virtualenv (scripts/e2e/lib/starfleet_venv.sh exited $rc)" >&2
  echo "starfleet-glue: 0 passed, 1 failed"
  exit 1
fi
exec "$python" scripts/e2e/starfleet_ships_glue_test.py "$@"
