#!/usr/bin/env bash
# End-to-end tests of Lambda's context and trace ids and of hot reload (issue 22 §4–5): scripts/e2e/lambda_trace_test.py.
# Real daemon, real Python handlers on our runtime client, boto3's Lambda client against the Invoke API.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build --product starfleetd >/dev/null
swift build --product starfleetctl >/dev/null
python3 -c 'import boto3' 2>/dev/null || python3 -m pip install -q boto3
python3 scripts/e2e/lambda_trace_test.py "$@"
