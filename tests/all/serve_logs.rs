//! The web app's event logs (issue 26 §6, issue 27 §4): uploaded,
//! listed, viewed and downloaded as workspace files; calibrated into a
//! scenario saved beside them; forecast from with a backtest.
//!
//! Why: a log is the largest thing a user sends the app, so its upload
//! must be streamed (memory does not grow with it), bounded by its own
//! limit, and written so that nothing half-written or over a link ever
//! appears under its name; and the pages must say exactly what the
//! command line says for the same log, so the answers are compared with
//! `portsim calibrate` and `portsim forecast` run in the workspace
//! (independent processes), byte for byte.

#![allow(
    clippy::unwrap_used,
    reason = "the helpers are part of the tests: a panic is how a test fails"
)]

use std::path::Path;
use std::process::Command;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use portsim::scenario::limits::MAX_LOG_UPLOAD_BYTES;
use serde_json::{Value, json};

use super::serve::{Server, workspace};

/// The sample log of `scenarios/logs/`.
fn sample_log() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/logs/example-port.csv"))
        .unwrap()
}

/// `POST /api/logs/NAME` with `bytes` as the body.
async fn upload(app: &Server, name: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let request = Request::post(format!("/api/logs/{name}"))
        .header("content-type", "text/csv")
        .body(Body::from(bytes))
        .unwrap();
    let (status, _, body) = app.call(request).await;
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

/// Names in `dir`, hidden ones included (a temporary would be hidden).
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".portsim")
        .collect();
    v.sort();
    v
}

