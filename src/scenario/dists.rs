//! Distribution tables: `{ dist = "lognormal", mean = "12m", sd = "6m" }`.
//!
//! A scenario names a distribution and gives its parameters as durations
//! (the Erlang `k` and empirical `weights` are plain numbers). This module
//! checks the name, that exactly the parameters the distribution takes are
//! there, converts durations to ticks, and finally asks
//! [`Dist::sampler`] whether the combination is valid, reporting its
//! verdict in scenario units at the table. A plain duration string ("5m")
//! is a deterministic distribution.

use std::collections::BTreeMap;

use super::checks::Issues;
use super::error::{compact, did_you_mean, one_of};
use super::raw::{DistSpec, NumberSpec, Param, S};
use super::units::{self, DURATION_EXAMPLES};
use crate::engine::dist::{Dist, DistError, MIN_SDS_BELOW_ZERO};

/// Distribution names and the parameters each takes.
const KINDS: &[(&str, &[&str])] = &[
    ("exponential", &["mean"]),
    ("deterministic", &["value"]),
    ("constant", &["value"]),
    ("uniform", &["min", "max"]),
    ("triangular", &["min", "mode", "max"]),
    ("normal", &["mean", "sd"]),
    ("lognormal", &["mean", "sd"]),
    ("gamma", &["mean", "sd"]),
    ("erlang", &["k", "mean"]),
    ("empirical", &["values", "weights"]),
];

type Params = BTreeMap<S<String>, S<Param>>;

/// Whether negative durations are allowed (punctuality offsets).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Sign {
    /// Durations only.
    NonNegative,
    /// Offsets: a leading "-" means early.
    Signed,
    /// Not durations at all: plain numbers of zero or more (a queue
    /// length a truck tolerates).
    Count,
}

/// Converts and checks a distribution of plain numbers (trucks), given as
/// a number or a table whose parameters are numbers.
pub(super) fn number_dist(issues: &mut Issues, spec: &S<NumberSpec>, key: &str) -> Option<Dist> {
    let dist = match spec.get_ref() {
        NumberSpec::Fixed(x) if x.is_finite() && *x >= 0.0 => Dist::Deterministic { value: *x },
        NumberSpec::Fixed(x) => {
            issues.at(
                spec,
                format!(
                    "`{key}` must be a number of at least 0, found {}",
                    compact(*x)
                ),
            );
            return None;
        }
        NumberSpec::Table(params) => {
            let table = S::new(spec.span(), DistSpec::Fixed(String::new()));
            from_table(issues, &table, params, Sign::Count)?
        }
    };
    if let Err(error) = dist.sampler() {
        let text = match &error {
            DistError::NotPositive { name, value } => {
                format!(
                    "`{name}` must be greater than zero, found {}",
                    compact(*value)
                )
            }
            DistError::Negative { name, value } => {
                format!("`{name}` must be zero or more, found {}", compact(*value))
            }
            DistError::Bounds(_) | DistError::Truncated { .. } => {
                format!("invalid parameters {dist:?}")
            }
            DistError::Empirical(message) => message.clone(),
        };
        issues.at(spec, format!("invalid `{key}` distribution: {text}"));
        return None;
    }
    Some(dist)
}

/// Converts and checks a distribution given as `spec` for key `key`.
pub(super) fn dist(issues: &mut Issues, spec: &S<DistSpec>, key: &str, sign: Sign) -> Option<Dist> {
    let dist = match spec.get_ref() {
        DistSpec::Fixed(text) => match units::duration(text, sign == Sign::Signed) {
            Ok(value) => Dist::Deterministic { value },
            Err(message) => {
                let label = match units::text_hint(text, key) {
                    Some(hint) => format!("`{key}`: {hint}"),
                    None => format!("`{key}`"),
                };
                issues.at(spec, message).label(label);
                return None;
            }
        },
        DistSpec::Table(params) => from_table(issues, spec, params, sign)?,
    };
    let dist = match dist {
        // A fixed negative offset: the engine's constant is a duration (never
        // negative), while a normal with sd 0 is a constant offset.
        Dist::Deterministic { value } if sign == Sign::Signed && value < 0.0 => Dist::Normal {
            mean: value,
            sd: 0.0,
        },
        other => other,
    };
    // An offset is drawn untruncated, so a normal may have any mean.
    let checked = if sign == Sign::Signed {
        dist.offset_sampler()
    } else {
        dist.sampler()
    };
    if let Err(error) = checked {
        let issue = issues.at(
            spec,
            format!("invalid `{key}` distribution: {}", explain(&error, &dist)),
        );
        if sign == Sign::Signed && matches!(error, DistError::Negative { .. }) {
            issue.help("only the `normal` and `empirical` distributions may have negative values");
        }
        return None;
    }
    Some(dist)
}

