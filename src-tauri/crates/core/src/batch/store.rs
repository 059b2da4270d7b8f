//! The batches and batch_rows tables (migration 0010 on SQLite, 0009 on
//! PostgreSQL). Runtime queries on the store's pool, each written once for
//! both engines (`on_pool!`; `QueryBuilder` numbers the placeholders per
//! engine); nothing here reads the orders or profiles tables. The claim (in
//! the order's insert, `store/orders.rs`) is what keeps two desks running
//! one batch from sending a row twice.

use super::{Batch, BatchRow, BatchState, BatchWarning, RowIssue, RowStatus};
use crate::domain::ProviderKind;
use crate::error::{CoreError, CoreResult};
use crate::store::sql::{on_pool, sql, Sql};
use crate::store::{Cols, Store};
use crate::tr;
use sqlx::{QueryBuilder, Row};
use std::collections::BTreeMap;

pub struct NewBatch<'a> {
    pub profile_uuid: &'a str,
    pub profile_name: &'a str,
    pub provider: ProviderKind,
    pub file_name: &'a str,
    pub file_hash: &'a str,
    pub state: BatchState,
    pub rows: u32,
    pub valid_rows: u32,
    pub total_fen: i64,
    pub columns: &'a [String],
    pub errors: &'a [RowIssue],
    pub warnings: &'a [BatchWarning],
    pub created_by: &'a str,
    pub at: i64,
}

pub struct NewRow {
    pub row: u32,
    pub order_no: String,
    pub amount_fen: i64,
    pub fields: BTreeMap<String, String>,
    pub cells: Vec<String>,
    pub status: RowStatus,
    pub message: Option<String>,
}

fn json<T: serde::Serialize>(v: &T) -> CoreResult<String> {
    serde_json::to_string(v).map_err(|e| CoreError::Internal(e.to_string()))
}

fn parse<T: serde::de::DeserializeOwned + Default>(s: Option<String>) -> T {
    s.and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default()
}

/// Rows per multi-row INSERT or IN list: 9 values each, well under
/// SQLite's 32,766 binds a statement (and PostgreSQL's 65,535).
const INSERT_CHUNK: usize = 500;

static INSERT_BATCH: Sql = sql!(
    "INSERT INTO batches (profile_uuid, profile_name, provider, kind, file_name, file_hash,
         state, row_count, valid_rows, total_fen, columns, errors, warnings, created_by,
         created_at, updated_at)
     VALUES (?1, ?2, ?3, 'payout', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14) RETURNING id"
);

