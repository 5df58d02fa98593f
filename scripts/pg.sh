#!/usr/bin/env bash
# A project-local PostgreSQL cluster: create, start, stop, bootstrap roles. Used by `make run` (under .data/)
# and by `make test` (under a temporary directory). Sourced, not executed.
#
# Roles (cluster-wide):
#   ledger_owner    LOGIN, owns the database and its tables; migrations run as this role.
#   ledger_runtime  NOLOGIN group: the privileges the gateway needs (INSERT/SELECT on the ledger, ...).
#   ledger_app      LOGIN, member of ledger_runtime; the gateway runs as this role.

pg_bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then echo "$dir"; return; fi
  dirname "$(command -v initdb)"
}

# Runs a command as the cluster's operating-system owner: PostgreSQL refuses to run as root.
pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# Hands a directory to the cluster's owner (root only) and checks that it can be reached.
pg_own_dir() {
  local dir=$1
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$dir"
    if ! runuser -u postgres -- test -x "$dir"; then
      echo "The postgres user cannot reach $dir (a parent directory is not traversable)." >&2
      echo "Clone the project somewhere world-traversable, or set DATABASE_URL to an existing database." >&2
      return 1
    fi
  fi
  chmod 700 "$dir"
}

# A port nothing listens on, below the kernel's ephemeral range: a port inside it may be the local end of some
# outgoing connection at any moment, and a server binding it would then fail with "address already in use".
pg_free_port() {
  local port low=32768
  read -r low _ < /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
  [ "$low" -gt 12000 ] || low=32768
  for _ in $(seq 1 200); do
    port=$(( (RANDOM % (low - 11000)) + 10000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  echo "no free port found" >&2
  return 1
}

random_secret() { head -c 24 /dev/urandom | base64 | tr -d '/+=' ; }

# pg_init DATA_DIR SUPERUSER_PASSWORD_FILE
pg_init() {
  local data=$1 pwfile=$2 bindir
  bindir=$(pg_bindir)
  pg_own_dir "$data"
  # initdb runs as the cluster owner, who may not reach the secrets directory: hand it a private copy.
  local handoff
  handoff=$(mktemp)
  cat "$pwfile" > "$handoff"
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$handoff"; fi
  pg_as_owner "$bindir/initdb" -D "$data" -U postgres --pwfile="$handoff" --auth=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >/dev/null || { rm -f "$handoff"; return 1; }
  rm -f "$handoff"
}

# pg_start DATA_DIR SOCKET_DIR PORT LOG_FILE
pg_start() {
  local data=$1 sockdir=$2 port=$3 log=$4 bindir
  bindir=$(pg_bindir)
  pg_own_dir "$sockdir"
  touch "$log"
  chmod 600 "$log"
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$log"; fi
  pg_as_owner "$bindir/pg_ctl" -D "$data" -l "$log" -w -t 60 start \
    -o "-p $port -k $sockdir -c listen_addresses=127.0.0.1 -c max_connections=200 ${PG_EXTRA_OPTIONS:-}" >/dev/null
}

pg_stop() {
  local data=$1 mode=${2:-fast} bindir
  bindir=$(pg_bindir)
  pg_as_owner "$bindir/pg_ctl" -D "$data" -m "$mode" -w stop >/dev/null
}

pg_running() {
  local data=$1 bindir
  bindir=$(pg_bindir)
  [ -d "$data" ] && pg_as_owner "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1
}

# pg_bootstrap SOCKET_DIR PORT SUPERUSER_PASSWORD OWNER_PASSWORD APP_PASSWORD DATABASE
# Creates the three roles and the database if they are missing. Passwords travel on stdin, never argv.
pg_bootstrap() {
  local sockdir=$1 port=$2 superpw=$3 ownerpw=$4 apppw=$5 db=$6
  PGPASSWORD="$superpw" psql -X -q -v ON_ERROR_STOP=1 -h "$sockdir" -p "$port" -U postgres -d postgres >/dev/null <<SQL
\set owner_pw '$ownerpw'
\set app_pw '$apppw'
\set db_name '$db'
SELECT 'CREATE ROLE ledger_runtime NOLOGIN'
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ledger_runtime') \gexec
SELECT format('CREATE ROLE ledger_owner LOGIN PASSWORD %L', :'owner_pw')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ledger_owner') \gexec
SELECT format('CREATE ROLE ledger_app LOGIN PASSWORD %L IN ROLE ledger_runtime', :'app_pw')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ledger_app') \gexec
SELECT format('CREATE DATABASE %I OWNER ledger_owner', :'db_name')
  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db_name') \gexec
SQL
}
