//! Studies in the web app: a sweep, plan or sensitivity file of the
//! workspace read with the command line's own readers, its paths kept
//! inside the workspace, run on the same job queue and rendered by the
//! same report functions as `portsim sweep|plan|sensitivity`.
//!
//! A study file is a `.toml` whose top level names a `scenario = "…"`
//! string; which study it is follows from its table of work (`factors`:
//! sweep, `decide`: plan, `parameters`: sensitivity). Before the study
//! reader opens anything, [`load`] checks the paths the file names
//! (`scenario`, and a sensitivity's `variant`): each, taken relative to
//! the study file, must be a plain workspace name, and the scenario it
//! names is loaded with its `extends` chain confined to the workspace
//! ([`Workspace::load`]), so a study cannot make the server read a file
//! outside it. Its run id is [`crate::decide::identity::study`], the one
//! the command line computes, so the ledger keys a study the way
//! `portsim sweep … --out` does (study file, resolved scenarios, seed,
//! replications, version, guard).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use serde::Deserialize;
use serde_spanned::Spanned;

use super::kind::{Kind, kind_of};
use super::ledger::Record;
use super::outcome::{self, Finished, Report};
use super::prepared::{self, PrepareError, Prepared, Study, diagnostics};
use super::workspace::{PathError, Workspace, plain_name};
use crate::decide::DecideError;
use crate::decide::identity::{self, Asked};
use crate::decide::plan::{self, Hooks};
use crate::decide::points::{self, Options, Outcome};
use crate::decide::runner::Runner;
use crate::decide::sensitivity;
use crate::decide::sweep;
use crate::model::Limits;
use crate::report::decide::{csv, html, json};
use crate::report::json::Manifest;
use crate::scenario::toml_file::TomlFile;
use crate::scenario::{Override, Scenario, ScenarioError, limits};

