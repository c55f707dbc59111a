//! The router: every page and API endpoint of `portsim serve`, how each
//! maps its errors to HTTP statuses, and the page handlers (the JSON API's
//! are in [`super::api`]; the state and error type both share are in
//! [`super::state`]).
//!
//! Pages: `/` (workspace), `/edit?file=`, `/run?file=`, `/reform?file=`
//! (a reform as a form, [`super::reform`]), `/study?file=`
//! (a sweep, plan or sensitivity file), `/compare`,
//! `/attribute`,
//! `/history`, `/side?run=A&run=B`, `/runs/{id}` (the report) and
//! `/runs/{id}/{results.json|results.csv|report.html}` (downloads). API,
//! JSON in and out: `GET /api/files`, `GET /api/files/{*name}`,
//! `POST /api/validate` and `POST /api/save` (`{file, text}`, answered
//! with the CLI's diagnostics), `POST /api/reform` (`{file, name,
//! values}`: an intervention written, 409 when its file exists), `POST /api/jobs` (`{kind, files, seed,
//! replications}`, kind `run`, `compare`, `attribute`, or `sweep`, `plan`,
//! `sensitivity` with one study file: 200 with `stored: true` when the ledger has the
//! result, 202 with the job number when queued, 422 for scenario
//! mistakes or a limit, 429 when the queue is full), `GET
//! /api/jobs/{id}`, `GET /api/jobs/{id}/events` (server-sent events),
//! `POST /api/jobs/{id}/cancel`, `GET /api/history`.
//!
//! Statuses: 400 a name or request the server cannot take, 403 refused by
//! [`super::security`], 404 nothing there, 413 a body over
//! [`MAX_REQUEST_BYTES`] or a scenario over the file limit, 422 a
//! scenario with mistakes or a limit exceeded, 429 queue full, 503
//! stopping. Anything touching files runs on tokio's blocking pool, never
//! on the threads that serve requests.

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Path, Query, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Router, middleware};
use serde::Deserialize;

use super::kind::kind_of;
use super::ledger;
use super::prepared::PrepareError;
use super::security::{self, Policy};
use super::state::{ApiError, App, Shared, blocking};
use super::workspace::PathError;
use super::{api, calibrate, logs, now, pages, reform, study};
use crate::decide::identity::Asked;
use crate::scenario::limits::MAX_REQUEST_BYTES;

/// The router of the app.
pub fn router(app: Arc<App>, policy: Policy) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/edit", get(edit))
        .route("/run", get(run_page))
        .route("/study", get(study_page))
        .route("/compare", get(compare_page))
        .route("/attribute", get(attribute_page))
        .route("/history", get(history))
        .route("/side", get(side))
        .route("/runs/{id}", get(result))
        .route("/runs/{id}/{file}", get(download))
        .route("/reform", get(reform::page))
        .route("/api/reform", post(reform::save))
        .route("/static/app.js", get(script))
        .route("/static/reform.js", get(reform_script))
        .route("/api/files", get(api::files))
        .route("/api/files/{*name}", get(api::file))
        .route("/api/validate", post(api::validate))
        .route("/api/save", post(api::save))
        .route("/api/jobs", post(api::submit))
        .route("/api/jobs/{id}", get(api::job))
        .route("/api/jobs/{id}/events", get(api::events))
        .route("/api/jobs/{id}/cancel", post(api::cancel))
        .route("/api/history", get(api::history))
        .route("/logs/view", get(logs::view))
        .route("/logs/raw", get(logs::raw))
        .route("/api/logs", get(logs::list))
        .route("/api/logs/{*name}", post(logs::upload))
        .route("/static/logs.js", get(logs_script))
        .route("/calibrate", get(calibrate::page))
        .route("/api/calibrate", post(calibrate::run))
        .route("/api/calibrate/save", post(calibrate::save))
        .route("/now", get(now::page))
        .route("/api/now", post(now::run))
        .fallback(not_found)
        .with_state(app)
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        .layer(middleware::from_fn_with_state(
            Arc::new(policy),
            security::guard,
        ))
}

