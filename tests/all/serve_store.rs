//! The web app's results store, `WORKSPACE/.portsim/ledger/`, against a
//! hostile workspace (issue 24, defects 1 and 2).
//!
//! Why: a workspace is often shared or cloned, and run ids are
//! predictable, so anything in `.portsim/` may have been planted. The app
//! used to follow a planted link when it stored a result (overwriting, or
//! creating, a file outside the workspace), serve any file a planted link
//! pointed at, return a planted entry's made-up numbers as a run's result,
//! and hang on a FIFO. Here every such plant is made and the app is used
//! as a person would: nothing outside the workspace changes, nothing
//! outside is served, an entry this installation did not write is run
//! again and replaced, and every request returns.

#![allow(
    clippy::unwrap_used,
    reason = "the helpers are part of the tests: a panic is how a test fails"
)]

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::time::Duration;

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::serve::{Server, workspace};

fn request() -> Value {
    json!({ "kind": "run", "files": ["small.toml"], "seed": 5, "replications": 6 })
}

/// The run id of [`request`], as the command line computes it.
fn run_id(dir: &Path) -> String {
    let out = assert_cmd::Command::cargo_bin("portsim")
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
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success());
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["manifest"]["run_id"].as_str().unwrap().to_owned()
}

/// Submits [`request`]: the reply's status, and the final state of the job
/// it started (or the reply itself when it was answered from the ledger).
async fn submit(app: &Server) -> (StatusCode, Value) {
    let (status, body) = app.post("/api/jobs", request()).await;
    if status == StatusCode::ACCEPTED {
        let done = app.wait(body["job"].as_u64().unwrap()).await;
        return (status, done);
    }
    (status, body)
}

fn entry(dir: &Path, id: &str) -> PathBuf {
    dir.join(".portsim/ledger").join(id)
}

