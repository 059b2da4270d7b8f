#!/usr/bin/env bash
# Installs what is missing, builds the UI and the desktop app, and launches it.
# With no profiles yet it starts on the embedded default: a local SQLite file
# and the built-in sandbox gateways, so it works without any credentials.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
npm --prefix ui run build --silent
cargo build -p paydesk-app --features custom-protocol --release
app=target/release/paydesk-app
if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
  echo "No desktop session bus: using a temporary keyring for this run (saved keys last until PayDesk closes)." >&2
  exec scripts/with-keyring.sh "$app" "$@"
fi
exec "$app" "$@"
