//! `portsim compare`: a paired comparison of two scenarios, or the
//! attribution of a change to interventions.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use super::args::{CompareArgs, CompareFormat};
use super::run::{execute, load, threads};
use super::{Failure, output};
use crate::experiment::attribution::{Attribution, attribute};
use crate::experiment::compare::{Change, compare as compare_metrics};
use crate::experiment::run::{RunOptions, RunOutput};
use crate::experiment::summary::{HEADLINE, Summary};
use crate::report::{html, json, table};
use crate::scenario::{self, Scenario};

/// Metrics attributed to interventions.
const ATTRIBUTED: [&str; 4] = [
    "throughput_per_day",
    "time_in_port_s",
    "steps_per_truck",
    "cost_per_truck",
];

/// Compares every headline metric of two summaries, pairing replications.
pub fn changes(baseline: &Summary, variant: &Summary) -> Vec<Change> {
    HEADLINE
        .iter()
        .filter_map(|name| {
            Some(compare_metrics(
                (baseline.metric(name)?, &baseline.indices),
                (variant.metric(name)?, &variant.indices),
            ))
        })
        .collect()
}

/// Runs `s` with the given seed, replications and threads.
fn run_aligned(
    s: &mut Scenario,
    seed: u64,
    options: &RunOptions,
    quiet: bool,
    cancel: &AtomicBool,
) -> Result<RunOutput, Failure> {
    s.seed = seed;
    s.replications = options.replications;
    execute(s, options, quiet, cancel)
}

/// `portsim compare …`.
pub fn compare(args: &CompareArgs) -> Result<(), Failure> {
    if !args.interventions.is_empty() {
        if args.variant.is_some() {
            return Err(Failure::User(
                "error: give either a VARIANT or --intervention files, not both".into(),
            ));
        }
        return interventions(args);
    }
    let Some(variant_path) = &args.variant else {
        return Err(Failure::User(
            "error: `portsim compare` needs a VARIANT scenario or at least one --intervention FILE\n\nusage: portsim compare BASELINE VARIANT\n       portsim compare BASELINE --intervention A.toml --intervention B.toml".into(),
        ));
    };
    let (baseline, options) = load(&args.baseline, &args.options)?;
    let (mut variant, _) = load(variant_path, &args.options)?;
    let mut baseline = baseline;
    let cancel = super::signal::cancel_flag();
    let seed = baseline.seed;
    let quiet = args.options.quiet;
    let b = run_aligned(&mut baseline, seed, &options, quiet, cancel)?;
    let v = run_aligned(&mut variant, seed, &options, quiet, cancel)?;
    let changes = changes(&b.summary, &v.summary);
    let manifest = json::Manifest::new(
        &baseline,
        options.replications,
        threads(&options),
        (b.wall + v.wall).as_secs_f64(),
    );
    emit(
        args,
        &Outcome {
            sides: [(&baseline, &b.summary), (&variant, &v.summary)],
            changes: &changes,
            manifest: &manifest,
            complete: b.complete && v.complete,
            attribution: None,
        },
    )
}

/// Intervention names, their attribution per metric, and each one's
/// changes alone (as JSON).
type Attributed<'a> = (
    &'a [String],
    &'a [(&'a str, Attribution)],
    serde_json::Value,
);

/// What a comparison found, pairwise or with attribution.
struct Outcome<'a> {
    /// Baseline and variant (for attribution: no intervention and all).
    sides: [(&'a Scenario, &'a Summary); 2],
    changes: &'a [Change],
    manifest: &'a json::Manifest,
    complete: bool,
    attribution: Option<Attributed<'a>>,
}

