//! `portsim check`, the CI regression gate, end to end (issue #5).
//!
//! Why: teams wire this command into their pipelines, so its contract is
//! pinned here as a pipeline sees it: exit 0 for an unchanged scenario, 1
//! with the failing metric named when a change makes the port worse
//! (derived here by taking a lane away from the busiest-by-day stage of
//! the example), 2 for every kind of bad input; baselines that are the same
//! bytes whatever the thread count; provenance that tells "the scenario
//! changed" from "portsim changed" from "results changed anyway"; and JUnit
//! output that is well-formed XML even when a scenario name contains
//! markup. Each test works on a copy of `scenarios/example.toml` in its own
//! temporary directory, with few replications, so the module runs in well
//! under a second.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

/// The example's gate-in lanes (two by day, one by night) and a worse port
/// with one lane all day.
const TWO_LANES: &str =
    r#"lanes = [{ hours = "08:00-20:00", count = 2 }, { hours = "20:00-08:00", count = 1 }]"#;
const ONE_LANE: &str = "lanes = 1";

/// A copy of the example scenario in a temporary directory.
struct Port {
    dir: tempfile::TempDir,
}

impl Port {
    fn new() -> Port {
        let dir = tempfile::tempdir().expect("tempdir");
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/example.toml");
        let text = std::fs::read_to_string(example).expect("example scenario");
        assert!(
            text.contains(TWO_LANES),
            "the example's gate-in lanes moved"
        );
        std::fs::write(dir.path().join("port.toml"), text).expect("write scenario");
        Port { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Replaces `from` by `to` in `file` (relative to the directory).
    fn edit(&self, file: &str, from: &str, to: &str) {
        let path = self.path(file);
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.contains(from), "`{from}` not in {file}");
        std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
    }

    /// Runs `portsim check ARGS` in the directory.
    fn check(&self, args: &[&str]) -> Output {
        assert_cmd::Command::cargo_bin("portsim")
            .expect("the portsim binary is built")
            .current_dir(self.dir.path())
            .arg("check")
            .args(args)
            .output()
            .expect("portsim runs")
    }

    /// Records `port.toml` in `base.json` with 6 replications.
    fn record(&self) {
        let out = self.check(&[
            "port.toml",
            "--baseline",
            "base.json",
            "--update-baseline",
            "-r",
            "6",
            "-q",
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    }

    fn baseline(&self) -> Vec<u8> {
        std::fs::read(self.path("base.json")).expect("baseline written")
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn code(out: &Output) -> Option<i32> {
    out.status.code()
}

#[test]
fn an_unchanged_scenario_passes() {
    let port = Port::new();
    port.record();
    let out = port.check(&["port.toml", "--baseline", "base.json"]);
    let stdout = text(&out.stdout);
    assert_eq!(code(&out), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("results identical to the baseline"),
        "{stdout}"
    );
    assert!(stdout.contains("0 failed"), "{stdout}");
    assert!(!stdout.contains("FAIL"), "{stdout}");
}

#[test]
fn a_lane_taken_away_fails_naming_the_metric() {
    let port = Port::new();
    port.record();
    port.edit("port.toml", TWO_LANES, ONE_LANE);
    let out = port.check(&["port.toml", "--baseline", "base.json"]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(code(&out), Some(1), "{stdout}{stderr}");
    assert!(
        stderr.contains("port.toml: time_in_port_s: worse by"),
        "{stderr}"
    );
    assert!(stderr.contains("excludes zero"), "{stderr}");
    assert!(
        stdout.contains("scenario changed since the baseline"),
        "{stdout}"
    );
    assert!(stdout.contains("FAIL"), "{stdout}");
    // The same change passes when the tolerance is wide enough, and when
    // only a metric it does not affect is checked.
    let wide = port.check(&[
        "port.toml",
        "--baseline",
        "base.json",
        "--tolerance",
        "500%",
    ]);
    assert_eq!(code(&wide), Some(0), "{}", text(&wide.stdout));
    let narrow = port.check(&[
        "port.toml",
        "--baseline",
        "base.json",
        "--metric",
        "throughput_per_day,trucks_turned_away",
    ]);
    assert_eq!(code(&narrow), Some(0), "{}", text(&narrow.stdout));
    assert!(!text(&narrow.stdout).contains("time_in_port_s"));
}

#[test]
fn a_lane_added_back_passes_as_an_improvement() {
    let port = Port::new();
    port.edit("port.toml", TWO_LANES, ONE_LANE);
    port.record();
    port.edit("port.toml", ONE_LANE, TWO_LANES);
    let out = port.check(&["port.toml", "--baseline", "base.json", "--format", "json"]);
    assert_eq!(code(&out), Some(0), "{}", text(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    let s = &doc["scenarios"][0];
    assert_eq!(doc["passed"], Value::Bool(true));
    assert_eq!(s["metrics"]["time_in_port_s"]["status"], "improved");
    assert_eq!(s["metrics"]["time_in_port_s"]["test"], "paired");
    // Percentiles pair like means: each replication has its own p95.
    assert_eq!(s["metrics"]["time_in_port_s.p95"]["test"], "paired");
    assert_eq!(s["metrics"]["time_in_port_s.p95"]["status"], "improved");
    assert_eq!(s["provenance"]["scenario_changed"], Value::Bool(true));
    assert_eq!(s["manifest"]["replications"], 6);
    assert_eq!(s["manifest"]["seed"], 42);
    assert!(
        s["manifest"]["scenario_hash"]
            .as_str()
            .is_some_and(|h| h.len() == 64)
    );
}

#[test]
fn recording_gives_the_same_bytes_on_any_thread_count() {
    let port = Port::new();
    let record = |threads: &str| {
        let out = port.check(&[
            "port.toml",
            "--baseline",
            "base.json",
            "--update-baseline",
            "-r",
            "6",
            "-j",
            threads,
        ]);
        assert_eq!(code(&out), Some(0), "{}", text(&out.stderr));
        port.baseline()
    };
    let first = record("1");
    assert_eq!(record("1"), first);
    assert_eq!(record("2"), first);
    // A refresh keeps the recorded replications.
    let out = port.check(&["port.toml", "--baseline", "base.json", "--update-baseline"]);
    assert_eq!(code(&out), Some(0));
    assert_eq!(port.baseline(), first);
    assert!(text(&out.stdout).contains("unchanged `port.toml`"));
    let doc: Value = serde_json::from_slice(&first).expect("baseline is JSON");
    let entry = &doc["scenarios"]["port.toml"];
    assert_eq!(entry["replications"], 6);
    assert_eq!(
        entry["metrics"]["throughput_per_day"]["samples"]
            .as_array()
            .map(Vec::len),
        Some(6)
    );
    assert_eq!(
        entry["metrics"]["time_in_port_s.p95"]["samples"]
            .as_array()
            .map(Vec::len),
        Some(6)
    );
    assert_eq!(doc["format"], 3);
    assert_eq!(entry["portsim_version"], env!("CARGO_PKG_VERSION"));
}

#[test]
fn other_scenarios_in_the_baseline_are_kept() {
    let port = Port::new();
    std::fs::copy(port.path("port.toml"), port.path("other.toml")).expect("copy");
    let both = port.check(&[
        "port.toml",
        "other.toml",
        "--baseline",
        "ci/base.json",
        "--update-baseline",
        "-r",
        "3",
    ]);
    assert_eq!(code(&both), Some(0), "{}", text(&both.stderr));
    port.edit("other.toml", "seed = 42", "seed = 7");
    let one = port.check(&[
        "other.toml",
        "--baseline",
        "ci/base.json",
        "--update-baseline",
    ]);
    assert_eq!(code(&one), Some(0));
    let doc: Value =
        serde_json::from_slice(&std::fs::read(port.path("ci/base.json")).expect("read"))
            .expect("json");
    // Keys are relative to the baseline's directory.
    assert_eq!(doc["scenarios"]["../port.toml"]["seed"], 42);
    assert_eq!(doc["scenarios"]["../other.toml"]["seed"], 7);
    let out = port.check(&["port.toml", "other.toml", "--baseline", "ci/base.json"]);
    assert_eq!(code(&out), Some(0), "{}", text(&out.stdout));
}

#[test]
fn provenance_tells_code_changes_from_unexplained_ones() {
    let port = Port::new();
    port.record();
    let original = text(&port.baseline());
    let version = format!("\"portsim_version\": \"{}\"", env!("CARGO_PKG_VERSION"));
    port.edit("base.json", &version, "\"portsim_version\": \"0.0.1\"");
    let out = port.check(&["port.toml", "--baseline", "base.json"]);
    assert!(
        text(&out.stdout).contains("portsim changed (baseline from v0.0.1)"),
        "{}",
        text(&out.stdout)
    );
    std::fs::write(port.path("base.json"), &original).expect("restore");
    // Nudge one recorded sample: same scenario, same version, other numbers.
    let doc: Value = serde_json::from_str(&original).expect("json");
    let first = doc["scenarios"]["port.toml"]["metrics"]["steps_per_truck"]["samples"][0]
        .as_f64()
        .expect("a sample");
    port.edit(
        "base.json",
        &format!("{first},"),
        &format!("{},", first + 0.001),
    );
    let out = port.check(&["port.toml", "--baseline", "base.json"]);
    assert_eq!(code(&out), Some(0));
    assert!(
        text(&out.stdout).contains("results changed although scenario and version are the same"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn junit_is_well_formed_and_carries_the_failure() {
    let port = Port::new();
    port.edit(
        "port.toml",
        r#"name = "Example road port""#,
        r#"name = "Port <A> & 'B' \"C\"""#,
    );
    port.record();
    port.edit("port.toml", TWO_LANES, ONE_LANE);
    let out = port.check(&[
        "port.toml",
        "--baseline",
        "base.json",
        "--format",
        "junit",
        "--out",
        "report",
    ]);
    assert_eq!(code(&out), Some(1));
    let xml = text(&out.stdout);
    if let Err(e) = well_formed(&xml) {
        panic!("{e}\n{xml}");
    }
    assert!(
        xml.contains("<failure message=\"time_in_port_s: worse by"),
        "{xml}"
    );
    assert!(
        xml.contains("Port &lt;A&gt; &amp; &apos;B&apos; &quot;C&quot;"),
        "{xml}"
    );
    assert_eq!(xml.matches("<testsuite ").count(), 1);
    assert_eq!(xml.matches("<testcase ").count(), 6);
    // --out writes the same report and the JSON document.
    let saved = std::fs::read_to_string(port.path("report/check.junit.xml")).expect("junit file");
    assert_eq!(saved, xml);
    let doc: Value =
        serde_json::from_slice(&std::fs::read(port.path("report/check.json")).expect("json file"))
            .expect("json");
    assert_eq!(doc["passed"], Value::Bool(false));
}

#[test]
fn bad_inputs_exit_2_and_say_why() {
    let port = Port::new();
    port.record();
    std::fs::write(port.path("broken.json"), "{\"format\": 1, \"scenarios\": ").expect("write");
    std::fs::copy(port.path("port.toml"), port.path("new.toml")).expect("copy");
    let cases: [(&[&str], &str); 8] = [
        (
            &["port.toml", "--baseline", "missing.json"],
            "baseline `missing.json` does not exist; to create it, run\n    portsim check port.toml --baseline missing.json --update-baseline",
        ),
        (
            &["port.toml", "--baseline", "broken.json"],
            "invalid baseline `broken.json`: EOF",
        ),
        (
            &["new.toml", "--baseline", "base.json"],
            "`new.toml` is not in baseline `base.json`",
        ),
        (
            &["port.toml", "--baseline", "base.json", "--tolerance", "5"],
            "did you mean `5%`",
        ),
        (
            &["port.toml", "--baseline", "base.json", "--tolerance=-1%"],
            "invalid tolerance",
        ),
        (
            &["port.toml", "--baseline", "base.json", "--metric", "speed"],
            "time_in_port_s.p95",
        ),
        (
            &["port.toml", "--baseline", "base.json", "--seed", "1"],
            "--update-baseline",
        ),
        (
            &[
                "port.toml",
                "--baseline",
                "base.json",
                "--update-baseline",
                "-r",
                "1",
            ],
            "at least 2 replications",
        ),
    ];
    for (args, message) in cases {
        let out = port.check(args);
        let stderr = text(&out.stderr);
        assert_eq!(code(&out), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
    // A failed recording leaves the baseline alone.
    let broken = port.check(&[
        "port.toml",
        "--baseline",
        "broken.json",
        "--update-baseline",
    ]);
    assert_eq!(code(&broken), Some(2));
    assert!(
        std::fs::read_to_string(port.path("broken.json"))
            .expect("read")
            .ends_with(": ")
    );
}

/// A small well-formedness check of an XML document: balanced and properly
/// nested elements, quoted attributes, no raw `<` or stray `&` in text or
/// attribute values, known entities only, one root element.
fn well_formed(xml: &str) -> Result<(), String> {
    let body = xml
        .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        .ok_or("missing XML declaration")?;
    let mut stack: Vec<&str> = Vec::new();
    let mut roots = 0;
    let mut rest = body;
    while let Some(open) = rest.find('<') {
        check_text(&rest[..open])?;
        if stack.is_empty() && !rest[..open].trim().is_empty() {
            return Err("text outside the root element".into());
        }
        let close = rest[open..].find('>').ok_or("unclosed tag")? + open;
        let tag = &rest[open + 1..close];
        rest = &rest[close + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            match stack.pop() {
                Some(top) if top == name => {}
                other => return Err(format!("`</{name}>` closes `{other:?}`")),
            }
            continue;
        }
        let self_closing = tag.ends_with('/');
        let tag = tag.trim_end_matches('/');
        let name_end = tag.find(char::is_whitespace).unwrap_or(tag.len());
        let name = &tag[..name_end];
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_alphanumeric() || "-_:.".contains(c))
        {
            return Err(format!("bad element name `{name}`"));
        }
        check_attributes(&tag[name_end..])?;
        if stack.is_empty() {
            roots += 1;
        }
        if !self_closing {
            stack.push(name);
        }
    }
    check_text(rest)?;
    match (stack.is_empty(), roots, rest.trim().is_empty()) {
        (true, 1, true) => Ok(()),
        _ => Err(format!("unbalanced: open {stack:?}, {roots} roots")),
    }
}

fn check_attributes(mut attrs: &str) -> Result<(), String> {
    loop {
        attrs = attrs.trim_start();
        if attrs.is_empty() {
            return Ok(());
        }
        let eq = attrs
            .find("=\"")
            .ok_or(format!("bad attribute in `{attrs}`"))?;
        let end = attrs[eq + 2..].find('"').ok_or("unterminated attribute")? + eq + 2;
        check_text(&attrs[eq + 2..end])?;
        attrs = &attrs[end + 1..];
    }
}

fn check_text(text: &str) -> Result<(), String> {
    if text.contains('<') {
        return Err(format!("raw `<` in `{text}`"));
    }
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        let semi = rest[amp..].find(';').ok_or("`&` without `;`")? + amp;
        let entity = &rest[amp + 1..semi];
        let known = ["amp", "lt", "gt", "quot", "apos"].contains(&entity)
            || entity
                .strip_prefix('#')
                .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
        if !known {
            return Err(format!("unknown entity `&{entity};`"));
        }
        rest = &rest[semi + 1..];
    }
    Ok(())
}

#[test]
fn the_well_formedness_check_catches_broken_documents() {
    let head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    assert!(well_formed(&format!("{head}<a><b x=\"1\"/>t &amp; u</a>\n")).is_ok());
    for bad in [
        "<a><b></a></b>",
        "<a>x & y</a>",
        "<a x=\"<\"/>",
        "<a/><b/>",
        "<a>",
    ] {
        assert!(well_formed(&format!("{head}{bad}")).is_err(), "{bad}");
    }
}
