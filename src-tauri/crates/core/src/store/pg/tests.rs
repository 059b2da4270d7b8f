//! PostgreSQL-only store tests: what SQLite's tests cannot show (many desks
//! racing on one server) and the engine's own set-up.

use crate::domain::OrderStatus;
use crate::error::CoreError;
use crate::store::open::DatabaseUrl;
use crate::store::test_support::{new_order, profile, TestDb};
use crate::store::{EngineKind, OrderUpdate, OrderWrite, Store, STATUS_CONFLICT};

fn settle(status: OrderStatus, desk: usize) -> OrderUpdate {
    OrderUpdate {
        status: Some(status),
        provider_order_id: Some(format!("GW-desk{desk}")),
        message: Some(format!("desk {desk}")),
        ..Default::default()
    }
}

/// Eight desks (eight pools, so eight server sessions) settle the same open
/// order at the same moment, half to succeeded and half to failed: exactly
/// one status wins, every write of the other is recorded as a conflict and
/// changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_desks_settle_an_order_exactly_once() {
    let Some(db) = TestDb::postgres("racing_desks_settle_an_order_exactly_once") else {
        return;
    };
    let mut desks = Vec::new();
    for _ in 0..8 {
        desks.push(db.open().await);
    }
    desks[0].insert_profile(&profile("p1", "A")).await.unwrap();
    for round in 0..10 {
        let id = desks[0]
            .insert_order(&new_order("p1", &format!("RACE{round}"), 100))
            .await
            .unwrap();
        let start = std::sync::Arc::new(tokio::sync::Barrier::new(desks.len()));
        let mut tasks = Vec::new();
        for (i, d) in desks.iter().enumerate() {
            let (d, start) = (d.clone(), start.clone());
            tasks.push(tokio::spawn(async move {
                let status = if i % 2 == 0 {
                    OrderStatus::Succeeded
                } else {
                    OrderStatus::Failed
                };
                start.wait().await;
                d.update_order(OrderWrite::new(
                    id,
                    "query",
                    &settle(status, i),
                    200 + i as i64,
                ))
                .await
                .unwrap()
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let o = desks[0].order(id).await.unwrap();
        let events = desks[0].order_events(id).await.unwrap();
        assert_eq!(events.len(), 1 + desks.len());
        let winners: Vec<_> = events[1..]
            .iter()
            .filter(|e| e.error_code.is_none())
            .collect();
        // Same-status writes after the winner are no conflict: they agree.
        let losers = events[1..]
            .iter()
            .filter(|e| e.error_code.as_deref() == Some(STATUS_CONFLICT))
            .count();
        assert_eq!(losers, desks.len() / 2, "the other status lost every time");
        assert!(winners.iter().all(|e| e.status == o.status));
        // The first write settled it; a later one that agreed may add to it
        // (as on SQLite); one that disagreed changed nothing.
        assert_eq!(events[1].status, o.status);
        let last = winners.last().unwrap();
        assert_eq!(o.message, last.message);
        assert_eq!(
            o.provider_order_id.as_deref().map(|g| g.replace("GW-", "")),
            last.message.as_deref().map(|m| m.replace(' ', ""))
        );
    }
}

/// A database migrated by a newer PayDesk is refused, with the reason.
#[tokio::test]
async fn refuses_a_newer_database() {
    let Some(db) = TestDb::postgres("pg_refuses_a_newer_database") else {
        return;
    };
    let s = db.open().await;
    assert_eq!(s.engine(), EngineKind::Postgres);
    s.test_execute("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (99999, 'future', TRUE, '\\x00', 0)")
        .await
        .unwrap();
    s.close().await;
    let TestDb::Postgres(pg) = &db else {
        unreachable!()
    };
    match Store::open_url(&pg.url).await {
        Err(CoreError::Storage(m)) => assert!(m.contains("99999"), "{m}"),
        other => panic!("{other:?}"),
    }
}

/// Two desks opening a new database at once migrate it once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_desks_open_a_new_database_at_once() {
    let Some(db) = TestDb::postgres("two_desks_open_a_new_database_at_once") else {
        return;
    };
    let (a, b) = tokio::join!(db.open(), db.open());
    a.insert_profile(&profile("p1", "A")).await.unwrap();
    assert_eq!(b.profiles().await.unwrap().len(), 1);
}

#[test]
fn database_urls_choose_the_engine() {
    assert_eq!(
        DatabaseUrl::parse("postgres://u:p@127.0.0.1:5432/db").unwrap(),
        DatabaseUrl::Postgres("postgres://u:p@127.0.0.1:5432/db".into())
    );
    assert!(matches!(
        DatabaseUrl::parse("PostgreSQL://h/db").unwrap(),
        DatabaseUrl::Postgres(_)
    ));
    for (url, path) in [
        ("sqlite:///tmp/a.db", "/tmp/a.db"),
        ("sqlite:/tmp/a.db", "/tmp/a.db"),
        ("sqlite:a.db", "a.db"),
        ("/tmp/data", "/tmp/data"),
    ] {
        assert_eq!(
            DatabaseUrl::parse(url).unwrap(),
            DatabaseUrl::Sqlite(path.into()),
            "{url}"
        );
    }
    for bad in ["mysql://h/db", "sqlite:", ""] {
        assert!(DatabaseUrl::parse(bad).is_err(), "{bad}");
    }
}

/// `open_url` with a plain directory opens the SQLite store in it, as `open`.
#[tokio::test]
async fn a_path_opens_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open_url(dir.path().to_str().unwrap()).await.unwrap();
    assert_eq!(s.engine(), EngineKind::Sqlite);
    assert!(dir.path().join("paydesk.db").exists());
}
