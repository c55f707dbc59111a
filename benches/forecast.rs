//! A 24-hour forecast of a 1,000-truck-a-day port with 1,000 replications,
//! including reading its four-week event log (issue 27's target: under a
//! second on 2 cores; the record is in docs/performance.md).
//!
//! The log is made here by a small tandem queue of its own (not portsim's
//! model): Poisson arrivals at 1,000 a day, documents (8 lanes, exponential
//! 9 minutes) then exit (6 lanes, exponential 5 minutes), FIFO, times to
//! the minute, as the plain CSV: about 112,000 rows. One iteration reads
//! it from memory and forecasts 24 hours from its last day's 10:00.

use std::collections::VecDeque;
use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use portsim::calibrate::log::{Layout, read_from};
use portsim::engine::streams::Streams;
use portsim::forecast::forecast;
use portsim::forecast::run::{Options, start_override};
use portsim::model::Limits;
use rand::RngExt;

const SCENARIO: &str = r#"
name = "a 1,000-truck-a-day port"
horizon = "1d"
[demand]
rate = "1000/d"
[[stages]]
name = "documents"
lanes = 8
service = { dist = "exponential", mean = "9m" }
[[stages]]
name = "exit"
lanes = 6
service = { dist = "exponential", mean = "5m" }
"#;

/// 2025-03-03T00:00 (a Monday).
const T0: i64 = 1_740_960_000;
const DAYS: i64 = 28;

fn iso(t: i64) -> String {
    let t = t - t.rem_euclid(60);
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.naive_utc().format("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default()
}

/// The four-week log of the tandem port.
fn log_text() -> String {
    let mut rng = Streams::new(7, 0).stream("bench/forecast");
    let mut exp = |mean: f64| -mean * (1.0 - rng.random::<f64>()).ln();
    let mut rows: Vec<(i64, String)> = Vec::new();
    let (lanes, means) = ([8usize, 6], [540.0, 300.0]);
    // Free times of each stage's lanes, FIFO in arrival order per stage.
    let mut free: Vec<Vec<f64>> = lanes.iter().map(|&c| vec![0.0; c]).collect();
    let mut arrivals = Vec::new();
    let mut t = T0 as f64;
    loop {
        t += exp(86_400.0 / 1_000.0);
        if t >= (T0 + DAYS * 86_400) as f64 {
            break;
        }
        arrivals.push(t);
    }
    let mut ready: Vec<(f64, usize)> = arrivals.iter().copied().zip(0..).collect();
    for (s, name) in ["documents", "exit"].iter().enumerate() {
        ready.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut next = VecDeque::new();
        for &(at, id) in &ready {
            let (lane, &f) = free[s]
                .iter()
                .enumerate()
                .min_by(|a, b| a.1.total_cmp(b.1))
                .unwrap_or((0, &0.0));
            let start = at.max(f);
            let end = start + exp(means[s]);
            free[s][lane] = end;
            rows.push((
                start as i64,
                format!("T{id},{},start,{name}\n", iso(start as i64)),
            ));
            rows.push((
                end as i64,
                format!("T{id},{},end,{name}\n", iso(end as i64)),
            ));
            next.push_back((end, id));
        }
        ready = next.into_iter().collect();
    }
    for (&a, id) in arrivals.iter().zip(0..) {
        rows.push((a as i64, format!("T{id},{},arrive,\n", iso(a as i64))));
    }
    for &(d, id) in &ready {
        rows.push((d as i64, format!("T{id},{},depart,\n", iso(d as i64))));
    }
    let end = T0 + DAYS * 86_400;
    let mut text = String::from("truck,time,event,stage\n");
    for (t, row) in rows {
        if t < end {
            text.push_str(&row);
        }
    }
    text
}

fn bench(c: &mut Criterion) {
    let text = log_text();
    let at = T0 + (DAYS - 1) * 86_400 + 10 * 3_600;
    let set = start_override(at).expect("valid");
    let scenario =
        portsim::scenario::parse_with(SCENARIO, Path::new("bench.toml"), &[set]).expect("valid");
    let options = Options {
        at,
        hours: 24,
        replications: 1_000,
        seed: 1,
        threads: None,
        limits: Limits::default(),
    };
    let mut group = c.benchmark_group("forecast");
    group.sample_size(10);
    group.bench_function("read a 4-week log + 24 h × 1,000 replications", |b| {
        b.iter(|| {
            let log =
                read_from(Path::new("log.csv"), text.as_bytes(), &Layout::plain()).expect("valid");
            black_box(forecast(&scenario, &log, &options, &|| {}).expect("runs"))
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
