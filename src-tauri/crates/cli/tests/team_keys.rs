//! Team mode and the keys that stay on desks (issue 13): desks are separate
//! `paydesk` processes with their own data directories and, where it
//! matters, their own Secret Service (a second private keyring), on one team
//! database (real PostgreSQL), against the sandbox over loopback.
//!
//! - A desk without a profile's key prepares a payout (stored awaiting
//!   approval, nothing sent) and cannot send one: approving there is refused
//!   naming the key, nothing decided; a checker on a desk with the key sends it.
//! - Start-up with a locked, absent or empty keyring says which secret is
//!   missing and how to go on, in English and Chinese, with exit code 1.
//! - A keyless desk's batch is submitted as a whole (nothing sent, the reason
//!   said) and a checker on a desk with the key approves and runs it.
//! - A threshold set by another desk while a payout is being made or a batch
//!   runs: nothing at or above the threshold in force when it is written is
//!   sent without approval; what was written before stays sent.

mod support;

use paydesk_core::store::pg_test::{fresh_database, PgTestDb};
use paydesk_core::team::{admin, TeamRole};
use paydesk_core::{ProviderKind, Secret};
use serde_json::Value;
use std::io::BufRead;
use std::process::{Command, Stdio};
use std::time::Duration;
use support::batch::{batch_id, jst_row, rows, write_csv, JST_HEADER};
use support::keyring::DeskKeyring;
use support::{Env, Run, JST_PAYEE};

const PASSWORD: &str = "team-test-password";

/// A team database (`team init`) with an admin, a maker and a checker of
/// this test's own (roles belong to the whole cluster).
struct Team {
    db: PgTestDb,
    admin: String,
    maker: String,
    checker: String,
}

impl Team {
    async fn new(test: &str) -> Option<Team> {
        let db = fresh_database(test)?;
        let url = Secret::new(db.url.clone());
        paydesk_core::team::init(&url).await.expect("team init");
        let tag = db.name[2..10].to_string();
        let team = Team {
            admin: format!("admin_{tag}"),
            maker: format!("maker_{tag}"),
            checker: format!("checker_{tag}"),
            db,
        };
        let mut conn = admin::connect(&url).await.unwrap();
        for (who, role) in [
            (&team.admin, TeamRole::Admin),
            (&team.maker, TeamRole::Maker),
            (&team.checker, TeamRole::Checker),
        ] {
            admin::add_operator(&mut conn, who, role, Some(Secret::new(PASSWORD)))
                .await
                .expect("add operator");
        }
        Some(team)
    }

    /// The URL a desk joins with (the password goes to its keyring).
    fn join_url(&self, role: &str) -> String {
        let mut u = url::Url::parse(&self.db.url_as(role, PASSWORD)).unwrap();
        u.set_password(None).unwrap();
        u.to_string()
    }
}

/// Runs `paydesk` for `env`'s desk, in `keyring` (None: the first one,
/// scripts/with-keyring.sh's), with `extra` environment.
async fn run(
    env: &Env,
    keyring: Option<&DeskKeyring>,
    extra: &[(&str, &str)],
    args: &[&str],
    stdin: &str,
) -> Run {
    support::spawn_run(command(env, keyring, extra, args), stdin).await
}

/// The `paydesk` command `run` runs.
fn command(
    env: &Env,
    keyring: Option<&DeskKeyring>,
    extra: &[(&str, &str)],
    args: &[&str],
) -> Command {
    let mut cmd = Command::new(support::bin());
    cmd.arg("--data-dir").arg(env.data_dir());
    if args.first() != Some(&"--lang") {
        cmd.args(["--lang", "en"]);
    }
    // A team desk: its database is the one it joined.
    cmd.args(args)
        .env_remove("PAYDESK_DATA_DIR")
        .env_remove("PAYDESK_DATABASE_URL")
        .env_remove("PGPASSWORD");
    if let Some(k) = keyring {
        k.apply(&mut cmd);
    }
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd
}

