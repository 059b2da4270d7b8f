#!/usr/bin/env bash
# Installs what is missing, then runs every test PayDesk has: formatting and
# lints, the Rust suites (real SQLite, real Secret Service, sandbox over
# loopback), the UI's unit and browser tests, the desktop end-to-end journey in
# the real webview, and the benchmarks in smoke mode.
set -uo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
# A cold build is all a CI run does: incremental state would only cost time.
[ "${CI:-}" = true ] && export CARGO_INCREMENTAL=0
FEATURES="paydesk-app/custom-protocol"

scripts/setup.sh --test || { echo "setup failed"; exit 1; }

passed=0; failed=0; failures=()
step() {
  local name=$1; shift
  echo; echo "==> $name"
  local t0=$SECONDS
  if "$@"; then passed=$((passed+1)); echo "<== $name: ok ($((SECONDS-t0)) s)"
  else failed=$((failed+1)); failures+=("$name"); echo "<== $name: FAILED ($((SECONDS-t0)) s)"; fi
}

# The app embeds the built UI, so the UI is built first.
step "ui build" npm --prefix ui run build --silent
step "rustfmt" cargo fmt --all -- --check
step "clippy" cargo clippy --workspace --all-targets --features "$FEATURES" -- -D warnings
# Under a throwaway PostgreSQL cluster: the store and team tests run on both engines.
step "rust tests" scripts/with-postgres.sh scripts/with-keyring.sh cargo test --workspace --features "$FEATURES"
# The CLI suite and the fault/crash suites a second time with PostgreSQL as the
# store (crates/cli/tests/support/engine.rs: a fresh database per test; the
# tests about the SQLite file itself are listed there). Mostly waiting on
# loopback I/O, so more test threads than cores.
PG_SUITES=(cli integrity issue10 sync sync_cli batch notify notify_callbacks notify_crash
  notify_demo notify_sandbox faults crash hostile concurrency)
step "rust suites on PostgreSQL" env PAYDESK_TEST_ENGINE=postgres scripts/with-postgres.sh \
  scripts/with-keyring.sh cargo test --workspace --features "$FEATURES" \
  $(printf -- '--test %s ' "${PG_SUITES[@]}") -- --test-threads=4
step "ui check" npm --prefix ui run check --silent
step "ui unit tests" npm --prefix ui test --silent
step "ui browser journeys" npm --prefix ui run e2e:browser --silent
# A webview that stops answering WebDriver must fail its step, not hold the
# run until CI's own limit (a hung screenshot once did).
step "desktop e2e" timeout --kill-after=30 1200 scripts/e2e-desktop.sh
step "benchmarks (smoke)" scripts/bench.sh --smoke
step "footprint benchmark (smoke)" timeout --kill-after=30 1200 scripts/bench-footprint.sh --smoke

# A test run leaves the tree as it found it: no tracked file rewritten, no
# stray file left outside the ignored build and artifact folders.
tree_is_clean() {
  local dirty
  dirty=$(git status --porcelain)
  [ -z "$dirty" ] && return 0
  echo "the test run changed the tree:"; echo "$dirty"; return 1
}
step "tree left clean" tree_is_clean

echo
[ $failed -gt 0 ] && echo "failed steps: ${failures[*]}"
echo "steps: $passed passed, $failed failed"
[ $failed -eq 0 ]
