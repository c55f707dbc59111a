//! JSON output: the machine-readable shape scripts and CI rely on.
//!
//! Every estimate is `{mean, ci95: [lo, hi]}`; durations are in seconds and
//! also carry `p50, p90, p95, p99` (each `{mean, ci95}`: the mean and
//! interval of the replications' own percentiles) and `max` (the largest
//! value in any replication). A metric with no samples has a `null` mean,
//! one with too few samples for an interval a `null` `ci95`, and both say
//! why in `note`: no NaN or infinity ever reaches the output.

use serde_json::{Map, Value, json};

use crate::experiment::breakdown::{Breakdown, TimePart};
use crate::experiment::compare::PartChange;
use crate::experiment::estimate::Estimate;
use crate::experiment::run::RunOutput;
use crate::experiment::stability::Instability;
use crate::experiment::summary::{FlowSummary, Metric, StageSummary, Summary};
use crate::model::Counts;
use crate::scenario::Scenario;

/// What makes a result reproducible.
#[derive(Clone, Debug)]
pub struct Manifest {
    /// portsim's version.
    pub version: &'static str,
    /// SHA-256 of the fully resolved scenario.
    pub scenario_hash: String,
    /// Master seed.
    pub seed: u64,
    /// Replications requested.
    pub replications: u64,
    /// Worker threads used.
    pub threads: usize,
    /// Wall-clock seconds.
    pub wall_time_s: f64,
    /// The run's id (`run_id`), when the command line computed one.
    pub run_id: Option<String>,
    /// The `--set` overrides applied, as `key=value`.
    pub overrides: Vec<String>,
}

impl Manifest {
    /// The manifest of a run of `scenario`.
    pub fn new(scenario: &Scenario, replications: u64, threads: usize, wall_time_s: f64) -> Self {
        Manifest {
            version: env!("CARGO_PKG_VERSION"),
            scenario_hash: scenario_hash(scenario),
            seed: scenario.seed,
            replications,
            threads,
            wall_time_s,
            run_id: None,
            overrides: scenario.overrides.clone(),
        }
    }

    /// The same manifest carrying the run's id.
    pub fn with_run_id(mut self, id: String) -> Self {
        self.run_id = Some(id);
        self
    }

    /// As JSON.
    pub fn to_json(&self) -> Value {
        let mut value = json!({
            "portsim_version": self.version,
            "scenario_hash": self.scenario_hash,
            "seed": self.seed,
            "replications": self.replications,
            "threads": self.threads,
            "wall_time_s": finite(self.wall_time_s),
            "overrides": self.overrides,
        });
        if let (Some(id), Value::Object(map)) = (&self.run_id, &mut value) {
            map.insert("run_id".into(), json!(id));
        }
        value
    }
}

/// SHA-256 (hex) of the scenario's fully resolved document.
pub fn scenario_hash(scenario: &Scenario) -> String {
    scenario.hash()
}

/// A number, or `null` if it is not finite.
pub fn finite(x: f64) -> Value {
    if x.is_finite() { json!(x) } else { Value::Null }
}

/// `{mean, ci95}` of an estimate, with a note when the interval is missing.
pub fn estimate(e: &Estimate) -> Value {
    let mut map = Map::new();
    map.insert(
        "mean".into(),
        if e.n == 0 {
            Value::Null
        } else {
            finite(e.mean)
        },
    );
    map.insert(
        "ci95".into(),
        match e.ci95 {
            Some([lo, hi]) if lo.is_finite() && hi.is_finite() => json!([lo, hi]),
            _ => Value::Null,
        },
    );
    if e.ci95.is_none() {
        let note = if e.n == 0 {
            "no samples"
        } else {
            "too few samples for a confidence interval"
        };
        map.insert("note".into(), json!(note));
    }
    Value::Object(map)
}

/// A metric: its estimate plus, for durations, its percentiles.
pub fn metric(m: &Metric) -> Value {
    let mut value = estimate(&m.estimate);
    if let (Some(p), Value::Object(map)) = (m.percentiles.as_deref(), &mut value) {
        for (k, pm) in p.each() {
            map.insert(k.into(), estimate(&pm.estimate));
        }
        map.insert("max".into(), finite(p.max));
    }
    value
}

