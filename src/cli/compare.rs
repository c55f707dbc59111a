//! `portsim compare`: a paired comparison of two scenarios, or the
//! attribution of a change to interventions.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use super::args::{CompareArgs, CompareFormat};
use super::output::Outputs;
use super::run::{identity, load, overrides, threads};
use super::sets::parse_sets;
use super::shard::{self, Context, Work};
use super::{Failure, output};
use crate::experiment::attribution::Attribution;
use crate::experiment::compare::{Change, changes};
use crate::experiment::factorial;
use crate::experiment::run::{RunOptions, RunOutput};
use crate::experiment::summary::Summary;
use crate::experiment::unlike::Differences;
use crate::report::{csv, html, json, table};
use crate::scenario::intervention::{self, Relation};
use crate::scenario::{self, Scenario};
use crate::store::identity::{Overrides, RunIdentity};
use crate::store::set::SetInfo;

/// What differs between the sides, or exit 2 when their costs are in two
/// currencies.
fn differences(baseline: &Scenario, variant: &Scenario) -> Result<Differences, Failure> {
    Differences::between(baseline, variant).map_err(|e| Failure::User(format!("error: {e}")))
}

/// Runs `scenarios` with the given seed, replications and threads,
/// replication `i` of all of them as one unit (so an interrupted run keeps
/// whole pairs).
/// `None`: a shard ran and wrote its part.
fn run_aligned(
    scenarios: &mut [&mut Scenario],
    seed: u64,
    options: &RunOptions,
    (work, id, args): (&Work, &RunIdentity, &CompareArgs),
    cancel: &AtomicBool,
) -> Result<Option<Vec<RunOutput>>, Failure> {
    for s in scenarios.iter_mut() {
        s.seed = seed;
        s.replications = options.replications;
    }
    let refs: Vec<&Scenario> = scenarios.iter().map(|s| &**s).collect();
    let label = match refs.len() {
        1 => refs[0].name.clone(),
        2 => format!("{} vs {}", refs[0].name, refs[1].name),
        n => format!("{} ({n} combinations)", refs[0].name),
    };
    let ctx = Context {
        command: "compare",
        run_id: id.id(),
        overrides: &args.options.sets,
        seed,
        replications: options.replications,
    };
    shard::together(
        work,
        &ctx,
        &refs,
        options,
        &label,
        args.options.quiet,
        cancel,
    )
}

/// `portsim compare …`.
pub fn compare(args: &CompareArgs) -> Result<(), Failure> {
    let work = shard::work(&args.shard, args.out.is_some() || args.html.is_some())?;
    compare_with(args, &work)
}

/// `portsim compare …` doing `work` with its replications: all of them,
/// a shard's, or those of merged parts.
pub fn compare_with(args: &CompareArgs, work: &Work) -> Result<(), Failure> {
    if !args.interventions.is_empty() {
        if args.variant.is_some() {
            return Err(Failure::User(
                "error: give either a VARIANT or --intervention files, not both".into(),
            ));
        }
        return interventions(args, work);
    }
    let Some(variant_path) = &args.variant else {
        return Err(Failure::User(
            "error: `portsim compare` needs a VARIANT scenario or at least one --intervention FILE\n\nusage: portsim compare BASELINE VARIANT\n       portsim compare BASELINE --intervention A.toml --intervention B.toml".into(),
        ));
    };
    let (baseline, options) = load(&args.baseline, &args.options)?;
    let (mut variant, _) = load(variant_path, &args.options)?;
    warn_patches(&[&baseline, &variant], args.options.quiet);
    let mut baseline = baseline;
    let seed = baseline.seed;
    variant.seed = seed;
    let diff = differences(&baseline, &variant)?;
    let id = identity(
        "compare",
        &[("baseline".into(), &baseline), ("variant".into(), &variant)],
        &options,
        &args.options,
    )?;
    let outputs = output::prepare(args.out.as_deref(), args.html.as_deref(), SET)?;
    let cancel = super::signal::cancel_flag();
    let Some(mut outs) = run_aligned(
        &mut [&mut baseline, &mut variant],
        seed,
        &options,
        (work, &id, args),
        cancel,
    )?
    else {
        return Ok(());
    };
    let v = outs.pop().ok_or_else(|| internal("no variant run"))?;
    let b = outs.pop().ok_or_else(|| internal("no baseline run"))?;
    let mut changes = changes(&b.summary, &v.summary);
    diff.apply(&mut changes);
    let manifest = json::Manifest::new(
        &baseline,
        options.replications,
        threads(&options),
        (b.wall + v.wall).as_secs_f64(),
    )
    .with_run_id(id.id());
    let done = b.finished.min(v.finished);
    emit(
        args,
        &outputs,
        &id,
        done,
        &Outcome {
            sides: [(&baseline, &b.summary), (&variant, &v.summary)],
            names: [baseline.name.clone(), variant.name.clone()],
            differences: &diff,
            changes: &changes,
            manifest: &manifest,
            complete: b.complete && v.complete,
            attribution: None,
        },
    )
}

