//! `portsim check`: the regression gate CI runs on committed scenarios, and
//! `--update-baseline`, which records the baseline it checks against.
//!
//! Every input is validated before anything runs (tolerance, metric names,
//! the baseline file, each scenario and its presence in the baseline), so a
//! mistake costs no simulation time and exits 2. A check then reruns each
//! scenario with the baseline's seed and replications and hands the
//! deciding to [`gate`](crate::experiment::gate); this file only wires
//! files, runs and output together. A recording replaces only the entries
//! of the files given and writes the baseline atomically, so an interrupted
//! or failed run never leaves a half-written baseline.

use std::path::Path;

use sha2::Digest;

use super::args::{CheckArgs, CheckFormat, RunOptionsArgs};
use super::output::Outputs;
use super::run::{execute, load, threads};
use super::{Failure, output, signal};
use crate::experiment::baseline::{self, Baseline, Entry, MIN_REPLICATIONS};
use crate::experiment::gate::{self, Provenance, ScenarioCheck, Status, Tolerance};
use crate::experiment::run::{RunOptions, RunOutput};
use crate::report::json::{self, Manifest};
use crate::report::run_id::{Overrides, RunIdentity, Simulated, hex};
use crate::report::set::SetInfo;
use crate::report::{junit, table};
use crate::scenario::{Scenario, limits};

fn user(message: impl std::fmt::Display) -> Failure {
    Failure::User(format!("error: {message}"))
}

/// Loads a scenario with the command's run options (no overrides yet).
fn load_file(file: &Path, args: &CheckArgs) -> Result<(Scenario, RunOptions), Failure> {
    let options = RunOptionsArgs {
        sets: args.sets.clone(),
        replications: None,
        seed: None,
        horizon: None,
        warmup: None,
        threads: args.threads,
        max_trucks: args.max_trucks,
        quiet: args.quiet,
    };
    load(file, &options)
}

/// The file's key in the baseline.
fn key(args: &CheckArgs, file: &Path) -> Result<String, Failure> {
    baseline::key(&args.baseline, file).map_err(|e| {
        user(format_args!(
            "cannot resolve `{}` relative to baseline `{}`: {e}",
            file.display(),
            args.baseline.display()
        ))
    })
}

/// Runs `s` with `seed` and `replications`; an interrupted run is no result.
fn run_with(
    s: &mut Scenario,
    options: &mut RunOptions,
    seed: u64,
    replications: u64,
    quiet: bool,
) -> Result<RunOutput, Failure> {
    s.seed = seed;
    s.replications = replications;
    options.replications = replications;
    let out = execute(s, options, quiet, signal::cancel_flag())?;
    if out.interrupted {
        return Err(Failure::Interrupted { written: false });
    }
    Ok(out)
}

/// `portsim check …`.
pub fn check(args: &CheckArgs) -> Result<(), Failure> {
    if args.update_baseline {
        return update(args);
    }
    let tolerance = Tolerance::parse(&args.tolerance).map_err(user)?;
    let metrics = gate::select(&args.metrics).map_err(user)?;
    let recorded = Baseline::load(&args.baseline).map_err(user)?;
    let mut jobs = Vec::new();
    for file in &args.files {
        let (s, options) = load_file(file, args)?;
        let key = key(args, file)?;
        let Some(entry) = recorded.scenarios.get(&key) else {
            return Err(user(format_args!(
                "`{}` is not in baseline `{}` (looked up as `{key}`); record it with `portsim check {} --baseline {} --update-baseline`",
                file.display(),
                args.baseline.display(),
                file.display(),
                args.baseline.display()
            )));
        };
        jobs.push((file, key, entry, s, options));
    }
    let id = RunIdentity {
        command: "check",
        runs: jobs
            .iter()
            .map(|(_, key, entry, s, _)| Simulated {
                label: key.clone(),
                scenario_hash: json::scenario_hash(s),
                seed: entry.seed,
                replications: entry.replications,
            })
            .collect(),
        max_trucks: args.max_trucks,
        overrides: Overrides::default(),
        other: vec![
            (
                "baseline_sha256".into(),
                hex(&sha2::Sha256::digest(recorded.to_bytes())),
            ),
            ("tolerance".into(), tolerance.to_string()),
            (
                "metrics".into(),
                metrics.iter().map(|m| m.name).collect::<Vec<_>>().join(","),
            ),
        ],
    };
    let outputs = output::prepare(args.out.as_deref(), None, SET)?;
    let mut checks = Vec::new();
    for (file, key, entry, mut s, mut options) in jobs {
        let out = run_with(
            &mut s,
            &mut options,
            entry.seed,
            entry.replications,
            args.quiet,
        )?;
        let current = Entry::record(
            &s,
            &json::scenario_hash(&s),
            &out.summary,
            options.replications,
        );
        let wall = out.wall.as_secs_f64();
        let check = ScenarioCheck {
            file: file.display().to_string(),
            key,
            name: s.name.clone(),
            seed: s.seed,
            replications: options.replications,
            provenance: Provenance::new(entry, &current),
            outcomes: gate::check(entry, &out.summary, &metrics, tolerance),
            stopped: out.summary.stopped.iter().map(|(i, _)| *i).collect(),
            wall_time_s: wall,
        };
        let manifest =
            Manifest::new(&s, options.replications, threads(&options), wall).with_run_id(id.id());
        checks.push((check, manifest));
    }
    report(args, &outputs, &id, &checks, tolerance)?;
    verdict(&checks, tolerance)
}

/// The files of a `check --out` set.
const SET: &[&str] = &["check.json", "check.junit.xml"];

