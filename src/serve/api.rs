//! The JSON API of `portsim serve`: files, validation and saving, jobs,
//! their progress stream, and the history.
//!
//! Routes and statuses are listed in `app`, which mounts these handlers.
//! Validation and saving answer with the diagnostics the CLI prints, as
//! [`DiagnosticJson`]; a job request is checked in full by
//! [`work::prepare`] before it reaches the queue, so a mistake is a 4xx
//! with the message, never a failed job.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::jobs::{Job, SubmitError, Submitted};
use super::kind::kind_of;
use super::prepared::{self, DiagnosticJson};
use super::state::{ApiError, App, Shared, blocking};
use super::work::{self, JobRequest};
use super::workspace::PathError;
use super::{sse, study};
use crate::scenario::limits::MAX_FILE_BYTES;

pub(super) async fn files(State(app): Shared) -> Result<Response, ApiError> {
    let entries = blocking(move || app.workspace.list()).await?;
    Ok(Json(json!({ "files": entries })).into_response())
}

pub(super) async fn file(
    State(app): Shared,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    let text = blocking(move || app.workspace.read(&name)).await??;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response())
}

/// A scenario's text as the editor sends it.
#[derive(Deserialize)]
pub(super) struct Source {
    /// Its name in the workspace.
    file: String,
    /// The text.
    text: String,
}

fn check_size(text: &str) -> Result<(), ApiError> {
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "the scenario is {} bytes, more than the limit of {MAX_FILE_BYTES} for a scenario file",
                text.len()
            ),
        ));
    }
    Ok(())
}

/// The CLI's diagnostics of `source`: a study file's as `portsim
/// sweep|plan|sensitivity` reads it, a scenario's as `portsim run` does.
fn check(app: &App, source: &Source) -> Result<Vec<DiagnosticJson>, PathError> {
    if let Some(kind) = kind_of(&source.text) {
        return study::check(&app.workspace, &source.file, &source.text, kind);
    }
    let parsed = app.workspace.parse(&source.file, &source.text)?;
    Ok(parsed
        .err()
        .map(|e| prepared::diagnostics(&e))
        .unwrap_or_default())
}

pub(super) async fn validate(
    State(app): Shared,
    body: Result<Json<Source>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(source) = body?;
    check_size(&source.text)?;
    let diagnostics = blocking(move || check(&app, &source)).await??;
    Ok(
        Json(json!({ "valid": diagnostics.is_empty(), "diagnostics": diagnostics }))
            .into_response(),
    )
}

pub(super) async fn save(
    State(app): Shared,
    body: Result<Json<Source>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(source) = body?;
    check_size(&source.text)?;
    let diagnostics = blocking(move || {
        app.workspace.save(&source.file, &source.text)?;
        check(&app, &source)
    })
    .await??;
    Ok(
        Json(json!({ "saved": true, "valid": diagnostics.is_empty(), "diagnostics": diagnostics }))
            .into_response(),
    )
}

pub(super) async fn submit(
    State(app): Shared,
    body: Result<Json<JobRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(request) = body?;
    let submitted = blocking(move || {
        let prepared = work::prepare(&app.workspace, &request)?;
        app.queue.submit(prepared).map_err(|e| {
            let status = match e {
                SubmitError::Full => StatusCode::TOO_MANY_REQUESTS,
                SubmitError::Stopping => StatusCode::SERVICE_UNAVAILABLE,
            };
            ApiError::new(status, e.to_string())
        })
    })
    .await;
    let submitted = submitted??;
    Ok(match submitted {
        Submitted::Stored(record) => (
            StatusCode::OK,
            Json(json!({ "stored": true, "run_id": record.id, "record": record })),
        )
            .into_response(),
        Submitted::Job(job) => {
            let p = job.progress();
            (
                StatusCode::ACCEPTED,
                [(header::LOCATION, format!("/api/jobs/{}", p.job))],
                Json(json!({ "stored": false, "job": p.job, "run_id": p.run_id, "progress": p })),
            )
                .into_response()
        }
    })
}

fn job_of(app: &App, id: u64) -> Result<Arc<Job>, ApiError> {
    app.queue
        .job(id)
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, format!("no job {id}")))
}

pub(super) async fn job(State(app): Shared, Path(id): Path<u64>) -> Result<Response, ApiError> {
    Ok(Json(job_of(&app, id)?.progress()).into_response())
}

pub(super) async fn events(State(app): Shared, Path(id): Path<u64>) -> Result<Response, ApiError> {
    Ok(sse::stream(job_of(&app, id)?.subscribe()).into_response())
}

pub(super) async fn cancel(State(app): Shared, Path(id): Path<u64>) -> Result<Response, ApiError> {
    if !app.queue.cancel(id) {
        return Err(ApiError::new(StatusCode::NOT_FOUND, format!("no job {id}")));
    }
    Ok(Json(json!({ "cancelled": true, "job": id })).into_response())
}

pub(super) async fn history(State(app): Shared) -> Result<Response, ApiError> {
    let records = blocking(move || app.queue.ledger().list()).await?;
    Ok(Json(json!({ "runs": records })).into_response())
}