/// A page, or a page that says what went wrong, with its status.
fn page_error(status: StatusCode, title: &str, message: &str) -> Response {
    (status, Html(pages::problem(title, message))).into_response()
}

async fn not_found() -> Response {
    page_error(
        StatusCode::NOT_FOUND,
        "Not found",
        "There is nothing at this address.",
    )
}

async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        include_str!("static/app.js"),
    )
        .into_response()
}

async fn reform_script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        include_str!("static/reform.js"),
    )
        .into_response()
}

async fn logs_script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        include_str!("static/logs.js"),
    )
        .into_response()
}

async fn index(State(app): Shared) -> Result<Html<String>, ApiError> {
    let html = blocking(move || {
        let entries = app.workspace.list();
        let logs = app.workspace.logs();
        let records = app.queue.ledger().list();
        pages::index(
            &app.workspace.root().display().to_string(),
            &entries,
            &logs,
            &records,
        )
    })
    .await?;
    Ok(Html(html))
}

#[derive(Deserialize)]
struct FileQuery {
    file: String,
}

async fn edit(State(app): Shared, Query(q): Query<FileQuery>) -> Response {
    let result = blocking(move || match app.workspace.read(&q.file) {
        Ok(text) => Ok(pages::editor(&q.file, Some(&text))),
        Err(PathError::Missing(_)) => app
            .workspace
            .resolve(&q.file)
            .map(|_| pages::editor(&q.file, None)),
        Err(e) => Err(e),
    })
    .await;
    match result {
        Ok(Ok(html)) => Html(html).into_response(),
        Ok(Err(e)) => {
            let status = ApiError::from(e).status;
            page_error(status, "Cannot open this file", &status_text(status))
        }
        Err(e) => e.into_response(),
    }
}

/// What a refused file means, without echoing the name asked for.
fn status_text(status: StatusCode) -> String {
    let base = match status {
        StatusCode::BAD_REQUEST => {
            "Only plain names of `.toml` files inside the workspace can be opened."
        }
        StatusCode::NOT_FOUND => "There is no such file or folder in the workspace.",
        _ => "The file cannot be read.",
    };
    base.to_owned()
}

async fn run_page(State(app): Shared, Query(q): Query<FileQuery>) -> Response {
    let result = blocking(move || {
        let s = app.workspace.load(&q.file)?;
        Ok::<_, PathError>(match s {
            Ok(s) => Ok(pages::run(&q.file, &s)),
            Err(e) => Err(e.to_string()),
        })
    })
    .await;
    match result {
        Ok(Ok(Ok(html))) => Html(html).into_response(),
        Ok(Ok(Err(message))) => page_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "The scenario has mistakes",
            &message,
        ),
        Ok(Err(e)) => {
            let status = ApiError::from(e).status;
            page_error(status, "Cannot run this file", &status_text(status))
        }
        Err(e) => e.into_response(),
    }
}

async fn study_page(State(app): Shared, Query(q): Query<FileQuery>) -> Response {
    let result = blocking(move || {
        let text = app.workspace.read(&q.file)?;
        let Some(kind) = kind_of(&text) else {
            return Ok(Err(PrepareError::Usage(format!(
                "`{}` is not a study file: a sweep, plan or sensitivity file starts with `scenario = \"…\"`",
                q.file
            ))));
        };
        let loaded = study::load(&app.workspace, &q.file, &text, kind, &Asked::default());
        Ok::<_, PathError>(loaded.map(|s| pages::study(&q.file, &s, kind)))
    })
    .await;
    match result {
        Ok(Ok(Ok(html))) => Html(html).into_response(),
        Ok(Ok(Err(e))) => {
            let message = match &e {
                PrepareError::Invalid { diagnostics, .. } => diagnostics
                    .iter()
                    .map(|d| d.rendered.as_str())
                    .collect::<Vec<_>>()
                    .join("\n\n"),
                other => other.to_string(),
            };
            let status = ApiError::from(e).status;
            page_error(status, "The study has mistakes", &message)
        }
        Ok(Err(e)) => {
            let status = ApiError::from(e).status;
            page_error(status, "Cannot open this study", &status_text(status))
        }
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize)]
struct PickQuery {
    a: Option<String>,
    b: Option<String>,
    seed: Option<u64>,
    replications: Option<u64>,
}