/// `portsim ARGS` run in `dir`: its standard output.
fn portsim_in(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new(assert_cmd::cargo::cargo_bin("portsim"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[tokio::test]
async fn an_uploaded_log_is_listed_viewed_and_served_as_sent() {
    let dir = workspace();
    let app = Server::new(dir.path());
    let log = sample_log();
    let (status, body) = upload(&app, "port.csv", log.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body, json!({ "name": "port.csv", "bytes": log.len() }));
    assert_eq!(std::fs::read(dir.path().join("port.csv")).unwrap(), log);
    let (_, listed) = app.get("/api/logs").await;
    let listed: Value = serde_json::from_slice(&listed).unwrap();
    assert_eq!(
        listed,
        json!({ "logs": [{ "name": "port.csv", "bytes": log.len() }] })
    );
    let (status, raw) = app.get("/logs/raw?file=port.csv").await;
    assert_eq!((status, raw == log), (StatusCode::OK, true));
    // The page counts the rows after the header and shows the first.
    let rows = log.iter().filter(|&&b| b == b'\n').count() - 1;
    let (status, page) = app.get("/logs/view?file=port.csv").await;
    let page = String::from_utf8(page).unwrap();
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(&format!("{rows} rows after the header")),
        "{page}"
    );
    assert!(page.contains("T265,2025-03-03 00:19,arrive,"), "{page}");
    // The workspace lists it with its size and its pages.
    let (_, index) = app.get("/").await;
    let index = String::from_utf8(index).unwrap();
    assert!(index.contains("data-log=\"port.csv\""), "{index}");
    assert!(index.contains("/calibrate?log=port.csv") && index.contains("/now?log=port.csv"));
    assert!(index.contains("252.9 kB"), "{index}");
    // A map beside it is a log map, not a broken scenario, and the
    // calibrate page offers it.
    std::fs::write(
        dir.path().join("map.toml"),
        "[columns]\ntruck = \"VEHICLE\"\n",
    )
    .unwrap();
    let (_, index) = app.get("/").await;
    let index = String::from_utf8(index).unwrap();
    assert!(
        index.contains("<span class=\"map\">log map</span>"),
        "{index}"
    );
    let (_, page) = app.get("/calibrate?log=port.csv").await;
    assert!(
        String::from_utf8(page)
            .unwrap()
            .contains("<option value=\"map.toml\">")
    );
    std::fs::remove_file(dir.path().join("map.toml")).unwrap();
    // A second upload under the name is refused unless asked to replace.
    let (status, body) = upload(&app, "port.csv", b"truck,time,event,stage\n".to_vec()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["error"].as_str().unwrap().contains("already exists"));
    assert_eq!(std::fs::read(dir.path().join("port.csv")).unwrap(), log);
    let (status, _) = upload(&app, "port.csv?overwrite=true", b"new\n".to_vec()).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        std::fs::read(dir.path().join("port.csv")).unwrap(),
        b"new\n"
    );
    assert_eq!(
        names(dir.path()),
        ["long.toml", "other.toml", "port.csv", "small.toml"]
    );
    app.stop();
}

#[tokio::test]
async fn bad_names_links_and_oversized_uploads_are_refused_and_leave_nothing() {
    let dir = workspace();
    let app = Server::new(dir.path());
    let before = names(dir.path());
    for bad in [
        "log.txt",
        "%2e%2e/escape.csv",
        "..%2fescape.csv",
        ".hidden.csv",
        "a%20b.csv",
        "sub/.csv",
        "small.toml",
    ] {
        let (status, body) = upload(&app, bad, b"x".to_vec()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
    // A link at the name is never written through, even to replace.
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim.csv");
    std::fs::write(&victim, b"precious").unwrap();
    std::os::unix::fs::symlink(&victim, dir.path().join("link.csv")).unwrap();
    for query in ["", "?overwrite=true"] {
        let (status, body) = upload(&app, &format!("link.csv{query}"), b"x".to_vec()).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(
            body["error"].as_str().unwrap().contains("symbolic link"),
            "{body}"
        );
    }
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
    // A body declared over the limit is refused before it is read.
    let request = Request::post("/api/logs/big.csv")
        .header("content-length", (MAX_LOG_UPLOAD_BYTES + 1).to_string())
        .body(Body::from("x"))
        .unwrap();
    let (status, _, body) = app.call(request).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(String::from_utf8_lossy(&body).contains("upload limit"));
    std::fs::remove_file(dir.path().join("link.csv")).unwrap();
    assert_eq!(names(dir.path()), before);
    app.stop();
}

/// The peak resident memory of process `pid`, in KiB.
fn peak_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn an_upload_is_streamed_to_disk_and_one_past_the_limit_leaves_nothing() {
    use std::io::{BufRead, BufReader, Read, Write};
    let dir = workspace();
    let data = tempfile::tempdir().unwrap();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("portsim"))
        .args(["serve", "--addr", "127.0.0.1:0", "--workspace"])
        .arg(dir.path())
        .env("PORTSIM_DATA_DIR", data.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().unwrap().unwrap();
        if let Some(rest) = line.strip_prefix("portsim serve: http://") {
            break rest.split('/').next().unwrap().to_owned();
        }
    };
    // A chunked body (no length told in advance) one MiB past the limit,
    // sent through the accept loop `portsim serve` runs.
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        stream,
        "POST /api/logs/big.csv HTTP/1.1\r\nHost: {addr}\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    .unwrap();
    let piece = vec![b'x'; 1 << 20];
    let mut sent: u64 = 0;
    while sent <= MAX_LOG_UPLOAD_BYTES {
        write!(stream, "{:x}\r\n", piece.len()).unwrap();
        if stream.write_all(&piece).is_err() || stream.write_all(b"\r\n").is_err() {
            break;
        }
        sent += piece.len() as u64;
    }
    let _ = stream.write_all(b"0\r\n\r\n");
    let mut reply = String::new();
    let _ = stream.read_to_string(&mut reply);
    let peak = peak_kib(child.id());
    let _ = child.kill();
    let _ = child.wait();
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");
    assert!(reply.contains("nothing was stored"), "{reply}");
    // Holding the body would take more than 256 MiB; streamed, the server
    // holds a few pieces of it at a time.
    assert!(
        peak < 96 << 10,
        "peak memory {peak} KiB for an upload of {sent} bytes"
    );
    assert_eq!(names(dir.path()), ["long.toml", "other.toml", "small.toml"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_calibration_is_the_command_line_s_and_its_scenario_saves_and_validates() {
    let dir = workspace();
    std::fs::write(dir.path().join("port.csv"), sample_log()).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/logs/bad-event.csv"),
        dir.path().join("bad.csv"),
    )
    .unwrap();
    let app = Server::new(dir.path());
    let (status, page) = app.get("/calibrate?log=port.csv").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        String::from_utf8(page)
            .unwrap()
            .contains("calibrated-port.toml")
    );
    let asked = json!({ "log": "port.csv", "replications": 4, "seed": 3 });
    let (status, body) = app.post("/api/calibrate", asked.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let cli = portsim_in(
        dir.path(),
        &[
            "calibrate",
            "port.csv",
            "-r",
            "4",
            "--seed",
            "3",
            "--format",
            "json",
        ],
    );
    let cli: Value = serde_json::from_slice(&cli).unwrap();
    assert_eq!(body["calibration"], cli);
    let table = portsim_in(
        dir.path(),
        &["calibrate", "port.csv", "-r", "4", "--seed", "3"],
    );
    assert_eq!(body["table"].as_str().unwrap().as_bytes(), table.as_slice());
    // Saved, the scenario is the text `--scenario` writes.
    let save = |name: &str, overwrite: bool| {
        let mut s = asked.clone();
        s["name"] = json!(name);
        s["overwrite"] = json!(overwrite);
        s
    };
    let (status, saved) = app
        .post("/api/calibrate/save", save("cal.toml", false))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{saved}");
    assert_eq!(saved["edit"], "/edit?file=cal.toml");
    portsim_in(
        dir.path(),
        &[
            "calibrate",
            "port.csv",
            "-r",
            "4",
            "--seed",
            "3",
            "--scenario",
            "cli.toml",
        ],
    );
    let text = std::fs::read_to_string(dir.path().join("cal.toml")).unwrap();
    assert_eq!(
        text,
        std::fs::read_to_string(dir.path().join("cli.toml")).unwrap()
    );
    assert_eq!(body["scenario"], json!(text));
    // It opens in the editor and validates.
    let (status, _) = app.get("/edit?file=cal.toml").await;
    assert_eq!(status, StatusCode::OK);
    let (_, valid) = app
        .post("/api/validate", json!({ "file": "cal.toml", "text": text }))
        .await;
    assert_eq!(valid, json!({ "valid": true, "diagnostics": [] }));
    // Not over an existing file unless confirmed.
    std::fs::write(dir.path().join("mine.toml"), "# mine\n").unwrap();
    let (status, e) = app
        .post("/api/calibrate/save", save("mine.toml", false))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{e}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("mine.toml")).unwrap(),
        "# mine\n"
    );
    let (status, _) = app
        .post("/api/calibrate/save", save("mine.toml", true))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("mine.toml")).unwrap(),
        text
    );
    // A mistake in the log is shown with its row and column, not a 500.
    let (status, e) = app
        .post("/api/calibrate", json!({ "log": "bad.csv" }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let message = e["error"].as_str().unwrap();
    assert!(message.contains("`bad.csv`, row 3, column 3"), "{message}");
    assert!(message.contains("did you mean `start`?"), "{message}");
    assert!(
        !message.contains(&dir.path().display().to_string()),
        "{message}"
    );
    let (status, _) = app
        .post("/api/calibrate", json!({ "log": "none.csv" }))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .post("/api/calibrate", json!({ "log": "../x.csv" }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    app.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_now_page_forecasts_and_backtests_as_the_command_line() {
    let dir = workspace();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::write(dir.path().join("port.csv"), sample_log()).unwrap();
    std::fs::copy(
        root.join("scenarios/logs/example-port.toml"),
        dir.path().join("port.toml"),
    )
    .unwrap();
    let app = Server::new(dir.path());
    // The log's last row is at 2025-03-06 23:57: the page offers the
    // minute after it.
    let (status, page) = app.get("/now?log=port.csv&scenario=port.toml").await;
    let page = String::from_utf8(page).unwrap();
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("last row is at 2025-03-06T23:57"), "{page}");
    assert!(page.contains("value=\"2025-03-06T23:58\""), "{page}");
    let asked = json!({ "scenario": "port.toml", "log": "port.csv", "hours": 24, "replications": 30, "seed": 5 });
    let (status, body) = app.post("/api/now", asked).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["at"], "2025-03-06T23:58");
    let cli = portsim_in(
        dir.path(),
        &[
            "forecast",
            "port.toml",
            "--log",
            "port.csv",
            "--at",
            "2025-03-06T23:58",
            "-r",
            "30",
            "--seed",
            "5",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        body["forecast"],
        serde_json::from_slice::<Value>(&cli).unwrap()
    );
    // The default backtest: every 6 h, the last cut 24 h before the
    // forecast's time on a whole hour (2025-03-05T23:00), the first the
    // earliest on that grid at least 6 h after the log's first whole hour
    // (00:19 → 01:00 + 6 h = 07:00, so 11:00), as the log has less than
    // 7 days.
    let cuts = body["backtest"]["cuts"].as_array().unwrap();
    assert_eq!(cuts.first().unwrap(), "2025-03-03T11:00");
    assert_eq!(cuts.last().unwrap(), "2025-03-05T23:00");
    assert_eq!(cuts.len(), 11);
    let cli = portsim_in(
        dir.path(),
        &[
            "forecast",
            "port.toml",
            "--log",
            "port.csv",
            "--backtest",
            "2025-03-03T11:00..2025-03-05T23:00",
            "--every",
            "6h",
            "-r",
            "30",
            "--seed",
            "5",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        body["backtest"],
        serde_json::from_slice::<Value>(&cli).unwrap()
    );
    let html = body["html"].as_str().unwrap();
    assert!(html.contains("Trucks in port at each hour"), "{html}");
    assert!(html.contains("naive MAE"), "{html}");
    // A log with a mistake is 422 with its row, not a 500.
    std::fs::write(
        dir.path().join("bad.csv"),
        "truck,time,event,stage\nT1,2025-03-03 08:00,arive,\n",
    )
    .unwrap();
    let (status, e) = app
        .post(
            "/api/now",
            json!({ "scenario": "port.toml", "log": "bad.csv" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e["error"].as_str().unwrap().contains("row 2"), "{e}");
    app.stop();
}