/// `run` that must succeed, its JSON document.
async fn json(env: &Env, keyring: Option<&DeskKeyring>, args: &[&str]) -> Value {
    let mut a = vec!["--json"];
    a.extend_from_slice(args);
    run(env, keyring, &[], &a, "").await.ok().json()
}

/// A desk (own data dir) that joined the team as `role`, its password kept
/// in `keyring`.
async fn desk(team: &Team, role: &str, keyring: Option<&DeskKeyring>) -> Env {
    let env = Env::new().await;
    let url = team.join_url(role);
    let args = [
        "--json",
        "team",
        "join",
        "--database",
        &url,
        "--password-stdin",
    ];
    let v = run(&env, keyring, &[], &args, &format!("{PASSWORD}\n"))
        .await
        .ok()
        .json();
    assert_eq!(v["user"], role, "{v}");
    env
}

/// The admin's desk with profile "js" (jstpay): its key goes to this (the
/// first) keyring.
async fn admin_with_js(team: &Team) -> Env {
    let admin = desk(team, &team.admin, None).await;
    let add = admin
        .add_profile("js", ProviderKind::Jstpay, None)
        .await
        .ok();
    assert_eq!(add.json()["secret_saved"], true, "{}", add.stdout);
    admin
}

fn error_of(r: &Run) -> Value {
    r.json()["error"].clone()
}

