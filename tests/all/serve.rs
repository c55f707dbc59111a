//! The web app's HTTP API (`portsim serve`), called through its router.
//!
//! Why: the app is a second door into portsim, and every promise of the
//! command line must hold through it too: the same diagnostics at the
//! same line and column, the same limits with the same messages, results
//! identical to `portsim run` under the same run id, and no path that
//! leaves the workspace (`..`, encoded `..`, absolute, links, `extends`).
//! On top of that, what only a server has: the ledger answers a repeated
//! request without running, cancellation stops a run and stores nothing,
//! a full queue says 429, an oversized body 413, a cross-origin write 403.
//! Scenarios are tiny (two simulated days) so the suite stays fast; the one
//! that must still be running when cancelled is long on purpose.

#![allow(
    clippy::unwrap_used,
    reason = "the helpers are part of the tests: a panic is how a test fails"
)]

use std::path::Path;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use portsim::serve::security::Policy;
use serde_json::{Value, json};
use tower::ServiceExt;

/// A small, fast scenario.
pub const SMALL: &str = "name = \"small\"\ndescription = \"two days, one stage\"\nhorizon = \"2d\"\nreplications = 4\nseed = 11\n\n[demand]\nrate = \"200/d\"\n\n[[stages]]\nname = \"inspection\"\nlanes = 1\nservice = { dist = \"exponential\", mean = \"5m\" }\n";

/// A scenario whose replications take seconds each (to be cancelled).
pub const LONG: &str = "name = \"long\"\nhorizon = \"3000d\"\nreplications = 50\n\n[demand]\nrate = \"2000/d\"\n\n[[stages]]\nname = \"inspection\"\nlanes = 3\nservice = { dist = \"exponential\", mean = \"1m\" }\n";

/// A workspace with `small.toml`, `other.toml` (more lanes) and
/// `long.toml`.
pub fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("small.toml"), SMALL).unwrap();
    std::fs::write(
        dir.path().join("other.toml"),
        SMALL
            .replace("lanes = 1", "lanes = 2")
            .replace("\"small\"", "\"other\""),
    )
    .unwrap();
    std::fs::write(dir.path().join("long.toml"), LONG).unwrap();
    dir
}

/// The app on `dir`; stop its queue with [`Server::stop`].
pub struct Server {
    pub router: Router,
    queue: std::sync::Arc<portsim::serve::jobs::Queue>,
    worker: Option<std::thread::JoinHandle<()>>,
    /// The installation's data directory, when the test did not give one.
    _data: Option<tempfile::TempDir>,
}

impl Server {
    /// The app on `dir`, as a new installation (its key in a data
    /// directory of its own).
    pub fn new(dir: &Path) -> Server {
        let data = tempfile::tempdir().unwrap();
        let mut server = Server::with_data(dir, data.path());
        server._data = Some(data);
        server
    }

    /// The app on `dir`, as the installation whose data directory is
    /// `data` (where the key that seals its results is kept).
    pub fn with_data(dir: &Path, data: &Path) -> Server {
        let (router, queue, worker) = portsim::serve::app(
            dir,
            Policy {
                allow_remote: false,
            },
            data,
        )
        .unwrap();
        Server {
            router,
            queue,
            worker: Some(worker),
            _data: None,
        }
    }

