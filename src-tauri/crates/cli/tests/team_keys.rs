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

mod support;

use paydesk_core::store::pg_test::{fresh_database, PgTestDb};
use paydesk_core::team::{admin, TeamRole};
use paydesk_core::{ProviderKind, Secret};
use serde_json::Value;
use std::process::Command;
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
    support::spawn_run(cmd, stdin).await
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
    // The admin's desk sets the profile up: its key goes to this (the first) keyring.
    let admin = desk(&team, &team.admin, None).await;
    let mut add = admin.add_profile("js", ProviderKind::Jstpay, None).await;
    add = add.ok();
    assert_eq!(add.json()["secret_saved"], true, "{}", add.stdout);
    let sandbox = &admin.sandbox;

    // The maker's desk is another machine: its own keyring, without the key.
    let other = DeskKeyring::start();
    let maker = desk(&team, &team.maker, Some(&other)).await;
    let list = json(&maker, Some(&other), &["profile", "list"]).await;
    assert_eq!(list["profiles"][0]["name"], "js", "{list}");
    assert_eq!(list["profiles"][0]["secret_saved"], false, "{list}");

    // It prepares a payout: stored awaiting approval, with why; nothing sent.
    let mut args = vec![
        "--json",
        "payout",
        "create",
        "--profile",
        "js",
        "--amount",
        "100",
        "--order-no",
        "KEYLESS1",
    ];
    args.extend_from_slice(JST_PAYEE);
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
