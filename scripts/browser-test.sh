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
# shellcheck source=scripts/live-gateway.sh
source scripts/live-gateway.sh

# Everything here talks to this machine only; a proxy in the caller's environment must not see any of it.
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}"

tmp=$(mktemp -d /tmp/phi-ledger-browser-test.XXXXXX)
chmod 711 "$tmp"   # the postgres user must reach the cluster and socket directories inside
driver_pid=""
live_name=browser-test
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
  live_stop
  if [ -n "$keep" ] || [ "$status" -ne 0 ]; then
    # The browser profile goes too. The screenshot may show the clinician's invite token, which is worthless once
    # the cluster is gone.
    live_discard_secrets "$tmp/browser"
    echo "Kept for a look: $tmp (gateway.log, chromedriver.log, console-failure.png, browser-console.log)" >&2
  else
    rm -rf "$tmp"
  fi
}
trap cleanup EXIT

mkdir -p "$tmp/browser/home"
chmod 700 "$tmp/browser"
live_cluster "Browser test"
live_environment
# Passkeys belong to a site: the browser is sent to http://localhost:PORT (a secure context, unlike an IP
# address over plain HTTP), so that is the relying party and the one origin ceremonies may come from.
export WEBAUTHN_RP_ID=localhost
export WEBAUTHN_ORIGINS="http://localhost:$PORT"
live_gateway 'Browser Test Administrator'

echo "Inviting a clinician through the API"
enroll_and_login admin "$admin_invite" admin@hospital.example
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
  PGPASSWORD="$(cat "$tmp/secrets/owner.password")" psql -X -q -At -F ' ' -v ON_ERROR_STOP=1 -v user_id="$clinician_id" \
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
