//! Sweeps: a scenario run at many settings of a few factors.
//!
//! ```toml
//! scenario = "horgos-after.toml"
//! replications = 10
//! metrics = ["time_in_port_s", "time_in_port_s.p95"]
//!
//! [[factors]]
//! key = "stages.release-and-exit.service.mean"
//! values = ["150s", "160s", "170s"]
//!
//! [[factors]]
//! key = "stages.joint-inspection.lanes[0].count"
//! range = [10, 14]
//! step = 2
//! ```
//!
//! Each factor is a key (as for `--set`) with explicit `values`, or a
//! `range = [lo, hi]` of integers, numbers or durations stepped by `step`
//! (1 by default for integers). The points are every combination (the
//! first factor varying slowest), or, with `lhs = N` at the top, a Latin
//! hypercube of N points: each factor's range (or list of values) is cut
//! into N equal strata, and each stratum is used by exactly one point,
//! the strata matched across factors by random permutations. The
//! permutations and the place inside each stratum come from the study's
//! seed (stream `lhs/<key>`), so the design is reproducible.
//!
//! Every point runs the study's replications with the same seed: common
//! random numbers, so neighbouring points differ by their settings, not
//! by their luck. [`read`] checks the whole file and resolves every point
//! before anything runs; running is [`points::run`](super::points::run).

use std::ops::Range as Span;
use std::path::Path;

use rand::RngExt;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_spanned::Spanned;

use super::error::DecideError;
use super::file::{RawHeader, Study};
use super::limits::{self, MAX_FACTORS, MAX_POINTS, MAX_VALUES};
use super::metrics::{DEFAULT_PRECISION, MetricKey};
use super::points::{Resolved, resolve_all};
use super::schema_types::{Amount, AnyValue, SetTable};
use super::values::{Quantity, Range};
use super::verdict::Constraint;
use crate::engine::streams::Streams;
use crate::scenario::toml_file::{Integer, TomlFile};
use crate::scenario::{Diagnostic, Origin, Override, Scenario};

/// The file as written.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawSweep {
    /// The scenario studied, a path relative to the sweep file.
    #[schemars(with = "Option<String>")]
    scenario: Option<Spanned<String>>,
    /// Replications per point; default the scenario's.
    #[schemars(with = "Option<u64>")]
    replications: Option<Spanned<Integer>>,
    /// Master seed; default the scenario's.
    #[schemars(with = "Option<u64>")]
    seed: Option<Spanned<Integer>>,
    #[allow(dead_code, reason = "read from the tree by `file`, with its spans")]
    #[schemars(with = "Option<SetTable>")]
    set: Option<toml::Value>,
    /// Metric keys reported for every point, like "time_in_port_s.p95".
    #[schemars(with = "Option<Vec<String>>")]
    metrics: Option<Spanned<Vec<Spanned<String>>>>,
    /// A Latin hypercube of this many points instead of the full grid.
    #[schemars(with = "Option<u64>")]
    lhs: Option<Spanned<Integer>>,
    /// The factors: a scenario key and its values (or a range and step).
    #[schemars(with = "Option<Vec<RawFactor>>")]
    factors: Option<Spanned<Vec<Spanned<RawFactor>>>>,
    /// Targets on metrics, as a plan's [[require]]: marked on the report's
    /// heat maps (a sweep searches nothing; it shows where they are met).
    #[schemars(with = "Option<Vec<super::require::RawRequirement>>")]
    require: Option<Spanned<Vec<Spanned<super::require::RawRequirement>>>>,
}

/// One `[[factors]]` entry as written.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawFactor {
    /// The scenario key, as for --set: "stages.exit.lanes".
    #[schemars(with = "Option<String>")]
    key: Option<Spanned<String>>,
    /// The values the key takes, one point each.
    #[schemars(with = "Option<Vec<AnyValue>>")]
    values: Option<Spanned<Vec<Spanned<toml::Value>>>>,
    /// [low, high], numbers or durations, with `step`.
    #[schemars(with = "Option<Vec<Amount>>")]
    range: Option<Spanned<Vec<Spanned<toml::Value>>>>,
    /// The step through `range`.
    #[schemars(with = "Option<Amount>")]
    step: Option<Spanned<toml::Value>>,
}

