//! Sensitivity: which uncertain assumptions a result rests on.
//!
//! ```toml
//! scenario = "horgos-before.toml"
//! variant = "horgos-after.toml"   # optional: study the change to it
//! metric = "time_in_port_s"
//! replications = 10
//!
//! [[parameters]]
//! key = "demand.rate"
//! low = "1000/d"
//! high = "1300/d"
//!
//! [[parameters]]
//! key = "stages.border-exit.service.mean"
//! variant_key = "stages.release-and-exit.service.mean"
//! range = ["150s", "170s"]
//! ```
//!
//! Each parameter is a key with a `low` and a `high` value (or a `range`
//! of two), optionally a `base` (default: the scenario's own value). The
//! study runs the base setting and, one at a time, each parameter at its
//! low and its high value with the others at base. The output is the
//! metric of the scenario, or with `variant` the paired change from the
//! scenario to the variant (replication by replication), the parameter
//! set in both (as `variant_key` in the variant when it is named
//! differently there).
//!
//! A parameter's swing is the difference between its high and low
//! settings. Every setting runs with the same seed, so replication `i`
//! of the low and the high setting share their random numbers, and the
//! swing's 95% interval is that of the paired differences: a swing whose
//! interval includes zero is **within noise**, indistinguishable from
//! the replication noise at these replications. Bars are sorted widest
//! first, for a tornado chart.
//!
//! With `[morris]` (`trajectories`, `levels`) the parameters, which then
//! need numeric or duration values, are also screened by Morris's
//! elementary effects ([`morris`](mod@super::morris)), which scale to many
//! parameters and show interactions as spread.

use std::ops::Range as Span;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::Deserialize;
use serde_spanned::Spanned;

use super::error::DecideError;
use super::file::{RawHeader, Study};
use super::limits::{self, MAX_FACTORS};
use super::metrics::MetricKey;
use super::morris::{self, Design};
use super::points::{Outcome, Resolved, resolve_all};
use super::samples::Samples;
use super::schema_types::{AnyValue, SetTable};
use super::values::{Quantity, Range};
use crate::experiment::estimate::Estimate;
use crate::scenario::toml_file::{Integer, TomlFile};
use crate::scenario::{Diagnostic, Override, Scenario};

/// The file as written.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawSensitivity {
    /// The scenario studied, a path relative to the study file.
    #[schemars(with = "Option<String>")]
    scenario: Option<Spanned<String>>,
    /// Replications per setting; default the scenario's.
    #[schemars(with = "Option<u64>")]
    replications: Option<Spanned<Integer>>,
    /// Master seed; default the scenario's.
    #[schemars(with = "Option<u64>")]
    seed: Option<Spanned<Integer>>,
    #[allow(dead_code, reason = "read from the tree by `file`, with its spans")]
    #[schemars(with = "Option<SetTable>")]
    set: Option<toml::Value>,
    /// A variant scenario: the study is then of the change's effect.
    #[schemars(with = "Option<String>")]
    variant: Option<Spanned<String>>,
    /// The metric key studied, like "time_in_port_s.p95".
    #[schemars(with = "Option<String>")]
    metric: Option<Spanned<String>>,
    /// The uncertain parameters.
    #[schemars(with = "Option<Vec<RawParameter>>")]
    parameters: Option<Spanned<Vec<Spanned<RawParameter>>>>,
    /// A Morris screening design besides the tornado.
    #[schemars(with = "Option<RawMorris>")]
    morris: Option<Spanned<RawMorris>>,
}

/// One `[[parameters]]` entry as written.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawParameter {
    /// The scenario key, as for --set.
    #[schemars(with = "Option<String>")]
    key: Option<Spanned<String>>,
    /// Its key in the variant, when named differently there.
    #[schemars(with = "Option<String>")]
    variant_key: Option<Spanned<String>>,
    /// The low value.
    #[schemars(with = "Option<AnyValue>")]
    low: Option<Spanned<toml::Value>>,
    /// The high value.
    #[schemars(with = "Option<AnyValue>")]
    high: Option<Spanned<toml::Value>>,
    /// The base value, when not the scenario's.
    #[schemars(with = "Option<AnyValue>")]
    base: Option<Spanned<toml::Value>>,
    /// [low, high] in one.
    #[schemars(with = "Option<Vec<AnyValue>>")]
    range: Option<Spanned<Vec<Spanned<toml::Value>>>>,
}

