# Haven's two entry points: `make run` and `make test`. Both install what is missing on a Debian machine.
SHELL := /bin/bash
SWIFT ?= swift
CONFIG ?= release
BIN := .build/$(CONFIG)/haven
APT_PACKAGES := libmicrohttpd-dev libsqlite3-dev zlib1g-dev libzstd-dev libssl-dev libcmark-dev \
	libcurl4-openssl-dev pkg-config attr acl openssl curl

.PHONY: deps build run test clean bench

## deps: install the C libraries' -dev packages (only those missing).
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; \
	fi

## build: the release binary.
build: deps
	$(SWIFT) build -c $(CONFIG)

## run: build, then the demo on embedded defaults.
run: build
	$(BIN) demo

## test: build, then every test (unit and end to end) against the release build.
test: build
	$(SWIFT) test -c $(CONFIG) --no-parallel

## bench: Haven against restic and borg on the Linux source tree (see bench/README.md).
bench: build
	bash bench/run.sh

clean:
	rm -rf .build
