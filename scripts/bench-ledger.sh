#!/usr/bin/env bash
# `make bench-ledger`: signed, chained ledger appends (sealed PHI payload, projection upsert, group commit) with
# 1, 8, 64 and 256 concurrent submitters (BENCH_LEVELS), against plain unsigned single-row INSERTs from pgbench with 8
# clients on the same throw-away PostgreSQL in the same run, run before and after each level. Prints both and the
# ratios; writes bench/results/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds=${BENCH_SECONDS:-15}

scripts/prereqs.sh
source scripts/pg.sh
# shellcheck source=scripts/live-gateway.sh
source scripts/live-gateway.sh
echo "Building the release gateway"
swift build -c release --product gateway >/dev/null
bin="$(swift build -c release --show-bin-path)/gateway"

tmp=$(mktemp -d /tmp/phi-ledger-bench.XXXXXX)
chmod 711 "$tmp"
cleanup() { pg_running "$tmp/pg" && pg_stop "$tmp/pg" immediate || true; [ -n "${BENCH_KEEP_LOG:-}" ] && cp "$tmp/postgres.log" "$BENCH_KEEP_LOG"; rm -rf "$tmp"; }
trap cleanup EXIT
live_cluster "Ledger benchmark"
owner_pw=$(cat "$tmp/secrets/owner.password"); app_pw=$(cat "$tmp/secrets/app.password"); port=$pg_port
export DATABASE_OWNER_URL="postgresql://ledger_owner:$owner_pw@/ledger?host=$tmp/run&port=$port"
export DATABASE_URL="postgresql://ledger_app:$app_pw@/ledger?host=$tmp/run&port=$port"
export LEDGER_SIGNING_KEY_FILE="$tmp/keys/signing.pem" LEDGER_KEK_FILE="$tmp/keys/kek.b64"
export LEDGER_WITNESS_FILE="$tmp/witness.jsonl" LOG_LEVEL=warning DATABASE_POOL_SIZE=16 LEDGER_MAX_BATCH=${LEDGER_MAX_BATCH:-512}
"$bin" keygen >/dev/null
"$bin" migrate >/dev/null
PGPASSWORD="$owner_pw" psql -X -q -h "$tmp/run" -p "$port" -U ledger_owner -d ledger <<'SQL'
CREATE TABLE bench_projection (id text PRIMARY KEY, body text NOT NULL, version int NOT NULL, ledger_seq bigint NOT NULL);
GRANT SELECT, INSERT, UPDATE ON bench_projection TO ledger_runtime;
CREATE TABLE bench_plain (id bigserial PRIMARY KEY, payload text NOT NULL);
SQL

echo "INSERT INTO bench_plain (payload) VALUES ('routine update of a patient record, unsigned and unchained');" > "$tmp/insert.sql"
# pgbench_rate: plain single-row INSERTs per second from 8 clients over $seconds.
pgbench_rate() {
  PGPASSWORD="$owner_pw" "$(pg_bindir)/pgbench" -n -h "$tmp/run" -p "$port" -U ledger_owner -c 8 -j 2 -T "$seconds" \
    -M prepared -f "$tmp/insert.sql" ledger 2>&1 | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -n 1
}

# The machine's speed drifts by tens of percent over minutes (a shared virtual machine), so pgbench runs before each
# level and after the last, and each level is compared with the mean of the pgbench rates on either side of it.
echo "ledger appends (signed, chained, sealed PHI, projection upsert) and pgbench (plain single-row INSERT, 8 clients),"
echo "${seconds}s each, alternating"
before=$(pgbench_rate)
echo "  pgbench: $before inserts/s"
baselines="$before"
results=""
ratios=""
best=0
for level in ${BENCH_LEVELS:-1 8 64 256}; do
  result=$("$bin" bench-ledger --concurrency "$level" --seconds "$seconds")
  echo "  $result"
  after=$(pgbench_rate)
  echo "  pgbench: $after inserts/s"
  rate=$(echo "$result" | sed -n 's/.*"entries_per_second":\([0-9.]*\).*/\1/p')
  ratio=$(awk -v r="$rate" -v a="$before" -v b="$after" 'BEGIN { printf "%.2f", r / ((a + b) / 2) }')
  results="$results${results:+,}${result%\}},\"pgbench_around\":[$before,$after],\"ratio\":$ratio}"
  ratios="$ratios${ratios:+, }$level → $ratio"
  best=$(awk -v a="$best" -v b="$ratio" 'BEGIN { print (b > a) ? b : a }')
  baselines="$baselines $after"
  before=$after
done
baseline=$(echo "$baselines" | tr ' ' '\n' | awk '{ s += $1 } END { printf "%.1f", s / NR }')

mkdir -p bench/results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
{
  echo "{\"benchmark\":\"ledger-append\",\"time\":\"$stamp\",\"seconds\":$seconds,\"cores\":$(nproc),"
  echo " \"pgbench_plain_insert_8_clients_tps_mean\":$baseline,"
  echo " \"ledger\":[$results],"
  echo " \"best_ratio_vs_pgbench_8_clients\":$best}"
} > "bench/results/ledger-$stamp.json"
cp "bench/results/ledger-$stamp.json" bench/results/ledger-latest.json
echo
echo "ledger / pgbench (8 clients, the runs either side), by submitters: $ratios"
echo "best ratio $best (target >= 1.0)"
echo "written to bench/results/ledger-$stamp.json"
