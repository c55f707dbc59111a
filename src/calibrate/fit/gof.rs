//! Goodness of fit under censoring and rounding: a parametric bootstrap
//! of the Kolmogorov–Smirnov distance between the Kaplan–Meier curve and
//! the fitted law.
//!
//! **The distance.** `D = sup |KM(t) - M(t)|` over the points where
//! services ended, on both sides of each jump, where `KM` is the
//! Kaplan–Meier estimate of the observations' points
//! ([`super::sample::point`]) and `M` is what the fitted law says about
//! those same points: `F(t)` for exact durations; for a duration rounded
//! down to a grid of width `w`, whose point is its interval's midpoint,
//! `F(t + w/2)`; for the difference of two clock times rounded to `w`,
//! the law's probability that the rounded difference is at most `t`,
//! `(G(t' + w) - G(t')) / w` with `t'` the grid point at or below `t`.
//! Comparing like with like keeps the distance small when the law is
//! right however coarse the clock is; a mix of kinds is compared with the
//! mix of their `M`s, weighted as in the data.
//!
//! **The bootstrap.** Estimating the parameters from the same data makes
//! `D` smaller than the textbook KS tables assume, and censoring changes
//! its law again; so its null distribution is simulated. Each bootstrap
//! sample draws one duration per observation from the fitted law, cuts it
//! where that observation's log would have cut it (a draw beyond its
//! `limit` becomes `Right(limit)`), rounds it the way that observation
//! was rounded (the width and the grid's offset read from the data;
//! still-running observations take the data's most common kind), refits
//! the family from the estimate, and computes its distance.
//! `p = (1 + #{D* ≥ D}) / (B + 1)`; a bootstrap sample whose refit fails
//! counts as `D* ≥ D`, which keeps the test conservative.
//!
//! Kolmogorov–Smirnov rather than Anderson–Darling: AD weights the tails
//! by `1/(F(1 - F))`, exactly where censoring leaves the Kaplan–Meier
//! curve undefined or resting on a handful of survivors, and a rounded
//! clock turns the lower tail into a few large steps; KS is defined on
//! any step function, and the bootstrap supplies its calibration.
//!
//! **Determinism.** Bootstrap sample `b` draws from
//! `Streams::new(seed, b).stream("calibrate/gof/<stage>/<family>")`, so
//! the samples run in parallel (rayon) and are collected in order: the
//! p-value does not depend on the number of threads.

use rand::RngExt;
use rand_distr::{Distribution, Gamma, LogNormal};
use rayon::prelude::*;

use crate::engine::dist::law::Law;
use crate::engine::streams::{Rng, Streams};

use super::Obs;
use super::km::from_counts;
use super::mle::{Estimate, refit};
use super::sample::{Sample, normalise};

/// How an observation's duration was measured, to be replayed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mechanism {
    /// To the second or better.
    Exact,
    /// Rounded down to a grid of `width` starting at `offset`: an
    /// interval `[lo, lo + width]`.
    Grid {
        /// The grid's step.
        width: f64,
        /// `lo` modulo the step.
        offset: f64,
    },
    /// The difference of two clock times rounded to `width`.
    Rounded {
        /// The clock's step.
        width: f64,
    },
}

impl Mechanism {
    /// How `obs` was measured (`None` for a right-censored one).
    pub fn of(obs: Obs) -> Option<Mechanism> {
        match obs {
            Obs::Exact(_) => Some(Mechanism::Exact),
            Obs::Right(_) => None,
            Obs::Interval(lo, hi) => {
                let width = hi - lo;
                Some(Mechanism::Grid {
                    width,
                    offset: lo - width * (lo / width).floor(),
                })
            }
            Obs::Rounded { width, .. } => Some(Mechanism::Rounded { width }),
        }
    }

    /// A duration `x` measured this way.
    fn measure(self, x: f64, rng: &mut Rng) -> Obs {
        match self {
            Mechanism::Exact => Obs::Exact(x),
            Mechanism::Grid { width, offset } => {
                let lo = offset + width * ((x - offset) / width).floor();
                Obs::Interval(lo.max(0.0), lo + width)
            }
            Mechanism::Rounded { width } => {
                // The start's position within its clock step is uniform.
                let phase: f64 = rng.random::<f64>() * width;
                Obs::Rounded {
                    value: width * ((phase + x) / width).floor(),
                    width,
                }
            }
        }
    }

    /// `P(point ≤ t)` and `P(point < t)` under `law` for an observation
    /// measured this way; `last` remembers a rounded difference's last
    /// grid point and its probability.
    fn model_cdf(self, law: &Law, mean: f64, t: f64, last: &mut LastPoint) -> (f64, f64) {
        match self {
            Mechanism::Exact => {
                let f = law.cdf(t);
                (f, f)
            }
            Mechanism::Grid { width, .. } => (law.cdf(t + width / 2.0), law.cdf(t - width / 2.0)),
            Mechanism::Rounded { width } => {
                let at = width * (t / width + 1e-9).floor();
                let below = width * ((t / width - 1e-9).ceil() - 1.0);
                let below_p = match *last {
                    Some((s, p)) if s == below => p,
                    _ => rounded_cdf(law, mean, below, width),
                };
                let at_p = if at == below {
                    below_p
                } else {
                    rounded_cdf(law, mean, at, width)
                };
                *last = Some((at, at_p));
                (at_p, below_p)
            }
        }
    }
}