/// The batch and all its rows in one transaction: a batch is never half-stored.
pub async fn insert(store: &Store, b: &NewBatch<'_>, rows: &[NewRow]) -> CoreResult<i64> {
    on_pool!(store.pools(), |p, text| {
        let mut tx = p.begin().await?;
        let id: i64 = sqlx::query_scalar(text(&INSERT_BATCH))
            .bind(b.profile_uuid)
            .bind(b.profile_name)
            .bind(b.provider.as_str())
            .bind(b.file_name)
            .bind(b.file_hash)
            .bind(b.state.as_str())
            .bind(b.rows as i64)
            .bind(b.valid_rows as i64)
            .bind(b.total_fen)
            .bind(json(&b.columns)?)
            .bind(json(&b.errors)?)
            .bind(json(&b.warnings)?)
            .bind(b.created_by)
            .bind(b.at)
            .fetch_one(&mut *tx)
            .await?;
        for chunk in rows.chunks(INSERT_CHUNK) {
            let mut q = QueryBuilder::<Db>::new(
                "INSERT INTO batch_rows (batch_id, row_no, order_no, amount_fen, fields, cells, status, message, updated_at) ",
            );
            let mut encoded = Vec::with_capacity(chunk.len());
            for r in chunk {
                encoded.push((json(&r.fields)?, json(&r.cells)?));
            }
            q.push_values(chunk.iter().zip(encoded), |mut s, (r, (f, c))| {
                s.push_bind(id)
                    .push_bind(r.row as i64)
                    .push_bind(r.order_no.clone())
                    .push_bind(r.amount_fen)
                    .push_bind(f)
                    .push_bind(c)
                    .push_bind(r.status.as_str())
                    .push_bind(r.message.clone())
                    .push_bind(b.at);
            });
            q.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(id)
    })
}

macro_rules! batch_cols {
    () => {
        "SELECT id, profile_uuid, profile_name, provider, file_name, file_hash, state,
         row_count, valid_rows, total_fen, columns, errors, warnings, pause_reason, created_by,
         created_at, updated_at FROM batches"
    };
}

static BATCH: Sql = sql!(concat!(batch_cols!(), " WHERE id = ?1"));
static BATCHES: Sql = sql!(concat!(
    batch_cols!(),
    " ORDER BY created_at DESC, id DESC LIMIT ?1"
));

fn batch_of<R: Cols>(r: &R) -> CoreResult<Batch> {
    let mut b = Batch {
        id: r.req_int("id")?,
        profile: r.req_text("profile_name")?,
        profile_id: r.req_text("profile_uuid")?,
        provider: ProviderKind::parse(&r.req_text("provider")?).unwrap_or(ProviderKind::Jstpay),
        state: BatchState::parse(&r.req_text("state")?).unwrap_or(BatchState::Invalid),
        file_name: r.req_text("file_name")?,
        file_hash: r.req_text("file_hash")?,
        rows: r.req_int("row_count")? as u32,
        valid_rows: r.req_int("valid_rows")? as u32,
        total_fen: r.req_int("total_fen")?,
        total_text: String::new(),
        total_capital: String::new(),
        columns: parse(r.text("columns")?),
        errors: parse(r.text("errors")?),
        warnings: parse(r.text("warnings")?),
        // Notes stored as codes (team mode: desks of either language read
        // them) in this reader's language; older plain texts as they are.
        pause_reason: {
            let mut note = r.text("pause_reason")?;
            crate::services::notes::render_stored(&mut note);
            note
        },
        counts: BTreeMap::new(),
        created_by: r.text("created_by")?,
        created_at: r.req_int("created_at")?,
        updated_at: r.req_int("updated_at")?,
    };
    b.fill_totals();
    Ok(b)
}

pub async fn batch(store: &Store, id: i64) -> CoreResult<Batch> {
    on_pool!(store.pools(), |p, text| {
        let row = sqlx::query(text(&BATCH))
            .bind(id)
            .fetch_optional(p)
            .await?
            .ok_or_else(|| CoreError::NotFound(tr!("没有批次 {}", "no batch {}", id)))?;
        batch_of(&row)
    })
}

pub async fn batches(store: &Store, limit: u32) -> CoreResult<Vec<Batch>> {
    on_pool!(store.pools(), |p, text| {
        let rows = sqlx::query(text(&BATCHES))
            .bind(limit as i64)
            .fetch_all(p)
            .await?;
        rows.iter().map(batch_of).collect()
    })
}

static IN_STATE: Sql = sql!("SELECT id FROM batches WHERE state = ?1 ORDER BY id");

pub async fn batches_in(store: &Store, state: BatchState) -> CoreResult<Vec<i64>> {
    on_pool!(store.pools(), |p, text| Ok(sqlx::query_scalar(text(
        &IN_STATE
    ))
    .bind(state.as_str())
    .fetch_all(p)
    .await?))
}

static SAME_FILE: Sql = sql!(
    "SELECT id, created_at FROM batches WHERE file_hash = ?1 AND state <> 'invalid' ORDER BY id"
);

/// Earlier batches (not refused ones) imported from the same bytes.
pub async fn same_file(store: &Store, hash: &str) -> CoreResult<Vec<(i64, i64)>> {
    on_pool!(store.pools(), |p, text| {
        let rows = sqlx::query(text(&SAME_FILE))
            .bind(hash)
            .fetch_all(p)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    })
}

/// Order numbers already held by rows of live batches (not refused, not
/// cancelled before sending).
pub async fn taken_order_nos(store: &Store, nos: &[&str]) -> CoreResult<Vec<String>> {
    let mut out = Vec::new();
    for chunk in nos.chunks(INSERT_CHUNK) {
        on_pool!(store.pools(), |p, _text| {
            let mut q = QueryBuilder::<Db>::new(
                "SELECT r.order_no FROM batch_rows r JOIN batches b ON b.id = r.batch_id
                 WHERE b.state <> 'invalid' AND r.status NOT IN ('invalid', 'cancelled') AND r.order_no IN (",
            );
            let mut sep = q.separated(", ");
            for n in chunk {
                sep.push_bind(*n);
            }
            q.push(")");
            for r in q.build().fetch_all(p).await? {
                out.push(r.try_get::<String, _>(0)?);
            }
        });
    }
    Ok(out)
}

/// Moves the batch to `to` only from one of `from` (pause, cancel, finish
/// race with each other and with other desks). True when it moved.
pub async fn move_state(
    store: &Store,
    id: i64,
    from: &[BatchState],
    to: BatchState,
    reason: Option<&str>,
    at: i64,
) -> CoreResult<bool> {
    on_pool!(store.pools(), |p, _text| {
        let mut q = QueryBuilder::<Db>::new("UPDATE batches SET state = ");
        q.push_bind(to.as_str())
            .push(", pause_reason = ")
            .push_bind(reason)
            .push(", updated_at = ")
            .push_bind(at)
            .push(" WHERE id = ")
            .push_bind(id)
            .push(" AND state IN (");
        let mut sep = q.separated(", ");
        for s in from {
            sep.push_bind(s.as_str());
        }
        q.push(")");
        Ok(q.build().execute(p).await?.rows_affected() == 1)
    })
}

macro_rules! row_cols {
    () => {
        "SELECT row_no, order_no, amount_fen, status, order_id, provider_order_id, message, fields, cells \
         FROM batch_rows WHERE batch_id = "
    };
}

static ROWS: Sql = sql!(concat!(row_cols!(), "?1 ORDER BY row_no"));

fn row_of<R: Cols>(r: &R) -> CoreResult<BatchRow> {
    Ok(BatchRow {
        row: r.req_int("row_no")? as u32,
        order_no: r.req_text("order_no")?,
        amount_fen: r.req_int("amount_fen")?,
        status: RowStatus::parse(&r.req_text("status")?).unwrap_or(RowStatus::Unknown),
        order_id: r.int("order_id")?,
        provider_order_id: r.text("provider_order_id")?,
        message: r.text("message")?,
        fields: parse(r.text("fields")?),
        cells: parse(r.text("cells")?),
    })
}

pub async fn rows(store: &Store, id: i64) -> CoreResult<Vec<BatchRow>> {
    on_pool!(store.pools(), |p, text| {
        let rows = sqlx::query(text(&ROWS)).bind(id).fetch_all(p).await?;
        rows.iter().map(row_of).collect()
    })
}

pub async fn rows_in(store: &Store, id: i64, statuses: &[RowStatus]) -> CoreResult<Vec<BatchRow>> {
    on_pool!(store.pools(), |p, _text| {
        let mut q = QueryBuilder::<Db>::new(row_cols!());
        q.push_bind(id).push(" AND status IN (");
        let mut sep = q.separated(", ");
        for s in statuses {
            sep.push_bind(s.as_str());
        }
        q.push(") ORDER BY row_no");
        let rows = q.build().fetch_all(p).await?;
        rows.iter().map(row_of).collect()
    })
}

static COUNTS: Sql =
    sql!("SELECT status, COUNT(*) FROM batch_rows WHERE batch_id = ?1 GROUP BY status");

pub async fn counts(store: &Store, id: i64) -> CoreResult<BTreeMap<String, u32>> {
    on_pool!(store.pools(), |p, text| {
        let rows = sqlx::query(text(&COUNTS)).bind(id).fetch_all(p).await?;
        rows.iter()
            .map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<i64, _>(1)? as u32)))
            .collect()
    })
}

