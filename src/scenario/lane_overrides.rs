//! The one rule for overrides of a `lanes` value (a stage's or a pool's),
//! the same for `--set`, a sweep's axes, a plan's variables and a
//! sensitivity study's factors, since all of them are [`Override`]s and
//! all go through [`prepare`] before they are applied (issue 28 §5).
//!
//! * A plain count given where the files have a shift table replaces the
//!   whole table: every shift gets that count, at every hour the stage is
//!   open. That is legal (it may be what is meant) but it changes the
//!   stage's capacity in a way the key does not show, so it is reported
//!   as a warning naming the capacity before and after ([`replaced_warning`]).
//! * `KEY.lanes.percent = P` scales what is there, keeping its shape:
//!   every shift's `count` (or the plain count) becomes `count × P / 100`
//!   rounded to the nearest whole lane, halves up (`3` at 150 % is 5, `1`
//!   at 150 % is 2, `1` at 40 % is 0). `P` is a number ≥ 0; an integer
//!   works as a plan's variable, so a plan can size a whole shift table.
//!
//! The scaled value is computed from the merged files (or from an earlier
//! override of the same `lanes`), then applied like any other override,
//! so the resolved scenario and its hash hold the scaled counts.

use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::checks::Issue;
use super::named;
use super::overrides::{Override, Step};
use super::types::Scenario;
use crate::engine::time::HOUR;

/// The last key of an override that scales a `lanes` value.
pub const SCALE_KEY: &str = "percent";

/// A count that replaced a shift table, for the warning.
#[derive(Clone, Debug)]
pub(super) struct Replaced {
    /// Index of the override in the list.
    pub index: usize,
    /// `stages` or `pools`.
    pub array: String,
    /// The stage's or pool's name.
    pub name: String,
    /// How many rows the table had.
    pub shifts: usize,
}

/// The overrides as they are applied, and what [`prepare`] found.
#[derive(Debug, Default)]
pub(super) struct Prepared {
    /// One per override: itself, its scaled form, or `None` when it cannot
    /// be applied (its issue is in `issues`).
    pub list: Vec<Option<Override>>,
    /// Counts that replaced shift tables.
    pub replaced: Vec<Replaced>,
    /// Scaling overrides that cannot be applied.
    pub issues: Vec<Issue>,
}

/// Whether any override touches a `lanes` value, so that [`prepare`] has
/// anything to do.
pub(super) fn touches_lanes(overrides: &[Override]) -> bool {
    overrides.iter().any(|o| lanes_path(o).is_some())
}

/// The path of the `lanes` value `o` sets or scales (`stages`/`pools`,
/// the item's name), and whether it scales.
fn lanes_path(o: &Override) -> Option<(&str, &str, bool)> {
    let steps: Vec<&Step> = o.steps().collect();
    match steps[..] {
        [Step::Key(array), Step::Key(name), Step::Key(lanes)]
            if lanes == "lanes" && is_lanes_array(array) =>
        {
            Some((array, name, false))
        }
        [
            Step::Key(array),
            Step::Key(name),
            Step::Key(lanes),
            Step::Key(scale),
        ] if lanes == "lanes" && scale == SCALE_KEY && is_lanes_array(array) => {
            Some((array, name, true))
        }
        _ => None,
    }
}

fn is_lanes_array(key: &str) -> bool {
    key == "stages" || key == "pools"
}

/// Reads the `lanes` overrides against `doc` (the merged files, before
/// any override): scaling ones become plain overrides of the scaled
/// value, counts that replace a shift table are noted. `offsets` are the
/// overrides' places in the merged document, for issues.
pub(super) fn prepare(doc: &DeTable<'_>, overrides: &[Override], offsets: &[usize]) -> Prepared {
    let mut out = Prepared::default();
    for (index, o) in overrides.iter().enumerate() {
        let Some((array, name, scales)) = lanes_path(o) else {
            out.list.push(Some(o.clone()));
            continue;
        };
        // What the lanes are just before this override: the last earlier
        // override of the same lanes, else the files'.
        let earlier = out.list[..index]
            .iter()
            .rev()
            .flatten()
            .find(|p| lanes_path(p) == Some((array, name, false)))
            .map(|p| p.value().clone());
        let current = earlier.or_else(|| files_lanes(doc, array, name));
        if !scales {
            if let (Some(toml::Value::Array(rows)), toml::Value::Integer(_)) = (&current, o.value())
            {
                out.replaced.push(Replaced {
                    index,
                    array: array.to_owned(),
                    name: name.to_owned(),
                    shifts: rows.len(),
                });
            }
            out.list.push(Some(o.clone()));
            continue;
        }
        let offset = offsets.get(index).copied().unwrap_or(0);
        let span = o.value_span();
        let at = offset + span.start..offset + span.end;
        match scaled(o, current.as_ref(), &at) {
            Ok(value) => out.list.push(Some(o.scaled_to(value))),
            Err(None) => {
                // No such stage or pool: applying the override as written
                // reports it, with a did-you-mean.
                out.list.push(Some(o.clone()));
            }
            Err(Some(issue)) => {
                out.issues.push(issue);
                out.list.push(None);
            }
        }
    }
    out
}

/// The `lanes` of the item `name` of `array` in the files, as a value.
fn files_lanes(doc: &DeTable<'_>, array: &str, name: &str) -> Option<toml::Value> {
    let DeValue::Array(items) = doc.get(array)?.get_ref() else {
        return None;
    };
    let item = items.get(named::position(items, name)?)?;
    let DeValue::Table(table) = item.get_ref() else {
        return None;
    };
    match table.get("lanes") {
        Some(v) => plain(v.get_ref()),
        // The item exists but has no lanes of its own.
        None => Some(toml::Value::Table(toml::Table::new())),
    }
}

