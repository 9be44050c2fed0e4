#!/usr/bin/env bash
# The SQS queue backend end to end (scripts/e2e/aws_sqs_test.py): worker queues on moto SQS with a RedrivePolicy,
# two daemons sharing FIFO queues, a consumer-only host, and SigV4 on the JSON protocol against ministack AUTH=true.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build --product starfleetd >/dev/null
swift build --product starfleetctl >/dev/null
python3 scripts/e2e/aws_sqs_test.py "$@"
