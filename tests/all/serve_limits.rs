//! The web app's server on a real loopback socket: what it refuses at the
//! door, how long it waits, how many it holds, and what its messages name
//! (issue 24, defect 7).
//!
//! Why: a server that waits for ever for a header is held open by anyone
//! who connects and stalls; a host check that reads only part of `Host`
//! lets DNS rebinding through; a message with the server's absolute paths
//! tells a browser user about the machine. These run the app with
//! `serve::listen::serve`, the accept loop `portsim serve` itself runs,
//! with short timeouts so that the suite stays quick; the assertions are
//! on behaviour (a socket is closed, a request answered, one event before
//! another), with generous bounds, never on speed.

#![allow(
    clippy::unwrap_used,
    reason = "the helpers are part of the tests: a panic is how a test fails"
)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use portsim::serve::listen::{self, Limits};
use portsim::serve::security::Policy;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::serve::{SMALL, Server, workspace};

/// A generous bound for anything the server does after a timeout.
const PATIENCE: Duration = Duration::from_secs(60);

/// The app on `dir`, served on a loopback port with `limits`; stopped
/// when the returned sender is dropped or sent to.
async fn start(
    dir: &std::path::Path,
    limits: Limits,
) -> (SocketAddr, tokio::sync::oneshot::Sender<()>) {
    // A new installation: its key is read into memory at start, so the
    // data directory may go when this returns.
    let data = tempfile::tempdir().unwrap();
    let (router, queue, worker) = portsim::serve::app(
        dir,
        Policy {
            allow_remote: false,
        },
        data.path(),
    )
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        listen::serve(listener, router, limits, async move {
            let _ = stopped.await;
            queue.stop();
        })
        .await;
        let _ = worker.join();
    });
    (addr, stop)
}

/// Sends `bytes` on a new connection and reads the reply to its end.
async fn exchange(addr: SocketAddr, bytes: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(bytes).await.unwrap();
    let mut reply = Vec::new();
    tokio::time::timeout(PATIENCE, stream.read_to_end(&mut reply))
        .await
        .expect("the server answers and closes")
        .unwrap();
    String::from_utf8_lossy(&reply).into_owned()
}

