//! The regression gate: is a new run of a scenario worse than its baseline
//! beyond noise?
//!
//! A metric fails when both hold:
//! * it is worse than the baseline by more than the [`Tolerance`]
//!   (relative: `|current / baseline − 1|` in the bad direction), and
//! * the difference is statistically significant: the 95% Student-t
//!   interval of the paired differences `currentᵢ − baselineᵢ` excludes
//!   zero ([`compare`]). The current run uses the baseline's seed and
//!   replications, so replication `i` of both shares its random streams
//!   (common random numbers) and the pairing removes most of the noise.
//!
//! The tolerance keeps tiny but real changes (which pairing makes
//! significant easily) from failing a build; the significance test keeps
//! noise from failing it. A change that is better by more than the
//! tolerance, significantly, is reported as an improvement and passes.
//!
//! Percentiles (`time_in_port_s.p95`) are tested the same way: each
//! replication has its own p95, so they pair like means. Replications are
//! paired by index (a replication the current run stopped is left out).
//! Both sides are compared as the baseline stores them, rounded by
//! [`baseline::round`](super::baseline::round), so an identical run shows
//! no change at all. A metric with no samples is `null` on either side and
//! is never read as zero.

pub mod overall;

use std::fmt;

use super::baseline::{Entry, Record, round};
use super::compare::{Side, Verdict, compare};
use super::estimate::Estimate;
use super::summary::{Better, Metric, Summary, Unit};

/// A metric the gate can check: a headline metric or one of its
/// percentiles, by its key in the summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GateMetric {
    /// Name on the command line, in reports, and in the summary.
    pub name: &'static str,
}

/// Every metric the gate checks by default, in report order. Each is
/// tested as a paired difference over replications, percentiles included
/// (their samples are the replications' own percentiles).
pub const METRICS: [GateMetric; 6] = [
    GateMetric {
        name: "throughput_per_day",
    },
    GateMetric {
        name: "time_in_port_s",
    },
    GateMetric {
        name: "time_in_port_s.p95",
    },
    GateMetric {
        name: "cost_per_truck",
    },
    GateMetric {
        name: "steps_per_truck",
    },
    GateMetric {
        name: "trucks_turned_away",
    },
];

/// The names of [`METRICS`].
pub const NAMES: [&str; 6] = [
    METRICS[0].name,
    METRICS[1].name,
    METRICS[2].name,
    METRICS[3].name,
    METRICS[4].name,
    METRICS[5].name,
];

/// The metrics called `names` (all of them when `names` is empty), in
/// report order; an unknown name is an error listing the valid ones.
pub fn select(names: &[String]) -> Result<Vec<GateMetric>, String> {
    if let Some(bad) = names.iter().find(|n| !NAMES.contains(&n.as_str())) {
        return Err(format!(
            "unknown metric `{bad}`; valid metrics: {}",
            NAMES.join(", ")
        ));
    }
    Ok(METRICS
        .into_iter()
        .filter(|m| names.is_empty() || names.iter().any(|n| n == m.name))
        .collect())
}

/// The relative change allowed in the bad direction, as a fraction.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tolerance(f64);

impl Tolerance {
    /// Parses `5%` or `0.05`. A bare number above 1 is refused (it is
    /// almost always a percentage without its `%`).
    pub fn parse(text: &str) -> Result<Tolerance, String> {
        let t = text.trim();
        let (number, scale) = match t.strip_suffix('%') {
            Some(n) => (n.trim(), 0.01),
            None => (t, 1.0),
        };
        let bad = || {
            format!(
                "invalid tolerance `{text}`: expected a percentage like `5%` or a fraction like `0.05`"
            )
        };
        let x: f64 = number.parse().map_err(|_| bad())?;
        if !x.is_finite() || x < 0.0 {
            return Err(bad());
        }
        if scale == 1.0 && x > 1.0 {
            return Err(format!(
                "invalid tolerance `{text}`: a fraction must be at most 1; did you mean `{text}%`?"
            ));
        }
        Ok(Tolerance(x * scale))
    }

    /// As a fraction (0.05 for 5%).
    pub fn fraction(self) -> f64 {
        self.0
    }
}

impl fmt::Display for Tolerance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", round(self.0 * 100.0).unwrap_or(0.0))
    }
}

