#!/usr/bin/env bash
# The /console page end to end in a real browser (part of `make test`): headless Chromium, driven over W3C
# WebDriver by Tests/Browser/console_test.py, with a virtual authenticator standing in for a person's passkey.
# It needs an already built gateway (it never builds), starts a throw-away PostgreSQL cluster and a gateway on
# free ports, invites a clinician through the API with curl, and lets the browser do the rest through the page:
# enrol, sign in with the password, add a passkey, sign out, sign in with the passkey, step up, sign out. Then it
# reads the ledger: each of those steps must be there, in order, as a success, and nothing may have failed.
# Everything is removed afterwards whatever happens, except, on failure, the gateway log, a screenshot and the
# browser's console log, whose directory is printed.
#
# Knobs (environment): LEDGER_TEST_BIN_DIR (where the gateway binary is; default .build/debug),
# BROWSER_TEST_TIMEOUT (seconds the browser part may take; default 180), CHROMIUM_BINARY (default
# /usr/bin/chromium), CHROMEDRIVER (default /usr/bin/chromedriver).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

budget="${BROWSER_TEST_TIMEOUT:-180}"
chromium="${CHROMIUM_BINARY:-/usr/bin/chromium}"
chromedriver="${CHROMEDRIVER:-/usr/bin/chromedriver}"

# The binary, never a build: `swift build --show-bin-path` would take SwiftPM's lock on .build (and wait behind
# anyone building), so the path comes from `make test` (LEDGER_TEST_BIN_DIR) or is the debug build's.
bin_dir="${LEDGER_TEST_BIN_DIR:-$root/.build/debug}"
gateway="$bin_dir/gateway"
if [ ! -x "$gateway" ]; then
  echo "No gateway binary at $gateway: build it first (make build), or set LEDGER_TEST_BIN_DIR." >&2
  exit 1
fi

# Debian's chromium and the chromedriver built from the same sources (the two must be of one version).
EXTRA_PACKAGES="chromium chromium-driver curl python3" scripts/prereqs.sh
# shellcheck source=scripts/pg.sh
source scripts/pg.sh

# Everything here talks to this machine only; a proxy in the caller's environment must not see any of it.
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}"

tmp=$(mktemp -d /tmp/phi-ledger-browser-test.XXXXXX)
chmod 711 "$tmp"   # the postgres user must reach the cluster and socket directories inside
gateway_pid=""
driver_pid=""
keep=""            # set on failure: the logs and the screenshot stay for a look, everything else goes
cleanup() {
  local status=$?
  if [ -n "$driver_pid" ]; then
    # chromedriver leads a process group of its own, browsers included: a browser left behind by a test that
    # was stopped half-way goes with it.
    kill -- "-$driver_pid" 2>/dev/null || kill "$driver_pid" 2>/dev/null || true
    wait "$driver_pid" 2>/dev/null || true
    # The browsers take a moment to shut down; their profile is removed below.
    for _ in $(seq 1 50); do
      kill -0 -- "-$driver_pid" 2>/dev/null || break
      sleep 0.1
    done
  fi
  if [ -n "$gateway_pid" ] && kill -0 "$gateway_pid" 2>/dev/null; then
    kill "$gateway_pid" 2>/dev/null || true
    wait "$gateway_pid" 2>/dev/null || true
  fi
  pg_running "$tmp/pg" && pg_stop "$tmp/pg" immediate || true
  if [ -n "$keep" ] || [ "$status" -ne 0 ]; then
    # Keys, passwords, tokens, the cluster and the browser profile never outlive the run; the gateway log holds
    # none of them (the gateway never logs bodies or the Authorization header). The screenshot may show the
    # clinician's invite token, which is worthless once the cluster is gone.
    rm -rf "$tmp/pg" "$tmp/run" "$tmp/keys" "$tmp/secrets" "$tmp/witness" "$tmp/body" "$tmp/browser"
    echo "Kept for a look: $tmp (gateway.log, chromedriver.log, console-failure.png, browser-console.log)" >&2
  else
    rm -rf "$tmp"
  fi
}
trap cleanup EXIT

fail() {
  keep=1
  echo "browser-test: $*" >&2
  if [ -f "$tmp/gateway.log" ]; then
    echo "--- last lines of $tmp/gateway.log ---" >&2
    tail -n 30 "$tmp/gateway.log" >&2
  fi
  exit 1
}

