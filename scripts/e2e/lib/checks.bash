# Shared by the e2e scripts: pass/fail counters and assertion helpers. Needs $tmp (a scratch directory).
# Every script ends with `report NAME`, which prints "NAME: N passed, N failed" and sets the exit status.
pass=0; fail=0
check() { # name, command…  (expects success)
  local name=$1; shift
  if "$@" >"$tmp/out" 2>"$tmp/err"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL: $name"; cat "$tmp/out" "$tmp/err"; fi
}
expect_status() { # name, status, command…  (output kept in $tmp/last.out and $tmp/last.err)
  local name=$1 want=$2; shift 2
  set +e; "$@" >"$tmp/out" 2>"$tmp/err"; local got=$?; set -e
  cp "$tmp/out" "$tmp/last.out"; cp "$tmp/err" "$tmp/last.err"
  if [ "$got" -eq "$want" ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL: $name: exit $got, expected $want"; cat "$tmp/out" "$tmp/err"; fi
}
report() { # name
  echo "$1: $pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}