/// The JSON Schema of sweep files (`portsim schema --kind sweep`).
pub(super) fn schema() -> serde_json::Value {
    super::schema_types::study::<RawSweep>(
        "portsim sweep",
        "A portsim sweep file: a grid of scenario settings (docs/planning.md, Sweeps)",
    )
}

/// A factor: its key and the overrides of its levels.
#[derive(Clone, Debug)]
pub struct Factor {
    /// The key, as written.
    pub key: String,
    /// One override per level (for a Latin hypercube: the list sampled,
    /// or the range's ends).
    pub levels: Vec<Override>,
    /// The range, for a Latin hypercube over it.
    range: Option<(Range, Span<usize>, Span<usize>)>,
}

/// A checked sweep with its points resolved.
#[derive(Clone, Debug)]
pub struct Sweep {
    /// The study (file, scenario, common overrides).
    pub study: Study,
    /// The factors, in file order.
    pub factors: Vec<Factor>,
    /// `lhs = N`, if the points are a Latin hypercube.
    pub lhs: Option<usize>,
    /// The metrics reported (the targets' among them).
    pub metrics: Vec<MetricKey>,
    /// Targets on metrics (`[[require]]`), marked on the heat maps.
    pub targets: Vec<Constraint>,
    /// The points, resolved, in order.
    pub points: Vec<Resolved>,
    /// The scenario with the study's overrides only (seed, count, `[set]`).
    pub base: Scenario,
}

/// Reads a sweep file; `command_line` overrides apply to every point.
pub fn read(path: &Path, command_line: &[Override]) -> Result<Sweep, DecideError> {
    let file = TomlFile::read(path)?;
    parse(&file, command_line)
}

/// Checks a sweep file already in memory and resolves its points; every
/// mistake is reported at once, as the study file's.
pub fn parse(file: &TomlFile, command_line: &[Override]) -> Result<Sweep, DecideError> {
    check(file, command_line).map_err(|e| e.of_study(&file.path))
}

fn check(file: &TomlFile, command_line: &[Override]) -> Result<Sweep, DecideError> {
    let mut errors = Vec::new();
    let mut partial = file.decode_partial::<RawSweep>(&mut errors)?;
    let Some(raw) = partial.file.take() else {
        return Err(DecideError::invalid(errors));
    };
    let header = RawHeader {
        scenario: raw.scenario,
        replications: raw.replications,
        seed: raw.seed,
    };
    let study = Study::checked(file, &header, command_line, &mut errors);
    let mut metrics = metric_list(file, raw.metrics.as_ref(), &mut errors);
    let targets = super::require::requirements(file, raw.require.as_ref(), &mut errors);
    for t in &targets {
        if !metrics.contains(&t.key) {
            metrics.push(t.key);
        }
    }
    let lhs = raw.lhs.as_ref().and_then(|n| {
        let x = n.get_ref().0;
        if (1..=MAX_POINTS as i128).contains(&x) {
            Some(x as usize)
        } else {
            errors.push(file.error(
                Some(n.span()),
                format!("`lhs` must be between 1 and {MAX_POINTS} points, found {x}"),
            ));
            None
        }
    });
    let lhs_ok = raw.lhs.is_none() || lhs.is_some();
    let factors = factors(&study, raw.factors.as_ref(), raw.lhs.is_some(), &mut errors);
    // The base scenario gives the seed (for the design) and the count.
    let base = study.resolve_checked(&[], &mut errors);
    // The points of the factors that read, even if others did not or the
    // base has mistakes: those come again with every point and are said
    // once (`DecideError::invalid`), and a point's own mistakes are found
    // now.
    let mut points = Vec::new();
    if lhs_ok && study.names_scenario() {
        let span = raw.factors.as_ref().map(|f| f.span());
        match resolve_points(&study, &factors, lhs, base.as_ref(), span) {
            Ok(list) => points = list,
            Err(e) if !e.diagnostics().is_empty() => errors.extend(e.diagnostics().to_vec()),
            // A scenario that cannot be read is already said, for the base.
            Err(_) if base.is_none() => {}
            Err(e) => return Err(e),
        }
    }
    partial.drop_repeats(&mut errors);
    let (Some(base), true) = (base, errors.is_empty()) else {
        return Err(super::file::invalid(errors));
    };
    Ok(Sweep {
        study,
        factors,
        lhs,
        metrics,
        targets,
        points,
        base,
    })
}

