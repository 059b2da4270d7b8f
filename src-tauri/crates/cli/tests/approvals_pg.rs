//! Maker-checker on PostgreSQL (issue 13): desks logged in as their own
//! database roles (a maker, two checkers) on one team database, against the
//! sandbox over loopback. Who may decide is proved against the database
//! itself: the maker's approval is refused by it through the service and
//! through hand-written SQL as the maker's role. Needs `PAYDESK_TEST_PG_URL`
//! (scripts/with-postgres.sh); skipped with a notice without it, failing in CI.

mod support;

use paydesk_core::batch::{self, BatchState};
use paydesk_core::domain::{OrderKind, OrderStatus, ProviderKind};
use paydesk_core::error::{CoreError, ErrorCode};
use paydesk_core::http::HttpOptions;
use paydesk_core::services::{PayDesk, ProfileInput};
use paydesk_core::store::pg_test::{fresh_database, PgTestDb};
use paydesk_core::team::{admin, TeamRole};
use paydesk_core::vault::MemoryStore;
use paydesk_core::Secret;
use sqlx::{Connection, PgConnection, Row};
use std::sync::Arc;
use std::time::Duration;
use support::*;

const KIND: ProviderKind = ProviderKind::Jstpay;

/// A team on a fresh database: `team init` (the schema, the three group roles,
/// their grants and triggers) and three operators of this test's own.
struct Team {
    db: PgTestDb,
    maker: String,
    checker1: String,
    checker2: String,
    password: String,
}

impl Team {
    /// `team init` on a fresh database, then `team add-operator` for a maker
    /// and two checkers; the admin's desk (the superuser) comes back with it.
    async fn new(test: &str, vault: &Arc<MemoryStore>) -> Option<(Team, PayDesk)> {
        let db = fresh_database(test)?;
        let admin_url = Secret::new(db.url.clone());
        paydesk_core::team::init(&admin_url)
            .await
            .expect("team init");
        // Roles are the cluster's (a throwaway one): names of this test's own.
        let tag = db.name[2..10].to_string();
        let team = Team {
            maker: format!("maker_{tag}"),
            checker1: format!("checker1_{tag}"),
            checker2: format!("checker2_{tag}"),
            password: "team-test-password".into(),
            db,
        };
        let mut conn = admin::connect(&admin_url).await.unwrap();
        for (who, role) in [
            (&team.maker, TeamRole::Maker),
            (&team.checker1, TeamRole::Checker),
            (&team.checker2, TeamRole::Checker),
        ] {
            admin::add_operator(&mut conn, who, role, Some(Secret::new(&team.password)))
                .await
                .expect("add operator");
        }
        let admin = desk(&team.db.url, vault).await;
        Some((team, admin))
    }

    fn url(&self, role: &str) -> String {
        self.db.url_as(role, &self.password)
    }
}

async fn desk(url: &str, vault: &Arc<MemoryStore>) -> PayDesk {
    PayDesk::open_with_database(
        url,
        vault.clone(),
        HttpOptions {
            connect_timeout: Duration::from_secs(1),
            timeout: Duration::from_secs(3),
        },
    )
    .await
    .expect("desk opens on PostgreSQL")
}

fn payout(order_no: &str, amount: &str) -> paydesk_core::form::OrderInput {
    let mut i = order_input(KIND, order_no, true);
    i.amount = amount.into();
    i
}

/// The admin sets profile "big"'s approval threshold (fen).
async fn set_threshold(admin: &PayDesk, fen: i64) -> paydesk_core::services::ProfileView {
    let p = admin.profile("big").await.unwrap().profile;
    let input = ProfileInput {
        approval_threshold_fen: Some(fen),
        ..ProfileInput::from(&p)
    };
    admin
        .update_profile("big", input, None, None)
        .await
        .unwrap()
}

async fn audit(desk: &PayDesk, action: &str, target: &str) -> Vec<(String, String)> {
    desk.store
        .audit_entries(500)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == action && e.target.as_deref() == Some(target))
        .map(|e| (e.os_user, e.detail.unwrap_or_default()))
        .collect()
}

