//! The port model against the engine's reference network on the same
//! queueing models, and the Horgos-after port over a year.
//!
//! `engine::tandem` is the bare queueing network (customers travel in their
//! events, full statistics); the port model runs the same model from a
//! scenario file with everything a port has (gate, road queue, flow
//! balance, daily and hourly profiles, costs). Each pair runs in one group
//! on the same machine in the same run, so the ratio of the two (the port
//! model's overhead) survives a noisy machine. Models: M/M/10 at
//! utilisation 0.9 and the four-station port tandem of
//! `shared/peer-models/MODEL.md`, one million customers each (the scenario
//! files are `benches/scenarios/`); the Horgos-after port for 365 days, one
//! replication (the CLI's 30 replications scale linearly, see
//! `benches/simpy/ratios.sh`).

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use portsim::engine::dist::Dist;
use portsim::engine::streams::Streams;
use portsim::engine::tandem::{self, StationSpec, TandemSpec};
use portsim::engine::time::{DAY, HOUR, MINUTE};
use portsim::model::{Limits, simulate};
use portsim::scenario::Scenario;

fn scenario(file: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    portsim::scenario::load(&path).expect("bundled bench scenario")
}

/// Customers in the port model's run of `s` (one replication).
fn port_run(s: &Scenario) -> u64 {
    let r = simulate(s, 0, &Limits::default()).expect("valid");
    r.all.counts.cleared
}

/// One group: the reference network `engine` and the port model on the
/// scenario `file`, one million customers each.
fn pair(c: &mut Criterion, name: &str, engine: &TandemSpec, file: &str) {
    let port = scenario(file);
    let mut group = c.benchmark_group(name);
    group.sample_size(10);
    group.throughput(Throughput::Elements(1_000_000));
    group.bench_function("engine_tandem", |b| {
        b.iter(|| {
            black_box(
                tandem::run(engine, &Streams::new(1, 0))
                    .expect("valid")
                    .departures,
            )
        })
    });
    group.bench_function("port_model", |b| b.iter(|| black_box(port_run(&port))));
    group.finish();
}

fn mm10(c: &mut Criterion) {
    let h = HOUR as f64;
    let engine = TandemSpec {
        interarrival: Dist::Exponential { mean: h / 9.0 },
        stations: vec![StationSpec {
            servers: 10,
            service: Dist::Exponential { mean: h },
        }],
        warmup: 0,
        horizon: u64::MAX / 4,
        max_arrivals: Some(1_000_000),
    };
    pair(c, "mm10_1e6", &engine, "benches/scenarios/mm10.toml");
}

fn port_tandem(c: &mut Criterion) {
    let m = MINUTE as f64;
    let lognormal = |mean: f64, sd: f64| Dist::LogNormal {
        mean: mean * m,
        sd: sd * m,
    };
    let engine = TandemSpec {
        interarrival: Dist::Exponential { mean: m / 0.75 },
        stations: vec![
            StationSpec {
                servers: 2,
                service: Dist::Exponential { mean: 2.0 * m },
            },
            StationSpec {
                servers: 6,
                service: lognormal(7.0, 4.0),
            },
            StationSpec {
                servers: 4,
                service: lognormal(4.5, 3.0),
            },
            StationSpec {
                servers: 2,
                service: Dist::Exponential { mean: 2.2 * m },
            },
        ],
        warmup: 0,
        horizon: u64::MAX / 4,
        max_arrivals: Some(1_000_000),
    };
    pair(
        c,
        "port_tandem_1e6",
        &engine,
        "benches/scenarios/port-tandem.toml",
    );
}

fn horgos(c: &mut Criterion) {
    let mut after = scenario("scenarios/horgos-after.toml");
    after.horizon = 365 * DAY;
    let mut group = c.benchmark_group("horgos_after_365d");
    group.sample_size(10);
    group.bench_function("one_replication", |b| {
        b.iter(|| black_box(port_run(&after)))
    });
    group.finish();
}

criterion_group!(benches, mm10, port_tandem, horgos);
criterion_main!(benches);
