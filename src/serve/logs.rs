//! Event logs (`.csv`) as workspace files: listed beside the scenarios,
//! viewed (their first rows and row count), downloaded, and uploaded.
//!
//! An upload (`POST /api/logs/NAME[?overwrite=true]`, the file as the raw
//! body) is **streamed to disk**: each piece of the body is handed to a
//! writer on the blocking pool as it arrives, so memory holds a few pieces,
//! never the file. It has its own limit,
//! [`MAX_LOG_UPLOAD_BYTES`] (413 above it, told by `Content-Length` before
//! anything is read, or when the count passes it), and a piece must come
//! at least every [`PIECE_TIMEOUT`] (408). The accept loop
//! (`super::listen`) leaves this route's body to the handler instead of
//! buffering it under the other routes' limit. The file is written
//! through [`crate::store::incoming`]: a temporary file in the folder,
//! renamed to the name only once whole, never over a link, device or
//! folder, and over an existing file only with `overwrite=true` (409
//! otherwise). A refused or broken upload leaves nothing behind.

use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::json;

use super::pages::{shell, url};
use super::state::{ApiError, App, Shared, blocking};
use super::workspace::{PathError, Workspace};
use crate::report::html::page::{self, html};
use crate::scenario::limits::MAX_LOG_UPLOAD_BYTES;
use crate::store::incoming::{Incoming, IncomingError, Replace};
use crate::store::read::open_regular;

/// The longest wait for the next piece of an upload's body.
pub const PIECE_TIMEOUT: Duration = Duration::from_secs(30);
/// Rows shown by the log's page.
const SHOWN_ROWS: usize = 100;
/// Bytes read for the rows shown (a row longer than this is cut).
const SHOWN_BYTES: usize = 256 << 10;
/// The size of a piece read from a log for a download or a count.
const PIECE: usize = 64 << 10;

/// `GET /api/logs`: the logs, as JSON.
pub async fn list(axum::extract::State(app): Shared) -> Result<Response, ApiError> {
    let logs = blocking(move || app.workspace.logs()).await?;
    Ok(axum::Json(json!({ "logs": logs })).into_response())
}

#[derive(Deserialize)]
pub(super) struct FileQuery {
    file: String,
}

/// The first rows of `file` (at most [`SHOWN_ROWS`]) and its number of
/// lines after the header.
fn head_and_count(ws: &Workspace, file: &str) -> Result<(Vec<String>, u64), PathError> {
    let path = ws.resolve_log(file)?;
    if !path.exists() {
        return Err(PathError::Missing(file.to_owned()));
    }
    let io = |e: &dyn std::fmt::Display| {
        PathError::Io(ws.relative(&format!("cannot read `{file}`: {e}")))
    };
    let mut f = open_regular(&path).map_err(|e| io(&e))?;
    let mut buf = vec![0u8; PIECE];
    let mut head = Vec::new();
    let (mut lines, mut last) = (0u64, b'\n');
    loop {
        let n = f.read(&mut buf).map_err(|e| io(&e))?;
        if n == 0 {
            break;
        }
        if head.len() < SHOWN_BYTES {
            head.extend_from_slice(&buf[..n.min(SHOWN_BYTES - head.len())]);
        }
        lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        last = buf[n - 1];
    }
    if last != b'\n' {
        lines += 1;
    }
    let text = String::from_utf8_lossy(&head);
    let rows = text
        .lines()
        .take(SHOWN_ROWS + 1)
        .map(str::to_owned)
        .collect();
    Ok((rows, lines.saturating_sub(1)))
}

/// `GET /logs/view?file=NAME`: a log's first rows and its row count.
pub(super) async fn view(
    axum::extract::State(app): Shared,
    Query(q): Query<FileQuery>,
) -> Response {
    let file = q.file.clone();
    let result = blocking(move || head_and_count(&app.workspace, &q.file)).await;
    match result {
        Ok(Ok((rows, count))) => {
            let body = html! {
                (page::header("portsim log", &file, html! {
                    p.meta { (format!("{count} rows after the header; the first {} shown.", SHOWN_ROWS.min(count as usize))) }
                }))
                p {
                    a.button href={ "/calibrate?log=" (url(&file)) } { "Calibrate…" } " "
                    a.button href={ "/now?log=" (url(&file)) } { "Now…" } " "
                    a.button href={ "/logs/raw?file=" (url(&file)) } download { "Download" }
                }
                pre #rows { @for r in &rows { (r) "\n" } }
            };
            Html(shell(&file, body)).into_response()
        }
        Ok(Err(e)) => problem(e),
        Err(e) => e.into_response(),
    }
}

/// A page saying why a log cannot be shown.
fn problem(e: PathError) -> Response {
    let message = e.to_string();
    let status = ApiError::from(e).status;
    (
        status,
        Html(super::pages::problem("Cannot open this log", &message)),
    )
        .into_response()
}

