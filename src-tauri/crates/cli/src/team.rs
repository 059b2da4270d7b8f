//! `paydesk team …`: set a team database up, add operators, join or leave it
//! from this desk, say which database this desk is on, and follow the
//! orders other desks change. Also the one way every command opens its
//! database (`--database`, `PAYDESK_DATABASE_URL`, the saved choice, the
//! local file).

use crate::output::Out;
use crate::{exit, Failure, Res};
use clap::Subcommand;
use paydesk_core::error::FieldError;
use paydesk_core::http::HttpOptions;
use paydesk_core::services::PayDesk;
use paydesk_core::team::{self, admin, choice, Choice, Database, TeamRole, TeamUrl};
use paydesk_core::tr;
use paydesk_core::vault::{KeyringStore, SecretStore, Slot};
use paydesk_core::Secret;
use serde_json::json;
use std::io::{BufRead, IsTerminal};
use std::path::Path;
use std::sync::Arc;

#[derive(Subcommand)]
pub enum TeamCmd {
    /// Set up an empty PostgreSQL database for a team: PayDesk's tables, the
    /// group roles paydesk_admin/paydesk_checker/paydesk_maker and their
    /// grants (needs --database ADMIN_URL; run again after an upgrade).
    Init,
    /// Add an operator: a database login in the maker, checker or admin group
    /// (needs --database ADMIN_URL); prints the password once when generated.
    AddOperator {
        /// The operator's login name (lower-case letters, digits, _).
        name: String,
        /// maker (creates), checker (also approves) or admin (also edits
        /// profiles, thresholds and operators).
        #[arg(long, value_parser = ["maker", "checker", "admin"])]
        role: String,
        /// Read the new operator's password from the first line of stdin
        /// (at least 12 characters) instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Move an operator to another group (needs --database ADMIN_URL);
    /// recorded in the audit log.
    SetRole {
        /// The operator's login name (lower-case letters, digits, _).
        name: String,
        /// maker (creates), checker (also approves) or admin (also edits
        /// profiles, thresholds and operators).
        #[arg(long, value_parser = ["maker", "checker", "admin"])]
        role: String,
    },
    /// Remove an operator: their database login is dropped, what they did
    /// stays under their name (needs --database ADMIN_URL); recorded in the
    /// audit log.
    RemoveOperator {
        /// The operator's login name (lower-case letters, digits, _).
        name: String,
    },
    /// Use a team database on this desk (--database postgres://NAME@HOST:PORT/DB):
    /// checks the login, keeps the password in the OS keyring and the URL in
    /// this desk's settings.
    Join {
        /// Read the password from the first line of stdin.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Go back to this desk's local SQLite file (the saved password is removed).
    Leave,
    /// Which database this desk uses, as which role, in which groups.
    Status,
    /// Print every order any desk writes, as it happens, until stopped
    /// (team databases only; --json: one JSON document per line).
    Watch,
}

/// The database every command uses: `--database`, else
/// `PAYDESK_DATABASE_URL`, else `team join`'s saved choice, else the local file.
pub fn choose(flag: Option<&str>, data_dir: &Path) -> Result<Choice, Failure> {
    let env = std::env::var(choice::ENV_URL).ok();
    Ok(choice::choose(flag, env.as_deref(), data_dir)?)
}

pub async fn open(flag: Option<&str>, data_dir: &Path) -> Result<PayDesk, Failure> {
    let choice = choose(flag, data_dir)?;
    Ok(team::open_desk(
        &choice,
        data_dir,
        Arc::new(KeyringStore),
        HttpOptions::default(),
    )
    .await?)
}

pub async fn run(cmd: TeamCmd, flag: Option<&str>, data_dir: &Path, out: &Out) -> Res {
    match cmd {
        TeamCmd::Init => {
            let url = admin_url(flag, "init")?;
            let report = team::init(&url).await?;
            let text = if report.fresh {
                tr!(
                    "团队数据库已建立：{}（表 {} 张；角色组 {}）。下一步：paydesk team add-operator 名字 --role maker|checker|admin --database 管理员地址",
                    "the team database is set up: {} ({} tables; groups {}). Next: paydesk team add-operator NAME --role maker|checker|admin --database ADMIN_URL",
                    report.database,
                    report.tables.len(),
                    report.groups.join(", ")
                )
            } else {
                tr!(
                    "团队数据库 {} 已是最新（表结构、角色组和权限已重新应用）",
                    "the team database {} is up to date (schema, groups and grants applied again)",
                    report.database
                )
            };
            out.message(&text, json!({ "team": report }));
            Ok(())
        }
        TeamCmd::AddOperator {
            name,
            role,
            password_stdin,
        } => {
            let role = TeamRole::parse(&role).expect("clap checked the role");
            let password = if password_stdin {
                Some(read_stdin_line("password")?)
            } else {
                None
            };
            let url = admin_url(flag, "add-operator")?;
            let mut conn = admin::connect(&url).await?;
            let generated = admin::add_operator(&mut conn, &name, role, password).await?;
            let mut text = tr!(
                "已添加操作员 {}（{}）。在其电脑上运行：paydesk team join --database postgres://{}@主机:端口/数据库",
                "operator {} ({}) added. On their desk run: paydesk team join --database postgres://{}@HOST:PORT/DB",
                name,
                role.as_str(),
                name
            );
            if let Some(p) = &generated {
                text.push_str(&tr!(
                    "\n密码（只显示这一次，请当面交给本人）：{}",
                    "\npassword (shown this once; hand it over in person): {}",
                    p.expose()
                ));
            }
            out.message(
                &text,
                json!({
                    "operator": name,
                    "role": role,
                    "group": role.group(),
                    "password": generated.as_ref().map(|p| p.expose()),
                }),
            );
            Ok(())
        }
        TeamCmd::SetRole { name, role } => {
            let role = TeamRole::parse(&role).expect("clap checked the role");
            let mut conn = admin::connect(&admin_url(flag, "set-role")?).await?;
            let was = admin::set_role(&mut conn, &name, role).await?;
            let text = tr!(
                "操作员 {} 已从 {} 改为 {}",
                "operator {} moved from {} to {}",
                name,
                was.as_str(),
                role.as_str()
            );
            out.message(
                &text,
                json!({ "operator": name, "role": role, "was": was, "group": role.group() }),
            );
            Ok(())
        }
        TeamCmd::RemoveOperator { name } => {
            let mut conn = admin::connect(&admin_url(flag, "remove-operator")?).await?;
            let was = admin::remove_operator(&mut conn, &name).await?;
            let text = tr!(
                "已删除操作员 {}（{}）；其操作记录保留",
                "operator {} ({}) removed; what they did stays recorded",
                name,
                was.as_str()
            );
            out.message(
                &text,
                json!({ "operator": name, "removed": true, "was": was }),
            );
            Ok(())
        }
        TeamCmd::Join { password_stdin } => {
            let Some(text) = flag else {
                return Err(usage(tr!(
                    "team join 需要 --database postgres://名字@主机:端口/数据库",
                    "team join needs --database postgres://NAME@HOST:PORT/DB"
                )));
            };
            let url = TeamUrl::parse(text, "database")?;
            if url.user().is_empty() {
                return Err(FieldError::new(
                    "database",
                    tr!(
                        "数据库地址需要带操作员名：postgres://名字@主机:端口/数据库",
                        "the database URL needs the operator's name: postgres://NAME@HOST:PORT/DB"
                    ),
                )
                .into());
            }
            let vault = KeyringStore;
            let password = if password_stdin {
                read_stdin_line("password")?
            } else if let Some(p) = url.password(&EmptyVault)? {
                p
            } else {
                prompt_password(&url)?
            };
            let url = url.with_password(password.clone());
            let full = url.connect_url(&EmptyVault)?;
            let mut conn = admin::connect(&full).await.map_err(|e| match e {
                paydesk_core::CoreError::Conflict(m) => {
                    Failure::new("not_an_operator", m, exit::ERROR)
                }
                e => e.into(),
            })?;
            let me = admin::session(&mut conn).await?;
            if !me.initialised {
                return Err(Failure::new(
                    "not_a_team",
                    tr!(
                        "{} 还不是 PayDesk 团队数据库：请管理员先运行 paydesk team init",
                        "{} is not a PayDesk team database yet: ask the administrator to run paydesk team init",
                        me.database
                    ),
                    exit::ERROR,
                ));
            }
            let Some(role) = me.role() else {
                return Err(Failure::new(
                    "not_an_operator",
                    tr!(
                        "角色 {} 不在任何 PayDesk 角色组中：请管理员用 paydesk team add-operator 添加",
                        "the role {} is in no PayDesk group: ask the administrator to add it with paydesk team add-operator",
                        me.user
                    ),
                    exit::ERROR,
                ));
            };
            // The schema must be one this PayDesk can use (not newer).
            let desk = PayDesk::open_with_database(
                full.expose(),
                Arc::new(EmptyVault),
                HttpOptions::default(),
            )
            .await?;
            desk.store.close().await;
            vault.set(&url.keyring_id(), Slot::TeamLogin, &password)?;
            choice::save(data_dir, &url)?;
            out.message(
                &tr!(
                    "本机已加入团队数据库：{}（{}）。之后的命令和桌面程序都使用它；paydesk team leave 可回到本机数据库",
                    "this desk now uses the team database {} ({}). Every command and the app use it; paydesk team leave goes back to the local file",
                    url.label(),
                    role.as_str()
                ),
                json!({
                    "database": url.label(),
                    "url": url.shown(),
                    "user": me.user,
                    "role": role,
                    "groups": me.groups,
                }),
            );
            Ok(())
        }
        TeamCmd::Leave => {
            let left = choice::forget(data_dir)?;
            if let Some(url) = &left {
                KeyringStore.delete(&url.keyring_id(), Slot::TeamLogin)?;
            }
            let text = match &left {
                Some(url) => tr!(
                    "本机已离开团队数据库 {}，回到本机数据库（保存的密码已删除）",
                    "this desk left the team database {} and uses its local file again (the saved password is removed)",
                    url.label()
                ),
                None => tr!(
                    "本机没有加入团队数据库，一直使用本机数据库",
                    "this desk had not joined a team database; it uses its local file"
                ),
            };
            out.message(
                &text,
                json!({
                    "database": "local",
                    "path": data_dir.join("paydesk.db"),
                    "left": left.as_ref().map(|u| u.label()),
                }),
            );
            Ok(())
        }
        TeamCmd::Status => status(flag, data_dir, out).await,
        TeamCmd::Watch => watch(flag, data_dir, out).await,
    }
}

async fn status(flag: Option<&str>, data_dir: &Path, out: &Out) -> Res {
    let choice = choose(flag, data_dir)?;
    match &choice.database {
        Database::Local(path) => {
            out.message(
                &tr!(
                    "本机数据库 / This desk：{}",
                    "This desk (本机): {}",
                    path.display()
                ),
                json!({
                    "engine": "sqlite",
                    "database": "local",
                    "path": path,
                    "source": choice.source,
                }),
            );
            Ok(())
        }
        Database::Team(url) => {
            let full = url.connect_url(&KeyringStore)?;
            let mut conn = admin::connect(&full).await?;
            let me = admin::session(&mut conn).await?;
            let role = me.role();
            let text = tr!(
                "团队 Team：{}\n角色：{}（{}）\n服务器：PostgreSQL {}{}",
                "Team (团队): {}\nrole: {} ({})\nserver: PostgreSQL {}{}",
                url.label(),
                role.map(|r| r.as_str()).unwrap_or("-"),
                if me.groups.is_empty() {
                    "-".to_string()
                } else {
                    me.groups.join(", ")
                },
                me.server_version,
                if me.initialised {
                    String::new()
                } else {
                    tr!(
                        "\n尚未初始化：请运行 paydesk team init",
                        "\nnot set up yet: run paydesk team init"
                    )
                }
            );
            out.message(
                &text,
                json!({
                    "engine": "postgres",
                    "database": url.label(),
                    "url": url.shown(),
                    "source": choice.source,
                    "user": me.user,
                    "role": role,
                    "groups": me.groups,
                    "superuser": me.superuser,
                    "initialised": me.initialised,
                    "server_version": me.server_version,
                }),
            );
            Ok(())
        }
    }
}

async fn watch(flag: Option<&str>, data_dir: &Path, out: &Out) -> Res {
    let choice = choose(flag, data_dir)?;
    let Database::Team(url) = &choice.database else {
        return Err(Failure::new(
            "not_a_team",
            tr!(
                "本机数据库没有其他电脑在写入：team watch 只用于团队数据库",
                "no other desk writes to this desk's local file: team watch is for team databases"
            ),
            exit::ERROR,
        ));
    };
    let full = url.connect_url(&KeyringStore)?;
    let json = out.json;
    if !json {
        eprintln!(
            "{}",
            tr!(
                "正在接收 {} 的订单变动（Ctrl+C 停止）",
                "following order changes on {} (Ctrl+C stops)",
                url.label()
            )
        );
    }
    use std::io::Write;
    team::watch::watch_orders(&full, move |change| {
        let at = paydesk_core::store::now_ms();
        let line = match (&change, json) {
            (team::watch::Change::Order(no), true) => {
                json!({"event": "order_changed", "order_no": no, "at": at}).to_string()
            }
            (team::watch::Change::Reconnected, true) => {
                json!({"event": "reconnected", "at": at}).to_string()
            }
            (team::watch::Change::Order(no), false) => no.clone(),
            (team::watch::Change::Reconnected, false) => {
                tr!(
                    "（已重新连接，期间的变动可能未显示）",
                    "(reconnected; changes in between may be missing)"
                )
            }
        };
        let mut stdout = std::io::stdout().lock();
        // A closed pipe (the reader went away) ends the watch.
        writeln!(stdout, "{line}").is_ok() && stdout.flush().is_ok()
    })
    .await?;
    Ok(())
}

/// The administrator's URL for init / add-operator, with its password.
fn admin_url(flag: Option<&str>, command: &str) -> Result<Secret, Failure> {
    let Some(text) = flag else {
        return Err(usage(tr!(
            "team {} 需要 --database 管理员地址（postgres://管理员@主机:端口/数据库）",
            "team {} needs --database ADMIN_URL (postgres://ADMIN@HOST:PORT/DB)",
            command
        )));
    };
    let url = TeamUrl::parse(text, "database")?;
    let url = match url.password(&KeyringStore)? {
        Some(_) => url,
        None if std::io::stdin().is_terminal() => {
            let p = prompt_password(&url)?;
            url.with_password(p)
        }
        None => url,
    };
    Ok(url.connect_url(&KeyringStore)?)
}

fn prompt_password(url: &TeamUrl) -> Result<Secret, Failure> {
    if !std::io::stdin().is_terminal() {
        return Err(FieldError::new(
            "password",
            tr!(
                "需要 {} 的密码：用 --password-stdin、PGPASSWORD 或在地址中给出",
                "the password of {} is needed: give it with --password-stdin, PGPASSWORD or in the URL",
                url.user()
            ),
        )
        .into());
    }
    let p = rpassword::prompt_password(tr!(
        "{} 的数据库密码：",
        "database password of {}: ",
        url.label()
    ))
    .map_err(|e| Failure::new("input", e.to_string(), exit::ERROR))?;
    Ok(Secret::new(p))
}

fn read_stdin_line(field: &str) -> Result<Secret, Failure> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Failure::new("input", e.to_string(), exit::ERROR))?;
    let line = line.trim_end_matches(['\r', '\n']).to_string();
    if line.is_empty() {
        return Err(FieldError::new(
            field,
            tr!("标准输入的第一行是空的", "the first line of stdin is empty"),
        )
        .into());
    }
    Ok(Secret::new(line))
}

fn usage(message: String) -> Failure {
    Failure::new("usage", message, exit::USAGE)
}

/// For a login whose password is already in hand: nothing is read from, or
/// written to, the keyring before the login is proven.
struct EmptyVault;

impl SecretStore for EmptyVault {
    fn get(&self, _: &str, _: Slot) -> Result<Option<Secret>, paydesk_core::CoreError> {
        Ok(None)
    }
    fn set(&self, _: &str, _: Slot, _: &Secret) -> Result<(), paydesk_core::CoreError> {
        Ok(())
    }
    fn delete(&self, _: &str, _: Slot) -> Result<(), paydesk_core::CoreError> {
        Ok(())
    }
}