# A PostgreSQL cluster of its own, exactly as `make test` makes one; passwords stay in files and on stdin.
mkdir -p "$tmp/secrets" "$tmp/keys" "$tmp/witness" "$tmp/browser/home"
chmod 700 "$tmp/secrets" "$tmp/keys" "$tmp/browser"
(umask 077; random_secret > "$tmp/secrets/superuser.password")
owner_pw=$(random_secret)
app_pw=$(random_secret)
pg_port=$(pg_free_port)
pg_init "$tmp/pg" "$tmp/secrets/superuser.password"
pg_start "$tmp/pg" "$tmp/run" "$pg_port" "$tmp/postgres.log"
pg_bootstrap "$tmp/run" "$pg_port" "$(cat "$tmp/secrets/superuser.password")" "$owner_pw" "$app_pw" ledger
echo "Browser test PostgreSQL on port $pg_port"

# The gateway's whole configuration, explicitly: nothing may fall back to .data/ (keys, witness file) or to a
# DATABASE_URL, inline key or chain name that happens to be in the caller's environment.
unset LEDGER_SIGNING_KEY LEDGER_KEK TOKEN_SIGNING_KEY CORS_ALLOWED_ORIGINS LEDGER_CHAIN LEDGER_ORIGIN
export DATABASE_URL="postgresql://ledger_app:$app_pw@/ledger?host=$tmp/run&port=$pg_port"
export DATABASE_OWNER_URL="postgresql://ledger_owner:$owner_pw@/ledger?host=$tmp/run&port=$pg_port"
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
# Passkeys belong to a site: the browser is sent to http://localhost:PORT (a secure context, unlike an IP
# address over plain HTTP), so that is the relying party and the one origin ceremonies may come from.
export WEBAUTHN_RP_ID=localhost
export WEBAUTHN_ORIGINS="http://localhost:$PORT"
# Every request comes from 127.0.0.1: the limits stay on, but far above what the run needs, so that a slow
# machine retrying cannot trip them.
export RATE_LIMIT_ADDRESS_PER_MINUTE=10000000 RATE_LIMIT_USER_PER_MINUTE=10000000
export LOGIN_SLOWDOWN_AFTER_FAILURES=1000 LOGIN_LOCKOUT_AFTER_FAILURES=1000 LOGIN_ADDRESS_LOCKOUT_AFTER_FAILURES=1000000
# Every sign-in and enrolment hashes a password: the cheapest cost allowed (OWASP's minimum) keeps that quick.
export PASSWORD_HASH_MEMORY_KIB=19456 PASSWORD_HASH_PASSES=2

