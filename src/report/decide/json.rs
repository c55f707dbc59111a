//! JSON documents of decision studies.

use serde_json::{Map, Value, json};

use crate::decide::precision;
use crate::report::json::{estimate, finite};

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
