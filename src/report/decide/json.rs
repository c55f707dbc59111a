//! JSON documents of decision studies.
//!
//! The shapes are a contract (docs/planning.md): a sweep's `points[]`
//! are `{set: {key: value}, metrics: {name: {mean, ci95}}}`; every
//! estimate is `{mean, ci95}` as in run reports, `null` where there is
//! none, with a `note`.

use serde_json::{Map, Value, json};

use crate::decide::points::{Outcome, Samples};
use crate::decide::precision;
use crate::decide::metrics::MetricKey;
use crate::decide::sweep::Sweep;
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