/// The whole maker-checker journey on one team database.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn maker_checker_on_postgres() {
    let vault = Arc::new(MemoryStore::default());
    let Some((team, admin)) = Team::new("maker_checker_on_postgres", &vault).await else {
        return;
    };
    let sandbox = paydesk_sandbox::spawn(0, None).await.unwrap();
    // The admin sets the profile up with a threshold of ¥1,000 (team mode
    // allows it).
    add_profile(&admin, KIND, "big", sandbox.base_url(KIND)).await;
    let v = set_threshold(&admin, 100_000).await;
    assert_eq!(v.profile.approval_threshold_fen, Some(100_000));

    let maker = desk(&team.url(&team.maker), &vault).await;
    let c1 = desk(&team.url(&team.checker1), &vault).await;
    let c2 = desk(&team.url(&team.checker2), &vault).await;

    // Below the threshold: sent at once, as always.
    let small = maker
        .create_order("big", OrderKind::Payout, &payout("MC-SMALL", "999"))
        .await
        .unwrap();
    assert!(small.error.is_none(), "{:?}", small.error);
    assert_eq!(sandbox.sim.create_count(KIND, "MC-SMALL"), 1);

    // At the threshold: stored awaiting approval with its maker, nothing sent.
    let big = maker
        .create_order("big", OrderKind::Payout, &payout("MC-BIG", "1000"))
        .await
        .unwrap();
    assert!(big.error.is_none(), "{:?}", big.error);
    let o = big.order;
    assert_eq!(o.status, OrderStatus::AwaitingApproval);
    assert_eq!(o.created_by.as_deref(), Some(team.maker.as_str()));
    assert_eq!(o.amount_fen, 100_000);
    assert_eq!(sandbox.sim.create_count(KIND, "MC-BIG"), 0);
    // Sync and refresh leave it alone: it was never sent.
    assert!(c1
        .store
        .open_orders()
        .await
        .unwrap()
        .iter()
        .all(|x| x.id != o.id));
    let r = c1.refresh_order(o.id).await.unwrap();
    assert_eq!(r.order.status, OrderStatus::AwaitingApproval);
    assert_eq!(sandbox.sim.create_count(KIND, "MC-BIG"), 0);

    // The checker's list shows it with the maker, the time and 大写.
    let list = c1.approvals().await.unwrap();
    assert!(list.team_mode);
    assert_eq!(list.me.as_deref(), Some(team.checker1.as_str()));
    let a = list
        .approvals
        .iter()
        .find(|a| a.approval.order_no == "MC-BIG")
        .expect("listed");
    assert_eq!(a.approval.maker, team.maker);
    assert_eq!(a.approval.made_at, o.created_at);
    assert_eq!(a.amount_capital, "壹仟元整");
    assert_eq!(a.approval.payee_name.as_deref(), Some("张三"));
    assert_eq!(
        a.approval.account_no.as_deref(),
        Some("6222020200112233445")
    );

    // The maker cannot approve it: refused by the database.
    let e = maker.approve("MC-BIG", None).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::SameOperator, "{e}");
    assert!(matches!(e, CoreError::SameOperator(_)));
    // ...nor by hand, with the grants a maker has.
    let mut raw = PgConnection::connect(&team.url(&team.maker)).await.unwrap();
    let refused = [
        format!(
            "UPDATE order_approvals SET decision = 'approved', checker = '{}', decided_at = 1 WHERE order_id = {}",
            team.checker1, o.id
        ),
        format!("UPDATE orders SET status = 'unknown' WHERE id = {}", o.id),
        format!("UPDATE orders SET amount_fen = 1 WHERE id = {}", o.id),
        format!("DELETE FROM order_approvals WHERE order_id = {}", o.id),
        // A payout at the threshold written as anything but awaiting.
        format!(
            "INSERT INTO orders (profile_pk, order_no, kind, amount_fen, fields, status, created_at, updated_at) \
             SELECT profile_pk, 'MC-SNEAK', 'payout', 500000, '{{}}', 'unknown', 1, 1 FROM orders WHERE id = {}",
            o.id
        ),
    ];
    for sql in &refused {
        let err = sqlx::query(sql).execute(&mut raw).await;
        assert!(err.is_err(), "the database let the maker run: {sql}");
    }
    let code = |e: sqlx::Error| match e {
        sqlx::Error::Database(d) => d.code().map(|c| c.to_string()),
        _ => None,
    };
    // A plain maker has no right to decide at all (team init's grants).
    let e = sqlx::query(&refused[0])
        .execute(&mut raw)
        .await
        .unwrap_err();
    assert_eq!(code(e).as_deref(), Some("42501"));
    let still: String = sqlx::query("SELECT status FROM orders WHERE id = $1")
        .bind(o.id)
        .fetch_one(&mut raw)
        .await
        .unwrap()
        .get(0);
    assert_eq!(still, "awaiting_approval");
    raw.close().await.unwrap();
    assert_eq!(sandbox.sim.create_count(KIND, "MC-BIG"), 0);

    // A checker is a maker too: one who made a payout may not decide on it,
    // and here it is the database's trigger that says so (a checker holds
    // the right to decide).
    let own = c1
        .create_order("big", OrderKind::Payout, &payout("MC-SELF", "2000"))
        .await
        .unwrap()
        .order;
    assert_eq!(own.status, OrderStatus::AwaitingApproval);
    assert_eq!(own.created_by.as_deref(), Some(team.checker1.as_str()));
    let e = c1.approve("MC-SELF", None).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::SameOperator, "{e}");
    let mut raw = PgConnection::connect(&team.url(&team.checker1))
        .await
        .unwrap();
    for sql in [
        format!(
            "UPDATE order_approvals SET decision = 'approved', decided_at = 1 WHERE order_id = {}",
            own.id
        ),
        format!(
            "UPDATE order_approvals SET decision = 'rejected', decided_at = 1, reason = 'x' WHERE order_id = {}",
            own.id
        ),
    ] {
        let e = sqlx::query(&sql).execute(&mut raw).await.unwrap_err();
        assert_eq!(code(e).as_deref(), Some("PD001"), "{sql}");
    }
    raw.close().await.unwrap();
    assert_eq!(sandbox.sim.create_count(KIND, "MC-SELF"), 0);
    c2.reject("MC-SELF", None, "made by a checker: resubmit as maker")
        .await
        .unwrap();

    // Two checkers approve at the same moment: one sends, once; the other is
    // told who approved it.
    let (x, y) = tokio::join!(c1.approve("MC-BIG", None), c2.approve("MC-BIG", None));
    assert!(x.is_ok() != y.is_ok(), "{x:?} {y:?}");
    let (sent, lost, winner) = match (x, y) {
        (Ok(s), Err(l)) => (s, l, &team.checker1),
        (Err(l), Ok(s)) => (s, l, &team.checker2),
        _ => unreachable!(),
    };
    assert!(sent.error.is_none(), "{:?}", sent.error);
    assert_eq!(sent.order.status, OrderStatus::Pending);
    assert_eq!(lost.code(), ErrorCode::Conflict, "{lost}");
    assert!(lost.to_string().contains(winner.as_str()), "{lost}");
    assert_eq!(sandbox.sim.create_count(KIND, "MC-BIG"), 1);
    // And nobody can approve it again.
    let again = c2.approve("MC-BIG", None).await.unwrap_err();
    assert!(again.to_string().contains(winner.as_str()), "{again}");
    assert_eq!(sandbox.sim.create_count(KIND, "MC-BIG"), 1);

    // The history and the audit log name both roles and both times.
    let events = c1.store.order_events(o.id).await.unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["create", "approve", "create"], "{events:?}");
    let submit = audit(&c1, "payout.submit", "MC-BIG").await;
    assert_eq!(submit.len(), 1);
    assert_eq!(submit[0].0, team.maker);
    let approve = audit(&c1, "payout.approve", "MC-BIG").await;
    assert_eq!(approve.len(), 1, "{approve:?}");
    assert_eq!(&approve[0].0, winner);
    assert!(
        approve[0].1.contains(&format!("maker {}", team.maker))
            && approve[0].1.contains(&format!("checker {winner}")),
        "{approve:?}"
    );

    // Reject: final, nothing sent, the reason kept; no approval after it.
    let other = maker
        .create_order("big", OrderKind::Payout, &payout("MC-NO", "5000"))
        .await
        .unwrap();
    assert_eq!(other.order.status, OrderStatus::AwaitingApproval);
    let e = maker
        .reject("MC-NO", None, "changed my mind")
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::SameOperator);
    let e = c1.reject("MC-NO", None, "  ").await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    let rejected = c1.reject("MC-NO", None, "收款人与合同不符").await.unwrap();
    assert_eq!(rejected.status, OrderStatus::Rejected);
    assert!(rejected
        .message
        .as_deref()
        .unwrap()
        .contains("收款人与合同不符"));
    let e = c2.approve("MC-NO", None).await.unwrap_err();
    assert!(e.to_string().contains(team.checker1.as_str()), "{e}");
    assert_eq!(sandbox.sim.create_count(KIND, "MC-NO"), 0);
    let reject = audit(&c1, "payout.reject", "MC-NO").await;
    assert_eq!(reject.len(), 1);
    assert_eq!(reject[0].0, team.checker1);
    assert!(reject[0].1.contains("收款人与合同不符"), "{reject:?}");
    // Nothing awaits any more.
    assert!(c2.approvals().await.unwrap().approvals.is_empty());
}

