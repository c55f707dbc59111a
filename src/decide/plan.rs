//! Capacity plans: the least-cost setting of some decision variables
//! that meets constraints on metrics, with a statistical guarantee.
//!
//! ```toml
//! scenario = "horgos-after.toml"
//! replications = 10        # the first look at every candidate
//! max_replications = 200   # the cap
//! confidence = 0.95
//!
//! [[decide]]
//! key = "stages.joint-inspection.lanes[0].count"
//! min = 6
//! max = 20
//! cost = 1                 # per unit; the plan minimises the total
//!
//! [[require]]
//! metric = "time_in_port_s.p95"
//! max = "8h"
//! ```
//!
//! Decision variables are integers (lanes, a shift's count, slot
//! capacity) between `min` and `max`, each with a unit `cost` (at least
//! 0); a candidate costs `Σ cost × value`. Constraints bound a metric's
//! mean over replications (for `…p95`, the mean of the replications' 95th
//! percentiles) with `max` or `min`, durations written with units, and an
//! optional indifference `tolerance` (default 0: decide strictly).
//!
//! # The guarantee
//!
//! Each candidate evaluated runs replications with common random numbers
//! (replication `i` of every candidate uses the streams of `(seed, i)`)
//! and is looked at after `replications`, then twice as many, up to
//! `max_replications` ([`Schedule`](super::verdict::Schedule)). At each
//! look every undecided constraint is tested ([`verdict`](super::verdict))
//! at error rate `α = (1 − confidence) / (K · J · L)`: K the most
//! candidates the search can evaluate (fixed before it starts), J the
//! constraints, L the looks. A candidate is **feasible** when every
//! constraint is satisfied, **infeasible** as soon as one is violated,
//! and **undecided** if the cap comes first. By the union bound, the
//! chance that any verdict of the search is wrong is at most
//! `1 − confidence`, however many candidates are actually evaluated.
//!
//! Capacity is assumed to help: raising a decision variable never makes
//! a constraint worse. Then a candidate below an infeasible one is
//! infeasible and one above a feasible one feasible, without running
//! them. With one variable the search bisects (K = ⌈log₂ n⌉ + 2: the
//! bisection, the top of the range, and the runner-up); with several it
//! goes through candidates in order of cost, skipping those implied
//! infeasible, up to `max_candidates` (K). The answer is the cheapest
//! candidate declared feasible; it is proven least-cost when every
//! cheaper candidate is declared or implied infeasible (the report says
//! which undecided ones might not be). A violation of the monotonicity
//! assumption that the verdicts reveal is reported.

mod candidate;
pub mod closed;
mod search;

use std::ops::Range;
use std::path::Path;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_spanned::Spanned;

pub use candidate::{Candidate, Hooks, Status};
pub use search::{Answer, RunnerUp, max_evaluations, solve};

use super::error::DecideError;
use super::file::{RawHeader, Study};
use super::limits::{MAX_CANDIDATES, MAX_DECISIONS, MAX_SPACE, thousands};
use super::metrics::MetricKey;
use super::schema_types::SetTable;
use super::verdict::Constraint;
use crate::scenario::limits::{MAX_MONEY, MAX_REPLICATIONS};
use crate::scenario::toml_file::{Integer, TomlFile};
use crate::scenario::{Diagnostic, Override, Scenario, compact};

