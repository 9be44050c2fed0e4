#!/usr/bin/env bash
# Real sd_journal_sendv round trip: JournalRoundTripTests binds a fake journald socket at
# /run/systemd/journal/socket inside a private mount namespace (tmpfs over /run/systemd), so the host's
# journal is never touched. Needs root and unshare; skipped otherwise. Expects the tests to be built.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null; then
  echo "skip: needs root and unshare -m"
  exit 0
fi
unshare -m --propagation private sh -c '
  mkdir -p /run/systemd && mount -t tmpfs tmpfs /run/systemd && mkdir /run/systemd/journal &&
  STARFLEET_FAKE_JOURNAL=1 exec swift test --skip-build --filter JournalRoundTripTests'