/// `{part, mean_s, ci95}` of one part of the time (and `note`, why there
/// is no interval, as for every estimate).
fn time_part(p: &TimePart) -> Value {
    let e = estimate(&p.estimate);
    let mut map = Map::new();
    map.insert("part".into(), json!(p.part));
    map.insert(
        "mean_s".into(),
        e.get("mean").cloned().unwrap_or(Value::Null),
    );
    map.insert("ci95".into(), e.get("ci95").cloned().unwrap_or(Value::Null));
    if let Some(note) = e.get("note") {
        map.insert("note".into(), note.clone());
    }
    Value::Object(map)
}

/// `{on_site: [..], off_site: [..], booking_lead}`: where the time went.
pub fn time_breakdown(b: &Breakdown) -> Value {
    json!({
        "on_site": b.on_site.iter().map(time_part).collect::<Vec<_>>(),
        "off_site": b.off_site.iter().map(time_part).collect::<Vec<_>>(),
        "booking_lead": b.booking_lead.as_ref().map_or(Value::Null, time_part),
    })
}

/// The parts of the time compared: per kind, `{part, baseline, variant,
/// change, change_pct, verdict, …}` as for a metric.
pub fn part_changes(list: &[PartChange]) -> Value {
    let of = |kind: &str| -> Vec<Value> {
        list.iter()
            .filter(|p| p.kind == kind)
            .map(|p| {
                let mut v = change(&p.change);
                if let Value::Object(map) = &mut v {
                    map.insert("part".into(), json!(p.part));
                }
                v
            })
            .collect()
    };
    json!({
        "on_site": of("on_site"),
        "off_site": of("off_site"),
        "booking_lead": of("booking_lead").into_iter().next().unwrap_or(Value::Null),
    })
}

fn metrics(list: &[Metric]) -> Value {
    Value::Object(
        list.iter()
            .map(|m| (m.name.to_owned(), metric(m)))
            .collect(),
    )
}

/// The scenario block of a report.
pub fn scenario(s: &Scenario) -> Value {
    json!({
        "name": s.name,
        "description": s.description,
        "file": s.source.display().to_string(),
        "hash": scenario_hash(s),
        "seed": s.seed,
        "horizon_s": s.horizon as f64 / 1000.0,
        "warmup_s": s.warmup as f64 / 1000.0,
        "currency": s.costs.currency,
    })
}

fn instability(u: Option<Instability>) -> Value {
    u.map_or(Value::Null, |u| {
        json!({
            "growth_per_day": finite(u.growth_per_day),
            "shortfall_per_day": finite(u.shortfall_per_day),
        })
    })
}

fn stage(st: &StageSummary, bottleneck: bool) -> Value {
    let f = &st.flow;
    json!({
        "name": st.name,
        "visits": estimate(&st.visits),
        "utilization": estimate(&st.utilization),
        "overtime_lane_hours_per_day": estimate(&st.overtime_per_day),
        "wait_s": metric(&st.wait),
        "queue_length": estimate(&st.queue_length),
        "in_service": estimate(&st.in_service),
        "demand_per_day": estimate(&f.demand_per_day),
        "capacity_per_day": finite(f.capacity_per_day),
        "load": estimate(&f.load),
        "bound": f.bound.key(),
        "daily_limit": f.limit.as_ref().map_or(Value::Null, |l| json!({
            "limit": l.limit,
            "share_of_days_reached": estimate(&l.days_reached),
            "held_over_per_day": estimate(&l.held_over_per_day),
        })),
        "growth_per_day": estimate(&f.growth_per_day),
        "unstable": instability(f.unstable),
        "bottleneck": bottleneck,
    })
}

