#!/usr/bin/env bash
# End-to-end tests of Lambda's asynchronous invocation (retries, event age, destinations) and of Lambda's own errors
# on the Invoke API (429 at Concurrency, the timeout, a response over 6 MB): scripts/e2e/lambda_async_test.py, with
# boto3 against the Invoke API and moto_server as the SQS destination.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build --product starfleetd >/dev/null
swift build --product starfleetctl >/dev/null
python3 -c 'import boto3' 2>/dev/null || python3 -m pip install -q boto3
command -v moto_server >/dev/null || { echo "moto_server is needed (scripts/install-deps installs moto[server])" >&2; exit 1; }
python3 scripts/e2e/lambda_async_test.py "$@"
