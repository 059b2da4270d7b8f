//! Shared by the store's tests: a profile and an order to write.

use super::{NewOrder, Profile};
use crate::domain::{OrderKind, OrderStatus, ProviderKind};
use crate::gateway::GatewayConfig;

pub fn profile(id: &str, name: &str) -> Profile {
    Profile {
        id: id.into(),
        name: name.into(),
        provider: ProviderKind::Jstpay,
        gateway: GatewayConfig {
            base_url: "http://127.0.0.1:1/jstpay".into(),
            merchant_id: "M".into(),
            ..GatewayConfig::default()
        },
        has_reply_secret: false,
        sandbox: false,
        low_balance_fen: None,
        approval_threshold_fen: None,
        created_at: 1,
        updated_at: 1,
    }
}

pub fn new_order(pid: &str, no: &str, at: i64) -> NewOrder {
    NewOrder {
        profile_id: pid.into(),
        order_no: no.into(),
        kind: OrderKind::Payout,
        amount_fen: 10000,
        fields: [("payee_name".to_string(), "张三".to_string())].into(),
        status: OrderStatus::Unknown,
        message: None,
        created_by: "tester".into(),
        created_at: at,
    }
}

/// One test's database on one engine: an SQLite data directory, or a fresh
/// PostgreSQL database (`pg_test`). `open` gives another store on it each
/// time: another process's view, sharing nothing in this one.
pub enum TestDb {
    Sqlite(tempfile::TempDir),
    Postgres(super::pg_test::PgTestDb),
}

impl TestDb {
    pub fn sqlite() -> TestDb {
        TestDb::Sqlite(tempfile::tempdir().unwrap())
    }

    /// None (a notice printed) without a test cluster outside CI.
    pub fn postgres(test: &str) -> Option<TestDb> {
        super::pg_test::fresh_database(test).map(TestDb::Postgres)
    }

    pub async fn open(&self) -> super::Store {
        match self {
            TestDb::Sqlite(dir) => super::Store::open(dir.path()).await.unwrap(),
            TestDb::Postgres(db) => super::Store::open_url(&db.url).await.unwrap(),
        }
    }
}

/// Each named `async fn name(db: TestDb)` of the enclosing module as two
/// tests, `sqlite::name` and `postgres::name`: the store suite on both
/// engines. The PostgreSQL one needs `PAYDESK_TEST_PG_URL`
/// (scripts/with-postgres.sh); without it, it is skipped with a notice, and
/// fails in CI.
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::store::test_support::TestDb::sqlite()).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(db) = $crate::store::test_support::TestDb::postgres(stringify!($name)) {
                        super::$name(db).await
                    }
                }
            )*
        }
    };
}
pub(crate) use on_both_engines;
