#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring,
# so the tests use the real Secret Service (never a mock) without touching the
# user's own keyring.
set -euo pipefail
if [ "${PAYDESK_IN_KEYRING_SESSION:-}" = 1 ]; then exec "$@"; fi
export PAYDESK_IN_KEYRING_SESSION=1
# A throwaway home for the keyring files of this run.
KEYRING_HOME=$(mktemp -d)
export KEYRING_HOME
exec dbus-run-session -- bash -c '
  export XDG_DATA_HOME="$KEYRING_HOME/data" XDG_CONFIG_HOME="$KEYRING_HOME/config"
  mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME"
  # The piped password (an empty line) creates and unlocks the login keyring.
  eval "$(echo "" | gnome-keyring-daemon --unlock --components=secrets)"
  export GNOME_KEYRING_CONTROL
  "$@"
' bash "$@"
