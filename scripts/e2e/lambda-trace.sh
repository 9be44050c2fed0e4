#!/usr/bin/env bash
# End-to-end tests of Lambda's context and trace ids and of hot reload (issue 22 §4–5): scripts/e2e/lambda_trace_test.py.
# Real daemon, real Python handlers on our runtime client and on AWS's awslambdaric (the same cached venv as
# runtime.sh), boto3's Lambda client against the Invoke API.
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
STARFLEET_RIC_PYTHON="$ric/bin/python3" python3 scripts/e2e/lambda_trace_test.py "$@"