/// A payday file for jstpay (whole yuan), one row per amount.
fn payday(amounts: &[&str]) -> Vec<u8> {
    let mut text =
        "收款人户名,收款卡号,收款银行,开户支行,开户省份,开户城市,金额（元）\n".to_string();
    for (i, a) in amounts.iter().enumerate() {
        text.push_str(&format!(
            "收款人{i},62220202{:011},中国工商银行,上海分行,上海市,上海市,{a}\n",
            7000 + i
        ));
    }
    text.into_bytes()
}

async fn import(desk: &PayDesk, amounts: &[&str], name: &str) -> paydesk_core::batch::Batch {
    let b = batch::import(
        desk,
        "big",
        &payday(amounts),
        &batch::ImportOptions {
            file_name: name.into(),
            ..Default::default()
        },
    )
    .await
    .expect("import");
    assert!(b.errors.is_empty(), "{:?}", b.errors);
    b
}

async fn order_nos(desk: &PayDesk, id: i64) -> Vec<String> {
    batch::show(desk, id)
        .await
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.order_no)
        .collect()
}

fn creates(sandbox: &paydesk_sandbox::Running, nos: &[String]) -> Vec<u32> {
    nos.iter()
        .map(|n| sandbox.sim.create_count(KIND, n))
        .collect()
}

