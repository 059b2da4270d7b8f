#!/usr/bin/env bash
# The desktop app's footprint: launch-to-first-paint and PSS of the whole
# process tree after opening every screen, with the empty-Tauri-window and
# headless-Chromium baselines measured in the same run. `--smoke` runs it once
# with short waits (CI: proves it works, judges no figure).
# Full mode builds release binaries; smoke mode reuses the debug ones.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
profile=release
if [ "${1:-}" = "--smoke" ]; then profile=debug; fi
[ -f ui/dist/index.html ] || npm --prefix ui run build --silent
if [ $profile = debug ]; then
  # As the test run builds it: nothing is compiled twice.
  cargo test --workspace --features paydesk-app/custom-protocol --no-run --quiet
else
  cargo build --release -p paydesk-app --features custom-protocol --bin paydesk-app --example empty_window --quiet
  cargo build --release -p paydesk-cli --quiet
fi
export PAYDESK_APP="$root/target/$profile/paydesk-app"
export PAYDESK_EMPTY_WINDOW="$root/target/$profile/examples/empty_window"
export PAYDESK_CLI="$root/target/$profile/paydesk"
# The app under WebDriver inherits tauri-driver's environment: its data
# directory (with sandbox profiles, so the home screen is the balances) is set here.
export PAYDESK_DATA_DIR=$(mktemp -d) PAYDESK_SANDBOX_PORT=0
exec scripts/with-tauri-driver.sh bash -c '
  "$PAYDESK_CLI" --data-dir "$PAYDESK_DATA_DIR" profile add-sandbox --sandbox-url http://127.0.0.1:1 >/dev/null || exit 1
  cd ui && node e2e-desktop/footprint.mjs "$1"
' bash "${1:-}"
