//! Targets on metrics as study files write them, `[[require]]`: a plan's
//! constraints and a sweep's targets are read by this one reader, so the
//! same entry means the same thing (and says its mistakes the same way) in
//! both.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_spanned::Spanned;

use super::limits::MAX_CONSTRAINTS;
use super::metrics::MetricKey;
use super::schema_types::Amount;
use super::verdict::{Bound, Constraint};
use crate::experiment::summary::Unit;
use crate::scenario::toml_file::TomlFile;
use crate::scenario::{Diagnostic, compact, parse_duration};

/// One `[[require]]` entry as written.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRequirement {
    /// A metric key, like "time_in_port_s.p95".
    #[schemars(with = "Option<String>")]
    metric: Option<Spanned<String>>,
    /// The most the metric's mean may be.
    #[schemars(with = "Option<Amount>")]
    max: Option<Spanned<toml::Value>>,
    /// The least the metric's mean may be.
    #[schemars(with = "Option<Amount>")]
    min: Option<Spanned<toml::Value>>,
    /// Indifference around the bound, in the metric's units (default 0).
    #[schemars(with = "Option<Amount>")]
    tolerance: Option<Spanned<toml::Value>>,
}

/// The `[[require]]` entries of a study file (none when absent), each
/// mistake said at its place: a plan's constraints, a sweep's targets.
pub(crate) fn requirements(
    file: &TomlFile,
    raw: Option<&Spanned<Vec<Spanned<RawRequirement>>>>,
    errors: &mut Vec<Diagnostic>,
) -> Vec<Constraint> {
    let Some(list) = raw else {
        return Vec::new();
    };
    if list.get_ref().len() > MAX_CONSTRAINTS {
        errors.push(file.error(
            Some(list.span()),
            format!(
                "{} constraints is more than the limit of {MAX_CONSTRAINTS}",
                list.get_ref().len()
            ),
        ));
        return Vec::new();
    }
    let mut out = Vec::new();
    for req in list.get_ref() {
        let r = req.get_ref();
        let Some(metric) = &r.metric else {
            errors.push(file.error(
                Some(req.span()),
                "missing key `metric` in [[require]], like `metric = \"time_in_port_s.p95\"`",
            ));
            continue;
        };
        let key = match MetricKey::parse(metric.get_ref()) {
            Ok(k) => k,
            Err(m) => {
                errors.push(file.error(Some(metric.span()), m));
                continue;
            }
        };
        let (bound, op, v) = match (&r.max, &r.min) {
            (Some(v), None) => (Bound::Max as fn(f64) -> Bound, "<=", v),
            (None, Some(v)) => (Bound::Min as fn(f64) -> Bound, ">=", v),
            (Some(v), Some(_)) => {
                errors.push(file.error(
                    Some(v.span()),
                    "give `max` or `min`, not both; write two [[require]] entries for a band",
                ));
                continue;
            }
            (None, None) => {
                errors.push(file.error(
                    Some(metric.span()),
                    format!("[[require]] on `{key}` needs `max` or `min`"),
                ));
                continue;
            }
        };
        let Some(threshold) = amount(file, &key, v, errors) else {
            continue;
        };
        let tolerance = match &r.tolerance {
            None => 0.0,
            Some(t) => match amount(file, &key, t, errors) {
                Some(x) if x >= 0.0 => x,
                Some(x) => {
                    errors.push(file.error(
                        Some(t.span()),
                        format!("`tolerance` must be at least 0, found {}", compact(x)),
                    ));
                    continue;
                }
                None => continue,
            },
        };
        let written = file
            .text
            .get(v.span())
            .unwrap_or_default()
            .trim_matches('"');
        out.push(Constraint {
            key,
            bound: bound(threshold),
            tolerance,
            text: format!("{key} {op} {written}"),
        });
    }
    out
}

/// A threshold in the metric's units: a duration string for durations
/// (in seconds), a number otherwise.
fn amount(
    file: &TomlFile,
    key: &MetricKey,
    v: &Spanned<toml::Value>,
    errors: &mut Vec<Diagnostic>,
) -> Option<f64> {
    let fail = |errors: &mut Vec<Diagnostic>, m: String| {
        errors.push(file.error(Some(v.span()), m));
        None
    };
    match (key.unit(), v.get_ref()) {
        (Unit::Seconds, toml::Value::String(s)) => match parse_duration(s) {
            Ok(t) => Some(t as f64 / crate::engine::time::SECOND as f64),
            Err(m) => fail(errors, m),
        },
        (Unit::Seconds, other) => fail(
            errors,
            format!(
                "`{key}` is a duration: write it with units, like \"4h\" or \"30m\", found {}",
                other.type_str()
            ),
        ),
        (_, toml::Value::Integer(i)) => Some(*i as f64),
        (_, toml::Value::Float(x)) if x.is_finite() => Some(*x),
        (_, other) => fail(
            errors,
            format!("expected a number for `{key}`, found {}", other.type_str()),
        ),
    }
}