/// The result of checking one metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Not worse beyond tolerance and noise.
    Passed,
    /// Better by more than the tolerance (and significantly, when tested).
    Improved,
    /// Worse by more than the tolerance (and significantly, when tested).
    Failed,
}

/// One checked metric.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Which metric.
    pub metric: GateMetric,
    /// Its unit.
    pub unit: Unit,
    /// Its direction of improvement.
    pub better: Better,
    /// Baseline value (mean or p95), as stored.
    pub baseline: Option<f64>,
    /// Current value, rounded like the baseline.
    pub current: Option<f64>,
    /// Paired difference `current − baseline` with its 95% CI.
    pub change: Option<Estimate>,
    /// Relative change `current / baseline − 1` (infinite when the
    /// baseline is zero and the current value is not).
    pub relative: Option<f64>,
    /// The decision.
    pub status: Status,
    /// Why, as data; `report::gate_note` words it ("worse by 12.3%
    /// (tolerance 5%); the 95% CI of the change, [+80.1 s, +101 s],
    /// excludes zero") in the units `run` shows.
    pub note: Note,
}

/// Why a metric got its status: the numbers behind the decision, worded
/// by the reports (`report::gate_note`).
#[derive(Clone, Debug, PartialEq)]
pub enum Note {
    /// Nothing to say (not yet decided).
    None,
    /// Both sides are the same numbers.
    Unchanged,
    /// The baseline has samples, this run none.
    NoSamplesHere,
    /// This run has samples, the baseline none.
    NoSamplesInBaseline,
    /// No replication is on both sides.
    NoPairedSamples,
    /// A number the decision rests on is not finite: failing closed.
    NotFinite {
        /// Which number.
        what: &'static str,
        /// Its value.
        value: f64,
    },
    /// Worse (`worse > 0`) or better (`worse < 0`) beyond the tolerance,
    /// significantly.
    Beyond {
        /// How much worse, as a fraction (±∞ from a zero baseline).
        worse: f64,
        /// The tolerance.
        tolerance: Tolerance,
        /// The change's 95% interval, in the metric's unit.
        ci: Option<[f64; 2]>,
        /// The metric's unit.
        unit: Unit,
        /// The currency of money amounts.
        currency: String,
    },
    /// A significant change within the tolerance.
    Within {
        /// How much worse, as a fraction.
        worse: f64,
        /// The tolerance.
        tolerance: Tolerance,
    },
    /// A change the interval does not tell from zero.
    NotSignificant {
        /// How much worse, as a fraction.
        worse: f64,
        /// The change's 95% interval, in the metric's unit.
        ci: Option<[f64; 2]>,
        /// The metric's unit.
        unit: Unit,
        /// The currency of money amounts.
        currency: String,
    },
}

/// What differs between the baseline's run and this one, besides chance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provenance {
    /// The resolved scenario's hash differs.
    pub scenario_changed: bool,
    /// The baseline's portsim version, when it differs from this one.
    pub other_version: Option<String>,
    /// Every recorded number is the same as in the baseline.
    pub identical: bool,
}

impl Provenance {
    /// Compares the baseline's entry with the entry this run would record.
    pub fn new(baseline: &Entry, current: &Entry) -> Provenance {
        Provenance {
            scenario_changed: baseline.scenario_hash != current.scenario_hash,
            other_version: (baseline.portsim_version != current.portsim_version)
                .then(|| baseline.portsim_version.clone()),
            identical: baseline.metrics == current.metrics,
        }
    }
}

impl fmt::Display for Provenance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut why = Vec::new();
        if self.scenario_changed {
            why.push("scenario changed since the baseline".to_owned());
        }
        if let Some(v) = &self.other_version {
            why.push(format!("portsim changed (baseline from v{v})"));
        }
        match (why.is_empty(), self.identical) {
            (true, true) => write!(f, "results identical to the baseline"),
            (true, false) => write!(
                f,
                "results changed although scenario and version are the same (a code change within this version, or a platform difference)"
            ),
            (false, true) => write!(f, "{}; results identical", why.join("; ")),
            (false, false) => write!(f, "{}", why.join("; ")),
        }
    }
}

