//! Which database a desk uses, decided the same way by the CLI and the app:
//! `--database URL`, else `PAYDESK_DATABASE_URL`, else the desk's saved
//! choice (`team.json` in the data directory, written by `team join`), else
//! the local SQLite file. The saved choice never holds a password: that is in
//! the OS keyring (or in the URL / `PGPASSWORD` for one command).

use crate::error::{CoreError, CoreResult, FieldError};
use crate::secret::Secret;
use crate::tr;
use crate::vault::{SecretStore, Slot};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The desk's saved choice, in the data directory.
pub const SETTINGS_FILE: &str = "team.json";
/// The environment variable that names the database for one process.
pub const ENV_URL: &str = "PAYDESK_DATABASE_URL";

/// Where the choice came from (shown by `team status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Flag,
    Env,
    Saved,
    Default,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// A SQLite file (the embedded default: `paydesk.db` in the data dir).
    Local(PathBuf),
    /// A team's PostgreSQL database.
    Team(TeamUrl),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub database: Database,
    pub source: Source,
}

/// A PostgreSQL URL split into the part that may be shown and saved, and the
/// password, which may not.
#[derive(Clone, PartialEq, Eq)]
pub struct TeamUrl {
    /// Without the password.
    url: url::Url,
    password: Option<Secret>,
}

impl std::fmt::Debug for TeamUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TeamUrl({})", self.url)
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Saved {
    database_url: String,
}

impl TeamUrl {
    /// Parses `postgres://ROLE[:PASSWORD]@HOST[:PORT]/DB[?options]`; `field`
    /// names the flag in the error.
    pub fn parse(text: &str, field: &str) -> CoreResult<TeamUrl> {
        let text = text.trim();
        let bad = |why: String| -> CoreError { FieldError::new(field, why).into() };
        if !super::is_postgres_url(text) {
            return Err(bad(tr!(
                "数据库地址应为 postgres://用户名@主机:端口/数据库",
                "the database URL must look like postgres://NAME@HOST:PORT/DB"
            )));
        }
        let mut url = url::Url::parse(text).map_err(|e| {
            bad(tr!(
                "无法解析数据库地址：{}",
                "cannot read the database URL: {}",
                e
            ))
        })?;
        if url.host_str().unwrap_or("").is_empty() {
            return Err(bad(tr!(
                "数据库地址缺少主机名",
                "the database URL has no host"
            )));
        }
        if url.path().trim_start_matches('/').is_empty() {
            return Err(bad(tr!(
                "数据库地址缺少数据库名（…/数据库名）",
                "the database URL names no database (…/DB)"
            )));
        }
        let password = url.password().map(|p| {
            Secret::new(
                percent_encoding::percent_decode_str(p)
                    .decode_utf8_lossy()
                    .into_owned(),
            )
        });
        let _ = url.set_password(None);
        Ok(TeamUrl { url, password })
    }

    /// The role the URL logs in as ("" when it names none).
    pub fn user(&self) -> String {
        percent_encoding::percent_decode_str(self.url.username())
            .decode_utf8_lossy()
            .into_owned()
    }

    pub fn host(&self) -> &str {
        self.url.host_str().unwrap_or("")
    }

    pub fn port(&self) -> u16 {
        self.url.port().unwrap_or(5432)
    }

    pub fn dbname(&self) -> String {
        percent_encoding::percent_decode_str(self.url.path().trim_start_matches('/'))
            .decode_utf8_lossy()
            .into_owned()
    }

    /// The URL without its password: what is saved and shown.
    pub fn shown(&self) -> String {
        self.url.to_string()
    }

    /// "host:port/db as role", for the status bar and `team status`.
    pub fn label(&self) -> String {
        let user = self.user();
        if user.is_empty() {
            format!("{}:{}/{}", self.host(), self.port(), self.dbname())
        } else {
            format!(
                "{}:{}/{} as {}",
                self.host(),
                self.port(),
                self.dbname(),
                user
            )
        }
    }

    pub fn has_password(&self) -> bool {
        self.password.is_some()
    }

    pub fn with_password(mut self, password: Secret) -> TeamUrl {
        self.password = Some(password);
        self
    }

    /// The keyring entry of this role's password on this desk.
    pub fn keyring_id(&self) -> String {
        format!(
            "team:{}@{}:{}/{}",
            self.user(),
            self.host(),
            self.port(),
            self.dbname()
        )
    }

