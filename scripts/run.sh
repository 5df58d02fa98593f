#!/usr/bin/env bash
# `make run`: everything a fresh Debian machine with Swift needs to serve the gateway on PORT (default 8080).
# Safe to re-run: the cluster, roles, keys and applied migrations are reused.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scripts/prereqs.sh
# shellcheck source=scripts/pg.sh
source scripts/pg.sh

data="$root/.data"
mkdir -p "$data"
chmod 700 "$data"

if [ -z "${DATABASE_URL:-}" ]; then
  cluster="$data/pg"
  sockdir="$data/run"
  secrets="$data/secrets"
  mkdir -p "$secrets" "$data/logs"
  chmod 700 "$secrets"
  chmod 711 "$data/logs"
  [ "$(id -u)" -eq 0 ] && chmod 711 "$data"   # the postgres user must reach .data/pg and .data/run
  for who in superuser owner app; do
    [ -s "$secrets/$who.password" ] || (umask 077; random_secret > "$secrets/$who.password")
  done
  if [ ! -f "$cluster/PG_VERSION" ]; then
    echo "Creating a PostgreSQL cluster in .data/pg"
    pg_init "$cluster" "$secrets/superuser.password"
  fi
  if pg_running "$cluster"; then
    port=$(cat "$data/port")
  else
    port=$(pg_free_port)
    echo "$port" > "$data/port"
    pg_start "$cluster" "$sockdir" "$port" "$data/logs/postgres.log"
    echo "PostgreSQL started on port $port (socket in .data/run)"
  fi
  pg_bootstrap "$sockdir" "$port" "$(cat "$secrets/superuser.password")" \
    "$(cat "$secrets/owner.password")" "$(cat "$secrets/app.password")" ledger
  export DATABASE_URL="postgresql://ledger_app:$(cat "$secrets/app.password")@/ledger?host=$sockdir&port=$port"
  export DATABASE_OWNER_URL="postgresql://ledger_owner:$(cat "$secrets/owner.password")@/ledger?host=$sockdir&port=$port"
fi

echo "Building the gateway (the first build takes several minutes)"
swift build --product gateway
bin="$(swift build --show-bin-path)/gateway"

"$bin" keygen
"$bin" migrate
"$bin" admin-invite
echo "Gateway: http://${HOST:-127.0.0.1}:${PORT:-8080}  (stop with Ctrl-C; 'make stop' stops PostgreSQL)"
exec "$bin" serve
