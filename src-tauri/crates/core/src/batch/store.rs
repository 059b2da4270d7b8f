//! The batches and batch_rows tables (migration 0010). Runtime queries on the
//! store's pool; nothing here reads the orders or profiles tables.

use super::store_pg as pg;
use super::{Batch, BatchRow, BatchState, BatchWarning, RowIssue, RowStatus};
use crate::domain::ProviderKind;
use crate::error::{CoreError, CoreResult};
use crate::store::{Pool, Store};
use crate::tr;
use sqlx::{QueryBuilder, Row, Sqlite};
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

fn parse<T: serde::de::DeserializeOwned + Default>(s: &str) -> T {
    serde_json::from_str(s).unwrap_or_default()
}

/// Rows per multi-row INSERT: 8 values each, well under SQLite's 32766.
const INSERT_CHUNK: usize = 500;

/// The batch and all its rows in one transaction: a batch is never half-stored.
pub async fn insert(store: &Store, b: &NewBatch<'_>, rows: &[NewRow]) -> CoreResult<i64> {
    if let Pool::Postgres(p) = store.pools() {
        return pg::insert(p, b, rows).await;
    }
    let mut tx = store.pool().begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO batches (profile_uuid, profile_name, provider, kind, file_name, file_hash,
             state, row_count, valid_rows, total_fen, columns, errors, warnings, created_by,
             created_at, updated_at)
         VALUES (?, ?, ?, 'payout', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(b.profile_uuid)
    .bind(b.profile_name)
    .bind(b.provider.as_str())
    .bind(b.file_name)
    .bind(b.file_hash)
    .bind(b.state.as_str())
    .bind(b.rows)
    .bind(b.valid_rows)
    .bind(b.total_fen)
    .bind(json(&b.columns)?)
    .bind(json(&b.errors)?)
    .bind(json(&b.warnings)?)
    .bind(b.created_by)
    .bind(b.at)
    .bind(b.at)
    .fetch_one(&mut *tx)
    .await?;
    for chunk in rows.chunks(INSERT_CHUNK) {
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO batch_rows (batch_id, row_no, order_no, amount_fen, fields, cells, status, message, updated_at) ",
        );
        let mut encoded = Vec::with_capacity(chunk.len());
        for r in chunk {
            encoded.push((json(&r.fields)?, json(&r.cells)?));
        }
        q.push_values(chunk.iter().zip(encoded), |mut s, (r, (f, c))| {
            s.push_bind(id)
                .push_bind(r.row)
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
}

const BATCH_COLS: &str = "id, profile_uuid, profile_name, provider, file_name, file_hash, state,
    row_count, valid_rows, total_fen, columns, errors, warnings, pause_reason, created_by,
    created_at, updated_at";

fn batch_of(r: &sqlx::sqlite::SqliteRow) -> Batch {
    let mut b = Batch {
        id: r.get("id"),
        profile: r.get("profile_name"),
        profile_id: r.get("profile_uuid"),
        provider: ProviderKind::parse(r.get::<&str, _>("provider")).unwrap_or(ProviderKind::Jstpay),
        state: BatchState::parse(r.get::<&str, _>("state")).unwrap_or(BatchState::Invalid),
        file_name: r.get("file_name"),
        file_hash: r.get("file_hash"),
        rows: r.get::<i64, _>("row_count") as u32,
        valid_rows: r.get::<i64, _>("valid_rows") as u32,
        total_fen: r.get("total_fen"),
        total_text: String::new(),
        total_capital: String::new(),
        columns: parse(r.get::<&str, _>("columns")),
        errors: parse(r.get::<&str, _>("errors")),
        warnings: parse(r.get::<&str, _>("warnings")),
        pause_reason: r.get("pause_reason"),
        counts: BTreeMap::new(),
        created_by: r.get("created_by"),
        created_at: r.get("created_at"),
        updated_at: r.get("updated_at"),
    };
    b.fill_totals();
    b
}

pub async fn batch(store: &Store, id: i64) -> CoreResult<Batch> {
    if let Pool::Postgres(p) = store.pools() {
        return pg::batch(p, id).await;
    }
    let row = sqlx::query(&format!("SELECT {BATCH_COLS} FROM batches WHERE id = ?"))
        .bind(id)
        .fetch_optional(store.pool())
        .await?
        .ok_or_else(|| CoreError::NotFound(tr!("没有批次 {}", "no batch {}", id)))?;
    Ok(batch_of(&row))
}

pub async fn batches(store: &Store, limit: u32) -> CoreResult<Vec<Batch>> {
    if let Pool::Postgres(p) = store.pools() {
        return pg::batches(p, limit).await;
    }
    let rows = sqlx::query(&format!(
        "SELECT {BATCH_COLS} FROM batches ORDER BY created_at DESC, id DESC LIMIT ?"
    ))
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    Ok(rows.iter().map(batch_of).collect())
}

pub async fn batches_in(store: &Store, state: BatchState) -> CoreResult<Vec<i64>> {
    if let Pool::Postgres(p) = store.pools() {
        return pg::batches_in(p, state).await;
    }
    Ok(
        sqlx::query_scalar("SELECT id FROM batches WHERE state = ? ORDER BY id")
            .bind(state.as_str())
            .fetch_all(store.pool())
            .await?,
    )
}

/// Earlier batches (not refused ones) imported from the same bytes.
pub async fn same_file(store: &Store, hash: &str) -> CoreResult<Vec<(i64, i64)>> {
    if let Pool::Postgres(p) = store.pools() {
        return pg::same_file(p, hash).await;
    }
    let rows = sqlx::query(
        "SELECT id, created_at FROM batches WHERE file_hash = ? AND state != 'invalid' ORDER BY id",
    )
    .bind(hash)
    .fetch_all(store.pool())
    .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// Order numbers already held by rows of live batches (not refused, not
/// cancelled before sending).
pub async fn taken_order_nos(store: &Store, nos: &[&str]) -> CoreResult<Vec<String>> {
    if let Pool::Postgres(p) = store.pools() {
        return pg::taken_order_nos(p, nos).await;
    }
    let mut out = Vec::new();
    for chunk in nos.chunks(INSERT_CHUNK) {
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
            "SELECT r.order_no FROM batch_rows r JOIN batches b ON b.id = r.batch_id
             WHERE b.state != 'invalid' AND r.status NOT IN ('invalid', 'cancelled') AND r.order_no IN (",
        );
        let mut sep = q.separated(", ");
        for n in chunk {
            sep.push_bind(*n);
        }
        q.push(")");
        let rows = q.build().fetch_all(store.pool()).await?;
        out.extend(rows.iter().map(|r| r.get::<String, _>(0)));
    }
    Ok(out)
}

/// Moves the batch to `to` only from one of `from` (pause, cancel, finish
/// race with each other and with other processes). True when it moved.
pub async fn move_state(
    store: &Store,
    id: i64,
    from: &[BatchState],
    to: BatchState,
    reason: Option<&str>,
    at: i64,
) -> CoreResult<bool> {
    if let Pool::Postgres(p) = store.pools() {
        return pg::move_state(p, id, from, to, reason, at).await;
    }
    let mut q: QueryBuilder<Sqlite> = QueryBuilder::new("UPDATE batches SET state = ");
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
    Ok(q.build().execute(store.pool()).await?.rows_affected() == 1)
}

const ROW_COLS: &str =
    "row_no, order_no, amount_fen, status, order_id, provider_order_id, message, fields, cells";

fn row_of(r: &sqlx::sqlite::SqliteRow) -> BatchRow {
    BatchRow {
        row: r.get::<i64, _>("row_no") as u32,
        order_no: r.get("order_no"),
        amount_fen: r.get("amount_fen"),
        status: RowStatus::parse(r.get::<&str, _>("status")).unwrap_or(RowStatus::Unknown),
        order_id: r.get("order_id"),
        provider_order_id: r.get("provider_order_id"),
        message: r.get("message"),
        fields: parse(r.get::<&str, _>("fields")),
        cells: parse(r.get::<&str, _>("cells")),
    }
}

pub async fn rows(store: &Store, id: i64) -> CoreResult<Vec<BatchRow>> {
    if let Pool::Postgres(p) = store.pools() {
        return pg::rows(p, id).await;
    }
    let rows = sqlx::query(&format!(
        "SELECT {ROW_COLS} FROM batch_rows WHERE batch_id = ? ORDER BY row_no"
    ))
    .bind(id)
    .fetch_all(store.pool())
    .await?;
    Ok(rows.iter().map(row_of).collect())
}

pub async fn rows_in(store: &Store, id: i64, statuses: &[RowStatus]) -> CoreResult<Vec<BatchRow>> {
    if let Pool::Postgres(p) = store.pools() {
        return pg::rows_in(p, id, statuses).await;
    }
    let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(format!(
        "SELECT {ROW_COLS} FROM batch_rows WHERE batch_id = "
    ));
    q.push_bind(id).push(" AND status IN (");
    let mut sep = q.separated(", ");
    for s in statuses {
        sep.push_bind(s.as_str());
    }
    q.push(") ORDER BY row_no");
    let rows = q.build().fetch_all(store.pool()).await?;
    Ok(rows.iter().map(row_of).collect())
}

pub async fn counts(store: &Store, id: i64) -> CoreResult<BTreeMap<String, u32>> {
    if let Pool::Postgres(p) = store.pools() {
        return pg::counts(p, id).await;
    }
    let rows =
        sqlx::query("SELECT status, COUNT(*) FROM batch_rows WHERE batch_id = ? GROUP BY status")
            .bind(id)
            .fetch_all(store.pool())
            .await?;
    Ok(rows
        .iter()
        .map(|r| (r.get::<String, _>(0), r.get::<i64, _>(1) as u32))
        .collect())
}

pub struct RowUpdate<'a> {
    pub status: RowStatus,
    pub order_id: Option<i64>,
    pub provider_order_id: Option<&'a str>,
    pub message: Option<&'a str>,
}

pub async fn update_row(
    store: &Store,
    id: i64,
    row: u32,
    u: &RowUpdate<'_>,
    at: i64,
) -> CoreResult<()> {
    if let Pool::Postgres(p) = store.pools() {
        return pg::update_row(p, id, row, u, at).await;
    }
    sqlx::query(
        "UPDATE batch_rows SET status = ?, order_id = COALESCE(?, order_id),
             provider_order_id = COALESCE(?, provider_order_id), message = ?, updated_at = ?
         WHERE batch_id = ? AND row_no = ?",
    )
    .bind(u.status.as_str())
    .bind(u.order_id)
    .bind(u.provider_order_id)
    .bind(u.message)
    .bind(at)
    .bind(id)
    .bind(row)
    .execute(store.pool())
    .await?;
    Ok(())
}

/// Rows not yet sent stop here (cancel).
pub async fn cancel_queued(store: &Store, id: i64, at: i64) -> CoreResult<u64> {
    if let Pool::Postgres(p) = store.pools() {
        return pg::cancel_queued(p, id, at).await;
    }
    Ok(sqlx::query(
        "UPDATE batch_rows SET status = 'cancelled', updated_at = ? WHERE batch_id = ? AND status = 'queued'",
    )
    .bind(at)
    .bind(id)
    .execute(store.pool())
    .await?
    .rows_affected())
}