    /// The password to log in with: the URL's, else `PGPASSWORD`, else the
    /// one `team join` saved in the keyring. None lets the server decide
    /// (a trusted local socket needs none).
    pub fn password(&self, vault: &dyn SecretStore) -> CoreResult<Option<Secret>> {
        if let Some(p) = &self.password {
            return Ok(Some(p.clone()));
        }
        if let Some(p) = std::env::var("PGPASSWORD").ok().filter(|p| !p.is_empty()) {
            return Ok(Some(Secret::new(p)));
        }
        // A locked, stopped or absent keyring: say which secret could not be
        // read and the ways on, not only the keyring's own words.
        vault
            .get(&self.keyring_id(), Slot::TeamLogin)
            .map_err(|e| {
                CoreError::Secret(tr!(
                    "无法读取团队数据库 {} 的操作员 {} 的登录密码：{} 处理方法：解锁（或启动）系统密钥环后重试；或用环境变量 PGPASSWORD 提供本次的密码；或运行 paydesk team leave 改用本机数据库。",
                    "cannot read operator {1}'s login password for the team database {0}: {2} To fix it: unlock (or start) the OS keyring and try again; or give the password for this run in PGPASSWORD; or run paydesk team leave to use this desk's own database.",
                    self.label_without_user(),
                    self.user(),
                    e
                ))
            })
    }

    /// The login failed and no password was given anywhere: the keyring
    /// holds none for this role (never joined here, or removed since).
    pub fn no_saved_password(&self, cause: &CoreError) -> CoreError {
        CoreError::Secret(tr!(
            "此电脑的系统密钥环中没有团队数据库 {} 的操作员 {} 的登录密码，数据库拒绝了登录（{}）。处理方法：运行 paydesk team join --database {} --password-stdin 重新保存密码；或用环境变量 PGPASSWORD 提供本次的密码；或运行 paydesk team leave 改用本机数据库。",
            "this desk's OS keyring holds no login password of operator {1} for the team database {0}, and the database refused the login ({2}). To fix it: run paydesk team join --database {3} --password-stdin to save the password again; or give the password for this run in PGPASSWORD; or run paydesk team leave to use this desk's own database.",
            self.label_without_user(),
            self.user(),
            cause,
            self.shown()
        ))
    }

    /// "host:port/db".
    fn label_without_user(&self) -> String {
        format!("{}:{}/{}", self.host(), self.port(), self.dbname())
    }

    /// The full URL to connect with, password included: hand it to the store
    /// only, never to a log or a message.
    pub fn connect_url(&self, vault: &dyn SecretStore) -> CoreResult<Secret> {
        let mut url = self.url.clone();
        if let Some(p) = self.password(vault)? {
            let encoded: String =
                percent_encoding::utf8_percent_encode(p.expose(), USERINFO).to_string();
            let _ = url.set_password(Some(&encoded));
        }
        Ok(Secret::new(url.to_string()))
    }
}

/// What must be escaped in a URL's password.
const USERINFO: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Decide the database: `flag` (`--database`), else `env`
/// (`PAYDESK_DATABASE_URL`), else the saved choice, else the local file.
pub fn choose(flag: Option<&str>, env: Option<&str>, data_dir: &Path) -> CoreResult<Choice> {
    let given = |text: &str, source: Source, field: &str| -> CoreResult<Choice> {
        Ok(Choice {
            database: parse_database(text, field)?,
            source,
        })
    };
    if let Some(url) = flag {
        return given(url, Source::Flag, "database");
    }
    if let Some(url) = env.filter(|u| !u.trim().is_empty()) {
        return given(url, Source::Env, ENV_URL);
    }
    if let Some(saved) = saved_url(data_dir)? {
        return given(&saved, Source::Saved, SETTINGS_FILE);
    }
    Ok(Choice {
        database: Database::Local(data_dir.join("paydesk.db")),
        source: Source::Default,
    })
}

/// `postgres://…` is a team database; `sqlite:PATH` (or `sqlite://PATH`) a
/// local file; anything else is refused with the flag named.
fn parse_database(text: &str, field: &str) -> CoreResult<Database> {
    let t = text.trim();
    if let Some(path) = t
        .strip_prefix("sqlite://")
        .or_else(|| t.strip_prefix("sqlite:"))
    {
        if path.is_empty() {
            return Err(FieldError::new(
                field,
                tr!("sqlite: 后缺少文件路径", "sqlite: needs a file path"),
            )
            .into());
        }
        return Ok(Database::Local(PathBuf::from(path)));
    }
    Ok(Database::Team(TeamUrl::parse(t, field)?))
}

fn settings_path(data_dir: &Path) -> PathBuf {
    data_dir.join(SETTINGS_FILE)
}

/// The URL `team join` saved, if this desk joined a team.
pub fn saved_url(data_dir: &Path) -> CoreResult<Option<String>> {
    let path = settings_path(data_dir);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(file_error(&path, e)),
    };
    let saved: Saved = serde_json::from_slice(&bytes).map_err(|e| {
        CoreError::Storage(tr!(
            "团队设置文件 {} 无法读取：{}（可用 paydesk team leave 删除它）",
            "the team settings file {} cannot be read: {} (paydesk team leave removes it)",
            path.display(),
            e
        ))
    })?;
    Ok(Some(saved.database_url))
}

