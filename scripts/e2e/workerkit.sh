#!/usr/bin/env bash
# A Swift worker built as a worker author builds one, against the StarfleetWorkerKit library product alone
# (Tests/WorkerKitPackage): it builds, runs, and libcurl is neither on its link line nor among its libraries.
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/lib/checks.bash"
scratch=${WORKERKIT_SCRATCH:-.build-workerkit}
if swift build --package-path Tests/WorkerKitPackage --scratch-path "$scratch" -v >"$tmp/build.log" 2>&1; then
  pass=$((pass+1))
else
  fail=$((fail+1)); echo "FAIL: the worker package does not build"; tail -30 "$tmp/build.log"
fi
binary="$scratch/debug/GreeterWorker"
link=$(grep -E 'ld(\.gold)?" .* -o [^ ]*/GreeterWorker ' "$tmp/build.log" || true)
if [ -n "$link" ] && ! grep -q -- '-lcurl' <<<"$link" && ! grep -qi 'curl\|StarfleetAWS' <<<"$link"; then
  pass=$((pass+1))
else
  fail=$((fail+1)); echo "FAIL: the worker's link line names libcurl or the AWS layer (or was not found)"; echo "$link" | head -c 2000
fi
if [ -x "$binary" ] && ! ldd "$binary" | grep -q curl; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL: the worker links libcurl"; ldd "$binary" || true; fi
check "the worker runs a payload and invokes another worker" sh -c "'$binary' 2>/dev/null | grep -qx '{\"greeting\": \"hello 111122223333 from Audit\", \"commit\": false}'"
check "a payload that does not decode fails the attempt" sh -c "'$binary' 2>/dev/null | grep -q '^rejected: the payload does not decode as Payload'"
report workerkit
