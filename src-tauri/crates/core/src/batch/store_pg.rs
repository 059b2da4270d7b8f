//! The batch tables on PostgreSQL (team mode): `store.rs`'s queries in
//! PostgreSQL's terms, called by it when the store runs there. The claim
//! (in the order's insert, `store/pg/orders.rs`) is what keeps two desks
//! running one batch from sending a row twice: the row's `queued` →
//! `sending` move is one conditional UPDATE, which the server re-checks on
//! the row's newest version, under the batch row's share lock (a pause or
//! cancel from any desk waits for it, or stops it).

use super::store::{NewBatch, NewRow, RowUpdate};
use super::{Batch, BatchRow, BatchState, RowStatus};
use crate::domain::ProviderKind;
use crate::error::{CoreError, CoreResult};
use crate::tr;
use sqlx::{PgPool, Postgres, QueryBuilder, Row};
use std::collections::BTreeMap;

fn json<T: serde::Serialize>(v: &T) -> CoreResult<String> {
    serde_json::to_string(v).map_err(|e| CoreError::Internal(e.to_string()))
}

fn parse<T: serde::de::DeserializeOwned + Default>(s: &str) -> T {
    serde_json::from_str(s).unwrap_or_default()
}

/// Rows per multi-row INSERT: 9 values each, under the 65,535 binds a statement.
const INSERT_CHUNK: usize = 1000;

pub(super) async fn insert(pool: &PgPool, b: &NewBatch<'_>, rows: &[NewRow]) -> CoreResult<i64> {
    let mut tx = pool.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO batches (profile_uuid, profile_name, provider, kind, file_name, file_hash,
             state, row_count, valid_rows, total_fen, columns, errors, warnings, created_by,
             created_at, updated_at)
         VALUES ($1, $2, $3, 'payout', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id",
    )
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
        let mut q: QueryBuilder<Postgres> = QueryBuilder::new(
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
}

const BATCH_COLS: &str = "id, profile_uuid, profile_name, provider, file_name, file_hash, state,
    row_count, valid_rows, total_fen, columns, errors, warnings, pause_reason, created_by,
    created_at, updated_at";

fn batch_of(r: &sqlx::postgres::PgRow) -> Batch {
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

pub(super) async fn batch(pool: &PgPool, id: i64) -> CoreResult<Batch> {
    let row = sqlx::query(&format!("SELECT {BATCH_COLS} FROM batches WHERE id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| CoreError::NotFound(tr!("没有批次 {}", "no batch {}", id)))?;
    Ok(batch_of(&row))
}

pub(super) async fn batches(pool: &PgPool, limit: u32) -> CoreResult<Vec<Batch>> {
    let rows = sqlx::query(&format!(
        "SELECT {BATCH_COLS} FROM batches ORDER BY created_at DESC, id DESC LIMIT $1"
    ))
    .bind(limit as i64)
    .fetch_all(pool)
    .await?;
    Ok(rows.iter().map(batch_of).collect())
}

pub(super) async fn batches_in(pool: &PgPool, state: BatchState) -> CoreResult<Vec<i64>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM batches WHERE state = $1 ORDER BY id")
            .bind(state.as_str())
            .fetch_all(pool)
            .await?,
    )
}

pub(super) async fn same_file(pool: &PgPool, hash: &str) -> CoreResult<Vec<(i64, i64)>> {
    let rows = sqlx::query(
        "SELECT id, created_at FROM batches WHERE file_hash = $1 AND state <> 'invalid' ORDER BY id",
    )
    .bind(hash)
    .fetch_all(pool)
    .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

pub(super) async fn taken_order_nos(pool: &PgPool, nos: &[&str]) -> CoreResult<Vec<String>> {
    let list: Vec<String> = nos.iter().map(|s| s.to_string()).collect();
    Ok(sqlx::query_scalar(
        "SELECT r.order_no FROM batch_rows r JOIN batches b ON b.id = r.batch_id
         WHERE b.state <> 'invalid' AND r.status NOT IN ('invalid', 'cancelled') AND r.order_no = ANY($1)",
    )
    .bind(list)
    .fetch_all(pool)
    .await?)
}

pub(super) async fn move_state(
    pool: &PgPool,
    id: i64,
    from: &[BatchState],
    to: BatchState,
    reason: Option<&str>,
    at: i64,
) -> CoreResult<bool> {
    let from: Vec<&str> = from.iter().map(|s| s.as_str()).collect();
    let r = sqlx::query(
        "UPDATE batches SET state = $1, pause_reason = $2, updated_at = $3 WHERE id = $4 AND state = ANY($5)",
    )
    .bind(to.as_str())
    .bind(reason)
    .bind(at)
    .bind(id)
    .bind(from)
    .execute(pool)
    .await?;
    Ok(r.rows_affected() == 1)
}

const ROW_COLS: &str =
    "row_no, order_no, amount_fen, status, order_id, provider_order_id, message, fields, cells";

fn row_of(r: &sqlx::postgres::PgRow) -> BatchRow {
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

pub(super) async fn rows(pool: &PgPool, id: i64) -> CoreResult<Vec<BatchRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {ROW_COLS} FROM batch_rows WHERE batch_id = $1 ORDER BY row_no"
    ))
    .bind(id)
    .fetch_all(pool)
    .await?;
    Ok(rows.iter().map(row_of).collect())
}

pub(super) async fn rows_in(
    pool: &PgPool,
    id: i64,
    statuses: &[RowStatus],
) -> CoreResult<Vec<BatchRow>> {
    let statuses: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
    let rows = sqlx::query(&format!(
        "SELECT {ROW_COLS} FROM batch_rows WHERE batch_id = $1 AND status = ANY($2) ORDER BY row_no"
    ))
    .bind(id)
    .bind(statuses)
    .fetch_all(pool)
    .await?;
    Ok(rows.iter().map(row_of).collect())
}

pub(super) async fn counts(pool: &PgPool, id: i64) -> CoreResult<BTreeMap<String, u32>> {
    let rows =
        sqlx::query("SELECT status, COUNT(*) FROM batch_rows WHERE batch_id = $1 GROUP BY status")
            .bind(id)
            .fetch_all(pool)
            .await?;
    Ok(rows
        .iter()
        .map(|r| (r.get::<String, _>(0), r.get::<i64, _>(1) as u32))
        .collect())
}

pub(super) async fn update_row(
    pool: &PgPool,
    id: i64,
    row: u32,
    u: &RowUpdate<'_>,
    at: i64,
) -> CoreResult<()> {
    sqlx::query(
        "UPDATE batch_rows SET status = $1, order_id = COALESCE($2, order_id),
             provider_order_id = COALESCE($3, provider_order_id), message = $4, updated_at = $5
         WHERE batch_id = $6 AND row_no = $7",
    )
    .bind(u.status.as_str())
    .bind(u.order_id)
    .bind(u.provider_order_id)
    .bind(u.message)
    .bind(at)
    .bind(id)
    .bind(row as i64)
    .execute(pool)
    .await?;
    Ok(())
}

pub(super) async fn cancel_queued(pool: &PgPool, id: i64, at: i64) -> CoreResult<u64> {
    Ok(sqlx::query(
        "UPDATE batch_rows SET status = 'cancelled', updated_at = $1 WHERE batch_id = $2 AND status = 'queued'",
    )
    .bind(at)
    .bind(id)
    .execute(pool)
    .await?
    .rows_affected())
}