/// The file as written.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    /// The scenario studied, a path relative to the plan file.
    #[schemars(with = "Option<String>")]
    scenario: Option<Spanned<String>>,
    /// Replications of the first look at every candidate.
    #[schemars(with = "Option<u64>")]
    replications: Option<Spanned<Integer>>,
    /// Master seed; default the scenario's.
    #[schemars(with = "Option<u64>")]
    seed: Option<Spanned<Integer>>,
    #[allow(dead_code, reason = "read from the tree by `file`, with its spans")]
    #[schemars(with = "Option<SetTable>")]
    set: Option<toml::Value>,
    /// The most replications a candidate gets.
    #[schemars(with = "Option<u64>")]
    max_replications: Option<Spanned<Integer>>,
    /// Confidence of the whole answer, above 0 and below 1 (default 0.95).
    #[schemars(with = "Option<f64>")]
    confidence: Option<Spanned<f64>>,
    /// The most candidates evaluated with several variables (default 50).
    #[schemars(with = "Option<u64>")]
    max_candidates: Option<Spanned<Integer>>,
    /// More metric keys reported for every candidate.
    #[schemars(with = "Option<Vec<String>>")]
    metrics: Option<Spanned<Vec<Spanned<String>>>>,
    /// The decision variables.
    #[schemars(with = "Option<Vec<RawDecision>>")]
    decide: Option<Spanned<Vec<Spanned<RawDecision>>>>,
    /// The constraints on metrics.
    #[schemars(with = "Option<Vec<super::require::RawRequirement>>")]
    require: Option<Spanned<Vec<Spanned<super::require::RawRequirement>>>>,
}

/// One `[[decide]]` entry as written.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawDecision {
    /// The scenario key, as for --set: "stages.exit.lanes".
    #[schemars(with = "Option<String>")]
    key: Option<Spanned<String>>,
    /// The smallest value tried (an integer ≥ 0).
    #[schemars(with = "Option<i64>")]
    min: Option<Spanned<Integer>>,
    /// The largest value tried.
    #[schemars(with = "Option<i64>")]
    max: Option<Spanned<Integer>>,
    /// Cost per unit; the plan minimises Σ cost × value.
    #[schemars(with = "Option<f64>")]
    cost: Option<Spanned<f64>>,
}

/// The JSON Schema of plan files (`portsim schema --kind plan`).
pub(super) fn schema() -> serde_json::Value {
    super::schema_types::study::<RawPlan>(
        "portsim plan",
        "A portsim capacity plan: decision variables, costs and constraints (docs/planning.md, Capacity plans)",
    )
}

/// A decision variable.
#[derive(Clone, Debug)]
pub struct Variable {
    /// The key, as for `--set`.
    pub key: String,
    /// Smallest value tried.
    pub min: i64,
    /// Largest value tried.
    pub max: i64,
    /// Cost per unit.
    pub cost: f64,
    key_span: Range<usize>,
    min_span: Range<usize>,
    max_span: Range<usize>,
}

/// A checked plan.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The study (file, scenario, common overrides).
    pub study: Study,
    /// The scenario with the study's overrides only.
    pub base: Scenario,
    /// The scenario at the maximum of every variable (its warnings, such
    /// as a count replacing a shift table, are every candidate's).
    pub corner: Scenario,
    /// The decision variables, in file order.
    pub variables: Vec<Variable>,
    /// The constraints, in file order.
    pub constraints: Vec<Constraint>,
    /// Confidence of the whole answer.
    pub confidence: f64,
    /// Replications at the first look.
    pub first: u64,
    /// Most replications per candidate.
    pub cap: u64,
    /// Most candidates evaluated (with several variables).
    pub max_candidates: usize,
    /// Metrics reported for every candidate: the constrained ones, then
    /// those listed in `metrics`.
    pub metrics: Vec<MetricKey>,
}

impl Plan {
    /// The overrides of a candidate.
    pub fn set(&self, values: &[i64]) -> Vec<Override> {
        candidate_set(&self.study, &self.variables, values)
    }

    /// The cost of a candidate.
    pub fn cost(&self, values: &[i64]) -> f64 {
        self.variables
            .iter()
            .zip(values)
            .map(|(v, &x)| v.cost * x as f64)
            .sum()
    }
}

/// Reads a plan file; `command_line` overrides apply to every candidate.
pub fn read(path: &Path, command_line: &[Override]) -> Result<Plan, DecideError> {
    let file = TomlFile::read(path)?;
    parse(&file, command_line)
}

/// The overrides of a candidate of `variables`.
fn candidate_set(study: &Study, variables: &[Variable], values: &[i64]) -> Vec<Override> {
    variables
        .iter()
        .zip(values)
        .filter_map(|(v, &x)| {
            let span = if x == v.min {
                v.min_span.clone()
            } else {
                v.max_span.clone()
            };
            Override::generated(
                &study.origin,
                &v.key,
                v.key_span.clone(),
                toml::Value::Integer(x),
                span,
            )
            .ok()
        })
        .collect()
}

