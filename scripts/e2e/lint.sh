#!/usr/bin/env bash
# House habits, checked: the Swift sources are as `swift format` leaves them (`swift format lint --strict`, with the
# committed .swift-format), and commit subjects are at most 72 characters (since the last commit before this check;
# earlier ones are listed below and were not rewritten, being already merged).
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/lib/checks.bash"
check "swift format lint --strict (run: swift format format -i -r --parallel Sources Tests Package.swift)" \
  swift format lint --strict -r --parallel Sources Tests Package.swift
# Unit tests run on the manual clock (StarfleetTestSupport). The real one only where the peer is real: moto's SQS,
# a webhook server, a child process's exit on the fallback tick, the SQS router's clients. A new use elsewhere fails.
real_clock_allowed="Tests/StarfleetSQSQueueTests/SQSFaultTests.swift Tests/StarfleetSQSQueueTests/SQSQueueFixtures.swift
Tests/StarfleetProcessTests/ExitTickFallbackTests.swift Tests/StarfleetAppTests/AlertDispatcherTests.swift
Tests/StarfleetAppTests/QueueRouterTests.swift"
stray=$(grep -rl 'SystemWallClock' Tests --include='*.swift' | grep -v -x -F -f <(tr ' ' '\n' <<<"$real_clock_allowed") || true)
if [ -z "$stray" ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL: unit tests on the real clock (use ManualClock):"; echo "$stray"; fi
known_long="8fb44ebdba2c e5d951ef3717 96e61262fee8"
if git rev-parse -q --verify 3f99bf3 >/dev/null 2>&1; then
  long=$(git log --format='%h %s' --abbrev=12 3f99bf3..HEAD | awk 'length($0) > 13 + 72' | grep -v -F -f <(tr ' ' '\n' <<<"$known_long") || true)
  if [ -z "$long" ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL: commit subjects over 72 characters:"; echo "$long"; fi
else
  echo "note: shallow clone without the baseline commit; commit subjects not checked"
fi
report lint
