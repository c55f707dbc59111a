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

use std::path::{Path, PathBuf};

use super::args::{CheckArgs, CheckFormat, RunOptionsArgs};
use super::execute::execute;
use super::output::Outputs;
use super::run::{load, threads};
use super::{Failure, output, signal};
use crate::experiment::baseline::{Baseline, BaselineError, Entry, MIN_REPLICATIONS, root};
use crate::experiment::gate::overall::{FileError, Located, NotChecked, Overall};
use crate::experiment::gate::{self, Provenance, ScenarioCheck, Status, Tolerance};
use crate::experiment::run::{RunOptions, RunOutput};
use crate::report::json::{self, Manifest};
use crate::report::{github, junit, markdown, table};
use crate::scenario::COMMAND_LINE;
use crate::scenario::limits::BASELINE;
use crate::scenario::{self, Override, Scenario, limits};
use crate::store::identity::{Overrides, RunIdentity, Simulated, bytes_hash};
use crate::store::set::SetInfo;
use crate::store::write::{self, rewrite_target};

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

/// The baseline's root, as an absolute path.
fn root_of(args: &CheckArgs, recorded: &Baseline) -> Result<PathBuf, String> {
    root::resolve(recorded.root.as_ref(), &args.baseline).map_err(|e| {
        format!(
            "cannot find the root of baseline `{}` (its keys are relative to it): {e}",
            args.baseline.display()
        )
    })
}

/// The file's key under `root`.
fn key(root_dir: &Path, file: &Path) -> Result<String, String> {
    root::key(root_dir, file).map_err(|e| {
        format!(
            "cannot resolve `{}` relative to the baseline's root `{}`: {e}",
            file.display(),
            root_dir.display()
        )
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

/// What a failure says, without the exit code.
fn message(f: Failure) -> Result<String, Failure> {
    match f {
        Failure::User(m) | Failure::Check(m) => Ok(m),
        interrupted @ Failure::Interrupted { .. } => Err(interrupted),
    }
}

/// A file to check: its scenario and the entry it is checked against.
struct Job<'a> {
    file: &'a Path,
    key: String,
    renamed_from: Option<String>,
    entry: &'a Entry,
    scenario: Scenario,
    options: RunOptions,
}

/// Finds each file's entry: by its key, else (renamed or moved) by its
/// scenario hash among the entries whose own file is gone. Files that
/// cannot be loaded or found are errors; entries not checked are missing
/// (their file is gone) or skipped.
fn plan<'a>(
    args: &'a CheckArgs,
    recorded: &'a Baseline,
    root_dir: &Path,
    overall: &mut Overall,
) -> Vec<Job<'a>> {
    let mut loaded = Vec::new();
    for file in &args.files {
        let k = key(root_dir, file);
        let result = match load_file(file, args) {
            Ok(x) => k.clone().map(|k| (k, x)),
            Err(f) => Err(message(f).unwrap_or_else(|_| "interrupted".to_owned())),
        };
        match result {
            Ok((k, (s, options))) => loaded.push((file.as_path(), k, s, options)),
            // A file that cannot be loaded is still the entry it is keyed
            // as: an error, and neither skipped nor missing (issue 28).
            Err(m) => overall.errors.push(FileError {
                file: file.display().to_string(),
                key: k.ok().filter(|k| recorded.scenarios.contains_key(k)),
                message: m,
                located: locate(file, args, root_dir),
            }),
        }
    }
    let errored = overall.errors.iter().filter_map(|e| e.key.as_deref());
    let mut used: Vec<&str> = loaded
        .iter()
        .map(|(_, k, _, _)| k.as_str())
        .chain(errored)
        .filter_map(|k| recorded.scenarios.get_key_value(k).map(|(k, _)| k.as_str()))
        .collect();
    let gone = |k: &str| !root::file_of(root_dir, k).exists();
    let mut jobs = Vec::new();
    for (file, k, s, options) in loaded {
        if let Some(entry) = recorded.scenarios.get(&k) {
            jobs.push(Job {
                file,
                key: k,
                renamed_from: None,
                entry,
                scenario: s,
                options,
            });
            continue;
        }
        let hash = s.hash();
        let same: Vec<(&String, &Entry)> = recorded
            .scenarios
            .iter()
            .filter(|(_, e)| e.scenario_hash == hash)
            .collect();
        // Only an entry whose own file is gone: a copy of a scenario that
        // is still there is a new scenario, not a rename.
        let best = same
            .iter()
            .find(|(old, _)| gone(old) && !used.contains(&old.as_str()));
        match best {
            Some((old, entry)) => {
                used.push(old.as_str());
                jobs.push(Job {
                    file,
                    key: k,
                    renamed_from: Some((*old).clone()),
                    entry,
                    scenario: s,
                    options,
                });
            }
            None => overall.errors.push(FileError {
                file: file.display().to_string(),
                key: Some(k.clone()),
                located: Vec::new(),
                message: format!(
                    "`{}` is not in baseline `{}` (looked up as `{k}`, and no entry has its scenario hash); record it with `portsim check {} --baseline {} --update-baseline`",
                    file.display(),
                    args.baseline.display(),
                    file.display(),
                    args.baseline.display()
                ),
            }),
        }
    }
    for (k, e) in &recorded.scenarios {
        if used.contains(&k.as_str()) {
            continue;
        }
        let entry = NotChecked {
            key: k.clone(),
            name: e.name.clone(),
        };
        if gone(k) {
            overall.missing.push(entry);
        } else {
            overall.skipped.push(entry);
        }
    }
    jobs
}

