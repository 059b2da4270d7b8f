//! Errors. `FieldError` names the input a person has to fix; `CoreError` is
//! what services return, with a small `ErrorCode` the UI and CLI can branch on.
//!
//! This module depends on nothing else in the crate (`lib.rs`'s layering
//! test keeps it so): every other module may use it, so it must not use them.
//! The conversions into `CoreError` live with the errors they convert
//! (`gateway.rs` for gateway failures, `store/rows.rs` for sqlx's).

use serde::Serialize;
use std::error::Error;
use std::fmt;

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
    Gateway(GatewayFault),
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
            CoreError::Gateway(g) => g.code,
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
            CoreError::Gateway(g) => g.field.as_deref(),
            _ => None,
        }
    }
}

/// A failure talking to a gateway, as services report it: its code and field
/// fixed by the gateway module when it converts its own error into this
/// (`impl From<GatewayError> for CoreError` in `gateway.rs`), and that error
/// itself, for callers that branch on it (`downcast_ref::<GatewayError>()`).
#[derive(Debug)]
pub struct GatewayFault {
    code: ErrorCode,
    field: Option<String>,
    error: Box<dyn Error + Send + Sync + 'static>,
}

impl GatewayFault {
    pub fn new(
        code: ErrorCode,
        field: Option<String>,
        error: impl Error + Send + Sync + 'static,
    ) -> Self {
        GatewayFault {
            code,
            field,
            error: Box::new(error),
        }
    }

    /// The gateway's own error, typed.
    pub fn downcast_ref<E: Error + 'static>(&self) -> Option<&E> {
        self.error.downcast_ref()
    }
}

impl fmt::Display for GatewayFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}

impl Error for GatewayFault {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.error.source()
    }
}

pub type CoreResult<T> = Result<T, CoreError>;
