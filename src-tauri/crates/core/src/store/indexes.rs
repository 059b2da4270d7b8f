//! Every index earns its space: each one is used by a query the store runs,
//! proved here with `EXPLAIN QUERY PLAN` on the store's own SQL (issue 9,
//! schema v2). An index added without a query that uses it fails the last
//! check; a query that stops using its index fails its own.

use super::rows::Arg;
use super::search::{history_query, prefix_union};
use super::test_support::{new_order, profile};
use super::{balances, orders, OrderFilter, Store};
use crate::domain::OrderStatus;

/// The plan of `sql` with `binds`, one line per step.
async fn plan(s: &Store, sql: &str, binds: &[Arg]) -> String {
    let eqp = format!("EXPLAIN QUERY PLAN {sql}");
    let mut q = sqlx::query_as::<_, (i64, i64, i64, String)>(&eqp);
    for a in binds {
        q = match a {
            Arg::Text(t) => q.bind(t.clone()),
            Arg::Int(i) => q.bind(*i),
        };
    }
    let rows = q.fetch_all(s.pool()).await.unwrap();
    rows.into_iter().map(|r| r.3).collect::<Vec<_>>().join("\n")
}

fn uses(plan: &str, index: &str) -> bool {
    plan.lines().any(|l| {
        l.contains(&format!("USING INDEX {index} "))
            || l.contains(&format!("USING COVERING INDEX {index} "))
            || l.ends_with(&format!("USING INDEX {index}"))
            || l.ends_with(&format!("USING COVERING INDEX {index}"))
    })
}

#[tokio::test]
async fn every_index_is_used_by_a_query_plan() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).await.unwrap();
    s.insert_profile(&profile("p1", "A")).await.unwrap();
    let batch: Vec<_> = (0..200)
        .map(|i| new_order("p1", &format!("PDP2410{i:05}"), 1_000 + i))
        .collect();
    s.insert_orders_batch(&batch).await.unwrap();

    let text = |v: &str| Arg::Text(v.into());
    let mut proved: Vec<(&str, String)> = Vec::new();
    let mut check = |index: &'static str, what: &str, plan: String| {
        assert!(uses(&plan, index), "{what} does not use {index}:\n{plan}");
        proved.push((index, plan));
    };

    // Look-up by number or gateway id: both equality indexes (a multi-index OR).
    let p = plan(
        &s,
        orders::FIND.sqlite(),
        &[text("PDP241000001"), Arg::Int(0)],
    )
    .await;
    check("orders_order_no", "look-up by number", p.clone());
    check("orders_provider_order_id", "look-up by gateway id", p);

    // History pages without a search.
    let conds = |f: OrderFilter| {
        let s = s.clone();
        async move { s.conditions(&f).await.unwrap() }
    };
    let (sql, binds) = history_query(&conds(OrderFilter::default()).await);
    check("orders_created", "all orders", plan(&s, &sql, &binds).await);
    let one = OrderFilter {
        profile: Some("A".into()),
        ..Default::default()
    };
    let (sql, binds) = history_query(&conds(one.clone()).await);
    check(
        "orders_profile_created",
        "one profile",
        plan(&s, &sql, &binds).await,
    );
    let pending = OrderFilter {
        status: Some(OrderStatus::Pending),
        ..Default::default()
    };
    let (sql, binds) = history_query(&conds(pending.clone()).await);
    check(
        "orders_open",
        "one open status",
        plan(&s, &sql, &binds).await,
    );
    let (sql, binds) = history_query(
        &conds(OrderFilter {
            profile: Some("A".into()),
            ..pending
        })
        .await,
    );
    check(
        "orders_profile_open",
        "one profile, one open status",
        plan(&s, &sql, &binds).await,
    );
    // Open orders: either partial index holds exactly them.
    let p = plan(&s, &orders::open_sql(), &[]).await;
    assert!(
        uses(&p, "orders_open") || uses(&p, "orders_profile_open"),
        "open orders use no partial index:\n{p}"
    );
    check(
        "orders_profile_created",
        "a day's amounts",
        plan(
            &s,
            orders::SUM_SQL,
            &[text("p1"), text("payout"), Arg::Int(0), Arg::Int(9)],
        )
        .await,
    );

    // Search for a term shorter than a trigram, one column at a time, as the
    // prefix-index plan reads them (longer terms use the trigram index of
    // migration 0012; the order number's prefix is then one of its
    // substrings).
    let all = conds(OrderFilter::default()).await;
    for (col, term, index) in [
        ("payee_name", "张", "orders_payee_search"),
        ("provider_order_id", "GW", "orders_provider_order_id_search"),
        ("order_no", "pd", "orders_order_no"),
        ("order_no", "P", "orders_order_no"),
    ] {
        let (sql, binds) = prefix_union(&all, term, &[col]);
        check(index, col, plan(&s, &sql, &binds).await);
    }

    // Events of an order, a profile's balance readings.
    check(
        "order_events_order",
        "an order's events",
        plan(&s, orders::EVENTS_SQL, &[Arg::Int(1)]).await,
    );
    check(
        "balance_readings_profile",
        "balance history",
        plan(&s, balances::HISTORY_SQL, &[text("p1"), Arg::Int(10)]).await,
    );

    // Every index of the store's tables is proved above, or enforces a rule
    // (other areas' tables prove their own).
    let constraints = ["profiles_live_name"];
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex_%' AND tbl_name IN ('profiles', 'orders', 'order_events', 'balance_readings', 'audit_log', 'settings')",
    )
    .fetch_all(s.pool())
    .await
    .unwrap();
    for n in &names {
        assert!(
            proved.iter().any(|(i, _)| i == n) || constraints.contains(&n.as_str()),
            "index {n} is used by no query the store runs"
        );
    }
}
