//! What a job computes: a request checked into scenarios ready to run,
//! then run on the existing replication machinery and rendered by the
//! report's own renderers.
//!
//! [`prepare`] does everything that can fail because of the user before a
//! job is queued: names checked against the workspace, scenarios loaded
//! with the CLI's diagnostics, seed and replications checked against
//! [`crate::scenario::limits`] like the CLI's flags, and the run id
//! computed the way `portsim run`/`compare` compute it (so the same
//! request from the command line carries the same id). [`execute`] then
//! runs it with no async code at all: a single run goes through
//! [`Runner`] in rounds (bit for bit the results of one plain run, see
//! `decide::runner`), so the current 95% half-width of the time in port
//! can be reported between rounds; a comparison pairs replication `i` of
//! both sides as `portsim compare` does. The outputs are the CLI's JSON,
//! CSV and HTML report.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use serde::Deserialize;

use super::kind::Kind;
use super::outcome::{Finished, Report, SHOWN, change_headline, record};
use super::prepared::{PrepareError, Prepared, diagnostics};
use super::workspace::Workspace;
use crate::decide::runner::{Runner, output};
use crate::experiment::compare::changes;
use crate::experiment::estimate::Estimate;
use crate::experiment::run::{RunOptions, RunOutput, run_together};
use crate::experiment::summary::Accumulator;
use crate::experiment::unlike::Differences;
use crate::model::Limits;
use crate::report::format;
use crate::report::html::{Comparison, Side};
use crate::report::{csv, html, json};
use crate::scenario::{Scenario, limits};
use crate::store::identity::{Overrides, RunIdentity, Simulated};

/// The metric whose interval the progress stream reports.
pub const WATCHED: &str = "time_in_port_s";

/// A job as the browser asks for it.
#[derive(Clone, Debug, Deserialize)]
pub struct JobRequest {
    /// `run`, `compare`, `attribute`, or a study: `sweep`, `plan`,
    /// `sensitivity` (one study file).
    pub kind: String,
    /// Workspace files: one to run, baseline and variant, or baseline and
    /// interventions.
    pub files: Vec<String>,
    /// Master seed (default: the (baseline) scenario's).
    pub seed: Option<u64>,
    /// Replications (default: the (baseline) scenario's).
    pub replications: Option<u64>,
}