/// The flow balance: each term's mean over the replications.
fn flow(f: &FlowSummary) -> Value {
    let m = |term: fn(&Counts) -> u64| finite(f.mean(term));
    json!({
        "in_system_start": {
            "port": m(|c| c.in_port_start),
            "booked": m(|c| c.booked_start),
            "equeue": m(|c| c.equeue_start),
        },
        "offered": m(|c| c.offered),
        "arrived": m(|c| c.arrived),
        "bookings": m(|c| c.bookings),
        "unbooked_walk_ins": m(|c| c.unbooked_walk_ins),
        "cleared": m(|c| c.cleared),
        "turned_away": m(|c| c.turned_away),
        "turned_away_no_slot": m(|c| c.turned_away_no_slot),
        "no_shows": m(|c| c.no_shows),
        "diverted": m(|c| c.diverted),
        "diverted_offsite": m(|c| c.diverted_offsite),
        "reneged": m(|c| c.reneged),
        "reneged_offsite": m(|c| c.reneged_offsite),
        "registered": m(|c| c.registered),
        "called": m(|c| c.called),
        "lost_slot": m(|c| c.lost_slot),
        "late_walk_ins": m(|c| c.late_walk_ins),
        "in_system_end": {
            "port": m(|c| c.in_port_end),
            "booked": m(|c| c.booked_ahead),
            "equeue": m(|c| c.equeue_end),
        },
        "balanced": f.balanced,
    })
}

/// The body of a summary: metrics, flow, stages, gate, classes, series.
pub fn summary(s: &Summary) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert("metrics".into(), metrics(&s.metrics));
    map.insert("cost_breakdown".into(), metrics(&s.cost_parts));
    map.insert("time_breakdown".into(), time_breakdown(&s.time_breakdown));
    map.insert("flow".into(), flow(&s.flow));
    map.insert(
        "unfinished".into(),
        json!({
            "count": estimate(&s.unfinished.count),
            "mean_age_s": estimate(&s.unfinished.mean_age_s),
            "max_age_s": finite(s.unfinished.max_age_s),
        }),
    );
    let bottleneck = s.bottleneck();
    map.insert(
        "stages".into(),
        s.stages
            .iter()
            .enumerate()
            .map(|(i, st)| stage(st, Some(i) == bottleneck))
            .collect(),
    );
    let g = &s.gate;
    map.insert(
        "gate".into(),
        json!({
            "arrivals_per_day": estimate(&g.arrivals_per_day),
            "road_queue": estimate(&g.road_queue),
            "turned_away_per_day": estimate(&g.turned_away_per_day),
            "growth_per_day": estimate(&g.growth_per_day),
            "shortfall_per_day": estimate(&g.shortfall_per_day),
            "unstable": instability(g.unstable),
        }),
    );
    map.insert(
        "pools".into(),
        s.pools
            .iter()
            .map(|p| {
                json!({
                    "name": p.name,
                    "utilization": estimate(&p.utilization),
                    "queue_length": estimate(&p.queue_length),
                    "load": estimate(&p.load),
                    "unstable": instability(p.unstable),
                })
            })
            .collect(),
    );
    map.insert(
        "entrances".into(),
        s.entrances
            .iter()
            .map(|(name, road)| json!({ "name": name, "road_queue": estimate(road) }))
            .collect(),
    );
    map.insert(
        "equeue".into(),
        s.equeue_len
            .as_ref()
            .map_or(Value::Null, |len| json!({ "queue_length": estimate(len) })),
    );
    map.insert(
        "classes".into(),
        s.classes
            .iter()
            .map(|c| {
                let mut obj = Map::new();
                obj.insert("name".into(), json!(c.name));
                if let Value::Object(m) = metrics(&c.metrics) {
                    obj.extend(m);
                }
                obj.insert("time_breakdown".into(), time_breakdown(&c.time_breakdown));
                Value::Object(obj)
            })
            .collect(),
    );
    map.insert(
        "daily_departures".into(),
        s.daily_departures.iter().map(estimate).collect(),
    );
    map.insert(
        "hourly".into(),
        json!({
            "arrivals_per_hour": s.hourly.arrivals.iter().map(estimate).collect::<Vec<_>>(),
            "departures_per_hour": s.hourly.departures.iter().map(estimate).collect::<Vec<_>>(),
            "waiting_trucks": s.hourly.waiting.iter().map(estimate).collect::<Vec<_>>(),
        }),
    );
    map.insert(
        "findings".into(),
        crate::experiment::findings::of(s)
            .iter()
            .map(super::findings::json)
            .collect(),
    );
    map.insert(
        "stopped".into(),
        s.stopped
            .iter()
            .map(|(i, r)| {
                json!({
                    "replication": i,
                    "reason": r.reason,
                    "at_s": r.at as f64 / 1000.0,
                    "in_system": r.in_system,
                    "stage": r.stage,
                    "stage_queue": r.stage_queue,
                    "road_queue": r.road_queue,
                })
            })
            .collect(),
    );
    map
}