/// Writes the comparison: JSON (stdout and `--out`), `--html`, the table;
/// exits 130 after writing if the run was interrupted.
fn emit(args: &CompareArgs, o: &Outcome) -> Result<(), Failure> {
    let [(bs, bsum), (vs, vsum)] = o.sides;
    let mut doc = json::compare([bs, vs], [bsum, vsum], o.changes, o.manifest, o.complete);
    if let (Some((names, attributions, alone)), serde_json::Value::Object(map)) =
        (&o.attribution, &mut doc)
    {
        map.insert("attribution".into(), json::attribution(names, attributions));
        map.insert("alone".into(), alone.clone());
    }
    let pretty = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
    if let Some(dir) = &args.out {
        output::file(&dir.join("comparison.json"), pretty.as_bytes())?;
    }
    if let Some(path) = &args.html {
        let page = html::compare(&html::Comparison {
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
            attribution: o
                .attribution
                .as_ref()
                .map(|(names, metrics, _)| html::Attributions { names, metrics }),
        });
        output::file(path, page.as_bytes())?;
    }
    match args.format {
        CompareFormat::Table => {
            let mut text = table::compare([bs, vs], o.changes, [bsum, vsum]);
            if let Some((names, attributions, _)) = &o.attribution {
                text.push_str(&table::attribution(names, attributions));
            }
            output::stdout(text.as_bytes())?;
        }
        CompareFormat::Json => output::stdout(pretty.as_bytes())?,
    }
    if !o.complete {
        return Err(Failure::Interrupted);
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

fn interventions(args: &CompareArgs) -> Result<(), Failure> {
    let k = args.interventions.len();
    if k > 16 {
        return Err(Failure::User(format!(
            "error: at most 16 interventions, got {k}"
        )));
    }
    let (mut baseline, options) = load(&args.baseline, &args.options)?;
    let seed = baseline.seed;
    let quiet = args.options.quiet;
    let cancel = super::signal::cancel_flag();
    let names: Vec<String> = args.interventions.iter().map(|p| stem(p)).collect();
    let mut runs: Vec<(usize, Scenario, RunOutput)> = Vec::new();
    for subset in subsets(k) {
        let patches: Vec<PathBuf> = (0..k)
            .filter(|j| subset & (1 << j) != 0)
            .map(|j| args.interventions[j].clone())
            .collect();
        let mut s = if subset == 0 {
            baseline.clone()
        } else {
            scenario::load_patched(&args.baseline, &patches)
                .map_err(|e| Failure::User(e.to_string()))?
        };
        let out = run_aligned(&mut s, seed, &options, quiet, cancel)?;
        runs.push((subset, s, out));
    }
    baseline.seed = seed;
    let full = (1usize << k) - 1;
    let find = |subset: usize| runs.iter().find(|r| r.0 == subset);
    let (Some(none), Some(all)) = (find(0), find(full)) else {
        return Err(Failure::Check(
            "error: internal: missing factorial runs".into(),
        ));
    };
    let changes = changes(&none.2.summary, &all.2.summary);
    // Replications that count in every subset, so that each is paired by
    // its index across the whole factorial.
    let common: Vec<u64> = none
        .2
        .summary
        .indices
        .iter()
        .copied()
        .filter(|i| {
            runs.iter()
                .all(|r| r.2.summary.indices.binary_search(i).is_ok())
        })
        .collect();
    let attributions: Vec<(&str, Attribution)> = if k <= 4 {
        ATTRIBUTED
            .iter()
            .map(|&metric| {
                let responses: Vec<Vec<f64>> = (0..=full)
                    .map(|s| {
                        find(s)
                            .and_then(|r| {
                                let summary = &r.2.summary;
                                let m = summary.metric(metric)?;
                                Some(
                                    common
                                        .iter()
                                        .filter_map(|i| {
                                            let k = summary.indices.binary_search(i).ok()?;
                                            m.samples.get(k).copied()
                                        })
                                        .collect(),
                                )
                            })
                            .unwrap_or_default()
                    })
                    .collect();
                (metric, attribute(k, &responses))
            })
            .collect()
    } else {
        Vec::new()
    };
    let wall: f64 = runs.iter().map(|r| r.2.wall.as_secs_f64()).sum();
    let manifest = json::Manifest::new(&baseline, options.replications, threads(&options), wall);
    let complete = runs.iter().all(|r| r.2.complete);
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
        &Outcome {
            sides: [(&none.1, &none.2.summary), (&all.1, &all.2.summary)],
            changes: &changes,
            manifest: &manifest,
            complete,
            attribution: Some((&names, &attributions, serde_json::Value::Object(alone))),
        },
    )
}

fn stem(path: &std::path::Path) -> String {
    path.file_stem().map_or_else(
        || path.display().to_string(),
        |s| s.to_string_lossy().into_owned(),
    )
}
