//! What the CLI crate's suites share, in one module: `cli` runs the real
//! `paydesk` binary (`Env`, `Run`), `args` holds a valid order's flags per
//! gateway, `engine` is the switch that runs the suites on PostgreSQL, and the
//! service-level helpers below give a `PayDesk` on a temp SQLite file (or its
//! PostgreSQL database) with an in-memory vault, one profile per sandbox
//! gateway, and a valid order for each gateway; `batch` the batch payout
//! files and imports. Every suite uses it as `mod support;`.
#![allow(dead_code)]

pub mod args;
pub mod batch;
pub mod cli;
pub mod engine;
pub mod keyring;

// Not every suite uses every part.
#[allow(unused_imports)]
pub use args::*;
#[allow(unused_imports)]
pub use cli::*;

use paydesk_core::domain::{OrderKind, ProviderKind};
use paydesk_core::form::OrderInput;
use paydesk_core::gateway::GatewayConfig;
use paydesk_core::http::HttpOptions;
use paydesk_core::services::{PayDesk, ProfileInput};
use paydesk_core::vault::MemoryStore;
use paydesk_core::Secret;
use std::sync::Arc;
use std::time::Duration;

/// The order each gateway is exercised with. juyouke's payout is a withdrawal
/// without a merchant order number, so its B-scans-C deposit (which has one,
/// and which the gateway answers at once) stands in for it.
pub fn order_kind(kind: ProviderKind) -> OrderKind {
    match kind {
        ProviderKind::Juyouke => OrderKind::Deposit,
        _ => OrderKind::Payout,
    }
}

/// A valid order for the gateway. `open`: one the gateway leaves pending
/// (juyouke's B-scans-C succeeds at once unless the code ends in 9999).
pub fn order_input(kind: ProviderKind, order_no: &str, open: bool) -> OrderInput {
    let kv: Vec<(&str, &str)> = match kind {
        ProviderKind::Jstpay => vec![
            ("payee_name", "张三"),
            ("account_no", "6222020200112233445"),
            ("bank_name", "中国工商银行"),
            ("branch", "上海分行"),
            ("province", "上海市"),
            ("city", "上海市"),
        ],
        ProviderKind::Jeepay => vec![
            ("entry_type", "WX_CASH"),
            ("if_code", "wxpay"),
            ("account_no", "o6BcIwvTvIqf1zXZohc61biryWik"),
            ("payee_name", "张三"),
            ("remark", "测试转账"),
        ],
        ProviderKind::Juyouke => vec![
            ("pay_type", "codepay"),
            ("channel", "1"),
            ("subject", "测试商品"),
            (
                "auth_code",
                if open {
                    "134567890123459999"
                } else {
                    "134567890123456789"
                },
            ),
        ],
        ProviderKind::Appkey => vec![
            ("payee_name", "李四"),
            ("account_no", "6222020200112233445"),
            ("bank_name", "中国工商银行"),
        ],
        ProviderKind::Xxpay => vec![
            ("payee_name", "张三"),
            ("account_no", "6222020200112233445"),
            ("bank_code", "HPT00002"),
            ("province", "江苏"),
            ("city", "南京"),
        ],
    };
    OrderInput {
        amount: "100".into(),
        order_no: Some(order_no.into()),
        values: kv
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

pub fn profile_input(kind: ProviderKind, name: &str, base_url: String) -> ProfileInput {
    let c = paydesk_sandbox::credentials(kind);
    ProfileInput {
        name: name.into(),
        provider: Some(kind),
        gateway: GatewayConfig {
            base_url,
            merchant_id: c.merchant_id.into(),
            app_id: c.app_id.map(String::from),
            operator_id: c.operator_id.map(String::from),
            notify_url: Some("http://127.0.0.1:9/notify".into()),
            return_url: Some("http://127.0.0.1:9/return".into()),
        },
        low_balance_fen: None,
        approval_threshold_fen: None,
        sandbox: true,
    }
}

/// A desk with a 1 s request timeout (the timeout faults delay 3 s) and the
/// "no such order" grace period off, so an order that never arrived settles.
pub async fn desk(dir: &std::path::Path) -> PayDesk {
    let mut d = engine::open_desk(
        dir,
        Arc::new(MemoryStore::default()),
        HttpOptions {
            connect_timeout: Duration::from_secs(1),
            timeout: Duration::from_secs(1),
        },
    )
    .await
    .expect("desk opens");
    d.set_not_found_grace_ms(0);
    d
}

pub async fn add_profile(desk: &PayDesk, kind: ProviderKind, name: &str, base_url: String) {
    let c = paydesk_sandbox::credentials(kind);
    desk.add_profile(
        profile_input(kind, name, base_url),
        Secret::new(c.secret),
        c.reply_secret.map(Secret::new),
    )
    .await
    .expect("profile added");
}

/// A loopback port nobody listens on (bound, then released).
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// Every secret the sandbox profiles use.
pub fn all_secrets() -> Vec<&'static str> {
    let mut v = Vec::new();
    for k in ProviderKind::ALL {
        let c = paydesk_sandbox::credentials(k);
        v.push(c.secret);
        if let Some(r) = c.reply_secret {
            v.push(r);
        }
    }
    v
}