fn from_table(
    issues: &mut Issues,
    spec: &S<DistSpec>,
    params: &Params,
    sign: Sign,
) -> Option<Dist> {
    let names: Vec<&str> = KINDS.iter().map(|k| k.0).collect();
    let Some((_, dist_value)) = params.iter().find(|(k, _)| k.get_ref() == "dist") else {
        issues
            .at(spec, "missing key `dist` in the distribution table")
            .help(format!("expected `dist` = {}", one_of(&names)));
        return None;
    };
    let Param::Text(name) = dist_value.get_ref() else {
        issues.at(
            dist_value,
            format!("expected the name of a distribution: {}", one_of(&names)),
        );
        return None;
    };
    let Some((name, takes)) = KINDS.iter().find(|k| k.0 == name.to_ascii_lowercase()) else {
        let issue = issues.at(dist_value, format!("unknown distribution \"{name}\""));
        match did_you_mean(name, &names) {
            Some(near) => issue.label(format!("did you mean \"{near}\"?")),
            None => issue.help(format!("expected one of {}", one_of(&names))),
        };
        return None;
    };
    let args = Args {
        issues,
        spec,
        params,
        name,
        takes,
        sign,
    };
    args.build()
}

/// The parameters of one distribution table, being checked.
struct Args<'a> {
    issues: &'a mut Issues,
    spec: &'a S<DistSpec>,
    params: &'a Params,
    name: &'a str,
    takes: &'a [&'a str],
    sign: Sign,
}

impl<'a> Args<'a> {
    fn takes_list(&self) -> String {
        let listed: Vec<String> = self.takes.iter().map(|t| format!("`{t}`")).collect();
        match listed.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
            _ => listed.join(""),
        }
    }

    /// Checks the keys, then converts every parameter.
    fn build(mut self) -> Option<Dist> {
        let mut ok = self.unknown_keys();
        for key in self.takes {
            if !self.params.keys().any(|k| k.get_ref() == key) {
                let message = format!(
                    "missing parameter `{key}` for the `{}` distribution (it takes {})",
                    self.name,
                    self.takes_list()
                );
                self.issues.at(self.spec, message);
                ok = false;
            }
        }
        if !ok {
            return None;
        }
        let d = |s: &mut Self, key: &str| s.duration(key);
        Some(match self.name {
            "exponential" => Dist::Exponential {
                mean: d(&mut self, "mean")?,
            },
            "deterministic" | "constant" => Dist::Deterministic {
                value: d(&mut self, "value")?,
            },
            "uniform" => {
                let min = d(&mut self, "min");
                let max = d(&mut self, "max");
                Dist::Uniform {
                    min: min?,
                    max: max?,
                }
            }
            "triangular" => {
                let (min, mode, max) = (
                    d(&mut self, "min"),
                    d(&mut self, "mode"),
                    d(&mut self, "max"),
                );
                Dist::Triangular {
                    min: min?,
                    mode: mode?,
                    max: max?,
                }
            }
            "normal" | "lognormal" | "gamma" => {
                let (mean, sd) = (d(&mut self, "mean"), self.sd());
                let (mean, sd) = (mean?, sd?);
                match self.name {
                    "normal" => Dist::Normal { mean, sd },
                    "lognormal" => Dist::LogNormal { mean, sd },
                    _ => Dist::Gamma { mean, sd },
                }
            }
            "erlang" => {
                let (k, mean) = (self.k(), d(&mut self, "mean"));
                Dist::Erlang { k: k?, mean: mean? }
            }
            _ => {
                let (values, weights) = (self.values(), self.weights());
                Dist::Empirical {
                    values: values?,
                    weights: weights?,
                }
            }
        })
    }

    /// Reports parameters this distribution does not take.
    fn unknown_keys(&mut self) -> bool {
        let mut ok = true;
        for key in self.params.keys() {
            let name = key.get_ref().as_str();
            if name == "dist" || self.takes.contains(&name) {
                continue;
            }
            let message = format!(
                "unknown parameter `{name}` for the `{}` distribution",
                self.name
            );
            let takes = self.takes_list();
            let issue = self.issues.at(key, message);
            match did_you_mean(name, self.takes) {
                Some(near) => issue.label(format!("did you mean `{near}`?")),
                None => issue.help(format!("it takes {takes}")),
            };
            ok = false;
        }
        ok
    }

    fn param(&self, key: &str) -> Option<&'a S<Param>> {
        self.params
            .iter()
            .find(|(k, _)| k.get_ref() == key)
            .map(|(_, v)| v)
    }

    /// A duration parameter, in ticks.
    fn duration(&mut self, key: &str) -> Option<f64> {
        let value = self.param(key)?;
        if self.sign == Sign::Count {
            return to_number(self.issues, value, key);
        }
        let signed = self.sign == Sign::Signed && key != "sd";
        to_ticks(self.issues, value, key, signed)
    }

    /// A standard deviation: a duration, never negative.
    fn sd(&mut self) -> Option<f64> {
        self.duration("sd")
    }

    fn k(&mut self) -> Option<u32> {
        let value = self.param("k")?;
        match value.get_ref() {
            Param::Int(k) if (1..=i64::from(u32::MAX)).contains(k) => u32::try_from(*k).ok(),
            _ => {
                let message = format!(
                    "`k` must be a whole number of at least 1, found {}",
                    describe(value.get_ref())
                );
                self.issues.at(value, message);
                None
            }
        }
    }

    fn values(&mut self) -> Option<Vec<f64>> {
        let value = self.param("values")?;
        let signed = self.sign == Sign::Signed;
        let Param::List(items) = value.get_ref() else {
            self.issues.at(
                value,
                format!(
                    "`values` must be a list of durations like [\"5m\", \"10m\"], found {}",
                    describe(value.get_ref())
                ),
            );
            return None;
        };
        let count = self.sign == Sign::Count;
        let converted: Vec<Option<f64>> = items
            .iter()
            .map(|item| match count {
                true => to_number(&mut *self.issues, item, "values"),
                false => to_ticks(&mut *self.issues, item, "values", signed),
            })
            .collect();
        converted.into_iter().collect()
    }

    fn weights(&mut self) -> Option<Vec<f64>> {
        let value = self.param("weights")?;
        let Param::List(items) = value.get_ref() else {
            self.issues.at(
                value,
                format!(
                    "`weights` must be a list of numbers like [3, 1], found {}",
                    describe(value.get_ref())
                ),
            );
            return None;
        };
        let mut weights = Vec::with_capacity(items.len());
        for item in items {
            match item.get_ref() {
                Param::Int(w) => weights.push(*w as f64),
                Param::Float(w) => weights.push(*w),
                other => {
                    self.issues.at(
                        item,
                        format!("a weight must be a number, found {}", describe(other)),
                    );
                    return None;
                }
            }
        }
        Some(weights)
    }
}

