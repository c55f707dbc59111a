//! A bounded load test of `portsim serve` on a real loopback socket.
//!
//! Why: a shared server meets bursts (a team opening the workspace at
//! once, a script queueing a batch of runs). 200 concurrent page and API
//! requests and 20 queued runs must all be answered without an error
//! (429 and 503 are the only refusals the app documents, and with 20 runs
//! the queue of 32 is never full), the runs must start in the order they
//! were accepted, and all of it must finish within a time limit. Traffic
//! goes to 127.0.0.1 only, every loop is bounded, and the server stops
//! itself at the end.

#![allow(
    clippy::unwrap_used,
    reason = "the helpers are part of the tests: a panic is how a test fails"
)]

use std::time::{Duration, Instant};

use portsim::serve::security::Policy;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::serve::workspace;

/// One HTTP/1.1 request on its own connection: (status, body).
async fn request(
    addr: std::net::SocketAddr,
    method: &'static str,
    path: &str,
    body: &str,
) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).await.unwrap();
    let reply = String::from_utf8_lossy(&reply).into_owned();
    let status = reply
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = reply
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_owned();
    (status, body)
}

/// This process's resident memory in KiB (Linux), if known.
fn resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_requests_and_twenty_runs_on_loopback() {
    let started = Instant::now();
    let memory_before = resident_kib();
    let dir = workspace();
    let data = tempfile::tempdir().unwrap();
    let (router, queue, worker) = portsim::serve::app(
        dir.path(),
        Policy {
            allow_remote: false,
        },
        data.path(),
    )
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // The accept loop `portsim serve` runs, with its default limits.
    let server = tokio::spawn(portsim::serve::listen::serve(
        listener,
        router,
        portsim::serve::listen::Limits::default(),
        std::future::pending(),
    ));

    for seed in 0..20u64 {
        let body =
            json!({ "kind": "run", "files": ["small.toml"], "seed": seed, "replications": 2 });
        // Accepted one after another, so their order is known.
        let (status, reply) = request(addr, "POST", "/api/jobs", &body.to_string()).await;
        assert_eq!(status, 202, "{reply}");
        let reply: Value = serde_json::from_str(&reply).unwrap();
        assert_eq!(reply["job"], json!(seed + 1));
    }
    let paths = [
        "/",
        "/api/files",
        "/history",
        "/static/app.js",
        "/api/jobs/1",
        "/compare",
    ];
    let gets: Vec<_> = (0..200)
        .map(|i| tokio::spawn(request(addr, "GET", paths[i % paths.len()], "")))
        .collect();
    for get in gets {
        let (status, body) = tokio::time::timeout(Duration::from_secs(60), get)
            .await
            .expect("answered in time")
            .unwrap();
        assert!(
            status == 200 || status == 429 || status == 503,
            "{status}: {body}"
        );
    }
    // Every run finishes, and they started in the order they were accepted.
    for job in 1..=20u64 {
        loop {
            let (_, p) = request(addr, "GET", &format!("/api/jobs/{job}"), "").await;
            let p: Value = serde_json::from_str(&p).unwrap();
            if p["state"] == "done" {
                assert_eq!(p["started"], json!(job), "{p}");
                break;
            }
            assert_ne!(p["state"], "failed", "{p}");
            assert!(started.elapsed() < Duration::from_secs(120), "{p}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let (_, history) = request(addr, "GET", "/api/history", "").await;
    let history: Value = serde_json::from_str(&history).unwrap();
    assert_eq!(history["runs"].as_array().unwrap().len(), 20);
    assert!(started.elapsed() < Duration::from_secs(120));
    // Memory stays bounded: the burst and the queue add little (other
    // tests share the process, hence the generous bound).
    eprintln!(
        "load: 200 requests and 20 runs in {:.2?}; resident memory {memory_before:?} -> {:?} KiB",
        started.elapsed(),
        resident_kib()
    );
    if let (Some(before), Some(after)) = (memory_before, resident_kib()) {
        assert!(
            after.saturating_sub(before) < 512 * 1024,
            "{before} KiB -> {after} KiB"
        );
    }
    server.abort();
    queue.stop();
    worker.join().unwrap();
}