/// The check of one scenario file.
#[derive(Clone, Debug)]
pub struct ScenarioCheck {
    /// The file as given.
    pub file: String,
    /// Its key in the baseline.
    pub key: String,
    /// The scenario's name.
    pub name: String,
    /// Seed used (the baseline's).
    pub seed: u64,
    /// Replications run (the baseline's).
    pub replications: u64,
    /// What changed since the baseline.
    pub provenance: Provenance,
    /// One outcome per checked metric.
    pub outcomes: Vec<Outcome>,
    /// Replications of this run stopped by the runaway guard (always a
    /// failure).
    pub stopped: Vec<u64>,
    /// Wall-clock seconds of the run.
    pub wall_time_s: f64,
    /// The baseline key it was checked against when that is not its own
    /// (the file was renamed or moved: same scenario hash).
    pub renamed_from: Option<String>,
    /// The currency of its costs, for showing them.
    pub currency: String,
    /// Warnings about the scenario's load against its capacity, as `run`
    /// gives them.
    pub warnings: Vec<String>,
    /// What the run found (stages or the gate that cannot keep up,
    /// unfinished trucks), as `run` reports it.
    pub findings: Vec<super::findings::Finding>,
}

impl ScenarioCheck {
    /// Whether every metric passed and nothing ran away.
    pub fn passed(&self) -> bool {
        self.stopped.is_empty() && self.outcomes.iter().all(|o| o.status != Status::Failed)
    }
}

/// Checks the selected `metrics` of `summary` (a run with the baseline's
/// seed and replications) against `baseline`; amounts in the notes are in
/// `currency`.
pub fn check(
    baseline: &Entry,
    summary: &Summary,
    metrics: &[GateMetric],
    tolerance: Tolerance,
    currency: &str,
) -> Vec<Outcome> {
    metrics
        .iter()
        .filter_map(|gm| {
            let current = summary.metric(gm.name)?;
            let record = baseline.metrics.get(gm.name)?;
            let side = (current, &summary.indices[..]);
            Some(paired(*gm, record, side, tolerance, currency))
        })
        .collect()
}

fn rounded(m: &Metric, samples: Vec<f64>) -> Metric {
    Metric::new(m.name, m.unit, m.better, samples)
}

fn paired(
    gm: GateMetric,
    record: &Record,
    current: Side,
    tol: Tolerance,
    currency: &str,
) -> Outcome {
    let (current, indices) = current;
    let now_values: Vec<f64> = current
        .samples
        .iter()
        .map(|&x| round(x).unwrap_or(f64::NAN))
        .collect();
    let base_values = record.values();
    let base_indices: Vec<u64> = (0..base_values.len() as u64).collect();
    let (base, now) = (rounded(current, base_values), rounded(current, now_values));
    let c = compare((&base, &base_indices), (&now, indices));
    let relative = relative(c.variant.mean, c.baseline.mean);
    let mut outcome = Outcome {
        metric: gm,
        unit: current.unit,
        better: current.better,
        baseline: record.mean,
        current: round(now.estimate.mean),
        change: Some(c.change),
        relative,
        status: Status::Passed,
        note: Note::None,
    };
    if c.change.n == 0 {
        let (status, note) = match (record.mean, round(now.estimate.mean)) {
            (Some(_), None) => (Status::Failed, Note::NoSamplesHere),
            (None, Some(_)) => (Status::Passed, Note::NoSamplesInBaseline),
            _ => (Status::Passed, Note::NoPairedSamples),
        };
        outcome.status = status;
        outcome.note = note;
        return outcome;
    }
    let mut inputs = vec![
        ("the baseline's mean", record.mean),
        ("this run's mean", Some(now.estimate.mean)),
        ("the baseline's paired mean", Some(c.baseline.mean)),
        ("this run's paired mean", Some(c.variant.mean)),
        ("the mean change", Some(c.change.mean)),
    ];
    if let Some([lo, hi]) = c.change.ci95 {
        inputs.extend([
            ("the change's CI low end", Some(lo)),
            ("the change's CI high end", Some(hi)),
        ]);
    }
    if let Some(note) = not_finite(&inputs) {
        outcome.status = Status::Failed;
        outcome.note = note;
        return outcome;
    }
    let ci = c.change.ci95;
    let worse = worse_by(current.better, relative);
    let significant = matches!(
        c.verdict(),
        Verdict::Improved | Verdict::Worsened | Verdict::Changed
    );
    let beyond = worse.abs() > tol.fraction();
    let beyond_note = || Note::Beyond {
        worse,
        tolerance: tol,
        ci,
        unit: current.unit,
        currency: currency.to_owned(),
    };
    (outcome.status, outcome.note) = match (c.verdict(), beyond) {
        _ if c.change.mean == 0.0 && c.change.half_width() == Some(0.0) => {
            (Status::Passed, Note::Unchanged)
        }
        (Verdict::Worsened, true) => (Status::Failed, beyond_note()),
        (Verdict::Improved, true) => (Status::Improved, beyond_note()),
        _ if significant => (
            Status::Passed,
            Note::Within {
                worse,
                tolerance: tol,
            },
        ),
        _ => (
            Status::Passed,
            Note::NotSignificant {
                worse,
                ci,
                unit: current.unit,
                currency: currency.to_owned(),
            },
        ),
    };
    outcome
}