/// The points of the design, resolved (a Latin hypercube needs the base
/// scenario's seed; without a base there is none, and no work limit).
fn resolve_points(
    study: &Study,
    factors: &[Factor],
    lhs: Option<usize>,
    base: Option<&Scenario>,
    span: Option<Span<usize>>,
) -> Result<Vec<Resolved>, DecideError> {
    let sets = match (lhs, base) {
        (Some(n), Some(base)) => hypercube(study, factors, n, base.seed),
        (Some(_), None) => return Ok(Vec::new()),
        (None, _) => grid(study, factors, span)?,
    };
    if let Some(base) = base {
        let units: u64 = sets.len() as u64 * base.replications;
        limits::work("this sweep", units)
            .map_err(|m| DecideError::invalid(vec![study.error(0..0, m)]))?;
    }
    resolve_all(sets, |set| study.resolve(set))
}

/// `metrics = [...]`, or the default list.
pub(super) fn metric_list(
    file: &TomlFile,
    raw: Option<&Spanned<Vec<Spanned<String>>>>,
    errors: &mut Vec<Diagnostic>,
) -> Vec<MetricKey> {
    let Some(list) = raw else {
        return DEFAULT_PRECISION
            .iter()
            .filter_map(|n| MetricKey::parse(n).ok())
            .collect();
    };
    if list.get_ref().is_empty() {
        errors.push(file.error(
            Some(list.span()),
            "`metrics` is empty; name at least one, like \"time_in_port_s\"",
        ));
    }
    let mut keys = Vec::new();
    for name in list.get_ref() {
        match MetricKey::parse(name.get_ref()) {
            Ok(k) if keys.contains(&k) => {
                errors.push(file.error(Some(name.span()), format!("metric `{k}` is listed twice")));
            }
            Ok(k) => keys.push(k),
            Err(m) => errors.push(file.error(Some(name.span()), m)),
        }
    }
    keys
}

/// Checks a factor key (of a sweep, a plan or a sensitivity study):
/// written, not the seed or the count, a valid override key, and not
/// varied twice.
pub(super) fn factor_key<'k>(
    file: &TomlFile,
    key: Option<&'k Spanned<String>>,
    table: Span<usize>,
    seen: &mut Vec<String>,
    errors: &mut Vec<Diagnostic>,
) -> Option<&'k Spanned<String>> {
    let Some(key) = key else {
        errors.push(file.error(
            Some(table),
            "missing key `key`: the value to vary, like `key = \"stages.inspection.lanes\"`",
        ));
        return None;
    };
    let k = key.get_ref();
    if k == "seed" || k == "replications" {
        errors.push(file.error(
            Some(key.span()),
            format!("`{k}` cannot vary: every point runs with the same seed and replications, so the points share their random numbers"),
        ));
        return None;
    }
    if seen.contains(k) {
        errors.push(file.error(Some(key.span()), format!("`{k}` is varied twice")));
        return None;
    }
    // The key as an override (its syntax, and whether it can be
    // overridden at all), checked once here rather than value by value.
    let origin = Origin::new(file.path.clone(), file.text.clone());
    if let Err(d) = Override::generated(
        &origin,
        k,
        key.span(),
        toml::Value::Boolean(true),
        key.span(),
    ) {
        errors.push(*d);
        return None;
    }
    seen.push(k.clone());
    Some(key)
}

fn factors(
    study: &Study,
    raw: Option<&Spanned<Vec<Spanned<RawFactor>>>>,
    lhs: bool,
    errors: &mut Vec<Diagnostic>,
) -> Vec<Factor> {
    let file = &study.file;
    let Some(list) = raw.filter(|l| !l.get_ref().is_empty()) else {
        errors.push(file.error(
            raw.map(|l| l.span()).or(Some(0..0)),
            "a sweep needs at least one [[factors]] entry with a `key` and `values` or a `range`",
        ));
        return Vec::new();
    };
    if list.get_ref().len() > MAX_FACTORS {
        errors.push(file.error(
            Some(list.span()),
            format!(
                "{} factors is more than the limit of {MAX_FACTORS}",
                list.get_ref().len()
            ),
        ));
        return Vec::new();
    }
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for f in list.get_ref() {
        let Some(key) = factor_key(file, f.get_ref().key.as_ref(), f.span(), &mut seen, errors)
        else {
            continue;
        };
        if let Some(factor) = factor(study, key, f, lhs, errors) {
            out.push(factor);
        }
    }
    out
}