/// Every file under `dir` with its bytes (links as their target's name).
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let path = e.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                stack.push(path);
            } else if meta.file_type().is_symlink() {
                let to = std::fs::read_link(&path).unwrap();
                out.push((path, to.into_os_string().into_encoded_bytes()));
            } else {
                out.push((path.clone(), std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn links_planted_in_an_entry_never_lead_outside() {
    let dir = workspace();
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim.html");
    std::fs::write(&victim, "precious").unwrap();
    let id = run_id(dir.path());
    let e = entry(dir.path(), &id);
    std::fs::create_dir_all(&e).unwrap();
    symlink(&victim, e.join("report.html")).unwrap();
    symlink(outside.path().join("new.json"), e.join("results.json")).unwrap();
    symlink("/etc/passwd", e.join("results.csv")).unwrap();
    let app = Server::new(dir.path());
    let (status, done) = submit(&app).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{done}");
    assert_eq!(done["state"], "done", "{done}");
    let kept = std::fs::read_to_string(&victim).unwrap();
    assert!(kept == "precious", "the file outside was overwritten");
    assert!(
        !outside.path().join("new.json").exists(),
        "nothing created outside"
    );
    assert_eq!(
        snapshot(outside.path()).len(),
        1,
        "no temporary left outside"
    );
    for name in ["report.html", "results.json", "results.csv"] {
        let meta = std::fs::symlink_metadata(e.join(name)).unwrap();
        assert!(meta.is_file(), "{name} is now a regular file");
    }
    let (status, csv) = app.get(&format!("/runs/{id}/results.csv")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!String::from_utf8_lossy(&csv).contains("root:"));
    app.stop();
}

#[tokio::test]
async fn a_linked_store_folder_is_neither_read_nor_written() {
    let data = tempfile::tempdir().unwrap();
    let dir = workspace();
    let app = Server::with_data(dir.path(), data.path());
    let (status, done) = submit(&app).await;
    assert_eq!(
        (status, &done["state"]),
        (StatusCode::ACCEPTED, &json!("done"))
    );
    app.stop();
    // The store moved elsewhere and linked back: a trusted entry, but not
    // in the workspace any more.
    let elsewhere = tempfile::tempdir().unwrap();
    let store = elsewhere.path().join("store");
    std::fs::rename(dir.path().join(".portsim"), &store).unwrap();
    symlink(&store, dir.path().join(".portsim")).unwrap();
    let before = snapshot(elsewhere.path());
    let app = Server::with_data(dir.path(), data.path());
    let (status, done) = submit(&app).await;
    assert_eq!(
        status,
        StatusCode::ACCEPTED,
        "not answered from elsewhere: {done}"
    );
    assert_eq!(done["state"], "failed", "{done}");
    assert!(
        done["message"].as_str().unwrap().contains(".portsim"),
        "{done}"
    );
    let (status, history) = app.get("/api/history").await;
    assert_eq!(status, StatusCode::OK);
    let history: Value = serde_json::from_slice(&history).unwrap();
    assert_eq!(history["runs"], json!([]), "nothing read through the link");
    assert_eq!(snapshot(elsewhere.path()), before, "nothing written there");
    app.stop();
}

#[tokio::test]
async fn a_linked_or_altered_file_is_never_served() {
    let data = tempfile::tempdir().unwrap();
    let dir = workspace();
    let app = Server::with_data(dir.path(), data.path());
    let (_, done) = submit(&app).await;
    let id = done["run_id"].as_str().unwrap().to_owned();
    let e = entry(dir.path(), &id);
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "secret words").unwrap();
    std::fs::remove_file(e.join("results.json")).unwrap();
    symlink(outside.path().join("secret.txt"), e.join("results.json")).unwrap();
    std::fs::remove_file(e.join("results.csv")).unwrap();
    symlink("/etc/passwd", e.join("results.csv")).unwrap();
    for file in ["results.json", "results.csv"] {
        let (status, body) = app.get(&format!("/runs/{id}/{file}")).await;
        let body = String::from_utf8_lossy(&body);
        assert!(
            !body.contains("secret words") && !body.contains("root:"),
            "{file}"
        );
        assert_eq!(status, StatusCode::NOT_FOUND, "{file}");
    }
    // The entry is not trusted any more: asked again, it is run again.
    let (status, done) = submit(&app).await;
    assert_eq!(
        (status, &done["state"]),
        (StatusCode::ACCEPTED, &json!("done"))
    );
    let (status, body) = app.get(&format!("/runs/{id}/results.json")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!String::from_utf8_lossy(&body).contains("secret words"));
    assert!(
        std::fs::symlink_metadata(e.join("results.json"))
            .unwrap()
            .is_file()
    );
    app.stop();
}

#[tokio::test]
async fn a_planted_or_altered_entry_is_run_again_and_replaced() {
    let data = tempfile::tempdir().unwrap();
    let dir = workspace();
    let app = Server::with_data(dir.path(), data.path());
    let (_, done) = submit(&app).await;
    let id = done["run_id"].as_str().unwrap().to_owned();
    let e = entry(dir.path(), &id);
    let real: Value =
        serde_json::from_slice(&std::fs::read(e.join("results.json")).unwrap()).unwrap();
    // Made-up numbers in the stored result.
    let mut fake = real.clone();
    fake["metrics"]["throughput_per_day"]["mean"] = json!(12345.0);
    std::fs::write(e.join("results.json"), serde_json::to_vec(&fake).unwrap()).unwrap();
    let (status, done) = submit(&app).await;
    assert_eq!(
        status,
        StatusCode::ACCEPTED,
        "an altered entry is not returned: {done}"
    );
    assert_eq!(done["state"], "done");
    let (_, body) = app.get(&format!("/runs/{id}/results.json")).await;
    let back: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        back["metrics"], real["metrics"],
        "replaced by the real numbers"
    );
    app.stop();
    // The whole entry copied into another workspace, served by another
    // installation (another key): not trusted there.
    let other = workspace();
    let other_data = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(other.path().join(".portsim/ledger")).unwrap();
    let copy = entry(other.path(), &id);
    std::fs::create_dir(&copy).unwrap();
    for f in std::fs::read_dir(&e).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), copy.join(f.file_name())).unwrap();
    }
    let app = Server::with_data(other.path(), other_data.path());
    let (status, done) = submit(&app).await;
    assert_eq!(
        status,
        StatusCode::ACCEPTED,
        "planted from elsewhere: {done}"
    );
    assert_eq!(done["state"], "done");
    app.stop();
    // An entry written by hand under the right id.
    let hand = workspace();
    let planted = entry(hand.path(), &id);
    std::fs::create_dir_all(&planted).unwrap();
    let record = json!({
        "id": id, "kind": "run", "files": ["small.toml"], "names": ["small"],
        "seed": 5, "replications": 6, "stored_at": 1, "wall_time_s": 0.1,
        "headline": [["throughput", "99999"]]
    });
    std::fs::write(planted.join("record.json"), record.to_string()).unwrap();
    std::fs::write(
        planted.join("results.json"),
        serde_json::to_vec(&fake).unwrap(),
    )
    .unwrap();
    let app = Server::new(hand.path());
    let (_, history) = app.get("/api/history").await;
    let history: Value = serde_json::from_slice(&history).unwrap();
    assert_eq!(history["runs"], json!([]), "{history}");
    let (status, done) = submit(&app).await;
    assert_eq!(status, StatusCode::ACCEPTED, "written by hand: {done}");
    let (_, body) = app.get(&format!("/runs/{id}/results.json")).await;
    let back: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(back["metrics"], real["metrics"]);
    app.stop();
}