/// Where a scenario's mistakes are, for annotations: it is read again
/// (only when it failed, and without running anything) for its
/// diagnostics, each at its file (relative to the baseline's root when it
/// lies under it), line and column.
fn locate(file: &Path, args: &CheckArgs, root_dir: &Path) -> Vec<Located> {
    let Ok(sets) = args
        .sets
        .iter()
        .map(|a| Override::parse(a))
        .collect::<Result<Vec<_>, _>>()
    else {
        return Vec::new();
    };
    let Err(e) = scenario::load_with(file, &[], &sets) else {
        return Vec::new();
    };
    e.diagnostics()
        .iter()
        .filter(|d| d.path.as_os_str() != COMMAND_LINE)
        .map(|d| {
            let (line, column) = d.line_col().unwrap_or((1, 1));
            let mut message = d.message.clone();
            for extra in [&d.label, &d.help].into_iter().flatten() {
                message.push_str("; ");
                message.push_str(extra);
            }
            Located {
                file: root::key(root_dir, &d.path).unwrap_or_else(|_| d.path.display().to_string()),
                line,
                column,
                message,
            }
        })
        .collect()
}

/// `portsim check …`.
pub fn check(args: &CheckArgs) -> Result<(), Failure> {
    if args.update_baseline {
        return update(args);
    }
    let outputs = output::prepare(args.out.as_deref(), None, SET)?;
    if let Some(path) = &args.summary {
        // Checked before anything runs, like every output.
        write::target(path).map_err(user)?;
    }
    let mut overall = Overall::default();
    let fatal = |overall: &mut Overall, file: String, m: String| {
        overall.errors.push(FileError {
            file,
            key: None,
            message: m,
            located: Vec::new(),
        })
    };
    let tolerance = Tolerance::parse(&args.tolerance);
    let metrics = gate::select(&args.metrics);
    let recorded = Baseline::load(&args.baseline);
    let (tolerance, metrics, recorded) = match (tolerance, metrics, recorded) {
        (Ok(t), Ok(m), Ok(b)) => (t, m, b),
        (t, m, b) => {
            if let Err(e) = &t {
                fatal(&mut overall, "--tolerance".into(), e.clone());
            }
            if let Err(e) = m {
                fatal(&mut overall, "--metric".into(), e);
            }
            if let Err(e) = b {
                fatal(
                    &mut overall,
                    args.baseline.display().to_string(),
                    baseline_problem(args, &e),
                );
            }
            let id = identity(args, &[], None, t.as_ref().ok().copied(), &[]);
            report(args, &outputs, &id, &overall, t.ok())?;
            return verdict(&overall, None);
        }
    };
    let root_dir = match root_of(args, &recorded) {
        Ok(r) => r,
        Err(m) => {
            fatal(&mut overall, args.baseline.display().to_string(), m);
            let id = identity(args, &[], Some(&recorded), Some(tolerance), &metrics);
            report(args, &outputs, &id, &overall, Some(tolerance))?;
            return verdict(&overall, Some(tolerance));
        }
    };
    let jobs = plan(args, &recorded, &root_dir, &mut overall);
    // Every input is read now: no output may replace one.
    output::recheck(&outputs)?;
    let id = identity(args, &jobs, Some(&recorded), Some(tolerance), &metrics);
    let mut manifests = Vec::new();
    for job in jobs {
        let Job {
            file,
            key,
            renamed_from,
            entry,
            scenario: mut s,
            mut options,
        } = job;
        let out = match run_with(
            &mut s,
            &mut options,
            entry.seed,
            entry.replications,
            args.quiet,
        ) {
            Ok(out) => out,
            Err(f) => {
                overall.errors.push(FileError {
                    file: file.display().to_string(),
                    key: Some(key),
                    message: message(f)?,
                    located: Vec::new(),
                });
                continue;
            }
        };
        let current = Entry::record(&s, &s.hash(), &out.summary, options.replications);
        let wall = out.wall.as_secs_f64();
        overall.checks.push(ScenarioCheck {
            file: file.display().to_string(),
            key,
            name: s.name.clone(),
            seed: s.seed,
            replications: options.replications,
            provenance: Provenance::new(entry, &current),
            outcomes: gate::check(entry, &out.summary, &metrics, tolerance, &s.costs.currency),
            stopped: out.summary.stopped.iter().map(|(i, _)| *i).collect(),
            wall_time_s: wall,
            renamed_from,
            currency: s.costs.currency.clone(),
            warnings: scenario::load_warnings(&s),
            findings: crate::experiment::findings::of(&out.summary),
        });
        manifests.push(
            Manifest::new(&s, options.replications, threads(&options), wall).with_run_id(id.id()),
        );
    }
    report_with(args, &outputs, &id, &overall, Some(tolerance), &manifests)?;
    verdict(&overall, Some(tolerance))
}

