//! Errors. `FieldError` names the input a person has to fix; `CoreError` is
//! what services return, with a small `ErrorCode` the UI and CLI can branch on.

use crate::gateway::GatewayError;
use serde::Serialize;

/// A bad input, named by its form field id (`amount`, `account_no`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The codes callers branch on. Grows only when a caller needs a new branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    InvalidInput,
    NotFound,
    Conflict,
    NotOffered,
    Gateway,
    Secret,
    Storage,
    Internal,
    /// Maker-checker: the maker of a payout tried to decide on it.
    SameOperator,
    /// Maker-checker: the role deciding is not a checker (or admin).
    NotChecker,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Conflict => "conflict",
            ErrorCode::NotOffered => "not_offered",
            ErrorCode::Gateway => "gateway",
            ErrorCode::Secret => "secret",
            ErrorCode::Storage => "storage",
            ErrorCode::Internal => "internal",
            ErrorCode::SameOperator => "same_operator",
            ErrorCode::NotChecker => "not_checker",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("{0}")]
    Field(#[from] FieldError),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Gateway(#[from] GatewayError),
    #[error("{0}")]
    Secret(String),
    #[error("{0}")]
    Storage(String),
    #[error("{0}")]
    Internal(String),
    #[error("{0}")]
    SameOperator(String),
    #[error("{0}")]
    NotChecker(String),
}

impl CoreError {
    pub fn code(&self) -> ErrorCode {
        match self {
            CoreError::Field(_) => ErrorCode::InvalidInput,
            CoreError::NotFound(_) => ErrorCode::NotFound,
            CoreError::Conflict(_) => ErrorCode::Conflict,
            CoreError::Gateway(GatewayError::NotOffered { .. }) => ErrorCode::NotOffered,
            CoreError::Gateway(GatewayError::Invalid(_)) => ErrorCode::InvalidInput,
            CoreError::Gateway(_) => ErrorCode::Gateway,
            CoreError::Secret(_) => ErrorCode::Secret,
            CoreError::Storage(_) => ErrorCode::Storage,
            CoreError::Internal(_) => ErrorCode::Internal,
            CoreError::SameOperator(_) => ErrorCode::SameOperator,
            CoreError::NotChecker(_) => ErrorCode::NotChecker,
        }
    }

    /// The field a person must fix, when there is one.
    pub fn field(&self) -> Option<&str> {
        match self {
            CoreError::Field(f) => Some(&f.field),
            CoreError::Gateway(GatewayError::Invalid(f)) => Some(&f.field),
            _ => None,
        }
    }
}

impl From<sqlx::Error> for CoreError {
    fn from(e: sqlx::Error) -> Self {
        // sqlx errors never carry secrets: secrets are not stored in SQLite.
        CoreError::Storage(crate::tr!("数据库错误：{}", "database error: {}", e))
    }
}

impl From<sqlx::migrate::MigrateError> for CoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        CoreError::Storage(crate::tr!(
            "数据库迁移失败：{}",
            "database migration failed: {}",
            e
        ))
    }
}

pub type CoreResult<T> = Result<T, CoreError>;
