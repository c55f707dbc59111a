//! The web app's pages, built from the report's own pieces
//! ([`crate::report::html::page`]): the same shell, style sheet, headers,
//! sections and tables, and for results the report page itself.
//!
//! Every value a user or a file supplied goes in through maud's `(x)`,
//! which escapes it. The pages work as plain HTML (links and forms); the
//! one script, `/static/app.js`, served from the binary, adds live
//! validation, saving, starting and cancelling jobs and the progress bar.
//! It is a file of the server, never inline, so the Content-Security-Policy
//! can forbid every inline script. Nothing on any page names another host.

use super::ledger::{Ledger, Record};
use super::workspace::{Entry, LogEntry};
use crate::report::html::page::{self, Markup, html};
use crate::scenario::Scenario;
use crate::scenario::limits::MAX_LOG_UPLOAD_BYTES;

/// The app's additions to the report's style sheet.
const CSS: &str = include_str!("static/app.css");

/// A page of the app: the report's shell, the app's nav and script.
pub(super) fn shell(title: &str, body: Markup) -> String {
    page::document(
        &format!("{title} · portsim"),
        CSS,
        html! {
            (nav())
            (body)
            script src="/static/app.js" defer {}
        },
    )
}

fn nav() -> Markup {
    html! {
        nav.app {
            strong { "portsim" }
            a href="/" { "Workspace" }
            a href="/compare" { "Compare" }
            a href="/attribute" { "Attribute" }
            a href="/calibrate" { "Calibrate" }
            a href="/now" { "Now" }
            a href="/history" { "History" }
        }
    }
}

/// The workspace: every scenario file with its description and last
/// result.
pub fn index(root: &str, entries: &[Entry], logs: &[LogEntry], records: &[Record]) -> String {
    let body = html! {
        (page::header("portsim workspace", "Scenarios", html! {
            p.meta { "Folder " code { (root) } }
        }))
        table.metrics #files {
            thead { tr { th { "file" } th { "scenario" } th { "description" } th { "last result" } th { "" } } }
            tbody {
                @for e in entries {
                    tr data-file=(e.name) {
                        th { a href={ "/edit?file=" (url(&e.name)) } { (e.name) } }
                        td {
                            @if e.map {
                                span.map { "log map" }
                            } @else {
                                @match e.study {
                                    Some(kind) => span.study data-study=(kind.name()) { (kind.name()) " study" },
                                    None => (e.title.as_deref().unwrap_or("–")),
                                }
                            }
                        }
                        td { (e.description) }
                        td {
                            @match Ledger::last_run_of(records, &e.name) {
                                Some(r) => a href={ "/runs/" (r.id) } { (headline_of(r, "time_in_port_s")) },
                                None => "–",
                            }
                        }
                        td {
                            @if e.valid { a.button href={ "/run?file=" (url(&e.name)) } { "Run" } " " a.button href={ "/reform?file=" (url(&e.name)) } { "Reform…" } }
                            @if e.study.is_some() { a.button href={ "/study?file=" (url(&e.name)) } { "Start study" } }
                        }
                    }
                }
            }
        }
        (page::section("New scenario", "A file name ending in .toml; it opens in the editor."))
        form.inline method="get" action="/edit" {
            input name="file" placeholder="my-port.toml" required pattern="[A-Za-z0-9_][A-Za-z0-9._\\-\\/]*\\.toml";
            button type="submit" { "Create" }
        }
        (logs_section(logs))
        script src="/static/logs.js" defer {}
    };
    shell("Workspace", body)
}

/// `bytes` for people: `12.3 MB`, `840 B`.
pub fn size(bytes: u64) -> String {
    let b = bytes as f64;
    if b >= 1e6 {
        format!("{:.1} MB", b / 1e6)
    } else if b >= 1e3 {
        format!("{:.1} kB", b / 1e3)
    } else {
        format!("{bytes} B")
    }
}

