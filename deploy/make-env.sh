#!/usr/bin/env bash
# Writes deploy/gateway.env for docker-compose with fresh secrets. Refuses to overwrite an existing one:
# replacing the signing key or KEK of a running ledger is a rotation, not a reset.
set -euo pipefail
cd "$(dirname "$0")"
if [ -e gateway.env ]; then
  echo "deploy/gateway.env exists; keeping it." >&2
  exit 0
fi
secret() { head -c 24 /dev/urandom | base64 | tr -d '/+='; }
umask 077
signing=$(openssl genpkey -algorithm ed25519 | sed -n 2p)
token=$(openssl genpkey -algorithm ed25519 | sed -n 2p)
kek=$(head -c 32 /dev/urandom | base64)
sed -e "s/CHANGE_ME_superuser/$(secret)/" \
    -e "s/CHANGE_ME_owner/$(secret)/g" \
    -e "s/CHANGE_ME_app/$(secret)/g" \
    -e "s|CHANGE_ME_signing_key|$signing|" \
    -e "s|CHANGE_ME_token_key|$token|" \
    -e "s|CHANGE_ME_kek|$kek|" gateway.env.example > gateway.env
echo "Wrote deploy/gateway.env (mode 0600). Keep a copy of LEDGER_SIGNING_KEY and LEDGER_KEK somewhere safe."