/// The full JSON document of `portsim run`.
pub fn run(s: &Scenario, out: &RunOutput, manifest: &Manifest, warnings: &[String]) -> Value {
    let mut map = Map::new();
    map.insert("scenario".into(), scenario(s));
    map.insert("replications".into(), json!(out.summary.replications));
    map.insert(
        "replications_complete".into(),
        json!(out.summary.replications),
    );
    map.insert("replications_requested".into(), json!(out.requested));
    map.insert(
        "replications_stopped".into(),
        json!(out.summary.stopped.len()),
    );
    map.insert("complete".into(), json!(out.complete));
    map.extend(summary(&out.summary));
    map.insert("warnings".into(), json!(warnings));
    map.insert("manifest".into(), manifest.to_json());
    Value::Object(map)
}

/// One compared metric: `{baseline, variant, change, change_pct}`, each
/// `{mean, ci95}`, plus the verdict and what pairing bought.
pub fn change(c: &crate::experiment::compare::Change) -> Value {
    use crate::experiment::compare::Verdict;
    let verdict = match c.verdict() {
        Verdict::Improved => "improved",
        Verdict::Worsened => "worsened",
        Verdict::Changed => "changed",
        Verdict::NoSignificantChange => "no significant change",
        Verdict::NotCompared => "not compared",
    };
    let mut value = json!({
        "pairs": c.pairs,
        "baseline": estimate(&c.baseline),
        "variant": estimate(&c.variant),
        "change": estimate(&c.change),
        "change_pct": estimate(&c.change_pct),
        "verdict": verdict,
        "paired_ci_half_width": c.change.half_width().map_or(Value::Null, finite),
        "independent_ci_half_width": c.independent_half_width.map_or(Value::Null, finite),
    });
    if let (Some(why), Value::Object(map)) = (&c.excluded, &mut value) {
        map.insert("not_compared".into(), json!(why));
    }
    value
}

/// The full JSON document of a two-scenario `portsim compare`.
pub fn compare(
    scenarios: [&Scenario; 2],
    summaries: [&Summary; 2],
    changes: &[crate::experiment::compare::Change],
    manifest: &Manifest,
    complete: bool,
) -> Value {
    let mut doc = Map::new();
    doc.insert("baseline".into(), scenario(scenarios[0]));
    doc.insert("variant".into(), scenario(scenarios[1]));
    doc.insert(
        "replications".into(),
        json!(crate::experiment::compare::paired_replications(changes)),
    );
    doc.insert("complete".into(), json!(complete));
    doc.insert(
        "metrics".into(),
        Value::Object(
            changes
                .iter()
                .map(|c| (c.name.to_owned(), change(c)))
                .collect(),
        ),
    );
    doc.insert(
        "time_breakdown".into(),
        part_changes(&crate::experiment::compare::part_changes(
            summaries[0],
            summaries[1],
        )),
    );
    let mut detail = Map::new();
    detail.insert("baseline".into(), Value::Object(summary(summaries[0])));
    detail.insert("variant".into(), Value::Object(summary(summaries[1])));
    doc.insert("detail".into(), Value::Object(detail));
    doc.insert("manifest".into(), manifest.to_json());
    Value::Object(doc)
}

/// Attribution of each metric's combined change to the interventions.
pub fn attribution(
    names: &[String],
    metrics: &[(&str, crate::experiment::attribution::Attribution)],
) -> Value {
    let per_metric: Map<String, Value> = metrics
        .iter()
        .map(|(metric, a)| {
            let interventions: Vec<Value> = names
                .iter()
                .enumerate()
                .map(|(j, name)| {
                    json!({
                        "name": name,
                        "main_effect": estimate(&a.main_effects[j]),
                        "shapley": estimate(&a.shapley[j]),
                        "share_pct": estimate(&a.shares[j]),
                    })
                })
                .collect();
            let interactions: Vec<Value> = a
                .interactions
                .iter()
                .map(|(j, l, e)| json!({"between": [names[*j], names[*l]], "effect": estimate(e)}))
                .collect();
            let terms: Vec<Value> = a
                .terms
                .iter()
                .map(|(t, e)| {
                    let of: Vec<&String> = crate::experiment::attribution::members(*t, names.len())
                        .filter_map(|j| names.get(j))
                        .collect();
                    json!({"interventions": of, "change": estimate(e)})
                })
                .collect();
            (
                (*metric).to_owned(),
                json!({
                    "combined": estimate(&a.combined),
                    "interventions": interventions,
                    "interactions": interactions,
                    "terms": terms,
                }),
            )
        })
        .collect();
    json!({ "interventions": names, "metrics": per_metric })
}

