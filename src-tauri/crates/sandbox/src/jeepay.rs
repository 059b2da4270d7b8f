//! jeepay simulator (placeholder until written).

use crate::SimRef;
use axum::Router;

pub fn router() -> Router<SimRef> {
    Router::new()
}
