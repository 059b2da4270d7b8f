//! Setting a team database up and adding operators, on an administrator's
//! connection. Each operator is a LOGIN role in one of three group roles, so
//! the database itself knows who did what and refuses what a group may not do
//! (a maker's hand-written `UPDATE profiles` is refused by the server, not by
//! PayDesk).
//!
//! Group roles are shared by the whole server (PostgreSQL roles are
//! cluster-wide); grants, triggers and the schema belong to one database.

use super::scram;
use crate::error::{CoreError, CoreResult, FieldError};
use crate::secret::Secret;
use crate::tr;
use serde::Serialize;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Connection, Row};
use std::str::FromStr;
use std::time::Duration;

pub const GROUP_ADMIN: &str = "paydesk_admin";
pub const GROUP_CHECKER: &str = "paydesk_checker";
pub const GROUP_MAKER: &str = "paydesk_maker";
/// Widest first: `Session::role` takes the first one the session is in.
const GROUPS: [&str; 3] = [GROUP_ADMIN, GROUP_CHECKER, GROUP_MAKER];

/// An operator's group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TeamRole {
    /// Creates payouts, deposits and batches; reads everything.
    Maker,
    /// A maker who may also approve other makers' payouts.
    Checker,
    /// A checker who may also edit profiles, thresholds and operators.
    Admin,
}

impl TeamRole {
    pub fn parse(s: &str) -> Option<TeamRole> {
        match s.trim().to_ascii_lowercase().as_str() {
            "maker" => Some(TeamRole::Maker),
            "checker" => Some(TeamRole::Checker),
            "admin" => Some(TeamRole::Admin),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TeamRole::Maker => "maker",
            TeamRole::Checker => "checker",
            TeamRole::Admin => "admin",
        }
    }

    pub fn group(self) -> &'static str {
        match self {
            TeamRole::Maker => GROUP_MAKER,
            TeamRole::Checker => GROUP_CHECKER,
            TeamRole::Admin => GROUP_ADMIN,
        }
    }

    fn of_group(group: &str) -> Option<TeamRole> {
        [TeamRole::Admin, TeamRole::Checker, TeamRole::Maker]
            .into_iter()
            .find(|r| r.group() == group)
    }
}

/// Who a connection is, as the server sees it.
#[derive(Debug, Clone, Serialize)]
pub struct Session {
    /// `session_user`: the role this desk logged in as.
    pub user: String,
    pub database: String,
    pub server_version: String,
    /// The PayDesk groups the role is in (directly or through another group).
    pub groups: Vec<String>,
    pub superuser: bool,
    /// Whether `team init` set this database up (the group roles and the
    /// order table are there).
    pub initialised: bool,
}

impl Session {
    /// The widest PayDesk group of the session, if any.
    pub fn role(&self) -> Option<TeamRole> {
        self.groups.iter().find_map(|g| TeamRole::of_group(g))
    }
}

/// Connect for a short administrative task. `url` carries the password.
pub async fn connect(url: &Secret) -> CoreResult<PgConnection> {
    let opts = PgConnectOptions::from_str(url.expose())
        .map_err(|e| {
            CoreError::Field(FieldError::new(
                "database",
                tr!(
                    "无法解析数据库地址：{}",
                    "cannot read the database URL: {}",
                    e
                ),
            ))
        })?
        .application_name("paydesk")
        .log_statements(tracing::log::LevelFilter::Trace);
    match tokio::time::timeout(Duration::from_secs(15), opts.connect()).await {
        Ok(Ok(c)) => Ok(c),
        Ok(Err(e)) => Err(login_error(e)),
        Err(_) => Err(CoreError::Storage(tr!(
            "连接数据库超时（15 秒）：请检查主机、端口和网络",
            "connecting to the database timed out (15 s): check the host, port and network"
        ))),
    }
}

