#!/usr/bin/env bash
# `make bench-http`: the whole system through HTTP. A throw-away PostgreSQL and the release gateway on this machine,
# clinicians and patients seeded through the API, then wrk over 64 connections for a fixed time each: patient
# updates and task creations (ledgered writes), and patient reads (recorded PHI reads). Prints requests/s and
# p50/p99/max latency, writes them to bench/results/, and finally runs `verifier verify --replay` over everything
# the run wrote, which must pass.
#
# BENCH_SECONDS (20) is each run's length, BENCH_CONNECTIONS (64) wrk's connections, BENCH_CLINICIANS (8) and
# BENCH_PATIENTS (25 per clinician) the seeded data; BENCH_ONLY names some of the runs (say "read-patient").
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds=${BENCH_SECONDS:-20}
connections=${BENCH_CONNECTIONS:-64}
clinicians=${BENCH_CLINICIANS:-8}
patients_each=${BENCH_PATIENTS:-25}

EXTRA_PACKAGES="wrk curl python3" scripts/prereqs.sh
# shellcheck source=scripts/pg.sh
source scripts/pg.sh
# shellcheck source=scripts/live-gateway.sh
source scripts/live-gateway.sh
live_release_build
gateway="$bin/gateway"
live_name="bench-http"

tmp=$(mktemp -d /tmp/phi-ledger-bench-http.XXXXXX)
chmod 711 "$tmp"
cleanup() {
  live_stop
  if [ -n "$keep" ]; then
    live_discard_secrets
    echo "bench-http: logs kept in $tmp" >&2
  else
    rm -rf "$tmp"
  fi
}
trap cleanup EXIT

live_cluster "HTTP benchmark"
live_environment
# Request logs at info would be one line per request; the benchmark measures the gateway as run in production
# with the log level operators use under load.
export LOG_LEVEL=${BENCH_LOG_LEVEL:-notice}
live_gateway "Bench Admin"

(umask 077; random_secret > "$tmp/secrets/admin.password")
printf '{"token":"%s","password":"%s"}' "$admin_invite" "$(cat "$tmp/secrets/admin.password")" | api POST /v1/auth/enroll >/dev/null
login admin admin@hospital.example

echo "Seeding $clinicians clinicians with $patients_each patients each"
for c in $(seq 1 "$clinicians"); do
  invite=$(printf '{"email":"clinician%d@hospital.example","name":"Clinician %d","roles":["clinician"]}' "$c" "$c" \
    | api POST /v1/users "$tmp/secrets/admin.header" | json token)
  enroll_and_login "clinician$c" "$invite" "clinician$c@hospital.example"
  : > "$tmp/patients.$c"
  for p in $(seq 1 "$patients_each"); do
    printf '{"mrn":"B%03d%04d","familyName":"Bench%d","givenName":"Patient%d","birthDate":"1970-01-%02d","sex":"female"}' \
      "$c" "$p" "$c" "$p" "$(( (p % 28) + 1 ))" \
      | api POST /v1/patients "$tmp/secrets/clinician$c.header" | json id >> "$tmp/patients.$c"
  done
done

# write_data: fresh access tokens (they last five minutes) and the patients, as the Lua table common.lua reads.
write_data() {
  (umask 077
   {
     echo "return { clinicians = {"
     for c in $(seq 1 "$clinicians"); do
       login "clinician$c" "clinician$c@hospital.example"
       printf '  { token = "%s", patients = {' "$(cat "$tmp/secrets/clinician$c.token")"
       sed 's/.*/"&",/' "$tmp/patients.$c" | tr -d '\n'
       echo "} },"
     done
     echo "} }"
   } > "$tmp/secrets/bench-data.lua")
}

export BENCH_HTTP_DIR="$root/bench/http" BENCH_HTTP_DATA="$tmp/secrets/bench-data.lua"
results=()
# run NAME SCRIPT: one wrk run of `seconds`; its JSON line (from common.lua's done()) is kept in results.
run() {
  local name=$1 script=$2 line
  write_data
  echo "$name: wrk, $connections connections, ${seconds}s"
  line=$(wrk -t 2 -c "$connections" -d "${seconds}s" --timeout 10s -s "$BENCH_HTTP_DIR/$script" "$base" | tail -n 1)
  case "$line" in \{*) ;; *) fail "wrk printed no results for $name" ;; esac
  echo "  $line"
  results+=("{\"name\":\"$name\",${line#\{}")
}
for name in ${BENCH_ONLY:-update-patient create-task read-patient}; do
  case "$name" in
    update-patient | create-task | read-patient) run "$name" "$name.lua" ;;
    *) fail "BENCH_ONLY: no run named $name (update-patient, create-task, read-patient)" ;;
  esac
done

echo "Checking everything the run wrote: verifier verify --replay"
"$bin/verifier" keygen --public-of "$LEDGER_SIGNING_KEY_FILE" > "$tmp/keys/trusted.pub"
verify_started=$(date +%s.%N)
"$bin/verifier" verify -d "$DATABASE_OWNER_URL" --trusted-keys "$tmp/keys/trusted.pub" --witness "$LEDGER_WITNESS_FILE" \
  --replay --kek "$LEDGER_KEK_FILE" || fail "verifier verify --replay did not pass"
verify_seconds=$(awk -v s="$verify_started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')

mkdir -p bench/results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
{
  echo "{\"benchmark\":\"http\",\"time\":\"$stamp\",\"seconds\":$seconds,\"connections\":$connections,\"cores\":$(nproc),"
  echo " \"runs\":[$(IFS=,; echo "${results[*]}")],"
  echo " \"replay_verified_seconds\":$verify_seconds}"
} > "bench/results/http-$stamp.json"
cp "bench/results/http-$stamp.json" bench/results/http-latest.json

echo
printf '%-16s %12s %9s %9s %9s %8s\n' run "requests/s" "p50 ms" "p99 ms" "max ms" "non-2xx"
for line in "${results[@]}"; do
  echo "$line" | LIVE_PYTHON=python3 python3 -c 'import json, sys
r = json.load(sys.stdin)
print("%-16s %12.0f %9.2f %9.2f %9.2f %8d" % (r["name"], r["requests_per_second"], r["p50_ms"], r["p99_ms"], r["max_ms"], r["non_2xx"] + r["socket_errors"]))'
done
echo "targets (DESIGN §8): writes >= 3,000 requests/s at p99 <= 25 ms; reads >= 8,000 requests/s at p99 <= 10 ms"
echo "verifier verify --replay: intact (${verify_seconds}s)"
echo "written to bench/results/http-$stamp.json"
# A run with failed requests measured something else than the system working: say so, and fail.
if printf '%s\n' "${results[@]}" | grep -qv '"non_2xx":0,"socket_errors":0'; then
  echo "bench-http: some requests failed (non-2xx answers or socket errors): the figures above are not valid" >&2
  exit 1
fi
