#!/usr/bin/env bash
# End-to-end tests of warm workers on the Lambda Runtime API and the Invoke API (scripts/e2e/runtime_test.py).
# Makes (once, cached) a venv with AWS's awslambdaric for the `Runtime: provided` test; boto3 comes from the
# machine's Python (scripts/install-deps).
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build --product starfleetd >/dev/null
swift build --product starfleetctl >/dev/null
ric="${STARFLEET_RIC_VENV:-$HOME/.cache/starfleetd-awslambdaric}"
if [ ! -x "$ric/bin/python3" ] || ! "$ric/bin/python3" -c 'import awslambdaric' 2>/dev/null; then
  echo "installing: awslambdaric (pip, venv $ric)" >&2
  python3 -m venv "$ric" && "$ric/bin/pip" install -q awslambdaric
fi
python3 -c 'import boto3' 2>/dev/null || python3 -m pip install -q boto3
command -v node >/dev/null || { echo "node is needed for the nodejs runtime test" >&2; exit 1; }
STARFLEET_RIC_PYTHON="$ric/bin/python3" python3 scripts/e2e/runtime_test.py "$@"