/// Checks `request` against the workspace and the limits.
pub fn prepare(ws: &Workspace, request: &JobRequest) -> Result<Prepared, PrepareError> {
    let n = request.files.len();
    let study_kind = match request.kind.as_str() {
        "sweep" => Some(Kind::Sweep),
        "plan" => Some(Kind::Plan),
        "sensitivity" => Some(Kind::Sensitivity),
        _ => None,
    };
    if let Some(kind) = study_kind {
        let [file] = request.files.as_slice() else {
            return Err(PrepareError::Usage(format!(
                "`{}` needs 1 study file, found {n} file(s)",
                request.kind
            )));
        };
        if let Some(r) = request.replications {
            limits::replications(r).map_err(|e| {
                PrepareError::Limit(format!("invalid value `{r}` for `replications`: {e}"))
            })?;
        }
        return super::study::prepare(ws, file, kind, request.seed, request.replications);
    }
    let kind = match (request.kind.as_str(), n) {
        ("run", 1) => Kind::Run,
        ("compare", 2) => Kind::Compare,
        ("attribute", 2..=5) => Kind::Attribute,
        ("run" | "compare" | "attribute", n) => {
            let needs = match request.kind.as_str() {
                "run" => "1 file",
                "compare" => "2 files",
                _ => "a baseline and 1 to 4 interventions",
            };
            return Err(PrepareError::Usage(format!(
                "`{}` needs {needs}, found {n} file(s)",
                request.kind
            )));
        }
        (other, _) => {
            return Err(PrepareError::Usage(format!(
                "unknown job kind `{other}`; expected `run`, `compare`, `attribute`, `sweep`, `plan` or `sensitivity`"
            )));
        }
    };
    if let Some(r) = request.replications {
        limits::replications(r).map_err(|e| {
            PrepareError::Limit(format!("invalid value `{r}` for `replications`: {e}"))
        })?;
    }
    let invalid = |file: &str| {
        let file = file.to_owned();
        move |e: crate::scenario::ScenarioError| PrepareError::Invalid {
            file,
            diagnostics: diagnostics(&e),
        }
    };
    let (mut scenarios, labels): (Vec<Scenario>, Vec<String>) = match kind {
        Kind::Attribute => super::attribute::factorial(ws, &request.files)?,
        _ => {
            let mut list = Vec::with_capacity(n);
            for file in &request.files {
                let mut s = ws.load(file)?.map_err(invalid(file))?;
                s.source = file.into();
                list.push(s);
            }
            let labels = if kind == Kind::Run {
                vec!["scenario".to_owned()]
            } else {
                vec!["baseline".to_owned(), "variant".to_owned()]
            };
            (list, labels)
        }
    };
    let seed = request.seed.unwrap_or(scenarios[0].seed);
    let replications = request.replications.unwrap_or(scenarios[0].replications);
    for s in &mut scenarios {
        s.seed = seed;
        s.replications = replications;
        limits::check(s).map_err(|e| PrepareError::Limit(format!("error: {e}")))?;
    }
    if let (Kind::Compare | Kind::Attribute, Some(first), Some(last)) =
        (kind, scenarios.first(), scenarios.last())
    {
        Differences::between(first, last).map_err(|e| PrepareError::Usage(e.to_string()))?;
    }
    let identity = RunIdentity {
        command: match kind {
            Kind::Run => "run",
            _ => "compare",
        },
        runs: scenarios
            .iter()
            .zip(labels)
            .map(|(s, label)| Simulated {
                label,
                scenario_hash: s.hash(),
                seed,
                replications,
            })
            .collect(),
        max_trucks: Limits::default().max_in_system,
        overrides: Overrides {
            seed: request.seed,
            replications: request.replications,
            ..Overrides::default()
        },
        other: Vec::new(),
    };
    Ok(Prepared {
        kind,
        files: request.files.clone(),
        scenarios,
        seed,
        replications,
        identity,
        study: None,
        root: ws.root().to_path_buf(),
    })
}

/// Runs `job`; `Ok(None)` if it was cancelled (nothing is kept).
pub fn execute(
    job: &Prepared,
    cancel: &AtomicBool,
    report: &dyn Report,
) -> Result<Option<Finished>, String> {
    let count = AtomicU64::new(0);
    let on_done = || report.done(count.fetch_add(1, Ordering::SeqCst) + 1);
    match job.kind {
        Kind::Run => {
            let s = &job.scenarios[0];
            let out = run_in_rounds(s, job.replications, cancel, &on_done, report)?;
            if out.interrupted {
                return Ok(None);
            }
            Ok(Some(finish_run(job, s, &out)))
        }
        Kind::Compare => {
            let refs: Vec<&Scenario> = job.scenarios.iter().collect();
            let options = RunOptions {
                replications: job.replications,
                ..RunOptions::for_scenario(refs[0])
            };
            let mut outs =
                run_together(&refs, &options, cancel, on_done).map_err(|e| e.to_string())?;
            if outs.iter().any(|o| o.interrupted) || outs.len() != 2 {
                return Ok(None);
            }
            let v = outs.remove(1);
            let b = outs.remove(0);
            finish_compare(job, &b, &v).map(Some)
        }
        Kind::Attribute => {
            let refs: Vec<&Scenario> = job.scenarios.iter().collect();
            let options = RunOptions {
                replications: job.replications,
                ..RunOptions::for_scenario(refs[0])
            };
            let outs = run_together(&refs, &options, cancel, on_done).map_err(|e| e.to_string())?;
            if outs.iter().any(|o| o.interrupted) || outs.len() != refs.len() {
                return Ok(None);
            }
            super::attribute::finish(job, &outs).map(Some)
        }
        Kind::Sweep | Kind::Plan | Kind::Sensitivity => match &job.study {
            Some(study) => super::study::execute(job, study, cancel, report),
            None => Err("internal error: a study job without its study".into()),
        },
    }
}