"$gateway" keygen >/dev/null
"$gateway" migrate >"$tmp/migrate.log" 2>&1 || { cat "$tmp/migrate.log" >&2; fail "gateway migrate failed"; }
# The invite token is read from the command's output, never echoed.
admin_invite=$("$gateway" admin-invite --email admin@hospital.example --name 'Browser Test Administrator' \
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

# api METHOD PATH [HEADER_FILE] < JSON: one seeding request; prints the answer's body, fails on anything but 2xx.
# Bodies go on stdin and the bearer token in a header file, so neither passwords nor tokens reach argv.
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
# json FIELD: one top-level (or dotted) field of the JSON on stdin.
json() { python3 -c 'import json, sys
value = json.load(sys.stdin)
for key in sys.argv[1].split("."): value = value[key]
print(value)' "$1"; }

echo "Inviting a clinician through the API"
# The administrator enrols with the first-administrator invite and signs in; the header file is mode 0600.
(umask 077
 random_secret > "$tmp/secrets/admin.password"
 printf '{"token":"%s","password":"%s"}' "$admin_invite" "$(cat "$tmp/secrets/admin.password")" \
   | api POST /v1/auth/enroll >/dev/null
 printf '{"email":"admin@hospital.example","password":"%s"}' "$(cat "$tmp/secrets/admin.password")" \
   | api POST /v1/auth/login | json accessToken > "$tmp/secrets/admin.token"
 printf 'Authorization: Bearer %s\n' "$(cat "$tmp/secrets/admin.token")" > "$tmp/secrets/admin.header")
# The clinician's invite token goes to the browser test in a 0600 file, never on a command line.
clinician_email=clinician@hospital.example
(umask 077
 printf '{"email":"%s","name":"Browser Test Clinician","roles":["clinician"]}' "$clinician_email" \
   | api POST /v1/users "$tmp/secrets/admin.header" > "$tmp/secrets/clinician.invitation.json"
 json token < "$tmp/secrets/clinician.invitation.json" > "$tmp/secrets/clinician.invite")
clinician_id=$(json account.id < "$tmp/secrets/clinician.invitation.json")

# chromedriver in a session (and so a process group) of its own, with its temporary files and the browser's
# profile inside the run's directory rather than in /tmp and the caller's home. Its log stays at warnings: at
# the default level it records every command, the typed password and the authenticator's keys among them.
driver_port=$(pg_free_port)
HOME="$tmp/browser/home" TMPDIR="$tmp/browser" \
  setsid "$chromedriver" --port="$driver_port" --log-level=WARNING --log-path="$tmp/chromedriver.log" >/dev/null 2>&1 &
driver_pid=$!
for _ in $(seq 1 40); do
  kill -0 "$driver_pid" 2>/dev/null || fail "chromedriver stopped during start-up (see $tmp/chromedriver.log)"
  curl -fsS -o /dev/null "http://127.0.0.1:$driver_port/status" 2>/dev/null && break
  sleep 0.25
done
curl -fsS -o /dev/null "http://127.0.0.1:$driver_port/status" || fail "chromedriver was not ready after 10 s"

echo "Driving headless Chromium through http://localhost:$PORT/console"
# The test keeps to the budget itself (and leaves a screenshot when it fails); timeout is the backstop for a
# browser that hangs outright.
CONSOLE_BASE_URL="http://localhost:$PORT" \
WEBDRIVER_URL="http://127.0.0.1:$driver_port" \
CONSOLE_INVITE_FILE="$tmp/secrets/clinician.invite" \
CONSOLE_EMAIL="$clinician_email" \
CONSOLE_ARTIFACTS="$tmp" \
CONSOLE_STEPS_FILE="$tmp/steps" \
CONSOLE_TIMEOUT="$budget" \
CHROMIUM_BINARY="$chromium" \
  timeout --kill-after=10 "$((budget + 30))" python3 Tests/Browser/console_test.py \
  || fail "the browser test failed (screenshot and browser console log in $tmp)"
steps=$(cat "$tmp/steps")

# The ledger, read as its owner: what the clinician did, in order, with each entry's outcome and the sign-in
# method its payload names (the entry's canonical JSON is the record; the columns are only copies).
ledger() {
  PGPASSWORD="$owner_pw" psql -X -q -At -F ' ' -v ON_ERROR_STOP=1 -v user_id="$clinician_id" \
    -h "$tmp/run" -p "$pg_port" -U ledger_owner -d ledger
}
ledger > "$tmp/ledger.txt" <<'SQL' || fail "could not read the ledger"
SELECT e.action, doc ->> 'outcome', coalesce(doc #>> '{payload,clear,method}', '-')
FROM ledger_entries e CROSS JOIN LATERAL (SELECT convert_from(e.canonical, 'UTF8')::jsonb AS doc) AS entry
WHERE e.chain_id = 'main' AND e.actor_id = :'user_id'
ORDER BY e.seq;
SQL

if awk '$2 != "success"' "$tmp/ledger.txt" | grep -q .; then
  echo "Entries for the clinician that did not succeed:" >&2
  awk '$2 != "success"' "$tmp/ledger.txt" | sed 's/^/  /' >&2
  fail "the ledger records failures or refusals for the clinician"
fi
steps=$((steps + 1))
echo "  ok $steps: nothing failed or was refused for the clinician"

# ACTION OUTCOME METHOD, exactly these and in this order; '*' takes any method (or none). A missing step, a
# repeated one or one the page should not have caused all show here.
expected=(
  "user.enroll success password"
  "auth.login success password"
  "passkey.register success *"
  "auth.logout success *"
  "auth.login success passkey"
  "auth.step_up success passkey"
  "auth.logout success *"
)
mapfile -t actual < "$tmp/ledger.txt"
mismatch=""
for i in "${!expected[@]}"; do
  read -r want_action want_outcome want_method <<<"${expected[$i]}"
  read -r action outcome method <<<"${actual[$i]:-}"
  if [ "$action" != "$want_action" ] || [ "$outcome" != "$want_outcome" ] \
    || { [ "$want_method" != '*' ] && [ "$method" != "$want_method" ]; }; then
    mismatch="entry $((i + 1)) should be '${expected[$i]}', but is '${actual[$i]:-missing}'"
    break
  fi
done
if [ -z "$mismatch" ] && [ ${#actual[@]} -ne ${#expected[@]} ]; then
  mismatch="there are ${#actual[@]} entries rather than ${#expected[@]}"
fi
if [ -n "$mismatch" ]; then
  echo "The clinician's ledger entries (action, outcome, method):" >&2
  sed 's/^/  /' "$tmp/ledger.txt" >&2
  fail "the ledger does not hold the clinician's steps: $mismatch"
fi
steps=$((steps + 1))
echo "  ok $steps: the ledger holds exactly the clinician's ${#expected[@]} steps, in order"

echo "browser-test: passed ($steps steps)"
