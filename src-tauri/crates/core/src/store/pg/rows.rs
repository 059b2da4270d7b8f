//! PostgreSQL rows into the store's types, through the one mapping of each
//! entity (`store/rows.rs`): flags are BOOLEAN here, read as 0/1.

use super::super::rows::{order_from, Cols};
use super::super::Order;
use crate::error::CoreResult;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::{Arguments, Row};

impl Cols for PgRow {
    fn text(&self, col: &str) -> CoreResult<Option<String>> {
        Ok(self.try_get(col)?)
    }
    fn int(&self, col: &str) -> CoreResult<Option<i64>> {
        match self.try_get::<Option<i64>, _>(col) {
            Ok(v) => Ok(v),
            Err(e) => match self.try_get::<Option<bool>, _>(col) {
                Ok(b) => Ok(b.map(i64::from)),
                Err(_) => Err(e.into()),
            },
        }
    }
}

/// A bind value of a query built at run time.
#[derive(Clone, Debug)]
pub(super) enum Arg {
    Text(String),
    Int(i64),
    Texts(Vec<String>),
    Ints(Vec<i64>),
}

/// `args` as a statement's binds, `$1…` in order.
pub(super) fn pg_args(args: &[Arg]) -> Result<PgArguments, sqlx::Error> {
    let mut a = PgArguments::default();
    for x in args {
        match x {
            Arg::Text(t) => a.add(t.clone()),
            Arg::Int(i) => a.add(*i),
            Arg::Texts(v) => a.add(v.clone()),
            Arg::Ints(v) => a.add(v.clone()),
        }
        .map_err(sqlx::Error::Encode)?;
    }
    Ok(a)
}

/// Run `sql` (placeholders `$1…`) with `args`, mapping the rows to orders.
pub(super) async fn fetch_orders(
    pool: &sqlx::PgPool,
    sql: &str,
    args: &[Arg],
) -> CoreResult<Vec<Order>> {
    let rows = sqlx::query_with(sql, pg_args(args)?)
        .fetch_all(pool)
        .await?;
    rows.iter().map(order_from).collect()
}
