//! The batch IPC commands driven directly (issue 11): import, review, run
//! and export through `paydesk_app::batch_ipc`, the work behind each
//! `#[tauri::command]` (which adds only the state, the native dialogs and
//! the event emitter). Asserted on the JSON the UI receives: the imported
//! batch with its rows, each `batch-progress` event, the errors as
//! `{code, message, field}`; against a real SQLite file and the sandbox over
//! loopback.

use paydesk_app::batch_ipc::{self, BATCH_ERROR_EVENT, BATCH_PROGRESS_EVENT};
use paydesk_core::batch::ImportOptions;
use paydesk_core::domain::ProviderKind;
use paydesk_core::gateway::GatewayConfig;
use paydesk_core::http::HttpOptions;
use paydesk_core::services::{PayDesk, ProfileInput};
use paydesk_core::vault::MemoryStore;
use paydesk_core::Secret;
use serde_json::Value;
use std::sync::{Arc, Mutex};

const HEADER: &str = "收款人户名,收款卡号,收款银行,开户支行,开户省份,开户城市,金额（元）";

fn row(i: usize, amount: &str) -> String {
    format!(
        "收款人{i},62220202{:011},中国工商银行,上海分行,上海市,上海市,{amount}",
        1000 + i
    )
}

async fn desk_with_sandbox(dir: &std::path::Path) -> (PayDesk, paydesk_sandbox::Running) {
    let sandbox = paydesk_sandbox::spawn(0, None).await.unwrap();
    let desk = PayDesk::open_with(
        dir,
        Arc::new(MemoryStore::default()),
        HttpOptions::default(),
    )
    .await
    .unwrap();
    let kind = ProviderKind::Jstpay;
    let c = paydesk_sandbox::credentials(kind);
    desk.add_profile(
        ProfileInput {
            name: "jstpay".into(),
            provider: Some(kind),
            gateway: GatewayConfig {
                base_url: sandbox.base_url(kind),
                merchant_id: c.merchant_id.into(),
                app_id: c.app_id.map(String::from),
                operator_id: c.operator_id.map(String::from),
                notify_url: Some("http://127.0.0.1:9/notify".into()),
                return_url: None,
            },
            low_balance_fen: None,
            approval_threshold_fen: None,
            sandbox: true,
        },
        Secret::new(c.secret),
        c.reply_secret.map(Secret::new),
    )
    .await
    .unwrap();
    (desk, sandbox)
}