/// What is wrong with the baseline; a missing one says how to record it
/// (issue 28: it said only "No such file or directory").
fn baseline_problem(args: &CheckArgs, e: &BaselineError) -> String {
    match e {
        BaselineError::Read { source, .. } if source.is_not_found() => {
            let files: Vec<String> = args.files.iter().map(|f| f.display().to_string()).collect();
            format!(
                "baseline `{b}` does not exist; to create it, run\n  portsim check {f} --baseline {b} --update-baseline\nwhich runs each scenario with its own seed and replications, writes their results to `{b}`, and checks nothing; review that file and commit it, and later checks compare against it (docs/ci.md)",
                b = args.baseline.display(),
                f = files.join(" "),
            )
        }
        other => other.to_string(),
    }
}

/// The identity of this check: the runs planned, the baseline's bytes and
/// the settings that decide it.
fn identity(
    args: &CheckArgs,
    jobs: &[Job],
    recorded: Option<&Baseline>,
    tolerance: Option<Tolerance>,
    metrics: &[gate::GateMetric],
) -> RunIdentity {
    RunIdentity {
        command: "check",
        runs: jobs
            .iter()
            .map(|j| Simulated {
                label: j.key.clone(),
                scenario_hash: j.scenario.hash(),
                seed: j.entry.seed,
                replications: j.entry.replications,
            })
            .collect(),
        max_trucks: args.max_trucks,
        overrides: Overrides::default(),
        other: vec![
            (
                "baseline_sha256".into(),
                recorded.map_or_else(String::new, |b| bytes_hash(&b.to_bytes())),
            ),
            (
                "tolerance".into(),
                tolerance.map_or_else(|| args.tolerance.clone(), |t| t.to_string()),
            ),
            (
                "metrics".into(),
                metrics.iter().map(|m| m.name).collect::<Vec<_>>().join(","),
            ),
        ],
    }
}

/// The files of a `check --out` set.
const SET: &[&str] = &["check.json", "check.junit.xml"];

fn report(
    args: &CheckArgs,
    outputs: &Outputs,
    id: &RunIdentity,
    overall: &Overall,
    tolerance: Option<Tolerance>,
) -> Result<(), Failure> {
    report_with(args, outputs, id, overall, tolerance, &[])
}