fn status(reply: &str) -> u16 {
    reply
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn quick() -> Limits {
    Limits {
        header_timeout: Duration::from_secs(1),
        body_timeout: Duration::from_secs(1),
        max_connections: 256,
    }
}

/// Waits until the server closes `stream` (end of file or a reset), and
/// says when.
async fn closed_by_server(mut stream: TcpStream) -> Instant {
    let mut buf = [0u8; 512];
    loop {
        match tokio::time::timeout(PATIENCE, stream.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => return Instant::now(),
            Ok(Ok(_)) => {}
            Err(_) => panic!("a stalled connection was still open after {PATIENCE:?}"),
        }
    }
}

/// Opens a connection and sends half a request head.
async fn stalled(addr: SocketAddr) -> TcpStream {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET /api/files HTTP/1.1\r\nHost: 127.0.0")
        .await
        .unwrap();
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn host_headers_that_are_not_a_loopback_name_are_refused() {
    let dir = workspace();
    let (addr, stop) = start(dir.path(), quick()).await;
    let get = |host: &[u8]| {
        let mut r = b"GET /api/files HTTP/1.1\r\nConnection: close\r\n".to_vec();
        r.extend_from_slice(host);
        r.extend_from_slice(b"\r\n");
        r
    };
    // Text after the bracket, bytes that are not text, and no Host at all
    // (HTTP/1.0 may omit it): the status of every refused host.
    for (request, what) in [
        (
            get(b"Host: [::1]evil.example\r\n"),
            "text after the bracket",
        ),
        (get(b"Host: local\xffhost\r\n"), "not UTF-8"),
        (
            b"GET /api/files HTTP/1.0\r\n\r\n".to_vec(),
            "HTTP/1.0 without Host",
        ),
        (get(b"Host: evil.example\r\n"), "another name"),
    ] {
        let reply = exchange(addr, &request).await;
        assert_eq!(status(&reply), 403, "{what}: {reply}");
        assert!(!reply.contains("small.toml"), "{what}: {reply}");
    }
    for host in [
        format!("Host: {addr}\r\n"),
        "Host: localhost\r\n".into(),
        "Host: [::1]:80\r\n".into(),
    ] {
        let reply = exchange(addr, &get(host.as_bytes())).await;
        assert_eq!(status(&reply), 200, "{host}: {reply}");
        assert!(reply.contains("small.toml"), "{reply}");
    }
    let _ = stop.send(());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_connections_are_closed_while_others_are_served() {
    let dir = workspace();
    let (addr, stop) = start(dir.path(), quick()).await;
    let mut waits = Vec::new();
    for _ in 0..100 {
        let s = stalled(addr).await;
        waits.push(tokio::spawn(closed_by_server(s)));
    }
    // A normal request is answered while the hundred are open.
    let reply = exchange(
        addr,
        format!("GET /api/files HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await;
    assert_eq!(status(&reply), 200, "{reply}");
    assert!(reply.contains("small.toml"));
    // Every stalled connection is closed by the server (within the bound).
    for w in waits {
        w.await.unwrap();
    }
    // A body that stops short is answered 408, and the connection closed.
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(
        format!(
            "POST /api/validate HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"file\""
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let mut reply = Vec::new();
    tokio::time::timeout(PATIENCE, s.read_to_end(&mut reply))
        .await
        .expect("closed")
        .unwrap();
    let reply = String::from_utf8_lossy(&reply);
    assert_eq!(status(&reply), 408, "{reply}");
    assert!(reply.contains("did not arrive within 1 s"), "{reply}");
    let _ = stop.send(());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_beyond_the_connection_limit_waits_for_a_place() {
    let dir = workspace();
    let limits = Limits {
        max_connections: 2,
        ..quick()
    };
    let (addr, stop) = start(dir.path(), limits).await;
    let a = tokio::spawn(closed_by_server(stalled(addr).await));
    let b = tokio::spawn(closed_by_server(stalled(addr).await));
    let reply = exchange(
        addr,
        format!("GET /api/files HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await;
    let answered = Instant::now();
    assert_eq!(status(&reply), 200, "{reply}");
    let first_closed = a.await.unwrap().min(b.await.unwrap());
    // The third connection was served only once a stalled one had made
    // room: the limit held.
    assert!(first_closed <= answered);
    let _ = stop.send(());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_limits_are_the_documented_ones() {
    let l = Limits::default();
    assert_eq!(l.header_timeout, Duration::from_secs(10));
    assert_eq!(l.body_timeout, Duration::from_secs(30));
    assert_eq!(l.max_connections, 256);
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/serve.md")).unwrap();
    for needle in ["10 s", "30 s", "256 connections"] {
        assert!(doc.contains(needle), "docs/serve.md does not say {needle}");
    }
}

/// Every string in `v`.
fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(o) => o.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

#[tokio::test]
async fn messages_name_files_relative_to_the_workspace() {
    let dir = workspace();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let root_text = root.display().to_string();
    std::fs::create_dir(dir.path().join("folder.toml")).unwrap();
    let fifo = dir.path().join("pipe.toml");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    std::fs::write(dir.path().join("on-pipe.toml"), "extends = \"pipe.toml\"\n").unwrap();
    // The store cannot be written: `.portsim` is a file.
    std::fs::write(dir.path().join(".portsim"), "").unwrap();
    let app = Server::new(dir.path());
    let mut said = Vec::new();
    for (file, expect) in [
        (
            "folder.toml",
            "cannot write `folder.toml`: it is a directory",
        ),
        ("pipe.toml", "cannot write `pipe.toml`: it is a FIFO"),
    ] {
        let (status, body) = app
            .post("/api/save", json!({ "file": file, "text": SMALL }))
            .await;
        assert_eq!(status.as_u16(), 422, "{body}");
        let error = body["error"].as_str().unwrap();
        assert!(error.starts_with(expect), "{error}");
        strings(&body, &mut said);
    }
    let (_, body) = app
        .post(
            "/api/validate",
            json!({ "file": "on-pipe.toml", "text": "extends = \"pipe.toml\"\n" }),
        )
        .await;
    let message = body["diagnostics"][0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("cannot read base scenario `pipe.toml`: it is a FIFO"),
        "{body}"
    );
    strings(&body, &mut said);
    let (_, page) = app.get("/run?file=on-pipe.toml").await;
    let page = String::from_utf8_lossy(&page).into_owned();
    assert!(
        page.contains("cannot read base scenario `pipe.toml`"),
        "{page}"
    );
    said.push(page);
    let (status, body) = app
        .post(
            "/api/jobs",
            json!({ "kind": "run", "files": ["small.toml"], "seed": 3, "replications": 2 }),
        )
        .await;
    assert_eq!(status.as_u16(), 202, "{body}");
    let job = app.wait(body["job"].as_u64().unwrap()).await;
    assert_eq!(job["state"], "failed", "{job}");
    let message = job["message"].as_str().unwrap();
    assert!(
        message.starts_with("cannot store the result: cannot write `.portsim/"),
        "{message}"
    );
    strings(&job, &mut said);
    for s in &said {
        assert!(!s.contains(&root_text), "an absolute path in {s}");
    }
    app.stop();
}