/// `[morris]` as written.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawMorris {
    /// Trajectories of the design.
    #[schemars(with = "Option<u64>")]
    trajectories: Option<Spanned<Integer>>,
    /// Levels of each parameter's grid.
    #[schemars(with = "Option<u64>")]
    levels: Option<Spanned<Integer>>,
}

/// The JSON Schema of sensitivity study files (`portsim schema --kind
/// sensitivity`).
pub(super) fn schema() -> serde_json::Value {
    super::schema_types::study::<RawSensitivity>(
        "portsim sensitivity",
        "A portsim sensitivity study: parameters between low and high values (docs/planning.md, Sensitivity)",
    )
}

/// A value of a parameter, as written or computed from a range.
#[derive(Clone, Debug)]
enum Level {
    /// Written at this span of the file.
    Written(Span<usize>),
    /// Computed, pointing at this span.
    Generated(toml::Value, Span<usize>),
}

/// An uncertain parameter.
#[derive(Clone, Debug)]
pub struct Parameter {
    /// Its key.
    pub key: String,
    /// Its key in the variant, when named differently there.
    pub variant_key: Option<String>,
    key_span: Span<usize>,
    variant_span: Span<usize>,
    low: Level,
    high: Level,
    base: Option<Level>,
    /// The low value.
    pub low_value: toml::Value,
    /// The high value.
    pub high_value: toml::Value,
    /// The numeric range, when low and high are numbers or durations.
    pub range: Option<Range>,
}

/// Which setting a point belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setting {
    /// Every parameter at base.
    Base,
    /// Parameter `i` at its low value.
    Low(usize),
    /// Parameter `i` at its high value.
    High(usize),
    /// Point `j` of the Morris design.
    Morris(usize),
}

/// A checked study with its points resolved.
#[derive(Clone, Debug)]
pub struct Sensitivity {
    /// The study.
    pub study: Study,
    /// The scenario with the study's overrides.
    pub base: Scenario,
    /// The variant, if the change is studied.
    pub variant: Option<(PathBuf, Scenario)>,
    /// The metric.
    pub metric: MetricKey,
    /// The parameters, in file order.
    pub parameters: Vec<Parameter>,
    /// The settings, and for each its scenario point and variant point.
    pub settings: Vec<(Setting, usize, Option<usize>)>,
    /// Every point to run.
    pub points: Vec<Resolved>,
    /// The Morris design, with `[morris]`.
    pub morris: Option<Design>,
}

/// One bar of the tornado.
#[derive(Clone, Debug)]
pub struct Bar {
    /// The parameter's index.
    pub parameter: usize,
    /// The output at the low value.
    pub low: Estimate,
    /// The output at the high value.
    pub high: Estimate,
    /// High minus low, paired by replication.
    pub change: Estimate,
    /// |high − low| of the means.
    pub swing: f64,
    /// Whether the paired interval of the change includes zero.
    pub within_noise: bool,
}

/// What the study found.
#[derive(Clone, Debug)]
pub struct Findings {
    /// The output at base.
    pub base: Estimate,
    /// The bars, widest first.
    pub bars: Vec<Bar>,
    /// The Morris screening, with `[morris]`.
    pub morris: Option<Vec<morris::Effect>>,
}

/// Reads a sensitivity file; `command_line` overrides apply everywhere.
pub fn read(path: &Path, command_line: &[Override]) -> Result<Sensitivity, DecideError> {
    let file = TomlFile::read(path)?;
    parse(&file, command_line)
}

/// The settings of a study, with their scenario and variant points.
type Settings = Vec<(Setting, usize, Option<usize>)>;

/// Checks a sensitivity file already in memory and resolves its points;
/// every mistake is reported at once, as the study file's.
pub fn parse(file: &TomlFile, command_line: &[Override]) -> Result<Sensitivity, DecideError> {
    check(file, command_line).map_err(|e| e.of_study(&file.path))
}