/// A rounded difference's last grid point and its probability.
type LastPoint = Option<(f64, f64)>;

/// `P(D ≤ s)` for a rounded difference `D` on the grid point `s`:
/// `(G(s + w) - G(s)) / w`, or `1 - (H(s) - H(s + w)) / w` above the mean.
fn rounded_cdf(law: &Law, mean: f64, s: f64, w: f64) -> f64 {
    if s + w <= 0.0 {
        return 0.0;
    }
    let g = |x: f64| {
        if x <= 0.0 {
            0.0
        } else {
            law.tail(x).ln_g.exp()
        }
    };
    let h = |x: f64| {
        if x <= 0.0 {
            mean - x
        } else {
            law.tail(x).ln_h.exp()
        }
    };
    let p = if s + w <= mean {
        (g(s + w) - g(s)) / w
    } else {
        1.0 - (h(s) - h(s + w)) / w
    };
    p.clamp(0.0, 1.0)
}

/// The observations a test uses, with how to replay each.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// The observations (canonical forms).
    pub obs: Vec<Obs>,
    /// Where the log's end cuts each.
    pub limits: Vec<f64>,
    /// How each was measured (still-running ones: the data's most common
    /// way).
    pub mechanisms: Vec<Mechanism>,
}

impl Plan {
    /// A plan for `(observation, limit)` pairs in canonical form.
    pub fn new(data: &[(Obs, f64)]) -> Plan {
        let mut counts: Vec<(Mechanism, usize)> = Vec::new();
        for &(o, _) in data {
            if let Some(m) = Mechanism::of(o) {
                match counts.iter_mut().find(|(k, _)| *k == m) {
                    Some(entry) => entry.1 += 1,
                    None => counts.push((m, 1)),
                }
            }
        }
        // The most common; the first seen on a tie (data are in canonical order).
        let common = counts
            .iter()
            .fold(None::<(Mechanism, usize)>, |best, &(m, c)| match best {
                Some((_, bc)) if bc >= c => best,
                _ => Some((m, c)),
            })
            .map_or(Mechanism::Exact, |b| b.0);
        let mut plan = Plan {
            obs: Vec::with_capacity(data.len()),
            limits: Vec::with_capacity(data.len()),
            mechanisms: Vec::with_capacity(data.len()),
        };
        for &(o, limit) in data {
            let (mechanism, limit) = match o {
                Obs::Right(x) => (common, x),
                _ => (Mechanism::of(o).unwrap_or(common), limit),
            };
            plan.obs.push(o);
            plan.limits.push(limit);
            plan.mechanisms.push(mechanism);
        }
        plan
    }

    /// One bootstrap sample: a draw from `law` per observation, cut and
    /// measured as that observation was.
    fn simulate(&self, law: &Law, rng: &mut Rng) -> Option<Vec<Obs>> {
        let draw: Box<dyn Fn(&mut Rng) -> f64> = match *law {
            Law::Gamma { shape, scale, .. } => {
                let g = Gamma::new(shape, scale).ok()?;
                Box::new(move |r| g.sample(r))
            }
            Law::LogNormal { mu, sigma } => {
                let l = LogNormal::new(mu, sigma).ok()?;
                Box::new(move |r| l.sample(r))
            }
        };
        let mut out = Vec::with_capacity(self.obs.len());
        for (&limit, &mechanism) in self.limits.iter().zip(&self.mechanisms) {
            let x = draw(rng);
            let o = if x > limit {
                Obs::Right(limit)
            } else {
                mechanism.measure(x, rng)
            };
            out.push(normalise(o)?);
        }
        Some(out)
    }
}

/// The Kolmogorov–Smirnov distance between the Kaplan–Meier curve of the
/// observations in `sample` and what `law` says about the same points.
pub fn distance(sample: &Sample, law: &Law) -> f64 {
    let curve = from_counts(&sample.points());
    // The mix of measurement kinds among services that ended, each with
    // the last grid point it was evaluated at (neighbouring jumps share
    // one: P(D < t) = P(D ≤ t - w)).
    let mut mix: Vec<(Mechanism, f64, LastPoint)> = Vec::new();
    let mut add = |m: Mechanism, c: f64| match mix.iter_mut().find(|(k, ..)| *k == m) {
        Some(entry) => entry.1 += c,
        None => mix.push((m, c, None)),
    };
    if sample.exact.count > 0.0 {
        add(Mechanism::Exact, sample.exact.count);
    }
    for &(lo, hi, c) in &sample.interval {
        // The grid's offset does not change F(t ± w/2).
        add(
            Mechanism::Grid {
                width: hi - lo,
                offset: 0.0,
            },
            c,
        );
    }
    for &(_, width, c) in &sample.rounded {
        add(Mechanism::Rounded { width }, c);
    }
    let ended: f64 = mix.iter().map(|m| m.1).sum();
    let mean = law.mean();
    let mut d = 0.0f64;
    let mut before = 0.0;
    for (&t, &s) in curve.times.iter().zip(&curve.survival) {
        let (mut at, mut below) = (0.0, 0.0);
        for (m, c, last) in &mut mix {
            let (a, b) = m.model_cdf(law, mean, t, last);
            at += *c * a;
            below += *c * b;
        }
        let (at, below) = (at / ended, below / ended);
        let after = 1.0 - s;
        d = d.max((after - at).abs()).max((before - below).abs());
        before = after;
    }
    d
}

