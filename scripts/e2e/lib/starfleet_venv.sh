#!/usr/bin/env bash
# A virtualenv with Starfleet 1.0.2 (gemini-oss/starfleet, Apache-2.0) and its pinned requirements, for running
# Starfleet's own worker ships under starfleetd's Python runtime in the end-to-end tests. Prints the venv's python.
#
#   python=$(scripts/e2e/lib/starfleet_venv.sh)    # exit 3: no Starfleet source here (the caller SKIPs, saying so)
#
# Source, first found: $STARFLEET_SOURCE, /work/shared/peers/starfleet-1.0.2, <repo>/../shared/peers/starfleet-1.0.2
# (CI clones the repo into another folder with shared/ beside it). Cached at
# ${STARFLEET_VENV:-$HOME/.cache/starfleetd-starfleet-venv}; rebuilt when the source's requirements change. The
# requirements come from PyPI exactly as Starfleet pins them (src/requirements.txt, via pyproject's dynamic
# dependencies); Starfleet itself is installed from the source tree (it is not on PyPI at this version).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
source_dir=""
for candidate in "${STARFLEET_SOURCE:-}" /work/shared/peers/starfleet-1.0.2 "$repo_root/../shared/peers/starfleet-1.0.2"; do
  if [ -n "$candidate" ] && [ -f "$candidate/pyproject.toml" ] && [ -d "$candidate/src/starfleet" ]; then
    source_dir="$(cd "$candidate" && pwd)"
    break
  fi
done
if [ -z "$source_dir" ]; then
  echo "starfleet_venv: no Starfleet source: set STARFLEET_SOURCE, or put starfleet-1.0.2 at /work/shared/peers/ or ../shared/peers/ beside the repo" >&2
  exit 3
fi

venv="${STARFLEET_VENV:-$HOME/.cache/starfleetd-starfleet-venv}"
python_bin="${STARFLEET_VENV_PYTHON:-python3}"
# The stamp names what the venv was built from: a different source or requirement pin rebuilds it.
stamp_want="$(cat "$source_dir/pyproject.toml" "$source_dir/src/requirements.txt" | sha256sum | cut -c1-16) $source_dir"
stamp="$venv/.starfleetd-stamp"

if [ -x "$venv/bin/python3" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$stamp_want" ] \
   && "$venv/bin/python3" -c 'import starfleet, boto3, marshmallow, cloudaux, slack_sdk' 2>/dev/null; then
  echo "$venv/bin/python3"
  exit 0
fi

lock="$venv.lock"
mkdir -p "$(dirname "$venv")"
exec 9>"$lock"
flock 9   # two tests building the same venv at once: the second waits, then finds it built
if [ -x "$venv/bin/python3" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$stamp_want" ]; then
  echo "$venv/bin/python3"
  exit 0
fi

# Starfleet 1.0.2 needs Python >= 3.11 (its generator imports datetime.UTC; upstream runs 3.12).
if ! "$python_bin" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "starfleet_venv: $python_bin is $("$python_bin" -V 2>&1); Starfleet needs Python >= 3.11 (set STARFLEET_VENV_PYTHON)" >&2
  exit 1
fi
start=$(date +%s)
echo "starfleet_venv: building $venv from $source_dir (pinned requirements from PyPI)..." >&2
rm -rf "$venv"
"$python_bin" -m venv "$venv" >&2
"$venv/bin/python3" -m pip install -q --upgrade pip setuptools wheel >&2
# A copy of the source: pip builds in place, and shared/ may be read-only (CI lays it without write bits).
build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT
cp -R "$source_dir/." "$build/"
rm -rf "$build/build" "$build/src/starfleet.egg-info"
"$venv/bin/python3" -m pip install -q -r "$build/src/requirements.txt" >&2
"$venv/bin/python3" -m pip install -q --no-deps "$build" >&2
"$venv/bin/python3" -m pip check >&2 || echo "starfleet_venv: pip check reports the conflicts above (Starfleet's own pins)" >&2
echo "$stamp_want" > "$stamp"
echo "starfleet_venv: built in $(( $(date +%s) - start )) s" >&2
echo "$venv/bin/python3"
