//! Batch payouts through the binary: the fixtures, the jstpay template's
//! columns and rows, and the write-a-file-then-import step most batch tests
//! start with.

use super::cli::Env;
use paydesk_core::ProviderKind;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The jstpay template's columns, in its order.
pub const JST_HEADER: &str = "收款人户名,收款卡号,收款银行,开户支行,开户省份,开户城市,金额（元）";

/// A file under `tests/fixtures/batch`.
pub fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/batch")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// A jstpay payout row as the template's columns expect it.
pub fn jst_row(i: usize, amount: &str) -> Vec<String> {
    vec![
        format!("收款人{i}"),
        format!("62220202{:011}", 1000 + i),
        "中国工商银行".into(),
        "上海分行".into(),
        "上海市".into(),
        "上海市".into(),
        amount.into(),
    ]
}

pub fn write_csv(path: &Path, header: &str, rows: &[Vec<String>]) {
    let mut text = format!("{header}\n");
    for r in rows {
        text.push_str(&r.join(","));
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
}

/// The rows of a `batch show` (or `run`) document.
pub fn rows(show: &Value) -> Vec<Value> {
    show["rows"].as_array().cloned().unwrap_or_default()
}

/// The errors of a batch document.
pub fn errors(batch: &Value) -> Vec<Value> {
    batch["errors"].as_array().cloned().unwrap_or_default()
}

/// The batch's id from an import's (or show's) document, as the CLI takes it.
pub fn batch_id(v: &Value) -> String {
    v["batch"]["id"].as_i64().expect("a batch id").to_string()
}

impl Env {
    /// A desk with one profile of `kind`, named after it.
    pub async fn with_profile(kind: ProviderKind) -> Env {
        let env = Env::new().await;
        env.add_profile(kind.as_str(), kind, None).await.ok();
        env
    }

    /// `rows` (jstpay's template columns) written to `name` in the data
    /// dir and imported for `profile`: the import's document.
    pub async fn import_jst(&self, name: &str, profile: &str, rows: &[Vec<String>]) -> Value {
        let file = self.data_dir().join(name);
        write_csv(&file, JST_HEADER, rows);
        self.json(&[
            "batch",
            "import",
            file.to_str().unwrap(),
            "--profile",
            profile,
        ])
        .await
    }
}
