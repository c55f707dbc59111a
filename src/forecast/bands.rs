//! A 90 % prediction interval across replications: the mean, and the 5th
//! and 95th percentiles by nearest rank.
//!
//! The nearest-rank percentile `p` of `n` sorted values is the value of
//! rank `ceil(p n)` (at least 1): always one of the values, never an
//! interpolation, so with 500 replications p5 is the 25th smallest and
//! p95 the 475th. It is where a future value will fall, not a confidence
//! interval of a mean: the band does not shrink as replications grow.
//! Values that are not numbers (an hour in which no truck arrived has no
//! time in port) are left out; a band of nothing is NaN throughout.

/// Mean and 5th–95th percentile band of one quantity.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Band {
    /// Mean across replications.
    pub mean: f64,
    /// 5th percentile (nearest rank).
    pub p5: f64,
    /// 95th percentile (nearest rank).
    pub p95: f64,
}

impl Band {
    /// The band of `values` (NaN values left out; sorted in place).
    pub fn of(values: &mut Vec<f64>) -> Band {
        values.retain(|v| !v.is_nan());
        if values.is_empty() {
            return Band {
                mean: f64::NAN,
                p5: f64::NAN,
                p95: f64::NAN,
            };
        }
        values.sort_by(f64::total_cmp);
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        Band {
            mean,
            p5: nearest_rank(values, 0.05),
            p95: nearest_rank(values, 0.95),
        }
    }

    /// Whether `x` is within the band (ends included).
    pub fn holds(&self, x: f64) -> bool {
        x >= self.p5 && x <= self.p95
    }
}

/// The nearest-rank percentile `p` (a fraction) of `sorted` (not empty).
pub fn nearest_rank(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    let rank = ((p * n as f64).ceil() as usize).clamp(1, n);
    sorted[rank - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_by_hand() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        // ceil(0.05 × 100) = 5, ceil(0.95 × 100) = 95.
        assert_eq!(nearest_rank(&v, 0.05), 5.0);
        assert_eq!(nearest_rank(&v, 0.95), 95.0);
        let v = [3.0, 1.0, 2.0];
        let band = Band::of(&mut v.to_vec());
        // n = 3: ranks ceil(0.15) = 1 and ceil(2.85) = 3.
        assert_eq!((band.mean, band.p5, band.p95), (2.0, 1.0, 3.0));
        let band = Band::of(&mut vec![f64::NAN, 7.0]);
        assert_eq!((band.mean, band.p5, band.p95), (7.0, 7.0, 7.0));
        assert!(Band::of(&mut vec![f64::NAN]).mean.is_nan());
    }
}