/// Opens the FIFO at `path` for writing, so that a reader blocked on it
/// goes on (the test then fails instead of hanging the suite). Without a
/// reader, the open fails at once (`O_NONBLOCK`).
fn unblock(path: &Path) {
    use std::os::unix::fs::OpenOptionsExt;
    let _ = std::fs::OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path);
}

#[tokio::test]
async fn a_fifo_in_the_ledger_does_not_hang_the_history() {
    let dir = workspace();
    let e = entry(dir.path(), &"f".repeat(64));
    std::fs::create_dir_all(&e).unwrap();
    let fifo = e.join("record.json");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let app = Server::new(dir.path());
    for uri in ["/history", "/api/history", "/"] {
        let answer = tokio::time::timeout(Duration::from_secs(60), app.get(uri)).await;
        let Ok((status, _)) = answer else {
            unblock(&fifo);
            panic!("{uri} did not return");
        };
        assert_eq!(status, StatusCode::OK, "{uri}");
    }
    let id = "f".repeat(64);
    let answer =
        tokio::time::timeout(Duration::from_secs(60), app.get(&format!("/runs/{id}"))).await;
    unblock(&fifo);
    assert_eq!(answer.map(|(s, _)| s).ok(), Some(StatusCode::NOT_FOUND));
    app.stop();
}

/// The peak resident memory of this process so far, in KiB.
fn peak_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_device_in_the_ledger_is_never_read() {
    let data = tempfile::tempdir().unwrap();
    let dir = workspace();
    let app = Server::with_data(dir.path(), data.path());
    let (_, done) = submit(&app).await;
    let id = done["run_id"].as_str().unwrap().to_owned();
    let e = entry(dir.path(), &id);
    std::fs::remove_file(e.join("results.json")).unwrap();
    symlink("/dev/zero", e.join("results.json")).unwrap();
    let other = entry(dir.path(), &"e".repeat(64));
    std::fs::create_dir_all(&other).unwrap();
    symlink("/dev/zero", other.join("record.json")).unwrap();
    let before = peak_kib();
    let (status, _) = app.get(&format!("/runs/{id}/results.json")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.get("/history").await;
    assert_eq!(status, StatusCode::OK);
    // Reading /dev/zero would grow without end (about 1 GB/s); the other
    // tests running beside this one stay far below the margin.
    let grew = peak_kib().saturating_sub(before);
    assert!(grew < 1 << 20, "peak memory grew by {grew} KiB");
    app.stop();
}

/// Starts `portsim serve` on `dir` with `env`, waits until it listens,
/// then stops it; returns what it printed.
fn serve_once(dir: &Path, env: &[(&str, &Path)]) -> String {
    use std::io::{BufRead, BufReader};
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("portsim"));
    cmd.args(["serve", "--addr", "127.0.0.1:0", "--workspace"])
        .arg(dir)
        .env_remove("PORTSIM_DATA_DIR")
        .env_remove("XDG_DATA_HOME")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
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
    let mut said = String::new();
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(30)) {
        said.push_str(&line);
        said.push('\n');
        if line.starts_with("portsim serve: http://") || line.starts_with("error") {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    said
}

/// The key file at `path`: 32 bytes, private to the user.
fn assert_key(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(meta.len(), 32, "{}", path.display());
    assert_eq!(
        meta.permissions().mode() & 0o777,
        0o600,
        "{}",
        path.display()
    );
}

#[test]
fn the_key_is_kept_in_the_users_data_directory() {
    let dir = workspace();
    let home = tempfile::tempdir().unwrap();
    let xdg = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let said = serve_once(dir.path(), &[("HOME", home.path())]);
    assert!(said.contains("portsim serve: http://"), "{said}");
    assert_key(&home.path().join(".local/share/portsim/ledger.key"));
    let said = serve_once(
        dir.path(),
        &[("HOME", home.path()), ("XDG_DATA_HOME", xdg.path())],
    );
    assert!(said.contains("portsim serve: http://"), "{said}");
    assert_key(&xdg.path().join("portsim/ledger.key"));
    let said = serve_once(
        dir.path(),
        &[
            ("HOME", home.path()),
            ("XDG_DATA_HOME", xdg.path()),
            ("PORTSIM_DATA_DIR", data.path()),
        ],
    );
    assert!(said.contains("portsim serve: http://"), "{said}");
    assert_key(&data.path().join("ledger.key"));
    assert!(!dir.path().join("ledger.key").exists());
    // Never inside the workspace, which may be shared.
    let inside = dir.path().join("keys");
    let said = serve_once(dir.path(), &[("PORTSIM_DATA_DIR", &inside)]);
    assert!(said.contains("inside the workspace"), "{said}");
    assert!(!inside.exists());
}