fn check(file: &TomlFile, command_line: &[Override]) -> Result<Sensitivity, DecideError> {
    let mut errors = Vec::new();
    let mut partial = file.decode_partial::<RawSensitivity>(&mut errors)?;
    let Some(raw) = partial.file.take() else {
        return Err(DecideError::invalid(errors));
    };
    let header = RawHeader {
        scenario: raw.scenario,
        replications: raw.replications,
        seed: raw.seed,
    };
    let study = Study::checked(file, &header, command_line, &mut errors);
    let metric = match &raw.metric {
        None => {
            errors.push(file.error(
                Some(0..0),
                "missing key `metric`: the output to study, like `metric = \"time_in_port_s\"`",
            ));
            None
        }
        Some(m) => MetricKey::parse(m.get_ref())
            .map_err(|e| errors.push(file.error(Some(m.span()), e)))
            .ok(),
    };
    let parameters = parameters(
        &study,
        raw.parameters.as_ref(),
        raw.variant.is_some(),
        &mut errors,
    );
    let morris_args = raw
        .morris
        .as_ref()
        .and_then(|m| morris_settings(file, m, &parameters, &mut errors));
    let base = study.resolve_checked(&[], &mut errors);
    let variant = match &raw.variant {
        Some(v) if !super::file::is_toml(Path::new(v.get_ref())) => {
            errors.push(study.error(
                v.span(),
                format!(
                    "`variant` must name a scenario file ending in `.toml`, found \"{}\"",
                    v.get_ref()
                ),
            ));
            None
        }
        Some(v) => {
            let path = study.path(v.get_ref());
            study
                .resolve_file_checked(&path, Some(v.span()), &[], &mut errors)
                .map(|scenario| (path, scenario))
        }
        None => None,
    };
    // The settings of the parameters that read, even if others did not or
    // the base has mistakes: those come again with every setting and are
    // said once (`DecideError::invalid`), and each setting's own mistakes
    // are found now.
    let mut design = None;
    let sound = raw.variant.is_some() == variant.is_some();
    if sound && study.names_scenario() {
        match settings(
            &study,
            &parameters,
            morris_args,
            base.as_ref(),
            variant.as_ref(),
        ) {
            Ok(d) => design = Some(d),
            Err(e) if !e.diagnostics().is_empty() => errors.extend(e.diagnostics().to_vec()),
            // A scenario that cannot be read is already said, for the base.
            Err(_) if base.is_none() => {}
            Err(e) => return Err(e),
        }
    }
    partial.drop_repeats(&mut errors);
    let (Some(metric), Some(base), Some((morris, settings, points)), true) =
        (metric, base, design, errors.is_empty())
    else {
        return Err(super::file::invalid(errors));
    };
    Ok(Sensitivity {
        study,
        base,
        variant,
        metric,
        parameters,
        settings,
        points,
        morris,
    })
}

/// Every setting of the study (each parameter low and high, the Morris
/// design's points) with its points resolved. Without a base scenario
/// (for checking only) there is no Morris design, which needs its seed,
/// and no work limit.
fn settings(
    study: &Study,
    parameters: &[Parameter],
    morris_args: Option<(usize, usize)>,
    base: Option<&Scenario>,
    variant: Option<&(PathBuf, Scenario)>,
) -> Result<(Option<Design>, Settings, Vec<Resolved>), DecideError> {
    let morris = morris_args
        .zip(base)
        .map(|((r, p), base)| Design::new(parameters.len(), r, p, base.seed));
    let mut sets: Vec<(Setting, Vec<Override>, Vec<Override>)> = Vec::new();
    let at = |choice: &dyn Fn(usize, &Parameter) -> Option<Level>| {
        let mut s = Vec::new();
        let mut v = Vec::new();
        for (i, p) in parameters.iter().enumerate() {
            if let Some(level) = choice(i, p) {
                s.extend(override_for(study, p, &level, false));
                v.extend(override_for(study, p, &level, true));
            }
        }
        (s, v)
    };
    let (s, v) = at(&|_, p| p.base.clone());
    sets.push((Setting::Base, s, v));
    for i in 0..parameters.len() {
        for (setting, pick_high) in [(Setting::Low(i), false), (Setting::High(i), true)] {
            let (s, v) = at(&|j, p| {
                if j != i {
                    p.base.clone()
                } else if pick_high {
                    Some(p.high.clone())
                } else {
                    Some(p.low.clone())
                }
            });
            sets.push((setting, s, v));
        }
    }
    if let Some(design) = &morris {
        for (j, u) in design.points().iter().enumerate() {
            let (s, v) = at(&|i, p| {
                p.range
                    .map(|r| Level::Generated(r.lerp(u[i]), p.key_span.clone()))
            });
            sets.push((Setting::Morris(j), s, v));
        }
    }
    let per_setting = if variant.is_some() { 2 } else { 1 };
    if let Some(base) = base {
        limits::work(
            "this sensitivity study",
            (sets.len() * per_setting) as u64 * base.replications,
        )
        .map_err(|m| DecideError::invalid(vec![study.error(0..0, m)]))?;
    }
    let mut lists = Vec::new();
    let mut settings = Vec::new();
    for (setting, s, v) in sets {
        let own = lists.len();
        lists.push((false, s));
        let other = variant.as_ref().map(|_| {
            lists.push((true, v));
            lists.len() - 1
        });
        settings.push((setting, own, other));
    }
    let variant_path = variant.as_ref().map(|(p, _)| p.clone());
    let flags: Vec<bool> = lists.iter().map(|(is_variant, _)| *is_variant).collect();
    let sets: Vec<Vec<Override>> = lists.into_iter().map(|(_, s)| s).collect();
    let mut index = 0;
    let points = resolve_all(sets, |set| {
        let is_variant = flags.get(index).copied().unwrap_or(false);
        index += 1;
        match (&variant_path, is_variant) {
            (Some(path), true) => study.resolve_file(path, set),
            _ => study.resolve(set),
        }
    })?;
    Ok((morris, settings, points))
}