/// The p-value of `estimate` (fitted to `plan`'s observations) and its
/// distance, from `bootstrap` samples on the stream `stream`; `None` when
/// there are no samples or no bootstrap sample could be drawn.
pub fn test(
    estimate: &Estimate,
    plan: &Plan,
    bootstrap: usize,
    seed: u64,
    stream: &str,
) -> Option<(f64, f64)> {
    if bootstrap == 0 {
        return None;
    }
    let d0 = distance(&Sample::new(plan.obs.iter().copied()), &estimate.law);
    let stars: Vec<Option<f64>> = (0..bootstrap)
        .into_par_iter()
        .map(|b| {
            let mut rng = Streams::new(seed, b as u64).stream(stream);
            let obs = plan.simulate(&estimate.law, &mut rng)?;
            let sample = Sample::new(obs.iter().copied());
            let again = refit(estimate, &sample)?;
            Some(distance(&sample, &again.law))
        })
        .collect();
    if stars.iter().all(Option::is_none) {
        return None;
    }
    let at_least = stars.iter().filter(|d| d.is_none_or(|d| d >= d0)).count();
    Some(((1 + at_least) as f64 / (bootstrap + 1) as f64, d0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibrate::fit::sample::point;

    /// With exact data and no censoring the distance is the textbook KS
    /// statistic. The exponential with mean 1/ln 2 has F(1) = 1/2,
    /// F(2) = 3/4, F(3) = 7/8.
    #[test]
    fn distance_is_the_ks_statistic_on_exact_data() {
        let law = Law::gamma(1.0, 1.0 / std::f64::consts::LN_2);
        let obs = [Obs::Exact(1.0), Obs::Exact(2.0), Obs::Exact(3.0)];
        // ECDF 1/3, 2/3, 1 against 1/2, 3/4, 7/8; before each jump 0, 1/3,
        // 2/3: the largest gap is |0 - 1/2| = 1/2.
        assert!((distance(&Sample::new(obs), &law) - 0.5).abs() < 1e-12);
    }

    /// Rounded data drawn from a law are close to the law rounded: with a
    /// large sample the distance shrinks like 1/√n, where against the
    /// plain CDF it would stay near half a minute's probability.
    #[test]
    fn rounded_data_are_compared_with_the_rounded_law() {
        let law = Law::gamma(2.0, 45.0);
        let plan = Plan::new(&vec![
            (
                Obs::Rounded {
                    value: 60.0,
                    width: 60.0
                },
                f64::INFINITY
            );
            20_000
        ]);
        let mut rng = Streams::new(3, 0).stream("test");
        let obs = plan.simulate(&law, &mut rng).expect("draws");
        let d = distance(&Sample::new(obs.iter().copied()), &law);
        assert!(d < 0.015, "rounded comparison: {d}");
        let as_exact: Vec<Obs> = obs
            .iter()
            .map(|&o| Obs::Exact(point(o).0.max(1e-9)))
            .collect();
        let naive = distance(&Sample::new(as_exact), &law);
        assert!(naive > 0.1, "plain CDF against rounded points: {naive}");
    }

    /// A draw beyond an observation's limit comes back as `Right(limit)`.
    #[test]
    fn the_bootstrap_cuts_where_the_log_would_have() {
        let plan = Plan::new(&[(Obs::Exact(5.0), 10.0), (Obs::Right(3.0), 3.0)]);
        assert_eq!(plan.limits, vec![10.0, 3.0]);
        let law = Law::gamma(1.0, 1_000.0);
        let mut rng = Streams::new(1, 0).stream("test");
        let obs = plan.simulate(&law, &mut rng).expect("draws");
        assert_eq!(obs, vec![Obs::Right(10.0), Obs::Right(3.0)]);
    }

    #[test]
    fn grids_keep_their_offset() {
        let m = Mechanism::of(Obs::Interval(90.0, 150.0)).expect("measured");
        assert_eq!(
            m,
            Mechanism::Grid {
                width: 60.0,
                offset: 30.0
            }
        );
        let mut rng = Streams::new(1, 0).stream("test");
        assert_eq!(m.measure(100.0, &mut rng), Obs::Interval(90.0, 150.0));
        // Below the first grid point: [−30, 30] starts at zero.
        assert_eq!(m.measure(20.0, &mut rng), Obs::Interval(0.0, 30.0));
    }
}