/// A merged-document value as a plain TOML value.
fn plain(v: &DeValue<'_>) -> Option<toml::Value> {
    Some(match v {
        DeValue::String(s) => toml::Value::String(s.to_string()),
        DeValue::Integer(i) => {
            toml::Value::Integer(i64::from_str_radix(i.as_str(), i.radix()).ok()?)
        }
        DeValue::Float(f) => toml::Value::Float(f.as_str().parse().ok()?),
        DeValue::Boolean(b) => toml::Value::Boolean(*b),
        DeValue::Datetime(d) => toml::Value::Datetime(*d),
        DeValue::Array(items) => toml::Value::Array(
            items
                .iter()
                .map(|i| plain(i.get_ref()))
                .collect::<Option<_>>()?,
        ),
        DeValue::Table(t) => toml::Value::Table(
            t.iter()
                .map(|(k, v)| Some((k.get_ref().to_string(), plain(v.get_ref())?)))
                .collect::<Option<_>>()?,
        ),
    })
}

/// `current` scaled by `o`'s percentage. `Err(None)` when there is no
/// such item (the override as written says so), `Err(Some(issue))` when
/// the value cannot be scaled.
fn scaled(
    o: &Override,
    current: Option<&toml::Value>,
    at: &Range<usize>,
) -> Result<toml::Value, Option<Issue>> {
    let lanes_key = o.key().strip_suffix(".percent").unwrap_or(o.key());
    let issue = |message: String| {
        Some(Issue {
            span: Some(at.clone()),
            message,
            label: None,
            help: None,
        })
    };
    let factor = match o.value() {
        toml::Value::Integer(p) if *p >= 0 => Factor::Percent(*p),
        toml::Value::Float(p) if p.is_finite() && *p >= 0.0 => Factor::Float(*p),
        other => {
            return Err(issue(format!(
                "`{}` is a percentage ≥ 0 that scales the lanes keeping their shifts' shape (150 for half as many again), found {}",
                o.key(),
                show(other)
            )));
        }
    };
    let Some(current) = current else {
        return Err(None);
    };
    match current {
        toml::Value::Integer(n) => Ok(toml::Value::Integer(factor.apply(*n))),
        toml::Value::Array(rows) => rows
            .iter()
            .map(|row| match row {
                toml::Value::Table(t) => {
                    let mut t = t.clone();
                    if let Some(toml::Value::Integer(n)) = t.get("count") {
                        let n = factor.apply(*n);
                        t.insert("count".to_owned(), toml::Value::Integer(n));
                    }
                    Ok(toml::Value::Table(t))
                }
                other => Ok(other.clone()),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(toml::Value::Array),
        toml::Value::Table(t) if t.is_empty() => Err(issue(format!(
            "`{}` scales `{lanes_key}`, which is not set (a stage drawing on a pool scales the pool's: `pools.NAME.lanes.percent`)",
            o.key()
        ))),
        other => Err(issue(format!(
            "`{}` scales a lane count or a shift table, but `{lanes_key}` is {}",
            o.key(),
            show(other)
        ))),
    }
}

/// How a value reads in a message.
fn show(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("\"{s}\""),
        other => other.to_string(),
    }
}

/// A percentage, exact when it is an integer.
#[derive(Clone, Copy)]
enum Factor {
    Percent(i64),
    Float(f64),
}

impl Factor {
    /// `n` scaled, to the nearest whole lane, halves up.
    fn apply(self, n: i64) -> i64 {
        match self {
            Factor::Percent(p) => {
                let scaled = i128::from(n) * i128::from(p);
                let rounded = (scaled + 50).div_euclid(100);
                i64::try_from(rounded).unwrap_or(i64::MAX)
            }
            Factor::Float(p) => {
                let x = (n as f64 * p / 100.0 + 0.5).floor();
                if x >= i64::MAX as f64 {
                    i64::MAX
                } else {
                    x as i64
                }
            }
        }
    }
}

/// The warning for a count that replaced a shift table: the capacity
/// before (`before`, the scenario without that override) and after.
pub(super) fn replaced_warning(
    before: &Scenario,
    after: &Scenario,
    r: &Replaced,
    o: &Override,
) -> Option<String> {
    let (was, now, unit) = if r.array == "stages" {
        let capacity = |s: &Scenario| {
            let stage = s.stages.iter().find(|st| st.name == r.name)?;
            let lanes = stage.own_lanes()?;
            let service_h = stage.service.sampler().map_or(0.0, |x| x.mean()) / HOUR as f64;
            (service_h > 0.0).then(|| lanes.weekly_mean() * 24.0 / service_h)
        };
        (capacity(before)?, capacity(after)?, "trucks/day")
    } else {
        let capacity = |s: &Scenario| {
            let pool = s.pools.iter().find(|p| p.name == r.name)?;
            Some(pool.lanes.weekly_mean() * 24.0)
        };
        (capacity(before)?, capacity(after)?, "lane-hours/day")
    };
    let lanes = o.value();
    let key = o.key();
    let shifts = if r.shifts == 1 { "shift" } else { "shifts" };
    let open = if r.array == "stages" {
        "at every hour the stage is open"
    } else {
        "at every hour"
    };
    Some(format!(
        "{}: `{}` replaces its shift table ({} {shifts}, capacity {} {unit}) with {lanes} lanes {open}: capacity {} {unit}; to keep the shifts' shape, scale the table instead, e.g. `{key}.percent=150` (each shift's count × 1.5, to the nearest lane, halves up)",
        o.origin().path.display(),
        o.text(),
        r.shifts,
        grouped(was),
        grouped(now),
    ))
}

/// `x` rounded, with thousands separated by commas.
fn grouped(x: f64) -> String {
    let digits = format!("{:.0}", x.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