/// A failed login in words an operator can act on.
pub fn login_error(e: sqlx::Error) -> CoreError {
    let code = e
        .as_database_error()
        .and_then(|d| d.code())
        .map(|c| c.into_owned());
    match code.as_deref() {
        Some("28P01") | Some("28000") => CoreError::Secret(tr!(
            "数据库拒绝了登录（用户名或密码不对，或该用户不允许从此处登录）：{}",
            "the database refused the login (wrong name or password, or this role may not log in from here): {}",
            e
        )),
        // No CONNECT on the database: `team init` grants it to operators only.
        Some("42501") => CoreError::Conflict(tr!(
            "该用户不是这个团队数据库的操作员（没有连接权限）：{}",
            "this role is not an operator of this team database (it may not connect): {}",
            e
        )),
        Some("3D000") => CoreError::NotFound(tr!(
            "数据库不存在：{}",
            "the database does not exist: {}",
            e
        )),
        _ => CoreError::Storage(tr!(
            "无法连接数据库：{}",
            "cannot connect to the database: {}",
            e
        )),
    }
}

/// Who this connection is, and whether the database is a PayDesk team's.
pub async fn session(conn: &mut PgConnection) -> CoreResult<Session> {
    let row = sqlx::query(
        "SELECT session_user::text AS usr, current_database()::text AS db,
                current_setting('server_version') AS ver,
                ARRAY(SELECT g FROM unnest($1::text[]) AS g
                      WHERE CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = g)
                                 THEN pg_has_role(session_user, g, 'MEMBER') ELSE false END) AS groups,
                (SELECT rolsuper FROM pg_roles WHERE rolname = session_user) AS su,
                (to_regclass('orders') IS NOT NULL
                 AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $2)) AS ready",
    )
    .bind(GROUPS.to_vec())
    .bind(GROUP_MAKER)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Session {
        user: row.try_get("usr")?,
        database: row.try_get("db")?,
        server_version: row.try_get("ver")?,
        groups: row.try_get("groups")?,
        superuser: row.try_get::<Option<bool>, _>("su")?.unwrap_or(false),
        initialised: row.try_get("ready")?,
    })
}

/// What `team init` did.
#[derive(Debug, Clone, Serialize)]
pub struct InitReport {
    pub database: String,
    pub schema: String,
    /// False when the database had been set up before (init ran again).
    pub fresh: bool,
    pub groups: Vec<String>,
    pub tables: Vec<String>,
}

/// The database must be empty, or PayDesk's already (init again after an
/// upgrade re-applies migrations and grants). Checked before the schema is
/// written, so a wrong URL never gets PayDesk's tables mixed into another
/// application's database.
pub async fn check_empty_or_ours(conn: &mut PgConnection) -> CoreResult<bool> {
    let ours: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
        .fetch_one(&mut *conn)
        .await?;
    if ours {
        return Ok(false);
    }
    let others: Vec<String> = sqlx::query_scalar(
        "SELECT n.nspname || '.' || c.relname FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p', 'v', 'm')
           AND n.nspname NOT IN ('pg_catalog', 'information_schema')
           AND n.nspname NOT LIKE 'pg_toast%'
         ORDER BY 1 LIMIT 5",
    )
    .fetch_all(&mut *conn)
    .await?;
    if !others.is_empty() {
        return Err(CoreError::Conflict(tr!(
            "该数据库不是空的（已有 {}），也不是 PayDesk 的团队数据库：请为 PayDesk 新建一个空数据库",
            "this database is not empty ({} already there) and is not a PayDesk team database: create an empty database for PayDesk",
            others.join(", ")
        )));
    }
    Ok(true)
}