/// The workspace page's section of logs, with the upload form.
pub fn logs_section(logs: &[LogEntry]) -> Markup {
    html! {
        (page::section("Event logs", "Truck event logs (.csv, docs/event-log.md) beside the scenarios: calibrate a scenario from one, or forecast the next hours from it."))
        table.metrics #logs {
            thead { tr { th { "log" } th { "size" } th { "" } } }
            tbody {
                @for l in logs {
                    tr data-log=(l.name) {
                        th { a href={ "/logs/view?file=" (url(&l.name)) } { (l.name) } }
                        td { (size(l.bytes)) }
                        td {
                            a.button href={ "/calibrate?log=" (url(&l.name)) } { "Calibrate…" } " "
                            a.button href={ "/now?log=" (url(&l.name)) } { "Now…" } " "
                            a.button href={ "/logs/raw?file=" (url(&l.name)) } download { "Download" }
                        }
                    }
                }
                @if logs.is_empty() { tr { td colspan="3" { "No logs yet." } } }
            }
        }
        form.job #upload {
            label { "Log file" input #upload-file type="file" accept=".csv,text/csv" required; }
            label { "Save as" input #upload-name placeholder="my-port.csv" required pattern="[A-Za-z0-9_][A-Za-z0-9._\\-\\/]*\\.csv"; }
            label.check { input #upload-overwrite type="checkbox"; " replace an existing file" }
            button type="submit" { "Upload" }
            span #upload-status {}
        }
        p.meta { (format!("Uploads of up to {} MiB are streamed to disk.", MAX_LOG_UPLOAD_BYTES >> 20)) }
    }
}

/// A starting point for a new file.
const TEMPLATE: &str = "name = \"New port\"\ndescription = \"\"\nhorizon = \"7d\"\nreplications = 10\n\n[demand]\nrate = \"40/h\"\n\n[[stages]]\nname = \"inspection\"\nlanes = 2\nservice = { dist = \"exponential\", mean = \"2m\" }\n";

/// The editor of `file` (`text` is `None` for a new file).
pub fn editor(file: &str, text: Option<&str>) -> String {
    let study = text.and_then(super::kind::kind_of);
    let (command, start) = match study {
        Some(kind) => (format!("portsim {}", kind.name()), "/study?file="),
        None => ("portsim run".to_owned(), "/run?file="),
    };
    let body = html! {
        (page::header("portsim editor", file, html! {
            p.meta { "Checked as you type, with the same messages as " code { (command) } "." }
        }))
        div.editor #editor data-file=(file) data-new=(text.is_none()) {
            pre.gutter #gutter aria-hidden="true" {}
            textarea #source spellcheck="false" autocomplete="off" name="text" rows="28" { (text.unwrap_or(TEMPLATE)) }
        }
        p.actions {
            button #save type="button" { "Save" }
            " "
            span #status role="status" {}
            " "
            a.button #run-link href={ (start) (url(file)) } { @if study.is_some() { "Start study…" } @else { "Run…" } }
        }
        div.unsaved #unsaved role="alertdialog" aria-labelledby="unsaved-text" hidden {
            p #unsaved-text {
                strong { "This file has changes that are not saved." }
                " A run reads the file as saved on disk, so it would not include them."
            }
            button #unsaved-save type="button" { "Save, then run" }
            " "
            button #unsaved-saved type="button" { "Run the saved file" }
            " "
            button #unsaved-stay type="button" { "Keep editing" }
        }
        ol.diagnostics #diagnostics {}
    };
    shell(file, body)
}