/// Checks a plan already in memory; the smallest and largest candidates
/// are resolved, so that a bad key or value fails before anything runs.
/// Every mistake is reported at once, as the study file's.
pub fn parse(file: &TomlFile, command_line: &[Override]) -> Result<Plan, DecideError> {
    check(file, command_line).map_err(|e| e.of_study(&file.path))
}

fn check(file: &TomlFile, command_line: &[Override]) -> Result<Plan, DecideError> {
    let mut errors = Vec::new();
    let mut partial = file.decode_partial::<RawPlan>(&mut errors)?;
    let Some(raw) = partial.file.take() else {
        return Err(DecideError::invalid(errors));
    };
    let header = RawHeader {
        scenario: raw.scenario,
        replications: raw.replications,
        seed: raw.seed,
    };
    let study = Study::checked(file, &header, command_line, &mut errors);
    let variables = variables(file, raw.decide.as_ref(), &mut errors);
    let constraints = constraints(file, raw.require.as_ref(), &mut errors);
    let confidence = match &raw.confidence {
        None => 0.95,
        Some(c) if *c.get_ref() > 0.0 && *c.get_ref() < 1.0 => *c.get_ref(),
        Some(c) => {
            errors.push(file.error(
                Some(c.span()),
                format!(
                    "`confidence` must be above 0 and below 1, like 0.95, found {}",
                    compact(*c.get_ref())
                ),
            ));
            0.95
        }
    };
    let cap = int_in(
        file,
        raw.max_replications.as_ref(),
        "max_replications",
        2,
        MAX_REPLICATIONS,
        &mut errors,
    );
    let max_candidates = int_in(
        file,
        raw.max_candidates.as_ref(),
        "max_candidates",
        1,
        MAX_CANDIDATES as u64,
        &mut errors,
    )
    .map_or(50, |n| n as usize);
    let mut metrics: Vec<MetricKey> = constraints.iter().map(|c| c.key).collect();
    for k in super::sweep::metric_list(file, raw.metrics.as_ref(), &mut errors) {
        if raw.metrics.is_some() && !metrics.contains(&k) {
            metrics.push(k);
        }
    }
    metrics.dedup();
    let base = study.resolve_checked(&[], &mut errors);
    let mut looks = None;
    // The smallest and largest candidates of the variables that read, so
    // that a bad key or value is found before anything runs (even when the
    // base has mistakes: they come again with each corner and are said
    // once).
    let mut top = None;
    if study.names_scenario() {
        for corner in [
            variables.iter().map(|v| v.min).collect::<Vec<_>>(),
            variables.iter().map(|v| v.max).collect::<Vec<_>>(),
        ] {
            let set = candidate_set(&study, &variables, &corner);
            top = study.resolve_checked(&set, &mut errors);
        }
    }
    if let Some(base) = &base {
        let first = base.replications.max(2);
        let cap = cap.unwrap_or(first.max(200));
        if cap < first {
            let span = raw.max_replications.as_ref().map_or(0..0, |m| m.span());
            errors.push(study.error(
                span,
                format!(
                    "`max_replications` ({cap}) is below the replications of the first look ({first})"
                ),
            ));
        }
        looks = Some((first, cap));
    }
    partial.drop_repeats(&mut errors);
    let (Some(base), Some(corner), Some((first, cap)), true) =
        (base, top, looks, errors.is_empty())
    else {
        return Err(super::file::invalid(errors));
    };
    Ok(Plan {
        study,
        base,
        corner,
        variables,
        constraints,
        confidence,
        first,
        cap,
        max_candidates,
        metrics,
    })
}

fn int_in(
    file: &TomlFile,
    v: Option<&Spanned<Integer>>,
    key: &str,
    min: u64,
    max: u64,
    errors: &mut Vec<Diagnostic>,
) -> Option<u64> {
    let v = v?;
    let x = v.get_ref().0;
    if x < i128::from(min) || x > i128::from(max) {
        errors.push(file.error(
            Some(v.span()),
            format!("`{key}` must be between {min} and {max}, found {x}"),
        ));
        return None;
    }
    Some(x as u64)
}

