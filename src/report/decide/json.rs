//! JSON documents of decision studies.
//!
//! The shapes are a contract (docs/planning.md): a sweep's `points[]`
//! are `{set: {key: value}, metrics: {name: {mean, ci95}}}`; every
//! estimate is `{mean, ci95}` as in run reports, `null` where there is
//! none, with a `note`.

use serde_json::{Map, Value, json};

use crate::decide::metrics::MetricKey;
use crate::decide::plan::{Answer, Plan, RunnerUp};
use crate::decide::points::Outcome;
use crate::decide::precision;
use crate::decide::samples::Samples;
use crate::decide::sensitivity::{Findings, Sensitivity};
use crate::decide::sweep::Sweep;
use crate::decide::verdict::{Bound, Constraint, Verdict};
use crate::report::json::{Manifest, estimate, finite, scenario as scenario_block};
use crate::scenario::Override;

/// The `precision` block of `run --precision`.
pub fn precision(r: &precision::Report) -> Value {
    let metrics: Map<String, Value> = r
        .metrics
        .iter()
        .map(|m| {
            (
                m.key.to_string(),
                json!({
                    "estimate": estimate(&m.estimate),
                    "relative_half_width": m.relative.map_or(Value::Null, finite),
                    "allowed_half_width": finite(m.allowed),
                    "met": m.met,
                }),
            )
        })
        .collect();
    json!({
        "target": r.target.fraction(),
        "reached": r.reached,
        "replications": r.replications,
        "max_replications": r.cap,
        "rounds": r.rounds,
        "metrics": metrics,
    })
}

/// A TOML value as JSON.
pub fn toml_value(v: &toml::Value) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// `{key: value}` of a point's overrides.
pub fn set(list: &[Override]) -> Value {
    Value::Object(
        list.iter()
            .map(|o| (o.key().to_owned(), toml_value(o.value())))
            .collect(),
    )
}

/// `{name: {mean, ci95}}` of the chosen metrics.
pub fn metrics(s: &Samples, keys: &[MetricKey]) -> Value {
    Value::Object(
        keys.iter()
            .map(|k| (k.to_string(), estimate(&s.estimate(k))))
            .collect(),
    )
}

