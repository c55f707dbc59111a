//! What every handler of `portsim serve` shares, pages and JSON API
//! alike: the app's state ([`App`]), the errors as HTTP statuses
//! ([`ApiError`]) and the way to run file work off the request threads
//! (`blocking`).
//!
//! The router (`app`) mounts the page handlers and the API's (`api`);
//! both use these, so they sit here, below both, and the API's handlers
//! do not import the router that mounts them.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::jobs::Queue;
use super::prepared::{DiagnosticJson, PrepareError};
use super::workspace::{PathError, Workspace};

/// What every handler shares.
#[derive(Debug)]
pub struct App {
    /// The folder of scenarios.
    pub workspace: Workspace,
    /// The job queue (and through it the ledger).
    pub queue: Arc<Queue>,
}

pub(super) type Shared = State<Arc<App>>;

/// An error of the API, as JSON with its status.
#[derive(Debug)]
pub struct ApiError {
    pub(super) status: StatusCode,
    pub(super) message: String,
    diagnostics: Vec<DiagnosticJson>,
}

impl ApiError {
    pub(super) fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            diagnostics: Vec::new(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "error": self.message, "diagnostics": self.diagnostics });
        (self.status, Json(body)).into_response()
    }
}

impl From<PathError> for ApiError {
    fn from(e: PathError) -> ApiError {
        let status = match e {
            PathError::BadName(_) | PathError::BadLogName(_) | PathError::Outside(_) => {
                StatusCode::BAD_REQUEST
            }
            PathError::Missing(_) => StatusCode::NOT_FOUND,
            PathError::Io(_) => StatusCode::UNPROCESSABLE_ENTITY,
        };
        ApiError::new(status, e.to_string())
    }
}

impl From<PrepareError> for ApiError {
    fn from(e: PrepareError) -> ApiError {
        match e {
            PrepareError::Path(p) => p.into(),
            PrepareError::Usage(m) => ApiError::new(StatusCode::BAD_REQUEST, m),
            PrepareError::Limit(m) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, m),
            PrepareError::Invalid { file, diagnostics } => ApiError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                message: format!("`{file}` has mistakes; nothing was run"),
                diagnostics,
            },
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(e: JsonRejection) -> ApiError {
        ApiError::new(e.status(), e.body_text())
    }
}

/// Runs `f` on the blocking pool.
pub(super) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error"))
}
