#!/usr/bin/env bash
# PayDesk benchmarks: store look-up and history pages (criterion), write
# throughput and database size, `paydesk order get` end to end, and a batch of
# payouts against the sandbox with injected latency. Figures: docs/BENCHMARKS.md.
#
#   scripts/bench.sh           full run: 10k, 100k and 1M orders, release builds
#   scripts/bench.sh --smoke   CI: 2,000 orders, few iterations, debug builds;
#                              fails only when something breaks, never on timing
#
# Every figure is printed as a FIGURE line; the run's log and a summary table
# are kept under target/bench-results/. PAYDESK_BENCH_DIR keeps the generated
# histories somewhere else (default: a temp dir removed at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

mode=full
case "${1:-}" in
  "") ;;
  --smoke) mode=smoke ;;
  *) echo "usage: scripts/bench.sh [--smoke]" >&2; exit 2 ;;
esac

target_dir=${CARGO_TARGET_DIR:-target}
results=$target_dir/bench-results
mkdir -p "$results"
stamp=$(date +%Y%m%d-%H%M%S)
log=$results/$mode-$stamp.log
summary=$results/$mode-$stamp.md

if [ -z "${PAYDESK_BENCH_DIR:-}" ]; then
  PAYDESK_BENCH_DIR=$(mktemp -d "${TMPDIR:-/tmp}/paydesk-bench.XXXXXX")
  trap 'rm -rf "$PAYDESK_BENCH_DIR"' EXIT
fi
export PAYDESK_BENCH_DIR

if [ $mode = smoke ]; then
  export PAYDESK_BENCH_SMOKE=1
  export PAYDESK_BENCH_SIZES=${PAYDESK_BENCH_SIZES:-2000}
  profile_dir=debug; release=()
  spawn_runs=(--runs 5 --warmup 1)
  batch_args=(--orders 64 --concurrency 16 --delay-ms 5)
  ab_args=(--orders 2000 --rounds 1)
  search_args=(--runs 3)
else
  export PAYDESK_BENCH_SIZES=${PAYDESK_BENCH_SIZES:-10000,100000,1000000}
  profile_dir=release; release=(--release)
  spawn_runs=(--runs 200 --warmup 10)
  batch_args=(--orders 1000 --concurrency 16 --delay-ms 50)
  ab_args=(--orders 100000 --rounds 2)
  search_args=(--runs 300)
fi
bin=$target_dir/$profile_dir/paydesk
harness=$target_dir/$profile_dir/examples/paydesk_bench

exec > >(tee "$log") 2>&1
t_start=$SECONDS
section() { echo; echo "==> $* ($((SECONDS - t_start)) s)"; }

section "machine"
echo "mode: $mode; sizes: $PAYDESK_BENCH_SIZES; histories in $PAYDESK_BENCH_DIR"
echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ' (with local changes)')"
echo "cores: $(nproc)"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
free -h | sed -n 1,2p
echo "rustc: $(rustc --version)"

section "build (${profile_dir})"
if [ $mode = smoke ]; then
  # The test run's package set and features, so its debug build is reused
  # (a narrower -p selection unifies dependency features differently and
  # recompiles tokio, sqlx, reqwest... again).
  selection=(--workspace --features paydesk-app/custom-protocol)
else
  selection=(-p paydesk-cli)
fi
if [ $mode = smoke ]; then
  # `cargo test --no-run` builds the bins and examples with the dev-dependencies'
  # features too, exactly as the test run did: nothing is compiled twice.
  cargo test "${selection[@]}" --no-run
else
  cargo build "${release[@]}" "${selection[@]}" --bin paydesk --example paydesk_bench
fi

section "write: generate the histories through the store"
"$harness" gen

section "write: the trigram index set-based (0014), through per-row triggers, and before 0012, in turns"
"$harness" write-ab "${ab_args[@]}"

section "search: history pages, substrings included, p50/p99 (release CLI build)"
"$harness" search "${search_args[@]}"

section "store: look-up and history pages (criterion)"
if [ $mode = smoke ]; then
  # Criterion's test mode: every benchmark once; the percentile loops run short.
  cargo test "${selection[@]}" --bench store
else
  cargo bench -p paydesk-core --bench store
fi

section "paydesk order get, end to end (process start included)"
IFS=, read -r -a sizes <<<"$PAYDESK_BENCH_SIZES"
for n in "${sizes[@]}"; do
  dir=$PAYDESK_BENCH_DIR/orders-$n
  no=$(sed -n "$(( $(wc -l <"$dir/sample-order-nos.txt") / 2 + 1 ))p" "$dir/sample-order-nos.txt")
  # No D-Bus session: proves the look-up never needs the keyring.
  cmd=(env -u DBUS_SESSION_BUS_ADDRESS "$bin" --data-dir "$dir" --lang en order get "$no")
  "${cmd[@]}" >/dev/null
  "$harness" spawn "${spawn_runs[@]}" --target-ms 50 --name "order_get/$n" -- "${cmd[@]}"
  if [ $mode = full ] && command -v hyperfine >/dev/null; then
    hyperfine -N --warmup 10 --runs 200 --style basic "${cmd[*]}" 2>&1 | sed -n '1,4p'
  fi
done

section "batch: payouts against the sandbox with injected latency"
"$harness" batch "${batch_args[@]}"

section "summary"
{
  echo "# PayDesk benchmarks: $mode run of $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  [ $mode = smoke ] && echo "Smoke run: debug builds and tiny sizes; the verdicts below mean nothing here." && echo
  echo "| figure | value | unit | target / note |"
  echo "| --- | ---: | --- | --- |"
  grep -a '^FIGURE' "$log" | awk -F'\t' '{ printf "| %s | %s | %s | %s |\n", $2, $3, $4, $5 }'
} >"$summary"
cat "$summary"
echo
echo "bench ($mode) done in $((SECONDS - t_start)) s; log $log, summary $summary"
