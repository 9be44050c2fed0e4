#!/usr/bin/env bash
# End-to-end: AccountIndexGeneratorShip through `starfleetctl invoke` and starfleetd against a moto Organizations org with
# nested OUs, tags and a suspended account (scripts/e2e/aws_org_test.py; moto_server from scripts/install-deps).
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build --product starfleetd >/dev/null
swift build --product starfleetctl >/dev/null
python3 scripts/e2e/aws_org_test.py "$@"