/// Group roles, grants and the identity and change-notification triggers,
/// on a database whose schema is in place (`Store::open_url` migrated it).
pub async fn apply_roles_and_grants(
    conn: &mut PgConnection,
    fresh: bool,
) -> CoreResult<InitReport> {
    let me = session(conn).await?;
    create_groups(conn).await?;
    let mut tx = conn.begin().await?;
    let schema: String = sqlx::query_scalar(
        "SELECT n.nspname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.oid = to_regclass('orders')",
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| {
        CoreError::Storage(tr!(
            "数据库中没有 orders 表：PayDesk 的表结构未能建立",
            "the database has no orders table: PayDesk's schema was not created"
        ))
    })?;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY 1",
    )
    .bind(&schema)
    .fetch_all(&mut *tx)
    .await?;
    let s = ident(&schema);
    let db = ident(&me.database);
    let (maker, checker, admin) = (GROUP_MAKER, GROUP_CHECKER, GROUP_ADMIN);
    // Only operators reach this database; they read and write what their
    // group allows and create nothing.
    let mut sql = vec![
        format!("REVOKE ALL ON DATABASE {db} FROM PUBLIC"),
        format!("GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {maker}"),
        format!("REVOKE ALL ON SCHEMA {s} FROM PUBLIC"),
        format!("GRANT USAGE ON SCHEMA {s} TO {maker}"),
        format!("REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM PUBLIC, {maker}, {checker}, {admin}"),
        format!(
            "REVOKE ALL ON ALL SEQUENCES IN SCHEMA {s} FROM PUBLIC, {maker}, {checker}, {admin}"
        ),
        format!("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {maker}"),
    ];
    for t in &tables {
        let q = format!("{s}.{}", ident(t));
        let grants: &[(&str, &str)] = match t.as_str() {
            // The schema's version: read at open to refuse a newer database.
            "_sqlx_migrations" => &[("SELECT", maker)],
            // Shared settings of the gateways (never keys): admins only.
            "profiles" => &[("SELECT", maker), ("INSERT, UPDATE, DELETE", admin)],
            // Append-only for everyone: no UPDATE or DELETE is granted at all.
            "audit_log" => &[("SELECT, INSERT", maker)],
            // Maker-checker decisions: only checkers (and admins) decide; the
            // undecided row comes from a trigger, not from the maker.
            "order_approvals" | "batch_approvals" => &[("SELECT", maker), ("UPDATE", checker)],
            // Orders, their events, batches, sync state, balances, settings.
            _ => &[("SELECT, INSERT, UPDATE", maker), ("DELETE", admin)],
        };
        for (privileges, group) in grants {
            sql.push(format!("GRANT {privileges} ON {q} TO {group}"));
        }
    }
    let columns: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns
         WHERE table_schema = $1",
    )
    .bind(&schema)
    .fetch_all(&mut *tx)
    .await?;
    let has = |t: &str, c: &str| columns.iter().any(|(ct, cc)| ct == t && cc == c);
    for t in &tables {
        let q = format!("{s}.{}", ident(t));
        // Who did it is the login role, whatever the client wrote.
        for col in ["created_by", "os_user", "actor"] {
            if has(t, col) {
                let trig = ident(&format!("paydesk_stamp_{col}"));
                sql.push(format!("DROP TRIGGER IF EXISTS {trig} ON {q}"));
                sql.push(format!(
                    "CREATE TRIGGER {trig} BEFORE INSERT ON {q} FOR EACH ROW \
                     EXECUTE FUNCTION paydesk_stamp_session_user('{col}')"
                ));
            }
        }
    }
    if tables.iter().any(|t| t == "orders") {
        // An order's request and its maker never change after it is written:
        // only its status and the gateway's answers move.
        let frozen: Vec<&str> = FROZEN_ORDER_COLUMNS
            .iter()
            .copied()
            .filter(|c| has("orders", c))
            .collect();
        let q = format!("{s}.orders");
        sql.push(format!("DROP TRIGGER IF EXISTS paydesk_frozen ON {q}"));
        sql.push(format!(
            "CREATE TRIGGER paydesk_frozen BEFORE UPDATE ON {q} FOR EACH ROW \
             EXECUTE FUNCTION paydesk_refuse_change({})",
            frozen
                .iter()
                .map(|c| format!("'{c}'"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        sql.push(format!("DROP TRIGGER IF EXISTS paydesk_notify ON {q}"));
        sql.push(format!(
            "CREATE TRIGGER paydesk_notify AFTER INSERT OR UPDATE ON {q} FOR EACH ROW \
             EXECUTE FUNCTION paydesk_notify_order()"
        ));
    }
    sqlx::raw_sql(TRIGGER_FUNCTIONS).execute(&mut *tx).await?;
    for stmt in &sql {
        sqlx::query(stmt).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(InitReport {
        database: me.database,
        schema,
        fresh,
        groups: GROUPS.iter().map(|g| g.to_string()).collect(),
        tables,
    })
}

/// Columns of an order fixed once it is written (those the schema has).
const FROZEN_ORDER_COLUMNS: [&str; 12] = [
    "id",
    "profile_pk",
    "profile_id",
    "order_no",
    "kind",
    "amount_fen",
    "channel",
    "payee_name",
    "account_no",
    "bank_name",
    "fields",
    "created_by",
];

const TRIGGER_FUNCTIONS: &str = r#"
CREATE OR REPLACE FUNCTION paydesk_stamp_session_user() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    NEW := jsonb_populate_record(NEW, jsonb_build_object(TG_ARGV[0], session_user::text));
    RETURN NEW;
END
$fn$;

CREATE OR REPLACE FUNCTION paydesk_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
    col text;
    old_row jsonb := to_jsonb(OLD);
    new_row jsonb := to_jsonb(NEW);
BEGIN
    FOREACH col IN ARRAY TG_ARGV LOOP
        IF old_row -> col IS DISTINCT FROM new_row -> col THEN
            RAISE EXCEPTION 'paydesk: % of an order cannot change once it is written', col
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END LOOP;
    RETURN NEW;
END
$fn$;

CREATE OR REPLACE FUNCTION paydesk_notify_order() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM pg_notify('paydesk_orders', NEW.order_no);
    RETURN NULL;
END
$fn$;
"#;

/// The three group roles (maker < checker < admin), once per server. Two
/// databases set up at the same moment race on the shared role catalog; the
/// loser finds the roles there on its next try.
async fn create_groups(conn: &mut PgConnection) -> CoreResult<()> {
    let sql = format!(
        "DO $do$ BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{GROUP_MAKER}') THEN CREATE ROLE {GROUP_MAKER} NOLOGIN; END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{GROUP_CHECKER}') THEN CREATE ROLE {GROUP_CHECKER} NOLOGIN; END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{GROUP_ADMIN}') THEN CREATE ROLE {GROUP_ADMIN} NOLOGIN; END IF;
            IF NOT pg_has_role('{GROUP_CHECKER}', '{GROUP_MAKER}', 'MEMBER') THEN GRANT {GROUP_MAKER} TO {GROUP_CHECKER}; END IF;
            IF NOT pg_has_role('{GROUP_ADMIN}', '{GROUP_CHECKER}', 'MEMBER') THEN GRANT {GROUP_CHECKER} TO {GROUP_ADMIN}; END IF;
         END $do$"
    );
    let mut attempt = 0u64;
    loop {
        match sqlx::query(&sql).execute(&mut *conn).await {
            Ok(_) => return Ok(()),
            Err(e) if attempt < 5 => {
                attempt += 1;
                tracing::debug!(error = %e, attempt, "group roles raced another set-up; retrying");
                tokio::time::sleep(Duration::from_millis(50 * attempt)).await;
            }
            Err(e) => return Err(privilege_error(e)),
        }
    }
}

/// Add an operator: a LOGIN role in `role`'s group. Returns the password
/// when PayDesk generated it (shown once, kept nowhere).
pub async fn add_operator(
    conn: &mut PgConnection,
    name: &str,
    role: TeamRole,
    password: Option<Secret>,
) -> CoreResult<Option<Secret>> {
    check_operator_name(name)?;
    team_database(conn).await?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)")
            .bind(name)
            .fetch_one(&mut *conn)
            .await?;
    if exists {
        return Err(CoreError::Conflict(tr!(
            "数据库中已有名为 {} 的角色",
            "the database server already has a role named {}",
            name
        )));
    }
    let generated = password.is_none();
    let password = match password {
        Some(p) if p.expose().chars().count() < 12 => {
            return Err(FieldError::new(
                "password",
                tr!(
                    "密码至少 12 个字符",
                    "the password needs at least 12 characters"
                ),
            )
            .into())
        }
        Some(p) => p,
        None => generate_password(),
    };
    // Admins add operators too: CREATEROLE is a role's own attribute and is
    // not inherited from the group.
    let extra = if role == TeamRole::Admin {
        " CREATEROLE"
    } else {
        ""
    };
    let stmt = format!(
        "CREATE ROLE {} LOGIN{extra} PASSWORD '{}' IN ROLE {}",
        ident(name),
        scram::verifier(password.expose()),
        role.group()
    );
    // The role and its audit entry in one transaction (PostgreSQL's role
    // statements are transactional): no operator the log does not name. The
    // database stamps the acting role (`paydesk_stamp_os_user`), so the
    // entry says who added whom, whatever a client writes.
    let mut tx = conn.begin().await?;
    sqlx::query(&stmt)
        .execute(&mut *tx)
        .await
        .map_err(privilege_error)?;
    audit_operator(
        &mut tx,
        "operator.add",
        name,
        format!("role {}", role.as_str()),
    )
    .await?;
    tx.commit().await?;
    Ok(generated.then_some(password))
}

/// Refuses a database `team init` has not set up.
async fn team_database(conn: &mut PgConnection) -> CoreResult<()> {
    if !session(conn).await?.initialised {
        return Err(CoreError::Conflict(tr!(
            "该数据库还不是 PayDesk 团队数据库：请先运行 paydesk team init",
            "this database is not a PayDesk team database yet: run paydesk team init first"
        )));
    }
    Ok(())
}

/// The group an operator of this team is in (the widest), refusing a name
/// that is no operator (no login, or in none of PayDesk's groups).
async fn operator_group(conn: &mut PgConnection, name: &str) -> CoreResult<TeamRole> {
    check_operator_name(name)?;
    team_database(conn).await?;
    let groups: Vec<String> = sqlx::query_scalar(
        "SELECT g.rolname::text FROM pg_auth_members m
         JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
         WHERE u.rolname = $1 AND u.rolcanlogin",
    )
    .bind(name)
    .fetch_all(&mut *conn)
    .await?;
    GROUPS
        .iter()
        .find(|g| groups.iter().any(|have| have == *g))
        .and_then(|g| {
            [TeamRole::Admin, TeamRole::Checker, TeamRole::Maker]
                .into_iter()
                .find(|r| r.group() == *g)
        })
        .ok_or_else(|| {
            CoreError::NotFound(tr!(
                "没有名为 {} 的操作员",
                "there is no operator named {}",
                name
            ))
        })
}

/// The audit entry of an operator change, inside its transaction (the
/// database stamps the acting role).
async fn audit_operator(
    tx: &mut PgConnection,
    action: &str,
    name: &str,
    detail: String,
) -> CoreResult<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, os_user, action, target, detail) \
         VALUES ($1, session_user, $2, $3, $4)",
    )
    .bind(crate::time::now_ms())
    .bind(action)
    .bind(name)
    .bind(detail)
    .execute(&mut *tx)
    .await
    .map_err(privilege_error)?;
    Ok(())
}

