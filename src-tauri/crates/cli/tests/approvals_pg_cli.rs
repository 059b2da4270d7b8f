//! Maker-checker through real `paydesk` processes (issue 13): a team database
//! on a real PostgreSQL (`team init`, `team add-operator` as the CLI does
//! them), each command its own process logged in as its own role with
//! `--database`, the merchant key in the real Secret Service, and the sandbox
//! over loopback counting creates per order number. Needs
//! `PAYDESK_TEST_PG_URL` (scripts/with-postgres.sh) and the keyring
//! (scripts/with-keyring.sh); skipped with a notice without PostgreSQL,
//! failing in CI.

mod support;

use paydesk_core::store::pg_test::{fresh_database, PgTestDb};
use paydesk_core::ProviderKind;
use serde_json::Value;
use support::*;

const KIND: ProviderKind = ProviderKind::Jstpay;
const PASSWORD: &str = "cli-team-password";

/// A team database set up by the CLI: a maker and two checkers, and the
/// profile `big` (approval threshold ¥1,000) added by the administrator,
/// its key in this machine's keyring.
struct Team {
    env: Env,
    db: PgTestDb,
    maker: String,
    c1: String,
    c2: String,
}

impl Team {
    async fn new(test: &str) -> Option<Team> {
        let db = fresh_database(test)?;
        let env = Env::new().await;
        env.run(&["--json", "team", "init", "--database", &db.url])
            .await
            .ok();
        let tag = db.name[2..10].to_string();
        let team = Team {
            maker: format!("maker_{tag}"),
            c1: format!("checker1_{tag}"),
            c2: format!("checker2_{tag}"),
            env,
            db,
        };
        for (who, role) in [
            (&team.maker, "maker"),
            (&team.c1, "checker"),
            (&team.c2, "checker"),
        ] {
            team.env
                .run_stdin(
                    &[
                        "--json",
                        "team",
                        "add-operator",
                        who,
                        "--role",
                        role,
                        "--database",
                        &team.db.url,
                        "--password-stdin",
                    ],
                    &format!("{PASSWORD}\n"),
                )
                .await
                .ok();
        }
        let c = paydesk_sandbox::credentials(KIND);
        let base = team.env.sandbox.base_url(KIND);
        team.env
            .run_stdin(
                &[
                    "--database",
                    &team.db.url,
                    "--json",
                    "profile",
                    "add",
                    "big",
                    "--provider",
                    "jstpay",
                    "--base-url",
                    &base,
                    "--merchant-id",
                    c.merchant_id,
                    "--approval-threshold",
                    "1000",
                    "--secret-stdin",
                ],
                &format!("{}\n", c.secret),
            )
            .await
            .ok();
        Some(team)
    }

    /// `paydesk --database URL-as-ROLE --json ARGS...`
    async fn run_as(&self, role: &str, args: &[&str]) -> Run {
        let url = self.db.url_as(role, PASSWORD);
        let mut all = vec!["--database", url.as_str(), "--json"];
        all.extend_from_slice(args);
        self.env.run(&all).await
    }

