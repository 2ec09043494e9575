# Caseload developer entry points. Every variable below can be overridden:
#   make run CASELOAD_PG_PORT=54400
#   make test SWIFT_TEST_FLAGS="--parallel --filter StorageTests"
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := build

SWIFT             ?= swift
SWIFT_BUILD_FLAGS ?=
SWIFT_TEST_FLAGS  ?=
# Port of the private dev cluster used by `make run` (only when CASELOAD_DATABASE_URL is unset).
CASELOAD_PG_PORT  ?= 54329
# Directory of the built executables; empty = `$(SWIFT) build --show-bin-path` (computed by
# deploy/run-dev.sh after the build, so SwiftPM is not invoked while parsing this file).
BIN               ?=

export SWIFT SWIFT_TEST_FLAGS CASELOAD_PG_PORT

.PHONY: deps build release run test test-citus clean-db docs bench bench-citus soak fuzz

deps:
	deploy/ensure-deps.sh

build: deps
	$(SWIFT) build $(SWIFT_BUILD_FLAGS)

release: deps
	$(SWIFT) build -c release $(SWIFT_BUILD_FLAGS)

# Private cluster in .caseload/pg (unless CASELOAD_DATABASE_URL is set), migrate, serve in the
# foreground on 127.0.0.1:7420 (CASELOAD_LISTEN overrides). Ctrl-C stops server, then cluster.
run: build
	BIN="$(BIN)" deploy/run-dev.sh

# Throw-away cluster in .caseload/test-<pid> on a free port; always destroyed afterwards.
test: deps
	deploy/test.sh

# The sharding suites against a throw-away Citus cluster (coordinator + 2 workers, migrated with
# `migrate --citus`); skipped, saying why, where Citus is neither installed nor buildable.
# CITUS_TEST_SUITES narrows the list: see deploy/test-citus.sh.
test-citus: deps
	deploy/test-citus.sh

# Remove the dev cluster used by `make run` (all local dev data).
clean-db:
	deploy/dev-postgres.sh destroy .caseload/pg

# Regenerate the reference half of docs/protocol.md from the method registry.
docs: build
	"$$($(SWIFT) build --show-bin-path)/caseload-server" docs --update docs/protocol.md

# Performance benchmark against PostgreSQL itself (release build, private cluster, several minutes;
# not part of `make test`). BENCH_SCALE, BENCH_SECONDS, ... : see deploy/bench.sh and docs/performance.md.
bench: deps
	deploy/bench.sh

# The same data on a Citus cluster with its shards on 2 workers, then on 1: the mixed load of two
# agencies through the server, and the coordinator hop per call (deploy/bench-citus.sh; needs
# Citus, as make test-citus; docs/scaling.md §4).
bench-citus: deps
	deploy/bench-citus.sh

# The failure tests with bigger parameters (not part of `make test`): longer write load, more
# PostgreSQL restarts and server kills, a longer fuzz run. CASELOAD_SOAK_SECONDS, _ROUNDS,
# _DOWN_SECONDS, _FUZZ_INPUTS: see deploy/soak.sh.
soak: deps
	deploy/soak.sh

# The long fuzz run against a real server: framing and parser in process, then 1,000,000 lines
# over TCP, every reply checked (about 15 minutes on 2 cores); then 200,000 semantic calls of
# every method (params from its rpc.discover schema, real ids of two agencies, every role), each
# reply a result or a documented error, never internal_error, the server never down (about 15-20
# minutes more). FUZZ_*: see deploy/fuzz.sh.
fuzz: deps
	deploy/fuzz.sh