/// Move an operator to another group (an admin's or the owner's
/// connection): out of every PayDesk group, into `role`'s, with the audit
/// entry in the same transaction. Returns the group it was in.
pub async fn set_role(conn: &mut PgConnection, name: &str, role: TeamRole) -> CoreResult<TeamRole> {
    let was = operator_group(conn, name).await?;
    let mut tx = conn.begin().await?;
    let who = ident(name);
    let mut sql: Vec<String> = GROUPS
        .iter()
        .map(|g| format!("REVOKE {g} FROM {who}"))
        .collect();
    sql.push(format!("GRANT {} TO {who}", role.group()));
    // Admins add operators: CREATEROLE is the role's own, not inherited.
    let create = if role == TeamRole::Admin {
        "CREATEROLE"
    } else {
        "NOCREATEROLE"
    };
    sql.push(format!("ALTER ROLE {who} {create}"));
    for s in &sql {
        sqlx::query(s)
            .execute(&mut *tx)
            .await
            .map_err(privilege_error)?;
    }
    let detail = format!("role {} (was {})", role.as_str(), was.as_str());
    audit_operator(&mut tx, "operator.role", name, detail).await?;
    tx.commit().await?;
    Ok(was)
}

/// Remove an operator: their login role is dropped (what they did stays,
/// under their name), with the audit entry in the same transaction. Returns
/// the group they were in.
pub async fn remove_operator(conn: &mut PgConnection, name: &str) -> CoreResult<TeamRole> {
    let was = operator_group(conn, name).await?;
    let mut tx = conn.begin().await?;
    sqlx::query(&format!("DROP ROLE {}", ident(name)))
        .execute(&mut *tx)
        .await
        .map_err(privilege_error)?;
    let detail = format!("role {}", was.as_str());
    audit_operator(&mut tx, "operator.remove", name, detail).await?;
    tx.commit().await?;
    Ok(was)
}