/// Writes the requested format to stdout and, with --out, both files.
fn report(
    args: &CheckArgs,
    outputs: &Outputs,
    id: &RunIdentity,
    checks: &[(ScenarioCheck, Manifest)],
    tolerance: Tolerance,
) -> Result<(), Failure> {
    let doc = json::check(checks, &args.baseline, tolerance);
    let pretty = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
    let plain: Vec<ScenarioCheck> = checks.iter().map(|(c, _)| c.clone()).collect();
    let xml = junit::check(&plain, tolerance);
    let replications = checks.iter().map(|(c, _)| c.replications).sum();
    output::out_set(
        outputs,
        || {
            vec![
                ("check.json", pretty.clone().into_bytes()),
                ("check.junit.xml", xml.clone().into_bytes()),
            ]
        },
        &SetInfo {
            run_id: id.id(),
            identity: id.to_json(),
            complete: true,
            replications,
            replications_requested: replications,
        },
    )?;
    match args.format {
        CheckFormat::Table => output::text(&table::check(&plain, tolerance)),
        CheckFormat::Json => output::json(&pretty),
        CheckFormat::Junit => output::stdout(xml.as_bytes()),
    }
}

/// Exit 1 with every failure listed when anything failed.
fn verdict(checks: &[(ScenarioCheck, Manifest)], tolerance: Tolerance) -> Result<(), Failure> {
    let mut lines = Vec::new();
    for (c, _) in checks {
        for o in c.outcomes.iter().filter(|o| o.status == Status::Failed) {
            lines.push(format!(
                "  {}: {}: {} ({})",
                c.file, o.metric.name, o.note, c.provenance
            ));
        }
        if !c.stopped.is_empty() {
            lines.push(format!(
                "  {}: replications {:?} were stopped by the runaway guard (the trucks in the system reached, or were heading past, --max-trucks)",
                c.file, c.stopped
            ));
        }
    }
    if lines.is_empty() {
        return Ok(());
    }
    Err(Failure::Check(format!(
        "error: {} check(s) failed against the baseline (tolerance {tolerance}):\n{}\nif the change is intended, record it with --update-baseline and commit the reviewed diff",
        lines.len(),
        lines.join("\n")
    )))
}

/// `portsim check … --update-baseline`.
fn update(args: &CheckArgs) -> Result<(), Failure> {
    // Where the baseline will go is checked before anything runs.
    crate::report::write::target(&args.baseline).map_err(user)?;
    let (mut recorded, old_format) = Baseline::load_for_update(&args.baseline).map_err(|e| {
        user(format_args!(
            "{e}; fix or delete it to record a new baseline"
        ))
    })?;
    if let Some(dir) = args.baseline.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| user(format_args!("cannot create `{}`: {e}", dir.display())))?;
    }
    if let Some(r) = args.replications {
        limits::replications(r).map_err(|e| {
            user(format_args!(
                "invalid value `{r}` for `--replications`: {e}"
            ))
        })?;
    }
    let mut jobs = Vec::new();
    for file in &args.files {
        let (s, options) = load_file(file, args)?;
        let key = key(args, file)?;
        let old = recorded.scenarios.get(&key);
        let replications = args
            .replications
            .or(old.map(|e| e.replications))
            .unwrap_or(s.replications);
        if replications < MIN_REPLICATIONS {
            return Err(user(format_args!(
                "a baseline needs at least {MIN_REPLICATIONS} replications for a paired confidence interval, `{}` would record {replications}; pass --replications",
                file.display()
            )));
        }
        let seed = args.seed.unwrap_or(s.seed);
        jobs.push((file, key, s, options, seed, replications));
    }
    let mut notes = Vec::new();
    for (file, key, mut s, mut options, seed, replications) in jobs {
        let out = run_with(&mut s, &mut options, seed, replications, args.quiet)?;
        if let Some((i, _)) = out.summary.stopped.first() {
            return Err(Failure::Check(format!(
                "error: replication {i} of `{}` was stopped by the runaway guard (the trucks in the system reached, or were heading past, --max-trucks); not recording a baseline of a run that did not finish",
                file.display()
            )));
        }
        let entry = Entry::record(&s, &json::scenario_hash(&s), &out.summary, replications);
        let what = match recorded.scenarios.get(&key) {
            None => "recorded",
            Some(old) if *old == entry => "unchanged",
            Some(_) => "updated",
        };
        notes.push(format!(
            "{what} `{key}` ({replications} replications, seed {seed}, {:.1} s)",
            out.wall.as_secs_f64()
        ));
        recorded.scenarios.insert(key, entry);
    }
    if let Some(format) = old_format {
        // Entries of the old format that were not re-recorded cannot be
        // carried over: their numbers mean something else.
        let stale: Vec<String> = recorded
            .scenarios
            .iter()
            .filter(|(_, e)| e.metrics.is_empty())
            .map(|(k, _)| k.clone())
            .collect();
        for key in &stale {
            recorded.scenarios.remove(key);
        }
        notes.push(format!(
            "converted the baseline from format {format} to format {}{}",
            crate::experiment::baseline::FORMAT,
            if stale.is_empty() {
                String::new()
            } else {
                format!(
                    "; dropped entries not given here (record them again): {}",
                    stale.join(", ")
                )
            }
        ));
    }
    output::file(&args.baseline, &recorded.to_bytes())?;
    if !args.quiet {
        let mut text = String::new();
        for n in notes {
            text.push_str(&n);
            text.push('\n');
        }
        text.push_str(&format!(
            "baseline written to {}; review the diff and commit it\n",
            args.baseline.display()
        ));
        output::text(&text)?;
    }
    Ok(())
}
