//! `portsim calibrate --html FILE`: the page is written, self-contained,
//! holds every stage with its chosen family, the counts and the
//! validation's verdicts with the numbers of the JSON; its QQ data of a
//! well-fitted family lie near `y = x` and those of a wrong family do
//! not; it never replaces the log nor goes into a directory; `--out`
//! writes it into the set as `calibrate.html`.

use std::path::Path;

use serde_json::Value;

use crate::calibrate_port::{FROM, TO, calibrate_text, file, generate, plain, shuffle, window};
use crate::cli_run::portsim;
use portsim::calibrate::fit::Fitted;
use portsim::report::format::number;

fn log(dir: &Path) -> std::path::PathBuf {
    let rows = generate(5, 10);
    let mut logged = window(&rows, FROM, FROM + 7 * 86_400 + 3_600 * 10, true);
    shuffle(&mut logged, 2);
    file(dir, "log.csv", &plain(&logged))
}

fn ok(out: &std::process::Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The row of the table whose first cell is `name`.
fn row<'a>(page: &'a str, name: &str) -> &'a str {
    let head = format!("<th>{name}</th>");
    let at = page.find(&head).unwrap_or_else(|| panic!("no row {name}"));
    let rest = &page[at..];
    &rest[..rest.find("</tr>").expect("a row ends")]
}

fn label(c: &Value) -> String {
    let dist = c["dist"].as_str().expect("test data");
    match c["k"].as_u64() {
        Some(k) if dist == "erlang" => format!("erlang (k = {k})"),
        _ => dist.to_owned(),
    }
}

#[test]
fn the_page_holds_every_stage_its_fit_and_the_verdicts_with_the_json_numbers() {
    let dir = tempfile::tempdir().expect("test data");
    let log = log(dir.path());
    let page_path = dir.path().join("page.html");
    let out = portsim(&[
        "calibrate",
        log.to_str().expect("test data"),
        "--format",
        "json",
        "-r",
        "4",
        "--html",
        page_path.to_str().expect("test data"),
    ]);
    ok(&out);
    let v: Value = serde_json::from_slice(&out.stdout).expect("test data");
    let page = std::fs::read_to_string(&page_path).expect("the page is written");
    assert!(page.starts_with("<!DOCTYPE html>"), "{}", &page[..40]);
    for forbidden in [
        "<script", "http://", "https://", "src=", "@import", "url(http",
    ] {
        assert!(!page.contains(forbidden), "{forbidden} in the page");
    }
    let stages = v["stages"].as_array().expect("test data");
    assert_eq!(stages.len(), 3);
    // One QQ plot and one chart of the candidates per stage, and the
    // arrivals, concurrency and validation charts.
    assert!(page.matches("<svg").count() >= 2 * 3 + 2 + 3 + 2, "charts");
    for s in stages {
        let name = s["name"].as_str().expect("test data");
        let head = format!("Stage <code>{name}</code>");
        let at = page
            .find(&head)
            .unwrap_or_else(|| panic!("no section {name}"));
        let end = page[at..].find("</section>").expect("a section ends");
        let section = &page[at..at + end];
        let service = &s["service"];
        let chosen = label(&service["chosen"]);
        assert!(
            section.contains(&format!("<th>{chosen} (chosen)</th>")),
            "{name}: chosen {chosen}"
        );
        for c in service["candidates"].as_array().expect("test data") {
            let aic = c["aic"].as_f64().map_or("n/a".to_owned(), |x| number(x, 1));
            let mean = number(c["mean_s"].as_f64().expect("test data"), 1);
            let l = label(c);
            let r = row(
                section,
                &if l == chosen {
                    format!("{l} (chosen)")
                } else {
                    l
                },
            );
            assert!(r.contains(&format!(">{aic}<")), "{name}: {r}");
            assert!(r.contains(&format!(">{mean}<")), "{name}: {r}");
            let fits = match c["gof_p"].as_f64() {
                Some(p) if p >= 0.05 => ">fits<",
                Some(_) => ">does not fit<",
                None => ">not tested<",
            };
            assert!(r.contains(fits), "{name}: {r}");
        }
        assert!(
            section.contains(&format!(
                "{} services observed, {} still running when the log closed (censored), {} with times rounded",
                service["n"], service["censored"], service["rounded"]
            )),
            "{name} counts"
        );
        // A minute log: every service that ended was rounded.
        assert!(service["rounded"].as_u64().expect("test data") > 0);
    }
    let d = &v["data"];
    for (label, key) in [("rows read", "rows_read"), ("rows used", "rows_used")] {
        assert!(
            row(&page, label).contains(&format!(">{}<", d[key])),
            "{label}"
        );
    }
    let t = &d["trucks"];
    for (label, key) in [
        ("complete (arrived and left in the window)", "complete"),
        ("inside when the log opened", "inside_at_start"),
        ("inside when the log closed", "inside_at_end"),
    ] {
        assert!(
            row(&page, label).contains(&format!(">{}<", t[key])),
            "{label}"
        );
    }
    let per_day = number(
        v["arrivals"]["per_day"]["mean"]
            .as_f64()
            .expect("test data"),
        1,
    );
    assert!(
        page.contains(&format!("{per_day} trucks a day")),
        "{per_day}"
    );
    let metrics = v["validation"]["metrics"].as_array().expect("test data");
    assert!(!metrics.is_empty());
    for m in metrics {
        let name = m["name"].as_str().expect("test data");
        let words = match (m["verdict"].as_str().expect("test data"), m["by"].as_f64()) {
            ("inside", _) => "inside".to_owned(),
            ("above", Some(b)) => format!("above by {:.0}%", b * 100.0),
            ("below", Some(b)) => format!("below by {:.0}%", b * 100.0),
            _ => "n/a".to_owned(),
        };
        assert!(
            row(&page, name).ends_with(&format!(">{words}</td>")),
            "{name}: {}",
            row(&page, name)
        );
    }
}

