#!/usr/bin/env bash
# History pages, revision A against revision B, counted in instructions
# (valgrind's callgrind), which the machine's load does not change.
#
#   scripts/history-ab.sh A B [ORDERS]     e.g. scripts/history-ab.sh ff267ba main 200000
#
# PAYDESK_AB_DIR=DIR keeps the exports, binaries, histories and counts in DIR;
# with AB_KEEP_A=1 a second run there reuses A's counts and measures B only.
#
# Each revision is exported (git archive) into a temp dir; a small driver is
# written into its core crate, with the history cases and the deep-page cursor
# taken from that revision's own benches/store.rs, and built in release. The
# driver writes the revision's history once through that revision's store
# (benches/support, same seed), reads every page once, then reads each case's
# page CASE_RUNS times between two calls of `paydesk_case_mark`; callgrind
# dumps its counters at each call, so each dump holds one case alone, every
# thread included (sqlx runs SQLite on a thread of its own).
# Prints one table row per case: rows, instructions per page for A and B, B/A.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: scripts/history-ab.sh REV_A REV_B [ORDERS]" >&2; exit 2; }
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "needs valgrind" >&2; exit 1; }
n=${3:-200000}
runs=${CASE_RUNS:-5}
target=$(realpath "${CARGO_TARGET_DIR:-target}")
work=${PAYDESK_AB_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/paydesk-ab.XXXXXX")}
echo "work dir: $work (histories kept there)"

driver() { # $1 = the revision's core crate
  cat <<'EOF'
//! Written by scripts/history-ab.sh: history pages between callgrind dumps.
#[path = "../benches/support/mod.rs"]
#[allow(dead_code)]
mod support;

#[allow(unused_imports)]
use paydesk_core::store::OrderFilter;
#[allow(unused_imports)]
use paydesk_core::{OrderKind, OrderStatus};
#[allow(unused_imports)]
use support::{DAY_MS, END_MS, SPAN_DAYS};
EOF
  if grep -q 'pub fn cases(no: &str)' "$1/benches/support/mod.rs"; then
    # Since the substring cases (issue 14) the cases and the deep-page
    # cursor live in benches/support; the substring ones are cut out of a
    # sample order number of the history.
    cat <<'EOF'
use support::deep;
fn cases() -> Vec<support::Case> {
    let n = std::env::var("AB_ORDERS").unwrap().parse().unwrap();
    let nos = support::sample_order_nos(n);
    support::cases(&nos[nos.len() / 2])
}
EOF
  else
    cat <<'EOF'
struct Case {
    name: &'static str,
    filter: OrderFilter,
}
EOF
    sed -n '/^\/\/\/ The history screen/,/^}/p' "$1/benches/store.rs"
    sed -n '/^\/\/\/ A cursor 90%/,/^}/p' "$1/benches/store.rs"
  fi
  cat <<'EOF'
#[inline(never)]
#[no_mangle]
pub extern "C" fn paydesk_case_mark(i: usize) -> usize {
    std::hint::black_box(i)
}

fn main() {
    let n: usize = std::env::var("AB_ORDERS").unwrap().parse().unwrap();
    let k: usize = std::env::var("CASE_RUNS").unwrap().parse().unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let (store, _) = rt.block_on(support::open_or_generate(n));
    let mut list = Vec::new();
    for case in cases() {
        list.push((format!("{}/first", case.name), case.filter.clone()));
        list.push((format!("{}/deep", case.name), deep(&case.filter)));
    }
    let mut rows = Vec::new();
    for (_, f) in &list {
        rows.push(rt.block_on(store.list_orders(f)).expect("list_orders").orders.len());
    }
    for (i, (_, f)) in list.iter().enumerate() {
        paydesk_case_mark(i);
        for _ in 0..k {
            rt.block_on(store.list_orders(f)).expect("list_orders");
        }
    }
    paydesk_case_mark(list.len());
    for ((name, _), r) in list.iter().zip(rows) {
        println!("CASE\t{name}\t{r}");
    }
}
EOF
}

for side in a b; do
  rev=$([ $side = a ] && echo "$1" || echo "$2")
  if [ $side = a ] && [ -n "${AB_KEEP_A:-}" ] && [ -s "$work/cg-a/cases.txt" ]; then
    echo "a = $rev: counts kept from an earlier run in $work (AB_KEEP_A)"
    continue
  fi
  src=$work/$side
  rm -rf "$src" && mkdir -p "$src"
  git archive "$rev" | tar -x -C "$src"
  echo "$side = $rev ($(git rev-parse --short "$rev"))"
  core=$src/src-tauri/crates/core
  mkdir -p "$core/examples"
  driver "$core" >"$core/examples/history_ab.rs"
  (cd "$src" && CARGO_TARGET_DIR=$target cargo build --release --locked -p paydesk-core --example history_ab)
  cp "$target/release/examples/history_ab" "$work/history_ab-$side"
  mkdir -p "$work/hist-$side"
  # Natively first: writes the history when it is not there yet.
  PAYDESK_BENCH_DIR=$work/hist-$side AB_ORDERS=$n CASE_RUNS=0 "$work/history_ab-$side" >/dev/null
  rm -rf "$work/cg-$side" && mkdir -p "$work/cg-$side"
  (cd "$work/cg-$side" && PAYDESK_BENCH_DIR=$work/hist-$side AB_ORDERS=$n CASE_RUNS=$runs \
    valgrind --tool=callgrind --dump-before=paydesk_case_mark --callgrind-out-file=cg.out \
    "$work/history_ab-$side" >cases.txt 2>valgrind.log)
done

python3 - "$work" "$runs" "$1" "$2" "$n" <<'EOF'
import math, re, sys
work, runs, ra, rb, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
def load(side):
    out = {}
    names = [l.rstrip("\n").split("\t") for l in open(f"{work}/cg-{side}/cases.txt") if l.startswith("CASE")]
    for i, (_, name, rows) in enumerate(names):
        # Dump 1 is start-up and the warm pass; dump i + 2 is case i.
        text = open(f"{work}/cg-{side}/cg.out.{i + 2}").read()
        total = int(re.search(r"^totals: (\d+)", text, re.M).group(1))
        out[name] = (total / runs, int(rows))
    return [x[1] for x in names], out
_, a = load("a")
names, b = load("b")
print(f"\n{n} orders, instructions per page (callgrind, {runs} pages a case); A = {ra}, B = {rb}\n")
print("| case | rows | A | B | B/A |")
print("| --- | ---: | ---: | ---: | ---: |")
logs = []
for name in names:
    if name not in a:
        # A case that revision A's benchmark did not have (substrings).
        print(f"| {name} | {b[name][1]} | - | {b[name][0] / 1e6:.2f} M | - |")
        continue
    (ia, rows_a), (ib, rows_b) = a[name], b[name]
    logs.append(math.log(ib / ia))
    rows = str(rows_a) if rows_a == rows_b else f"{rows_a} / {rows_b}"
    print(f"| {name} | {rows} | {ia / 1e6:.2f} M | {ib / 1e6:.2f} M | {ib / ia:.2f} |")
print(f"\ngeometric mean B/A {math.exp(sum(logs) / len(logs)):.3f}, lowest {math.exp(min(logs)):.2f}, highest {math.exp(max(logs)):.2f}")
EOF
