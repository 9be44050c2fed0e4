#!/usr/bin/env bash
# The install surface: `make install`/`uninstall` into a staging DESTDIR, then scripts/build-deb and the .deb itself —
# contents, control fields, conffiles, maintainer scripts, man pages that render — and an install and purge with
# `dpkg --root` into a throwaway root (maintainer scripts run chrootless with DPKG_ROOT set, so they skip systemctl).
# The package is built from the debug binaries here (a release build takes minutes on 2 cores); scripts/build-deb
# without --debug builds the release one that ships.
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source scripts/e2e/lib/checks.bash
swift build --product starfleetd >/dev/null
swift build --product starfleetctl >/dev/null

# --- make install / uninstall (PREFIX=/usr/local into a staging root) -------------------------------------------
dest="$tmp/dest"
expect_status "make install" 0 make --no-print-directory install DESTDIR="$dest" SWIFTFLAGS=
for f in usr/local/bin/starfleetd usr/local/bin/starfleetctl usr/local/lib/systemd/system/starfleetd.service \
         usr/local/share/man/man8/starfleetd.8 usr/local/share/man/man8/starfleetctl.8 \
         usr/local/share/bash-completion/completions/starfleetctl usr/local/share/zsh/site-functions/_starfleetctl \
         usr/local/share/doc/starfleetd/configuration.md etc/starfleetd/starfleetd.yaml etc/starfleetd/workers/audit.py \
         usr/local/lib/starfleetd/runtimes/python/starfleet_worker/runtime.py usr/local/lib/starfleetd/runtimes/node/worker.js \
         usr/local/lib/starfleetd/runtimes/node/starfleet-runtime.js usr/local/lib/python3/dist-packages/starfleet_worker.pth \
         usr/local/lib/node/starfleet-worker/index.js; do
  check "make install: $f" test -e "$dest/$f"
done
check "the installed SDK imports through its .pth" env PYTHONPATH="$(cat "$dest/usr/local/lib/python3/dist-packages/starfleet_worker.pth" | sed "s|^|$dest|")" \
  python3 -c 'import starfleet_worker, starfleet_worker.runtime; assert hasattr(starfleet_worker, "Worker")' 
check "unit ExecStart follows PREFIX" grep -qx 'ExecStart=/usr/local/bin/starfleetd --config /etc/starfleetd' \
  "$dest/usr/local/lib/systemd/system/starfleetd.service"
check "the installed example configuration validates" "$dest/usr/local/bin/starfleetctl" validate --config "$dest/etc/starfleetd" \
  --state-dir "$tmp/state"
echo "# edited" >> "$dest/etc/starfleetd/starfleetd.yaml"
expect_status "make install again" 0 make --no-print-directory install DESTDIR="$dest" SWIFTFLAGS=
check "an existing /etc/starfleetd is kept" grep -qx '# edited' "$dest/etc/starfleetd/starfleetd.yaml"
check "bash completion parses" bash -n "$dest/usr/local/share/bash-completion/completions/starfleetctl"
expect_status "make uninstall" 0 make --no-print-directory uninstall DESTDIR="$dest"
check "uninstall removes the binaries" test ! -e "$dest/usr/local/bin/starfleetd"
check "uninstall removes the unit and docs" test ! -e "$dest/usr/local/lib/systemd/system/starfleetd.service" -a ! -e "$dest/usr/local/share/doc/starfleetd"
check "uninstall keeps the configuration" test -e "$dest/etc/starfleetd/starfleetd.yaml"

# --- the .deb ---------------------------------------------------------------------------------------------------
expect_status "build-deb --debug" 0 scripts/build-deb --debug --out "$tmp/deb"
deb=$(tail -1 "$tmp/last.out")
version=$(.build/debug/starfleetd --version)
check "named starfleetd_<version>_amd64.deb" test "$deb" = "$tmp/deb/starfleetd_${version}_amd64.deb" -a -f "$deb"
dpkg-deb --info "$deb" > "$tmp/info"
dpkg-deb --contents "$deb" > "$tmp/contents"
check "control: package and version" grep -q "^ Version: $version$" "$tmp/info"
for lib in libcurl4 libyaml-0-2 libssl3 libsystemd0; do check "Depends: $lib" grep -Eq "^ Depends:.*\\b$lib\\b" "$tmp/info"; done
for f in ./usr/bin/starfleetd ./usr/bin/starfleetctl ./usr/lib/systemd/system/starfleetd.service ./etc/starfleetd/starfleetd.yaml \
         ./etc/starfleetd/accountIndex.json ./usr/share/man/man8/starfleetd.8.gz ./usr/share/man/man8/starfleetctl.8.gz \
         ./usr/share/bash-completion/completions/starfleetctl ./usr/share/bash-completion/completions/starfleetd \
         ./usr/share/zsh/site-functions/_starfleetctl ./usr/share/doc/starfleetd/operations.md \
         ./usr/share/doc/starfleetd/configuration.md ./usr/share/doc/starfleetd/workers.md ./usr/share/doc/starfleetd/copyright \
         ./usr/lib/starfleetd/runtimes/python/starfleet_worker/__init__.py ./usr/lib/starfleetd/runtimes/node/worker.js \
         ./usr/lib/python3/dist-packages/starfleet_worker.pth ./usr/lib/node/starfleet-worker/index.js; do
  check "contains $f" grep -q " $f\$" "$tmp/contents"
