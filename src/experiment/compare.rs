//! Paired comparison of two scenarios run with common random numbers.
//!
//! Replication `i` of the baseline and of the variant use the same random
//! streams (same master seed, same replication index, same source names),
//! so the noise they share cancels in the difference `vᵢ − bᵢ`. The
//! interval of the change is the Student-t interval of those paired
//! differences; the relative change is the ratio of means `V̄ / B̄ − 1`
//! with the delta-method interval of a paired ratio estimator (the
//! standard error of `dᵢ = vᵢ − R bᵢ` over `B̄`).
//!
//! The report also gives the half-width the difference would have had
//! with independent streams (`√(s²_b/n + s²_v/n)`), which shows what the
//! pairing bought.

use super::breakdown::Breakdown;
use super::estimate::{Estimate, t_quantile_975};
use super::summary::{Better, HEADLINE, Metric, Summary, Unit};

/// One metric compared.
#[derive(Clone, Debug)]
pub struct Change {
    /// Metric key.
    pub name: &'static str,
    /// Replications paired (finished on both sides, with a value on both).
    pub pairs: usize,
    /// Direction of improvement.
    pub better: Better,
    /// Baseline mean and CI.
    pub baseline: Estimate,
    /// Variant mean and CI.
    pub variant: Estimate,
    /// Paired difference `variant − baseline`.
    pub change: Estimate,
    /// Relative change in percent, `100 (V̄/B̄ − 1)`.
    pub change_pct: Estimate,
    /// Half-width of the difference's CI had the runs used independent
    /// streams (`None` with fewer than two pairs).
    pub independent_half_width: Option<f64>,
    /// Why this metric is not compared although both sides measured it
    /// (see [`super::unlike`]); its change is then n/a.
    pub excluded: Option<String>,
}

/// How a change reads in plain words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Better, and the interval excludes zero.
    Improved,
    /// Worse, and the interval excludes zero.
    Worsened,
    /// Changed significantly, but neither direction is better.
    Changed,
    /// The interval includes zero.
    NoSignificantChange,
    /// Not compared: measured on one side only, or not comparable (see
    /// [`Change::excluded`]).
    NotCompared,
}

impl Change {
    /// The verdict on this change.
    pub fn verdict(&self) -> Verdict {
        if self.excluded.is_some() || self.pairs == 0 {
            return Verdict::NotCompared;
        }
        if !self.change.excludes_zero() {
            return Verdict::NoSignificantChange;
        }
        let up = self.change.mean > 0.0;
        match (self.better, up) {
            (Better::Higher, true) | (Better::Lower, false) => Verdict::Improved,
            (Better::Higher, false) | (Better::Lower, true) => Verdict::Worsened,
            (Better::Neither, _) => Verdict::Changed,
        }
    }
}

/// One side of a comparison: a metric and the replication index of each of
/// its samples (ascending).
pub type Side<'a> = (&'a Metric, &'a [u64]);

/// The sample pairs of two sides: replications present on both, matched by
/// index (never by position, so an interrupted or cut run cannot pair
/// replication 3 with replication 8), both values finite.
pub fn pairs(baseline: Side, variant: Side) -> Vec<(f64, f64)> {
    let (b, bi) = baseline;
    let (v, vi) = variant;
    let mut out = Vec::new();
    let mut j = 0;
    for (k, &index) in bi.iter().enumerate() {
        while j < vi.len() && vi[j] < index {
            j += 1;
        }
        if j < vi.len() && vi[j] == index {
            let (x, y) = (b.samples[k], v.samples[j]);
            if x.is_finite() && y.is_finite() {
                out.push((x, y));
            }
        }
    }
    out
}

/// Replications paired in a comparison: those that count on both sides
/// (the most pairs of any metric; a metric with a gap in some replication,
/// such as a time with no truck leaving, has fewer).
pub fn paired_replications(changes: &[Change]) -> usize {
    changes.iter().map(|c| c.pairs).max().unwrap_or(0)
}

/// Pairs the samples of `baseline` and `variant` by replication index and
/// compares them. Pairs where either value is not finite are left out.
pub fn compare(baseline: Side, variant: Side) -> Change {
    let pairs = pairs(baseline, variant);
    let diffs: Vec<f64> = pairs.iter().map(|(b, v)| v - b).collect();
    let n = pairs.len();
    let b_mean = pairs.iter().map(|p| p.0).sum::<f64>() / n.max(1) as f64;
    let v_mean = pairs.iter().map(|p| p.1).sum::<f64>() / n.max(1) as f64;
    // Each side over the paired replications; with no pairs (a metric only
    // one side can measure), each side's own estimate.
    let side = |own: &Metric, f: fn(&(f64, f64)) -> f64| {
        if n == 0 {
            own.estimate
        } else {
            Estimate::from_samples(&pairs.iter().map(f).collect::<Vec<_>>()).at_least(0.0)
        }
    };
    Change {
        name: baseline.0.name,
        pairs: n,
        better: baseline.0.better,
        baseline: side(baseline.0, |p| p.0),
        variant: side(variant.0, |p| p.1),
        change: Estimate::from_samples(&diffs),
        change_pct: ratio_pct(&pairs, b_mean, v_mean),
        independent_half_width: independent_half_width(&pairs),
        excluded: None,
    }
}