fn factor(
    study: &Study,
    key: &Spanned<String>,
    f: &Spanned<RawFactor>,
    lhs: bool,
    errors: &mut Vec<Diagnostic>,
) -> Option<Factor> {
    let file = &study.file;
    let raw = f.get_ref();
    let k = key.get_ref();
    let push = |errors: &mut Vec<Diagnostic>,
                r: Result<Override, Box<Diagnostic>>,
                levels: &mut Vec<Override>| match r {
        Ok(o) => levels.push(o),
        Err(d) => errors.push(*d),
    };
    let mut levels = Vec::new();
    match (&raw.values, &raw.range) {
        (Some(values), None) => {
            if raw.step.is_some() {
                errors.push(file.error(
                    raw.step.as_ref().map(|s| s.span()),
                    "`step` goes with a `range`, not with `values`",
                ));
            }
            let n = values.get_ref().len();
            if n == 0 || n > MAX_VALUES {
                errors.push(file.error(
                    Some(values.span()),
                    format!("`values` must list between 1 and {MAX_VALUES} values, found {n}"),
                ));
                return None;
            }
            for v in values.get_ref() {
                push(
                    errors,
                    Override::in_file(&study.origin, k, key.span(), v.span()),
                    &mut levels,
                );
            }
            Some(Factor {
                key: k.clone(),
                levels,
                range: None,
            })
        }
        (None, Some(range)) => {
            let r = read_range(file, range).map_err(|d| errors.push(*d)).ok()?;
            let span = range.span();
            if lhs {
                if let Some(step) = &raw.step {
                    errors.push(file.error(
                        Some(step.span()),
                        "with `lhs`, a range is sampled, not stepped: remove `step`",
                    ));
                }
                for v in [r.low(), r.high()] {
                    push(
                        errors,
                        Override::generated(&study.origin, k, key.span(), v, span.clone()),
                        &mut levels,
                    );
                }
                return Some(Factor {
                    key: k.clone(),
                    levels,
                    range: Some((r, key.span(), span)),
                });
            }
            let step = match &raw.step {
                Some(s) => Some(
                    Quantity::read(s.get_ref())
                        .map_err(|m| {
                            errors.push(file.error(Some(s.span()), format!("`step`: {m}")))
                        })
                        .ok()?,
                ),
                None => None,
            };
            let at = raw.step.as_ref().map_or(span.clone(), |s| s.span());
            let values = r
                .grid(step)
                .map_err(|m| errors.push(file.error(Some(at), m)))
                .ok()?;
            for v in values {
                push(
                    errors,
                    Override::generated(&study.origin, k, key.span(), v, span.clone()),
                    &mut levels,
                );
            }
            Some(Factor {
                key: k.clone(),
                levels,
                range: None,
            })
        }
        (Some(v), Some(_)) => {
            errors.push(file.error(
                Some(v.span()),
                "give either `values` or a `range`, not both",
            ));
            None
        }
        (None, None) => {
            errors.push(file.error(
                Some(key.span()),
                format!("factor `{k}` needs `values = [...]` or `range = [lo, hi]`"),
            ));
            None
        }
    }
}

/// A `range = [lo, hi]`, checked.
pub(super) fn read_range(
    file: &TomlFile,
    range: &Spanned<Vec<Spanned<toml::Value>>>,
) -> Result<Range, Box<Diagnostic>> {
    let [lo, hi] = &range.get_ref()[..] else {
        return Err(Box::new(file.error(
            Some(range.span()),
            format!(
                "a range has two ends, like `range = [4, 10]`, found {} values",
                range.get_ref().len()
            ),
        )));
    };
    let end = |v: &Spanned<toml::Value>| {
        Quantity::read(v.get_ref()).map_err(|m| Box::new(file.error(Some(v.span()), m)))
    };
    Range::new(end(lo)?, end(hi)?).map_err(|m| Box::new(file.error(Some(range.span()), m)))
}

