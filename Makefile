# starfleetd: build and install.
#   make                      release binaries, Swift runtime linked in (--static-swift-stdlib)
#   sudo make install         into PREFIX (default /usr/local); DESTDIR for staging (scripts/build-deb uses it)
#   sudo make uninstall       removes what install put there; keeps /etc/starfleetd and the state directory
# The binaries then need only Debian's libcurl4, libyaml-0-2, libssl3 and libsystemd0 — nothing from the toolchain.

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
DATADIR    ?= $(PREFIX)/share
MANDIR     ?= $(DATADIR)/man
DOCDIR     ?= $(DATADIR)/doc/starfleetd
SYSCONFDIR ?= /etc
# systemd reads units from /usr/local/lib/systemd/system too, so a /usr/local install needs no /etc edits.
UNITDIR    ?= $(PREFIX)/lib/systemd/system
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
ZSHCOMPDIR  ?= $(DATADIR)/zsh/site-functions
# The Python and node runtime clients and SDKs (the daemon finds them beside its binary: ../lib/starfleetd/runtimes).
RUNTIMESDIR ?= $(PREFIX)/lib/starfleetd/runtimes
# Where Debian's python3 and node find them too (a .pth file; node's $PREFIX/lib/node), for code run outside the daemon.
PYTHONDIR  ?= $(PREFIX)/lib/python3/dist-packages
NODEDIR    ?= $(PREFIX)/lib/node

SWIFT      ?= swift
# Empty SWIFTFLAGS gives the debug build (what scripts/e2e/deb.sh packages, to keep the test fast).
SWIFTFLAGS ?= -c release --static-swift-stdlib
# Where swift build puts the binaries (read from SWIFTFLAGS without asking SwiftPM, which would wait on a running build).
BUILT      ?= .build/$(if $(findstring release,$(SWIFTFLAGS)),release,debug)
DIST       := .build/dist

INSTALL ?= install

.PHONY: all build dist install uninstall clean-dist

all: build

build:
	$(SWIFT) build $(SWIFTFLAGS) --product starfleetd
	$(SWIFT) build $(SWIFTFLAGS) --product starfleetctl

# Generated from the binaries themselves: man pages from --help, completions from swift-argument-parser.
dist: build
	mkdir -p $(DIST)
	scripts/gen-man $(BUILT)/starfleetd 8 > $(DIST)/starfleetd.8
	scripts/gen-man $(BUILT)/starfleetctl 8 > $(DIST)/starfleetctl.8
	$(BUILT)/starfleetctl --generate-completion-script bash > $(DIST)/starfleetctl.bash
	$(BUILT)/starfleetctl --generate-completion-script zsh > $(DIST)/_starfleetctl
	$(BUILT)/starfleetd --generate-completion-script bash > $(DIST)/starfleetd.bash
	$(BUILT)/starfleetd --generate-completion-script zsh > $(DIST)/_starfleetd
	sed 's|^ExecStart=/usr/bin/starfleetd |ExecStart=$(BINDIR)/starfleetd |; s|/usr/share/doc/starfleetd/|$(DOCDIR)/|' \
		systemd/starfleetd.service > $(DIST)/starfleetd.service

