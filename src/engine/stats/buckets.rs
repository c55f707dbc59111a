//! Counts of durations in log-linear buckets, laid out exactly as an HDR
//! histogram of three significant digits (the `hdrhistogram` crate's
//! `Histogram::<u64>::new(3)`), but recorded in a few instructions.
//!
//! # Why not record into `hdrhistogram` directly
//!
//! Every truck records three to seven durations, and the crate's record
//! (range checks, resize checks, minimum and maximum tracking, an `Option`
//! per step) cost about 65 instructions each: `perf` put 9 % of a Horgos
//! year and 10 % of the M/M/10 run on it. Recording here is an index
//! computation (a shift, a leading-zero count), one bounds check and one
//! add. Everything that reads the counts (quantiles, the recorded buckets,
//! merging) follows the crate's definitions index for index, and
//! [`Buckets::to_hdr`] rebuilds an identical `hdrhistogram::Histogram`
//! (same counts, same array length, same maximum) for the linear
//! iteration that charts use, so every figure is what the crate gives. The
//! tests below check that against the crate on random data, warm-up resets
//! and merges included.
//!
//! # The layout
//!
//! Bucket 0 holds the values 0..2048 one by one; bucket `b ≥ 1` holds
//! 2048·2^(b−1)..2048·2^b in 1024 sub-buckets of width 2^b. The array grows
//! (and never shrinks, not even on a reset) exactly when and as far as the
//! crate's auto-resizing histogram would grow, because its length decides
//! where the crate's linear iteration stops.

use hdrhistogram::Histogram;

/// Sub-buckets per bucket: 2^11, the smallest power of two above 2·10^3.
const SUB_BUCKETS: u64 = 2048;
/// log2 of half of that.
const HALF_MAGNITUDE: u32 = 10;
/// `64 − log2(SUB_BUCKETS)`.
const LEADING_ZERO_BASE: u32 = 53;

/// Counts per HDR bucket (see the module docs).
#[derive(Clone, Debug)]
pub struct Buckets {
    counts: Vec<u64>,
    total: u64,
}

impl Default for Buckets {
    fn default() -> Self {
        Self::new()
    }
}

/// The bucket and sub-bucket of `value`.
#[inline(always)]
fn location(value: u64) -> (u32, u64) {
    let bucket = LEADING_ZERO_BASE - (value | (SUB_BUCKETS - 1)).leading_zeros();
    (bucket, value >> bucket)
}

/// The array index of `value`.
#[inline(always)]
fn index_of(value: u64) -> usize {
    let (bucket, sub) = location(value);
    (((u64::from(bucket) + 1) << HALF_MAGNITUDE) + sub - (SUB_BUCKETS / 2)) as usize
}

/// The lowest value counted at `index`.
fn value_at(index: usize) -> u64 {
    let half = SUB_BUCKETS / 2;
    let mut bucket = (index >> HALF_MAGNITUDE) as i64 - 1;
    let mut sub = (index as u64 & (half - 1)) + half;
    if bucket < 0 {
        sub -= half;
        bucket = 0;
    }
    sub << bucket
}

/// The lowest value counted with `value`.
fn lowest_equivalent(value: u64) -> u64 {
    let (bucket, sub) = location(value);
    sub << bucket
}

/// The highest value counted with `value`.
fn highest_equivalent(value: u64) -> u64 {
    if value == u64::MAX {
        return u64::MAX;
    }
    let (bucket, _) = location(value);
    lowest_equivalent(value).saturating_add(1 << bucket) - 1
}

/// How many buckets the crate's histogram uses to cover `value`.
fn buckets_to_cover(value: u64) -> u32 {
    let mut untrackable = SUB_BUCKETS;
    let mut buckets = 1;
    while untrackable <= value {
        if untrackable > u64::MAX / 2 {
            return buckets + 1;
        }
        untrackable <<= 1;
        buckets += 1;
    }
    buckets
}

/// The array length for `buckets` buckets.
fn length(buckets: u32) -> usize {
    (buckets as usize + 1) << HALF_MAGNITUDE
}

impl Buckets {
    /// No counts, and the crate's initial array (one bucket).
    pub fn new() -> Self {
        Buckets {
            counts: vec![0; length(buckets_to_cover(2))],
            total: 0,
        }
    }

    /// Counts `value` once.
    #[inline(always)]
    pub fn record(&mut self, value: u64) {
        self.record_n(value, 1);
    }

