//! Maker-checker (issue 13) through the real `paydesk` binary. On the single
//! desk's SQLite file there is no checker: a threshold is refused with the
//! reason, and the approvals commands say they need team mode. (The team-mode
//! journeys on PostgreSQL are in `approvals_pg.rs`.)

mod support;

use paydesk_core::ProviderKind;
use support::Env;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_threshold_is_refused_on_a_single_desk() {
    let env = Env::new().await;
    let c = paydesk_sandbox::credentials(ProviderKind::Jstpay);
    let base = env.sandbox.base_url(ProviderKind::Jstpay);
    let add = |threshold: &'static str| {
        vec![
            "--json".to_string(),
            "profile".into(),
            "add".into(),
            "big".into(),
            "--provider".into(),
            "jstpay".into(),
            "--base-url".into(),
            base.clone(),
            "--merchant-id".into(),
            c.merchant_id.into(),
            "--approval-threshold".into(),
            threshold.into(),
            "--secret-stdin".into(),
        ]
    };
    for threshold in ["5000", "0"] {
        let args = add(threshold);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = env
            .run_stdin(&refs, &format!("{}\n", c.secret))
            .await
            .failed();
        assert_eq!(r.code, 1, "{}", r.stdout);
        let e = &r.json()["error"];
        assert_eq!(e["field"], "approval_threshold", "{e}");
        let m = e["message"].as_str().unwrap();
        assert!(m.contains("team mode"), "{m}");
    }
    // Nothing was half-written: no profile, no keyring entry used.
    let list = env.json(&["profile", "list"]).await;
    assert_eq!(list["profiles"].as_array().unwrap().len(), 0, "{list}");

    // Without a threshold it is added; setting one afterwards is refused too,
    // and the profile keeps having none.
    env.add_profile("big", ProviderKind::Jstpay, None)
        .await
        .ok();
    let r = env
        .run(&[
            "--json",
            "profile",
            "edit",
            "big",
            "--approval-threshold",
            "100",
        ])
        .await
        .failed();
    assert_eq!(r.json()["error"]["field"], "approval_threshold");
    let shown = env.json(&["profile", "show", "big"]).await;
    assert!(shown["approval_threshold_fen"].is_null(), "{shown}");
    // Other edits still work, and "" (none) is no threshold to refuse.
    env.json(&[
        "profile",
        "edit",
        "big",
        "--approval-threshold",
        "",
        "--low-balance",
        "10",
    ])
    .await;

    // The approvals commands say why there is nothing to approve.
    let list = env.json(&["approvals", "list"]).await;
    assert_eq!(list["team_mode"], false, "{list}");
    assert_eq!(list["approvals"].as_array().unwrap().len(), 0);
    for args in [
        vec!["--json", "approve", "PD123"],
        vec!["--json", "reject", "PD123", "--reason", "no"],
    ] {
        let r = env.run(&args).await.failed();
        let m = r.json()["error"]["message"].as_str().unwrap().to_string();
        assert!(m.contains("team mode"), "{m}");
    }
}