/// A plain-number parameter, zero or more.
fn to_number(issues: &mut Issues, value: &S<Param>, key: &str) -> Option<f64> {
    let x = match value.get_ref() {
        Param::Int(i) => *i as f64,
        Param::Float(x) => *x,
        other => {
            let message = format!(
                "`{key}` must be a number of trucks like 20, found {}",
                describe(other)
            );
            issues.at(value, message);
            return None;
        }
    };
    if !(x.is_finite() && x >= 0.0) {
        issues.at(
            value,
            format!(
                "`{key}` must be a number of at least 0, found {}",
                compact(x)
            ),
        );
        return None;
    }
    Some(x)
}

/// A duration parameter in ticks.
fn to_ticks(issues: &mut Issues, value: &S<Param>, key: &str, signed: bool) -> Option<f64> {
    let Param::Text(text) = value.get_ref() else {
        let message = format!(
            "`{key}` must be {DURATION_EXAMPLES}, found {}",
            describe(value.get_ref())
        );
        let number = match value.get_ref() {
            Param::Int(i) => Some(*i as f64),
            Param::Float(x) => Some(*x),
            _ => None,
        };
        let issue = issues.at(value, message);
        issue.help("durations are strings with a unit, such as \"5m\"");
        if let Some(hint) = number.and_then(|x| units::duration_hint(x, key)) {
            issue.label(hint);
        }
        return None;
    };
    match units::duration(text, signed) {
        Ok(ticks) => Some(ticks),
        Err(message) => {
            let label = match units::text_hint(text, key) {
                Some(hint) => format!("`{key}`: {hint}"),
                None => format!("`{key}`"),
            };
            issues.at(value, message).label(label);
            None
        }
    }
}

/// A raw parameter as the user wrote it, for messages.
fn describe(param: &Param) -> String {
    match param {
        Param::Text(s) => format!("\"{s}\""),
        Param::Int(i) => i.to_string(),
        Param::Float(x) => compact(*x),
        Param::List(_) => "a list".to_owned(),
    }
}

/// The sampler's complaint in scenario units.
fn explain(error: &DistError, dist: &Dist) -> String {
    match error {
        DistError::NotPositive { name: "k", .. } => "`k` must be at least 1".to_owned(),
        DistError::NotPositive { name, value } => {
            format!(
                "`{name}` must be greater than zero, found {}",
                units::show_ticks(*value)
            )
        }
        DistError::Negative {
            name: "weights",
            value,
        } => {
            format!("`weights` must be zero or more, found {}", compact(*value))
        }
        DistError::Negative { name, value } => {
            format!(
                "`{name}` must be zero or more, found {}",
                units::show_ticks(*value)
            )
        }
        DistError::Truncated { mean, sd } => format!(
            "a normal duration is truncated at zero, and with `mean` {} and `sd` {} almost none of it is above zero; the mean must be above about {} (-7 sd), or, for an offset that may be negative, use `punctuality`",
            units::show_ticks(*mean),
            units::show_ticks(*sd),
            units::show_ticks(MIN_SDS_BELOW_ZERO * sd)
        ),
        DistError::Bounds(_) => bounds(dist),
        DistError::Empirical(message) => message.clone(),
    }
}

fn bounds(dist: &Dist) -> String {
    let t = |x: f64| units::show_ticks(x);
    match *dist {
        Dist::Uniform { min, max } => {
            format!("`min` ({}) must not exceed `max` ({})", t(min), t(max))
        }
        Dist::Triangular { min, mode, max } => format!(
            "expected min <= mode <= max with min < max, found min {}, mode {}, max {}",
            t(min),
            t(mode),
            t(max)
        ),
        _ => format!("invalid parameters {dist:?}"),
    }
}
