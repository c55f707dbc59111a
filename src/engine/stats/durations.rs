//! Durations: exact moments plus HDR histogram counts for percentiles.
//!
//! The mean and variance are kept exactly: durations are whole ticks, so
//! their count, sum and sum of squares are exact integers (`u128` holds the
//! squares of a billion thirty-year durations), with no rounding, no
//! dependence on the order of merging, and no division per record.
//! Validation compares these means with queueing formulas. Percentiles
//! come from HDR histogram counts with three significant digits (see
//! [`Buckets`](super::buckets::Buckets) for why they are not the
//! `hdrhistogram` crate's own), because a planner reading "p95 = 6.2 h"
//! does not need more and the histogram's size then depends only on the
//! range of values, not on how many were recorded.

use serde::Serialize;

use super::buckets::Buckets;

use crate::engine::time::{SECOND, Span};

/// Statistics of a set of durations, in ticks.
#[derive(Clone, Debug)]
pub struct DurationStats {
    count: u64,
    sum: u128,
    sum_sq: u128,
    /// An HDR histogram's counts (three significant digits).
    histogram: Buckets,
    /// Ticks per histogram unit: recording whole seconds rather than
    /// milliseconds keeps the histogram small without losing anything a
    /// percentile of minutes or hours would show.
    resolution: Span,
    max: Span,
}

/// The numbers of a [`DurationStats`], for moving it between machines.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawDurations {
    /// Durations recorded.
    pub count: u64,
    /// Their sum, in ticks.
    pub sum: u128,
    /// The sum of their squares.
    pub sum_sq: u128,
    /// Ticks per histogram unit.
    pub resolution: Span,
    /// The largest, in ticks.
    pub max: Span,
    /// Non-empty histogram buckets: (a value in the bucket, count).
    pub buckets: Vec<(u64, u64)>,
}

/// Selected percentiles of a set of durations, in ticks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Percentiles {
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Largest value.
    pub max: f64,
}

impl DurationStats {
    /// Empty statistics whose histogram counts in units of `resolution`
    /// ticks (at least 1).
    pub fn new(resolution: Span) -> Self {
        DurationStats {
            count: 0,
            sum: 0,
            sum_sq: 0,
            histogram: Buckets::new(),
            resolution: resolution.max(1),
            max: 0,
        }
    }

    /// Records one duration.
    #[inline]
    pub fn record(&mut self, ticks: Span) {
        let x = u128::from(ticks);
        self.count += 1;
        self.sum = self.sum.saturating_add(x);
        self.sum_sq = self.sum_sq.saturating_add(x * x);
        // A division costs as much as the rest of a record; at resolution 1
        // (the reference models) it is skipped.
        // The model records whole seconds: dividing by the constant lets
        // the compiler multiply instead, a few cycles rather than forty.
        let units = match self.resolution {
            1 => ticks,
            SECOND => (ticks + SECOND / 2) / SECOND,
            r => (ticks + r / 2) / r,
        };
        // The histogram grows itself to any u64 value.
        self.histogram.record(units);
        self.max = self.max.max(ticks);
    }

    /// Number of durations recorded.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Sum of the durations in ticks.
    pub fn sum(&self) -> u128 {
        self.sum
    }

