#!/usr/bin/env bash
# `make clean-data`: removes .data/ (the local database, its passwords and the keys) after asking.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
[ -d .data ] || { echo "Nothing to remove: .data/ does not exist."; exit 0; }
if [ "${FORCE:-}" != 1 ]; then
  if [ ! -t 0 ]; then
    echo "Refusing to delete .data/ without a terminal to confirm on; run 'FORCE=1 make clean-data'." >&2
    exit 1
  fi
  read -r -p "Delete .data/ (local database, signing keys and key-encryption key; PHI sealed under them becomes unreadable)? [y/N] " answer
  case "$answer" in y|Y|yes|YES) ;; *) echo "Kept .data/."; exit 0 ;; esac
fi
source scripts/pg.sh
pg_running .data/pg && pg_stop "$root/.data/pg" fast
rm -rf .data
echo "Removed .data/."