    /// Both checkers' processes run `args` at the same moment: exactly one
    /// wins, the other is refused with `conflict` naming the winner.
    /// Returns the winner's run.
    async fn approve_at_once(&self, args: &[&str]) -> Run {
        let (a, b) = tokio::join!(self.run_as(&self.c1, args), self.run_as(&self.c2, args));
        assert!(
            (a.code == 0) != (b.code == 0),
            "exactly one approves\n{}\n{}\n{}\n{}",
            a.stdout,
            a.stderr,
            b.stdout,
            b.stderr
        );
        let (won, lost, winner) = if a.code == 0 {
            (a, b, &self.c1)
        } else {
            (b, a, &self.c2)
        };
        assert_eq!(error_code(&lost), "conflict", "{}", lost.stdout);
        let msg = lost.json()["error"]["message"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(msg.contains(winner.as_str()), "{msg}");
        won
    }

    async fn payout(&self, order_no: &str, amount: &str) -> Value {
        let mut args = vec![
            "payout",
            "create",
            "--profile",
            "big",
            "--amount",
            amount,
            "--order-no",
            order_no,
        ];
        args.extend_from_slice(JST_PAYEE);
        self.run_as(&self.maker, &args).await.ok().json()
    }

    fn creates(&self, order_no: &str) -> u32 {
        self.env.sandbox.sim.create_count(KIND, order_no)
    }
}

fn error_code(r: &Run) -> String {
    r.json()["error"]["code"].as_str().unwrap_or("").to_string()
}

/// `paydesk approve ORDER_NO` by the payout's maker exits non-zero with
/// `"code": "same_operator"`, for a batch too; nothing is sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approve_by_its_maker_is_same_operator() {
    let Some(t) = Team::new("approve_by_its_maker_is_same_operator").await else {
        return;
    };
    let o = t.payout("CLI-MC-1", "1000").await;
    assert_eq!(o["status"], "awaiting_approval", "{o}");
    assert_eq!(o["created_by"], t.maker.as_str(), "{o}");
    let r = t.run_as(&t.maker, &["approve", "CLI-MC-1"]).await.failed();
    assert_eq!(error_code(&r), "same_operator", "{}", r.stdout);
    let r = t
        .run_as(&t.maker, &["reject", "CLI-MC-1", "--reason", "mine"])
        .await
        .failed();
    assert_eq!(error_code(&r), "same_operator", "{}", r.stdout);
    let get = t
        .run_as(&t.c1, &["order", "get", "CLI-MC-1"])
        .await
        .ok()
        .json();
    assert_eq!(get["orders"][0]["status"], "awaiting_approval", "{get}");
    // Nothing was sent, so the sync will not ask the gateway: no next check,
    // and the JSON says why.
    let sync = &get["orders"][0]["sync"];
    assert_eq!(sync["next_check_at"], serde_json::Value::Null, "{get}");
    assert_eq!(sync["awaiting_approval"], true, "{get}");
    assert_eq!(t.creates("CLI-MC-1"), 0);

    // The same for a batch.
    let file = t.env.data_dir().join("payday.csv");
    std::fs::write(
        &file,
        "收款人户名,收款卡号,收款银行,开户支行,开户省份,开户城市,金额（元）\n\
         王五,6222020200112233001,中国工商银行,上海分行,上海市,上海市,1200\n",
    )
    .unwrap();
    let v = t
        .run_as(
            &t.maker,
            &[
                "batch",
                "import",
                file.to_str().unwrap(),
                "--profile",
                "big",
            ],
        )
        .await
        .ok()
        .json();
    assert_eq!(v["batch"]["state"], "awaiting_approval", "{v}");
    let id = v["batch"]["id"].as_i64().unwrap().to_string();
    let r = t
        .run_as(&t.maker, &["approve", "--batch", &id])
        .await
        .failed();
    assert_eq!(error_code(&r), "same_operator", "{}", r.stdout);
    let r = t.run_as(&t.maker, &["batch", "run", &id]).await.failed();
    assert_eq!(error_code(&r), "conflict", "{}", r.stdout);
    let show = t.run_as(&t.c1, &["batch", "show", &id]).await.ok().json();
    let no = show["rows"][0]["order_no"].as_str().unwrap().to_string();
    assert_eq!(t.creates(&no), 0);
}

/// Two checkers' processes approve the same payout at the same moment:
/// exactly one sends it (one create at the sandbox); the other exits
/// non-zero and is told who approved it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_approving_a_payout_send_once() {
    let Some(t) = Team::new("two_processes_approving_a_payout_send_once").await else {
        return;
    };
    for round in 0..3 {
        let no = format!("CLI-RACE-{round}");
        t.payout(&no, "1500").await;
        let args = ["approve", no.as_str()];
        let won = t.approve_at_once(&args).await;
        assert_ne!(won.json()["status"], "awaiting_approval", "{}", won.stdout);
        assert_eq!(t.creates(&no), 1, "{no}");
    }
}

