//! Runs the M/M/10 benchmark model once, for profilers (`perf record`).

#![allow(clippy::print_stdout, reason = "an example reports on stdout")]
use portsim::engine::dist::Dist;
use portsim::engine::streams::Streams;
use portsim::engine::tandem::{self, StationSpec, TandemSpec};
fn main() {
    let customers: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let spec = TandemSpec {
        interarrival: Dist::Exponential {
            mean: 10_000.0 / 9.0,
        },
        stations: vec![StationSpec {
            servers: 10,
            service: Dist::Exponential { mean: 10_000.0 },
        }],
        warmup: 0,
        horizon: u64::MAX / 4,
        max_arrivals: Some(customers),
    };
    let t = std::time::Instant::now();
    let r = tandem::run(&spec, &Streams::new(42, 0)).expect("valid");
    println!(
        "{} customers, W {:.1}, {} events, {:?}",
        r.departures,
        r.sojourn.mean(),
        r.events,
        t.elapsed()
    );
}