/// One metric checked by `portsim check`.
pub fn outcome(o: &crate::experiment::gate::Outcome) -> Value {
    use crate::experiment::gate::Status;
    let status = match o.status {
        Status::Passed => "passed",
        Status::Improved => "improved",
        Status::Failed => "failed",
    };
    json!({
        "status": status,
        "test": "paired",
        "unit": o.unit,
        "baseline": o.baseline.map_or(Value::Null, finite),
        "current": o.current.map_or(Value::Null, finite),
        "change": o.change.as_ref().map_or(Value::Null, estimate),
        "change_pct": o.relative.map_or(Value::Null, |r| finite(100.0 * r)),
        "note": o.note.to_string(),
    })
}

/// The full JSON document of `portsim check`: per scenario file checked,
/// what changed since the baseline, each metric's outcome, the run's
/// warnings, findings and manifest (`manifests`, in the same order); then
/// the files that could not be checked, the baseline entries whose file
/// is gone (failures) and those not given (skipped), and the exit code.
pub fn check(
    overall: &crate::experiment::gate::overall::Overall,
    manifests: &[Manifest],
    baseline: &std::path::Path,
    tolerance: Option<crate::experiment::gate::Tolerance>,
) -> Value {
    let scenarios: Vec<Value> = overall
        .checks
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let p = &c.provenance;
            json!({
                "file": c.file,
                "baseline_key": c.key,
                "renamed_from": c.renamed_from,
                "name": c.name,
                "passed": c.passed(),
                "provenance": {
                    "scenario_changed": p.scenario_changed,
                    "portsim_changed": p.other_version.is_some(),
                    "baseline_portsim_version": p.other_version,
                    "results_identical": p.identical,
                    "summary": p.to_string(),
                },
                "stopped_replications": c.stopped,
                "warnings": c.warnings,
                "findings": c.findings.iter().map(super::findings::json).collect::<Vec<_>>(),
                "metrics": c.outcomes.iter()
                    .map(|o| (o.metric.name.to_owned(), outcome(o)))
                    .collect::<Map<String, Value>>(),
                "manifest": manifests.get(i).map_or(Value::Null, Manifest::to_json),
            })
        })
        .collect();
    let entries =
        |list: &[crate::experiment::gate::overall::NotChecked], note: bool| -> Vec<Value> {
            list.iter()
                .map(|m| {
                    let mut v = json!({"baseline_key": m.key, "name": m.name});
                    if let (true, Value::Object(map)) = (note, &mut v) {
                        map.insert(
                            "note".into(),
                            json!(crate::experiment::gate::overall::missing_note(&m.key)),
                        );
                    }
                    v
                })
                .collect()
        };
    json!({
        "baseline": baseline.display().to_string(),
        "tolerance": tolerance.map_or(Value::Null, |t| finite(t.fraction())),
        "passed": overall.passed(),
        "exit_code": overall.exit_code(),
        "scenarios": scenarios,
        "errors": overall.errors.iter().map(|e| json!({
            "file": e.file,
            "baseline_key": e.key,
            "message": e.message,
        })).collect::<Vec<_>>(),
        "missing": entries(&overall.missing, true),
        "skipped": entries(&overall.skipped, false),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_intervals_are_null_with_a_note() {
        let one = estimate(&Estimate::from_samples(&[3.0]));
        assert_eq!(one["mean"], json!(3.0));
        assert_eq!(one["ci95"], Value::Null);
        assert!(one["note"].as_str().is_some_and(|n| n.contains("too few")));
        let none = estimate(&Estimate::from_samples(&[f64::NAN]));
        assert_eq!(none["mean"], Value::Null);
        let two = estimate(&Estimate::from_samples(&[1.0, 3.0]));
        assert!(two["ci95"].is_array() && two.get("note").is_none());
    }
}