/// The same for a batch approved as a whole: the approvals list shows it
/// (rows, total in figures and 大写, maker), then two checkers' processes
/// approve it at once: one runs it (one create per row), the other runs
/// nothing; a rejected batch sends nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_approving_a_batch_run_it_once() {
    let Some(t) = Team::new("two_processes_approving_a_batch_run_it_once").await else {
        return;
    };
    let file = t.env.data_dir().join("payday.csv");
    let mut text =
        "收款人户名,收款卡号,收款银行,开户支行,开户省份,开户城市,金额（元）\n".to_string();
    let amounts = ["100", "2500", "300", "400", "1000", "50"];
    for (i, a) in amounts.iter().enumerate() {
        text.push_str(&format!(
            "收款人{i},62220202{:011},中国工商银行,上海分行,上海市,上海市,{a}\n",
            5000 + i
        ));
    }
    std::fs::write(&file, text).unwrap();
    let import_args = [
        "batch",
        "import",
        file.to_str().unwrap(),
        "--profile",
        "big",
        "--allow-same-file",
    ];
    let v = t.run_as(&t.maker, &import_args).await.ok().json();
    assert_eq!(v["batch"]["state"], "awaiting_approval", "{v}");
    let id = v["batch"]["id"].as_i64().unwrap();
    let ids = id.to_string();

    let list = t.run_as(&t.c1, &["approvals", "list"]).await.ok().json();
    let b = list["batches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["batch_id"] == id)
        .unwrap_or_else(|| panic!("listed: {list}"))
        .clone();
    assert_eq!(b["rows"], 6, "{b}");
    assert_eq!(b["total_fen"], 435_000, "{b}");
    assert_eq!(b["total_capital"], "肆仟叁佰伍拾元整", "{b}");
    assert_eq!(b["maker"], t.maker.as_str(), "{b}");
    assert_eq!(b["profile"], "big", "{b}");

    let show = t.run_as(&t.c1, &["batch", "show", &ids]).await.ok().json();
    let nos: Vec<String> = show["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["order_no"].as_str().unwrap().to_string())
        .collect();
    assert!(nos.iter().all(|n| t.creates(n) == 0));

    let args = ["approve", "--batch", ids.as_str()];
    let won = t.approve_at_once(&args).await;
    assert_eq!(won.json()["batch"]["state"], "done", "{}", won.stdout);
    let counts: Vec<u32> = nos.iter().map(|n| t.creates(n)).collect();
    assert_eq!(counts, [1; 6]);
    let list = t.run_as(&t.c2, &["approvals", "list"]).await.ok().json();
    assert!(list["batches"].as_array().unwrap().is_empty(), "{list}");

    // Rejected: nothing sent, the reason kept; it never runs.
    let v = t.run_as(&t.maker, &import_args).await.ok().json();
    let rid = v["batch"]["id"].as_i64().unwrap().to_string();
    let r = t
        .run_as(&t.c1, &["reject", "--batch", &rid, "--reason", ""])
        .await
        .failed();
    assert_eq!(error_code(&r), "invalid_input", "{}", r.stdout);
    let r = t
        .run_as(
            &t.c2,
            &["reject", "--batch", &rid, "--reason", "账号待核对"],
        )
        .await
        .ok()
        .json();
    assert_eq!(r["batch"]["state"], "rejected", "{r}");
    let r = t
        .run_as(&t.c1, &["approve", "--batch", &rid])
        .await
        .failed();
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains(t.c2.as_str()),
        "{}",
        r.stdout
    );
    let show = t.run_as(&t.c1, &["batch", "show", &rid]).await.ok().json();
    for row in show["rows"].as_array().unwrap() {
        assert_eq!(row["status"], "cancelled", "{row}");
        assert_eq!(t.creates(row["order_no"].as_str().unwrap()), 0);
    }
}
