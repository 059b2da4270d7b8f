//! Schema v2 (migration 0004) on a database written by the old schema:
//! every row is still there, reachable through the store as before.

use crate::domain::{OrderKind, OrderStatus};
use crate::store::{OrderFilter, OrderUpdate, OrderWrite, Store};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::SqlitePool;
use std::str::FromStr;

const P1: &str = "11111111-1111-4111-8111-111111111111";
const P2: &str = "22222222-2222-4222-8222-222222222222";

/// A v1 database: migrations 0001-0003 only, rows written with their SQL.
async fn v1_database(path: &std::path::Path) {
    let opts = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))
        .unwrap()
        .create_if_missing(true)
        .foreign_keys(true);
    let pool = SqlitePool::connect_with(opts).await.unwrap();
    let mut m = sqlx::migrate!("./migrations");
    m.migrations = m
        .migrations
        .iter()
        .filter(|x| x.version <= 3)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    m.run(&pool).await.unwrap();
    for (id, name, removed) in [(P1, "A", None), (P2, "B", Some(5i64))] {
        sqlx::query("INSERT INTO profiles (id, name, provider, base_url, merchant_id, created_at, updated_at, removed_at) VALUES (?, ?, 'jstpay', 'http://127.0.0.1:1', 'M', 1, 1, ?)")
            .bind(id).bind(name).bind(removed).execute(&pool).await.unwrap();
    }
    for i in 1..=30i64 {
        let pid = if i % 3 == 0 { P2 } else { P1 };
        let status = if i % 2 == 0 { "succeeded" } else { "pending" };
        let fields =
            format!(r#"{{"payee_name":"张{i}","account_no":"6222{i:04}","branch":"浦东"}}"#);
        sqlx::query("INSERT INTO orders (id, profile_id, order_no, kind, amount_fen, payee_name, account_no, fields, status, provider_order_id, message, created_by, created_at, updated_at) VALUES (?, ?, ?, 'payout', ?, ?, ?, ?, ?, ?, ?, 'alice', ?, ?)")
            .bind(i * 10).bind(pid).bind(format!("PDP2410{i:05}")).bind(i * 100)
            .bind(format!("张{i}")).bind(format!("6222{i:04}")).bind(&fields).bind(status)
            .bind((i % 2 == 0).then(|| format!("GW{i}"))).bind(format!("note {i}"))
            .bind(1_000 + i).bind(2_000 + i)
            .execute(&pool).await.unwrap();
        for (k, action) in ["create", "query"].iter().enumerate() {
            sqlx::query("INSERT INTO order_events (order_id, at, action, status, message, exchanges) VALUES (?, ?, ?, ?, ?, '[]')")
                .bind(i * 10).bind(1_000 + i + k as i64).bind(action).bind(status).bind(format!("event {i}/{k}"))
                .execute(&pool).await.unwrap();
        }
    }
    for (pid, at) in [(P1, 10i64), (P1, 20), (P2, 30)] {
        sqlx::query("INSERT INTO balance_readings (profile_id, at, balance_fen, details) VALUES (?, ?, ?, '{\"frozen\":5}')")
            .bind(pid).bind(at).bind(at * 1000).execute(&pool).await.unwrap();
    }
    for i in 0..4 {
        sqlx::query("INSERT INTO audit_log (at, os_user, action, target, detail) VALUES (?, 'alice', 'payout.create', ?, NULL)")
            .bind(i).bind(format!("T{i}")).execute(&pool).await.unwrap();
    }
    sqlx::query("INSERT INTO settings (key, value) VALUES ('lang', 'en')")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
}

