# shellcheck shell=bash
# Sourced by the scripts that test a running gateway from the outside (api-fuzz.sh, browser-test.sh): a
# throw-away PostgreSQL cluster and a gateway on free ports, configured entirely through the environment, and
# helpers that seed accounts through the API with curl. Passwords and tokens stay in 0600 files and on stdin,
# never in argv.
#
# The caller sources scripts/pg.sh first, and sets `tmp` (its run directory, mode 0711 so the postgres user can
# reach the cluster inside), `gateway` (the binary) and `live_name` (what `fail` calls the run). Values set here
# for the caller: pg_port, gateway_pid, base, admin_invite, and `keep` once the run has failed.

gateway_pid=""
keep=""

# fail MESSAGE: marks the run failed (its logs are kept), shows the end of the gateway log, and stops.
fail() {
  keep=1
  echo "$live_name: $*" >&2
  if [ -f "$tmp/gateway.log" ]; then
    echo "--- last lines of $tmp/gateway.log ---" >&2
    tail -n 30 "$tmp/gateway.log" >&2
  fi
  exit 1
}

# live_stop: stops the gateway and the cluster, whichever are running.
live_stop() {
  if [ -n "$gateway_pid" ] && kill -0 "$gateway_pid" 2>/dev/null; then
    kill "$gateway_pid" 2>/dev/null || true
    wait "$gateway_pid" 2>/dev/null || true
  fi
  pg_running "$tmp/pg" && pg_stop "$tmp/pg" immediate || true
}

# live_discard_secrets [PATH...]: removes the cluster, keys, passwords, tokens and the given paths, keeping the
# logs of a failed run. The gateway log holds no secret: the gateway never logs bodies or the Authorization header.
live_discard_secrets() {
  rm -rf "$tmp/pg" "$tmp/run" "$tmp/keys" "$tmp/secrets" "$tmp/witness" "$tmp/body" "$@"
}

# live_release_build: the release gateway and verifier, as the benchmarks run them; sets `bin` to their directory.
live_release_build() {
  echo "Building the release gateway and verifier"
  swift build -c release --product gateway >/dev/null
  swift build -c release --product verifier >/dev/null
  bin=$(swift build -c release --show-bin-path)
}

# live_cluster LABEL: the cluster, exactly as `make test` makes one, under $tmp/pg with its socket in $tmp/run.
live_cluster() {
  mkdir -p "$tmp/secrets" "$tmp/keys" "$tmp/witness"
  chmod 700 "$tmp/secrets" "$tmp/keys"
  (umask 077; random_secret > "$tmp/secrets/superuser.password"; random_secret > "$tmp/secrets/owner.password"
   random_secret > "$tmp/secrets/app.password")
  pg_port=$(pg_free_port)
  pg_init "$tmp/pg" "$tmp/secrets/superuser.password"
  pg_start "$tmp/pg" "$tmp/run" "$pg_port" "$tmp/postgres.log"
  pg_bootstrap "$tmp/run" "$pg_port" "$(cat "$tmp/secrets/superuser.password")" "$(cat "$tmp/secrets/owner.password")" \
    "$(cat "$tmp/secrets/app.password")" ledger
  echo "$1 PostgreSQL on port $pg_port"
}

# live_environment: the gateway's whole configuration, explicitly. Nothing may fall back to .data/ (keys, witness
# file) or to a DATABASE_URL, inline key or chain name that happens to be in the caller's environment. Limits stay
# on (so the RateLimit headers the spec describes are sent) but far above what one address and a few accounts
# need, and password hashing is at the cheapest cost allowed (OWASP's minimum).
live_environment() {
  unset LEDGER_SIGNING_KEY LEDGER_KEK TOKEN_SIGNING_KEY CORS_ALLOWED_ORIGINS LEDGER_CHAIN LEDGER_ORIGIN
  unset WEBAUTHN_RP_ID WEBAUTHN_RP_NAME WEBAUTHN_ORIGINS
  export DATABASE_URL="postgresql://ledger_app:$(cat "$tmp/secrets/app.password")@/ledger?host=$tmp/run&port=$pg_port"
  export DATABASE_OWNER_URL="postgresql://ledger_owner:$(cat "$tmp/secrets/owner.password")@/ledger?host=$tmp/run&port=$pg_port"
  export HOST=127.0.0.1
  export PORT
  PORT=$(pg_free_port)
  export LEDGER_SIGNING_KEY_FILE="$tmp/keys/ledger-signing.pem"
  export LEDGER_KEK_FILE="$tmp/keys/kek.b64"
  export TOKEN_SIGNING_KEY_FILE="$tmp/keys/token-signing.pem"
  export TOKEN_ACCEPTED_KEYS_FILE="$tmp/keys/token-accepted.jwks.json"
  export LEDGER_WITNESS_FILE="$tmp/witness/main.jsonl"
  export POLICY_DIR="$root/policies"
  export LOG_FORMAT=json LOG_LEVEL=info
  export RATE_LIMIT_ADDRESS_PER_MINUTE=10000000 RATE_LIMIT_USER_PER_MINUTE=10000000
  export LOGIN_SLOWDOWN_AFTER_FAILURES=1000 LOGIN_LOCKOUT_AFTER_FAILURES=1000 LOGIN_ADDRESS_LOCKOUT_AFTER_FAILURES=1000000
  export PASSWORD_HASH_MEMORY_KIB=19456 PASSWORD_HASH_PASSES=2
}