fn json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_review_run_and_export_through_the_ipc_layer() {
    let dir = tempfile::tempdir().unwrap();
    let (desk, sandbox) = desk_with_sandbox(dir.path()).await;

    // The template the "下载模板" button writes.
    let tpl = dir.path().join("template.xlsx");
    let saved = batch_ipc::template(&desk, "jstpay", &tpl).await.unwrap();
    assert_eq!(saved, tpl.display().to_string());
    assert!(std::fs::metadata(&tpl).unwrap().len() > 0);

    // Import: two duplicate groups (rows 2+4 and 3+5) and one more row.
    let file = dir.path().join("payday.csv");
    let body: Vec<String> = vec![
        row(1, "100"),
        row(2, "200"),
        row(1, "100"),
        row(2, "200"),
        row(3, "300"),
    ];
    std::fs::write(&file, format!("{HEADER}\n{}\n", body.join("\n"))).unwrap();
    let first = batch_ipc::import(
        &desk,
        "jstpay",
        &file,
        ImportOptions {
            expect_count: Some(5),
            expect_total: Some("900".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let v = json(&first);
    assert_eq!(v["path"], file.display().to_string());
    assert_eq!(v["detail"]["batch"]["state"], "invalid", "{v}");
    let keys: Vec<String> = v["detail"]["batch"]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["kind"] == "duplicate")
        .map(|w| w["key"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(keys.len(), 2, "{v}");
    let invalid_id = v["detail"]["batch"]["id"].as_i64().unwrap();

    // The run of a batch still waiting for an acceptance is refused at once,
    // as `{code, message, field}`, and nothing is sent.
    let e = json(
        &batch_ipc::check_runnable(&desk, invalid_id)
            .await
            .unwrap_err(),
    );
    assert_eq!(e["field"], "allow_duplicates", "{e}");
    assert!(e["message"].as_str().unwrap().contains("3, 5"), "{e}");

    // One group ticked: still refused, the ticked one shown accepted.
    let half = batch_ipc::import(
        &desk,
        "jstpay",
        &file,
        ImportOptions {
            accepted_duplicates: vec![keys[0].clone()],
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let v = json(&half);
    assert_eq!(v["detail"]["batch"]["state"], "invalid");
    let accepted: Vec<bool> = v["detail"]["batch"]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["accepted"].as_bool().unwrap())
        .collect();
    assert_eq!(accepted, vec![true, false]);

    // Both ticked: the review gets every row, the total in figures and 大写.
    let ok = batch_ipc::import(
        &desk,
        "jstpay",
        &file,
        ImportOptions {
            accepted_duplicates: keys.clone(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let v = json(&ok);
    let b = &v["detail"]["batch"];
    assert_eq!(b["state"], "draft", "{v}");
    assert_eq!(b["valid_rows"], 5);
    assert_eq!(b["total_fen"], 90_000);
    assert_eq!(b["total_capital"], "玖佰元整");
    let rows = v["detail"]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 5);
    assert!(rows.iter().all(|r| r["status"] == "queued"));
    let id = b["id"].as_i64().unwrap();
    batch_ipc::check_runnable(&desk, id).await.unwrap();

    // Run: every change arrives as a `batch-progress` event, the last one done.
    let events: Arc<Mutex<Vec<(String, Value)>>> = Arc::default();
    let sink = events.clone();
    let emit = move |name: &str, v: Value| sink.lock().unwrap().push((name.to_string(), v));
    batch_ipc::run(&desk, id, Some(3), &emit).await;
    let events = events.lock().unwrap().clone();
    assert!(
        events.iter().all(|(n, _)| n == BATCH_PROGRESS_EVENT),
        "{events:?}"
    );
    // Rows travel in the events that follow their change (several to one
    // event); each of the five is told, and each once here.
    let changed: Vec<&Value> = events
        .iter()
        .flat_map(|(_, p)| p["rows"].as_array().unwrap())
        .collect();
    let told: std::collections::BTreeSet<i64> =
        changed.iter().map(|r| r["row"].as_i64().unwrap()).collect();
    assert_eq!(told.len(), 5, "every row sent is told: {changed:?}");
    let last = &events.last().unwrap().1;
    assert_eq!(last["state"], "done", "{last}");
    assert_eq!(last["total"], 5);
    assert_eq!(last["sent"], 5);
    assert_eq!(last["amount_sent_fen"], 90_000);
    for r in changed {
        let no = r["order_no"].as_str().unwrap();
        assert_eq!(r["status"], "pending", "{r}");
        assert_eq!(
            sandbox.sim.create_count(ProviderKind::Jstpay, no),
            1,
            "{no}"
        );
    }

    // A run of an unknown batch reports its error as the `batch-error` event.
    let errors: Arc<Mutex<Vec<(String, Value)>>> = Arc::default();
    let sink = errors.clone();
    let emit = move |name: &str, v: Value| sink.lock().unwrap().push((name.to_string(), v));
    batch_ipc::run(&desk, 9_999, None, &emit).await;
    let errors = errors.lock().unwrap().clone();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, BATCH_ERROR_EVENT);
    assert_eq!(errors[0].1["batch_id"], 9_999);
    assert_eq!(errors[0].1["error"]["code"], "not_found", "{errors:?}");

    // Export: the input columns plus the outcome, CSV with a BOM.
    let out = dir.path().join("result.csv");
    batch_ipc::export(&desk, id, &out).await.unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with('\u{feff}'), "BOM");
    assert_eq!(text.trim_end().lines().count(), 6, "{text}");
    assert!(
        text.contains("收款人3") && text.contains("pending"),
        "{text}"
    );
}

/// Imports `n` valid jstpay rows (whole yuan) and returns the batch id and
/// the rows as the review screen receives them.
async fn import_rows(desk: &PayDesk, dir: &std::path::Path, n: usize) -> (i64, Vec<Value>) {
    let file = dir.join(format!("payday-{n}.csv"));
    let body: Vec<String> = (1..=n)
        .map(|i| row(i, &(10 + i % 50).to_string()))
        .collect();
    std::fs::write(&file, format!("{HEADER}\n{}\n", body.join("\n"))).unwrap();
    let v = json(
        &batch_ipc::import(desk, "jstpay", &file, ImportOptions::default())
            .await
            .unwrap(),
    );
    assert_eq!(v["detail"]["batch"]["state"], "draft", "{v}");
    let rows = v["detail"]["rows"].as_array().unwrap().clone();
    assert_eq!(rows.len(), n);
    (v["detail"]["batch"]["id"].as_i64().unwrap(), rows)
}

/// What the screen does with the events: each one's rows replace the rows
/// it holds. Returns the rows as they end, by row number.
fn apply(mut rows: Vec<Value>, events: &[(std::time::Instant, Value)]) -> Vec<Value> {
    for (_, p) in events {
        for r in p["rows"].as_array().unwrap() {
            let at = rows.iter().position(|x| x["row"] == r["row"]).unwrap();
            rows[at] = r.clone();
        }
    }
    rows
}

/// The screen's rows equal the stored rows in everything an event tells,
/// and the last event's totals are the stored counts.
async fn ends_as_stored(desk: &PayDesk, id: i64, shown: &[Value], last: &Value) {
    let stored = json(&paydesk_core::batch::show(desk, id).await.unwrap());
    let srows = stored["rows"].as_array().unwrap();
    assert_eq!(shown.len(), srows.len());
    for (a, b) in shown.iter().zip(srows) {
        for k in ["row", "status", "order_id", "provider_order_id", "message"] {
            assert_eq!(a[k], b[k], "row {}: {k} shown {a} stored {b}", b["row"]);
        }
    }
    let counts = &stored["batch"]["counts"];
    let n = |k: &str| counts[k].as_u64().unwrap_or(0);
    assert_eq!(last["state"], stored["batch"]["state"], "{last}");
    assert_eq!(last["pause_reason"], stored["batch"]["pause_reason"]);
    assert_eq!(last["succeeded"].as_u64().unwrap(), n("succeeded"));
    assert_eq!(last["failed"].as_u64().unwrap(), n("failed"));
    assert_eq!(last["unknown"].as_u64().unwrap(), n("unknown"));
    assert_eq!(last["cancelled"].as_u64().unwrap(), n("cancelled"));
    assert_eq!(
        last["in_progress"].as_u64().unwrap(),
        n("pending") + n("processing")
    );
    assert_eq!(last["queued"].as_u64().unwrap(), n("queued") + n("sending"));
    let sent: i64 = srows
        .iter()
        .filter(|r| {
            ["pending", "processing", "succeeded", "failed", "unknown"]
                .contains(&r["status"].as_str().unwrap())
        })
        .map(|r| r["amount_fen"].as_i64().unwrap())
        .sum();
    assert_eq!(last["amount_sent_fen"].as_i64().unwrap(), sent);
}

type Sink = Arc<Mutex<Vec<(std::time::Instant, Value)>>>;

fn progress_sink() -> (Sink, impl Fn(&str, Value) + Send + Sync) {
    let events: Sink = Arc::default();
    let sink = events.clone();
    let emit = move |name: &str, v: Value| {
        assert_eq!(name, BATCH_PROGRESS_EVENT, "{v}");
        sink.lock().unwrap().push((std::time::Instant::now(), v));
    };
    (events, emit)
}

/// A 200-row run sends its progress coalesced: at most one event per
/// `PROGRESS_EVERY` (the webview cannot take one per row), each carrying the
/// rows changed since the one before, and a last event whose rows and totals
/// are the stored batch, so the screen ends exactly where the batch stands.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_200_row_run_sends_few_events_and_ends_as_stored() {
    use paydesk_core::batch::PROGRESS_EVERY;
    let dir = tempfile::tempdir().unwrap();
    let (desk, sandbox) = desk_with_sandbox(dir.path()).await;
    let (id, rows) = import_rows(&desk, dir.path(), 200).await;
    let (events, emit) = progress_sink();
    let t0 = std::time::Instant::now();
    batch_ipc::run(&desk, id, Some(4), &emit).await;
    let took = t0.elapsed();
    let events = events.lock().unwrap().clone();
    println!(
        "200-row run: {} progress events in {:.2} s",
        events.len(),
        took.as_secs_f64()
    );
    // The first (the run starts) and the last (read back) stand apart; in
    // between, no two events closer than PROGRESS_EVERY.
    let middle = &events[1..events.len() - 1];
    for w in middle.windows(2) {
        let gap = w[1].0 - w[0].0;
        assert!(gap >= PROGRESS_EVERY, "two events {gap:?} apart");
    }
    let bound = (took.as_millis() / PROGRESS_EVERY.as_millis()) as usize + 3;
    assert!(
        events.len() <= bound && events.len() < 200,
        "{} events for 200 rows in {took:?}",
        events.len()
    );
    assert!(
        middle
            .iter()
            .any(|(_, p)| p["rows"].as_array().unwrap().len() > 1),
        "rows changed together travel together"
    );
    let last = &events.last().unwrap().1;
    assert_eq!(last["state"], "done", "{last}");
    assert_eq!(last["sent"], 200);
    let shown = apply(rows, &events);
    assert!(shown.iter().all(|r| r["status"] == "pending"), "{shown:?}");
    ends_as_stored(&desk, id, &shown, last).await;
    for r in &shown {
        let no = r["order_no"].as_str().unwrap();
        assert_eq!(
            sandbox.sim.create_count(ProviderKind::Jstpay, no),
            1,
            "{no}"
        );
    }
}

/// Cancelled mid-run: the rows the cancel closes (never sent) reach the
/// screen in the last event, with the cancelled state and the stored counts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_run_ends_as_stored_on_screen() {
    use paydesk_sandbox::{FaultKind, FaultSpec};
    let dir = tempfile::tempdir().unwrap();
    let (desk, sandbox) = desk_with_sandbox(dir.path()).await;
    let desk = Arc::new(desk);
    let (id, rows) = import_rows(&desk, dir.path(), 60).await;
    // Every reply takes 40 ms, so the cancel lands while rows are queued.
    sandbox.sim.add_fault(FaultSpec {
        provider: ProviderKind::Jstpay,
        fault: FaultKind::Delay,
        delay_ms: Some(40),
        times: None,
    });
    let (events, emit) = progress_sink();
    let run = {
        let desk = desk.clone();
        tokio::spawn(async move { batch_ipc::run(&desk, id, Some(2), &emit).await })
    };
    let told = || {
        events
            .lock()
            .unwrap()
            .iter()
            .map(|(_, p)| p["rows"].as_array().unwrap().len())
            .sum::<usize>()
    };
    let t0 = std::time::Instant::now();
    while told() < 3 {
        assert!(t0.elapsed().as_secs() < 60, "no row told");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    paydesk_core::batch::cancel(&desk, id).await.unwrap();
    run.await.unwrap();
    let events = events.lock().unwrap().clone();
    let last = &events.last().unwrap().1;
    assert_eq!(last["state"], "cancelled", "{last}");
    let shown = apply(rows, &events);
    let cancelled = shown.iter().filter(|r| r["status"] == "cancelled").count();
    assert!(cancelled > 0, "rows never sent are cancelled on screen");
    assert!(
        last["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["status"] == "cancelled"),
        "the cancel's rows arrive in the last event: {last}"
    );
    ends_as_stored(&desk, id, &shown, last).await;
}
