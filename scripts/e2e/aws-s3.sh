#!/usr/bin/env bash
# End-to-end: the template bucket poller and the account index in S3 against moto_server, and the same S3 list/get
# path against ministack with AUTH=true and an IAM-made key (scripts/e2e/aws_s3_test.py). Peers come from
# scripts/install-deps; each test starts its own on a free 127.0.0.1 port and stops it.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build --product starfleetd >/dev/null
swift build --product starfleetctl >/dev/null
python3 scripts/e2e/aws_s3_test.py "$@"