install: dist
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(DOCDIR) \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	$(INSTALL) -m 0755 $(BUILT)/starfleetd $(BUILT)/starfleetctl $(DESTDIR)$(BINDIR)/
	$(INSTALL) -m 0644 $(DIST)/starfleetd.service $(DESTDIR)$(UNITDIR)/starfleetd.service
	$(INSTALL) -m 0644 $(DIST)/starfleetd.8 $(DIST)/starfleetctl.8 $(DESTDIR)$(MANDIR)/man8/
	$(INSTALL) -m 0644 $(DIST)/starfleetctl.bash $(DESTDIR)$(BASHCOMPDIR)/starfleetctl
	$(INSTALL) -m 0644 $(DIST)/starfleetd.bash $(DESTDIR)$(BASHCOMPDIR)/starfleetd
	$(INSTALL) -m 0644 $(DIST)/_starfleetctl $(DIST)/_starfleetd $(DESTDIR)$(ZSHCOMPDIR)/
	$(INSTALL) -d $(DESTDIR)$(RUNTIMESDIR)/python/starfleet_worker $(DESTDIR)$(RUNTIMESDIR)/node $(DESTDIR)$(PYTHONDIR) \
		$(DESTDIR)$(NODEDIR)/starfleet-worker
	$(INSTALL) -m 0644 runtimes/python/starfleet_worker/*.py $(DESTDIR)$(RUNTIMESDIR)/python/starfleet_worker/
	$(INSTALL) -m 0644 runtimes/node/*.js runtimes/node/*.d.ts runtimes/node/package.json $(DESTDIR)$(RUNTIMESDIR)/node/
	echo "$(RUNTIMESDIR)/python" > $(DESTDIR)$(PYTHONDIR)/starfleet_worker.pth
	echo 'module.exports = require("$(RUNTIMESDIR)/node/worker.js");' > $(DESTDIR)$(NODEDIR)/starfleet-worker/index.js
	$(INSTALL) -m 0644 README.md docs/operations.md docs/configuration.md docs/workers.md docs/queue-format.md docs/run-history-format.md docs/multi-host.md $(DESTDIR)$(DOCDIR)/
	# The monitoring conventions (docs/operations.md, "Monitoring"): Prometheus alert rules and a Grafana dashboard.
	$(INSTALL) -d $(DESTDIR)$(DOCDIR)/monitoring
	$(INSTALL) -m 0644 etc/prometheus/starfleetd-rules.yml etc/prometheus/starfleetd-rules.test.yml etc/grafana/starfleetd-dashboard.json $(DESTDIR)$(DOCDIR)/monitoring/
	# The example configuration, only where there is none: an operator's /etc/starfleetd is never overwritten.
	if [ -e $(DESTDIR)$(SYSCONFDIR)/starfleetd/starfleetd.yaml ]; then \
		echo "keeping the existing $(DESTDIR)$(SYSCONFDIR)/starfleetd"; \
	else \
		$(INSTALL) -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/starfleetd/workers; \
		$(INSTALL) -m 0644 etc/starfleetd/starfleetd.yaml etc/starfleetd/accountIndex.json $(DESTDIR)$(SYSCONFDIR)/starfleetd/; \
		find etc/starfleetd/workers -maxdepth 1 -type f -exec $(INSTALL) -m 0755 {} $(DESTDIR)$(SYSCONFDIR)/starfleetd/workers/ \; ; \
		(cd etc/starfleetd && find workers -mindepth 2 -type f) | while read -r f; do \
			$(INSTALL) -D -m 0644 etc/starfleetd/$$f $(DESTDIR)$(SYSCONFDIR)/starfleetd/$$f; done; \
		(cd etc/starfleetd && find templates -type f) | while read -r f; do \
			$(INSTALL) -D -m 0644 etc/starfleetd/$$f $(DESTDIR)$(SYSCONFDIR)/starfleetd/$$f; done; \
	fi
	@echo "installed; next: systemctl daemon-reload && systemctl enable --now starfleetd (after editing $(SYSCONFDIR)/starfleetd)"

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/starfleetd $(DESTDIR)$(BINDIR)/starfleetctl $(DESTDIR)$(UNITDIR)/starfleetd.service \
		$(DESTDIR)$(MANDIR)/man8/starfleetd.8 $(DESTDIR)$(MANDIR)/man8/starfleetctl.8 \
		$(DESTDIR)$(BASHCOMPDIR)/starfleetctl $(DESTDIR)$(BASHCOMPDIR)/starfleetd \
		$(DESTDIR)$(ZSHCOMPDIR)/_starfleetctl $(DESTDIR)$(ZSHCOMPDIR)/_starfleetd
	rm -rf $(DESTDIR)$(DOCDIR) $(DESTDIR)$(RUNTIMESDIR) $(DESTDIR)$(NODEDIR)/starfleet-worker
	rm -f $(DESTDIR)$(PYTHONDIR)/starfleet_worker.pth
	@echo "kept $(SYSCONFDIR)/starfleetd and /var/lib/starfleetd (remove them by hand if you mean to)"

clean-dist:
	rm -rf $(DIST)