/// `GET /logs/raw?file=NAME`: the log itself, read in pieces as it is
/// sent.
pub(super) async fn raw(axum::extract::State(app): Shared, Query(q): Query<FileQuery>) -> Response {
    let name = q.file.clone();
    let opened = blocking(move || {
        let path = app.workspace.resolve_log(&q.file)?;
        open_regular(&path).map_err(|_| PathError::Missing(q.file.clone()))
    })
    .await;
    let file = match opened {
        Ok(Ok(f)) => f,
        Ok(Err(e)) => return problem(e),
        Err(e) => return e.into_response(),
    };
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    tokio::task::spawn_blocking(move || {
        let mut file = file;
        loop {
            let mut buf = vec![0u8; PIECE];
            match file.read(&mut buf) {
                Ok(0) => return,
                Ok(n) => {
                    buf.truncate(n);
                    if tx.blocking_send(Ok(Bytes::from(buf))).is_err() {
                        return;
                    }
                }
                Err(e) => {
                    let _ = tx.blocking_send(Err(e));
                    return;
                }
            }
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|piece| (piece, rx))
    });
    let base = name.rsplit('/').next().unwrap_or("log.csv").to_owned();
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{base}\""),
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response()
}

#[derive(Deserialize)]
pub(super) struct UploadQuery {
    #[serde(default)]
    overwrite: bool,
}

/// A refusal of an upload, as JSON; the connection is closed when the
/// body was not read to its end.
fn refused(status: StatusCode, message: String, close: bool) -> Response {
    let mut r = (status, axum::Json(json!({ "error": message }))).into_response();
    if close {
        r.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    r
}

fn over_limit() -> Response {
    refused(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "the log is larger than the upload limit of {} MiB ({MAX_LOG_UPLOAD_BYTES} bytes, MAX_LOG_UPLOAD_BYTES in docs/serve.md); nothing was stored",
            MAX_LOG_UPLOAD_BYTES >> 20
        ),
        true,
    )
}

/// `POST /api/logs/{*name}`: the body, streamed to disk as the log
/// `name` (see the module's documentation).
pub(super) async fn upload(
    axum::extract::State(app): Shared,
    Path(name): Path<String>,
    Query(q): Query<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_LOG_UPLOAD_BYTES) {
        return over_limit();
    }
    let replace = if q.overwrite {
        Replace::Yes
    } else {
        Replace::No
    };
    let ws: Arc<App> = Arc::clone(&app);
    let shown = name.clone();
    let begun = blocking(move || {
        let path = ws.workspace.log_target(&name)?;
        Incoming::begin(&path, replace).map_err(|e| incoming_error(&ws.workspace, &e))
    })
    .await;
    let mut incoming = match begun {
        Ok(Ok(f)) => f,
        Ok(Err(e)) => return refused(e.status, e.message, true),
        Err(e) => return e.into_response(),
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Bytes>(4);
    let ws = Arc::clone(&app);
    // Finishes only when the sender said the body is whole (by sending
    // an empty piece last); a sender dropped before that is a broken
    // upload, and dropping `incoming` removes its temporary file.
    let writer = tokio::task::spawn_blocking(move || {
        while let Some(piece) = rx.blocking_recv() {
            if piece.is_empty() {
                return Some(
                    incoming
                        .finish()
                        .map_err(|e| incoming_error(&ws.workspace, &e)),
                );
            }
            if let Err(e) = incoming.write(&piece) {
                return Some(Err(incoming_error(&ws.workspace, &e)));
            }
        }
        None
    });
    let mut stream = body.into_data_stream();
    let mut received: u64 = 0;
    let failure = loop {
        match tokio::time::timeout(PIECE_TIMEOUT, stream.next()).await {
            Err(_) => {
                break Some(refused(
                    StatusCode::REQUEST_TIMEOUT,
                    format!(
                        "the upload stalled: no data for {} s; nothing was stored",
                        PIECE_TIMEOUT.as_secs()
                    ),
                    true,
                ));
            }
            Ok(None) => break None,
            Ok(Some(Err(e))) => {
                break Some(refused(
                    StatusCode::BAD_REQUEST,
                    format!("the upload could not be read: {e}; nothing was stored"),
                    true,
                ));
            }
            Ok(Some(Ok(piece))) => {
                received += piece.len() as u64;
                if received > MAX_LOG_UPLOAD_BYTES {
                    break Some(over_limit());
                }
                if piece.is_empty() {
                    continue;
                }
                if tx.send(piece).await.is_err() {
                    // The writer stopped on an error; it says which.
                    break None;
                }
            }
        }
    };
    if failure.is_none() {
        let _ = tx.send(Bytes::new()).await;
    }
    drop(tx);
    let written = writer.await;
    if let Some(response) = failure {
        return response;
    }
    match written {
        Ok(Some(Ok(bytes))) => (
            StatusCode::CREATED,
            axum::Json(json!({ "name": shown, "bytes": bytes })),
        )
            .into_response(),
        Ok(Some(Err(e))) => refused(e.status, e.message, true),
        _ => refused(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal error: the upload's writer stopped".to_owned(),
            true,
        ),
    }
}

/// An [`IncomingError`] as the API's error, its paths relative to the
/// workspace.
fn incoming_error(ws: &Workspace, e: &IncomingError) -> ApiError {
    let status = match e {
        IncomingError::Exists { .. } | IncomingError::NotRegular { .. } => StatusCode::CONFLICT,
        IncomingError::Io { .. } => StatusCode::UNPROCESSABLE_ENTITY,
    };
    ApiError::new(status, ws.relative(&e.to_string()))
}
