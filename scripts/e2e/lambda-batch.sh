#!/usr/bin/env bash
# End-to-end tests of Lambda's SQS trigger (scripts/e2e/lambda_batch_test.py): BatchSize, partial batch responses and
# FilterCriteria with handlers written with AWS Lambda Powertools, on the journal queue and moto's SQS.
# Makes (once, cached) a venv with PyPI's aws-lambda-powertools; moto[server] and boto3 come from scripts/install-deps.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build --product starfleetd >/dev/null
swift build --product starfleetctl >/dev/null
venv="${STARFLEET_POWERTOOLS_VENV:-$HOME/.cache/starfleetd-powertools}"
if [ ! -x "$venv/bin/python3" ] || ! "$venv/bin/python3" -c 'import aws_lambda_powertools' 2>/dev/null; then
  echo "installing: aws-lambda-powertools (pip, venv $venv)" >&2
  python3 -m venv "$venv" && "$venv/bin/pip" install -q aws-lambda-powertools
fi
python3 -c 'import boto3' 2>/dev/null || python3 -m pip install -q boto3
STARFLEET_POWERTOOLS_PYTHON="$venv/bin/python3" python3 scripts/e2e/lambda_batch_test.py "$@"
