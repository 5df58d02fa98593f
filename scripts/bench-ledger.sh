#!/usr/bin/env bash
# `make bench-ledger`: signed, chained ledger appends (sealed PHI payload, projection upsert, group commit) with
# 1, 8, 64 and 256 concurrent submitters (BENCH_LEVELS), against plain unsigned single-row INSERTs from pgbench with 8 clients on
# the same throw-away PostgreSQL in the same run. Prints both and the ratio; writes bench/results/.
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

echo "pgbench: plain single-row INSERT, 8 clients, ${seconds}s"
echo "INSERT INTO bench_plain (payload) VALUES ('routine update of a patient record, unsigned and unchained');" > "$tmp/insert.sql"
pgbench_out=$(PGPASSWORD="$owner_pw" "$(pg_bindir)/pgbench" -n -h "$tmp/run" -p "$port" -U ledger_owner -c 8 -j 2 -T "$seconds" \
  -M prepared -f "$tmp/insert.sql" ledger 2>&1)
baseline=$(echo "$pgbench_out" | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -n 1)
echo "  baseline: $baseline inserts/s"

echo "ledger appends: signed, chained, sealed PHI, projection upsert, ${seconds}s per level"
results=$("$bin" bench-ledger --concurrency ${BENCH_LEVELS:-1 8 64 256} --seconds "$seconds")
echo "$results" | sed 's/^/  /'

mkdir -p bench/results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
best=$(echo "$results" | sed -n 's/.*"entries_per_second":\([0-9.]*\).*/\1/p' | sort -g | tail -n 1)
ratio=$(awk -v a="$best" -v b="$baseline" 'BEGIN { printf "%.2f", a / b }')
ratios=$(echo "$results" | sed -n 's/.*"concurrency":\([0-9]*\),.*"entries_per_second":\([0-9.]*\).*/\1 \2/p' |
  awk -v b="$baseline" '{ printf "%s%s submitters: %.2f", (NR > 1 ? ", " : ""), $1, $2 / b }')
{
  echo "{\"benchmark\":\"ledger-append\",\"time\":\"$stamp\",\"seconds\":$seconds,\"cores\":$(nproc),"
  echo " \"pgbench_plain_insert_8_clients_tps\":$baseline,"
  echo " \"ledger\":[$(echo "$results" | paste -sd, -)],"
  echo " \"best_ratio_vs_pgbench_8_clients\":$ratio}"
} > "bench/results/ledger-$stamp.json"
cp "bench/results/ledger-$stamp.json" bench/results/ledger-latest.json
echo
echo "ledger / pgbench (8 clients), by submitters: $ratios"
echo "best: $best entries/s, ratio $ratio (target >= 1.0)"
echo "written to bench/results/ledger-$stamp.json"
