#!/usr/bin/env bash
# House habits, checked: the Swift sources are as `swift format` leaves them (`swift format lint --strict`, with the
# committed .swift-format), no target imports a layer it must not, starfleetctl links no HTTP server, and commit
# subjects are at most 72 characters (since the last commit before this check; earlier ones are listed below and were
# not rewritten, being already merged).
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
Tests/StarfleetProcessTests/ExitTickFallbackTests.swift Tests/StarfleetDaemonTests/AlertDispatcherTests.swift
Tests/StarfleetDaemonTests/QueueRouterTests.swift"
stray=$(grep -rl 'SystemWallClock' Tests --include='*.swift' | grep -v -x -F -f <(tr ' ' '\n' <<<"$real_clock_allowed") || true)
if [ -z "$stray" ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL: unit tests on the real clock (use ManualClock):"; echo "$stray"; fi
# The layers, held: a target that imports one it must not fails here (Package.swift lists what each may depend on;
# this is what each must never import, so that a dependency added there for convenience is still caught).
# Each rule: a target directory under Sources, then an extended regex of modules it must not import.
io_and_app='C[A-Za-z]*|Starfleet[A-Za-z]*|NIO[A-Za-z]*|Hummingbird[A-Za-z]*|HTTPTypes|ServiceLifecycle|UnixSignals'
application='StarfleetDaemon|StarfleetLambda|StarfleetConsole|StarfleetControl'
http_server='NIO[A-Za-z]*|Hummingbird[A-Za-z]*|HTTPTypes|StarfleetHTTP'
import_rules="StarfleetClock $io_and_app
StarfleetCore $io_and_app
StarfleetWorkerKit $http_server|$application|C[A-Za-z]*|Starfleet(Clock|Crypto|YAML|Files|Queue|RunHistory|Systemd|Process|WorkerAWS|Workers|Templates|Metrics|AWS|SQSQueue)
StarfleetWorkerAWS $http_server|$application|CCurl|CCurlShim
StarfleetYAML $http_server|$application
StarfleetFiles $http_server|$application
StarfleetQueue $http_server|$application|StarfleetAWS|StarfleetSQSQueue|StarfleetCore
StarfleetRunHistory $http_server|$application|StarfleetCore
StarfleetAWS $http_server|$application|StarfleetQueue|StarfleetCore
StarfleetSQSQueue $http_server|$application|StarfleetCore
StarfleetSystemd $http_server|$application
StarfleetProcess $http_server|$application
StarfleetTemplates $http_server|$application|StarfleetCore|StarfleetYAML
StarfleetMetrics $http_server|$application
StarfleetWorkers $http_server|$application
StarfleetHTTP $application
StarfleetDaemon $http_server|StarfleetLambda|StarfleetConsole|StarfleetControl
StarfleetLambda StarfleetConsole|StarfleetControl
StarfleetConsole StarfleetLambda|StarfleetControl
StarfleetControl $http_server|StarfleetLambda|StarfleetConsole
starfleetctl $http_server|StarfleetLambda|StarfleetConsole|ServiceLifecycle|UnixSignals"
# Each C module is imported by the one adapter that owns it.
c_owners="CYAML StarfleetYAML
CCurl StarfleetAWS
CCurlShim StarfleetAWS
COpenSSL StarfleetCrypto
CSystemd StarfleetSystemd
CSpawn StarfleetProcess
CSocketDiag StarfleetHTTP
CStarfleetQueueSupport StarfleetQueue"
# Every module a Swift file under Sources/$1 imports, as "file: Module" (imports are at the start of a line, so code
# inside a string literal, such as the Python a scaffold writes, is not read as one).
imports_of() {
  grep -rnE '^(@[A-Za-z_]+ +)*((public|package|internal|fileprivate|private) +)?import +' "Sources/$1" --include='*.swift' |
    sed -E 's/^([^:]+):[0-9]+:(@[A-Za-z_]+ +)*((public|package|internal|fileprivate|private) +)?import +((struct|class|enum|protocol|func|var|let|typealias) +)?([A-Za-z_0-9]+).*/\1: \7/'
}
bad_imports=""
while read -r target forbidden; do
  [ -d "Sources/$target" ] || { bad_imports+="Sources/$target: no such target (update the rules in lint.sh)"$'\n'; continue; }
  bad_imports+=$(imports_of "$target" | grep -E ": ($forbidden)\$" || true)
  bad_imports+=$'\n'
done <<<"$import_rules"
while read -r module owner; do
  bad_imports+=$(grep -rlE "^(@[A-Za-z_]+ +)*((public|package|internal) +)?import +$module\$" Sources --include='*.swift' |
    grep -v "^Sources/$owner/" | sed "s/\$/: $module (only $owner imports it)/" || true)
  bad_imports+=$'\n'
done <<<"$c_owners"
bad_imports=$(grep -v '^$' <<<"$bad_imports" || true)
if [ -z "$bad_imports" ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL: imports across the layers:"; echo "$bad_imports"; fi
# starfleetctl links no HTTP server: no NIO or Hummingbird symbol in the built binary (mangled names carry the module:
# 7NIOCore, 11Hummingbird). The same probe must find them in starfleetd, or it proves nothing.
http_symbols() { nm -a "$1" 2>/dev/null | grep -cE '[0-9](NIO[A-Za-z]*|Hummingbird[A-Za-z]*)[0-9A-Z_]' || true; }
if [ -x .build/debug/starfleetctl ] && [ -x .build/debug/starfleetd ]; then
  ctl_http=$(http_symbols .build/debug/starfleetctl); daemon_http=$(http_symbols .build/debug/starfleetd)
  if [ "$ctl_http" -eq 0 ] && [ "$daemon_http" -gt 0 ]; then pass=$((pass+1)); else
    fail=$((fail+1)); echo "FAIL: starfleetctl links NIO or Hummingbird ($ctl_http symbols; starfleetd has $daemon_http)"
  fi
else
  fail=$((fail+1)); echo "FAIL: build first (swift build): .build/debug/starfleetctl and starfleetd are checked for NIO symbols"
fi
known_long="8fb44ebdba2c e5d951ef3717 96e61262fee8"
if git rev-parse -q --verify 3f99bf3 >/dev/null 2>&1; then
  long=$(git log --format='%h %s' --abbrev=12 3f99bf3..HEAD | awk 'length($0) > 13 + 72' | grep -v -F -f <(tr ' ' '\n' <<<"$known_long") || true)
  if [ -z "$long" ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL: commit subjects over 72 characters:"; echo "$long"; fi
else
  echo "note: shallow clone without the baseline commit; commit subjects not checked"
fi
report lint
