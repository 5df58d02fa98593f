#!/usr/bin/env bash
# `make test`: prerequisites, a build, a throw-away PostgreSQL cluster on a free port, the whole suite, then
# schemathesis against a live gateway (scripts/api-fuzz.sh) and /console in headless Chromium with a virtual
# passkey authenticator (scripts/browser-test.sh), and faults under a write load (scripts/test-faults.sh). The
# cluster is removed afterwards whatever happens; the exit status is the suite's, then the API fuzz run's, the
# browser test's, the fault test's.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# Chromium renders the HTML compliance report to PNG in the suite (VerifierReportTests).
EXTRA_PACKAGES="chromium ${TEST_EXTRA_PACKAGES:-}" scripts/prereqs.sh
# shellcheck source=scripts/pg.sh
source scripts/pg.sh

echo "Building (the first build takes several minutes)"
swift build --build-tests

tmp=$(mktemp -d /tmp/phi-ledger-test.XXXXXX)
chmod 711 "$tmp"
cleanup() {
  pg_running "$tmp/pg" && pg_stop "$tmp/pg" immediate || true
  rm -rf "$tmp"
}
trap cleanup EXIT

(umask 077; random_secret > "$tmp/superuser.password")
owner_pw=$(random_secret)
app_pw=$(random_secret)
port=$(pg_free_port)
pg_init "$tmp/pg" "$tmp/superuser.password"
# The suite runs its tests concurrently, each test with a connection pool or two of its own: at its peak that is
# more than PostgreSQL's usual 200 connections, and a pool left waiting for a free slot stalls its test.
PG_EXTRA_OPTIONS="-c max_connections=1000 ${PG_EXTRA_OPTIONS:-}" pg_start "$tmp/pg" "$tmp/run" "$port" "$tmp/postgres.log"
pg_bootstrap "$tmp/run" "$port" "$(cat "$tmp/superuser.password")" "$owner_pw" "$app_pw" ledger_scratch
echo "Test PostgreSQL on 127.0.0.1:$port"

export LEDGER_TEST_PG_HOST=127.0.0.1
export LEDGER_TEST_PG_PORT="$port"
export LEDGER_TEST_PG_SOCKET_DIR="$tmp/run"
export LEDGER_TEST_PG_SUPERUSER_PASSWORD
LEDGER_TEST_PG_SUPERUSER_PASSWORD=$(cat "$tmp/superuser.password")
export LEDGER_TEST_PG_OWNER_PASSWORD="$owner_pw"
export LEDGER_TEST_PG_APP_PASSWORD="$app_pw"
export LEDGER_TEST_BIN_DIR
LEDGER_TEST_BIN_DIR=$(swift build --show-bin-path)

# CI shows only the end of the output, so a failure is named again there: each failing test's issues, with the
# lines that explain them.
status=0
swift test --skip-build "$@" 2>&1 | tee "$tmp/swift-test.log" || status=$?
if [ "$status" -ne 0 ]; then
  echo
  echo "── The suite failed (exit $status). Its failures: ──"
  awk '/^[^[:space:]]*✘/ { print; shown = 4; next } shown > 0 && /^[[:space:]]/ { print; shown--; next } { shown = 0 }' \
    "$tmp/swift-test.log" | tail -n 60
  exit "$status"
fi

# Only after the whole suite passed (a failure exits above), and only for the whole suite: a filtered
# run (arguments for swift test) is someone iterating on a few tests. It uses the binary just built
# (LEDGER_TEST_BIN_DIR) and a PostgreSQL cluster of its own.
if [ $# -eq 0 ]; then
  scripts/api-fuzz.sh
  scripts/browser-test.sh
  scripts/test-faults.sh
fi
