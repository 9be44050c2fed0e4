#!/bin/sh
# Example process worker: appends one line per payload to payloads.log in its working directory
# (<state>/workers/<Worker>/) and prints a JSON result. The payload JSON is on stdin.
set -eu
payload=$(cat)
printf '%s %s account=%s region=%s commit=%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$STARFLEET_WORKER" \
  "${STARFLEET_ACCOUNT_ID:--}" "${STARFLEET_REGION:--}" "$STARFLEET_COMMIT" "$payload" >> payloads.log
printf '{"ok": true, "message_id": "%s"}\n' "$STARFLEET_MESSAGE_ID"
