#!/usr/bin/env bash
# The worker runtime clients and SDKs (runtimes/python, runtimes/node) against a stand-in for starfleetd's Runtime
# API and Invoke API (scripts/e2e/runtime_clients_test.py): no swift build needed, python3 >= 3.8 and node >= 18.
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 scripts/e2e/runtime_clients_test.py "$@"
