#!/usr/bin/env bash
# `duplicates` over the product code of a folder, tests aside: the Rust files
# git tracks below DIR, each without its trailing `#[cfg(test)] mod tests`
# block, test-only files (`test_support.rs`, `tests/`) left out. Issue 9's
# check: `scripts/product-duplicates.sh src-tauri/crates/core/src/providers`
# finds no pair. Extra arguments go to `duplicates` (e.g. `--most 40`).
set -euo pipefail
dir=${1:?usage: scripts/product-duplicates.sh DIR [duplicates options]}
shift
root=$(git rev-parse --show-toplevel)
copy=$(mktemp -d)
trap 'rm -rf "$copy"' EXIT
cd "$root/$dir"
git ls-files -- '*.rs' | grep -v -E '(^|/)(test_support\.rs|tests\.rs|tests/)' | while read -r f; do
  mkdir -p "$copy/$(dirname "$f")"
  # Everything before a `#[cfg(test)]` line followed by `mod tests`.
  awk 'prev ~ /^#\[cfg\(test\)\]/ && $0 ~ /^mod tests/ {exit} NR > 1 {print prev} {prev = $0} END {if (prev !~ /^#\[cfg\(test\)\]/) print prev}' "$f" > "$copy/$f"
done
cd "$copy"
duplicates "$@"