/// The paths `file` names, each checked to be a workspace file whose
/// scenario (and `extends` chain) stays inside the workspace.
fn confine(ws: &Workspace, name: &str, file: &TomlFile) -> Result<(), PrepareError> {
    #[derive(Deserialize)]
    struct Paths {
        scenario: Option<Spanned<String>>,
        variant: Option<Spanned<String>>,
    }
    // A file that does not decode is reported by the study reader, which
    // stops before it opens any scenario.
    let Ok(paths) = toml::from_str::<Paths>(&file.text) else {
        return Ok(());
    };
    let dir = name.rsplit_once('/').map_or("", |(d, _)| d);
    for (key, path) in [("scenario", paths.scenario), ("variant", paths.variant)] {
        let Some(path) = path else { continue };
        let refuse = |why: &str| {
            let d = file.error(
                Some(path.span()),
                format!(
                    "`{key}` names \"{}\", {why}; in the app a study may only name scenario files inside the workspace",
                    path.get_ref()
                ),
            );
            invalid(ws, name, ScenarioError::Invalid(vec![d]))
        };
        let Some(rel) = join(dir, path.get_ref()) else {
            return Err(refuse("which leads outside the workspace"));
        };
        if !plain_name(&rel) {
            return Err(refuse(
                "which is not a plain relative name ending in `.toml`",
            ));
        }
        match ws.load(&rel) {
            Ok(Ok(_)) | Err(PathError::Missing(_)) => {}
            Ok(Err(e)) => return Err(invalid(ws, &rel, e)),
            Err(PathError::Outside(_)) => {
                return Err(refuse("which leads outside the workspace"));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// `relative` taken from the workspace folder `dir`; `None` if it is
/// absolute or climbs above the workspace.
fn join(dir: &str, relative: &str) -> Option<String> {
    if relative.starts_with('/') || relative.contains('\\') {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

fn invalid(ws: &Workspace, file: &str, e: ScenarioError) -> PrepareError {
    PrepareError::Invalid {
        file: file.to_owned(),
        diagnostics: diagnostics(&ws.relative_error(e)),
    }
}

fn decide_error(ws: &Workspace, file: &str, e: DecideError) -> PrepareError {
    match e {
        DecideError::Scenario(e) => invalid(ws, file, e),
        DecideError::Study { diagnostics, .. } => {
            invalid(ws, file, ScenarioError::Invalid(diagnostics))
        }
        other => PrepareError::Usage(ws.relative(&other.to_string())),
    }
}

/// Reads the study `name` (text `text`) as `kind`, with `asked`'s seed
/// and replications as overrides, after checking its paths.
pub fn load(
    ws: &Workspace,
    name: &str,
    text: &str,
    kind: Kind,
    asked: &Asked,
) -> Result<Study, PrepareError> {
    let path = ws.resolve(name)?;
    let file = TomlFile::new(&path, text);
    confine(ws, name, &file)?;
    let overrides = asked
        .as_sets()
        .iter()
        .map(|s| Override::parse(s).map_err(|d| PrepareError::Usage(d.render())))
        .collect::<Result<Vec<_>, _>>()?;
    let e = |e| decide_error(ws, name, e);
    Ok(match kind {
        Kind::Plan => Study::Plan(Box::new(plan::parse(&file, &overrides).map_err(e)?)),
        Kind::Sensitivity => {
            Study::Sensitivity(Box::new(sensitivity::parse(&file, &overrides).map_err(e)?))
        }
        _ => Study::Sweep(Box::new(sweep::parse(&file, &overrides).map_err(e)?)),
    })
}

/// The editor's diagnostics of a study file: those `portsim sweep|plan|
/// sensitivity` would print, and the workspace's path refusals.
pub fn check(
    ws: &Workspace,
    name: &str,
    text: &str,
    kind: Kind,
) -> Result<Vec<prepared::DiagnosticJson>, PathError> {
    match load(ws, name, text, kind, &Asked::default()) {
        Ok(_) => Ok(Vec::new()),
        Err(PrepareError::Path(p)) => Err(p),
        Err(PrepareError::Invalid { diagnostics, .. }) => Ok(diagnostics),
        Err(PrepareError::Usage(m) | PrepareError::Limit(m)) => {
            Ok(vec![prepared::DiagnosticJson {
                file: name.to_owned(),
                line: None,
                column: None,
                message: m.clone(),
                label: None,
                help: None,
                rendered: m,
            }])
        }
    }
}

/// A study job for the workspace file `name`.
pub fn prepare(
    ws: &Workspace,
    name: &str,
    kind: Kind,
    seed: Option<u64>,
    replications: Option<u64>,
) -> Result<Prepared, PrepareError> {
    let text = ws.read(name)?;
    if kind_of(&text).is_none() {
        return Err(PrepareError::Usage(format!(
            "`{name}` is not a study file: a sweep, plan or sensitivity file starts with `scenario = \"…\"`"
        )));
    }
    let asked = Asked {
        sets: &[],
        seed,
        replications,
    };
    let study = load(ws, name, &text, kind, &asked)?;
    let (command, labels): (&'static str, Vec<(String, &Scenario)>) = match &study {
        Study::Sweep(sw) => (
            "sweep",
            sw.points
                .iter()
                .enumerate()
                .map(|(i, p)| (format!("point {i}"), &p.scenario))
                .collect(),
        ),
        Study::Sensitivity(s) => (
            "sensitivity",
            s.points
                .iter()
                .enumerate()
                .map(|(i, p)| (format!("setting {i}"), &p.scenario))
                .collect(),
        ),
        Study::Plan(p) => ("plan", vec![("base".to_owned(), &p.base)]),
    };
    for (_, s) in &labels {
        limits::check(s).map_err(|e| PrepareError::Limit(format!("error: {e}")))?;
    }
    let identity = identity::study(
        command,
        &labels,
        Limits::default().max_in_system,
        &asked,
        &text,
    );
    let base = study.base().clone();
    Ok(Prepared {
        kind,
        files: vec![name.to_owned()],
        seed: base.seed,
        replications: base.replications,
        scenarios: vec![base],
        identity,
        study: Some(Arc::new(study)),
        root: ws.root().to_path_buf(),
    })
}

/// The replications a study runs, if known in advance (a plan's are not).
pub fn units(study: &Study) -> u64 {
    let sum = |p: &[points::Resolved]| p.iter().map(|x| x.scenario.replications).sum();
    match study {
        Study::Sweep(s) => sum(&s.points),
        Study::Sensitivity(s) => sum(&s.points),
        Study::Plan(p) => p.first,
    }
}

/// The files of a ledger entry, by name.
type LedgerFiles = Vec<(&'static str, Vec<u8>)>;

/// Runs a study job; `Ok(None)` if it was cancelled.
pub fn execute(
    job: &Prepared,
    study: &Study,
    cancel: &AtomicBool,
    report: &dyn Report,
) -> Result<Option<Finished>, String> {
    let runner = Runner {
        threads: None,
        limits: Limits::default(),
    };
    let count = AtomicU64::new(0);
    let on_replication = || report.done(count.fetch_add(1, Ordering::SeqCst) + 1);
    let started = Instant::now();
    let manifest = |base: &Scenario, replications: u64| {
        Manifest::new(
            base,
            replications,
            rayon::current_num_threads(),
            started.elapsed().as_secs_f64(),
        )
        .with_run_id(job.run_id())
    };
    let pretty =
        |doc: &serde_json::Value| serde_json::to_string_pretty(doc).unwrap_or_default() + "\n";
    let run_points = |list: &[points::Resolved]| -> Result<Option<Outcome>, String> {
        let n = list.len() as u64;
        let on_point = |i: usize, _found: bool| report.points(i as u64, Some(n), units(study));
        let options = Options {
            runner: &runner,
            cache: None,
            cancel,
            on_point: &on_point,
            on_replication: &on_replication,
        };
        match points::run(list, &options) {
            Ok(o) if o.complete => {
                report.points(n, Some(n), units(study));
                Ok(Some(o))
            }
            Ok(_) | Err(DecideError::Interrupted) => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    };
    let (files, headline): (LedgerFiles, Vec<(String, String)>) = match study {
        Study::Sweep(sw) => {
            let Some(outcome) = run_points(&sw.points)? else {
                return Ok(None);
            };
            let m = manifest(&sw.base, sw.base.replications);
            let doc = pretty(&json::sweep(sw, &outcome, &m));
            (
                vec![
                    ("results.json", doc.into_bytes()),
                    ("results.csv", csv::sweep(sw, &outcome)),
                    ("report.html", html::sweep(sw, &outcome, &m).into_bytes()),
                ],
                vec![("points".to_owned(), sw.points.len().to_string())],
            )
        }
        Study::Sensitivity(s) => {
            let Some(outcome) = run_points(&s.points)? else {
                return Ok(None);
            };
            let findings = sensitivity::findings(s, &outcome);
            let m = manifest(&s.base, s.base.replications);
            let doc = pretty(&json::sensitivity(s, &outcome, findings.as_ref(), &m));
            (
                vec![
                    ("results.json", doc.into_bytes()),
                    (
                        "report.html",
                        html::sensitivity(s, findings.as_ref(), &m).into_bytes(),
                    ),
                ],
                vec![("settings".to_owned(), s.points.len().to_string())],
            )
        }
        Study::Plan(p) => {
            let looks = AtomicU64::new(0);
            let on_look = |_: &str, from: u64, to: u64| {
                let look = looks.fetch_add(1, Ordering::SeqCst);
                let now = count.load(Ordering::SeqCst);
                report.points(look, None, now + to.saturating_sub(from));
            };
            let hooks = Hooks {
                on_look: &on_look,
                on_replication: &on_replication,
            };
            let answer = match plan::solve(p, &runner, cancel, &hooks) {
                Ok(a) if a.complete => a,
                Ok(_) | Err(DecideError::Interrupted) => return Ok(None),
                Err(e) => return Err(e.to_string()),
            };
            let m = manifest(&p.base, p.first);
            let doc = pretty(&json::plan(p, &answer, &m));
            (
                vec![
                    ("results.json", doc.into_bytes()),
                    ("report.html", html::plan(p, &answer, &m).into_bytes()),
                ],
                vec![("candidates".to_owned(), answer.candidates.len().to_string())],
            )
        }
    };
    let mut files = files;
    files.push((
        "resolved-0.toml",
        study.base().resolved.clone().into_bytes(),
    ));
    let record: Record = outcome::record(job, started.elapsed().as_secs_f64(), headline);
    Ok(Some((record, files)))
}
