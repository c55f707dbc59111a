//! Peak memory against simulated horizon and against replications.
//!
//! Each case runs in a fresh child process so its peak RSS (`VmHWM`) is
//! its own:
//! * the M/M/10 reference model (utilisation 0.9) for a horizon `H` and for
//!   `10 H`, and the Horgos-after port for 30 and 300 days: memory should
//!   be bounded by the trucks in the system, not by the trucks ever
//!   simulated (target: ratio below 1.2);
//! * a one-desk port of one hour for 10,000 and 100,000 replications
//!   through `experiment::run`: a replication should cost a few scalars of
//!   summary (target: under 200 MB at 100,000).

#![allow(clippy::print_stdout, reason = "a benchmark reports on stdout")]

use std::process::Command;

use portsim::engine::dist::Dist;
use portsim::engine::streams::Streams;
use portsim::engine::tandem::{self, StationSpec, TandemSpec};

const CHILD: &str = "PORTSIM_MEMORY_BENCH_CUSTOMERS";

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// M/M/10 for about `customers` customers.
fn child(customers: f64) {
    let mean_service = 10_000.0;
    let spec = TandemSpec {
        interarrival: Dist::Exponential {
            mean: mean_service / 9.0,
        },
        stations: vec![StationSpec {
            servers: 10,
            service: Dist::Exponential { mean: mean_service },
        }],
        warmup: 0,
        horizon: (customers * mean_service / 9.0) as u64,
        max_arrivals: None,
    };
    let r = tandem::run(&spec, &Streams::new(1, 0)).expect("valid model");
    println!("{} {}", r.departures, peak_rss_kib().unwrap_or(0));
}

/// The Horgos-after port for `days` days, one replication.
fn child_port(days: u64) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/horgos-after.toml");
    let mut s = portsim::scenario::load(std::path::Path::new(path)).expect("bundled scenario");
    s.horizon = days * 86_400_000;
    let r = portsim::model::simulate(&s, 0, &portsim::model::Limits::default()).expect("runs");
    println!("{} {}", r.all.counts.cleared, peak_rss_kib().unwrap_or(0));
}

/// `n` replications of a one-desk port of one hour.
fn child_replications(n: u64) {
    let text = "name = \"tiny\"\nhorizon = \"1h\"\n[demand]\nrate = \"10/h\"\n\
                [[stages]]\nname = \"desk\"\nlanes = 1\nservice = \"1m\"\n";
    let s = portsim::scenario::parse(text, std::path::Path::new("tiny.toml")).expect("valid");
    let options = portsim::experiment::run::RunOptions {
        replications: n,
        ..portsim::experiment::run::RunOptions::for_scenario(&s)
    };
    let never = std::sync::atomic::AtomicBool::new(false);
    let out = portsim::experiment::run::run(&s, &options, &never, || {}).expect("runs");
    println!(
        "{} {}",
        out.summary.replications,
        peak_rss_kib().unwrap_or(0)
    );
}

fn run_child(kind: &str, n: u64) -> (u64, u64) {
    let exe = std::env::current_exe().expect("own path");
    let out = Command::new(exe)
        .env(CHILD, format!("{kind}:{n}"))
        .output()
        .expect("child runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text
        .split_whitespace()
        .map(|p| p.parse::<u64>().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

fn main() {
    if let Ok(spec) = std::env::var(CHILD) {
        let (kind, n) = spec.split_once(':').unwrap_or(("", "0"));
        let n: u64 = n.parse().unwrap_or(0);
        match kind {
            "mmc" => child(n as f64),
            "port" => child_port(n),
            _ => child_replications(n),
        }
        return;
    }
    // `cargo bench` passes flags such as `--bench`; nothing to parse.
    for (kind, what, short, long) in [
        ("mmc", "customers", 1_000_000, 10_000_000),
        ("port", "days of Horgos after", 30, 300),
    ] {
        let (short_n, short_kib) = run_child(kind, short);
        let (long_n, long_kib) = run_child(kind, long);
        println!(
            "memory/horizon/{kind}: {short} {what} ({short_n} done) -> peak RSS {short_kib} KiB"
        );
        println!("memory/horizon/{kind}: {long} {what} ({long_n} done) -> peak RSS {long_kib} KiB");
        println!(
            "memory/horizon/{kind}: 10x horizon peak RSS ratio = {:.3} (target < 1.2)",
            long_kib as f64 / short_kib.max(1) as f64
        );
    }
    let (n1, kib1) = run_child("reps", 10_000);
    let (n2, kib2) = run_child("reps", 100_000);
    println!("memory/replications: {n1} replications -> peak RSS {kib1} KiB");
    println!("memory/replications: {n2} replications -> peak RSS {kib2} KiB (target < 200 MB)");
}