/// Writes the requested format to stdout and, with --out, both files
/// (always: errors, missing and skipped entries included).
fn report_with(
    args: &CheckArgs,
    outputs: &Outputs,
    id: &RunIdentity,
    overall: &Overall,
    tolerance: Option<Tolerance>,
    manifests: &[Manifest],
) -> Result<(), Failure> {
    let doc = json::check(overall, manifests, &args.baseline, tolerance);
    let pretty = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
    let xml = junit::check(overall, tolerance);
    let replications = overall.checks.iter().map(|c| c.replications).sum();
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
    if let Some(path) = &args.summary {
        let section = markdown::check(overall, tolerance);
        write::atomic_append(path, section.as_bytes(), limits::MAX_SUMMARY_BYTES).map_err(user)?;
    }
    match args.format {
        CheckFormat::Table => output::text(&table::check(overall, tolerance, args.quiet)),
        CheckFormat::Json => output::json(&pretty),
        CheckFormat::Junit => output::stdout(xml.as_bytes()),
        CheckFormat::Github => {
            let line = table::check_summary(overall, tolerance);
            output::stdout(github::check(overall, &line).as_bytes())
        }
    }
}

/// The exit code: 2 listing every file that could not be checked, 1
/// listing every failure, else success.
fn verdict(overall: &Overall, tolerance: Option<Tolerance>) -> Result<(), Failure> {
    let mut lines = Vec::new();
    for c in &overall.checks {
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
    for m in &overall.missing {
        lines.push(format!("  {}", gate::overall::missing_note(&m.key)));
    }
    let tol = tolerance.map_or_else(|| "n/a".to_owned(), |t| t.to_string());
    let failed = if lines.is_empty() {
        String::new()
    } else {
        format!(
            "error: {} check(s) failed against the baseline (tolerance {tol}):\n{}\nif the change is intended, record it with --update-baseline and commit the reviewed diff",
            lines.len(),
            lines.join("\n")
        )
    };
    if !overall.errors.is_empty() {
        let errors: Vec<String> = overall
            .errors
            .iter()
            .map(|e| format!("{}:\n{}", e.file, indent(&e.message)))
            .collect();
        let mut text = if overall.checks.is_empty() {
            format!("error: nothing could be checked:\n{}", errors.join("\n"))
        } else {
            format!(
                "error: {} of the files could not be checked (the others were):\n{}",
                overall.errors.len(),
                errors.join("\n")
            )
        };
        if !failed.is_empty() {
            text = format!("{failed}\n{text}");
        }
        return Err(Failure::User(text));
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Failure::Check(failed))
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `portsim check … --update-baseline`.
fn update(args: &CheckArgs) -> Result<(), Failure> {
    // Where the baseline will go is checked before anything runs, and
    // again once every input is read (it may be rewritten, no other input).
    let rewritable = || rewrite_target(&args.baseline, BASELINE).map_err(user);
    rewritable()?;
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
    // Keys are relative to the root found now (the repository, else the
    // baseline's folder); entries recorded from another root are re-keyed.
    let (new_root, root_dir) = root::detect(&args.baseline).map_err(|e| {
        user(format_args!(
            "cannot find the folder of baseline `{}`: {e}",
            args.baseline.display()
        ))
    })?;
    let old_dir = root::resolve(recorded.root.as_ref(), &args.baseline).unwrap_or(root_dir.clone());
    if old_dir != root_dir {
        recorded.scenarios = std::mem::take(&mut recorded.scenarios)
            .into_iter()
            .map(|(k, e)| (root::rekey(&k, &old_dir, &root_dir), e))
            .collect();
    }
    recorded.root = Some(new_root);
    let mut jobs = Vec::new();
    for file in &args.files {
        let (s, options) = load_file(file, args)?;
        let key = key(&root_dir, file).map_err(user)?;
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
    rewritable()?;
    let mut notes = Vec::new();
    for (file, key, mut s, mut options, seed, replications) in jobs {
        let out = run_with(&mut s, &mut options, seed, replications, args.quiet)?;
        if let Some((i, _)) = out.summary.stopped.first() {
            return Err(Failure::Check(format!(
                "error: replication {i} of `{}` was stopped by the runaway guard (the trucks in the system reached, or were heading past, --max-trucks); not recording a baseline of a run that did not finish",
                file.display()
            )));
        }
        let entry = Entry::record(&s, &s.hash(), &out.summary, replications);
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
    output::rewrite(&args.baseline, &recorded.to_bytes(), BASELINE)?;
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
