#!/usr/bin/env bash
# `make test-faults` (and the end of `make test`): the gateway under a steady write load while things go wrong:
# the gateway killed with SIGKILL and restarted, PostgreSQL restarted in fast and in immediate mode, two gateways
# writing one chain, and bad input (oversized and malformed bodies, forged tokens, slow clients). After each, every
# acknowledged write must be in the ledger and its projection, nothing unacknowledged half-written, the gateway
# ready again without help, and `verifier verify --replay` must pass. Tests/Faults/fault_test.py drives it; this
# script makes the cluster, the keys and the accounts. Bounded to a few minutes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

EXTRA_PACKAGES="curl python3" scripts/prereqs.sh
# shellcheck source=scripts/pg.sh
source scripts/pg.sh
# shellcheck source=scripts/live-gateway.sh
source scripts/live-gateway.sh
swift build --product gateway >/dev/null
swift build --product verifier >/dev/null
bin=$(swift build --show-bin-path)
gateway="$bin/gateway"
live_name="test-faults"

tmp=$(mktemp -d /tmp/phi-ledger-faults.XXXXXX)
chmod 711 "$tmp"
cleanup() {
  # The Python side stops its own gateways; this one is the seeding gateway, if still running.
  live_stop
  if [ -n "$keep" ]; then
    live_discard_secrets
    echo "test-faults: logs kept in $tmp" >&2
  else
    rm -rf "$tmp"
  fi
}
trap cleanup EXIT

live_cluster "Fault test"
live_environment
# Sign-ins stay cheap, and a checkpoint every few seconds puts the witness file to work during the faults.
export LEDGER_CHECKPOINT_EVERY=200 LEDGER_CHECKPOINT_INTERVAL_SECONDS=2
# Slow clients are cut off after 3 s instead of the default 30, to keep the run short.
export HTTP_IDLE_TIMEOUT_SECONDS=3
# A commit the database never answers is given up after 5 s instead of 30.
export LEDGER_COMMIT_TIMEOUT_SECONDS=5
live_gateway "Fault Admin"

(umask 077; random_secret > "$tmp/secrets/admin.password")
printf '{"token":"%s","password":"%s"}' "$admin_invite" "$(cat "$tmp/secrets/admin.password")" | api POST /v1/auth/enroll >/dev/null
login admin admin@hospital.example
invite=$(printf '{"email":"writer@hospital.example","name":"Load Writer","roles":["clinician"]}' \
  | api POST /v1/users "$tmp/secrets/admin.header" | json token)
enroll_and_login writer "$invite" writer@hospital.example
: > "$tmp/patients"
for p in 1 2 3 4 5 6; do
  printf '{"mrn":"F%04d","familyName":"Fault","givenName":"Patient%d","birthDate":"1980-02-%02d","sex":"male"}' "$p" "$p" "$p" \
    | api POST /v1/patients "$tmp/secrets/writer.header" | json id >> "$tmp/patients"
done
# The Python side runs the gateways from here on, with the same environment.
kill "$gateway_pid"
wait "$gateway_pid" 2>/dev/null || true
gateway_pid=""

"$bin/verifier" keygen --public-of "$LEDGER_SIGNING_KEY_FILE" > "$tmp/keys/trusted.pub"
export FAULTS_GATEWAY="$gateway" FAULTS_VERIFIER="$bin/verifier" FAULTS_TMP="$tmp" FAULTS_PG_DATA="$tmp/pg"
export FAULTS_PG_SOCKET="$tmp/run" FAULTS_PG_PORT="$pg_port" FAULTS_PG_LOG="$tmp/postgres.log"
export FAULTS_WRITER_EMAIL=writer@hospital.example FAULTS_WRITER_PASSWORD_FILE="$tmp/secrets/writer.password"
export FAULTS_PATIENTS_FILE="$tmp/patients" FAULTS_TRUSTED_KEYS="$tmp/keys/trusted.pub"
timeout --kill-after=10 600 python3 Tests/Faults/fault_test.py || fail "the fault test failed"
echo "test-faults: passed"
