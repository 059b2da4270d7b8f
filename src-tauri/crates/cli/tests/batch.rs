//! Batch payouts (issue 11) through the real `paydesk` binary: real files
//! (a GBK CSV, a UTF-8-BOM CSV, the XLSX template edited), the sandbox over
//! loopback, the real keyring, and a `kill -9` in the middle of a run with a
//! count of creates per order number at the gateway.

mod support;

use paydesk_core::ProviderKind;
use paydesk_sandbox::{FaultKind, FaultSpec};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};
use support::batch::{batch_id, errors, fixture, jst_row, rows, write_csv, JST_HEADER};
use support::{Env, JST_PAYEE};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gbk_and_utf8_bom_files_import_without_garbling_and_run() {
    let env = Env::with_profile(ProviderKind::Jstpay).await;
    let gbk = fixture("payday-gbk.csv");
    let v = env
        .json(&[
            "batch",
            "import",
            &gbk,
            "--profile",
            "jstpay",
            "--expect-count",
            "5",
            "--expect-total",
            "1,450",
        ])
        .await;
    let b = &v["batch"];
    assert_eq!(b["state"], "draft", "{v}");
    assert_eq!(b["rows"], 5);
    assert_eq!(b["valid_rows"], 5);
    assert_eq!(b["total_fen"], 145_000);
    assert_eq!(b["total_capital"], "壹仟肆佰伍拾元整");
    assert!(errors(b).is_empty(), "{v}");
    let id = b["id"].as_i64().unwrap().to_string();

    let bom = fixture("payday-utf8-bom.csv");
    let v = env
        .json(&[
            "batch",
            "import",
            &bom,
            "--profile",
            "jstpay",
            "--expect-total",
            "775",
        ])
        .await;
    assert_eq!(v["batch"]["state"], "draft", "{v}");
    assert_eq!(v["batch"]["total_fen"], 77_500);
    // The BOM is not part of the first header: every column was recognised.
    assert!(errors(&v["batch"]).is_empty(), "{v}");

    // Run the GBK batch: every row reaches the gateway once, with its name intact.
    let run = env.json(&["batch", "run", &id, "--concurrency", "3"]).await;
    assert_eq!(run["batch"]["state"], "done", "{run}");
    for r in rows(&run) {
        assert_eq!(r["status"], "pending", "{r}");
        let no = r["order_no"].as_str().unwrap();
        assert_eq!(env.sandbox.sim.create_count(ProviderKind::Jstpay, no), 1);
    }
    let names: Vec<String> = env
        .sandbox
        .sim
        .orders()
        .iter()
        .map(|o| o.data.to_string())
        .collect();
    for name in ["张三", "李四", "王五", "赵六", "钱七"] {
        assert!(
            names.iter().any(|d| d.contains(name)),
            "{name} reached the gateway unchanged: {names:?}"
        );
    }
    // The spaced card number was cleaned like a typed one.
    let v = env.json(&["order", "list", "--limit", "20"]).await;
    assert!(v.to_string().contains("6222020200112233447"), "{v}");

    // Export: CSV with a BOM, the input columns and the outcome.
    let out = env.data_dir().join("results.csv");
    env.json(&["batch", "export", &id, "--out", out.to_str().unwrap()])
        .await;
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(text.starts_with("收款人户名,收款卡号"), "{text}");
    assert!(text.contains("钱七") && text.contains("pending"), "{text}");
    assert_eq!(text.lines().count(), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_error_is_reported_at_once_and_the_batch_cannot_run() {
    let env = Env::with_profile(ProviderKind::Jstpay).await;
    let r = env
        .run(&[
            "--json",
            "batch",
            "import",
            &fixture("payday-errors.csv"),
            "--profile",
            "jstpay",
        ])
        .await
        .failed();
    let v = r.json();
    let b = &v["batch"];
    assert_eq!(b["state"], "invalid", "{v}");
    assert_eq!(b["valid_rows"], 1);
    let errs = errors(b);
    let has = |row: u64, field: &str| {
        errs.iter()
            .any(|e| e["row"].as_u64() == Some(row) && e["field"] == field)
    };
    // Row 3: no card and jiao in a whole-yuan gateway; row 4: a bad card and
    // a bad amount; row 5: a zero amount. The unknown column with data is
    // named on the header row.
    assert!(has(3, "account_no"), "{errs:?}");
    assert!(has(3, "amount"), "{errs:?}");
    assert!(has(4, "account_no"), "{errs:?}");
    assert!(has(4, "amount"), "{errs:?}");
    assert!(has(5, "amount"), "{errs:?}");
    assert!(
        errs.iter().any(|e| e["row"] == 1 && e["column"] == "工号"),
        "{errs:?}"
    );
    assert!(errs
        .iter()
        .filter(|e| e["field"] == "amount")
        .all(|e| e["column"] == "金额（元）"));
    let id = b["id"].as_i64().unwrap().to_string();
    let r = env.run(&["--json", "batch", "run", &id]).await.failed();
    assert!(r.stdout.contains("\"error\""), "{}", r.stdout);
    assert!(env.sandbox.sim.orders().is_empty(), "nothing was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_totals_duplicates_and_the_same_file_are_refused_until_accepted() {
    let env = Env::with_profile(ProviderKind::Jstpay).await;
    let gbk = fixture("payday-gbk.csv");
    // Count and total that do not match: both figures are shown.
    let v = env
        .run(&[
            "--json",
            "batch",
            "import",
            &gbk,
            "--profile",
            "jstpay",
            "--expect-count",
            "6",
            "--expect-total",
            "1450.01",
        ])
        .await
        .failed()
        .json();
    let msgs: Vec<String> = errors(&v["batch"])
        .iter()
        .map(|e| e["message"].as_str().unwrap().to_string())
        .collect();
    assert!(
        msgs.iter().any(|m| m.contains('6') && m.contains('5')),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.contains("1,450.01") && m.contains("1,450.00")),
        "{msgs:?}"
    );

    // Same account and amount twice: refused, then accepted explicitly.
    let dup = env.data_dir().join("dup.csv");
    let list = vec![
        jst_row(1, "100"),
        jst_row(2, "200"),
        jst_row(1, "100"),
        jst_row(3, "100"),
    ];
    write_csv(&dup, JST_HEADER, &list);
    let v = env
        .run(&[
            "--json",
            "batch",
            "import",
            dup.to_str().unwrap(),
            "--profile",
            "jstpay",
        ])
        .await
        .failed()
        .json();
    let w = &v["batch"]["warnings"];
    assert_eq!(w[0]["kind"], "duplicate", "{v}");
    assert_eq!(w[0]["rows"], serde_json::json!([2, 4]));
    assert_eq!(w[0]["accepted"], false);
    // The refused import does not count as "imported before".
    let v = env
        .json(&[
            "batch",
            "import",
            dup.to_str().unwrap(),
            "--profile",
            "jstpay",
            "--allow-duplicates",
        ])
        .await;
    assert_eq!(v["batch"]["state"], "draft", "{v}");
    assert_eq!(v["batch"]["warnings"][0]["accepted"], true);

    // The same bytes again: refused without --allow-same-file.
    let v = env
        .run(&[
            "--json",
            "batch",
            "import",
            dup.to_str().unwrap(),
            "--profile",
            "jstpay",
            "--allow-duplicates",
        ])
        .await
        .failed()
        .json();
    assert!(
        errors(&v["batch"])
            .iter()
            .any(|e| e["field"] == "allow_same_file"),
        "{v}"
    );
    env.json(&[
        "batch",
        "import",
        dup.to_str().unwrap(),
        "--profile",
        "jstpay",
        "--allow-duplicates",
        "--allow-same-file",
    ])
    .await;

    // An order number twice in the file, or already in the history: errors.
    let nos = env.data_dir().join("nos.csv");
    env.json(
        &[
            &[
                "payout",
                "create",
                "--profile",
                "jstpay",
                "--amount",
                "100",
                "--order-no",
                "TAKEN1",
            ][..],
            JST_PAYEE,
        ]
        .concat(),
    )
    .await;
    let mut r1 = jst_row(5, "100");
    r1.push("SAME1".into());
    let mut r2 = jst_row(6, "100");
    r2.push("SAME1".into());
    let mut r3 = jst_row(7, "100");
    r3.push("TAKEN1".into());
    write_csv(&nos, &format!("{JST_HEADER},商户订单号"), &[r1, r2, r3]);
    let v = env
        .run(&[
            "--json",
            "batch",
            "import",
            nos.to_str().unwrap(),
            "--profile",
            "jstpay",
        ])
        .await
        .failed()
        .json();
    let errs = errors(&v["batch"]);
    assert!(
        errs.iter()
            .any(|e| e["row"] == 3 && e["field"] == "order_no"),
        "{errs:?}"
    );
    assert!(
        errs.iter()
            .any(|e| e["row"] == 4 && e["field"] == "order_no"),
        "{errs:?}"
    );
    assert!(!errs.iter().any(|e| e["row"] == 2), "{errs:?}");

    // A number another profile of the same gateway and merchant id holds:
    // the gateway would see a duplicate, so the row is refused at import.
    env.add_profile("jstpay-twin", ProviderKind::Jstpay, None)
        .await
        .ok();
    env.json(&[
        "payout",
        "create",
        "--profile",
        "jstpay-twin",
        "--amount",
        "100",
        "--order-no",
        "TWIN1",
        "--payee-name",
        "张三",
        "--account-no",
        "6222020200112233445",
        "--bank-name",
        "中国工商银行",
        "--branch",
        "上海分行",
        "--province",
        "上海市",
        "--city",
        "上海市",
    ])
    .await;
    let twin = env.data_dir().join("twin.csv");
    let mut r1 = jst_row(8, "100");
    r1.push("TWIN1".into());
    let mut r2 = jst_row(9, "100");
    r2.push("OWN1".into());
    write_csv(&twin, &format!("{JST_HEADER},商户订单号"), &[r1, r2]);
    let v = env
        .run(&[
            "--json",
            "batch",
            "import",
            twin.to_str().unwrap(),
            "--profile",
            "jstpay",
        ])
        .await
        .failed()
        .json();
    let errs = errors(&v["batch"]);
    assert!(
        errs.iter().any(|e| e["row"] == 2
            && e["field"] == "order_no"
            && e["message"].as_str().unwrap().contains("jstpay-twin")),
        "{errs:?}"
    );
    assert!(!errs.iter().any(|e| e["row"] == 3), "{errs:?}");
}

/// The review screen's checkbox per duplicate group: each group is accepted
/// on its own (by its warning's key), the batch stays refused while any
/// group is not, and a run refuses it even if the stored state says `draft`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_duplicate_group_is_accepted_on_its_own_and_a_run_refuses_while_one_is_not() {
    use paydesk_core::batch::{self, ImportOptions};
    let env = Env::with_profile(ProviderKind::Jstpay).await;
    let dup = env.data_dir().join("two-groups.csv");
    // Two groups: rows 2 and 4 (account 1, 100), rows 3 and 5 (account 2, 200).
    let list = vec![
        jst_row(1, "100"),
        jst_row(2, "200"),
        jst_row(1, "100"),
        jst_row(2, "200"),
        jst_row(3, "300"),
    ];
    write_csv(&dup, JST_HEADER, &list);
    let bytes = std::fs::read(&dup).unwrap();
    let desk = support::engine::open(
        env.data_dir(),
        std::sync::Arc::new(paydesk_core::vault::MemoryStore::default()),
    )
    .await
    .unwrap();
    let opts = |accepted: Vec<String>| ImportOptions {
        file_name: "two-groups.csv".into(),
        accepted_duplicates: accepted,
        ..Default::default()
    };

    // Nothing accepted: two groups, each with its own key, both open.
    let b = batch::import(&desk, "jstpay", &bytes, &opts(vec![]))
        .await
        .unwrap();
    assert_eq!(b.state, batch::BatchState::Invalid);
    let keys: Vec<String> = b
        .warnings
        .iter()
        .filter(|w| w.kind == "duplicate")
        .map(|w| w.key.clone().expect("a duplicate group has a key"))
        .collect();
    assert_eq!(keys.len(), 2, "{:?}", b.warnings);
    assert_ne!(keys[0], keys[1]);

    // One group ticked, the other not: still refused, and the error names
    // the open group's rows only.
    let b = batch::import(&desk, "jstpay", &bytes, &opts(vec![keys[0].clone()]))
        .await
        .unwrap();
    assert_eq!(b.state, batch::BatchState::Invalid, "{:?}", b.errors);
    let w: Vec<(Vec<u32>, bool)> = b
        .warnings
        .iter()
        .map(|w| (w.rows.clone(), w.accepted))
        .collect();
    assert_eq!(w, vec![(vec![2, 4], true), (vec![3, 5], false)]);
    let e = b
        .errors
        .iter()
        .find(|e| e.field.as_deref() == Some("allow_duplicates"))
        .expect("the open group refuses the batch");
    assert!(
        e.message.contains("3, 5") && !e.message.contains("2, 4"),
        "{}",
        e.message
    );
    let half = b.id;
    // The run refuses it, naming the open group.
    let r = env
        .run(&["--json", "batch", "run", &half.to_string()])
        .await
        .failed();
    assert!(
        r.stdout.contains("3, 5") || r.stderr.contains("3, 5"),
        "{} {}",
        r.stdout,
        r.stderr
    );
    // Even when the stored state says runnable (an older writer, another
    // process), the open warning alone stops the run before any row leaves.
    support::engine::execute(
        &desk,
        &format!("UPDATE batches SET state = 'draft' WHERE id = {half}"),
    )
    .await;
    let v = env
        .run(&["--json", "batch", "run", &half.to_string()])
        .await
        .failed();
    assert!(
        v.stdout.contains("allow_duplicates") || v.stderr.contains("allow_duplicates"),
        "{} {}",
        v.stdout,
        v.stderr
    );
    assert!(env.sandbox.sim.orders().is_empty(), "nothing was sent");
    // Back to what the import stored, so it does not count as "imported before".
    support::engine::execute(
        &desk,
        &format!("UPDATE batches SET state = 'invalid' WHERE id = {half}"),
    )
    .await;

    // Both groups ticked: runnable, and every row is paid once.
    let b = batch::import(&desk, "jstpay", &bytes, &opts(keys.clone()))
        .await
        .unwrap();
    assert_eq!(b.state, batch::BatchState::Draft, "{:?}", b.errors);
    assert!(b.warnings.iter().all(|w| w.accepted));
    drop(desk);
    let run = env.json(&["batch", "run", &b.id.to_string()]).await;
    assert_eq!(run["batch"]["state"], "done", "{run}");
    assert_eq!(env.sandbox.sim.orders().len(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_xlsx_template_edited_imports_runs_and_exports() {
    use calamine::Reader;
    let env = Env::with_profile(ProviderKind::Jstpay).await;
    let tpl = env.data_dir().join("template.xlsx");
    env.json(&[
        "batch",
        "template",
        "--profile",
        "jstpay",
        "--out",
        tpl.to_str().unwrap(),
    ])
    .await;
    // Open the template as a clerk would and read its header and example.
    let mut book = calamine::open_workbook_auto(&tpl).unwrap();
    let sheet = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&sheet).unwrap();
    let grid: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(
        grid[0],
        vec![
            "收款人户名",
            "收款卡号",
            "收款银行",
            "开户支行",
            "开户省份",
            "开户城市",
            "金额（元）",
            "商户订单号（可空）"
        ]
    );
    assert_eq!(grid.len(), 2, "header and one example row");
    // Edit: keep the header and the example, add rows (one typed as numbers,
    // one with a formula-like name), save as a new workbook.
    let edited = env.data_dir().join("edited.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (i, row) in grid.iter().enumerate() {
        for (j, c) in row.iter().enumerate() {
            ws.write_string(i as u32, j as u16, c).unwrap();
        }
    }
    let extra = [
        [
            "=SUM(A1)",
            "6222020200119990001",
            "中国银行",
            "北京分行",
            "北京市",
            "北京市",
        ],
        [
            "孙八",
            "6222020200119990002",
            "中国银行",
            "北京分行",
            "北京市",
            "北京市",
        ],
    ];
    for (i, r) in extra.iter().enumerate() {
        let row = 2 + i as u32;
        for (j, c) in r.iter().enumerate() {
            ws.write_string(row, j as u16, *c).unwrap();
        }
        // The amount as a number cell, as Excel stores a typed number.
        ws.write_number(row, 6, 300.0 + i as f64).unwrap();
    }
    wb.save(&edited).unwrap();
    let v = env
        .json(&[
            "batch",
            "import",
            edited.to_str().unwrap(),
            "--profile",
            "jstpay",
            "--expect-count",
            "3",
            "--expect-total",
            "701",
        ])
        .await;
    assert_eq!(v["batch"]["state"], "draft", "{v}");
    let id = batch_id(&v);
    let run = env.json(&["batch", "run", &id]).await;
    assert_eq!(run["batch"]["counts"]["pending"], 3, "{run}");
    let list = env.json(&["batch", "list"]).await;
    assert_eq!(list["batches"][0]["state"], "done");
    assert_eq!(list["batches"][0]["total_fen"], 70_100);

    let csv_out = env.data_dir().join("out.csv");
    env.json(&["batch", "export", &id, "--out", csv_out.to_str().unwrap()])
        .await;
    let text = std::fs::read_to_string(&csv_out).unwrap();
    assert!(text.contains("'=SUM(A1)"), "formula-safe: {text}");
    let xlsx_out = env.data_dir().join("out.xlsx");
    env.json(&["batch", "export", &id, "--out", xlsx_out.to_str().unwrap()])
        .await;
    let mut book = calamine::open_workbook_auto(&xlsx_out).unwrap();
    let sheet = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&sheet).unwrap();
    assert_eq!(range.height(), 4);
    let cell = range.get((2, 0)).unwrap().to_string();
    assert_eq!(cell, "=SUM(A1)", "a string cell, not a formula");
    assert!(range.rows().skip(1).all(|r| r
        .iter()
        .any(|c| matches!(c, calamine::Data::String(s) if s == "pending"))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn juyouke_limits_hold_across_the_whole_batch() {
    let env = Env::with_profile(ProviderKind::Juyouke).await;
    let file = env.data_dir().join("withdraw.csv");
    // 50,000.01 is over the per-withdrawal limit; 20 x 50,000 fill the day's
    // 1,000,000 and the next row is over it.
    let mut text = String::from("金额（元）\n50000.01\n");
    for _ in 0..20 {
        text.push_str("50000\n");
    }
    text.push_str("1\n");
    std::fs::write(&file, text).unwrap();
    let v = env
        .run(&[
            "--json",
            "batch",
            "import",
            file.to_str().unwrap(),
            "--profile",
            "juyouke",
            "--allow-duplicates",
        ])
        .await
        .failed()
        .json();
    let errs = errors(&v["batch"]);
    assert!(
        errs.iter().any(|e| e["row"] == 2 && e["field"] == "amount"),
        "{errs:?}"
    );
    assert!(
        errs.iter()
            .any(|e| e["row"] == 23 && e["field"] == "amount"),
        "{errs:?}"
    );
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert_eq!(v["batch"]["valid_rows"], 20);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signature_error_or_low_balance_pauses_the_rest_of_the_profile() {
    let env = Env::new().await;
    env.add_profile("wrongkey", ProviderKind::Jstpay, Some("not-the-key"))
        .await
        .ok();
    let list: Vec<Vec<String>> = (1..=6).map(|i| jst_row(i, "100")).collect();
    let v = env.import_jst("p.csv", "wrongkey", &list).await;
    let id = batch_id(&v);
    let r = env
        .run(&["--json", "batch", "run", &id, "--concurrency", "1"])
        .await
        .failed();
    assert_eq!(r.code, 5, "{}", r.stderr);
    let v = env.json(&["batch", "show", &id]).await;
    assert_eq!(v["batch"]["state"], "paused", "{v}");
    assert!(
        v["batch"]["pause_reason"]
            .as_str()
            .unwrap()
            .contains("signature"),
        "{v}"
    );
    assert_eq!(v["batch"]["counts"]["queued"], 5, "{v}");

    // Insufficient balance: the same with the right key and an empty account.
    env.add_profile("poor", ProviderKind::Jstpay, None)
        .await
        .ok();
    env.sandbox.sim.set_balance(ProviderKind::Jstpay, 15_000);
    let list: Vec<Vec<String>> = (11..=14).map(|i| jst_row(i, "100")).collect();
    let v = env.import_jst("p2.csv", "poor", &list).await;
    let id2 = batch_id(&v);
    let r = env
        .run(&["--json", "batch", "run", &id2, "--concurrency", "1"])
        .await
        .failed();
    assert_eq!(r.code, 5);
    let v = env.json(&["batch", "show", &id2]).await;
    assert_eq!(v["batch"]["state"], "paused", "{v}");
    assert_eq!(v["batch"]["counts"]["pending"], 1, "{v}");
    assert_eq!(v["batch"]["counts"]["failed"], 1, "{v}");
    assert_eq!(v["batch"]["counts"]["queued"], 2, "{v}");
    // Topped up, the run resumes with the rows not yet sent.
    env.sandbox
        .sim
        .set_balance(ProviderKind::Jstpay, 10_000_000);
    let v = env.json(&["batch", "run", &id2]).await;
    assert_eq!(v["batch"]["state"], "done", "{v}");
    assert_eq!(v["batch"]["counts"]["pending"], 3, "{v}");

    // Cancel: rows not yet sent are never sent.
    let list: Vec<Vec<String>> = (21..=23).map(|i| jst_row(i, "100")).collect();
    let v = env.import_jst("p3.csv", "poor", &list).await;
    let id3 = batch_id(&v);
    let before = env.sandbox.sim.orders().len();
    let v = env.json(&["batch", "cancel", &id3]).await;
    assert_eq!(v["batch"]["state"], "cancelled");
    let v = env.json(&["batch", "run", &id3]).await;
    assert_eq!(v["batch"]["counts"]["cancelled"], 3, "{v}");
    assert_eq!(env.sandbox.sim.orders().len(), before);
}

fn spawn_run(
    env: &Env,
    id: &str,
    concurrency: &str,
    pause_at: Option<&str>,
) -> std::process::Child {
    let mut cmd = env.command(&["--json", "batch", "run", id, "--concurrency", concurrency]);
    match pause_at {
        Some(p) => cmd.env("PAYDESK_TEST_PAUSE_AT", p),
        None => cmd.env_remove("PAYDESK_TEST_PAUSE_AT"),
    };
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd.spawn().expect("paydesk runs")
}

/// After a kill, every row agrees with the history: a row is claimed
/// (`sending`) in the transaction that stores its order, so a queued row has
/// no order and a sending one has its order. Returns the sending rows' numbers.
async fn rows_agree_with_orders(env: &Env, id: &str) -> Vec<String> {
    let show = env.json(&["batch", "show", id]).await;
    let mut sending = Vec::new();
    for r in rows(&show) {
        let no = r["order_no"].as_str().unwrap();
        let stored = env.run(&["--json", "order", "get", no]).await.code == 0;
        match r["status"].as_str().unwrap() {
            "queued" => assert!(!stored, "queued row {no} has an order: {r}"),
            "sending" => {
                assert!(stored, "sending row {no} has no order: {r}");
                sending.push(no.to_string());
            }
            _ => assert!(stored, "{r}"),
        }
    }
    sending
}

/// Exactly once: the CLI is killed (SIGKILL) twice in the middle of a run,
/// once while replies are slow (requests in flight) and once with rows stored
/// but not yet sent; every resume finishes the batch and the gateway sees
/// each row's order number created exactly once (never-sent rows: zero times,
/// settled by a query, never created late).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_mid_run_the_resumed_batch_creates_every_order_exactly_once() {
    let env = Env::with_profile(ProviderKind::Jstpay).await;
    let kind = ProviderKind::Jstpay;
    let list: Vec<Vec<String>> = (1..=40)
        .map(|i| jst_row(i, &format!("{}", 100 + i)))
        .collect();
    let v = env.import_jst("kill.csv", "jstpay", &list).await;
    let id = batch_id(&v);
    let nos: Vec<String> = rows(&env.json(&["batch", "show", &id]).await)
        .iter()
        .map(|r| r["order_no"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(nos.len(), 40);

    // 1. Slow replies: kill while requests are in flight.
    env.sandbox.sim.add_fault(FaultSpec {
        provider: kind,
        fault: FaultKind::Delay,
        delay_ms: Some(400),
        times: None,
    });
    let mut child = spawn_run(&env, &id, "4", None);
    let started = Instant::now();
    while env.sandbox.sim.orders().len() < 10 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the run never got going"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    env.sandbox.sim.clear_faults();
    // Requests that reached the gateway before the kill finish their delay.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let at_kill = env.sandbox.sim.orders().len();
    assert!(at_kill < 40, "killed mid-run ({at_kill} sent)");
    let show = env.json(&["batch", "show", &id]).await;
    assert_eq!(
        show["batch"]["state"], "running",
        "left as the kill found it"
    );
    // The kill can also land between an order's write and its request: that
    // row is stored and was never sent, like the ones paused below.
    let mut stranded: Vec<String> = rows_agree_with_orders(&env, &id)
        .await
        .into_iter()
        .filter(|no| env.sandbox.sim.create_count(kind, no) == 0)
        .collect();

    // 2. Resume, paused before the send of the next rows: kill again there.
    let mut child = spawn_run(&env, &id, "2", Some("before_send"));
    child = tokio::task::spawn_blocking(move || {
        let stderr = child.stderr.take().unwrap();
        for line in BufReader::new(stderr).lines() {
            if line.unwrap().contains("PAYDESK_TEST_PAUSED before_send") {
                break;
            }
        }
        child
    })
    .await
    .unwrap();
    // Give the second concurrent row a moment to reach its pause too.
    tokio::time::sleep(Duration::from_millis(300)).await;
    child.kill().unwrap();
    child.wait().unwrap();
    // Rows marked sending (each with its order stored): their create had begun.
    let paused = rows_agree_with_orders(&env, &id).await;
    assert!(!paused.is_empty(), "a row was paused before its send");
    stranded.extend(paused);
    for no in &stranded {
        assert_eq!(
            env.sandbox.sim.create_count(kind, no),
            0,
            "{no} not sent yet"
        );
    }

    // 3. Resume to the end.
    let v = env.json(&["batch", "run", &id, "--concurrency", "8"]).await;
    assert_eq!(v["batch"]["state"], "done", "{v}");
    for no in &nos {
        let n = env.sandbox.sim.create_count(kind, no);
        if stranded.contains(no) {
            // Its order was stored before the kill: settled by a query
            // (unknown within the grace period), never created late.
            assert_eq!(n, 0, "{no}: stored but never sent, never re-created");
        } else {
            assert_eq!(n, 1, "{no}: created exactly once");
        }
    }
    for r in rows(&v) {
        let no = r["order_no"].as_str().unwrap();
        let want = if stranded.iter().any(|s| s == no) {
            "unknown"
        } else {
            "pending"
        };
        assert_eq!(r["status"], want, "{r}");
    }
    // After the grace period the stranded ones are settled as never arrived.
    let mut cmd = env.command(&["--json", "batch", "run", &id]);
    cmd.env("PAYDESK_NOT_FOUND_GRACE_MS", "0");
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    for r in rows(&v) {
        let no = r["order_no"].as_str().unwrap();
        if stranded.iter().any(|s| s == no) {
            assert_eq!(r["status"], "failed", "{r}");
        }
    }
    for no in &nos {
        assert!(env.sandbox.sim.create_count(kind, no) <= 1, "{no}");
    }
    // One order per row in the history: nothing created twice locally either.
    let list = env.json(&["order", "list", "--limit", "100"]).await;
    assert_eq!(list["orders"].as_array().unwrap().len(), 40, "{list}");
}

/// Reopening the app resumes a batch a killed process left running: the
/// app's start-up calls `batch::resume_running`, the same path as `batch run`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reopening_the_app_resumes_a_killed_run_exactly_once() {
    let env = Env::with_profile(ProviderKind::Jstpay).await;
    let kind = ProviderKind::Jstpay;
    let list: Vec<Vec<String>> = (1..=24).map(|i| jst_row(i, "100")).collect();
    let v = env.import_jst("app.csv", "jstpay", &list).await;
    let id = batch_id(&v);
    env.sandbox.sim.add_fault(FaultSpec {
        provider: kind,
        fault: FaultKind::Delay,
        delay_ms: Some(300),
        times: None,
    });
    let mut child = spawn_run(&env, &id, "4", None);
    let started = Instant::now();
    while env.sandbox.sim.orders().len() < 6 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the run never got going"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    env.sandbox.sim.clear_faults();
    let desk = support::engine::open(
        env.data_dir(),
        std::sync::Arc::new(paydesk_core::vault::KeyringStore),
    )
    .await
    .unwrap();
    let resumed = paydesk_core::batch::resume_running(&desk).await.unwrap();
    assert_eq!(resumed.len(), 1);
    assert_eq!(resumed[0].state, paydesk_core::batch::BatchState::Done);
    // The kill can land between an order's write and its request: that row
    // is `unknown` and the gateway never saw it. The resume settles it by a
    // query (still unknown inside the grace period), never by a second create.
    let show = env.json(&["batch", "show", &id]).await;
    let mut pending = 0;
    for r in rows(&show) {
        let no = r["order_no"].as_str().unwrap();
        match env.sandbox.sim.create_count(kind, no) {
            0 => assert_eq!(r["status"], "unknown", "stored, never sent: {r}"),
            1 => {
                assert_eq!(r["status"], "pending", "{r}");
                pending += 1;
            }
            n => panic!("{no} created {n} times"),
        }
    }
    // At most one row per worker (concurrency 4) can be caught in between.
    assert!(pending >= 20, "{:?}", resumed[0].counts);
    assert_eq!(
        resumed[0].counts.values().sum::<u32>(),
        24,
        "{:?}",
        resumed[0].counts
    );
}

/// Benchmark (issue 11 targets; run with `--release -- --ignored`): import and
/// validate 10,000 rows, and run 1,000 rows against the sandbox with 50 ms of
/// latency per reply at concurrency 16, against the ideal bound
/// ceil(1000 / 16) x 50 ms. Prints the figures for docs/BENCHMARKS.md.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run in release"]
async fn bench_import_10000_rows_and_run_1000_at_50ms_concurrency_16() {
    let env = Env::with_profile(ProviderKind::Jstpay).await;
    let big = env.data_dir().join("big.csv");
    let list: Vec<Vec<String>> = (1..=10_000).map(|i| jst_row(i, "100")).collect();
    write_csv(&big, JST_HEADER, &list);
    let started = Instant::now();
    let v = env
        .json(&[
            "batch",
            "import",
            big.to_str().unwrap(),
            "--profile",
            "jstpay",
        ])
        .await;
    let import_s = started.elapsed().as_secs_f64();
    assert_eq!(v["batch"]["valid_rows"], 10_000, "{}", v["batch"]["errors"]);
    println!("BENCH batch import 10000 rows (CLI process, read+validate+store): {import_s:.3} s");

    let list: Vec<Vec<String>> = (20_001..=21_000).map(|i| jst_row(i, "100")).collect();
    let v = env.import_jst("k.csv", "jstpay", &list).await;
    let id = batch_id(&v);
    env.sandbox.sim.add_fault(FaultSpec {
        provider: ProviderKind::Jstpay,
        fault: FaultKind::Delay,
        delay_ms: Some(50),
        times: None,
    });
    let started = Instant::now();
    let v = env
        .json(&["batch", "run", &id, "--concurrency", "16"])
        .await;
    let run_s = started.elapsed().as_secs_f64();
    assert_eq!(v["batch"]["counts"]["pending"], 1000, "{}", v["batch"]);
    let ideal = (1000f64 / 16.0).ceil() * 0.050;
    println!(
        "BENCH batch run 1000 rows, 50 ms latency, concurrency 16: {run_s:.3} s (ideal {ideal:.3} s, ratio {:.2})",
        run_s / ideal
    );
}

/// The human progress line follows the coalesced events: redrawn at most
/// about ten times a second (not once per row), and its last state is the
/// batch's final figures.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_progress_line_is_redrawn_coalesced_and_ends_on_the_final_figures() {
    let env = Env::with_profile(ProviderKind::Jstpay).await;
    let n = 120;
    let list: Vec<Vec<String>> = (1..=n).map(|i| jst_row(i, "10")).collect();
    let id = batch_id(&env.import_jst("progress.csv", "jstpay", &list).await);
    let t0 = std::time::Instant::now();
    let r = env.run(&["batch", "run", &id]).await.ok();
    let took = t0.elapsed();
    let draws: Vec<&str> = r
        .stderr
        .split('\r')
        .map(str::trim)
        .filter(|s| s.starts_with("sent "))
        .collect();
    // One draw when the run starts, one per 100 ms at most, and the last.
    let bound = (took.as_millis() / 100) as usize + 3;
    assert!(
        draws.len() <= bound && draws.len() < n,
        "{} draws for {n} rows in {took:?}",
        draws.len()
    );
    let last = draws.last().expect("a progress line");
    assert!(
        last.starts_with(&format!(
            "sent {n}/{n}  ok 0  failed 0  unknown 0  amount ¥ 1,200.00"
        )),
        "{last}"
    );
}
