#!/usr/bin/env bash
# Unit tests of the worker runtime clients and SDKs, beside their contract test (runtime-clients.sh): Python's
# unittest (runtimes/python/tests) and node's node:test (runtimes/node/test/*.test.js). No swift build needed:
# python3 >= 3.8 and node >= 18; the stand-in servers are in-process, on 127.0.0.1. Ends with one line,
# "runtime-units: N passed, M failed", both languages summed; exits non-zero when any test failed.
set -uo pipefail
cd "$(dirname "$0")/../.."
export PYTHONDONTWRITEBYTECODE=1
log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== python: runtimes/python/tests"
(cd runtimes/python && timeout 300 python3 - <<'PY'
import sys, unittest
suite = unittest.defaultTestLoader.discover("tests", top_level_dir=".")
result = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
print("python tests: passed=%d failed=%d" % (result.testsRun - failed - len(result.skipped), failed))
sys.exit(0 if result.wasSuccessful() else 1)
PY
) 2>&1 | tee "$log"
py_status=${PIPESTATUS[0]}
py_passed=$(sed -n 's/^python tests: passed=\([0-9]*\) failed=\([0-9]*\)$/\1/p' "$log" | tail -1)
py_failed=$(sed -n 's/^python tests: passed=\([0-9]*\) failed=\([0-9]*\)$/\2/p' "$log" | tail -1)

echo "== node: runtimes/node/test"
timeout 300 node --test --test-reporter=tap runtimes/node/test/*.test.js 2>&1 | tee "$log"
node_status=${PIPESTATUS[0]}
node_passed=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$log" | tail -1)
node_failed=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$log" | tail -1)
node_cancelled=$(sed -n 's/^# cancelled \([0-9]*\)$/\1/p' "$log" | tail -1)

passed=$(( ${py_passed:-0} + ${node_passed:-0} ))
failed=$(( ${py_failed:-0} + ${node_failed:-0} + ${node_cancelled:-0} ))
# A suite that died before counting (a crash, the timeout) is one failure.
if [ "$py_status" -ne 0 ] && [ "${py_failed:-0}" -eq 0 ]; then failed=$((failed + 1)); echo "python tests exited $py_status"; fi
if [ "$node_status" -ne 0 ] && [ "${node_failed:-0}" -eq 0 ] && [ "${node_cancelled:-0}" -eq 0 ]; then
  failed=$((failed + 1)); echo "node tests exited $node_status"
fi
echo "runtime-units: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
