//! The parts of an attribution that `portsim compare --intervention` and
//! the web app's attribute page share, kept in one place so that the two
//! cannot drift: which metrics are attributed, how a subset of the
//! interventions is labelled (the label enters the run id), and how the
//! factorial's runs become per-metric [`Attribution`]s over the
//! replications that count in every run.

use super::attribution::{Attribution, attribute};
use super::summary::Summary;

/// Metrics attributed to interventions.
pub const ATTRIBUTED: [&str; 4] = [
    "throughput_per_day",
    "time_in_port_s",
    "steps_per_truck",
    "cost_per_truck",
];

/// "baseline", or the interventions of `subset` (bit `j`: intervention
/// `j`) joined by `+`.
pub fn label(subset: usize, names: &[String]) -> String {
    if subset == 0 {
        return "baseline".to_owned();
    }
    let parts: Vec<&str> = (0..names.len())
        .filter(|j| subset & (1 << j) != 0)
        .map(|j| names[j].as_str())
        .collect();
    parts.join("+")
}

/// The replication indices that count in every run.
fn common(runs: &[&Summary]) -> Vec<u64> {
    let Some(first) = runs.first() else {
        return Vec::new();
    };
    first
        .indices
        .iter()
        .copied()
        .filter(|i| runs.iter().all(|s| s.indices.binary_search(i).is_ok()))
        .collect()
}

/// Each attributed metric's attribution over the full factorial of `k`
/// interventions: `runs[s]` is the run of subset `s`, every replication
/// paired by its index across all of them.
pub fn attributions(k: usize, runs: &[&Summary]) -> Vec<(&'static str, Attribution)> {
    let common = common(runs);
    ATTRIBUTED
        .iter()
        .map(|&metric| {
            let responses: Vec<Vec<f64>> = runs
                .iter()
                .map(|s| {
                    s.metric(metric).map_or_else(Vec::new, |m| {
                        common
                            .iter()
                            .filter_map(|i| {
                                let at = s.indices.binary_search(i).ok()?;
                                m.samples.get(at).copied()
                            })
                            .collect()
                    })
                })
                .collect();
            (metric, attribute(k, &responses))
        })
        .collect()
}
