#!/usr/bin/env bash
# starfleetd against another local user (issue 20): the built daemon runs as one uid, every attack as another
# (scripts/e2e/security_test.py). Needs root, useradd and setpriv; without them it prints SKIPPED.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build --product starfleetd >/dev/null
swift build --product starfleetctl >/dev/null
python3 scripts/e2e/security_test.py "$@"
