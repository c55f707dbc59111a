//! Service-time fitting at the scale of a 1,000,000-row log: 8 stages of
//! 200,000 services each, every family fitted and tested with the default
//! bootstrap (199 samples, subsample cap 2,000).
//!
//! Two kinds of log: times to the minute (every duration the difference
//! of two rounded times, `Obs::Rounded`), and times to the second (exact
//! durations). Each stage has its own law (lognormal, gamma, exponential,
//! Erlang, and a two-group mixture that no family fits, so the empirical
//! fallback is exercised), and about 0.5 % of services are still running
//! when the log closes. The stages are fitted one after the other, as a
//! caller that does not parallelise across stages would; each fit's
//! bootstrap runs on rayon.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use portsim::calibrate::fit::{FitOptions, Obs, Observed, fit};
use portsim::engine::streams::Streams;
use rand::RngExt;
use rand_distr::{Distribution, Exp, Gamma, LogNormal};

const STAGES: usize = 8;
const SERVICES: usize = 200_000;

/// One stage's services: durations from `draw`, started uniformly over a
/// 60-day log (so about 0.5 % of a 7-hour tail is cut), measured to the
/// minute or to the second.
fn stage(index: usize, minutes: bool) -> Vec<Observed> {
    let mut rng = Streams::new(1, index as u64).stream("bench/calibrate_fit");
    let span = 60.0 * 86_400.0;
    let draw = |rng: &mut portsim::engine::streams::Rng| -> f64 {
        match index % 5 {
            0 => LogNormal::new(6.0, 0.6).expect("valid").sample(rng),
            1 => Gamma::new(2.5, 120.0).expect("valid").sample(rng),
            2 => Exp::new(1.0 / 300.0).expect("valid").sample(rng),
            3 => Gamma::new(4.0, 60.0).expect("valid").sample(rng),
            _ => {
                if rng.random::<f64>() < 0.5 {
                    LogNormal::new(60f64.ln(), 0.2).expect("valid").sample(rng)
                } else {
                    LogNormal::new(900f64.ln(), 0.2).expect("valid").sample(rng)
                }
            }
        }
    };
    (0..SERVICES)
        .map(|_| {
            let start = rng.random::<f64>() * span;
            let x = draw(&mut rng);
            let (start_seen, limit) = if minutes {
                let s = (start / 60.0).floor() * 60.0;
                (s, span - s)
            } else {
                (start, span - start)
            };
            let obs = if start + x > span {
                Obs::Right(limit)
            } else if minutes {
                Obs::Rounded {
                    value: ((start + x) / 60.0).floor() * 60.0 - start_seen,
                    width: 60.0,
                }
            } else {
                Obs::Exact(x)
            };
            Observed { obs, limit }
        })
        .collect()
}

fn fitting(c: &mut Criterion) {
    let opts = FitOptions::default();
    for (name, minutes) in [("minutes", true), ("seconds", false)] {
        let stages: Vec<Vec<Observed>> = (0..STAGES).map(|i| stage(i, minutes)).collect();
        let mut group = c.benchmark_group(format!("calibrate_fit/{name}"));
        group.sample_size(10);
        group.throughput(Throughput::Elements((STAGES * SERVICES) as u64));
        group.bench_function("8_stages_200k", |b| {
            b.iter(|| {
                for (i, data) in stages.iter().enumerate() {
                    black_box(fit(&format!("stage{i}"), data, &opts).expect("fits"));
                }
            })
        });
        group.finish();
    }
}

criterion_group!(benches, fitting);
criterion_main!(benches);
