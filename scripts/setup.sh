#!/usr/bin/env bash
# Installs what PayDesk needs on a Debian machine, skipping what is already
# there. Usage: scripts/setup.sh [--test]   (--test adds the test tools)
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

build_pkgs=(libwebkit2gtk-4.1-dev libxdo-dev libayatana-appindicator3-dev librsvg2-dev libssl-dev libdbus-1-dev pkg-config build-essential curl file)
# fonts-noto-cjk: without a CJK font every Chinese character is a box on a bare machine.
run_pkgs=(gnome-keyring dbus dbus-x11 xdg-utils fonts-noto-cjk)
# postgresql: team mode's tests start a throwaway cluster (scripts/with-postgres.sh).
test_pkgs=(xvfb xauth webkit2gtk-driver chromium postgresql)
pkgs=("${build_pkgs[@]}" "${run_pkgs[@]}")
[ $want_test = 1 ] && pkgs+=("${test_pkgs[@]}")
command -v node >/dev/null || pkgs+=(nodejs)
command -v npm >/dev/null || pkgs+=(npm)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null; then
  echo "cargo (Rust 1.85 or newer) is required: install it with rustup, then run this again" >&2
  exit 1
fi

# The UI's packages (and the tauri CLI), exactly as locked.
if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  echo "==> installing the UI's npm packages"
  # `npm install` against the committed lock, not `npm ci`: npm 11 leaves other
  # platforms' optional packages (rollup, the tauri CLI) out of the lock and
  # `npm ci` then refuses it. The lock is left unchanged (checked in CI).
  (cd ui && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund --loglevel=error)
fi

if [ $want_test = 1 ] && ! command -v tauri-driver >/dev/null; then
  echo "==> installing tauri-driver (crates.io)"
  cargo install tauri-driver --locked --quiet
fi