    /// Counts `value` `n` times.
    #[inline(always)]
    pub fn record_n(&mut self, value: u64, n: u64) {
        let i = index_of(value);
        if i >= self.counts.len() {
            self.grow_to(value);
        }
        if let Some(c) = self.counts.get_mut(i) {
            *c = c.saturating_add(n);
        }
        self.total = self.total.saturating_add(n);
    }

    /// Lengthens the array to cover `value`, as the crate's resize does.
    #[cold]
    #[inline(never)]
    fn grow_to(&mut self, value: u64) {
        let len = length(buckets_to_cover(value));
        if len > self.counts.len() {
            self.counts.resize(len, 0);
        }
    }

    /// Whether nothing is counted.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Values counted.
    #[cfg(test)]
    pub fn len(&self) -> u64 {
        self.total
    }

    /// The index of the highest non-empty bucket.
    fn top(&self) -> Option<usize> {
        self.counts.iter().rposition(|&c| c != 0)
    }

    /// The highest value equivalent to the largest counted (the crate's
    /// `max()`); 0 when empty. One value differs: the crate says
    /// `u64::MAX` when exactly that was recorded, this `u64::MAX − 1`, the
    /// top of its bucket otherwise (no duration comes near).
    #[cfg(test)]
    pub fn max(&self) -> u64 {
        self.top().map_or(0, |i| highest_equivalent(value_at(i)))
    }

    /// The value at `quantile` (the crate's `value_at_quantile`): the
    /// highest value of the first bucket at which the running count
    /// reaches `quantile` of the total (the lowest, for quantile 0).
    pub fn value_at_quantile(&self, quantile: f64) -> u64 {
        let quantile = quantile.min(1.0);
        let target = ((quantile * self.total as f64).ceil() as u64).max(1);
        let mut running: u64 = 0;
        for (i, &c) in self.counts.iter().enumerate() {
            running += c;
            if running >= target {
                let value = value_at(i);
                return if quantile == 0.0 {
                    lowest_equivalent(value)
                } else {
                    highest_equivalent(value)
                };
            }
        }
        0
    }

    /// The non-empty buckets in order, as (the highest value counted
    /// there, count): the crate's `iter_recorded`.
    pub fn recorded(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.counts
            .iter()
            .enumerate()
            .filter(|&(_, &c)| c != 0)
            .map(|(i, &c)| (highest_equivalent(value_at(i)), c))
    }

    /// Adds `other`'s counts (the crate's `add`: the array grows to cover
    /// `other`'s maximum, not to `other`'s length).
    pub fn merge(&mut self, other: &Buckets) {
        let Some(top) = other.top() else {
            return;
        };
        let max = highest_equivalent(value_at(top));
        let own_top = highest_equivalent(value_at(self.counts.len() - 1));
        if own_top < max {
            self.grow_to(max);
        }
        for (mine, &theirs) in self.counts.iter_mut().zip(&other.counts[..=top]) {
            *mine = mine.saturating_add(theirs);
        }
        self.total = self.total.saturating_add(other.total);
    }

    /// Forgets every count; the array keeps its length (the crate's
    /// `reset`).
    pub fn reset(&mut self) {
        self.counts.fill(0);
        self.total = 0;
    }

