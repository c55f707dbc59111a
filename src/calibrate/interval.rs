//! An estimate with its 95 % interval and the number of observations
//! behind it, and the two intervals calibration uses.
//!
//! * a **proportion** (a share, a rework probability): Wilson's score
//!   interval, which stays inside [0, 1] and keeps its coverage for small
//!   counts and proportions near 0 or 1, where the normal approximation
//!   does not;
//! * a **rate** from a count over an exposure (trucks per day, an hour's
//!   weight): the normal approximation to the Poisson count, its variance
//!   multiplied by the dispersion when the counts vary more than Poisson
//!   (quasi-Poisson), and cut at zero.

use serde::Serialize;

/// The normal quantile of a two-sided 95 % interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// A value with its 95 % interval and the observations behind it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Estimated {
    /// The estimate.
    pub mean: f64,
    /// Its 95 % interval.
    pub ci95: [f64; 2],
    /// Observations behind it.
    pub n: u64,
}

impl Estimated {
    /// A proportion of `k` in `n` with Wilson's interval (`NaN` when
    /// `n` is 0).
    pub fn proportion(k: u64, n: u64) -> Estimated {
        if n == 0 {
            return Estimated {
                mean: f64::NAN,
                ci95: [f64::NAN, f64::NAN],
                n,
            };
        }
        let (lo_exact, hi_exact) = (k == 0, k == n);
        let (k, nf) = (k as f64, n as f64);
        let p = k / nf;
        let z2 = Z95 * Z95;
        let centre = (p + z2 / (2.0 * nf)) / (1.0 + z2 / nf);
        let half = Z95 / (1.0 + z2 / nf) * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt();
        Estimated {
            mean: p,
            // At 0 of n and n of n the bound is exactly 0 or 1.
            ci95: [
                if lo_exact {
                    0.0
                } else {
                    (centre - half).max(0.0)
                },
                if hi_exact {
                    1.0
                } else {
                    (centre + half).min(1.0)
                },
            ],
            n,
        }
    }

    /// A rate: `count` events over `exposure` units, with the count's
    /// variance `dispersion × count` (1 for Poisson).
    pub fn rate(count: u64, exposure: f64, dispersion: f64) -> Estimated {
        if exposure <= 0.0 {
            return Estimated {
                mean: f64::NAN,
                ci95: [f64::NAN, f64::NAN],
                n: count,
            };
        }
        let c = count as f64;
        let half = Z95 * (dispersion.max(1.0) * c).sqrt();
        Estimated {
            mean: c / exposure,
            ci95: [((c - half) / exposure).max(0.0), (c + half) / exposure],
            n: count,
        }
    }

    /// The same estimate and interval multiplied by `factor`.
    pub fn scaled(self, factor: f64) -> Estimated {
        Estimated {
            mean: self.mean * factor,
            ci95: [self.ci95[0] * factor, self.ci95[1] * factor],
            n: self.n,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_a_hand_computed_case() {
        // 30 of 100: Wilson 95 % interval [0.2189, 0.3958].
        let e = Estimated::proportion(30, 100);
        assert!((e.mean - 0.3).abs() < 1e-12);
        assert!((e.ci95[0] - 0.2189).abs() < 1e-4, "{:?}", e.ci95);
        assert!((e.ci95[1] - 0.3958).abs() < 1e-4, "{:?}", e.ci95);
        let all = Estimated::proportion(10, 10);
        assert_eq!(all.ci95[1], 1.0);
        assert!(all.ci95[0] > 0.69 && all.ci95[0] < 0.73);
        assert!(Estimated::proportion(0, 0).mean.is_nan());
    }

    #[test]
    fn rates_scale_with_the_dispersion() {
        let e = Estimated::rate(400, 10.0, 1.0);
        assert_eq!(e.mean, 40.0);
        assert!((e.ci95[1] - 40.0 - Z95 * 2.0).abs() < 1e-9);
        let wide = Estimated::rate(400, 10.0, 4.0);
        assert!((wide.ci95[1] - 40.0 - 2.0 * Z95 * 2.0).abs() < 1e-9);
    }
}
