//! Attribution in the web app: a baseline and up to four interventions,
//! every combination run with common random numbers, and the combined
//! change taken apart by intervention, as `portsim compare BASELINE
//! --intervention A.toml …` does.
//!
//! [`factorial()`] reads the 2^k scenarios in the CLI's order (subset `s`
//! holds intervention `j` when bit `j` is set), each labelled as the CLI
//! labels it ([`factorial::label`]: `baseline`, `a+b`), so the run id is
//! the one `portsim compare` computes for the same files, seed and
//! replications. Every
//! `extends` of the baseline stays inside the workspace; an
//! intervention's own `extends` is not followed, but it must name the
//! baseline: any other file is refused, as the command line refuses it.
//! [`finish`] computes the attribution with the CLI's own function
//! ([`factorial::attributions`]), and renders the comparison page
//! with its attribution section, the JSON (with `attribution`) and the
//! comparison CSV.

use super::ledger::Record;
use super::outcome::{self, Finished, change_headline};
use super::prepared::{PrepareError, Prepared, diagnostics};
use super::workspace::Workspace;
use crate::experiment::compare::changes;
use crate::experiment::factorial;
use crate::experiment::run::RunOutput;
use crate::experiment::summary::Summary;
use crate::experiment::unlike::Differences;
use crate::report::html::{Attributions, Comparison, Side};
use crate::report::{csv, html, json};
use crate::scenario::Scenario;
use crate::scenario::intervention::{self, Relation};

/// An intervention's name: its file's stem.
fn stem(file: &str) -> String {
    let name = file.rsplit('/').next().unwrap_or(file);
    name.strip_suffix(".toml").unwrap_or(name).to_owned()
}

/// The 2^k scenarios of `files` (baseline first, then the interventions)
/// with their labels, in subset order.
pub fn factorial(
    ws: &Workspace,
    files: &[String],
) -> Result<(Vec<Scenario>, Vec<String>), PrepareError> {
    let (baseline, interventions) = files
        .split_first()
        .ok_or_else(|| PrepareError::Usage("no baseline given".into()))?;
    for file in interventions {
        let text = ws.read(file)?;
        let relation = intervention::relation(&text, &ws.resolve(file)?, &ws.resolve(baseline)?);
        if relation != Relation::Patches {
            return Err(PrepareError::Usage(format!(
                "`{file}` is not an intervention on `{baseline}`: an intervention is a file that `extends` the baseline and holds only what the reform changes (write one from the baseline's reform page); applied as one, this file would mix two scenarios"
            )));
        }
    }
    let names: Vec<String> = interventions.iter().map(|f| stem(f)).collect();
    let k = interventions.len();
    let mut scenarios = Vec::with_capacity(1 << k);
    let mut labels = Vec::with_capacity(1 << k);
    for subset in 0..1usize << k {
        let patches: Vec<String> = (0..k)
            .filter(|j| subset & (1 << j) != 0)
            .map(|j| interventions[j].clone())
            .collect();
        let mut s = ws
            .load_patched(baseline, &patches)?
            .map_err(|e| PrepareError::Invalid {
                file: patches.last().unwrap_or(baseline).clone(),
                diagnostics: diagnostics(&e),
            })?;
        s.source = baseline.into();
        scenarios.push(s);
        labels.push(factorial::label(subset, &names));
    }
    Ok((scenarios, labels))
}

/// The record and files of a finished attribution.
pub fn finish(job: &Prepared, outs: &[RunOutput]) -> Result<Finished, String> {
    let k = job.files.len() - 1;
    let full = (1usize << k) - 1;
    let (Some(none), Some(all)) = (outs.first(), outs.get(full)) else {
        return Err("internal error: missing factorial runs".into());
    };
    let (bs, vs) = (&job.scenarios[0], &job.scenarios[full]);
    let names: Vec<String> = job.files[1..].iter().map(|f| stem(f)).collect();
    let files: Vec<std::path::PathBuf> = job.files[1..].iter().map(Into::into).collect();
    let cur = &bs.costs.currency;
    let diff = Differences::between(bs, vs).map_err(|e| e.to_string())?;
    let mut changes = changes(&none.summary, &all.summary);
    diff.apply(&mut changes);
    let summaries: Vec<&Summary> = outs.iter().map(|o| &o.summary).collect();
    let metrics = factorial::attributions(k, &summaries);
    let wall: f64 = outs.iter().map(|o| o.wall.as_secs_f64()).sum();
    let manifest = json::Manifest::new(bs, job.replications, rayon::current_num_threads(), wall)
        .with_run_id(job.run_id());
    let complete = outs.iter().all(|o| o.complete);
    let mut doc = json::compare(
        [bs, vs],
        [&none.summary, &all.summary],
        &changes,
        &manifest,
        complete,
    );
    if let serde_json::Value::Object(map) = &mut doc {
        map.insert("differences".into(), serde_json::json!(diff.line()));
        map.insert("attribution".into(), json::attribution(&names, &metrics));
    }
    let pretty = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
    let table = csv::with_complete(&csv::comparison(&changes, &none.summary, cur), complete);
    let terms = csv::with_complete(
        &csv::attribution(&names, &metrics, &none.summary, cur),
        complete,
    );
    let differences = diff.line();
    let page = html::compare(&Comparison {
        baseline: Side {
            scenario: bs,
            summary: &none.summary,
        },
        variant: Side {
            scenario: vs,
            summary: &all.summary,
        },
        changes: &changes,
        manifest: &manifest,
        complete,
        differences: &differences,
        attribution: Some(Attributions {
            names: &names,
            files: &files,
            metrics: &metrics,
        }),
    });
    let record: Record = outcome::record(job, wall, change_headline(&changes));
    let files = vec![
        ("results.json", pretty.into_bytes()),
        ("results.csv", table),
        ("attribution.csv", terms),
        ("report.html", page.into_bytes()),
        ("resolved-0.toml", bs.resolved.clone().into_bytes()),
        ("resolved-1.toml", vs.resolved.clone().into_bytes()),
    ];
    Ok((record, files))
}