/// The options and progress of a job, shared by run and compare. A
/// field left empty means the (baseline) scenario's own value.
fn job_form(kind: &str, files: Markup, seed: Option<u64>, replications: Option<u64>) -> Markup {
    html! {
        form.job #job-form data-kind=(kind) {
            (files)
            label { "Seed " input name="seed" type="number" min="0" placeholder="the file's" value=[seed]; }
            label { "Replications " input name="replications" type="number" min="1" placeholder="the file's" value=[replications]; }
            button #start type="submit" { "Start" }
            button #cancel type="button" disabled { "Cancel" }
        }
        div.progress #progress hidden {
            progress #bar max="1" value="0" {}
            span #progress-text {}
        }
        p #error.error role="alert" hidden {}
        p #result hidden { a #result-link href="#" { "Open the report" } }
    }
}

/// The page that starts the study `file`: what it studies, and the job
/// form (seed and replications left empty mean the file's, as on the
/// command line, so the run id is the one `portsim sweep FILE` computes).
pub fn study(file: &str, study: &super::prepared::Study, kind: super::kind::Kind) -> String {
    let base = study.base();
    let points = match study.points() {
        Some(n) => format!(
            "{n} points, {} replications in all",
            super::study::units(study)
        ),
        None => "candidates chosen as it goes".to_owned(),
    };
    let body = html! {
        (page::header(&format!("portsim {}", kind.name()), &base.name, html! {
            p.desc { (base.description) }
            p.meta { code { (file) } " · " (kind.name()) " · " (points) " · seed " (base.seed) ", " (base.replications) " replications each" }
        }))
        (job_form(kind.name(), html! { input type="hidden" name="file" value=(file); }, None, None))
    };
    shell(&base.name, body)
}

/// The run page of `file`.
pub fn run(file: &str, s: &Scenario) -> String {
    let body = html! {
        (page::header("portsim run", &s.name, html! {
            p.desc { (s.description) }
            p.meta { code { (file) } }
        }))
        (job_form("run", html! { input type="hidden" name="file" value=(file); }, Some(s.seed), Some(s.replications)))
    };
    shell(&s.name, body)
}

/// What the comparison page starts with: the two files, the seed and the
/// replications (`None`: the first files, the baseline's own values).
#[derive(Debug, Default)]
pub struct Pick<'a> {
    /// Baseline and variant.
    pub files: [Option<&'a str>; 2],
    /// Seed.
    pub seed: Option<u64>,
    /// Replications.
    pub replications: Option<u64>,
}

/// The comparison page: baseline and variant from the workspace.
pub fn compare(entries: &[Entry], pick: &Pick) -> String {
    let valid: Vec<&Entry> = entries.iter().filter(|e| e.valid).collect();
    let select = |name: &str, chosen: Option<&str>, default: usize| {
        html! {
            label { (name) " "
                select name="file" {
                    @for (i, e) in valid.iter().enumerate() {
                        option value=(e.name) selected[chosen.map_or(i == default, |c| c == e.name)] { (e.name) }
                    }
                }
            }
        }
    };
    let body = html! {
        (page::header("portsim comparison", "Compare two scenarios", html! {
            p.meta { "Paired replications: replication i of both sides uses the same random streams." }
        }))
        (job_form("compare", html! {
            (select("Baseline", pick.files[0], 0))
            (select("Variant", pick.files[1], 1))
        }, pick.seed, pick.replications))
    };
    shell("Compare", body)
}

/// The attribution page: a baseline and the interventions to take its
/// change apart by. Only files that extend the chosen baseline are
/// offered as its interventions (`data-extends`, filtered by the script
/// as the baseline changes; the server refuses any other). `pick`: the
/// baseline and an intervention to start with.
pub fn attribute(entries: &[Entry], pick: [Option<&str>; 2]) -> String {
    let valid: Vec<&Entry> = entries.iter().filter(|e| e.valid).collect();
    let [baseline, chosen] = pick;
    let body = html! {
        (page::header("portsim attribution", "Which intervention did the work", html! {
            p.meta { "The baseline with every combination of the interventions (up to four), paired; each intervention's share of the combined change." }
        }))
        (job_form("attribute", html! {
            label { "Baseline "
                select name="file" #baseline {
                    @for e in &valid { option value=(e.name) selected[baseline == Some(e.name.as_str())] { (e.name) } }
                }
            }
            fieldset.interventions #interventions {
                legend { "Interventions (files that extend the baseline)" }
                @for e in valid.iter().filter(|e| e.extends.is_some()) {
                    label.check data-extends=[e.extends.as_deref()] { input type="checkbox" name="file" value=(e.name) checked[chosen == Some(e.name.as_str())]; " " (e.name) }
                }
                p.note #no-interventions hidden { "No file extends this baseline: write one from its " a #reform-link href="/" { "reform page" } "." }
            }
        }, None, None))
    };
    shell("Attribute", body)
}