fn variables(
    file: &TomlFile,
    raw: Option<&Spanned<Vec<Spanned<RawDecision>>>>,
    errors: &mut Vec<Diagnostic>,
) -> Vec<Variable> {
    let Some(list) = raw.filter(|l| !l.get_ref().is_empty()) else {
        errors.push(file.error(
            raw.map(|l| l.span()).or(Some(0..0)),
            "a plan needs at least one [[decide]] entry with `key`, `min`, `max` and `cost`",
        ));
        return Vec::new();
    };
    if list.get_ref().len() > MAX_DECISIONS {
        errors.push(file.error(
            Some(list.span()),
            format!(
                "{} decision variables is more than the limit of {MAX_DECISIONS}",
                list.get_ref().len()
            ),
        ));
        return Vec::new();
    }
    let mut seen = Vec::new();
    let mut out = Vec::new();
    let mut space: u128 = 1;
    for d in list.get_ref() {
        let r = d.get_ref();
        let key = super::sweep::factor_key(file, r.key.as_ref(), d.span(), &mut seen, errors);
        let missing = |errors: &mut Vec<Diagnostic>, what: &str| {
            errors.push(file.error(
                Some(d.span()),
                format!("missing key `{what}` in [[decide]]"),
            ));
        };
        let (Some(min), Some(max)) = (&r.min, &r.max) else {
            if r.min.is_none() {
                missing(errors, "min");
            }
            if r.max.is_none() {
                missing(errors, "max");
            }
            continue;
        };
        let cost = match &r.cost {
            None => {
                missing(errors, "cost");
                continue;
            }
            Some(c) if (0.0..=MAX_MONEY).contains(c.get_ref()) => *c.get_ref(),
            Some(c) => {
                errors.push(file.error(
                    Some(c.span()),
                    format!(
                        "`cost` must be an amount between 0 and {MAX_MONEY:e} ({}), the limit on money, found {}",
                        thousands(MAX_MONEY as u64),
                        compact(*c.get_ref())
                    ),
                ));
                continue;
            }
        };
        let (lo, hi) = (min.get_ref().0, max.get_ref().0);
        if lo > hi {
            errors.push(file.error(
                Some(min.span()),
                format!("`min` ({lo}) is above `max` ({hi})"),
            ));
            continue;
        }
        if lo < 0 {
            errors.push(file.error(
                Some(min.span()),
                format!("`min` must be at least 0, found {lo}"),
            ));
            continue;
        }
        let Ok(hi) = i64::try_from(hi) else {
            errors.push(file.error(
                Some(max.span()),
                format!("`max` must be at most {}, found {hi}", i64::MAX),
            ));
            continue;
        };
        // 0 <= lo <= hi, so `lo` fits too.
        let lo = lo as i64;
        let Some(key) = key else { continue };
        space = space.saturating_mul((hi - lo) as u128 + 1);
        out.push(Variable {
            key: key.get_ref().clone(),
            min: lo,
            max: hi,
            cost,
            key_span: key.span(),
            min_span: min.span(),
            max_span: max.span(),
        });
    }
    if space > MAX_SPACE as u128 {
        errors.push(file.error(
            Some(list.span()),
            format!(
                "the decision variables make {} candidates, more than the limit of {}; narrow the ranges",
                thousands(u64::try_from(space).unwrap_or(u64::MAX)),
                thousands(MAX_SPACE)
            ),
        ));
    }
    out
}

fn constraints(
    file: &TomlFile,
    raw: Option<&Spanned<Vec<Spanned<super::require::RawRequirement>>>>,
    errors: &mut Vec<Diagnostic>,
) -> Vec<Constraint> {
    if raw.is_none_or(|l| l.get_ref().is_empty()) {
        errors.push(file.error(
            raw.map(|l| l.span()).or(Some(0..0)),
            "a plan needs at least one [[require]] entry with a `metric` and `max` or `min`",
        ));
        return Vec::new();
    }
    super::require::requirements(file, raw, errors)
}