/// The interventions of an attribution and what was found about them.
struct Attributed<'a> {
    /// Their names (file stems), in factor order.
    names: &'a [String],
    /// Their files.
    files: &'a [PathBuf],
    /// Per metric, its attribution.
    metrics: &'a [(&'a str, Attribution)],
    /// Each intervention's changes alone, as JSON.
    alone: serde_json::Value,
}

/// What a comparison found, pairwise or with attribution.
struct Outcome<'a> {
    /// Baseline and variant (for attribution: no intervention and all).
    sides: [(&'a Scenario, &'a Summary); 2],
    /// The sides' names (for all interventions: the baseline's name with
    /// the interventions added).
    names: [String; 2],
    differences: &'a Differences,
    changes: &'a [Change],
    manifest: &'a json::Manifest,
    complete: bool,
    attribution: Option<Attributed<'a>>,
}

/// The files of a `compare --out` set.
const SET: &[&str] = &["comparison.json", "comparison.csv"];

/// The files of a `compare --intervention … --out` set.
const ATTRIBUTION_SET: &[&str] = &["comparison.json", "comparison.csv", "attribution.csv"];

/// Writes the comparison: JSON (stdout and `--out`), `--html`, the table;
/// exits 130 after writing if the run was interrupted. `done` is the
/// replications every side completed.
fn emit(
    args: &CompareArgs,
    outputs: &Outputs,
    id: &RunIdentity,
    done: u64,
    o: &Outcome,
) -> Result<(), Failure> {
    let [(bs, bsum), (vs, vsum)] = o.sides;
    let cur = &bs.costs.currency;
    let mut doc = json::compare([bs, vs], [bsum, vsum], o.changes, o.manifest, o.complete);
    if let serde_json::Value::Object(map) = &mut doc {
        map.insert(
            "differences".into(),
            serde_json::json!(o.differences.line()),
        );
        if let Some(a) = &o.attribution {
            map.insert("attribution".into(), json::attribution(a.names, a.metrics));
            map.insert("alone".into(), a.alone.clone());
        }
    }
    let pretty = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
    let mark = |bytes: Vec<u8>| csv::with_complete(&bytes, o.complete);
    let comparison_csv = mark(csv::comparison(o.changes, bsum, cur));
    let mut files = vec![
        ("comparison.json", pretty.clone().into_bytes()),
        ("comparison.csv", comparison_csv.clone()),
    ];
    if let Some(a) = &o.attribution {
        files.push((
            "attribution.csv",
            mark(csv::attribution(a.names, a.metrics, bsum, cur)),
        ));
    }
    output::out_set(
        outputs,
        || files,
        &SetInfo {
            run_id: id.id(),
            identity: id.to_json(),
            complete: o.complete,
            replications: done,
            replications_requested: o.manifest.replications,
        },
    )?;
    let page_on_stdout = output::page(outputs, || {
        html::compare(&html::Comparison {
            baseline: html::Side {
                scenario: bs,
                summary: bsum,
            },
            variant: html::Side {
                scenario: vs,
                summary: vsum,
            },
            changes: o.changes,
            manifest: o.manifest,
            complete: o.complete,
            differences: &o.differences.line(),
            attribution: o.attribution.as_ref().map(|a| html::Attributions {
                names: a.names,
                files: a.files,
                metrics: a.metrics,
            }),
        })
    })?;
    let roles = if o.attribution.is_some() {
        ["baseline", "all interventions"]
    } else {
        ["baseline", "variant"]
    };
    match args.format {
        _ if page_on_stdout => {}
        CompareFormat::Table => {
            let line = o.differences.line();
            let sides = table::Sides {
                scenarios: [bs, vs],
                summaries: [bsum, vsum],
                roles,
                names: [&o.names[0], &o.names[1]],
                differences: &line,
            };
            let mut text = table::compare(&sides, o.changes);
            if let Some(a) = &o.attribution {
                text.push_str(&table::attribution(
                    a.names, a.metrics, o.changes, bsum, cur,
                ));
            }
            text.push_str(&format!("\n{}\n", table::DEFINITIONS));
            output::text(&text)?;
        }
        CompareFormat::Json => output::json(&pretty)?,
        CompareFormat::Csv => output::csv(&comparison_csv)?,
    }
    if !o.complete {
        return Err(Failure::Interrupted { written: true });
    }
    Ok(())
}

