#!/usr/bin/env bash
# The web console on a Unix socket behind nginx with basic auth, as docs/operations.md sets it up
# (scripts/e2e/console_proxy_test.py): a private nginx on a free port, never the system's.
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/install-deps nginx-light >&2
swift build --product starfleetd >/dev/null
python3 scripts/e2e/console_proxy_test.py "$@"
