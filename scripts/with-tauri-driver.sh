#!/usr/bin/env bash
# Runs a command (from the repository root) with tauri-driver and
# WebKitWebDriver answering on 127.0.0.1:4444/4445, under Xvfb and a real
# Secret Service; the driver stops when the command ends. Its output goes to
# $TAURI_DRIVER_LOG (default: discarded). Used by the desktop e2e journey and
# the footprint benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
driver=$(command -v tauri-driver || echo "$HOME/.cargo/bin/tauri-driver")
exec scripts/with-keyring.sh xvfb-run -a -s "-screen 0 1400x900x24" bash -c '
  driver=$1 log=$2; shift 2
  "$driver" --port 4444 --native-port 4445 >"$log" 2>&1 &
  drv=$!
  trap "kill $drv 2>/dev/null || true" EXIT
  # Both the driver and WebKitWebDriver must answer before a session starts.
  for i in $(seq 1 100); do
    if (exec 3<>/dev/tcp/127.0.0.1/4444) 2>/dev/null && (exec 3<>/dev/tcp/127.0.0.1/4445) 2>/dev/null; then break; fi
    sleep 0.1
  done
  "$@"
' bash "$driver" "${TAURI_DRIVER_LOG:-/dev/null}" "$@"