/// Subsets to run: all 2^k for k <= 4, else none, each alone, and all.
fn subsets(k: usize) -> Vec<usize> {
    if k <= 4 {
        (0..1usize << k).collect()
    } else {
        let mut s = vec![0];
        s.extend((0..k).map(|j| 1 << j));
        s.push((1 << k) - 1);
        s
    }
}

fn interventions(args: &CompareArgs, work: &Work) -> Result<(), Failure> {
    let k = args.interventions.len();
    if k > 16 {
        return Err(Failure::User(format!(
            "error: at most 16 interventions, got {k}"
        )));
    }
    let (mut baseline, options) = load(&args.baseline, &args.options)?;
    if !args.force_intervention {
        for file in &args.interventions {
            refuse_non_intervention(file, &args.baseline)?;
        }
    }
    let seed = baseline.seed;
    let names: Vec<String> = args.interventions.iter().map(|p| stem(p)).collect();
    let over = overrides(&args.options)?;
    let sets = parse_sets(&args.options.sets)?;
    // Every scenario of the factorial is read and validated before
    // anything runs (and before the signal handler is installed).
    let mut planned: Vec<(usize, Scenario)> = Vec::new();
    for subset in subsets(k) {
        let patches: Vec<PathBuf> = (0..k)
            .filter(|j| subset & (1 << j) != 0)
            .map(|j| args.interventions[j].clone())
            .collect();
        let mut s = if subset == 0 {
            baseline.clone()
        } else {
            let mut s = scenario::load_with(&args.baseline, &patches, &sets)
                .map_err(|e| Failure::User(e.to_string()))?;
            if subset.count_ones() == 1 {
                warn_patches(&[&s], args.options.quiet);
            }
            apply_overrides(&mut s, &over);
            scenario::limits::check(&s).map_err(|e| {
                Failure::User(format!(
                    "error: {e} (`{}` with {})",
                    args.baseline.display(),
                    factorial::label(subset, &names)
                ))
            })?;
            s
        };
        s.seed = seed;
        planned.push((subset, s));
    }
    let labels: Vec<(String, &Scenario)> = planned
        .iter()
        .map(|(subset, s)| (factorial::label(*subset, &names), s))
        .collect();
    let id = identity("compare", &labels, &options, &args.options)?;
    let full = (1usize << k) - 1;
    let diff = match (planned.first(), planned.last()) {
        (Some((0, none)), Some((f, all))) if *f == full => differences(none, all)?,
        _ => {
            return Err(Failure::Check(
                "error: internal: missing factorial runs".into(),
            ));
        }
    };
    let outputs = output::prepare(args.out.as_deref(), args.html.as_deref(), ATTRIBUTION_SET)?;
    let cancel = super::signal::cancel_flag();
    let (subsets, mut scenarios): (Vec<usize>, Vec<Scenario>) = planned.into_iter().unzip();
    let mut refs: Vec<&mut Scenario> = scenarios.iter_mut().collect();
    let Some(outs) = run_aligned(&mut refs, seed, &options, (work, &id, args), cancel)? else {
        return Ok(());
    };
    let runs: Vec<(usize, Scenario, RunOutput)> = subsets
        .into_iter()
        .zip(scenarios)
        .zip(outs)
        .map(|((subset, s), out)| (subset, s, out))
        .collect();
    baseline.seed = seed;
    let find = |subset: usize| runs.iter().find(|r| r.0 == subset);
    let (Some(none), Some(all)) = (find(0), find(full)) else {
        return Err(Failure::Check(
            "error: internal: missing factorial runs".into(),
        ));
    };
    let mut changes = changes(&none.2.summary, &all.2.summary);
    diff.apply(&mut changes);
    // Every subset runs when k <= 4, in subset order.
    let attributions: Vec<(&str, Attribution)> = if k <= 4 {
        let summaries: Vec<&Summary> = runs.iter().map(|r| &r.2.summary).collect();
        factorial::attributions(k, &summaries)
    } else {
        Vec::new()
    };
    let wall: f64 = runs.iter().map(|r| r.2.wall.as_secs_f64()).sum();
    let manifest = json::Manifest::new(&baseline, options.replications, threads(&options), wall)
        .with_run_id(id.id());
    let complete = runs.iter().all(|r| r.2.complete);
    let done = runs.iter().map(|r| r.2.finished).min().unwrap_or(0);
    let alone: serde_json::Map<String, serde_json::Value> = (0..k)
        .filter_map(|j| {
            let run = find(1 << j)?;
            let c = self::changes(&none.2.summary, &run.2.summary);
            Some((
                names[j].clone(),
                serde_json::Value::Object(
                    c.iter()
                        .map(|c| (c.name.to_owned(), json::change(c)))
                        .collect(),
                ),
            ))
        })
        .collect();
    emit(
        args,
        &outputs,
        &id,
        done,
        &Outcome {
            sides: [(&none.1, &none.2.summary), (&all.1, &all.2.summary)],
            names: [
                baseline.name.clone(),
                format!("{} + {}", baseline.name, names.join(" + ")),
            ],
            differences: &diff,
            changes: &changes,
            manifest: &manifest,
            complete,
            attribution: Some(Attributed {
                names: &names,
                files: &args.interventions,
                metrics: &attributions,
                alone: serde_json::Value::Object(alone),
            }),
        },
    )
}