pub struct RowUpdate<'a> {
    pub status: RowStatus,
    pub order_id: Option<i64>,
    pub provider_order_id: Option<&'a str>,
    pub message: Option<&'a str>,
}

static UPDATE_ROW: Sql = sql!(
    "UPDATE batch_rows SET status = ?1, order_id = COALESCE(?2, order_id),
         provider_order_id = COALESCE(?3, provider_order_id), message = ?4, updated_at = ?5
     WHERE batch_id = ?6 AND row_no = ?7"
);

pub async fn update_row(
    store: &Store,
    id: i64,
    row: u32,
    u: &RowUpdate<'_>,
    at: i64,
) -> CoreResult<()> {
    on_pool!(store.pools(), |p, text| sqlx::query(text(&UPDATE_ROW))
        .bind(u.status.as_str())
        .bind(u.order_id)
        .bind(u.provider_order_id)
        .bind(u.message)
        .bind(at)
        .bind(id)
        .bind(row as i64)
        .execute(p)
        .await
        .map(drop))?;
    Ok(())
}

static CANCEL_QUEUED: Sql = sql!(
    "UPDATE batch_rows SET status = 'cancelled', updated_at = ?1 WHERE batch_id = ?2 AND status = 'queued'"
);

/// Rows not yet sent stop here (cancel).
pub async fn cancel_queued(store: &Store, id: i64, at: i64) -> CoreResult<u64> {
    on_pool!(store.pools(), |p, text| Ok(sqlx::query(text(
        &CANCEL_QUEUED
    ))
    .bind(at)
    .bind(id)
    .execute(p)
    .await?
    .rows_affected()))
}
