#!/usr/bin/env bash
# The web console in a real browser (scripts/e2e/console_test.py): the built daemon with STARFLEET.ConsoleAddress,
# headless Chromium driven by Selenium through Debian's chromedriver.
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/install-deps chromium chromium-driver >&2
python3 -c 'import selenium' 2>/dev/null || python3 -m pip install -q selenium >&2
swift build --product starfleetd >/dev/null
python3 scripts/e2e/console_test.py "$@"