/// Refuses `file` as an intervention on `baseline` unless its `extends`
/// names the baseline: applied anyway it would lay every value it sets
/// over the baseline and run a mixture of two scenarios. A file that is
/// not a `.toml` or cannot be read is left to the loader, which says so.
fn refuse_non_intervention(file: &Path, baseline: &Path) -> Result<(), Failure> {
    if file.extension().is_none_or(|e| e != "toml") {
        return Ok(());
    }
    let Ok(text) = scenario::limits::read_file(file) else {
        return Ok(());
    };
    let why = match intervention::relation(&text, file, baseline) {
        Relation::Patches => return Ok(()),
        Relation::Whole => "it has no `extends`: it is a whole scenario".to_owned(),
        Relation::Extends(other) => format!("it extends \"{other}\", not the baseline"),
    };
    let (file_text, base_text) = (file.display(), baseline.display());
    let target = relative_target(file, baseline);
    Err(Failure::User(format!(
        "error: `{file_text}` is not an intervention on `{base_text}`: {why}\n\n\
         An intervention is a patch of the baseline: a file that starts with\n\
         \n    extends = \"{target}\"\n\n\
         and sets only what the reform changes. Applied as an intervention, this file\n\
         would lay every value it sets over `{base_text}` and run a mixture of the two\n\
         scenarios, attributed as if it were a reform.\n\n\
         To compare two whole scenarios: portsim compare {base_text} {file_text}\n\
         If the mixture is meant: add --force-intervention"
    )))
}

/// How `file` would name `baseline` in its `extends`: relative to its own
/// folder when both paths are relative or both absolute, else absolute.
fn relative_target(file: &Path, baseline: &Path) -> String {
    let from = file.parent().unwrap_or(Path::new(""));
    let (Ok(from), Ok(to)) = (std::path::absolute(from), std::path::absolute(baseline)) else {
        return baseline.display().to_string();
    };
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_owned(); from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

/// The command-line overrides, applied to a patched baseline as they were
/// to the baseline itself, so every run of the factorial is paired over
/// the same period (seed and replications are set by `run_aligned`).
fn apply_overrides(s: &mut Scenario, over: &Overrides) {
    if let Some(h) = over.horizon_ms {
        s.horizon = h;
    }
    if let Some(w) = over.warmup_ms {
        s.warmup = w;
    }
}

fn internal(what: &str) -> Failure {
    Failure::Check(format!("error: internal: {what}"))
}

/// Prints the warnings about how files were merged (a patch whose stage
/// list drops stages), once each.
fn warn_patches(scenarios: &[&Scenario], quiet: bool) {
    if quiet {
        return;
    }
    let mut seen = std::collections::BTreeSet::new();
    for w in scenarios.iter().flat_map(|s| &s.patch_warnings) {
        if seen.insert(w) {
            super::stderr::say(&format!("warning: {w}"));
        }
    }
}

fn stem(path: &std::path::Path) -> String {
    path.file_stem().map_or_else(
        || path.display().to_string(),
        |s| s.to_string_lossy().into_owned(),
    )
}