async fn order_status(env: &Env, keyring: Option<&DeskKeyring>, no: &str) -> Value {
    json(env, keyring, &["order", "get", no]).await["orders"][0].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desk_without_the_key_prepares_payouts_and_cannot_send_them() {
    let Some(team) =
        Team::new("a_desk_without_the_key_prepares_payouts_and_cannot_send_them").await
    else {
        return;
    };
    let admin = admin_with_js(&team).await;
    let sandbox = &admin.sandbox;

    // The maker's desk is another machine: its own keyring, without the key.
    let other = DeskKeyring::start();
    let maker = desk(&team, &team.maker, Some(&other)).await;
    let list = json(&maker, Some(&other), &["profile", "list"]).await;
    assert_eq!(list["profiles"][0]["name"], "js", "{list}");
    assert_eq!(list["profiles"][0]["secret_saved"], false, "{list}");

    // It prepares a payout: stored awaiting approval, with why; nothing sent.
    let mut args = payout_args("KEYLESS1", "100");
    let made = run(&maker, Some(&other), &[], &args, "").await.ok().json();
    let o = &made;
    assert_eq!(o["status"], "awaiting_approval", "{made}");
    assert_eq!(o["created_by"], team.maker.as_str(), "{made}");
    let note = o["message"].as_str().unwrap_or_default();
    assert!(
        note.contains("holds no key for profile “js”") && note.contains("nothing sent"),
        "{made}"
    );
    assert!(
        sandbox.sim.orders().is_empty(),
        "nothing reached the gateway"
    );

    // A checker on a desk without the key cannot send it: refused naming the
    // key, and nothing decided (it still waits, for anyone).
    let keyless_checker = desk(&team, &team.checker, Some(&other)).await;
    let r = run(
        &keyless_checker,
        Some(&other),
        &[],
        &["--json", "approve", "KEYLESS1"],
        "",
    )
    .await
    .failed();
    assert_eq!(r.code, 1, "{}", r.stdout);
    let e = error_of(&r);
    assert_eq!(e["code"], "secret", "{e}");
    let m = e["message"].as_str().unwrap();
    assert!(
        m.contains("holds no key for profile “js”") && m.contains("nothing was sent or changed"),
        "{m}"
    );
    assert!(
        sandbox.sim.orders().is_empty(),
        "nothing reached the gateway"
    );
    let waiting = json(&keyless_checker, Some(&other), &["approvals", "list"]).await;
    let nos: Vec<&str> = waiting["approvals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["order_no"].as_str().unwrap())
        .collect();
    assert_eq!(nos, ["KEYLESS1"], "{waiting}");
    assert_eq!(
        order_status(&keyless_checker, Some(&other), "KEYLESS1").await["status"],
        "awaiting_approval"
    );

    // The same checker on a desk that holds the key sends it, once.
    let checker = desk(&team, &team.checker, None).await;
    let sent = json(&checker, None, &["approve", "KEYLESS1"]).await;
    assert_ne!(sent["status"], "awaiting_approval", "{sent}");
    assert!(sent["status"].is_string(), "{sent}");
    let at_gateway: Vec<String> = sandbox
        .sim
        .orders()
        .iter()
        .map(|o| o.order_no.clone())
        .collect();
    assert_eq!(at_gateway, ["KEYLESS1"]);

    // On a single desk (the local file) there is no one to hand it to: a
    // payout without the key is refused and nothing is stored.
    let single = Env::new().await;
    single
        .add_profile("js", ProviderKind::Jstpay, None)
        .await
        .ok();
    let id = single.json(&["profile", "show", "js"]).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    use paydesk_core::vault::{KeyringStore, SecretStore, Slot};
    KeyringStore.delete(&id, Slot::Secret).unwrap();
    args[8] = "SINGLE1";
    let r = run(&single, None, &[], &args, "").await.failed();
    assert_eq!(error_of(&r)["code"], "secret", "{}", r.stdout);
    let all = single.json(&["order", "list"]).await;
    assert!(all["orders"].as_array().unwrap().is_empty(), "{all}");
}

/// `team join`'s URL as saved on a desk, for the messages' advice.
fn saved_url(env: &Env) -> String {
    let text = std::fs::read_to_string(env.data_dir().join("team.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["database_url"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_up_with_a_locked_or_absent_keyring_says_which_secret_and_how_to_fix() {
    let Some(team) =
        Team::new("start_up_with_a_locked_or_absent_keyring_says_which_secret_and_how_to_fix")
            .await
    else {
        return;
    };
    let keyring = DeskKeyring::start();
    let env = desk(&team, &team.maker, Some(&keyring)).await;
    json(&env, Some(&keyring), &["order", "list"]).await;
    let check = |r: Run, what: &str| -> String {
        assert_eq!(r.code, 1, "{what}: {} {}", r.stdout, r.stderr);
        let e = error_of(&r);
        assert_eq!(e["code"], "secret", "{what}: {e}");
        e["message"].as_str().unwrap().to_string()
    };

    // No Secret Service at all (the keyring daemon is not running).
    let gone = [("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")];
    let m = check(
        run(
            &env,
            Some(&keyring),
            &gone,
            &["--json", "order", "list"],
            "",
        )
        .await,
        "no keyring",
    );
    for part in [
        format!("operator {}'s login password", team.maker),
        "PGPASSWORD".into(),
        "paydesk team leave".into(),
        "unlock (or start) the OS keyring".into(),
    ] {
        assert!(m.contains(&part), "{part}: {m}");
    }
    // The same in Chinese.
    let r = run(
        &env,
        Some(&keyring),
        &gone,
        &["--lang", "zh-CN", "--json", "order", "list"],
        "",
    )
    .await;
    let m = check(r, "no keyring, zh");
    assert!(
        m.contains(&format!("操作员 {} 的登录密码", team.maker)) && m.contains("处理方法"),
        "{m}"
    );

    // The keyring locked: its login collection locked over D-Bus, and no
    // one there to type the unlock password.
    let locked = Command::new("dbus-send")
        .env("DBUS_SESSION_BUS_ADDRESS", keyring.address())
        .args([
            "--session",
            "--dest=org.freedesktop.secrets",
            "--print-reply",
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.Lock",
            "array:objpath:/org/freedesktop/secrets/collection/login",
        ])
        .output()
        .unwrap();
    assert!(locked.status.success(), "{locked:?}");
    let r = run(
        &env,
        Some(&keyring),
        &[("PAYDESK_KEYRING_TIMEOUT_SECS", "3")],
        &["--json", "order", "list"],
        "",
    )
    .await;
    let m = check(r, "locked keyring");
    assert!(
        m.contains(&format!("operator {}'s login password", team.maker)),
        "{m}"
    );

    // A keyring that holds no password for the operator (a new keyring, or
    // the entry removed): the database refuses the login, and the message
    // says to join again, with the URL.
    let empty = DeskKeyring::start();
    let r = run(&env, Some(&empty), &[], &["--json", "order", "list"], "").await;
    let m = check(r, "empty keyring");
    let url = saved_url(&env);
    for part in [
        format!("holds no login password of operator {}", team.maker),
        format!("paydesk team join --database {url} --password-stdin"),
        "PGPASSWORD".into(),
    ] {
        assert!(m.contains(&part), "{part}: {m}");
    }
    // PGPASSWORD is the way on for one command, without the keyring.
    run(
        &env,
        Some(&empty),
        &[("PGPASSWORD", PASSWORD)],
        &["--json", "order", "list"],
        "",
    )
    .await
    .ok();
}

/// `rows` of jstpay's template imported on `env`'s desk for `profile`: the
/// batch's id.
async fn import(
    env: &Env,
    keyring: Option<&DeskKeyring>,
    profile: &str,
    rows: &[Vec<String>],
) -> String {
    let file = env.data_dir().join(format!("{profile}.csv"));
    write_csv(&file, JST_HEADER, rows);
    let v = json(
        env,
        keyring,
        &[
            "batch",
            "import",
            file.to_str().unwrap(),
            "--profile",
            profile,
        ],
    )
    .await;
    batch_id(&v)
}

/// How many creates of each number reached the gateway.
fn at_gateway(env: &Env) -> std::collections::BTreeMap<String, usize> {
    let mut n = std::collections::BTreeMap::new();
    for o in env.sandbox.sim.orders() {
        *n.entry(o.order_no.clone()).or_insert(0) += 1;
    }
    n
}

fn statuses(show: &Value) -> Vec<String> {
    rows(show)
        .iter()
        .map(|r| r["status"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keyless_desk_submits_its_batch_and_a_checker_with_the_key_runs_it() {
    let Some(team) =
        Team::new("a_keyless_desk_submits_its_batch_and_a_checker_with_the_key_runs_it").await
    else {
        return;
    };
    let admin = admin_with_js(&team).await;
    // No threshold at all: only the missing key holds the batch.
    let other = DeskKeyring::start();
    let maker = desk(&team, &team.maker, Some(&other)).await;
    let id = import(
        &maker,
        Some(&other),
        "js",
        &[jst_row(1, "100"), jst_row(2, "200"), jst_row(3, "300")],
    )
    .await;

    // The run on the keyless desk: submitted as a whole, the reason said,
    // every row still queued, no order stored, nothing at the gateway.
    let r = run(
        &maker,
        Some(&other),
        &[],
        &["--json", "batch", "run", &id],
        "",
    )
    .await;
    assert_eq!(r.code, 5, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(v["batch"]["state"], "awaiting_approval", "{v}");
    let why = v["batch"]["pause_reason"].as_str().unwrap_or_default();
    assert!(
        why.contains("holds no key for profile “js”") && why.contains("no row was sent"),
        "{v}"
    );
    assert!(
        r.stderr.contains("holds no key for profile “js”"),
        "{}",
        r.stderr
    );
    assert_eq!(statuses(&v), ["queued", "queued", "queued"], "{v}");
    assert!(at_gateway(&admin).is_empty(), "nothing reached the gateway");
    let orders = json(&maker, Some(&other), &["order", "list"]).await;
    assert!(orders["orders"].as_array().unwrap().is_empty(), "{orders}");
    // Said in Chinese too.
    let zh = run(
        &maker,
        Some(&other),
        &[],
        &["--lang", "zh-CN", "batch", "show", &id],
        "",
    )
    .await
    .ok();
    assert!(
        zh.stdout.contains("没有商户配置“js”的密钥"),
        "{}",
        zh.stdout
    );
    // It waits on the approvals list, with its maker.
    let list = json(&maker, Some(&other), &["approvals", "list"]).await;
    assert_eq!(list["batches"][0]["batch_id"].to_string(), id, "{list}");
    assert_eq!(list["batches"][0]["maker"], team.maker.as_str(), "{list}");

    // A checker on a keyless desk cannot run it: refused naming the key,
    // nothing decided.
    let keyless_checker = desk(&team, &team.checker, Some(&other)).await;
    let r = run(
        &keyless_checker,
        Some(&other),
        &[],
        &["--json", "approve", "--batch", &id],
        "",
    )
    .await
    .failed();
    assert_eq!(error_of(&r)["code"], "secret", "{}", r.stdout);
    let show = json(&maker, Some(&other), &["batch", "show", &id]).await;
    assert_eq!(show["batch"]["state"], "awaiting_approval", "{show}");
    assert!(at_gateway(&admin).is_empty());

    // The checker on a desk with the key approves it: it runs there, each
    // row sent once.
    let checker = desk(&team, &team.checker, None).await;
    let done = json(&checker, None, &["approve", "--batch", &id]).await;
    assert_eq!(done["batch"]["state"], "done", "{done}");
    let sent = at_gateway(&admin);
    assert_eq!(sent.len(), 3, "{sent:?}");
    assert!(sent.values().all(|n| *n == 1), "{sent:?}");
    assert!(
        statuses(&done)
            .iter()
            .all(|s| s != "queued" && s != "failed"),
        "{done}"
    );
}

/// A `paydesk` child stopped at a test pause point until `resume` exists.
struct Paused {
    child: std::process::Child,
    stderr: std::thread::JoinHandle<String>,
    resume: std::path::PathBuf,
}

impl Paused {
    /// Starts `args` on `env`'s desk; returns once it has stopped at `at`
    /// after letting `skip` passes by.
    fn start(env: &Env, at: &str, skip: usize, args: &[&str]) -> Paused {
        let resume = env.data_dir().join(format!("resume-{at}-{skip}"));
        let skip = skip.to_string();
        let extra = [
            ("PAYDESK_TEST_PAUSE_AT", at),
            ("PAYDESK_TEST_PAUSE_SKIP", skip.as_str()),
            ("PAYDESK_TEST_RESUME_FILE", resume.to_str().unwrap()),
        ];
        let mut cmd = command(env, None, &extra, args);
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("paydesk runs");
        let err = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let stderr = std::thread::spawn(move || {
            let mut all = String::new();
            for line in std::io::BufReader::new(err).lines() {
                let Ok(line) = line else { break };
                if line.contains("PAYDESK_TEST_PAUSED") {
                    let _ = tx.send(());
                }
                all.push_str(&line);
                all.push('\n');
            }
            all
        });
        if rx.recv_timeout(Duration::from_secs(60)).is_err() {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "never paused at {at}: {}\n{}",
                String::from_utf8_lossy(&out.stdout),
                stderr.join().unwrap()
            );
        }
        Paused {
            child,
            stderr,
            resume,
        }
    }

    /// Lets it go on; what it printed when it ended.
    fn finish(self) -> Run {
        std::fs::write(&self.resume, "").unwrap();
        let out = self.child.wait_with_output().unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: self.stderr.join().unwrap(),
        }
    }
}

/// The admin's desk sets `profile`'s threshold (yuan; "" clears it).
async fn set_threshold(admin: &Env, profile: &str, yuan: &str) {
    let v = json(
        admin,
        None,
        &["profile", "edit", profile, "--approval-threshold", yuan],
    )
    .await;
    assert!(v.is_object(), "{v}");
}

fn payout_args<'a>(order_no: &'a str, amount: &'a str) -> Vec<&'a str> {
    let mut a = vec![
        "--json",
        "payout",
        "create",
        "--profile",
        "js",
        "--amount",
        amount,
        "--order-no",
        order_no,
    ];
    a.extend_from_slice(JST_PAYEE);
    a
}

/// Two processes: a maker's desk making a payout or running a batch, and
/// the admin's desk setting the threshold in between (the maker's process
/// is held at a pause point meanwhile).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_threshold_set_mid_way_holds_what_is_written_after_it() {
    let Some(team) = Team::new("a_threshold_set_mid_way_holds_what_is_written_after_it").await
    else {
        return;
    };
    let admin = admin_with_js(&team).await;
    let maker = desk(&team, &team.maker, None).await;
    let block = |f: Box<dyn FnOnce() -> Run>| tokio::task::block_in_place(f);

    // 1. A payout validated with no threshold; the threshold (¥100) is set
    //    before it is written: the database refuses it as sent, so it is
    //    stored awaiting approval, nothing sent.
    let p = Paused::start(&maker, "before_write", 0, &payout_args("THR-1", "500"));
    set_threshold(&admin, "js", "100").await;
    let r = block(Box::new(move || p.finish()));
    let o = r.ok().json();
    assert_eq!(o["status"], "awaiting_approval", "{o}");
    assert_eq!(o["created_by"], team.maker.as_str(), "{o}");
    assert!(at_gateway(&admin).is_empty(), "nothing reached the gateway");

    // 2. A payout written (as sent) before the threshold is lowered to 0:
    //    it was below the threshold in force when it was written, and goes.
    let p = Paused::start(&maker, "before_send", 0, &payout_args("THR-2", "50"));
    set_threshold(&admin, "js", "0").await;
    let r = block(Box::new(move || p.finish()));
    let o = r.ok().json();
    assert_ne!(o["status"], "awaiting_approval", "{o}");
    assert_eq!(at_gateway(&admin).get("THR-2"), Some(&1));

    // 3. A batch running one row at a time with no threshold: two rows go,
    //    the threshold (¥100) is set before the third is written. The rest
    //    waits (submitted as a whole, the reason said); the two sent stay.
    set_threshold(&admin, "js", "").await;
    let rows_in = [
        jst_row(1, "150"),
        jst_row(2, "160"),
        jst_row(3, "170"),
        jst_row(4, "20"),
    ];
    let id = import(&maker, None, "js", &rows_in).await;
    let run_args = ["--json", "batch", "run", &id, "--concurrency", "1"];
    let p = Paused::start(&maker, "before_write", 2, &run_args);
    set_threshold(&admin, "js", "100").await;
    let r = block(Box::new(move || p.finish()));
    assert_eq!(r.code, 5, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(v["batch"]["state"], "awaiting_approval", "{v}");
    let why = v["batch"]["pause_reason"].as_str().unwrap_or_default();
    assert!(
        why.contains("approval threshold changed during the run"),
        "{v}"
    );
    let st = statuses(&v);
    assert!(
        st[..2].iter().all(|s| s != "queued" && s != "failed"),
        "{v}"
    );
    assert_eq!(st[2..], ["queued", "queued"], "{v}");
    let nos: Vec<String> = rows(&v)
        .iter()
        .map(|r| r["order_no"].as_str().unwrap().to_string())
        .collect();
    let sent = at_gateway(&admin);
    assert_eq!(sent.get(&nos[0]), Some(&1));
    assert_eq!(sent.get(&nos[1]), Some(&1));
    assert!(
        !sent.contains_key(&nos[2]) && !sent.contains_key(&nos[3]),
        "{sent:?}"
    );
    let list = json(&maker, None, &["approvals", "list"]).await;
    assert!(
        list["batches"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["batch_id"].as_i64() == id.parse().ok()),
        "{list}"
    );

    // A checker approves: the rest goes, once; the rows sent before are not
    // sent again.
    let checker = desk(&team, &team.checker, None).await;
    let done = json(&checker, None, &["approve", "--batch", &id]).await;
    assert_eq!(done["batch"]["state"], "done", "{done}");
    let sent = at_gateway(&admin);
    for no in &nos {
        assert_eq!(sent.get(no), Some(&1), "{no}: {sent:?}");
    }
}