/// Save the team URL (never its password) as this desk's choice.
pub fn save(data_dir: &Path, url: &TeamUrl) -> CoreResult<()> {
    std::fs::create_dir_all(data_dir).map_err(|e| file_error(data_dir, e))?;
    let path = settings_path(data_dir);
    let tmp = data_dir.join(format!("{SETTINGS_FILE}.tmp"));
    let body = serde_json::to_vec_pretty(&Saved {
        database_url: url.shown(),
    })
    .map_err(|e| CoreError::Internal(e.to_string()))?;
    std::fs::write(&tmp, body).map_err(|e| file_error(&tmp, e))?;
    std::fs::rename(&tmp, &path).map_err(|e| file_error(&path, e))
}

/// Forget the saved choice (back to the local file); returns what it was.
pub fn forget(data_dir: &Path) -> CoreResult<Option<TeamUrl>> {
    let saved = match saved_url(data_dir) {
        Ok(Some(s)) => TeamUrl::parse(&s, SETTINGS_FILE).ok(),
        Ok(None) => return Ok(None),
        // An unreadable file is removed all the same: leaving is the way out.
        Err(_) => None,
    };
    let path = settings_path(data_dir);
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(saved),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(saved),
        Err(e) => Err(file_error(&path, e)),
    }
}

fn file_error(path: &Path, e: std::io::Error) -> CoreError {
    CoreError::Storage(tr!(
        "无法读写 {}：{}",
        "cannot read or write {}: {}",
        path.display(),
        e
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::MemoryStore;

    #[test]
    fn the_flag_wins_then_the_environment_then_the_saved_choice() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let local = choose(None, None, d).unwrap();
        assert_eq!(local.source, Source::Default);
        assert_eq!(local.database, Database::Local(d.join("paydesk.db")));

        save(
            d,
            &TeamUrl::parse("postgres://amy@db.local/pay", "x").unwrap(),
        )
        .unwrap();
        let saved = choose(None, Some("  "), d).unwrap();
        assert_eq!(saved.source, Source::Saved);
        let env = choose(None, Some("postgres://bob@h:6000/pay"), d).unwrap();
        assert_eq!(env.source, Source::Env);
        let flag = choose(Some("sqlite:/tmp/x.db"), Some("postgres://bob@h/p"), d).unwrap();
        assert_eq!(flag.source, Source::Flag);
        assert_eq!(flag.database, Database::Local("/tmp/x.db".into()));

        assert_eq!(
            forget(d).unwrap().unwrap().label(),
            "db.local:5432/pay as amy"
        );
        assert_eq!(choose(None, None, d).unwrap().source, Source::Default);
        assert!(forget(d).unwrap().is_none());
    }

    #[test]
    fn the_saved_choice_never_holds_the_password() {
        let dir = tempfile::tempdir().unwrap();
        let url = TeamUrl::parse("postgres://amy:s3cr%40t@db.local:6543/pay", "x").unwrap();
        assert_eq!(url.shown(), "postgres://amy@db.local:6543/pay");
        assert!(!format!("{url:?}").contains("s3cr"));
        save(dir.path(), &url).unwrap();
        let text = std::fs::read_to_string(dir.path().join(SETTINGS_FILE)).unwrap();
        assert!(!text.contains("s3cr"), "{text}");
        // The URL's own password is the one used, decoded then encoded again.
        let vault = MemoryStore::default();
        assert_eq!(
            url.connect_url(&vault).unwrap().expose(),
            "postgres://amy:s3cr%40t@db.local:6543/pay"
        );
    }

    #[test]
    fn the_keyring_password_is_used_when_the_url_has_none() {
        if std::env::var("PGPASSWORD").is_ok() {
            return; // PGPASSWORD outranks the keyring; nothing to see here.
        }
        let url = TeamUrl::parse("postgres://amy@db.local/pay", "x").unwrap();
        let vault = MemoryStore::default();
        assert_eq!(
            url.connect_url(&vault).unwrap().expose(),
            "postgres://amy@db.local/pay"
        );
        vault
            .set(&url.keyring_id(), Slot::TeamLogin, &Secret::new("p w"))
            .unwrap();
        assert_eq!(
            url.connect_url(&vault).unwrap().expose(),
            "postgres://amy:p%20w@db.local/pay"
        );
    }

    #[test]
    fn a_bad_url_is_refused_with_its_flag_named() {
        let dir = tempfile::tempdir().unwrap();
        for bad in [
            "mysql://a@b/c",
            "postgres://a@/c",
            "postgres://a@h",
            "sqlite:",
        ] {
            match choose(Some(bad), None, dir.path()) {
                Err(CoreError::Field(f)) => assert_eq!(f.field, "database", "{bad}"),
                other => panic!("{bad}: {other:?}"),
            }
        }
        match choose(None, Some("nonsense"), dir.path()) {
            Err(CoreError::Field(f)) => assert_eq!(f.field, ENV_URL),
            other => panic!("{other:?}"),
        }
    }
}
