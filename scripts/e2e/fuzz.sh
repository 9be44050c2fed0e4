#!/usr/bin/env bash
# Fuzzing: builds starfleet-fuzz with libFuzzer and AddressSanitizer in its own build folder (.build-fuzz, so the
# normal build never links libFuzzer) and runs every target for FUZZ_SECONDS (default 60) from the seed corpus in
# Tests/FuzzCorpus/<target>. A target passes when libFuzzer exits 0 (no crash, leak, timeout or out-of-memory).
# Crashing inputs are kept in .build-fuzz/crashes/<target>/ and printed (base64) so they can become regression tests.
# Before any timed run, every committed corpus file of every target is replayed once ("fuzz replay <target>"), so an
# input that once crashed fails every run, not only the runs whose exploration happens to reach it again.
# FUZZ_TARGETS="schedule journal" limits the targets. Without libFuzzer it falls back to the random-mutation mode.
set -uo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source scripts/e2e/lib/checks.bash
seconds=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-"yaml-config template account-index schedule journal"}

if swift build -c debug --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -DSTARFLEET_FUZZ \
     --product starfleet-fuzz >"$tmp/build.log" 2>&1; then
  fuzz=(.build-fuzz/debug/starfleet-fuzz)
  mode=libfuzzer
else
  echo "the libFuzzer build failed; falling back to the random-mutation fuzzer in the normal build:"
  tail -20 "$tmp/build.log"
  swift build --product starfleet-fuzz >/dev/null || exit 1
  fuzz=(.build/debug/starfleet-fuzz)
  mode=mutate
fi

replay_target() { # target: each committed corpus file once, in name order, no mutation
  local target=$1 log="$tmp/replay-$1.log" files=()
  for f in "Tests/FuzzCorpus/$target"/*; do [ -f "$f" ] && files+=("$f"); done
  if [ "${#files[@]}" -eq 0 ]; then echo "no committed corpus in Tests/FuzzCorpus/$target"; return 1; fi
  if [ "$mode" = libfuzzer ]; then
    # Files (not folders) as arguments: libFuzzer runs each once and exits, non-zero on a crash or a timeout.
    # The artifact it would write for a crash goes to scratch: the input is already committed.
    ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 \
      "${fuzz[0]}" "$target" -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$tmp/replay-$target-" "${files[@]}" \
      >"$log" 2>&1
  else
    # The replay mode has no per-input timeout of its own: a hang fails the check instead of stalling CI.
    timeout 300 "${fuzz[0]}" replay "$target" "${files[@]}" >"$log" 2>&1
  fi
  local status=$? ran
  ran=$(grep -cE "^(Executed|replay) " "$log")
  echo "  $target: replayed $ran of ${#files[@]} committed inputs"
  if [ "$status" -ne 0 ] || [ "$ran" -ne "${#files[@]}" ]; then
    tail -40 "$log"
    # The input each mode announces before running it: the last one announced is the one that failed.
    grep -E "^(Running: |replay )" "$log" | tail -1 | sed -E "s/^(Running: |replay $target )/  failing input: /"
    return 1
  fi
}

run_target() { # target
  local target=$1 work="$tmp/$1" crashes=".build-fuzz/crashes/$1"
  mkdir -p "$work/corpus" "$crashes"
  (cd "$work" && if [ "$mode" = libfuzzer ]; then
     # Corpus: new inputs go to the scratch folder; the committed seeds are read only.
     # detect_leaks=0: Swift's runtime keeps metadata caches LeakSanitizer would report on every run.
     ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 \
       "$OLDPWD/${fuzz[0]}" "$target" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
       -print_final_stats=1 -artifact_prefix="$OLDPWD/$crashes/" corpus "$OLDPWD/Tests/FuzzCorpus/$target"
   else
     "$OLDPWD/${fuzz[0]}" mutate "$target" "$seconds" "$OLDPWD/Tests/FuzzCorpus/$target"
   fi) >"$work/log" 2>&1
  local status=$?
  grep -E "^(Done|stat::number_of_executed_units|stat::peak_rss_mb|mutate )" "$work/log" | sed "s/^/  $target: /"
  if [ "$status" -ne 0 ]; then
    tail -40 "$work/log"
    for f in "$crashes"/*; do [ -f "$f" ] && { echo "  crashing input $f (base64):"; base64 -w0 "$f"; echo; }; done
  fi
  return "$status"
}

failed_replays=" "
for target in $targets; do
  echo "== fuzz replay $target ($mode, committed corpus)"
  before=$fail
  check "fuzz replay $target" replay_target "$target"
  if [ "$fail" -eq "$before" ]; then cat "$tmp/out"; else failed_replays+="$target "; fi
done
for target in $targets; do
  # A target whose committed corpus crashes has failed already; its exploration would only crash on it again.
  case "$failed_replays" in *" $target "*) echo "== fuzz $target: not explored (its replay failed)"; continue ;; esac
  echo "== fuzz $target ($mode, ${seconds}s)"
  check "fuzz $target" run_target "$target" && cat "$tmp/out"
done
report fuzz