/// A record's headline value for `metric`.
fn headline_of<'a>(r: &'a Record, metric: &str) -> &'a str {
    r.headline
        .iter()
        .find(|(k, _)| k == metric)
        .map_or("stored", |(_, v)| v.as_str())
}

/// A stored result's title: what it was and on which files. An
/// attribution names its baseline once and its interventions by file
/// name ("attribute: Horgos before + interventions/24h-opening.toml,
/// interventions/appointments.toml"), not the 2^k scenarios it ran.
pub fn title(r: &Record) -> String {
    match (r.kind.as_str(), r.names.first(), r.files.split_first()) {
        ("attribute", Some(baseline), Some((_, interventions))) => {
            format!("attribute: {baseline} + {}", interventions.join(", "))
        }
        _ => format!("{}: {}", r.kind, r.names.join(" vs ")),
    }
}

/// The history of stored results, newest first.
pub fn history(records: &[Record]) -> String {
    let body = html! {
        (page::header("portsim history", "Stored results", html! {
            p.meta { "Every result computed here, kept in " code { ".portsim/ledger/" } "; asking again for the same run returns it without running." }
        }))
        form method="get" action="/side" {
            table.metrics #history {
                thead { tr { th { "" } th { "what" } th { "files" } th { "seed" } th { "replications" } th { "time in port / change" } th { "id" } } }
                tbody {
                    @for r in records {
                        tr {
                            td { input type="checkbox" name="run" value=(r.id) aria-label="pick"; }
                            th { a href={ "/runs/" (r.id) } { (title(r)) } }
                            td { (r.files.join(", ")) }
                            td.num { (r.seed) }
                            td.num { (r.replications) }
                            td { (headline_of(r, "time_in_port_s")) }
                            td { code { (&r.id[..12.min(r.id.len())]) } }
                        }
                    }
                }
            }
            button type="submit" { "Side by side" }
        }
    };
    shell("History", body)
}

/// Two stored results side by side; a paired comparison is offered when
/// both are runs with the same seed and replications.
pub fn side(a: &Record, b: &Record) -> String {
    let keys: Vec<&String> = a.headline.iter().map(|(k, _)| k).collect();
    let value = |r: &Record, k: &str| {
        r.headline
            .iter()
            .find(|(key, _)| key == k)
            .map_or("–".to_owned(), |(_, v)| v.clone())
    };
    let rows: Vec<Vec<String>> = keys
        .iter()
        .map(|k| vec![(*k).clone(), value(a, k), value(b, k)])
        .collect();
    let pairable = a.kind == "run"
        && b.kind == "run"
        && a.seed == b.seed
        && a.replications == b.replications
        && a.id != b.id;
    let body = html! {
        (page::header("portsim side by side", "Two stored results", html! {
            dl.sides {
                dt { "A" } dd { a href={ "/runs/" (a.id) } { (title(a)) } " (seed " (a.seed) ", " (a.replications) " replications)" }
                dt { "B" } dd { a href={ "/runs/" (b.id) } { (title(b)) } " (seed " (b.seed) ", " (b.replications) " replications)" }
            }
        }))
        (page::section("Headline results", "Means with 95% confidence intervals, as stored."))
        (page::table(&["metric", "A", "B"], &rows, 1))
        @if pairable {
            p { "Both ran with the same seed and replications, so their replications pair up." }
            a.button href={ "/compare?a=" (url(&a.files[0])) "&b=" (url(&b.files[0])) "&seed=" (a.seed) "&replications=" (a.replications) } { "Paired comparison of A and B" }
        } @else {
            p.note { "A paired comparison needs two single runs with the same seed and replications." }
        }
    };
    shell("Side by side", body)
}