    /// Sends `request`, with a loopback `Host` if it has none (as a
    /// browser or curl sends; the app refuses a request without one).
    pub async fn call(&self, mut request: Request<Body>) -> (StatusCode, HeaderMap, Vec<u8>) {
        if !request.headers().contains_key("host") {
            request
                .headers_mut()
                .insert("host", axum::http::HeaderValue::from_static("127.0.0.1"));
        }
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, headers, body.to_vec())
    }

    pub async fn get(&self, uri: &str) -> (StatusCode, Vec<u8>) {
        let (status, _, body) = self
            .call(Request::get(uri).body(Body::empty()).unwrap())
            .await;
        (status, body)
    }

    pub async fn post(&self, uri: &str, body: Value) -> (StatusCode, Value) {
        let request = Request::post(uri)
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        let (status, _, body) = self.call(request).await;
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    /// Polls job `id` until its state is final (or 30 s pass).
    pub async fn wait(&self, id: u64) -> Value {
        let start = Instant::now();
        loop {
            let (_, body) = self.get(&format!("/api/jobs/{id}")).await;
            let p: Value = serde_json::from_slice(&body).unwrap();
            let state = p["state"].as_str().unwrap().to_owned();
            if ["done", "cancelled", "failed"].contains(&state.as_str()) {
                return p;
            }
            assert!(start.elapsed() < Duration::from_secs(30), "job {id}: {p}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub fn stop(mut self) {
        self.queue.stop();
        if let Some(w) = self.worker.take() {
            w.join().unwrap();
        }
    }
}

fn text(body: &[u8]) -> String {
    String::from_utf8_lossy(body).into_owned()
}

#[tokio::test]
async fn pages_answer_with_the_security_headers() {
    let dir = workspace();
    let app = Server::new(dir.path());
    let (status, headers, body) = app
        .call(Request::get("/").body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
    let page = text(&body);
    assert!(page.contains("small.toml") && page.contains("two days, one stage"));
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.starts_with("default-src 'none'") && csp.contains("script-src 'self'"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(!page.contains("http://") && !page.contains("https://"));
    for uri in [
        "/edit?file=small.toml",
        "/run?file=small.toml",
        "/compare",
        "/history",
    ] {
        let (status, body) = app.get(uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert!(text(&body).contains("/static/app.js"), "{uri}");
    }
    assert_eq!(app.get("/static/app.js").await.0, StatusCode::OK);
    assert_eq!(app.get("/nothing/here").await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/jobs/99").await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/runs/notanid").await.0, StatusCode::NOT_FOUND);
    app.stop();
}

#[tokio::test]
async fn validation_gives_the_cli_diagnostics_at_their_line() {
    let dir = workspace();
    let app = Server::new(dir.path());
    // A typo on line 13, column 1: `lanse` for `lanes`.
    let typo = SMALL.replace("lanes = 1", "lanse = 1");
    let (status, body) = app
        .post(
            "/api/validate",
            json!({ "file": "small.toml", "text": typo }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["valid"], false);
    let d = body["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["message"].as_str().unwrap().contains("lanse"))
        .unwrap_or_else(|| panic!("{body}"));
    let line = typo.lines().position(|l| l.starts_with("lanse")).unwrap() + 1;
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(line as u64), Some(1))
    );
    assert_eq!(d["file"], "small.toml");
    // The same words as the command line's own loader.
    let cli = portsim::scenario::parse(&typo, Path::new("small.toml")).unwrap_err();
    let rendered: Vec<String> = cli.diagnostics().iter().map(|d| d.render()).collect();
    assert!(
        rendered.contains(&d["rendered"].as_str().unwrap().to_owned()),
        "{rendered:?}"
    );
    assert!(
        d["label"]
            .as_str()
            .unwrap()
            .contains("did you mean `lanes`"),
        "{d}"
    );
    let (_, fine) = app
        .post(
            "/api/validate",
            json!({ "file": "small.toml", "text": SMALL }),
        )
        .await;
    assert_eq!(fine, json!({ "valid": true, "diagnostics": [] }));
    // Validation never writes.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("small.toml")).unwrap(),
        SMALL
    );
    app.stop();
}

#[tokio::test]
async fn saving_writes_the_file_and_reports_its_mistakes() {
    let dir = workspace();
    let app = Server::new(dir.path());
    let (status, body) = app
        .post(
            "/api/save",
            json!({ "file": "new/port.toml", "text": SMALL }),
        )
        .await;
    // The folder `new/` does not exist: no file is created outside what is there.
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let broken = SMALL.replace("2d", "2 days please");
    let (status, body) = app
        .post("/api/save", json!({ "file": "fresh.toml", "text": broken }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["saved"], true);
    let line = broken
        .lines()
        .position(|l| l.starts_with("horizon"))
        .unwrap()
        + 1;
    assert_eq!(body["diagnostics"][0]["line"], json!(line), "{body}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("fresh.toml")).unwrap(),
        broken
    );
    let (status, listing) = app.get("/api/files").await;
    assert_eq!(status, StatusCode::OK);
    let files: Value = serde_json::from_slice(&listing).unwrap();
    let names: Vec<&str> = files["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["fresh.toml", "long.toml", "other.toml", "small.toml"]
    );
    app.stop();
}

/// Submits a job; returns the reply's status and body.
async fn submit(app: &Server, body: Value) -> (StatusCode, Value) {
    app.post("/api/jobs", body).await
}

#[tokio::test]
async fn a_run_matches_the_cli_and_is_served_again_from_the_ledger() {
    let dir = workspace();
    let app = Server::new(dir.path());
    let request = json!({ "kind": "run", "files": ["small.toml"], "seed": 5, "replications": 6 });
    let (status, body) = submit(&app, request.clone()).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let job = body["job"].as_u64().unwrap();
    let done = app.wait(job).await;
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(
        (done["done"].as_u64(), done["total"].as_u64()),
        (Some(6), Some(6))
    );
    assert!(done["half_width"].as_f64().unwrap() > 0.0, "{done}");
    let id = done["run_id"].as_str().unwrap().to_owned();
    // The event stream of a finished job: its final state, then the end.
    let (status, headers, events) = app
        .call(
            Request::get(format!("/api/jobs/{job}/events"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/event-stream");
    let events = text(&events);
    assert_eq!(events.matches("event: progress").count(), 1, "{events}");
    let data: Value = serde_json::from_str(
        events
            .lines()
            .find_map(|l| l.strip_prefix("data: "))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        (data["state"].as_str(), data["done"].as_u64()),
        (Some("done"), Some(6))
    );
    // The same request again: answered from the ledger, no new job.
    let (status, again) = submit(&app, request).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(
        (again["stored"].as_bool(), again["run_id"].as_str()),
        (Some(true), Some(id.as_str()))
    );
    assert_eq!(
        app.get(&format!("/api/jobs/{}", job + 1)).await.0,
        StatusCode::NOT_FOUND
    );
    // The command line computes the same id and the same numbers.
    let cli = assert_cmd::Command::cargo_bin("portsim")
        .unwrap()
        .args([
            "run",
            "small.toml",
            "--seed",
            "5",
            "--replications",
            "6",
            "--format",
            "json",
            "-q",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(cli.status.success(), "{}", text(&cli.stderr));
    let cli: Value = serde_json::from_slice(&cli.stdout).unwrap();
    let (status, stored) = app.get(&format!("/runs/{id}/results.json")).await;
    assert_eq!(status, StatusCode::OK);
    let stored: Value = serde_json::from_slice(&stored).unwrap();
    assert_eq!(cli["manifest"]["run_id"], json!(id));
    assert_eq!(cli["metrics"], stored["metrics"]);
    // Downloads and the report page.
    let (status, csv) = app.get(&format!("/runs/{id}/results.csv")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text(&csv).contains("time_in_port_s"));
    let (status, page) = app.get(&format!("/runs/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        text(&page).contains("portsim simulation report") && text(&page).contains("results.csv")
    );
    let (_, history) = app.get("/api/history").await;
    let history: Value = serde_json::from_slice(&history).unwrap();
    assert_eq!(history["runs"][0]["id"], json!(id));
    assert!(
        dir.path()
            .join(".portsim/ledger")
            .join(&id)
            .join("record.json")
            .is_file()
    );
    app.stop();
}

#[tokio::test]
async fn a_comparison_pairs_the_sides_and_lands_in_the_ledger() {
    let dir = workspace();
    let app = Server::new(dir.path());
    let (status, body) = submit(
        &app,
        json!({ "kind": "compare", "files": ["small.toml", "other.toml"], "replications": 4 }),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let done = app.wait(body["job"].as_u64().unwrap()).await;
    assert_eq!(done["state"], "done", "{done}");
    let id = done["run_id"].as_str().unwrap();
    let (_, json) = app.get(&format!("/runs/{id}/results.json")).await;
    let json: Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(json["replications"], 4);
    // A second lane cuts the wait: the paired change is negative.
    assert!(
        json["metrics"]["wait_s"]["change"]["mean"]
            .as_f64()
            .unwrap()
            < 0.0,
        "{json}"
    );
    let (_, page) = app.get(&format!("/runs/{id}")).await;
    assert!(text(&page).contains("portsim comparison report"));
    let (status, _) = submit(&app, json!({ "kind": "compare", "files": ["small.toml"] })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    app.stop();
}

#[tokio::test]
async fn a_cancelled_run_stops_and_stores_nothing() {
    let dir = workspace();
    let app = Server::new(dir.path());
    let (status, body) = submit(&app, json!({ "kind": "run", "files": ["long.toml"] })).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let job = body["job"].as_u64().unwrap();
    let start = Instant::now();
    loop {
        let (_, p) = app.get(&format!("/api/jobs/{job}")).await;
        let p: Value = serde_json::from_slice(&p).unwrap();
        if p["state"] == "running" {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "{p}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let (status, _) = app
        .post(&format!("/api/jobs/{job}/cancel"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let cancelled_at = Instant::now();
    let end = app.wait(job).await;
    assert_eq!(end["state"], "cancelled", "{end}");
    assert!(cancelled_at.elapsed() < Duration::from_secs(5));
    assert!((end["done"].as_u64().unwrap()) < 50);
    let (_, history) = app.get("/api/history").await;
    assert_eq!(
        serde_json::from_slice::<Value>(&history).unwrap()["runs"],
        json!([])
    );
    assert_eq!(
        app.post("/api/jobs/999/cancel", json!({})).await.0,
        StatusCode::NOT_FOUND
    );
    app.stop();
}

#[tokio::test]
async fn limits_are_the_cli_limits() {
    let dir = workspace();
    let app = Server::new(dir.path());
    let (status, body) = submit(
        &app,
        json!({ "kind": "run", "files": ["small.toml"], "replications": 100_001 }),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("100001 replications is more than the limit of 100000"),
        "{body}"
    );
    let (status, body) = submit(
        &app,
        json!({ "kind": "run", "files": ["small.toml"], "replications": 0 }),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("at least 1 replication"),
        "{body}"
    );
    // A horizon over the limit is located in the file, as on the command line.
    std::fs::write(
        dir.path().join("huge.toml"),
        SMALL.replace("\"2d\"", "\"50000d\""),
    )
    .unwrap();
    let (status, body) = submit(&app, json!({ "kind": "run", "files": ["huge.toml"] })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["diagnostics"][0]["line"], 3, "{body}");
    assert!(
        body["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .contains("more than the limit")
    );
    let (status, _) = submit(&app, json!({ "kind": "sweep", "files": ["small.toml"] })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    app.stop();
}

#[tokio::test]
async fn no_path_leaves_the_workspace() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.toml"), "name = \"TOPSECRET\"\n").unwrap();
    let dir = workspace();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(
            outside.path().join("secret.toml"),
            dir.path().join("link.toml"),
        )
        .unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("out")).unwrap();
    }
    let app = Server::new(dir.path());
    for uri in [
        "/api/files/../../etc/passwd",
        "/api/files/..%2F..%2Fetc%2Fpasswd",
        "/api/files/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/api/files/%2Fetc%2Fpasswd",
        "/api/files/.portsim/x.toml",
        "/api/files/small.txt",
        "/edit?file=../../etc/passwd",
        "/edit?file=%2e%2e%2fsmall.toml",
        "/edit?file=/etc/passwd",
        "/run?file=..%2Fsmall.toml",
        "/api/files/link.toml",
        "/api/files/out/secret.toml",
        "/edit?file=link.toml",
    ] {
        let (status, body) = app.get(uri).await;
        assert!(
            status == StatusCode::BAD_REQUEST || status == StatusCode::NOT_FOUND,
            "{uri}: {status} {}",
            text(&body)
        );
        assert!(!text(&body).contains("TOPSECRET"), "{uri}");
        assert!(!text(&body).contains("root:"), "{uri}");
    }
    for file in [
        "../escape.toml",
        "/tmp/escape.toml",
        "link.toml",
        "out/secret.toml",
    ] {
        let (status, body) = app
            .post("/api/save", json!({ "file": file, "text": "x = 1" }))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{file}: {body}");
    }
    assert_eq!(
        std::fs::read_to_string(outside.path().join("secret.toml")).unwrap(),
        "name = \"TOPSECRET\"\n"
    );
    assert!(!dir.path().parent().unwrap().join("escape.toml").exists());
    // `extends` is confined too, through `..` and through a link.
    for base in ["../secret.toml", "out/secret.toml", "/etc/passwd.toml"] {
        let text = format!("extends = \"{base}\"\n{SMALL}");
        let (status, body) = app
            .post(
                "/api/validate",
                json!({ "file": "small.toml", "text": text }),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let d = &body["diagnostics"][0];
        assert_eq!(
            (d["line"].as_u64(), d["column"].as_u64()),
            (Some(1), Some(11)),
            "{body}"
        );
        assert!(
            d["message"]
                .as_str()
                .unwrap()
                .contains("inside the workspace"),
            "{body}"
        );
        assert!(!body.to_string().contains("TOPSECRET"), "{body}");
    }
    // A base inside the workspace is fine.
    let text = "extends = \"other.toml\"\nname = \"child\"\n";
    let (_, body) = app
        .post(
            "/api/validate",
            json!({ "file": "child.toml", "text": text }),
        )
        .await;
    assert_eq!(body["valid"], true, "{body}");
    app.stop();
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    let dir = workspace();
    let app = Server::new(dir.path());
    let huge = "#".repeat(portsim::scenario::limits::MAX_REQUEST_BYTES + 10);
    let (status, _) = app
        .post(
            "/api/validate",
            json!({ "file": "small.toml", "text": huge }),
        )
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    // Within the body limit but over the scenario file limit.
    let big = "#".repeat(portsim::scenario::limits::MAX_FILE_BYTES as usize + 1);
    let (status, body) = app
        .post("/api/save", json!({ "file": "small.toml", "text": big }))
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(body["error"].as_str().unwrap().contains("limit"), "{body}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("small.toml")).unwrap(),
        SMALL
    );
    let request = Request::post("/api/validate")
        .header("content-type", "application/json")
        .body(Body::from("{not json"))
        .unwrap();
    let (status, _, _) = app.call(request).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    app.stop();
}

#[tokio::test]
async fn cross_origin_writes_and_foreign_hosts_are_403() {
    let dir = workspace();
    let app = Server::new(dir.path());
    let body = json!({ "file": "small.toml", "text": "x = 1" }).to_string();
    let save = |headers: &[(&str, &str)]| {
        let mut r = Request::post("/api/save").header("content-type", "application/json");
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        r.body(Body::from(body.clone())).unwrap()
    };
    for headers in [
        &[
            ("host", "127.0.0.1:8080"),
            ("origin", "https://evil.example"),
        ][..],
        &[("host", "127.0.0.1:8080"), ("origin", "null")][..],
        &[("host", "127.0.0.1:8080"), ("sec-fetch-site", "cross-site")][..],
        &[("host", "127.0.0.1:8080"), ("sec-fetch-site", "same-site")][..],
        &[("host", "evil.example"), ("origin", "http://evil.example")][..],
    ] {
        let (status, _, _) = app.call(save(headers)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{headers:?}");
    }
    assert_eq!(
        std::fs::read_to_string(dir.path().join("small.toml")).unwrap(),
        SMALL
    );
    let (status, _, _) = app
        .call(save(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:8080"),
            ("sec-fetch-site", "same-origin"),
        ]))
        .await;
    assert_eq!(status, StatusCode::OK);
    // DNS rebinding: a page of another name that resolves here.
    let (status, _, _) = app
        .call(
            Request::get("/")
                .header("host", "rebind.example:8080")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    app.stop();
}

#[tokio::test]
async fn a_full_queue_says_429() {
    let dir = workspace();
    let app = Server::new(dir.path());
    let max = portsim::scenario::limits::MAX_QUEUED_RUNS as u64;
    let mut accepted = 0;
    let mut refused = None;
    // One running plus `max` waiting, then one too many.
    for seed in 0..max + 3 {
        let (status, body) = submit(
            &app,
            json!({ "kind": "run", "files": ["long.toml"], "seed": seed }),
        )
        .await;
        match status {
            StatusCode::ACCEPTED => accepted += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                refused = Some(body);
                break;
            }
            other => panic!("{other}: {body}"),
        }
        if seed == 0 {
            app.wait_running(1).await;
        }
    }
    assert_eq!(accepted, max + 1);
    let refused = refused.unwrap();
    assert!(
        refused["error"].as_str().unwrap().contains("queue is full"),
        "{refused}"
    );
    // The same run as one waiting joins it instead of queueing again.
    let (status, body) = submit(
        &app,
        json!({ "kind": "run", "files": ["long.toml"], "seed": 3 }),
    )
    .await;
    assert_eq!(
        (status, body["job"].as_u64()),
        (StatusCode::ACCEPTED, Some(4))
    );
    app.stop();
}

impl Server {
    /// Waits until job `id` is running.
    pub async fn wait_running(&self, id: u64) {
        let start = Instant::now();
        loop {
            let (_, p) = self.get(&format!("/api/jobs/{id}")).await;
            let p: Value = serde_json::from_slice(&p).unwrap();
            if p["state"] != "queued" {
                return;
            }
            assert!(start.elapsed() < Duration::from_secs(10), "{p}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

#[test]
fn the_command_refuses_other_addresses_and_missing_workspaces() {
    let out = assert_cmd::Command::cargo_bin("portsim")
        .unwrap()
        .args(["serve", "--addr", "0.0.0.0:0", "--workspace", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--allow-remote"),
        "{}",
        text(&out.stderr)
    );
    let out = assert_cmd::Command::cargo_bin("portsim")
        .unwrap()
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--workspace",
            "/no/such/folder",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("cannot open workspace"),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test]
async fn an_attribution_matches_the_cli_and_shares_the_change() {
    let dir = workspace();
    let patches = dir.path().join("interventions");
    std::fs::create_dir(&patches).unwrap();
    std::fs::write(
        patches.join("lanes.toml"),
        "extends = \"../small.toml\"\n[stages.inspection]\nlanes = 2\n",
    )
    .unwrap();
    std::fs::write(
        patches.join("faster.toml"),
        "extends = \"../small.toml\"\n[stages.inspection]\nservice = { dist = \"exponential\", mean = \"4m\" }\n",
    )
    .unwrap();
    let app = Server::new(dir.path());
    let files = [
        "small.toml",
        "interventions/lanes.toml",
        "interventions/faster.toml",
    ];
    let (status, body) = submit(
        &app,
        json!({ "kind": "attribute", "files": files, "seed": 3, "replications": 4 }),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let done = app.wait(body["job"].as_u64().unwrap()).await;
    assert_eq!(done["state"], "done", "{done}");
    let id = done["run_id"].as_str().unwrap().to_owned();
    let (_, stored) = app.get(&format!("/runs/{id}/results.json")).await;
    let stored: Value = serde_json::from_slice(&stored).unwrap();
    // The command line runs the same factorial under the same id.
    let cli = assert_cmd::Command::cargo_bin("portsim")
        .unwrap()
        .args([
            "compare",
            "small.toml",
            "--intervention",
            files[1],
            "--intervention",
            files[2],
        ])
        .args([
            "--seed",
            "3",
            "--replications",
            "4",
            "--format",
            "json",
            "-q",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(cli.status.success(), "{}", text(&cli.stderr));
    let cli: Value = serde_json::from_slice(&cli.stdout).unwrap();
    assert_eq!(cli["manifest"]["run_id"], json!(id));
    assert_eq!(cli["metrics"], stored["metrics"]);
    assert_eq!(cli["attribution"], stored["attribution"]);
    let (status, terms) = app.get(&format!("/runs/{id}/attribution.csv")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text(&terms).contains("lanes") && text(&terms).contains("faster"));
    let (_, page) = app.get(&format!("/runs/{id}")).await;
    let page = text(&page);
    assert!(page.contains("portsim attribution report") && page.contains("attribution.csv"));
    // An intervention outside the workspace is refused before anything runs.
    let (status, _) = submit(
        &app,
        json!({ "kind": "attribute", "files": ["small.toml", "../lanes.toml"] }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(app.get("/attribute").await.0, StatusCode::OK);
    app.stop();
}

/// A sweep of `small.toml`'s lanes, kept in `studies/`.
const SWEEP: &str = "scenario = \"../small.toml\"\nreplications = 3\n\n[[factors]]\nkey = \"stages.inspection.lanes\"\nvalues = [1, 2]\n";

/// A sensitivity of `small.toml` to its demand and its service time.
const SENSITIVITY: &str = "scenario = \"../small.toml\"\nmetric = \"time_in_port_s\"\nreplications = 3\n\n[[parameters]]\nkey = \"demand.rate\"\nlow = \"150/d\"\nhigh = \"250/d\"\n\n[[parameters]]\nkey = \"stages.inspection.service.mean\"\nlow = \"4m\"\nhigh = \"6m\"\n";

/// A plan of `small.toml`'s lanes under a bound on the time in port.
const PLAN: &str = "scenario = \"../small.toml\"\nreplications = 4\nmax_replications = 16\n\n[[decide]]\nkey = \"stages.inspection.lanes\"\nmin = 1\nmax = 3\ncost = 1\n\n[[require]]\nmetric = \"time_in_port_s\"\nmax = \"20m\"\n";

/// The document without what depends on the clock and the machine.
fn untimed(mut doc: Value) -> Value {
    if let Some(m) = doc["manifest"].as_object_mut() {
        for key in ["wall_time_s", "threads"] {
            m.remove(key);
        }
    }
    doc
}

/// Runs study `file` of the app and `portsim COMMAND FILE --format json`
/// with the same replications; both documents, and the stored record.
async fn study_and_cli(
    app: &Server,
    dir: &Path,
    command: &str,
    file: &str,
) -> (Value, Value, Value) {
    let (status, body) = submit(
        app,
        json!({ "kind": command, "files": [file], "replications": 3 }),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let done = app.wait(body["job"].as_u64().unwrap()).await;
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(done["done"], done["total"], "{done}");
    let id = done["run_id"].as_str().unwrap().to_owned();
    let (status, stored) = app.get(&format!("/runs/{id}/results.json")).await;
    assert_eq!(status, StatusCode::OK);
    let stored: Value = serde_json::from_slice(&stored).unwrap();
    let root = std::fs::canonicalize(dir).unwrap();
    let cli = assert_cmd::Command::cargo_bin("portsim")
        .unwrap()
        .arg(command)
        .arg(root.join(file))
        .args(["--replications", "3", "--format", "json", "-q"])
        .output()
        .unwrap();
    assert!(cli.status.success(), "{}", text(&cli.stderr));
    let cli: Value = serde_json::from_slice(&cli.stdout).unwrap();
    assert_eq!(cli["manifest"]["run_id"], json!(id), "the CLI's key");
    (untimed(stored), untimed(cli), done)
}

#[tokio::test]
async fn a_sweep_and_a_sensitivity_match_the_cli() {
    let dir = workspace();
    std::fs::create_dir(dir.path().join("studies")).unwrap();
    std::fs::write(dir.path().join("studies/lanes.toml"), SWEEP).unwrap();
    std::fs::write(dir.path().join("studies/gain.toml"), SENSITIVITY).unwrap();
    let app = Server::new(dir.path());
    // Listed as studies, told apart from scenarios.
    let (_, files) = app.get("/api/files").await;
    let files: Value = serde_json::from_slice(&files).unwrap();
    let kind = |name: &str| {
        files["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == name)
            .map(|e| e["study"].clone())
    };
    assert_eq!(kind("studies/lanes.toml"), Some(json!("sweep")));
    assert_eq!(kind("studies/gain.toml"), Some(json!("sensitivity")));
    assert_eq!(kind("small.toml"), Some(Value::Null));
    let (_, index) = app.get("/").await;
    assert!(
        text(&index).contains("/study?file=studies/lanes.toml"),
        "{}",
        text(&index)
    );
    let (status, page) = app.get("/study?file=studies/lanes.toml").await;
    assert_eq!(status, StatusCode::OK);
    assert!(text(&page).contains("data-kind=\"sweep\"") && text(&page).contains("2 points"));

    let (stored, cli, done) = study_and_cli(&app, dir.path(), "sweep", "studies/lanes.toml").await;
    assert_eq!(stored, cli);
    assert_eq!(
        (done["points"].as_u64(), done["points_total"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(done["total"], 6, "2 points of 3 replications");
    let id = done["run_id"].as_str().unwrap();
    let (status, rows) = app.get(&format!("/runs/{id}/results.csv")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text(&rows).lines().count() >= 3, "{}", text(&rows));
    let (_, page) = app.get(&format!("/runs/{id}")).await;
    assert!(text(&page).contains("results.csv") && text(&page).contains("sweep"));
    let (_, index) = app.get("/").await;
    assert!(
        text(&index).contains(&format!("/runs/{id}")),
        "the workspace links the last result"
    );

    let (stored, cli, done) =
        study_and_cli(&app, dir.path(), "sensitivity", "studies/gain.toml").await;
    assert_eq!(stored, cli);
    assert_eq!(done["points_total"], done["points"]);
    let id = done["run_id"].as_str().unwrap();
    let (_, page) = app.get(&format!("/runs/{id}")).await;
    assert!(
        !text(&page).contains("results.csv"),
        "no CSV for a sensitivity"
    );
    // Asked again: the ledger answers.
    let (status, again) = submit(
        &app,
        json!({ "kind": "sensitivity", "files": ["studies/gain.toml"], "replications": 3 }),
    )
    .await;
    assert_eq!(
        (status, again["run_id"].as_str()),
        (StatusCode::OK, Some(id))
    );
    app.stop();
}

#[tokio::test]
async fn a_plan_matches_the_cli() {
    let dir = workspace();
    std::fs::create_dir(dir.path().join("studies")).unwrap();
    std::fs::write(dir.path().join("studies/plan.toml"), PLAN).unwrap();
    let app = Server::new(dir.path());
    let (stored, cli, done) = study_and_cli(&app, dir.path(), "plan", "studies/plan.toml").await;
    assert_eq!(stored, cli);
    assert!(done["points"].as_u64().unwrap() >= 1, "{done}");
    assert_eq!(
        done["points_total"],
        Value::Null,
        "a plan's looks are not known ahead"
    );
    app.stop();
}

#[tokio::test]
async fn a_study_cannot_leave_the_workspace() {
    let outer = tempfile::tempdir().unwrap();
    std::fs::write(outer.path().join("outside.toml"), SMALL).unwrap();
    let ws = outer.path().join("ws");
    std::fs::create_dir(&ws).unwrap();
    std::fs::write(ws.join("small.toml"), SMALL).unwrap();
    std::fs::write(
        ws.join("escape.toml"),
        SWEEP.replace("../small.toml", "../outside.toml"),
    )
    .unwrap();
    std::fs::write(
        ws.join("absolute.toml"),
        SWEEP.replace(
            "../small.toml",
            &outer.path().join("outside.toml").display().to_string(),
        ),
    )
    .unwrap();
    std::fs::write(ws.join("base.toml"), "extends = \"../outside.toml\"\n").unwrap();
    std::fs::write(
        ws.join("chain.toml"),
        SWEEP.replace("../small.toml", "base.toml"),
    )
    .unwrap();
    let app = Server::new(&ws);
    for file in ["escape.toml", "absolute.toml", "chain.toml"] {
        let (status, body) = submit(&app, json!({ "kind": "sweep", "files": [file] })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{file}: {body}");
        let all = body.to_string();
        assert!(all.contains("outside"), "{file}: {all}");
        assert!(app.queue.load() == (0, false), "nothing queued");
    }
    // The editor says the same, at the line of `scenario`.
    let (status, body) = app
        .post(
            "/api/validate",
            json!({ "file": "escape.toml", "text": SWEEP.replace("../small.toml", "../outside.toml") }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["valid"], false, "{body}");
    assert_eq!(body["diagnostics"][0]["line"], 1, "{body}");
    assert!(
        body["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .contains("inside the workspace")
    );
    // A study file's mistakes are the CLI's, located in the study file.
    let (_, body) = app
        .post(
            "/api/validate",
            json!({ "file": "s.toml", "text": "scenario = \"small.toml\"\n[[factors]]\nkey = \"stages.inspection.lanes\"\nvalus = [1]\n" }),
        )
        .await;
    assert_eq!(body["valid"], false, "{body}");
    let at = |line: u64| {
        body["diagnostics"]
            .as_array()
            .is_some_and(|list| list.iter().any(|d| d["line"] == line))
    };
    // The misspelt key, and (all at once, issue 28) what it leaves out.
    assert!(at(4) && at(3), "{body}");
    let (status, _) = app.get("/study?file=escape.toml").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    app.stop();
}

#[test]
fn allow_remote_warns_and_serves_on_every_interface() {
    use std::io::{BufRead, BufReader, Read, Write};
    let dir = workspace();
    let data = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("portsim"))
        .args([
            "serve",
            "--addr",
            "0.0.0.0:0",
            "--allow-remote",
            "--workspace",
        ])
        .arg(dir.path())
        .env("PORTSIM_DATA_DIR", data.path())
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    let port = loop {
        let Ok(line) = rx.recv_timeout(Duration::from_secs(20)) else {
            let _ = child.kill();
            panic!("no address printed; stderr so far: {lines:?}");
        };
        if let Some(rest) = line.strip_prefix("portsim serve: http://0.0.0.0:") {
            break rest.split('/').next().unwrap().parse::<u16>().unwrap();
        }
        lines.push(line);
    };
    assert!(
        lines.iter().any(
            |l| l.starts_with("warning: listening on 0.0.0.0:0, beyond this machine")
                && l.contains("no login")
        ),
        "{lines:?}"
    );
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "GET /api/files HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(reply.contains("small.toml"), "{reply}");
}

#[tokio::test]
async fn a_cancelled_study_stops_and_stores_nothing() {
    let dir = workspace();
    std::fs::write(
        dir.path().join("long-sweep.toml"),
        "scenario = \"long.toml\"\n\n[[factors]]\nkey = \"stages.inspection.lanes\"\nvalues = [3, 4]\n",
    )
    .unwrap();
    let app = Server::new(dir.path());
    let (_, editor) = app.get("/edit?file=long-sweep.toml").await;
    assert!(
        text(&editor).contains("/study?file=long-sweep.toml"),
        "the editor starts the study"
    );
    let (status, body) = submit(
        &app,
        json!({ "kind": "sweep", "files": ["long-sweep.toml"] }),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(
        body["progress"]["total"], 100,
        "2 points of 50 replications"
    );
    let job = body["job"].as_u64().unwrap();
    app.wait_running(job).await;
    let started = Instant::now();
    assert_eq!(
        app.post(&format!("/api/jobs/{job}/cancel"), json!({}))
            .await
            .0,
        StatusCode::OK
    );
    let end = app.wait(job).await;
    assert_eq!(end["state"], "cancelled", "{end}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "stopped within moments"
    );
    assert!(end["done"].as_u64().unwrap() < 100, "{end}");
    let (_, history) = app.get("/api/history").await;
    let history: Value = serde_json::from_slice(&history).unwrap();
    assert_eq!(history["runs"], json!([]), "nothing stored");
    app.stop();
}
