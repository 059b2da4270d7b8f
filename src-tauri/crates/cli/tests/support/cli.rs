//! Test harness: the real `paydesk` binary, a real SQLite file in a temp dir
//! (or, with `PAYDESK_TEST_ENGINE=postgres`, a fresh PostgreSQL database per
//! test: `engine.rs`), the real Secret Service (run under
//! scripts/with-keyring.sh), and the sandbox over loopback.

use super::engine;
use paydesk_core::ProviderKind;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub struct Env {
    pub dir: tempfile::TempDir,
    pub sandbox: paydesk_sandbox::Running,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}): {}\nstderr: {}",
                self.stdout, self.stderr
            )
        })
    }
    pub fn ok(self) -> Self {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self
    }
    pub fn failed(self) -> Self {
        assert_ne!(
            self.code, 0,
            "expected failure\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self
    }
}

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_paydesk"))
}

impl Env {
    pub async fn new() -> Env {
        assert!(
            std::env::var("DBUS_SESSION_BUS_ADDRESS").is_ok(),
            "no D-Bus session: run the tests through scripts/with-keyring.sh"
        );
        let sandbox = paydesk_sandbox::spawn(0, None)
            .await
            .expect("sandbox starts");
        let dir = tempfile::tempdir().unwrap();
        // On PostgreSQL the test's database is made now, not in a child.
        engine::database_url(dir.path());
        Env { dir, sandbox }
    }

    /// The database this test's commands use: None on the SQLite file.
    pub fn database_url(&self) -> Option<String> {
        engine::database_url(self.data_dir())
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(bin());
        c.arg("--data-dir")
            .arg(self.data_dir())
            .arg("--lang")
            .arg("en")
            .args(args);
        c.env_remove("PAYDESK_DATA_DIR");
        engine::point_child(&mut c, self.data_dir());
        c
    }

    /// Runs the CLI off the async runtime's threads (the sandbox lives on them).
    pub async fn run_stdin(&self, args: &[&str], stdin: &str) -> Run {
        spawn_run(self.command(args), stdin).await
    }

    pub async fn run(&self, args: &[&str]) -> Run {
        self.run_stdin(args, "").await
    }

    pub async fn json(&self, args: &[&str]) -> Value {
        let mut a = vec!["--json"];
        a.extend_from_slice(args);
        self.run(&a).await.ok().json()
    }

    /// Adds a profile for a sandbox gateway with the given key (the sandbox's own
    /// key unless told otherwise), through `profile add --secret-stdin`.
    pub async fn add_profile(&self, name: &str, kind: ProviderKind, secret: Option<&str>) -> Run {
        let c = paydesk_sandbox::credentials(kind);
        let base = self.sandbox.base_url(kind);
        let mut args: Vec<String> = vec![
            "--json".into(),
            "profile".into(),
            "add".into(),
            name.into(),
            "--provider".into(),
            kind.as_str().into(),
            "--base-url".into(),
            base,
            "--merchant-id".into(),
            c.merchant_id.into(),
            "--notify-url".into(),
            "http://127.0.0.1:9/notify".into(),
            "--return-url".into(),
            "http://127.0.0.1:9/return".into(),
            "--secret-stdin".into(),
        ];
        if let Some(a) = c.app_id {
            args.extend(["--app-id".into(), a.into()]);
        }
        if let Some(o) = c.operator_id {
            args.extend(["--operator-id".into(), o.into()]);
        }
        let mut stdin = format!("{}\n", secret.unwrap_or(c.secret));
        if let Some(r) = c.reply_secret {
            stdin.push_str(r);
            stdin.push('\n');
        }
        let refs: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
        self.run_stdin(&refs, &stdin).await
    }

    pub async fn advance(&self, kind: ProviderKind, order_no: &str, action: &str) {
        let state = match action {
            "succeed" => paydesk_sandbox::SimState::Succeeded,
            "fail" => paydesk_sandbox::SimState::Failed,
            _ => paydesk_sandbox::SimState::Processing,
        };
        self.sandbox
            .sim
            .set_state(kind, order_no, state)
            .unwrap_or_else(|| panic!("sandbox has no order {order_no}"));
    }

    /// Every byte of the data directory (SQLite file, WAL, anything else)
    /// and, on PostgreSQL, every row of every table as text.
    pub async fn data_bytes(&self) -> Vec<u8> {
        let mut all = Vec::new();
        for e in std::fs::read_dir(self.data_dir()).unwrap() {
            let p = e.unwrap().path();
            if p.is_file() {
                all.extend(std::fs::read(&p).unwrap());
            }
        }
        if let Some(url) = self.database_url() {
            all.extend(engine::database_text(&url).await.into_bytes());
        }
        all
    }
}

pub fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// Runs a prepared `paydesk` command with `stdin`, off the async runtime's
/// threads (the sandbox lives on them).
pub async fn spawn_run(cmd: Command, stdin: &str) -> Run {
    let stdin = stdin.to_string();
    tokio::task::spawn_blocking(move || run_blocking(cmd, &stdin))
        .await
        .unwrap()
}

/// Runs a prepared `paydesk` command with `stdin` on this thread.
pub fn run_blocking(mut cmd: Command, stdin: &str) -> Run {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("paydesk runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out: Output = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