/// A batch with a row at or above the threshold is approved as a whole: it
/// waits with nothing sent, its maker cannot approve it (the service, and
/// the database under hand-written SQL), two checkers approving at once run
/// it once (one create per row at the sandbox), a rejection sends nothing,
/// and each step is in the audit log with both roles.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_batch_is_approved_as_a_whole_on_postgres() {
    let vault = Arc::new(MemoryStore::default());
    let Some((team, admin)) = Team::new("a_batch_is_approved_as_a_whole", &vault).await else {
        return;
    };
    let sandbox = paydesk_sandbox::spawn(0, None).await.unwrap();
    add_profile(&admin, KIND, "big", sandbox.base_url(KIND)).await;
    set_threshold(&admin, 100_000).await;
    let maker = desk(&team.url(&team.maker), &vault).await;
    let c1 = desk(&team.url(&team.checker1), &vault).await;
    let c2 = desk(&team.url(&team.checker2), &vault).await;
    let no_progress = |_: &batch::BatchProgress| {};
    let opts = batch::RunOptions::default();

    // All rows under the threshold: no approval, it runs as always.
    let small = import(&maker, &["10", "20"], "small.csv").await;
    assert_eq!(small.state, BatchState::Draft);
    let done = batch::run(&maker, small.id, &opts, &no_progress)
        .await
        .unwrap();
    assert_eq!(done.state, BatchState::Done);
    assert_eq!(
        creates(&sandbox, &order_nos(&maker, small.id).await),
        [1, 1]
    );

    // One row at the threshold: the whole batch waits, nothing sent.
    let b = import(&maker, &["500", "1000", "200"], "payday.csv").await;
    assert_eq!(b.state, BatchState::AwaitingApproval);
    assert_eq!(b.created_by.as_deref(), Some(team.maker.as_str()));
    let nos = order_nos(&maker, b.id).await;
    let e = batch::run(&maker, b.id, &opts, &no_progress)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Conflict, "{e}");
    assert!(e.to_string().contains("approve --batch"), "{e}");
    assert_eq!(creates(&sandbox, &nos), [0, 0, 0]);

    // The checkers' list shows it beside single payouts: maker, time, rows,
    // total in figures and 大写, profile.
    let list = c1.approvals().await.unwrap();
    let a = list
        .batches
        .iter()
        .find(|a| a.approval.batch_id == b.id)
        .expect("listed");
    assert_eq!(a.approval.maker, team.maker);
    assert_eq!(a.approval.rows, 3);
    assert_eq!(a.approval.total_fen, 170_000);
    assert_eq!(a.total_capital, "壹仟柒佰元整");
    assert_eq!(a.approval.profile, "big");
    assert_eq!(a.approval.largest_fen, 100_000);
    assert!(a.approval.made_at >= b.created_at);

    // Its maker cannot approve it: refused by the service and the database.
    let e = batch::approve(&maker, b.id, &opts, &no_progress)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::SameOperator, "{e}");
    let code = |e: sqlx::Error| match e {
        sqlx::Error::Database(d) => d.code().map(|c| c.to_string()),
        other => panic!("{other}"),
    };
    let mut raw = PgConnection::connect(&team.url(&team.maker)).await.unwrap();
    let big_no = &nos[1];
    for (sql, want) in [
        (
            format!("UPDATE batch_approvals SET decision = 'approved', decided_at = 1 WHERE batch_id = {}", b.id),
            "42501",
        ),
        (format!("UPDATE batches SET state = 'running' WHERE id = {}", b.id), "PD004"),
        (format!("UPDATE batches SET state = 'draft' WHERE id = {}", b.id), "PD004"),
        (format!("UPDATE batch_rows SET amount_fen = 1 WHERE batch_id = {}", b.id), "PD004"),
        (
            format!(
                "INSERT INTO batch_rows (batch_id, row_no, order_no, amount_fen, status, updated_at) \
                 VALUES ({}, 99, 'SNEAK-ROW', 900000, 'queued', 1)",
                b.id
            ),
            "PD004",
        ),
        (format!("DELETE FROM batch_approvals WHERE batch_id = {}", b.id), "42501"),
        // The row's order written as sent while the batch awaits a checker,
        // with its row claimed as the run would.
        (
            format!(
                "WITH c AS (UPDATE batch_rows SET status = 'sending' WHERE batch_id = {id} AND order_no = '{big_no}' RETURNING 1) \
                 INSERT INTO orders (profile_pk, order_no, kind, amount_fen, fields, status, created_at, updated_at) \
                 SELECT pk, '{big_no}', 'payout', 100000, '{{}}', 'unknown', 1, 1 FROM profiles WHERE name = 'big'",
                id = b.id
            ),
            "PD004",
        ),
    ] {
        let e = sqlx::query(&sql).execute(&mut raw).await.unwrap_err();
        assert_eq!(code(e).as_deref(), Some(want), "{sql}");
    }
    raw.close().await.unwrap();
    assert_eq!(creates(&sandbox, &nos), [0, 0, 0]);
    let still = batch::show(&c1, b.id).await.unwrap().batch;
    assert_eq!(still.state, BatchState::AwaitingApproval);

    // A checker's own batch: the database's trigger refuses its own decision.
    let own = import(&c1, &["3000"], "own.csv").await;
    assert_eq!(own.state, BatchState::AwaitingApproval);
    let e = batch::approve(&c1, own.id, &opts, &no_progress)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::SameOperator, "{e}");
    let mut raw = PgConnection::connect(&team.url(&team.checker1))
        .await
        .unwrap();
    let e = sqlx::query(&format!(
        "UPDATE batch_approvals SET decision = 'approved', decided_at = 1 WHERE batch_id = {}",
        own.id
    ))
    .execute(&mut raw)
    .await
    .unwrap_err();
    assert_eq!(code(e).as_deref(), Some("PD001"));
    raw.close().await.unwrap();

    // Two checkers approve at the same moment: one runs it, once per row;
    // the other is told who approved it and runs nothing.
    let (x, y) = tokio::join!(
        batch::approve(&c1, b.id, &opts, &no_progress),
        batch::approve(&c2, b.id, &opts, &no_progress)
    );
    assert!(x.is_ok() != y.is_ok(), "{x:?} {y:?}");
    let (ran, lost, winner) = match (x, y) {
        (Ok(s), Err(l)) => (s, l, &team.checker1),
        (Err(l), Ok(s)) => (s, l, &team.checker2),
        _ => unreachable!(),
    };
    assert_eq!(ran.state, BatchState::Done, "{ran:?}");
    assert_eq!(lost.code(), ErrorCode::Conflict, "{lost}");
    assert!(lost.to_string().contains(winner.as_str()), "{lost}");
    assert_eq!(creates(&sandbox, &nos), [1, 1, 1]);
    // The big row's order was written by the approving desk, as sent.
    let o = c1
        .store
        .find_orders(big_no, None)
        .await
        .unwrap()
        .into_iter()
        .find(|o| &o.order_no == big_no)
        .unwrap();
    assert_eq!(o.created_by.as_deref(), Some(winner.as_str()));
    assert_ne!(o.status, OrderStatus::AwaitingApproval);
    // Nobody approves it again; a run resumes it without sending anything.
    let again = batch::approve(&c2, b.id, &opts, &no_progress)
        .await
        .unwrap_err();
    assert!(again.to_string().contains(winner.as_str()), "{again}");
    batch::run(&maker, b.id, &opts, &no_progress).await.unwrap();
    assert_eq!(creates(&sandbox, &nos), [1, 1, 1]);
    assert!(c2
        .approvals()
        .await
        .unwrap()
        .batches
        .iter()
        .all(|a| a.approval.batch_id != b.id));

    // The audit log: the maker's submission, the checker's approval naming
    // both roles and times.
    let target = format!("batch {}", b.id);
    let submit = audit(&c1, "batch.submit", &target).await;
    assert_eq!(submit.len(), 1, "{submit:?}");
    assert_eq!(submit[0].0, team.maker);
    let approve = audit(&c1, "batch.approve", &target).await;
    assert_eq!(approve.len(), 1, "{approve:?}");
    assert_eq!(&approve[0].0, winner);
    assert!(
        approve[0].1.contains(&format!("maker {} at", team.maker))
            && approve[0].1.contains(&format!("checker {winner} at"))
            && approve[0].1.contains("3 rows 1700.00"),
        "{approve:?}"
    );

    // Reject: reason required, final, nothing sent, rows cancelled.
    let r = import(&maker, &["1500", "20"], "later.csv").await;
    let rnos = order_nos(&maker, r.id).await;
    let e = batch::reject(&c2, r.id, " ").await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    let e = batch::reject(&maker, r.id, "no").await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::SameOperator);
    let rejected = batch::reject(&c2, r.id, "金额与工资表不符").await.unwrap();
    assert_eq!(rejected.state, BatchState::Rejected);
    assert_eq!(
        rejected.counts.get("cancelled"),
        Some(&2),
        "{:?}",
        rejected.counts
    );
    let e = batch::run(&maker, r.id, &opts, &no_progress)
        .await
        .unwrap_err();
    assert!(e.to_string().contains(team.checker2.as_str()), "{e}");
    let e = batch::approve(&c1, r.id, &opts, &no_progress)
        .await
        .unwrap_err();
    assert!(e.to_string().contains(team.checker2.as_str()), "{e}");
    assert_eq!(creates(&sandbox, &rnos), [0, 0]);
    let reject = audit(&c1, "batch.reject", &format!("batch {}", r.id)).await;
    assert_eq!(reject.len(), 1);
    assert_eq!(reject[0].0, team.checker2);
    assert!(
        reject[0].1.contains(&format!("maker {}", team.maker))
            && reject[0].1.contains("金额与工资表不符"),
        "{reject:?}"
    );

    // A threshold set after the import: the run submits the batch instead
    // of sending it.
    let late = import(&maker, &["300"], "late.csv").await;
    assert_eq!(late.state, BatchState::Draft);
    set_threshold(&admin, 20_000).await;
    let maker = desk(&team.url(&team.maker), &vault).await;
    let submitted = batch::run(&maker, late.id, &opts, &no_progress)
        .await
        .unwrap();
    assert_eq!(submitted.state, BatchState::AwaitingApproval);
    assert_eq!(creates(&sandbox, &order_nos(&maker, late.id).await), [0]);
    assert_eq!(
        audit(&c1, "batch.submit", &format!("batch {}", late.id))
            .await
            .len(),
        1
    );
    // Its maker may withdraw it before a checker decides.
    let cancelled = batch::cancel(&maker, late.id).await.unwrap();
    assert_eq!(cancelled.state, BatchState::Cancelled);
    let left: Vec<i64> = c1
        .approvals()
        .await
        .unwrap()
        .batches
        .iter()
        .map(|a| a.approval.batch_id)
        .collect();
    assert_eq!(left, [own.id], "only the checker's own batch still waits");
}