async fn compare_page(
    State(app): Shared,
    Query(q): Query<PickQuery>,
) -> Result<Html<String>, ApiError> {
    let html = blocking(move || {
        let entries = app.workspace.list();
        let pick = pages::Pick {
            files: [q.a.as_deref(), q.b.as_deref()],
            seed: q.seed,
            replications: q.replications,
        };
        pages::compare(&entries, &pick)
    })
    .await?;
    Ok(Html(html))
}

#[derive(Deserialize)]
struct AttributeQuery {
    baseline: Option<String>,
    intervention: Option<String>,
}

async fn attribute_page(
    State(app): Shared,
    Query(q): Query<AttributeQuery>,
) -> Result<Html<String>, ApiError> {
    let html = blocking(move || {
        let pick = [q.baseline.as_deref(), q.intervention.as_deref()];
        pages::attribute(&app.workspace.list(), pick)
    })
    .await?;
    Ok(Html(html))
}

async fn history(State(app): Shared) -> Result<Html<String>, ApiError> {
    let html = blocking(move || pages::history(&app.queue.ledger().list())).await?;
    Ok(Html(html))
}

async fn side(State(app): Shared, RawQuery(query): RawQuery) -> Response {
    let ids: Vec<String> = query
        .unwrap_or_default()
        .split('&')
        .filter_map(|kv| kv.strip_prefix("run="))
        .map(str::to_owned)
        .collect();
    if ids.len() != 2 {
        return page_error(
            StatusCode::BAD_REQUEST,
            "Pick two results",
            "Tick exactly two stored results on the history page.",
        );
    }
    let records = blocking(move || {
        (
            app.queue.ledger().get(&ids[0]),
            app.queue.ledger().get(&ids[1]),
        )
    })
    .await;
    match records {
        Ok((Some(a), Some(b))) => Html(pages::side(&a, &b)).into_response(),
        Ok(_) => page_error(StatusCode::NOT_FOUND, "Not found", "No such stored result."),
        Err(e) => e.into_response(),
    }
}

async fn result(State(app): Shared, Path(id): Path<String>) -> Response {
    let page = blocking(move || {
        let ledger = app.queue.ledger();
        let bytes = ledger.file(&id, "report.html")?;
        let attribution = ledger.file(&id, "attribution.csv").is_some();
        let csv = ledger.file(&id, "results.csv").is_some();
        Some(pages::result(
            &id,
            &String::from_utf8_lossy(&bytes),
            csv,
            attribution,
        ))
    })
    .await;
    match page {
        Ok(Some(html)) => Html(html).into_response(),
        Ok(None) => page_error(StatusCode::NOT_FOUND, "Not found", "No such stored result."),
        Err(e) => e.into_response(),
    }
}

async fn download(State(app): Shared, Path((id, file)): Path<(String, String)>) -> Response {
    let Some((name, kind)) = ledger::FILES.iter().find(|(f, _)| *f == file) else {
        return not_found().await;
    };
    let bytes = blocking(move || app.queue.ledger().file(&id, name).map(|b| (b, id))).await;
    match bytes {
        Ok(Some((bytes, id))) => (
            [
                (header::CONTENT_TYPE, (*kind).to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"portsim-{}-{name}\"", &id[..12]),
                ),
            ],
            bytes,
        )
            .into_response(),
        Ok(None) => not_found().await,
        Err(e) => e.into_response(),
    }
}