/// A role name a URL can carry without quoting: lower-case ASCII letters,
/// digits and `_`, not one of PayDesk's groups or PostgreSQL's own.
pub fn check_operator_name(name: &str) -> CoreResult<()> {
    let ok_chars = name
        .chars()
        .enumerate()
        .all(|(i, c)| c.is_ascii_lowercase() || c == '_' || (i > 0 && c.is_ascii_digit()));
    if name.is_empty() || name.len() > 63 || !ok_chars {
        return Err(FieldError::new(
            "name",
            tr!(
                "操作员名只能用小写英文字母、数字和下划线（以字母或下划线开头，最多 63 个字符）",
                "an operator name takes lower-case letters, digits and _ (starting with a letter or _, at most 63 characters)"
            ),
        )
        .into());
    }
    if name.starts_with("pg_")
        || name.starts_with("paydesk_")
        || name == "postgres"
        || name == "public"
    {
        return Err(FieldError::new(
            "name",
            tr!(
                "{} 是保留名称，请换一个",
                "{} is a reserved name; choose another",
                name
            ),
        )
        .into());
    }
    Ok(())
}

/// 24 letters and digits (about 143 bits).
fn generate_password() -> Secret {
    use rand::distributions::{Alphanumeric, DistString};
    Secret::new(Alphanumeric.sample_string(&mut rand::thread_rng(), 24))
}