/// The report page of a stored result with the app's nav and the
/// downloads added: the report is the CLI's, byte for byte inside.
pub fn result(id: &str, report: &str, csv: bool, attribution: bool) -> String {
    let extra = html! {
        (nav())
        p.downloads #downloads {
            "Download: "
            a href={ "/runs/" (id) "/results.json" } download { "JSON" } " · "
            @if csv { a href={ "/runs/" (id) "/results.csv" } download { "CSV" } " · " }
            a href={ "/runs/" (id) "/report.html" } download { "HTML" }
            @if attribution {
                " · " a href={ "/runs/" (id) "/attribution.csv" } download { "attribution CSV" }
            }
        }
    };
    let style = html! { style { (page::PreEscaped(CSS)) } };
    report
        .replacen("<main>", &format!("<main>{}", extra.into_string()), 1)
        .replacen("</head>", &format!("{}</head>", style.into_string()), 1)
}

/// A page that only says what went wrong.
pub fn problem(title: &str, message: &str) -> String {
    shell(
        title,
        html! {
            (page::header("portsim", title, html! {}))
            p.error { (message) }
            p { a href="/" { "Back to the workspace" } }
        },
    )
}

/// `text` percent-encoded for a query string.
pub fn url(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_is_escaped_and_no_other_host_is_named() {
        let evil = "<script>alert(1)</script>";
        let entry = Entry {
            name: "a.toml".into(),
            title: Some(evil.into()),
            description: evil.into(),
            valid: true,
            study: None,
            extends: None,
            map: false,
        };
        let log = LogEntry {
            name: evil.into(),
            bytes: 3,
        };
        let page = index(evil, &[entry], &[log], &[]);
        assert!(!page.contains("<script>alert"), "{page}");
        assert!(page.contains("&lt;script&gt;alert(1)"));
        assert!(!page.contains("http://") && !page.contains("https://"));
        let edit = editor("a.toml", Some("</textarea><script>x</script>"));
        assert!(!edit.contains("</textarea><script>"), "{edit}");
        assert_eq!(url("a b/c.toml"), "a%20b/c.toml");
    }

    #[test]
    fn an_attribution_is_titled_by_its_baseline_once_and_its_files() {
        let base = "Horgos road port, before the reforms";
        let r = Record {
            id: "0".repeat(64),
            kind: "attribute".into(),
            files: vec![
                "horgos-before.toml".into(),
                "interventions/24h-opening.toml".into(),
                "interventions/appointments.toml".into(),
            ],
            names: vec![base.into(); 4],
            seed: 1,
            replications: 4,
            stored_at: 0,
            wall_time_s: 0.0,
            headline: vec![],
        };
        assert_eq!(
            title(&r),
            format!(
                "attribute: {base} + interventions/24h-opening.toml, interventions/appointments.toml"
            )
        );
        let page = history(&[r]);
        assert_eq!(page.matches(base).count(), 1, "{page}");
        let run = Record {
            kind: "compare".into(),
            names: vec!["A".into(), "B".into()],
            ..Record::clone(&history_record())
        };
        assert_eq!(title(&run), "compare: A vs B");
    }

    fn history_record() -> Record {
        Record {
            id: "1".repeat(64),
            kind: "run".into(),
            files: vec!["a.toml".into(), "b.toml".into()],
            names: vec!["A".into()],
            seed: 1,
            replications: 2,
            stored_at: 0,
            wall_time_s: 0.0,
            headline: vec![],
        }
    }
}