/// The override that sets `p` to `level` (in the variant with its
/// `variant_key`).
fn override_for(study: &Study, p: &Parameter, level: &Level, in_variant: bool) -> Option<Override> {
    let (key, key_span) = match (&p.variant_key, in_variant) {
        (Some(k), true) => (k.as_str(), p.variant_span.clone()),
        _ => (p.key.as_str(), p.key_span.clone()),
    };
    match level {
        Level::Written(span) => Override::in_file(&study.origin, key, key_span, span.clone()).ok(),
        Level::Generated(value, span) => {
            Override::generated(&study.origin, key, key_span, value.clone(), span.clone()).ok()
        }
    }
}

fn parameters(
    study: &Study,
    raw: Option<&Spanned<Vec<Spanned<RawParameter>>>>,
    has_variant: bool,
    errors: &mut Vec<Diagnostic>,
) -> Vec<Parameter> {
    let file = &study.file;
    let Some(list) = raw.filter(|l| !l.get_ref().is_empty()) else {
        errors.push(file.error(
            raw.map(|l| l.span()).or(Some(0..0)),
            "a sensitivity study needs at least one [[parameters]] entry with a `key`, `low` and `high`",
        ));
        return Vec::new();
    };
    if list.get_ref().len() > MAX_FACTORS {
        errors.push(file.error(
            Some(list.span()),
            format!(
                "{} parameters is more than the limit of {MAX_FACTORS}",
                list.get_ref().len()
            ),
        ));
        return Vec::new();
    }
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for entry in list.get_ref() {
        let r = entry.get_ref();
        let Some(key) =
            super::sweep::factor_key(file, r.key.as_ref(), entry.span(), &mut seen, errors)
        else {
            continue;
        };
        if let (Some(v), false) = (&r.variant_key, has_variant) {
            errors.push(file.error(
                Some(v.span()),
                "`variant_key` needs a top-level `variant = \"path.toml\"`",
            ));
        }
        let numeric = |v: &Spanned<toml::Value>| Quantity::read(v.get_ref()).ok();
        let (low, high, range) = match (&r.low, &r.high, &r.range) {
            (Some(lo), Some(hi), None) => {
                let range = match (numeric(lo), numeric(hi)) {
                    (Some(a), Some(b)) => Range::new(a, b).ok().or_else(|| Range::new(b, a).ok()),
                    _ => None,
                };
                (Level::Written(lo.span()), Level::Written(hi.span()), range)
            }
            (None, None, Some(range)) => match super::sweep::read_range(file, range) {
                Ok(rg) => (
                    Level::Generated(rg.low(), range.span()),
                    Level::Generated(rg.high(), range.span()),
                    Some(rg),
                ),
                Err(d) => {
                    errors.push(*d);
                    continue;
                }
            },
            (_, _, Some(range)) => {
                errors.push(file.error(
                    Some(range.span()),
                    "give `low` and `high`, or a `range`, not both",
                ));
                continue;
            }
            _ => {
                errors.push(file.error(
                    Some(key.span()),
                    format!(
                        "parameter `{}` needs `low` and `high` (or `range = [low, high]`)",
                        key.get_ref()
                    ),
                ));
                continue;
            }
        };
        let value_of = |level: &Level| match level {
            Level::Written(span) => file
                .text
                .get(span.clone())
                .and_then(|t| t.parse::<toml::Value>().ok())
                .unwrap_or(toml::Value::Boolean(false)),
            Level::Generated(v, _) => v.clone(),
        };
        out.push(Parameter {
            low_value: value_of(&low),
            high_value: value_of(&high),
            key: key.get_ref().clone(),
            variant_key: r.variant_key.as_ref().map(|v| v.get_ref().clone()),
            key_span: key.span(),
            variant_span: r.variant_key.as_ref().map_or(key.span(), |v| v.span()),
            low,
            high,
            base: r.base.as_ref().map(|b| Level::Written(b.span())),
            range,
        });
    }
    out
}

