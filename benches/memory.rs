//! Peak memory against simulated horizon.
//!
//! Runs the same M/M/10 (utilisation 0.9) model for a horizon `H` and for
//! `10 H`, each in a fresh child process so peak RSS (`VmHWM`) is its own,
//! and prints the ratio. Memory should be bounded by the customers in the
//! system, not by the customers ever simulated: the target is a ratio
//! below 1.2.

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

fn run_child(customers: u64) -> (u64, u64) {
    let exe = std::env::current_exe().expect("own path");
    let out = Command::new(exe)
        .env(CHILD, customers.to_string())
        .output()
        .expect("child runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text
        .split_whitespace()
        .map(|p| p.parse::<u64>().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

fn main() {
    if let Ok(n) = std::env::var(CHILD) {
        child(n.parse().unwrap_or(0.0));
        return;
    }
    // `cargo bench` passes flags such as `--bench`; nothing to parse.
    let (short_n, short_kib) = run_child(1_000_000);
    let (long_n, long_kib) = run_child(10_000_000);
    println!("memory/horizon: {short_n} customers -> peak RSS {short_kib} KiB");
    println!("memory/horizon: {long_n} customers -> peak RSS {long_kib} KiB");
    println!(
        "memory/horizon: 10x horizon peak RSS ratio = {:.3} (target < 1.2)",
        long_kib as f64 / short_kib.max(1) as f64
    );
}