/// Every combination of the factors' levels, the first factor slowest.
fn grid(
    study: &Study,
    factors: &[Factor],
    span: Option<Span<usize>>,
) -> Result<Vec<Vec<Override>>, DecideError> {
    let total = factors
        .iter()
        .map(|f| f.levels.len() as u128)
        .product::<u128>();
    if total == 0 {
        // Every factor has a value by the time it is read; this is the
        // guard that a sweep of nothing is never run as an empty table.
        return Err(DecideError::invalid(vec![study.error(
            span.unwrap_or(0..0),
            "the factors make no points: a sweep needs at least one value of every factor",
        )]));
    }
    if total > MAX_POINTS as u128 {
        return Err(DecideError::invalid(vec![study.error(
            span.unwrap_or(0..0),
            format!("the factors make {total} points, more than the limit of {MAX_POINTS}; use fewer values or `lhs = N`"),
        )]));
    }
    let mut sets: Vec<Vec<Override>> = vec![Vec::new()];
    for f in factors {
        sets = sets
            .into_iter()
            .flat_map(|set| {
                f.levels.iter().map(move |level| {
                    let mut s = set.clone();
                    s.push(level.clone());
                    s
                })
            })
            .collect();
    }
    Ok(sets)
}

/// A Latin hypercube of `n` points over the factors.
fn hypercube(study: &Study, factors: &[Factor], n: usize, seed: u64) -> Vec<Vec<Override>> {
    let streams = Streams::new(seed, 0);
    let mut columns: Vec<Vec<Override>> = Vec::new();
    for f in factors {
        let mut rng = streams.stream(&format!("lhs/{}", f.key));
        let mut strata: Vec<usize> = (0..n).collect();
        // Fisher-Yates with the stream's draws.
        for i in (1..n).rev() {
            let j = rng.random_range(0..=i);
            strata.swap(i, j);
        }
        let column = strata
            .iter()
            .map(|&s| {
                let u = (s as f64 + rng.random::<f64>()) / n as f64;
                match &f.range {
                    Some((r, key_span, span)) => Override::generated(
                        &study.origin,
                        &f.key,
                        key_span.clone(),
                        r.at(u),
                        span.clone(),
                    )
                    .unwrap_or_else(|_| f.levels[0].clone()),
                    None => {
                        let i = ((u * f.levels.len() as f64) as usize).min(f.levels.len() - 1);
                        f.levels[i].clone()
                    }
                }
            })
            .collect();
        columns.push(column);
    }
    (0..n)
        .map(|j| columns.iter().map(|c| c[j].clone()).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).expect("write");
        p
    }

    const BASE: &str = "name = \"t\"\nhorizon = \"1d\"\nreplications = 2\n[demand]\nrate = \"100/d\"\n[[stages]]\nname = \"desk\"\nlanes = 2\nservice = \"5m\"\n";

    fn sweep(text: &str) -> Result<Sweep, DecideError> {
        let dir = tempfile::tempdir().expect("tempdir");
        write(dir.path(), "base.toml", BASE);
        let path = write(dir.path(), "sweep.toml", text);
        read(&path, &[])
    }

    #[test]
    fn a_grid_is_every_combination_first_factor_slowest() {
        let s = sweep("scenario = \"base.toml\"\n[[factors]]\nkey = \"stages.desk.lanes\"\nrange = [1, 3]\n[[factors]]\nkey = \"stages.desk.service\"\nvalues = [\"4m\", \"6m\"]\n").expect("valid");
        let sets: Vec<Vec<&str>> = s
            .points
            .iter()
            .map(|p| p.set.iter().map(Override::text).collect())
            .collect();
        assert_eq!(sets.len(), 6);
        assert_eq!(
            sets[0],
            ["stages.desk.lanes=1", "stages.desk.service=\"4m\""]
        );
        assert_eq!(
            sets[1],
            ["stages.desk.lanes=1", "stages.desk.service=\"6m\""]
        );
        assert_eq!(
            sets[5],
            ["stages.desk.lanes=3", "stages.desk.service=\"6m\""]
        );
        let hashes: std::collections::BTreeSet<&str> =
            s.points.iter().map(|p| p.hash.as_str()).collect();
        assert_eq!(hashes.len(), 6);
        assert_eq!(s.metrics.len(), DEFAULT_PRECISION.len());
    }

    #[test]
    fn a_hypercube_uses_each_stratum_once() {
        let text = "scenario = \"base.toml\"\nlhs = 10\n[[factors]]\nkey = \"stages.desk.lanes\"\nrange = [1, 10]\n[[factors]]\nkey = \"stages.desk.service\"\nrange = [\"1m\", \"11m\"]\n";
        let s = sweep(text).expect("valid");
        assert_eq!(s.points.len(), 10);
        let mut lanes: Vec<i64> = s
            .points
            .iter()
            .map(|p| p.set[0].value().as_integer().expect("int"))
            .collect();
        lanes.sort_unstable();
        assert_eq!(
            lanes,
            (1..=10).collect::<Vec<_>>(),
            "one point per integer stratum"
        );
        let mut minutes: Vec<f64> = s
            .points
            .iter()
            .map(|p| crate::decide::values::numeric(p.set[1].value()).expect("duration") / 60.0)
            .collect();
        minutes.sort_by(f64::total_cmp);
        for (i, m) in minutes.iter().enumerate() {
            assert!(*m >= 1.0 + i as f64 && *m <= 2.0 + i as f64, "{minutes:?}");
        }
        let again = sweep(text).expect("valid");
        let texts = |s: &Sweep| s.points.iter().map(|p| p.hash.clone()).collect::<Vec<_>>();
        assert_eq!(texts(&s), texts(&again), "reproducible");
    }

    #[test]
    fn mistakes_are_located_in_the_sweep_file() {
        for (text, expected) in [
            (
                "scenario = \"base.toml\"\n[[factors]]\nkey = \"stages.desk.lanes\"\nvalues = [2, -1]\n",
                "sweep.toml:4:14: `lanes` must be at least 0, found -1",
            ),
            (
                "scenario = \"base.toml\"\n[[factors]]\nkey = \"stages.dsk.lanes\"\nvalues = [2]\n",
                "sweep.toml:3:15: no stage named `dsk`",
            ),
            (
                "scenario = \"base.toml\"\n[[factors]]\nkey = \"seed\"\nvalues = [2]\n",
                "sweep.toml:3:7: `seed` cannot vary",
            ),
            (
                "scenario = \"base.toml\"\n[[factors]]\nkey = \"horizon\"\nrange = [\"1d\", \"2d\"]\n",
                "sweep.toml:4:9: a range of numbers or durations needs a `step`",
            ),
            (
                "scenario = \"base.toml\"\nmetrics = [\"time_in_prot_s\"]\n[[factors]]\nkey = \"horizon\"\nvalues = [\"1d\"]\n",
                "sweep.toml:2:12: unknown metric `time_in_prot_s`; did you mean `time_in_port_s`?",
            ),
            (
                "scenario = \"base.toml\"\n[[factor]]\nkey = \"horizon\"\n",
                "sweep.toml:2:3: unknown key `factor`",
            ),
            (
                "scenario = \"/etc/passwd\"\n[[factors]]\nkey = \"horizon\"\nvalues = [\"1d\"]\n",
                "sweep.toml:1:12: `scenario` must name a scenario file ending in `.toml`",
            ),
            (
                "scenario = \"base.toml\"\nlhs = 0\n[[factors]]\nkey = \"horizon\"\nvalues = [\"1d\"]\n",
                "sweep.toml:2:7: `lhs` must be between 1",
            ),
            (
                "scenario = \"base.toml\"\n[[factors]]\nkey = \"stages.desk.lanes\"\nrange = [1, 10000]\n[[factors]]\nkey = \"stages.desk.fee\"\nrange = [1, 10]\n",
                "more than the limit of 10000",
            ),
        ] {
            let e = sweep(text).expect_err(text);
            let rendered = e.to_string();
            let summary: Vec<String> = match e.diagnostics() {
                [] => vec![e.to_string()],
                list => list
                    .iter()
                    .map(|d| {
                        let (l, c) = d.line_col().unwrap_or((0, 0));
                        format!(
                            "{}:{l}:{c}: {}",
                            d.path
                                .file_name()
                                .map(|f| f.to_string_lossy().into_owned())
                                .unwrap_or_default(),
                            d.message
                        )
                    })
                    .collect(),
            };
            let summary = summary.join("\n");
            assert!(
                summary.contains(expected) || rendered.contains(expected),
                "expected {expected:?} in\n{summary}\n{rendered}"
            );
        }
    }
}