/// The largest distance of the QQ points between the 5th and the 95th
/// percentile from `y = x`, relative to the observed time plus `slack`
/// seconds.
fn worst(curve: &portsim::calibrate::fit::km::Curve, law: &Fitted, slack: f64) -> f64 {
    let qq = curve.qq(law, 200);
    // Minute times leave one point per minute the services took.
    assert!(qq.len() > 20, "{}", qq.len());
    qq.iter()
        .filter(|q| (0.05..=0.95).contains(&q.p))
        .map(|q| (q.model_s - q.observed_s).abs() / (q.observed_s + slack))
        .fold(0.0, f64::max)
}

#[test]
fn qq_points_of_a_well_fitted_family_lie_near_the_line_and_a_wrong_one_does_not() {
    let dir = tempfile::tempdir().expect("test data");
    let rows = generate(7, 31);
    for minute in [false, true] {
        let mut logged = window(&rows, FROM, TO, minute);
        shuffle(&mut logged, 3);
        let cal = calibrate_text(dir.path(), &plain(&logged), None);
        // Seconds: quantiles of thousands of services, within 10 %
        // (sampling error at the 95th percentile is about 2 %); minutes:
        // each time may be off by a minute more.
        let slack = if minute { 600.0 } else { 30.0 };
        for s in &cal.stages {
            let chosen = &s.service.chosen().fitted;
            let w = worst(&s.curve, chosen, slack);
            assert!(w < 0.1, "{} ({chosen:?}), minute {minute}: {w}", s.name);
        }
        // Inspection is lognormal with sd half its mean: an exponential
        // of the same mean is far off the line.
        let insp = cal
            .stages
            .iter()
            .find(|s| s.name == "inspection")
            .expect("test data");
        let wrong = Fitted::Exponential {
            mean_s: insp.service.chosen().mean_s,
        };
        let w = worst(&insp.curve, &wrong, slack);
        assert!(w > 0.3, "the exponential is not told apart: {w}");
    }
}

#[test]
fn the_page_never_replaces_the_log_nor_goes_into_a_directory() {
    let dir = tempfile::tempdir().expect("test data");
    let log = log(dir.path());
    let before = std::fs::read(&log).expect("test data");
    let scenario = dir.path().join("s.toml");
    let out = portsim(&[
        "calibrate",
        log.to_str().expect("test data"),
        "--scenario",
        scenario.to_str().expect("test data"),
        "--html",
        log.to_str().expect("test data"),
        "-r",
        "2",
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(e.contains("log.csv"), "{e}");
    assert_eq!(std::fs::read(&log).expect("test data"), before);
    assert!(!scenario.exists(), "nothing written");
    let sub = dir.path().join("reports");
    std::fs::create_dir(&sub).expect("test data");
    let out = portsim(&[
        "calibrate",
        log.to_str().expect("test data"),
        "--html",
        sub.to_str().expect("test data"),
        "-r",
        "2",
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_dir(&sub).expect("test data").count(), 0);
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("test data")
        .map(|e| {
            e.expect("test data")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn out_writes_the_same_page_into_the_set() {
    let dir = tempfile::tempdir().expect("test data");
    let log = log(dir.path());
    let set = dir.path().join("set");
    let page = dir.path().join("page.html");
    let out = portsim(&[
        "calibrate",
        log.to_str().expect("test data"),
        "--out",
        set.to_str().expect("test data"),
        "--html",
        page.to_str().expect("test data"),
        "-r",
        "2",
        "-q",
    ]);
    ok(&out);
    let in_set = std::fs::read(set.join("calibrate.html")).expect("in the set");
    assert_eq!(in_set, std::fs::read(&page).expect("the page"));
    // The same calibration gives the same bytes.
    let again = portsim(&[
        "calibrate",
        log.to_str().expect("test data"),
        "--html",
        "-",
        "-r",
        "2",
        "-q",
    ]);
    ok(&again);
    assert_eq!(again.stdout, in_set);
}

/// Stage names are the log's text: they are escaped wherever they go
/// (headings, tables, chart titles and labels).
#[test]
fn names_from_the_log_are_escaped() {
    let dir = tempfile::tempdir().expect("test data");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text =
        std::fs::read_to_string(root.join("scenarios/logs/example-port.csv")).expect("test data");
    let evil: String = text
        .lines()
        .map(|l| match l.strip_suffix(",exit") {
            Some(head) => format!("{head},\"ex<i>t&\"\"q\"\n"),
            None => format!("{l}\n"),
        })
        .collect();
    let log = file(dir.path(), "evil.csv", &evil);
    let page = dir.path().join("page.html");
    let out = portsim(&[
        "calibrate",
        log.to_str().expect("test data"),
        "--html",
        page.to_str().expect("test data"),
        "-r",
        "2",
        "-q",
    ]);
    ok(&out);
    let page = std::fs::read_to_string(&page).expect("the page is written");
    assert!(!page.contains("<i>"), "raw markup from the log");
    assert!(
        page.contains("Stage <code>ex&lt;i&gt;t&amp;&quot;q</code>"),
        "the stage's heading"
    );
    assert!(page.matches("ex&lt;i&gt;t&amp;&quot;q").count() >= 5);
}
