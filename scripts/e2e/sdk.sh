#!/usr/bin/env bash
# End-to-end tests of the worker SDKs, Bedrock's layout and `starfleetctl worker build` (scripts/e2e/sdk_test.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build --product starfleetd >/dev/null
swift build --product starfleetctl >/dev/null
command -v node >/dev/null || { echo "node is needed for the JavaScript SDK test" >&2; exit 1; }
python3 scripts/e2e/sdk_test.py "$@"
