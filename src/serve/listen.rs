//! The server's connections: how many it holds, how long it waits for a
//! request, and how it stops.
//!
//! `axum::serve` waits for ever: a client that opens a connection and
//! sends half a header (or a body slower than a byte a minute) holds a
//! socket, a file descriptor and a task until it gives up, and a few
//! hundred such clients exhaust the server. [`serve`] runs the router on
//! hyper's HTTP/1 connections itself, with [`Limits`]:
//!
//! * **headers**: a request's head (its line and headers) must arrive
//!   within `header_timeout` of the connection opening, or of the last
//!   response on a kept-alive connection; otherwise hyper closes the
//!   connection. An idle kept-alive connection is closed after the same
//!   time. A response in progress (a progress stream) is not timed.
//! * **body**: a request's body must arrive whole within `body_timeout`
//!   of its head, or the request is answered 408 and the connection
//!   closed. The body is read here, before the handler runs, with the
//!   limit on its size ([`MAX_REQUEST_BYTES`], 413 above it). One route
//!   is left to its handler: a log's upload (`POST /api/logs/…`,
//!   [`super::logs`]), which streams its body to disk under its own
//!   limit and a timeout for each piece.
//! * **connections**: at most `max_connections` are open at once; the
//!   next waits in the operating system's listen queue until one closes.
//!   With the timeouts, stalled clients free their places within
//!   `header_timeout`.
//!
//! On shutdown the server stops accepting, asks every open connection to
//! close after its current response, and waits for them.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::scenario::limits::MAX_REQUEST_BYTES;

/// How long a request's head may take to arrive (docs/serve.md).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a request's body may take to arrive after its head.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(30);
/// Most connections open at once.
pub const MAX_CONNECTIONS: usize = 256;

/// What the server allows each connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// For a request's head ([`HEADER_TIMEOUT`]).
    pub header_timeout: Duration,
    /// For a request's body ([`BODY_TIMEOUT`]).
    pub body_timeout: Duration,
    /// Open connections ([`MAX_CONNECTIONS`]).
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: HEADER_TIMEOUT,
            body_timeout: BODY_TIMEOUT,
            max_connections: MAX_CONNECTIONS,
        }
    }
}

/// Serves `router` on `listener` with `limits` until `shutdown` resolves,
/// then waits for the open connections to finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    let router = router.layer(middleware::from_fn_with_state(
        limits.body_timeout,
        body_in_time,
    ));
    let places = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    tokio::pin!(shutdown);
    loop {
        let place = tokio::select! {
            place = Arc::clone(&places).acquire_owned() => match place {
                Ok(place) => place,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors and the like: wait rather
                    // than spin; a client's failed handshake: go on.
                    if !is_connection_error(&e) {
                        tokio::time::sleep(Duration::from_millis(500)).await;
                    }
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = TowerToHyperService::new(router.clone());
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // A connection that fails (a client gone, a timeout) is
            // simply over.
            let _ = connection.await;
            drop(place);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

fn is_connection_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    matches!(
        e.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    )
}

/// Reads the request's body within `timeout` (and within the size limit)
/// before the handler runs.
async fn body_in_time(State(timeout): State<Duration>, request: Request, next: Next) -> Response {
    if streamed(&request) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    match tokio::time::timeout(timeout, read_limited(body)).await {
        Ok(Ok(bytes)) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Ok(Err(refusal)) => refusal,
        Err(_) => {
            let mut response = refusal(
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "the request body did not arrive within {} s",
                    timeout.as_secs_f64()
                ),
            );
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            response
        }
    }
}

/// Whether `request` is a log's upload, whose handler reads its body
/// as a stream ([`super::logs::upload`]).
fn streamed(request: &Request) -> bool {
    request.method() == axum::http::Method::POST && request.uri().path().starts_with("/api/logs/")
}

/// The whole body, or the response that refuses it.
async fn read_limited(body: Body) -> Result<Bytes, Response> {
    let mut stream = body.into_data_stream();
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            refusal(
                StatusCode::BAD_REQUEST,
                format!("the request body could not be read: {e}"),
            )
        })?;
        if bytes.len() + chunk.len() > MAX_REQUEST_BYTES {
            return Err(refusal(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the request body is more than the limit of {MAX_REQUEST_BYTES} bytes"),
            ));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(bytes))
}

fn refusal(status: StatusCode, message: String) -> Response {
    let mut response =
        (status, axum::Json(serde_json::json!({ "error": message }))).into_response();
    super::security::add_headers(response.headers_mut());
    response
}