fn morris_settings(
    file: &TomlFile,
    m: &Spanned<RawMorris>,
    parameters: &[Parameter],
    errors: &mut Vec<Diagnostic>,
) -> Option<(usize, usize)> {
    let r = m.get_ref();
    let trajectories = r.trajectories.as_ref().map_or(Some(10), |t| {
        let x = t.get_ref().0;
        if (2..=limits::MAX_TRAJECTORIES as i128).contains(&x) {
            Some(x as usize)
        } else {
            errors.push(file.error(
                Some(t.span()),
                format!(
                    "`trajectories` must be between 2 and {}, found {x}",
                    limits::MAX_TRAJECTORIES
                ),
            ));
            None
        }
    })?;
    let levels = r.levels.as_ref().map_or(Some(4), |l| {
        let x = l.get_ref().0;
        if (2..=16).contains(&x) && x % 2 == 0 {
            Some(x as usize)
        } else {
            errors.push(file.error(
                Some(l.span()),
                format!("`levels` must be an even number from 2 to 16, found {x}"),
            ));
            None
        }
    })?;
    let fixed: Vec<&str> = parameters
        .iter()
        .filter(|p| p.range.is_none())
        .map(|p| p.key.as_str())
        .collect();
    if !fixed.is_empty() {
        errors.push(file.error(
            Some(m.span()),
            format!("Morris screening moves every parameter between its low and high value, so they must be numbers or durations; not {}", fixed.join(", ")),
        ));
        return None;
    }
    Some((trajectories, levels))
}

/// The output of a setting, one value per replication: the metric, or
/// the variant minus the scenario.
fn output(
    s: &Sensitivity,
    outcome: &Outcome,
    own: usize,
    other: Option<usize>,
) -> Option<Vec<f64>> {
    let get = |i: usize| outcome.results.get(i).and_then(Option::as_ref);
    let own: &Samples = get(own)?;
    match other {
        None => Some(own.of(&s.metric).to_vec()),
        Some(j) => Some(own.difference(get(j)?, &s.metric)),
    }
}

/// The bars (and the Morris effects) from finished points.
pub fn findings(s: &Sensitivity, outcome: &Outcome) -> Option<Findings> {
    let find = |setting: Setting| {
        let (_, own, other) = s.settings.iter().find(|(x, _, _)| *x == setting)?;
        output(s, outcome, *own, *other)
    };
    // The metric itself is cut at zero like every metric; a change is not.
    let of = |xs: &[f64]| {
        if s.variant.is_some() {
            Estimate::from_samples(xs)
        } else {
            super::metrics::estimate(xs)
        }
    };
    let base = of(&find(Setting::Base)?);
    let mut bars = Vec::new();
    for i in 0..s.parameters.len() {
        let (lo, hi) = (find(Setting::Low(i))?, find(Setting::High(i))?);
        let diff: Vec<f64> = lo.iter().zip(&hi).map(|(a, b)| b - a).collect();
        let (low, high) = (of(&lo), of(&hi));
        let change = Estimate::from_samples(&diff);
        let swing = (high.mean - low.mean).abs();
        bars.push(Bar {
            parameter: i,
            low,
            high,
            change,
            swing: if swing.is_finite() { swing } else { 0.0 },
            within_noise: !change.excludes_zero(),
        });
    }
    bars.sort_by(|a, b| {
        b.swing
            .total_cmp(&a.swing)
            .then(a.parameter.cmp(&b.parameter))
    });
    let morris = match &s.morris {
        Some(design) => {
            let ys: Option<Vec<f64>> = (0..design.points().len())
                .map(|j| find(Setting::Morris(j)).map(|v| Estimate::from_samples(&v).mean))
                .collect();
            Some(design.effects(&ys?))
        }
        None => None,
    };
    Some(Findings { base, bars, morris })
}