/// The gate fails closed: a decision resting on a number that is not
/// finite (NaN or infinite, from a corrupt baseline or an overflow) is a
/// failure that says which number, never a pass. (A relative change of
/// ±∞ from a zero baseline is not such a number: it is derived, and
/// reported as "more than any tolerance".)
fn not_finite(inputs: &[(&'static str, Option<f64>)]) -> Option<Note> {
    inputs.iter().find_map(|&(what, x)| {
        x.filter(|x| !x.is_finite())
            .map(|value| Note::NotFinite { what, value })
    })
}

/// `now / base − 1`; ±∞ when the base is zero and `now` is not.
fn relative(now: f64, base: f64) -> Option<f64> {
    if !now.is_finite() || !base.is_finite() {
        None
    } else if base == 0.0 {
        Some(if now == 0.0 {
            0.0
        } else {
            f64::INFINITY.copysign(now)
        })
    } else {
        Some(now / base - 1.0)
    }
}

/// How much worse, as a fraction (negative when better; zero for metrics
/// where neither direction is better).
fn worse_by(better: Better, relative: Option<f64>) -> f64 {
    let r = relative.unwrap_or(0.0);
    match better {
        Better::Higher => -r,
        Better::Lower => r,
        Better::Neither => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metric(samples: Vec<f64>, better: Better) -> Metric {
        Metric::new("time_in_port_s", Unit::Seconds, better, samples)
    }

    fn five() -> Tolerance {
        Tolerance::parse("5%").unwrap()
    }

    fn check_indexed(base: Vec<f64>, now: Vec<f64>, indices: &[u64], better: Better) -> Outcome {
        let n = base.len() as u64;
        let record = Record::from_metric(&metric(base, better), &(0..n).collect::<Vec<_>>(), n);
        paired(
            METRICS[1],
            &record,
            (&metric(now, better), indices),
            five(),
            "CNY",
        )
    }

    fn check_one(base: Vec<f64>, now: Vec<f64>, better: Better) -> Outcome {
        let indices: Vec<u64> = (0..now.len() as u64).collect();
        check_indexed(base, now, &indices, better)
    }

    #[test]
    fn tolerance_accepts_percent_and_fraction() {
        assert_eq!(Tolerance::parse("5%").unwrap().fraction(), 0.05);
        assert_eq!(Tolerance::parse("0.05").unwrap().fraction(), 0.05);
        assert_eq!(Tolerance::parse(" 0 % ").unwrap().fraction(), 0.0);
        assert_eq!(Tolerance::parse("2.5%").unwrap().to_string(), "2.5%");
        for bad in ["", "-1%", "five", "NaN", "inf%"] {
            assert!(Tolerance::parse(bad).is_err(), "{bad}");
        }
        assert!(
            Tolerance::parse("5")
                .unwrap_err()
                .contains("did you mean `5%`")
        );
    }

    #[test]
    fn unknown_metrics_list_the_valid_ones() {
        assert_eq!(select(&[]).unwrap().len(), 6);
        let one = select(&["time_in_port_s.p95".into()]).unwrap();
        assert_eq!(one[0].name, "time_in_port_s.p95");
        let e = select(&["thruput".into()]).unwrap_err();
        assert!(
            e.contains("`thruput`") && e.contains("cost_per_truck"),
            "{e}"
        );
    }

    #[test]
    fn identical_runs_pass_unchanged() {
        let s = vec![100.123_456_7, 200.0, 150.0];
        let o = check_one(s.clone(), s, Better::Lower);
        assert_eq!(
            (o.status, o.note.to_string().as_str()),
            (Status::Passed, "unchanged")
        );
    }

    #[test]
    fn worse_beyond_tolerance_and_significant_fails() {
        let base = vec![100.0, 200.0, 150.0, 120.0];
        let now: Vec<f64> = base.iter().map(|x| x * 1.2 + 1.0).collect();
        let o = check_one(base.clone(), now, Better::Lower);
        assert_eq!(o.status, Status::Failed, "{}", o.note);
        assert!(o.note.to_string().starts_with("worse by 2"), "{}", o.note);
        // The same change for a metric where higher is better is an improvement.
        let now: Vec<f64> = base.iter().map(|x| x * 1.2 + 1.0).collect();
        assert_eq!(
            check_one(base, now, Better::Higher).status,
            Status::Improved
        );
    }

    #[test]
    fn small_or_noisy_changes_pass() {
        let base = vec![100.0, 200.0, 150.0, 120.0];
        // 2 % worse, significant: within tolerance.
        let now: Vec<f64> = base.iter().map(|x| x * 1.02 + 0.1).collect();
        let o = check_one(base.clone(), now, Better::Lower);
        assert_eq!(o.status, Status::Passed);
        assert!(
            o.note.to_string().contains("within the 5% tolerance"),
            "{}",
            o.note
        );
        // 20 % worse on average, but the paired differences straddle zero.
        let now = vec![300.0, 100.0, 250.0, 10.0];
        let o = check_one(base, now, Better::Lower);
        assert_eq!(o.status, Status::Passed);
        assert!(o.note.to_string().contains("not significant"), "{}", o.note);
    }

    #[test]
    fn a_zero_baseline_that_becomes_positive_fails_when_significant() {
        let o = check_one(vec![0.0; 4], vec![5.0, 6.0, 7.0, 5.0], Better::Lower);
        assert_eq!(o.status, Status::Failed, "{}", o.note);
        assert_eq!(o.relative, Some(f64::INFINITY));
    }

    /// A run that lost replications 1 and 2 is paired with baseline 0 and
    /// 3, not with baseline 0 and 1.
    #[test]
    fn replications_pair_by_index() {
        let base = vec![100.0, 500.0, 900.0, 130.0];
        let o = check_indexed(base, vec![100.0, 130.0], &[0, 3], Better::Lower);
        assert_eq!(
            (o.status, o.note.to_string().as_str()),
            (Status::Passed, "unchanged")
        );
        assert_eq!(o.change.map(|c| c.n), Some(2));
    }

    /// An empty metric is null on both sides, never zero: a baseline
    /// without samples never makes a run look like a 100 % change.
    #[test]
    fn empty_metrics_are_not_zero() {
        let nan = vec![f64::NAN; 3];
        let o = check_one(nan.clone(), vec![5.0, 6.0, 7.0], Better::Lower);
        assert_eq!((o.status, o.baseline), (Status::Passed, None));
        assert_eq!(o.note.to_string(), "no samples in the baseline");
        let o = check_one(vec![5.0, 6.0, 7.0], nan, Better::Lower);
        assert_eq!((o.status, o.current), (Status::Failed, None));
    }

    #[test]
    fn a_non_finite_number_in_a_decision_fails_closed() {
        // Values this large make the paired differences' variance overflow.
        let o = check_one(
            vec![1e308, -1e308, 1e308],
            vec![0.0, 0.0, 0.0],
            Better::Higher,
        );
        assert_eq!(o.status, Status::Failed, "{}", o.note);
        assert!(o.note.to_string().contains("failing closed"), "{}", o.note);
    }

    #[test]
    fn provenance_names_what_changed() {
        let e = Entry {
            name: "x".into(),
            portsim_version: "0.1.0".into(),
            scenario_hash: "a".into(),
            seed: 1,
            replications: 2,
            metrics: Default::default(),
        };
        let same = Provenance::new(&e, &e);
        assert_eq!(same.to_string(), "results identical to the baseline");
        let mut other = e.clone();
        other.scenario_hash = "b".into();
        other.portsim_version = "0.2.0".into();
        let p = Provenance::new(&e, &other);
        assert_eq!(
            p.to_string(),
            "scenario changed since the baseline; portsim changed (baseline from v0.1.0); results identical"
        );
    }
}