done
check "every file is root:root" bash -c "! awk '{print \$2}' '$tmp/contents' | grep -v '^root/root$'"
check "nothing under /usr/local" bash -c "! grep -q ' ./usr/local' '$tmp/contents'"
mkdir "$tmp/ctl"
dpkg-deb --ctrl-tarfile "$deb" | tar -x -C "$tmp/ctl"
check "conffiles: the configuration" grep -qx /etc/starfleetd/starfleetd.yaml "$tmp/ctl/conffiles"
check "conffiles: only /etc" bash -c "! grep -v '^/etc/starfleetd/' '$tmp/ctl/conffiles'"
for s in postinst prerm postrm; do
  check "$s is an executable sh script" bash -c "test -x '$tmp/ctl/$s' && sh -n '$tmp/ctl/$s'"
done
check "postinst enables, does not start" bash -c "grep -q 'enable starfleetd.service' '$tmp/ctl/postinst' && ! grep -Ev '^ *(echo|#)' '$tmp/ctl/postinst' | grep -Eq 'systemctl[^#]* start '"
check "postrm purge removes both state paths" bash -c "grep -q '/var/lib/private/starfleetd' '$tmp/ctl/postrm'"
mkdir "$tmp/x"
dpkg-deb -x "$deb" "$tmp/x"
check "packaged unit runs /usr/bin/starfleetd" grep -qx 'ExecStart=/usr/bin/starfleetd --config /etc/starfleetd' "$tmp/x/usr/lib/systemd/system/starfleetd.service"
for page in starfleetd starfleetctl; do
  gunzip -c "$tmp/x/usr/share/man/man8/$page.8.gz" > "$tmp/$page.8"
  check "man -l $page renders" bash -c "MANWIDTH=100 man -l '$tmp/$page.8' 2>/dev/null | grep -q '^NAME'"
  check "groff finds nothing to warn about in $page.8" bash -c "out=\$(groff -man -Tutf8 -ww -z '$tmp/$page.8' 2>&1); test -z \"\$out\" || { echo \"\$out\"; false; }"
done
check "starfleetctl(8) documents every subcommand" bash -c "for c in validate plan trigger invoke status 'queue stats' 'dlq redrive' 'new worker'; do grep -q \"starfleetctl \$c\" '$tmp/starfleetctl.8' || { echo \"missing \$c\"; exit 1; }; done"
if command -v lintian >/dev/null; then
  check "lintian: no errors" bash -c "! timeout 120 lintian --no-tag-display-limit '$deb' | grep '^E:'"
fi

# --- dpkg --root: install, conffiles registered, purge removes the state ----------------------------------------
root="$tmp/root"
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/triggers"
touch "$root/var/lib/dpkg/status" "$root/var/lib/dpkg/available"
dpkg_root() { dpkg --root="$root" --force-script-chrootless --force-depends --log=/dev/null "$@"; }
expect_status "dpkg --root -i" 0 dpkg_root -i "$deb"
check "installed: status" bash -c "dpkg --root='$root' -s starfleetd | grep -qx 'Status: install ok installed'"
check "installed: conffiles registered" bash -c "dpkg --root='$root' -s starfleetd | grep -q '^ /etc/starfleetd/starfleetd.yaml [0-9a-f]'"
check "installed: files in place" test -x "$root/usr/bin/starfleetd" -a -f "$root/usr/lib/systemd/system/starfleetd.service"
check "postinst said what to do next" grep -q "enabled, not started" "$tmp/last.out"
mkdir -p "$root/var/lib/private/starfleetd/queues" && ln -s private/starfleetd "$root/var/lib/starfleetd"
expect_status "dpkg --root -r" 0 dpkg_root -r starfleetd
check "remove keeps the configuration and the state" test -e "$root/etc/starfleetd/starfleetd.yaml" -a -d "$root/var/lib/private/starfleetd"
check "remove deletes the binaries" test ! -e "$root/usr/bin/starfleetd"
expect_status "dpkg --root --purge" 0 dpkg_root --purge starfleetd
check "purge deletes the state directory" test ! -e "$root/var/lib/private/starfleetd" -a ! -L "$root/var/lib/starfleetd"
check "purge deletes the configuration" test ! -e "$root/etc/starfleetd/starfleetd.yaml"
report deb