/// A single run in about ten rounds, reporting the half-width after each.
fn run_in_rounds(
    s: &Scenario,
    n: u64,
    cancel: &AtomicBool,
    on_done: &(dyn Fn() + Sync),
    report: &dyn Report,
) -> Result<RunOutput, String> {
    let started = std::time::Instant::now();
    let runner = Runner {
        threads: None,
        limits: Limits::default(),
    };
    let round = n.div_ceil(10).max(4);
    let mut whole = Accumulator::new(s);
    let mut watched: Vec<f64> = Vec::new();
    let mut finished = 0;
    let mut start = 0;
    while start < n {
        let end = (start + round).min(n);
        let out = runner
            .run(s, start..end, cancel, on_done, Some(&mut whole))
            .map_err(|e| e.to_string())?;
        finished += out.finished;
        if let Some(m) = out.summary.metric(WATCHED) {
            watched.extend(&m.samples);
        }
        report.half_width(Estimate::from_samples(&watched).half_width());
        if out.interrupted {
            break;
        }
        start = end;
    }
    let interrupted = finished < n;
    Ok(output(
        whole.finish(),
        finished,
        n,
        interrupted,
        started.elapsed(),
    ))
}

fn finish_run(job: &Prepared, s: &Scenario, out: &RunOutput) -> Finished {
    let cur = &s.costs.currency;
    let warnings = crate::scenario::load_warnings(s);
    let manifest = json::Manifest::new(
        s,
        job.replications,
        rayon::current_num_threads(),
        out.wall.as_secs_f64(),
    )
    .with_run_id(job.run_id());
    let doc = json::run(s, out, &manifest, &warnings);
    let pretty = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
    let summary_csv = csv::with_complete(&csv::summary(&out.summary, cur), out.complete);
    let page = html::run(s, out, &manifest, &warnings);
    let headline = SHOWN
        .iter()
        .filter_map(|name| {
            let m = out.summary.metric(name)?;
            Some((
                (*name).to_owned(),
                format!(
                    "{} {}",
                    format::value(m.estimate.mean, m.unit, cur),
                    format::interval(&m.estimate, m.unit, cur)
                ),
            ))
        })
        .collect();
    let files = vec![
        ("results.json", pretty.into_bytes()),
        ("results.csv", summary_csv),
        ("report.html", page.into_bytes()),
        ("resolved-0.toml", s.resolved.clone().into_bytes()),
    ];
    (record(job, out.wall.as_secs_f64(), headline), files)
}

fn finish_compare(job: &Prepared, b: &RunOutput, v: &RunOutput) -> Result<Finished, String> {
    let (bs, vs) = (&job.scenarios[0], &job.scenarios[1]);
    let cur = &bs.costs.currency;
    let diff = Differences::between(bs, vs).map_err(|e| e.to_string())?;
    let mut changes = changes(&b.summary, &v.summary);
    diff.apply(&mut changes);
    let manifest = json::Manifest::new(
        bs,
        job.replications,
        rayon::current_num_threads(),
        (b.wall + v.wall).as_secs_f64(),
    )
    .with_run_id(job.run_id());
    let complete = b.complete && v.complete;
    let mut doc = json::compare(
        [bs, vs],
        [&b.summary, &v.summary],
        &changes,
        &manifest,
        complete,
    );
    if let serde_json::Value::Object(map) = &mut doc {
        map.insert("differences".into(), serde_json::json!(diff.line()));
    }
    let pretty = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
    let table = csv::with_complete(&csv::comparison(&changes, &b.summary, cur), complete);
    let differences = diff.line();
    let page = html::compare(&Comparison {
        baseline: Side {
            scenario: bs,
            summary: &b.summary,
        },
        variant: Side {
            scenario: vs,
            summary: &v.summary,
        },
        changes: &changes,
        manifest: &manifest,
        complete,
        differences: &differences,
        attribution: None,
    });
    let headline = change_headline(&changes);
    let files = vec![
        ("results.json", pretty.into_bytes()),
        ("results.csv", table),
        ("report.html", page.into_bytes()),
        ("resolved-0.toml", bs.resolved.clone().into_bytes()),
        ("resolved-1.toml", vs.resolved.clone().into_bytes()),
    ];
    Ok((
        record(job, (b.wall + v.wall).as_secs_f64(), headline),
        files,
    ))
}