#[tokio::test]
async fn a_v1_database_is_migrated_in_place_with_every_row() {
    let dir = tempfile::tempdir().unwrap();
    v1_database(&dir.path().join("paydesk.db")).await;
    let s = Store::open(dir.path()).await.unwrap();

    // Profiles: public ids unchanged, the removed one still removed.
    let live = s.profiles().await.unwrap();
    assert_eq!(live.len(), 1);
    assert_eq!((live[0].id.as_str(), live[0].name.as_str()), (P1, "A"));
    assert!(s.profile("B").await.is_err());

    // Every order, with its id, profile id, fields and events.
    let mut all = Vec::new();
    let mut f = OrderFilter {
        limit: Some(7),
        ..Default::default()
    };
    loop {
        let page = s.list_orders(&f).await.unwrap();
        all.extend(page.orders);
        match page.next {
            Some(c) => f.after = Some(c),
            None => break,
        }
    }
    assert_eq!(all.len(), 30);
    for o in &all {
        let i = o.id / 10;
        assert_eq!(o.order_no, format!("PDP2410{i:05}"));
        assert_eq!(o.profile_id, if i % 3 == 0 { P2 } else { P1 });
        assert_eq!(o.profile, if i % 3 == 0 { "B" } else { "A" });
        assert_eq!(o.amount_fen, i * 100);
        assert_eq!(o.payee_name.as_deref(), Some(format!("张{i}").as_str()));
        assert_eq!(o.fields.get("branch").map(String::as_str), Some("浦东"));
        assert_eq!(o.message.as_deref(), Some(format!("note {i}").as_str()));
        assert_eq!((o.created_at, o.updated_at), (1_000 + i, 2_000 + i));
        let ev = s.order_events(o.id).await.unwrap();
        assert_eq!(
            ev.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
            ["create", "query"]
        );
        assert_eq!(
            ev[1].message.as_deref(),
            Some(format!("event {i}/1").as_str())
        );
    }
    // Look-up by number and by gateway id, filters by profile (also removed).
    assert_eq!(s.find_orders("PDP241000004", None).await.unwrap()[0].id, 40);
    assert_eq!(s.find_orders("GW8", Some(P1)).await.unwrap()[0].id, 80);
    assert!(s.find_orders("GW6", Some(P1)).await.unwrap().is_empty());
    let b = OrderFilter {
        profile: Some("B".into()),
        status: Some(OrderStatus::Pending),
        limit: Some(100),
        ..Default::default()
    };
    let ids: Vec<i64> = s
        .list_orders(&b)
        .await
        .unwrap()
        .orders
        .iter()
        .map(|o| o.id)
        .collect();
    assert_eq!(ids, [270, 210, 150, 90, 30]);
    assert_eq!(s.open_orders().await.unwrap().len(), 15);
    let search = OrderFilter {
        search: Some("pdp24100002".into()),
        ..Default::default()
    };
    assert_eq!(s.list_orders(&search).await.unwrap().orders.len(), 10);
    assert_eq!(
        s.sum_amount(P1, OrderKind::Payout, 0, 10_000)
            .await
            .unwrap(),
        (1..=30)
            .filter(|i| i % 3 != 0)
            .map(|i| i * 100)
            .sum::<i64>()
    );

    // Balance readings, audit log (still append-only), settings.
    let h = s.balance_history(P1, 10).await.unwrap();
    assert_eq!(h.iter().map(|b| b.at).collect::<Vec<_>>(), [20, 10]);
    assert_eq!(h[0].profile_id, P1);
    assert_eq!(h[0].details.get("frozen"), Some(&5));
    assert_eq!(s.balance_history(P2, 10).await.unwrap().len(), 1);
    assert_eq!(s.audit_entries(10).await.unwrap().len(), 4);
    assert!(sqlx::query("DELETE FROM audit_log")
        .execute(s.pool())
        .await
        .is_err());
    assert_eq!(s.setting("lang").await.unwrap().as_deref(), Some("en"));

    // The numbers stay unique per profile, and writes go on where ids left off.
    let mut dup = crate::store::test_support::new_order(P1, "PDP241000001", 5_000);
    assert!(matches!(
        s.insert_order(&dup).await,
        Err(crate::error::CoreError::Conflict(_))
    ));
    dup.order_no = "NEW1".into();
    let id = s.insert_order(&dup).await.unwrap();
    assert!(id > 300);
    let o = s
        .update_order(OrderWrite::new(id, "query", &OrderUpdate::default(), 6_000))
        .await
        .unwrap();
    assert_eq!(o.profile_id, P1);

    // Nothing dangling, nothing broken.
    let fk: Vec<(String,)> = sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
        .fetch_all(s.pool())
        .await
        .unwrap();
    assert!(fk.is_empty(), "{fk:?}");
    let ok: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(s.pool())
        .await
        .unwrap();
    assert_eq!(ok, "ok");
}