    /// The crate's histogram holding exactly these counts, with the same
    /// array length and maximum (for its iterators).
    pub fn to_hdr(&self) -> Histogram<u64> {
        let buckets = (self.counts.len() >> HALF_MAGNITUDE) as u32 - 1;
        // The highest value `buckets` buckets cover: `buckets_to_cover` of
        // it is `buckets` again.
        let high = (SUB_BUCKETS << (buckets - 1).min(52)).saturating_sub(1);
        let high = if buckets > 53 { u64::MAX } else { high };
        let mut h = match Histogram::new_with_bounds(1, high.max(2), 3) {
            Ok(h) => h,
            // 1 ≤ low, 2·low ≤ high and three digits are always valid.
            Err(_) => unreachable!("valid histogram bounds"),
        };
        h.auto(true);
        for (i, &c) in self.counts.iter().enumerate() {
            if c != 0 {
                // Within the array built for these bounds, so it cannot fail.
                let _ = h.record_n(value_at(i), c);
            }
        }
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reference() -> Histogram<u64> {
        Histogram::new(3).expect("valid")
    }

    /// Every figure the statistics read, from both.
    fn same(ours: &Buckets, theirs: &Histogram<u64>) -> Result<(), TestCaseError> {
        prop_assert_eq!(ours.len(), theirs.len());
        prop_assert_eq!(ours.counts.len(), theirs.distinct_values());
        if theirs.is_empty() {
            prop_assert!(ours.is_empty());
            return Ok(());
        }
        prop_assert_eq!(ours.max(), theirs.max());
        for q in [0.0, 0.01, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0] {
            prop_assert_eq!(
                ours.value_at_quantile(q),
                theirs.value_at_quantile(q),
                "q {}",
                q
            );
        }
        let recorded: Vec<(u64, u64)> = theirs
            .iter_recorded()
            .map(|v| (v.value_iterated_to(), v.count_at_value()))
            .collect();
        prop_assert_eq!(ours.recorded().collect::<Vec<_>>(), recorded);
        let rebuilt = ours.to_hdr();
        prop_assert_eq!(rebuilt.max(), theirs.max());
        prop_assert_eq!(rebuilt.distinct_values(), theirs.distinct_values());
        // Widths as charts use them: a few hundred steps at most.
        let top = theirs.max().max(1);
        for width in [600, 50, 7, 1].map(|n| top.div_ceil(n).max(1)) {
            let a: Vec<(u64, u64)> = rebuilt
                .iter_linear(width)
                .map(|v| (v.value_iterated_to(), v.count_since_last_iteration()))
                .collect();
            let b: Vec<(u64, u64)> = theirs
                .iter_linear(width)
                .map(|v| (v.value_iterated_to(), v.count_since_last_iteration()))
                .collect();
            prop_assert_eq!(a, b, "width {}", width);
        }
        Ok(())
    }

    /// Values over many decades: the small ones one by one, the large
    /// ones in wide buckets, and the edges of buckets. Below 2^58 (nine
    /// billion years in seconds): at the top of the u64 range the crate's
    /// linear iteration wraps around and never ends.
    fn value() -> impl Strategy<Value = u64> {
        prop_oneof![
            0u64..5000,
            (0u32..46, 0u64..4096).prop_map(|(shift, v)| v << shift),
            (11u32..58).prop_map(|b| (1u64 << b) - 1),
            (11u32..58).prop_map(|b| 1u64 << b),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Recording, a warm-up reset, more recording and a merge give what
        /// the crate gives, figure for figure.
        #[test]
        fn matches_the_hdrhistogram_crate(
            warmup in proptest::collection::vec(value(), 0..50),
            measured in proptest::collection::vec(value(), 0..200),
            other in proptest::collection::vec(value(), 0..100),
            weights in proptest::collection::vec(1u64..5, 0..20),
        ) {
            let (mut ours, mut theirs) = (Buckets::new(), reference());
            for &v in &warmup {
                ours.record(v);
                theirs.record(v).expect("auto-resizes");
            }
            same(&ours, &theirs)?;
            ours.reset();
            theirs.reset();
            for &v in &measured {
                ours.record(v);
                theirs.record(v).expect("auto-resizes");
            }
            for (&v, &n) in other.iter().zip(&weights) {
                ours.record_n(v, n);
                theirs.record_n(v, n).expect("auto-resizes");
            }
            same(&ours, &theirs)?;
            let (mut ours2, mut theirs2) = (Buckets::new(), reference());
            for &v in &other {
                ours2.record(v);
                theirs2.record(v).expect("auto-resizes");
            }
            ours.merge(&ours2);
            theirs.add(&theirs2).expect("auto-resizes");
            same(&ours, &theirs)?;
            ours2.merge(&ours);
            theirs2.add(&theirs).expect("auto-resizes");
            same(&ours2, &theirs2)?;
        }
    }

    #[test]
    fn small_values_are_exact_and_large_ones_keep_three_digits() {
        let mut b = Buckets::new();
        for v in [0, 1, 2047, 2048, 2049, 1_000_000] {
            b.record(v);
        }
        assert_eq!(b.value_at_quantile(0.0), 0);
        assert_eq!(b.value_at_quantile(0.5), 2047);
        // 2048 and 2049 share a bucket of width 2.
        assert_eq!(b.value_at_quantile(0.8), 2049);
        let top = b.max();
        assert!(
            top >= 1_000_000 && top - 1_000_000 < 1_000_000 / 1000,
            "{top}"
        );
    }
}
