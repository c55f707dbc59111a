//! Calibration at scale: reading, reconstructing and estimating (fits
//! included) a generated log of 1,000,000 rows.
//!
//! The log is a month of a busy three-stage port (about 5,000 trucks a
//! day, seven milestones each, a lane column), written as the plain CSV
//! with its rows shuffled, to a temporary file: the reader streams it from
//! disk as `portsim calibrate` does. Target (issue 26): all of reading,
//! reconstruction and fitting under 10 s and 500 MB on 2 cores; the
//! figures measured are in docs/event-log.md. With
//! `PORTSIM_CALIBRATE_LOG=PATH` set, the bench only writes the log to PATH
//! (to time the command line with `/usr/bin/time -v`).

#![allow(clippy::print_stdout, reason = "a benchmark reports on stdout")]

use std::hint::black_box;
use std::io::Write;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use portsim::calibrate::{self, Options, log, reconstruct};

/// SplitMix64.
struct Rng(u64);

impl Rng {
    fn f64(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (((z ^ (z >> 31)) >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn exp(&mut self, mean: f64) -> i64 {
        (-mean * self.f64().ln()) as i64
    }
}

/// Writes a log of `rows` rows (about) to `path`.
fn write_log(path: &Path, rows: usize) {
    let mut rng = Rng(7);
    let start = 1_740_960_000i64; // 2025-03-03T00:00
    let stages = ["documents", "inspection", "exit"];
    let mut lines: Vec<String> = Vec::with_capacity(rows + 16);
    let mut t = start;
    let mut truck = 0u64;
    while lines.len() < rows {
        t += rng.exp(17.0);
        truck += 1;
        let mut now = t;
        lines.push(format!("T{truck},{},arrive,,\n", iso(now)));
        for (s, name) in stages.iter().enumerate() {
            now += rng.exp(300.0);
            let lane = (rng.f64() * 8.0) as u32;
            lines.push(format!(
                "T{truck},{},start,{name},{name}-{lane}\n",
                iso(now)
            ));
            now += rng.exp(if s == 1 { 900.0 } else { 240.0 });
            lines.push(format!("T{truck},{},end,{name},{name}-{lane}\n", iso(now)));
        }
        lines.push(format!("T{truck},{},depart,,\n", iso(now + 60)));
    }
    for i in (1..lines.len()).rev() {
        let j = (rng.f64() * (i + 1) as f64) as usize;
        lines.swap(i, j.min(i));
    }
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("bench log"));
    f.write_all(b"truck,time,event,stage,lane\n")
        .expect("write");
    for l in &lines {
        f.write_all(l.as_bytes()).expect("write");
    }
    f.flush().expect("flush");
}

fn iso(t: i64) -> String {
    let d = t.div_euclid(86_400);
    let s = t.rem_euclid(86_400);
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = d + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        s / 3600,
        s % 3600 / 60,
        s % 60
    )
}

const ROWS: usize = 1_000_000;

fn calibrate_log(c: &mut Criterion) {
    if let Ok(path) = std::env::var("PORTSIM_CALIBRATE_LOG") {
        write_log(Path::new(&path), ROWS);
        println!("wrote {ROWS} rows to {path}");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("log.csv");
    write_log(&path, ROWS);
    let layout = log::Layout::plain();
    let mut group = c.benchmark_group("calibrate_log");
    group.sample_size(10);
    group.throughput(Throughput::Elements(ROWS as u64));
    group.bench_function("read_1M_rows", |b| {
        b.iter(|| black_box(log::read(&path, &layout).expect("log").rows.len()));
    });
    let read = log::read(&path, &layout).expect("log");
    group.bench_function("reconstruct_1M_rows", |b| {
        b.iter(|| black_box(reconstruct::paths(&read).trips.len()));
    });
    group.bench_function("read_reconstruct_estimate_1M_rows", |b| {
        b.iter(|| {
            let cal =
                calibrate::estimate(&path, &layout, &Options::default()).expect("calibration");
            black_box(cal.stages.len())
        });
    });
    group.finish();
}

criterion_group!(benches, calibrate_log);
criterion_main!(benches);