/// A refused statement in words: who may do it instead.
pub fn privilege_error(e: sqlx::Error) -> CoreError {
    let denied = e
        .as_database_error()
        .and_then(|d| d.code())
        .is_some_and(|c| c == "42501");
    if denied {
        CoreError::Storage(tr!(
            "数据库拒绝了该操作（权限不足；需要管理员或数据库所有者的账号）：{}",
            "the database refused this (not allowed for this role; use an administrator's or the database owner's login): {}",
            e
        ))
    } else {
        e.into()
    }
}

/// A quoted SQL identifier.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operator_names_are_plain_lower_case() {
        for ok in ["amy", "clerk_2", "_x"] {
            assert!(check_operator_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "Amy",
            "2clerk",
            "a-b",
            "a b",
            "amy\"",
            "pg_x",
            "paydesk_maker",
            "postgres",
        ] {
            assert!(check_operator_name(bad).is_err(), "{bad}");
        }
        assert!(check_operator_name(&"a".repeat(64)).is_err());
    }

    #[test]
    fn roles_parse_and_rank() {
        assert_eq!(TeamRole::parse("Checker"), Some(TeamRole::Checker));
        assert_eq!(TeamRole::parse("boss"), None);
        let s = Session {
            user: "amy".into(),
            database: "pay".into(),
            server_version: "15".into(),
            groups: vec![GROUP_CHECKER.into(), GROUP_MAKER.into()],
            superuser: false,
            initialised: true,
        };
        assert_eq!(s.role(), Some(TeamRole::Checker));
    }
}