fn ratio_pct(pairs: &[(f64, f64)], b_mean: f64, v_mean: f64) -> Estimate {
    let n = pairs.len();
    if n == 0 || b_mean == 0.0 {
        return Estimate {
            mean: f64::NAN,
            ci95: None,
            n: 0,
        };
    }
    let r = v_mean / b_mean;
    let mean = 100.0 * (r - 1.0);
    if n < 2 {
        return Estimate {
            mean,
            ci95: None,
            n,
        };
    }
    let d: Vec<f64> = pairs.iter().map(|(b, v)| v - r * b).collect();
    let d_mean = d.iter().sum::<f64>() / n as f64;
    let var = d.iter().map(|x| (x - d_mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let half = 100.0 * t_quantile_975(n - 1) * (var / n as f64).sqrt() / b_mean.abs();
    Estimate {
        mean,
        ci95: Some([mean - half, mean + half]),
        n,
    }
}

fn independent_half_width(pairs: &[(f64, f64)]) -> Option<f64> {
    let n = pairs.len();
    if n < 2 {
        return None;
    }
    let var = |xs: Vec<f64>| {
        let m = xs.iter().sum::<f64>() / n as f64;
        xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64
    };
    let vb = var(pairs.iter().map(|p| p.0).collect());
    let vv = var(pairs.iter().map(|p| p.1).collect());
    Some(t_quantile_975(n - 1) * ((vb + vv) / n as f64).sqrt())
}

/// Every headline metric of two summaries compared, replications paired by
/// index: what `portsim compare` and the web app's comparison both show.
pub fn changes(baseline: &Summary, variant: &Summary) -> Vec<Change> {
    HEADLINE
        .iter()
        .filter_map(|name| {
            Some(compare(
                (baseline.metric(name)?, &baseline.indices),
                (variant.metric(name)?, &variant.indices),
            ))
        })
        .collect()
}

/// One part of the time (see [`super::breakdown`]) compared.
#[derive(Clone, Debug)]
pub struct PartChange {
    /// The part's name ("customs wait").
    pub part: String,
    /// Where it belongs: `on_site`, `off_site` or `booking_lead`.
    pub kind: &'static str,
    /// The change, replications paired by index (named `time_part`).
    pub change: Change,
}

/// The parts of two runs' time compared, replications paired by index like
/// the headline metrics, matched by name in the baseline's order; a part
/// only one side has (a stage the other lacks) is left out.
pub fn part_changes(baseline: &Summary, variant: &Summary) -> Vec<PartChange> {
    let metric =
        |samples: &[f64]| Metric::new("time_part", Unit::Seconds, Better::Lower, samples.to_vec());
    let (b, v): (&Breakdown, &Breakdown) = (&baseline.time_breakdown, &variant.time_breakdown);
    let (on, off) = (b.on_site.len(), b.off_site.len());
    b.all()
        .enumerate()
        .filter_map(|(i, bp)| {
            let vp = v.all().find(|vp| vp.part == bp.part)?;
            let (bm, vm) = (metric(&bp.samples), metric(&vp.samples));
            Some(PartChange {
                part: bp.part.clone(),
                kind: if i < on {
                    "on_site"
                } else if i < on + off {
                    "off_site"
                } else {
                    "booking_lead"
                },
                change: compare((&bm, &baseline.indices), (&vm, &variant.indices)),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::summary::Unit;

    fn metric(samples: Vec<f64>, better: Better) -> Metric {
        Metric::new("x", Unit::Trucks, better, samples)
    }

    const FIVE: [u64; 5] = [0, 1, 2, 3, 4];

    fn cmp(b: &Metric, v: &Metric) -> Change {
        compare((b, &FIVE[..b.samples.len()]), (v, &FIVE[..v.samples.len()]))
    }

    /// An interrupted variant that finished replications {0, 1, 4} is
    /// paired with baseline 0, 1 and 4, not with baseline 0, 1 and 2.
    #[test]
    fn pairs_by_replication_index() {
        let b = metric(vec![10.0, 20.0, 30.0, 40.0, 50.0], Better::Higher);
        let v = metric(vec![10.0, 20.0, 50.0], Better::Higher);
        let c = compare((&b, &FIVE), (&v, &[0, 1, 4]));
        assert_eq!(c.pairs, 3);
        assert_eq!(c.change.mean, 0.0);
        assert_eq!(c.change.half_width(), Some(0.0));
        assert_eq!(c.baseline.mean, c.variant.mean);
    }

    #[test]
    fn paired_noise_cancels() {
        // The variant is the baseline plus 10, with large shared noise.
        let b = vec![100.0, 300.0, 50.0, 220.0, 180.0];
        let v: Vec<f64> = b.iter().map(|x| x + 10.0).collect();
        let c = cmp(&metric(b, Better::Higher), &metric(v, Better::Higher));
        assert_eq!(c.change.mean, 10.0);
        assert_eq!(c.change.half_width(), Some(0.0));
        assert!(c.independent_half_width.is_some_and(|w| w > 100.0));
        assert_eq!(c.verdict(), Verdict::Improved);
    }

    #[test]
    fn relative_change_is_ratio_of_means() {
        let b = vec![100.0, 200.0];
        let v = vec![180.0, 360.0];
        let c = cmp(&metric(b, Better::Lower), &metric(v, Better::Lower));
        assert!((c.change_pct.mean - 80.0).abs() < 1e-9);
        // v = 1.8 b exactly: the ratio estimator has zero spread.
        assert!(c.change_pct.half_width().is_some_and(|w| w.abs() < 1e-9));
        // The absolute differences (80, 160) vary, and with two pairs
        // (t = 12.7) their interval still includes zero.
        assert_eq!(c.verdict(), Verdict::NoSignificantChange);
    }

    #[test]
    fn noise_around_zero_is_not_significant() {
        let b = vec![10.0, 12.0, 11.0, 9.0];
        let v = vec![11.0, 11.0, 12.0, 8.0];
        let c = cmp(&metric(b, Better::Higher), &metric(v, Better::Higher));
        assert_eq!(c.verdict(), Verdict::NoSignificantChange);
    }
}
