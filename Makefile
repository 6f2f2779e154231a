# Haven's two entry points: `make run` and `make test`. Both install what is missing on a Debian machine.
SHELL := /bin/bash
SWIFT ?= swift
CONFIG ?= release
BIN := .build/$(CONFIG)/haven
# `make run`: the vault's data and the agent's state under the checkout, both served on loopback.
RUN_DATA := .run/vault
RUN_LISTEN := 127.0.0.1:8441
RUN_AGENT_STATE := .run/agent
RUN_AGENT_LISTEN := 127.0.0.1:8442
APT_PACKAGES := libmicrohttpd-dev libsqlite3-dev zlib1g-dev libzstd-dev libssl-dev libcmark-dev \
	libcurl4-openssl-dev pkg-config attr acl openssl curl \
	btrfs-progs xfsprogs fdisk

.PHONY: deps browser-deps build run test clean bench

## deps: install the C libraries' -dev packages (only those missing).
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; \
	fi

## browser-deps: Debian's Chromium and its driver, selenium and pytest, for tests/browser (only those missing).
browser-deps:
	@missing=""; for p in chromium chromium-driver python3 python3-pip; do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; \
	fi
	@python3 -c "import selenium, pytest" 2>/dev/null || { \
		echo "installing: selenium pytest (pip)"; \
		python3 -m pip install -q selenium pytest 2>/dev/null || python3 -m pip install -q --break-system-packages selenium pytest; }

## build: the release binary.
build: deps
	$(SWIFT) build -c $(CONFIG)

## run: build, then the vault (with a vault "Demo") in the background and the agent in the foreground, both on loopback;
## prints both portal addresses and setup tokens. Ctrl-C stops both.
run: build
	@mkdir -p $(RUN_DATA) $(RUN_AGENT_STATE)
	@out=$$($(BIN) vault create Demo --data $(RUN_DATA) 2>&1) || echo "$$out" | grep -q "already exists" || { echo "$$out" >&2; exit 1; }
	@echo "Vault data: $(RUN_DATA) (vault \"Demo\"). Agent state: $(RUN_AGENT_STATE). Stop both with Ctrl-C."
	@$(BIN) vault serve --data $(RUN_DATA) --listen $(RUN_LISTEN) & vault=$$!; \
	trap 'kill -TERM $$vault 2>/dev/null; wait $$vault 2>/dev/null' EXIT; trap 'exit 0' INT TERM; \
	for i in $$(seq 100); do curl -sk -o /dev/null https://$(RUN_LISTEN)/login && break; sleep 0.1; done; \
	echo; $(BIN) agent serve --state $(RUN_AGENT_STATE) --listen $(RUN_AGENT_LISTEN)

## test: build, then every test (unit and end to end) against the release build, then the portal in headless Chromium.
test: build browser-deps
	$(SWIFT) test -c $(CONFIG) --no-parallel
	HAVEN_BIN=$(BIN) python3 -m pytest -q -p no:cacheprovider tests/browser

## bench: Haven against restic and borg on the Linux source tree (see bench/README.md).
bench: build
	bash bench/run.sh

clean:
	rm -rf .build
