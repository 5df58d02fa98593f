# The two commands that matter: `make run` and `make test`. Everything else is a helper.
.PHONY: run test test-api test-browser stop clean-data build release

run:
	@bash scripts/run.sh

test:
	@bash scripts/test.sh

# schemathesis against a live gateway and its served spec (`make test` runs it too, after the suite).
test-api:
	@bash scripts/prereqs.sh && swift build --product gateway && bash scripts/api-fuzz.sh

# kill -9, PostgreSQL restarts, two gateways and bad input under a write load (`make test` runs it too, at the end).
.PHONY: test-faults
test-faults:
	@bash scripts/prereqs.sh && bash scripts/test-faults.sh

# /console in headless Chromium with a virtual passkey authenticator (`make test` runs it too, last).
test-browser:
	@bash scripts/prereqs.sh && swift build --product gateway && bash scripts/browser-test.sh

stop:
	@bash -c 'source scripts/pg.sh; if pg_running .data/pg; then pg_stop "$$PWD/.data/pg" fast && echo "Stopped the local PostgreSQL."; else echo "The local PostgreSQL is not running."; fi'

clean-data:
	@bash scripts/clean-data.sh

build:
	@bash scripts/prereqs.sh && swift build

release:
	@bash scripts/prereqs.sh && swift build -c release

# libFuzzer against the CBOR decoder and the attestation parsers, for a bounded time (not part of make test).
.PHONY: fuzz
fuzz:
	@bash scripts/fuzz.sh

.PHONY: bench bench-ledger bench-verifier bench-http
bench: bench-ledger bench-verifier bench-http

bench-ledger:
	@bash scripts/bench-ledger.sh

bench-verifier:
	@bash scripts/bench-verifier.sh

bench-http:
	@bash scripts/bench-http.sh
