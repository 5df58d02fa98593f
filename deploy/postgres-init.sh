#!/usr/bin/env bash
# Runs once, when the PostgreSQL volume is first initialised: the same three roles `make run` creates.
set -euo pipefail
psql -v ON_ERROR_STOP=1 -U postgres -d ledger \
  -v owner_pw="$LEDGER_OWNER_PASSWORD" -v app_pw="$LEDGER_APP_PASSWORD" <<'SQL'
CREATE ROLE ledger_runtime NOLOGIN;
SELECT format('CREATE ROLE ledger_owner LOGIN PASSWORD %L', :'owner_pw') \gexec
SELECT format('CREATE ROLE ledger_app LOGIN PASSWORD %L IN ROLE ledger_runtime', :'app_pw') \gexec
ALTER DATABASE ledger OWNER TO ledger_owner;
ALTER SCHEMA public OWNER TO ledger_owner;
SQL