/// A desk without the profile's key runs a batch: submitted for approval as
/// a whole (one progress event says so, with why), nothing sent; once a
/// checker approved it, the keyless desk is refused naming the key and
/// leaves it running for a desk with the key. A batch left running (a run
/// stopped before sending) and caught by a threshold set since is
/// submitted, not refused by the database's submission rule.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_keyless_or_interrupted_batch_is_held_for_a_checker() {
    let vault = Arc::new(MemoryStore::default());
    let Some((team, admin)) = Team::new("a_keyless_or_interrupted_batch", &vault).await else {
        return;
    };
    let sandbox = paydesk_sandbox::spawn(0, None).await.unwrap();
    add_profile(&admin, KIND, "big", sandbox.base_url(KIND)).await;
    let keyless = desk(&team.url(&team.maker), &Arc::new(MemoryStore::default())).await;
    let c1 = desk(&team.url(&team.checker1), &vault).await;
    let opts = batch::RunOptions::default();
    let events = std::sync::Mutex::new(Vec::new());
    let record = |p: &batch::BatchProgress| events.lock().unwrap().push(p.clone());

    let b = import(&keyless, &["10", "20"], "keyless.csv").await;
    let held = batch::run(&keyless, b.id, &opts, &record).await.unwrap();
    assert_eq!(held.state, BatchState::AwaitingApproval);
    let why = held.pause_reason.clone().expect("the reason is kept");
    assert!(why.contains("“big”"), "{why}");
    {
        let seen = events.lock().unwrap();
        assert_eq!(seen.len(), 1, "one event says where it stands");
        let e = &seen[0];
        assert_eq!(e.state, BatchState::AwaitingApproval);
        assert_eq!(e.pause_reason.as_deref(), Some(why.as_str()));
        assert_eq!((e.sent, e.queued, e.amount_sent_fen), (0, 2, 0));
    }
    let nos = order_nos(&keyless, b.id).await;
    assert_eq!(creates(&sandbox, &nos), [0, 0]);

    // Approved (not yet run) by a checker with the key: the keyless desk
    // cannot run it and changes nothing; the checker's desk runs it.
    let approved = batch::approve_decision(&c1, b.id).await.unwrap();
    assert_eq!(approved.state, BatchState::Running);
    let e = batch::run(&keyless, b.id, &opts, &|_| {})
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Secret, "{e}");
    assert_eq!(
        batch::show(&c1, b.id).await.unwrap().batch.state,
        BatchState::Running
    );
    assert_eq!(creates(&sandbox, &nos), [0, 0]);
    let done = batch::run(&c1, b.id, &opts, &|_| {}).await.unwrap();
    assert_eq!(done.state, BatchState::Done);
    assert_eq!(creates(&sandbox, &nos), [1, 1]);

    // A batch left running before any row went, and a threshold set since.
    let maker = desk(&team.url(&team.maker), &vault).await;
    let left = import(&maker, &["300"], "left.csv").await;
    let mut su = PgConnection::connect(&team.db.url).await.unwrap();
    sqlx::query("UPDATE batches SET state = 'running' WHERE id = $1")
        .bind(left.id)
        .execute(&mut su)
        .await
        .unwrap();
    set_threshold(&admin, 20_000).await;
    let maker = desk(&team.url(&team.maker), &vault).await;
    let submitted = batch::run(&maker, left.id, &opts, &|_| {}).await.unwrap();
    assert_eq!(submitted.state, BatchState::AwaitingApproval);
    assert_eq!(creates(&sandbox, &order_nos(&maker, left.id).await), [0]);
    assert_eq!(
        audit(&c1, "batch.submit", &format!("batch {}", left.id))
            .await
            .len(),
        1
    );
}