/// The document of `portsim sweep`.
pub fn sweep(sw: &Sweep, outcome: &Outcome, manifest: &Manifest) -> Value {
    let points: Vec<Value> = sw
        .points
        .iter()
        .zip(&outcome.results)
        .map(|(p, r)| {
            json!({
                "set": set(&p.set),
                "hash": p.hash,
                "replications": p.scenario.replications,
                "metrics": r.as_ref().map_or(Value::Null, |s| metrics(s, &sw.metrics)),
                "runaway_replications": r.as_ref().map_or(Value::Null, |s| json!(s.runaways)),
            })
        })
        .collect();
    let factors: Vec<Value> = sw
        .factors
        .iter()
        .map(|f| {
            json!({
                "key": f.key,
                "values": f.levels.iter().map(|o| toml_value(o.value())).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut m = manifest.to_json();
    if let Value::Object(map) = &mut m {
        map.insert("points_run".into(), json!(outcome.ran));
        map.insert("points_reused".into(), json!(outcome.reused));
    }
    json!({
        "sweep": sw.study.file.path.display().to_string(),
        "scenario": scenario_block(&sw.base),
        "factors": factors,
        "lhs": sw.lhs,
        "metrics": sw.metrics.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "replications": sw.base.replications,
        "seed": sw.base.seed,
        "complete": outcome.complete,
        "points": points,
        "manifest": m,
    })
}

/// The document of `portsim plan`.
pub fn plan(p: &Plan, a: &Answer, manifest: &Manifest) -> Value {
    let bound = |c: &Constraint| match c.bound {
        Bound::Max(t) => ("max", t),
        Bound::Min(t) => ("min", t),
    };
    let candidates: Vec<Value> = a
        .candidates
        .iter()
        .map(|c| {
            let checks: Vec<Value> = p
                .constraints
                .iter()
                .zip(&c.decisions)
                .map(|(k, d)| {
                    json!({
                        "constraint": k.text,
                        "verdict": match d.verdict {
                            Verdict::Satisfied => "satisfied",
                            Verdict::Violated => "violated",
                            Verdict::Undecided => "undecided",
                        },
                        "mean": finite(d.mean),
                        "bounds": d.bounds.map_or(Value::Null, |[lo, hi]| json!([finite(lo), finite(hi)])),
                        "replications": d.n,
                    })
                })
                .collect();
            json!({
                "set": set(&c.set),
                "cost": finite(c.cost),
                "verdict": c.status.as_str(),
                "replications": c.replications,
                "hash": c.hash,
                "metrics": Value::Object(c.estimates.iter().map(|(k, e)| (k.to_string(), estimate(e))).collect()),
                "constraints": checks,
                "note": c.note,
            })
        })
        .collect();
    let values = |values: &[i64]| -> Value {
        Value::Object(
            p.variables
                .iter()
                .zip(values)
                .map(|(v, x)| (v.key.clone(), json!(x)))
                .collect(),
        )
    };
    let chosen = a.choice.and_then(|i| a.candidates.get(i));
    let runner_up = match &a.runner_up {
        Some(RunnerUp::Evaluated(i)) => a.candidates.get(*i).map_or(Value::Null, |c| {
            json!({"set": values(&c.values), "cost": finite(c.cost), "verdict": c.status.as_str(), "evidence": "evaluated"})
        }),
        Some(RunnerUp::Implied(v)) => {
            json!({"set": values(v), "cost": finite(p.cost(v)), "verdict": "feasible", "evidence": "implied by monotonicity"})
        }
        None => Value::Null,
    };
    json!({
        "plan": p.study.file.path.display().to_string(),
        "scenario": scenario_block(&p.base),
        "confidence": p.confidence,
        "alpha_per_test": a.alpha,
        "max_evaluations": a.max_evaluations,
        "looks": a.looks,
        "variables": p.variables.iter().map(|v| json!({"key": v.key, "min": v.min, "max": v.max, "cost": v.cost})).collect::<Vec<_>>(),
        "constraints": p.constraints.iter().map(|c| {
            let (side, t) = bound(c);
            json!({"metric": c.key.to_string(), side: t, "tolerance": c.tolerance, "text": c.text})
        }).collect::<Vec<_>>(),
        "choice": chosen.map_or(Value::Null, |c| values(&c.values)),
        "feasible": chosen.is_some(),
        "cost": chosen.map_or(Value::Null, |c| finite(c.cost)),
        "least_cost_proven": a.least_cost_proven,
        "runner_up": runner_up,
        "candidates": candidates,
        "notes": super::plan_notes(a),
        "closed_hours": a.closed_hours.as_ref().map_or(Value::Null, |c| json!({
            "daily": c.daily.iter().map(|&(from, to)| json!([from / crate::engine::time::SECOND, to / crate::engine::time::SECOND])).collect::<Vec<_>>(),
            "share_of_arrivals": c.share,
        })),
        "complete": a.complete,
        "manifest": manifest.to_json(),
    })
}

/// The document of `portsim sensitivity`.
pub fn sensitivity(
    s: &Sensitivity,
    outcome: &Outcome,
    f: Option<&Findings>,
    manifest: &Manifest,
) -> Value {
    let bars: Vec<Value> = f.map_or(Vec::new(), |f| {
        f.bars
            .iter()
            .map(|b| {
                let p = &s.parameters[b.parameter];
                json!({
                    "key": p.key,
                    "variant_key": p.variant_key,
                    "low_value": toml_value(&p.low_value),
                    "high_value": toml_value(&p.high_value),
                    "low": estimate(&b.low),
                    "high": estimate(&b.high),
                    "swing": finite(b.swing),
                    "change": estimate(&b.change),
                    "within_noise": b.within_noise,
                })
            })
            .collect()
    });
    let morris = match (f.and_then(|f| f.morris.as_ref()), &s.morris) {
        (Some(effects), Some(d)) => json!({
            "trajectories": d.trajectories(),
            "levels": d.levels(),
            "delta": d.delta(),
            "parameters": effects.iter().map(|e| json!({
                "key": s.parameters[e.parameter].key,
                "mu_star": finite(e.mu_star),
                "mu": finite(e.mu),
                "sigma": finite(e.sigma),
                "effects": e.n,
            })).collect::<Vec<_>>(),
        }),
        _ => Value::Null,
    };
    let mut m = manifest.to_json();
    if let Value::Object(map) = &mut m {
        map.insert("points_run".into(), json!(outcome.ran));
        map.insert("points_reused".into(), json!(outcome.reused));
    }
    json!({
        "sensitivity": s.study.file.path.display().to_string(),
        "scenario": scenario_block(&s.base),
        "variant": s.variant.as_ref().map_or(Value::Null, |(_, v)| scenario_block(v)),
        "metric": s.metric.to_string(),
        "output": if s.variant.is_some() { "change from scenario to variant (paired)" } else { "metric of the scenario" },
        "replications": s.base.replications,
        "seed": s.base.seed,
        "base": f.map_or(Value::Null, |f| estimate(&f.base)),
        "bars": bars,
        "morris": morris,
        "complete": outcome.complete,
        "manifest": m,
    })
}