# live_gateway ADMIN_NAME: keys, migrations and a first-administrator invite (admin_invite, read from the
# command's output and never echoed, for admin@hospital.example), then `gateway serve` until it is ready.
live_gateway() {
  "$gateway" keygen >/dev/null
  "$gateway" migrate >"$tmp/migrate.log" 2>&1 || { cat "$tmp/migrate.log" >&2; fail "gateway migrate failed"; }
  admin_invite=$("$gateway" admin-invite --email admin@hospital.example --name "$1" \
    | awk '/^First administrator invite/ {getline; print $1}')
  [ -n "$admin_invite" ] || fail "gateway admin-invite printed no token"

  "$gateway" serve >"$tmp/gateway.log" 2>&1 &
  gateway_pid=$!
  base="http://127.0.0.1:$PORT"
  for _ in $(seq 1 120); do
    kill -0 "$gateway_pid" 2>/dev/null || fail "the gateway stopped during start-up"
    curl -fsS -o /dev/null "$base/health/ready" 2>/dev/null && break
    sleep 0.5
  done
  curl -fsS -o /dev/null "$base/health/ready" || fail "the gateway was not ready after 60 s"
  echo "Gateway on $base (log: $tmp/gateway.log)"
}

# api METHOD PATH [HEADER_FILE] < JSON: one seeding request; prints the answer's body, fails on anything but 2xx.
# The bearer token comes in a header file.
api() {
  local method=$1 path=$2 header_file=${3:-} status
  local args=(-sS -X "$method" -o "$tmp/body" -w '%{http_code}' -H 'Content-Type: application/json')
  [ -n "$header_file" ] && args+=(-H "@$header_file")
  [ "$method" = GET ] || args+=(--data-binary @-)
  status=$(curl "${args[@]}" "$base$path") || fail "$method $path: curl failed"
  case "$status" in
    2??) cat "$tmp/body" ;;
    # Error bodies are problem documents without secrets or PHI: worth showing.
    *) fail "seeding $method $path answered $status: $(head -c 500 "$tmp/body")" ;;
  esac
}

# json FIELD: one top-level (or dotted) field of the JSON on stdin. LIVE_PYTHON picks the interpreter.
json() { "${LIVE_PYTHON:-python3}" -c 'import json, sys
value = json.load(sys.stdin)
for key in sys.argv[1].split("."): value = value[key]
print(value)' "$1"; }

# login NAME EMAIL: opens a new session with the password in secrets/NAME.password and leaves
# "Authorization: Bearer ..." in secrets/NAME.header for curl, and the bare token in secrets/NAME.token (both
# mode 0600).
login() {
  local name=$1 email=$2
  (umask 077
   printf '{"email":"%s","password":"%s"}' "$email" "$(cat "$tmp/secrets/$name.password")" \
     | api POST /v1/auth/login | json accessToken > "$tmp/secrets/$name.token"
   printf 'Authorization: Bearer %s\n' "$(cat "$tmp/secrets/$name.token")" > "$tmp/secrets/$name.header")
}

# enroll_and_login NAME TOKEN EMAIL: redeems the invite with a fresh password, then signs in.
enroll_and_login() {
  local name=$1 invite=$2 email=$3
  (umask 077; random_secret > "$tmp/secrets/$name.password")
  printf '{"token":"%s","password":"%s"}' "$invite" "$(cat "$tmp/secrets/$name.password")" \
    | api POST /v1/auth/enroll >/dev/null
  login "$name" "$email"
}