/// A payout whose request provably never left may be sent again under its
/// number; once another desk has set a threshold it is at or above, it is
/// not: the desk says why in words (not the database's text), writes
/// nothing and sends nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_unsent_payout_now_over_the_threshold_is_not_sent_again() {
    let vault = Arc::new(MemoryStore::default());
    let Some((team, admin)) = Team::new("an_unsent_payout_now_over_the_threshold", &vault).await
    else {
        return;
    };
    let sandbox = paydesk_sandbox::spawn(0, None).await.unwrap();
    let closed = format!("http://127.0.0.1:{}/jstpay", closed_port());
    add_profile(&admin, KIND, "big", closed).await;
    let maker = desk(&team.url(&team.maker), &vault).await;
    let first = maker
        .create_order("big", OrderKind::Payout, &payout("RS-1", "1000"))
        .await
        .unwrap();
    assert_eq!(first.order.status, OrderStatus::Failed);
    assert_eq!(first.error.as_ref().unwrap().code, "not_sent");

    // The admin points the profile at the gateway and sets a threshold of ¥500.
    let p = admin.profile("big").await.unwrap().profile;
    let mut input = ProfileInput {
        approval_threshold_fen: Some(50_000),
        ..ProfileInput::from(&p)
    };
    input.gateway.base_url = sandbox.base_url(KIND);
    admin
        .update_profile("big", input, None, None)
        .await
        .unwrap();

    let e = maker
        .create_order("big", OrderKind::Payout, &payout("RS-1", "1000"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Conflict, "{e}");
    let text = e.to_string();
    assert!(text.contains("RS-1"), "{text}");
    assert!(
        text.contains("审批阈值 500.00 元") || text.contains("approval threshold of 500.00 yuan"),
        "{text}"
    );
    assert!(!text.contains("database"), "{text}");
    let o = maker.store.order(first.order.id).await.unwrap();
    assert_eq!(o.status, OrderStatus::Failed);
    assert_eq!(sandbox.sim.create_count(KIND, "RS-1"), 0);
    assert_eq!(maker.find_orders("RS-1", None).await.unwrap().len(), 1);
}