    /// Mean duration in ticks (0 when empty).
    pub fn mean(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.sum as f64 / self.count as f64
        }
    }

    /// Sample variance in ticks² (0 with fewer than two values).
    pub fn variance(&self) -> f64 {
        if self.count < 2 {
            return 0.0;
        }
        let n = u128::from(self.count);
        // Centre on the integer part q of the mean, exactly in integers:
        // Σ(x − q)² = Σx² − 2qΣx + nq², then correct for the fractional part
        // r/n of the mean: Σ(x − mean)² = Σ(x − q)² − r²/n.
        let (q, r) = (self.sum / n, self.sum % n);
        let centred = (self.sum_sq + n * q * q).saturating_sub(2 * q * self.sum);
        let r = r as f64;
        (centred as f64 - r * r / n as f64).max(0.0) / (n - 1) as f64
    }

    /// Percentiles in ticks (all zero when empty). The largest value is
    /// exact; the others carry the histogram's three significant digits.
    pub fn percentiles(&self) -> Percentiles {
        if self.histogram.is_empty() {
            return Percentiles::default();
        }
        // Histogram values are bucket edges; none may exceed the exact max.
        let q =
            |p: f64| ((self.histogram.value_at_quantile(p) * self.resolution).min(self.max)) as f64;
        Percentiles {
            p50: q(0.50),
            p90: q(0.90),
            p95: q(0.95),
            p99: q(0.99),
            max: self.max as f64,
        }
    }

    /// Adds another set of durations recorded at the same resolution.
    pub fn merge(&mut self, other: &DurationStats) {
        self.count += other.count;
        self.sum = self.sum.saturating_add(other.sum);
        self.sum_sq = self.sum_sq.saturating_add(other.sum_sq);
        self.histogram.merge(&other.histogram);
        self.max = self.max.max(other.max);
    }

    /// Histogram bins `(upper edge in ticks, count)` over the recorded range,
    /// for plotting a distribution: at most `bins` equal-width bins.
    pub fn bins(&self, bins: usize) -> Vec<(f64, u64)> {
        if self.histogram.is_empty() || bins == 0 {
            return Vec::new();
        }
        // Charts are drawn once a run: the crate's linear iteration, on a
        // histogram rebuilt from the counts.
        let histogram = self.histogram.to_hdr();
        let top = histogram.max().max(1);
        let width = top.div_ceil(bins as u64).max(1);
        histogram
            .iter_linear(width)
            .map(|v| {
                let edge = (v.value_iterated_to() + 1) * self.resolution;
                (edge as f64, v.count_since_last_iteration())
            })
            .collect()
    }

    /// Everything recorded, as plain numbers: count, sum, sum of squares,
    /// resolution, largest value, then the histogram's non-empty buckets
    /// as (a value in the bucket, count) pairs. [`from_raw`](Self::from_raw)
    /// rebuilds statistics that give the same moments, percentiles, bins
    /// and merges, so they can travel between machines.
    pub fn to_raw(&self) -> RawDurations {
        RawDurations {
            count: self.count,
            sum: self.sum,
            sum_sq: self.sum_sq,
            resolution: self.resolution,
            max: self.max,
            buckets: self.histogram.recorded().collect(),
        }
    }

    /// Statistics from [`to_raw`](Self::to_raw)'s numbers.
    pub fn from_raw(raw: &RawDurations) -> Self {
        let mut d = DurationStats::new(raw.resolution);
        d.count = raw.count;
        d.sum = raw.sum;
        d.sum_sq = raw.sum_sq;
        d.max = raw.max;
        for &(value, count) in &raw.buckets {
            // The same bucket as the values first recorded in it.
            d.histogram.record_n(value, count);
        }
        d
    }

    /// Forgets everything recorded (end of warm-up).
    pub fn reset(&mut self) {
        self.count = 0;
        self.sum = 0;
        self.sum_sq = 0;
        self.histogram.reset();
        self.max = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_are_exact_and_percentiles_close() {
        let mut d = DurationStats::new(1);
        for v in 1..=1000u64 {
            d.record(v * 1000);
        }
        assert_eq!(d.count(), 1000);
        assert!((d.mean() - 500_500.0).abs() < 1e-6);
        let p = d.percentiles();
        assert!((p.p50 - 500_000.0).abs() / 500_000.0 < 0.002, "{p:?}");
        assert!((p.p99 - 990_000.0).abs() / 990_000.0 < 0.002, "{p:?}");
        assert_eq!(p.max, 1_000_000.0);
    }

    #[test]
    fn raw_numbers_rebuild_the_same_statistics() {
        let mut a = DurationStats::new(1000);
        // Values over six decades, some in the same bucket.
        for v in [
            1u64,
            999,
            1000,
            1001,
            65_432,
            65_433,
            7_654_321,
            987_654_321,
        ] {
            a.record(v * 7);
        }
        let raw = a.to_raw();
        let b = DurationStats::from_raw(&raw);
        assert_eq!(b.to_raw(), raw);
        assert_eq!(a.percentiles(), b.percentiles());
        assert_eq!(a.bins(50), b.bins(50));
        assert_eq!((a.count(), a.sum()), (b.count(), b.sum()));
        assert_eq!(a.variance().to_bits(), b.variance().to_bits());
        let (mut m1, mut m2) = (DurationStats::new(1000), DurationStats::new(1000));
        m1.record(123_456);
        m2.record(123_456);
        m1.merge(&a);
        m2.merge(&b);
        assert_eq!(m1.to_raw(), m2.to_raw());
        assert_eq!(m1.bins(7), m2.bins(7));
    }

    #[test]
    fn merge_and_reset() {
        let mut a = DurationStats::new(1000);
        let mut b = DurationStats::new(1000);
        a.record(2000);
        b.record(4000);
        a.merge(&b);
        assert_eq!(a.count(), 2);
        assert!((a.mean() - 3000.0).abs() < 1e-9);
        assert!((a.variance() - 2_000_000.0).abs() < 1e-6);
        assert_eq!(a.percentiles().max, 4000.0);
        a.reset();
        assert_eq!(a.count(), 0);
        assert_eq!(a.percentiles(), Percentiles::default());
        let bins = b.bins(4);
        assert_eq!(bins.iter().map(|b| b.1).sum::<u64>(), 1);
    }
}
